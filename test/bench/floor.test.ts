// The floor allocator (bench/README.md "The floor"): the least work an allocator could do,
// which compare subtracts from every allocator's time per op. It must still run every workload
// correctly, or the figures subtracted would be of some other workload: every known run's
// checksums, with --verify, on the bench module's floor (bench/assembly/floor.ts, which takes its
// memory from a hakmem heap: the heap checker must pass) and on the C floor (bench/c/floor.c).
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { benchRuns, DEFAULT_OPTIONS, BenchOptions } from '../../dist/host/bench/runner.js';
import { parseParams } from '../../dist/host/workloads/params.js';
import { KNOWN_RUNS, optionsOf } from '../../dist/host/workloads/known-runs.js';

const ROOT = path.resolve(__dirname, '..', '..');
const OPTS: BenchOptions = { ...DEFAULT_OPTIONS, build: 'floor', warmup: 0, check: true, progress: false, log: () => {} };
const pick = (r: Record<string, unknown>, want: Record<string, number>) =>
  Object.fromEntries(Object.keys(want).map((k) => [k, r[k]]));

describe('the floor in the bench module (build/bench-floor.wasm)', () => {
  for (const k of KNOWN_RUNS) {
    it(k.argv.join(' '), async () => {
      const raw = optionsOf(k.argv) as Record<string, string | boolean>;
      const [r] = await benchRuns(parseParams(k.argv[0], { verify: true, ...raw }), OPTS);
      expect(r.alloc).toBe('floor-wasm');
      expect(r.bad).toBe(0);
      expect(r.faults ?? 0).toBe(0);
      expect(r.heap_check_violations).toBe(0);
      expect(pick(r, k.want)).toEqual(k.want);
    });
  }
});

describe('the floor in the C harness (bench/c/floor.c, native)', () => {
  it('builds and passes every cross-check', async () => {
    const peers = await import(pathToFileURL(path.join(ROOT, 'bench', 'peers', 'build-peers.mjs')).href);
    const { failed, peers: built } = await peers.buildPeers({ quiet: true, only: [peers.FLOOR_NATIVE] });
    expect(failed).toEqual([]);
    expect(built.some((p: { name: string }) => p.name === peers.FLOOR_NATIVE)).toBe(true);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'peers', 'crosscheck.mjs'), '--no-build', '--peers', peers.FLOOR_NATIVE],
      { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`crosscheck: ${KNOWN_RUNS.length + 1} passed, 0 failed`));
  }, 180_000);
});
