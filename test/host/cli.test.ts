// The CLI as a user meets it: one error style and exit status 2 for every bad usage, from
// commander, the option parsers or a range check; --version; limits reported before anything
// runs.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';

const CLI = path.join(ROOT, 'dist', 'host', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('hakmem-wasm CLI', () => {
  it('--version prints the package version', () => {
    const r = run('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  it.each([
    [['bench', 'larson', '--threads', '2000', '--ops', '1e5'], /at most \d+ workers besides the main thread/],
    [['bench', 'larson', '--threads', '0', '--ops', '1e5'], /--threads and --chunks must be >= 1/],
    [['bench', 'micro', '--repeat', '0'], /--repeat must be at least 1/],
    [['bench', 'nosuch'], /unknown workload 'nosuch'/],
    [['bench', 'xfree', '--blocks', '1e5', '--build', 'asrt'], /--build asrt is single-threaded: it cannot run xfree/],
    [['bench', 'random_mixed', '--threads', '2', '--build', 'asrt'], /--build asrt is single-threaded: it cannot run random_mixed/],
    [['bench', 'random_mixed', '--threads', '0'], /--slots, --reps and --threads must be >= 1/],
    [['bench', 'micro', '--bogus'], /unknown option '--bogus'/],
    [['compare', '--allocs', 'foo', '--no-write'], /unknown allocator\(s\) foo/],
    [['stress', '--workers', '2000'], /2000 workers requested, but only \d+ more threads can attach/],
    [['link', '/nonexistent.wasm'], /required option/],
    [['bench-ab', 'micro'], /required option '--base <file>'/],
    [['bench-ab', 'micro', '--base', '/nonexistent.wasm'], /no such module file: \/nonexistent.wasm/],
    [['compare', '--cores-gate', '2.5', '--no-write'], /--cores-gate: want a ratio in \(0, 2\], got '2.5'/],
    [['compare', '--cores-gate', '1.8', '--cores-wait', '-1', '--no-write'], /--cores-wait: want seconds in \[0, 3600\], got '-1'/],
    [['bench-ab', 'micro', '--base', 'build/bench-release.wasm', '--cores-gate', 'x'], /--cores-gate: want a ratio in \(0, 2\], got 'x'/],
  ])('%j: one line "hakmem-wasm: ...", exit 2', (args, message) => {
    const r = run(...args);
    expect(r.stderr).toMatch(/^hakmem-wasm: /);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });

  it('the help shows defaults', () => {
    const r = run('bench', '--help');
    expect(r.stdout).toMatch(/--repeat <n>.*\(default: "1"\)/s);
    expect(r.stdout).toMatch(/--warmup <n>.*\(default: "2"\)/s);
    // the workloads' defaults, from params.ts DEFAULTS
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--threads <n> [^-]*default: larson 1, random_mixed 1, midlarge 2/);
    expect(help).toMatch(/--seed <n> [^-]*default: larson 4141, random_mixed 123, xfree 4141, midlarge 4141/);
    expect(help).toMatch(/--qcap <n> [^-]*default: xfree 1024/);
  });

  it('bench-ab runs a workload on two module files, interleaved, and prints the ratio', () => {
    const wasm = path.join(ROOT, 'build', 'bench-release.wasm');
    const r = run('bench-ab', 'micro', '--ops', '2e5', '--base', wasm, '--head', wasm, '--repeat', '2', '--warmup', '0');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^base +median +[\d.]+ Mops\/s +\(min [\d.]+, max [\d.]+, n 2\)$/m);
    expect(r.stdout).toMatch(/^head \/ base: \d+\.\d{3} \(per-round ratios/m);
    // interleaved: base, head, then head, base
    expect(r.stderr.match(/round \d\/2 (base|head)/g)).toEqual(['round 1/2 base', 'round 1/2 head', 'round 2/2 head', 'round 2/2 base']);
  });

  it('bench-ab --cores-gate probes the cores before each run of a multi-thread workload', (ctx) => {
    const wasm = path.join(ROOT, 'build', 'bench-release.wasm');
    // A gate every machine passes: what is tested is that each of the 4 runs is gated and reported.
    const r = run('bench-ab', 'larson', '--threads', '2', '--ops', '2e5', '--base', wasm, '--head', wasm, '--repeat', '2',
      '--warmup', '0', '--cores-gate', '0.01', '--cores-wait', '0');
    if (/needs the native build/.test(r.stderr)) ctx.skip('no native build of bench/c (apt-get install gcc)');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^cores gate: 4 runs, 0 waited, 0 ran without passing$/m);
  });

  it('soak runs the double-free trials in watched workers and prints caught / trials per kind', () => {
    const r = run('soak', '--trials', '3', '--build', 'release', '--kinds', 'immediate,remote-twice');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^release +immediate +3\/3( +0){6} +ok$/m);
    expect(r.stdout).toMatch(/^release +remote-twice +3\/3( +0){6} +ok$/m);
    expect(r.stdout).toMatch(/6 double-free trials in [\d.]+ s: every double free caught/);
  });
});
