#!/usr/bin/env node
// instructions.mjs: x86 instructions per operation of a bench workload, counted by valgrind's
// callgrind instead of timed (bench/README.md "Counting instructions"). A count does not
// depend on what else the machine does, so it tells a change of a few instructions per op
// where timings on a shared machine swing by more than that.
//
//   node bench/instructions.mjs [--build release|floor|debug] [--ops N] [--runs K] <workload> [bench options]
//
// N is what the workload's own count option gets: `--ops`, or `--blocks` (xfree), `--rounds`
// (midlarge); the figure is always per op of the run records. With --runs K (default 1) it
// measures K times and prints every figure, their median and their range: the count of one
// build moves by one to three instructions per op from one measurement to the next (V8's
// compilation and the worker thread's own work vary), more than some changes it is asked about.
// It runs `hakmem-wasm bench <workload> ... --warmup 0` twice under callgrind, with N and 3N
// ops, V8's baseline compiler off (every function is compiled by the optimizing one at once,
// as a warmed-up run would have it), one output file per thread. The workers are the threads
// whose calls start in node's `node::worker::Worker::Run()` (the main thread and V8's platform
// threads never run it; callgrind's own thread numbers differ between the two runs, and the
// main thread's count grows with the run's length too, so neither the numbers nor the growth
// can tell them). The workers' instructions grew by so much more than the run records' `ops`:
// that is the figure; start-up and compilation fall out of the difference. Needs valgrind
// (Debian: apt-get install valgrind); about a minute.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'host', 'cli', 'main.js');

/** Parse our own options; everything else goes to `bench`. */
function parseArgs(argv) {
  const o = { build: 'release', ops: 2e6, runs: 1, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--build') o.build = argv[++i];
    else if (a === '--ops') o.ops = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '-h' || a === '--help') o.help = true;
    else o.rest.push(a);
  }
  if (!o.help && (!(o.ops > 0) || !Number.isSafeInteger(o.ops * 3))) throw new Error(`--ops ${o.ops}: not a positive whole number`);
  if (!o.help && !(Number.isSafeInteger(o.runs) && o.runs >= 1 && o.runs <= 99)) throw new Error(`--runs ${o.runs}: not a whole number from 1 to 99`);
  return o;
}

/** The bench option that sets how much a workload does (`--ops` N: this option N). */
const COUNT_OPTION = { xfree: '--blocks', midlarge: '--rounds' };

/** A callgrind thread file of a Worker thread: node's Worker::Run() is a function in it. */
const WORKER_ROOT = /^c?fn=\(\d+\) node::worker::Worker::Run\(\)$/m;

/** The workers' instructions in one run under callgrind (and how many there were), and the run's record. */
function countRun(o, ops, dir) {
  const out = path.join(dir, `cg.${ops}`);
  const args = ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${out}`, '--smc-check=all-non-file',
    process.execPath, '--no-liftoff', CLI, 'bench', ...o.rest, COUNT_OPTION[o.rest[0]] ?? '--ops', String(ops), '--warmup', '0',
    '--build', o.build, '--no-progress', '--json'];
  const r = spawnSync('valgrind', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`valgrind: ${r.error.message} (Debian: apt-get install valgrind)`);
  if (r.status !== 0) throw new Error(`bench under callgrind exited ${r.status}: ${r.stderr.slice(-600)}`);
  const record = JSON.parse(r.stdout.trim().split('\n').pop());
  const texts = fs.readdirSync(dir).filter((n) => n.startsWith(`cg.${ops}-`))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  // Callgrind compresses object names to ids shared by all of a run's thread files, and names
  // each id once, in whichever file used it first.
  const objects = new Map();
  for (const text of texts) {
    for (const m of text.matchAll(/^c?ob=\((\d+)\) (.*)$/gm)) objects.set(m[1], m[2]);
  }
  let workers = 0, instructions = 0, jit = 0;
  for (const text of texts) {
    const m = /^summary:\s+(\d+)/m.exec(text);
    if (!m || !WORKER_ROOT.test(text)) continue;
    workers++;
    instructions += Number(m[1]);
    jit += compiledCodeInstructions(text, objects);
  }
  return { record, workers, instructions, jit };
}

/**
 * The instructions a callgrind thread file puts in code that lies in no file: what V8
 * generated at run time (the wasm module's functions, JIT-compiled JavaScript, the builtins
 * it copies next to them), which callgrind files under the object `???`. Self cost only: a
 * cost line right after a `calls=` line is the callee's inclusive cost. V8's runtime in C++
 * (its compilers, the garbage collector, the worker's message loop, the futex waits behind
 * Atomics.wait) is in node's own file and stays out: that is what varies from one run to the
 * next in a thread's whole count.
 */
function compiledCodeInstructions(text, objects) {
  let object = '', inCompiled = false, afterCalls = false, sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('ob=')) {
      object = objects.get(/^ob=\((\d+)\)/.exec(line)?.[1] ?? '') ?? '';
    } else if (line.startsWith('fn=')) {
      inCompiled = object === '???';
      afterCalls = false;
    } else if (line.startsWith('calls=')) {
      afterCalls = true;
    } else if (/^[0-9+*-]/.test(line)) {
      if (inCompiled && !afterCalls) sum += Number(line.split(' ')[1] ?? 0);
      afterCalls = false;
    }
  }
  return sum;
}

/** One measurement: the workers' instruction growth per op between runs of N and 3N ops. */
function measure(o, dir) {
  const a = countRun(o, o.ops, dir);
  const b = countRun(o, 3 * o.ops, dir);
  const ops = b.record.ops - a.record.ops, grew = b.instructions - a.instructions;
  if (a.workers === 0 || a.workers !== b.workers) {
    throw new Error(`found ${a.workers} and ${b.workers} worker threads in the two runs: cannot compare them`);
  }
  if (!(ops > 0) || !(grew > 0)) throw new Error(`the workers did not grow with the op count (${grew} for ${ops} ops)`);
  return { perOp: grew / ops, jitPerOp: (b.jit - a.jit) / ops, workers: a.workers, grew, ops };
}

/** The median of a non-empty list of numbers. */
function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help || o.rest.length === 0) {
    console.log('usage: node bench/instructions.mjs [--build release|floor|debug] [--ops N] [--runs K] <workload> [bench options]');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hakmem-cg-'));
  try {
    const ms = [];
    for (let k = 0; k < o.runs; k++) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir);
      ms.push(measure(o, dir));
    }
    const last = ms[ms.length - 1];
    const threads = `${last.workers} worker thread${last.workers > 1 ? 's' : ''}`;
    const per = ms.map((m) => m.perOp), jit = ms.map((m) => m.jitPerOp);
    const list = (xs) => xs.map((x) => x.toFixed(2)).join(', ');
    console.log(`${o.rest.join(' ')} (${o.build}), ${threads}, x86 instructions per op:`);
    console.log(`  in compiled code (wasm and JIT-compiled JavaScript): ${median(jit).toFixed(2)}` +
      (ms.length > 1 ? ` (median of ${list(jit)})` : ''));
    console.log(`  in the whole worker threads:                         ${median(per).toFixed(2)}` +
      (ms.length > 1 ? ` (median of ${list(per)}; range ${Math.min(...per).toFixed(2)} to ${Math.max(...per).toFixed(2)})` :
        ` (${last.grew} more instructions for ${last.ops} more ops)`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  console.error(`instructions: ${e.message}`);
  process.exit(1);
}
