#!/usr/bin/env node
// instructions.mjs: x86 instructions per operation of a bench workload, counted by valgrind's
// callgrind instead of timed (bench/README.md "Counting instructions"). A count does not
// depend on what else the machine does, so it tells a change of a few instructions per op
// where timings on a shared machine swing by more than that.
//
//   node bench/instructions.mjs [--build release|floor|debug] [--ops N] <workload> [bench options]
//
// It runs `hakmem-wasm bench <workload> ... --warmup 0` twice under callgrind, with N and 3N
// ops, V8's baseline compiler off (every function is compiled by the optimizing one at once,
// as a warmed-up run would have it), one output file per thread. The thread whose count grew
// most between the two runs is the worker that ran the workload; its growth over the growth
// in the run records' `ops` is the figure: start-up, compilation and the other threads fall
// out of the difference. Needs valgrind (Debian: apt-get install valgrind); about a minute.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'host', 'cli', 'main.js');

/** Parse our own options; everything else goes to `bench`. */
function parseArgs(argv) {
  const o = { build: 'release', ops: 2e6, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--build') o.build = argv[++i];
    else if (a === '--ops') o.ops = Number(argv[++i]);
    else if (a === '-h' || a === '--help') o.help = true;
    else o.rest.push(a);
  }
  if (!o.help && (!(o.ops > 0) || !Number.isSafeInteger(o.ops * 3))) throw new Error(`--ops ${o.ops}: not a positive whole number`);
  return o;
}

/** Instructions of every thread of one run under callgrind, and the run's record. */
function countRun(o, ops, dir) {
  const out = path.join(dir, `cg.${ops}`);
  const args = ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${out}`, '--smc-check=all-non-file',
    process.execPath, '--no-liftoff', CLI, 'bench', ...o.rest, '--ops', String(ops), '--warmup', '0',
    '--build', o.build, '--no-progress', '--json'];
  const r = spawnSync('valgrind', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`valgrind: ${r.error.message} (Debian: apt-get install valgrind)`);
  if (r.status !== 0) throw new Error(`bench under callgrind exited ${r.status}: ${r.stderr.slice(-600)}`);
  const record = JSON.parse(r.stdout.trim().split('\n').pop());
  const threads = new Map();
  for (const f of fs.readdirSync(dir).filter((n) => n.startsWith(`cg.${ops}-`))) {
    const m = /^summary:\s+(\d+)/m.exec(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (m) threads.set(f.slice(`cg.${ops}-`.length), Number(m[1]));
  }
  return { record, threads };
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help || o.rest.length === 0) {
    console.log('usage: node bench/instructions.mjs [--build release|floor|debug] [--ops N] <workload> [bench options]');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hakmem-cg-'));
  try {
    const a = countRun(o, o.ops, dir);
    const b = countRun(o, 3 * o.ops, dir);
    let worker = null, grew = -Infinity;
    for (const [t, n] of b.threads) {
      const d = n - (a.threads.get(t) ?? 0);
      if (d > grew) { grew = d; worker = t; }
    }
    const ops = b.record.ops - a.record.ops;
    if (worker === null || !(ops > 0)) throw new Error('no thread grew with the op count');
    console.log(`${o.rest.join(' ')} (${o.build}): ${(grew / ops).toFixed(1)} x86 instructions per op ` +
      `(worker thread ${worker}: ${grew} more instructions for ${ops} more ops)`);
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
