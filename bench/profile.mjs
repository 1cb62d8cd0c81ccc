#!/usr/bin/env node
// profile.mjs: where a bench workload's time goes, by function of the bench module (and of
// node, V8 and the kernel around it), sampled by Linux perf (bench/README.md "Profiling").
// Timings say how fast; instructions.mjs says how much work; this says where the time is,
// cache misses included: a function whose samples sit on one load waits on that load.
//
//   node bench/profile.mjs [--build release|floor|debug] [--top N] [--keep DIR] <workload> [bench options]
//
// It runs `hakmem-wasm bench <workload> ... --no-progress` under `perf record -e cpu-clock`
// (a software clock: it needs no hardware counters, which virtual machines often lack), with
// node's --perf-prof writing a jitdump of V8's compiled code, then `perf inject --jit` and
// `perf report`. V8 names wasm code by function index ("wasm-function[58]"); this maps the
// indices to the bench module's names from its .wat (imports first, then the module's own
// functions, as wasm numbers them). The CLI loads no other wasm module before a bench (link
// loads Binaryen only when it links), so the indices are the bench module's. Samples of
// start-up (module loading, compilation, warm-up) are in the figures too: profile a run of a
// few hundred milliseconds or more. `--keep DIR` keeps perf.jit.data there, for
// `perf annotate -i DIR/perf.jit.data -s 'JS:wasm-function[N]-N-turbofan'`.
// Needs perf (Debian: apt-get install linux-perf) and kernel.perf_event_paranoid <= 2.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'host', 'cli', 'main.js');
const BUILDS = ['release', 'floor', 'debug'];

/** The function names of a module's text format, in wasm's index order (imports first). */
export function watFunctionNames(wat) {
  const names = [];
  const re = /^\s*\((?:import\s+"[^"]*"\s+"[^"]*"\s+\(func|func)\s+\$([^\s()]+)/gm;
  for (let m = re.exec(wat); m !== null; m = re.exec(wat)) names.push(m[1]);
  return names;
}

/**
 * `perf report --sort sym --stdio` lines summed by function: V8's code objects of one wasm
 * function (one per tier, and per instance's compilation) become one entry named from `names`
 * (index -> name), every other symbol stays as perf names it. Returns [{ name, percent, wasm }],
 * largest first.
 */
export function summarize(report, names) {
  const total = new Map();
  for (const line of report.split('\n')) {
    const m = /^\s*([\d.]+)%\s+\[(.)\]\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const percent = Number(m[1]);
    const wasm = /^JS:wasm-function\[(\d+)\]/.exec(m[3]);
    const name = wasm ? `wasm ${names[Number(wasm[1])] ?? `function ${wasm[1]} (not in the module)`}`
      : m[2] === 'k' ? `kernel ${m[3]}` : m[3];
    const prev = total.get(name) ?? { name, percent: 0, wasm: wasm !== null };
    prev.percent += percent;
    total.set(name, prev);
  }
  return [...total.values()].sort((a, b) => b.percent - a.percent);
}

/** Parse our own options; everything else goes to `bench`. */
function parseArgs(argv) {
  const o = { build: 'release', top: 25, keep: null, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--build') o.build = argv[++i];
    else if (a === '--top') o.top = Number(argv[++i]);
    else if (a === '--keep') o.keep = argv[++i];
    else if (a === '-h' || a === '--help') o.help = true;
    else o.rest.push(a);
  }
  if (!BUILDS.includes(o.build)) throw new Error(`--build ${o.build}: one of ${BUILDS.join(', ')}`);
  if (!(Number.isInteger(o.top) && o.top > 0)) throw new Error(`--top ${o.top}: not a positive whole number`);
  return o;
}

/** Run a command, failing with its stderr. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} ...: exit ${r.status}\n${(r.stderr || '').slice(-1500)}`);
  return r;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help || o.rest.length === 0) {
    console.log('usage: node bench/profile.mjs [--build release|floor|debug] [--top N] [--keep DIR] <workload> [bench options]');
    return;
  }
  if (spawnSync('perf', ['--version'], { encoding: 'utf8' }).status !== 0) {
    throw new Error('perf not found: apt-get install linux-perf');
  }
  const names = watFunctionNames(fs.readFileSync(path.join(ROOT, 'build', `bench-${o.build}.wat`), 'utf8'));
  const dir = o.keep ? path.resolve(o.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'hakmem-perf-'));
  fs.mkdirSync(dir, { recursive: true });
  try {
    // node writes its jitdump into its working directory: the run's own.
    const bench = run('perf', ['record', '-q', '-k', '1', '-e', 'cpu-clock', '-F', '2000', '-o', path.join(dir, 'perf.data'), '--',
      process.execPath, '--perf-prof', '--no-write-protect-code-memory', CLI, 'bench', ...o.rest, '--build', o.build, '--no-progress'],
    { cwd: dir });
    process.stdout.write(bench.stdout.split('\n').filter((l) => l.startsWith('median')).map((l) => `${l}\n`).join(''));
    run('perf', ['inject', '--jit', '-i', path.join(dir, 'perf.data'), '-o', path.join(dir, 'perf.jit.data')], { cwd: dir });
    const report = run('perf', ['report', '-i', path.join(dir, 'perf.jit.data'), '--sort', 'sym', '--stdio', '--no-children'], { cwd: dir });
    const rows = summarize(report.stdout, names);
    const wasm = rows.filter((r) => r.wasm).reduce((s, r) => s + r.percent, 0);
    console.log(`${o.rest.join(' ')} (${o.build}): ${wasm.toFixed(1)}% of the samples in the bench module's code; top ${o.top}:`);
    for (const r of rows.slice(0, o.top)) console.log(`${r.percent.toFixed(2).padStart(7)}%  ${r.name}`);
    if (o.keep) console.log(`kept ${path.join(dir, 'perf.jit.data')}`);
  } finally {
    if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`profile: ${e.message}`);
    process.exit(1);
  }
}
