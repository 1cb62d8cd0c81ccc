// random_mixed --threads N (bench/WORKLOADS.md section 4, "Copies"): N independent copies of the
// single-thread workload at once. The descriptor's calls and summed result over a synthetic
// memory, the bench module's copy records (layout, a real run against one copy, every slot
// array freed), and the C workloads' --threads on the native peer.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../dist/host/bench/engine.js';
import { benchRuns, DEFAULT_OPTIONS, runWorkload, type BenchOptions } from '../../dist/host/bench/runner.js';
import { statsSnapshot, heapCheck } from '../../dist/host/bench/heap-info.js';
import { RANDOM_MIXED, parseParams, runMemory, type RandomMixedParams } from '../../dist/host/workloads/index.js';
import { nativePeer } from '../helpers/peers.js';

const OPTS: BenchOptions = { ...DEFAULT_OPTIONS, warmup: 0, check: true, progress: false, log: () => {} };
const rm = (raw: Record<string, string | boolean>) => parseParams('random_mixed', raw) as RandomMixedParams;

describe('the random_mixed descriptor with copies (synthetic memory)', () => {
  // Made-up offsets: the descriptor must take every one from the layout, none from itself.
  const LAYOUT = { BL_RM_COPY_STRIDE: 192, BL_RM_OPS: 8, BL_RM_MALLOCS: 16, BL_RM_FREES: 24, BL_RM_SIZE_SUM: 32,
    BL_RM_BAD: 40, BL_RM_PEAK_LIVE: 48, BL_RM_PROGRESS: 56 };
  const RUN = 4096;
  /** Copy k's record: ops 10 + k, mallocs 5 + k, frees 5, size_sum 1000 * (k + 1), bad k, peaks 5 9 7, progress 100 (k + 1). */
  const words = new Map<number, number>();
  [5, 9, 7].forEach((peak, k) => {
    const at = RUN + k * LAYOUT.BL_RM_COPY_STRIDE;
    const fields: [number, number][] = [[LAYOUT.BL_RM_OPS, 10 + k], [LAYOUT.BL_RM_MALLOCS, 5 + k], [LAYOUT.BL_RM_FREES, 5],
      [LAYOUT.BL_RM_SIZE_SUM, 1000 * (k + 1)], [LAYOUT.BL_RM_BAD, k], [LAYOUT.BL_RM_PEAK_LIVE, peak], [LAYOUT.BL_RM_PROGRESS, 100 * (k + 1)]];
    for (const [off, v] of fields) words.set(at + off, v);
  });
  const read = { u32: (a: number) => words.get(a) ?? 0, u64: (a: number) => words.get(a) ?? 0 };
  const m = runMemory(read, LAYOUT);
  const p = rm({ ops: '1000', threads: '3' });

  it('one set-up for every copy, then one call per copy on its own worker', () => {
    expect(RANDOM_MIXED.threads(p)).toBe(3);
    expect(RANDOM_MIXED.needsThreads(p)).toBe(true);
    expect(RANDOM_MIXED.needsThreads(rm({}))).toBe(false);
    expect(RANDOM_MIXED.setup(p)).toEqual({ fn: 'random_mixed_setup', args: [2048, 1000, 123, 0, 1, 0, 3] });
    expect(RANDOM_MIXED.calls(p, RUN)).toEqual([0, 1, 2].map((k) => ({ worker: k, fn: 'random_mixed_run', args: [RUN, k] })));
  });
  it('progress per copy, and the copies\' sums (peak_live: the largest)', () => {
    expect(RANDOM_MIXED.progress(m, p, RUN)).toEqual([100, 200, 300]);
    expect(RANDOM_MIXED.fraction(m, p, RUN)).toBeCloseTo(600 / 3000, 12);
    expect(RANDOM_MIXED.result(m, p, RUN, 1)).toEqual({
      ops: 33, size_sum: 6000, bad: 3, extra: { mallocs: 18, frees: 15, peak_live: 9 },
    });
    expect(RANDOM_MIXED.recordParams(p)).toMatchObject({ threads: 3 });
  });
  it('one copy reads its record alone, without the stride (a bench module from before copies)', () => {
    const { BL_RM_COPY_STRIDE: _, ...old } = LAYOUT;
    const one = rm({ ops: '1000' });
    expect(RANDOM_MIXED.result(runMemory(read, old), one, RUN, 1)).toEqual({
      ops: 10, size_sum: 1000, bad: 0, extra: { mallocs: 5, frees: 5, peak_live: 5 },
    });
    expect(() => RANDOM_MIXED.progress(runMemory(read, old), p, RUN)).toThrow(/exports no BL_RM_COPY_STRIDE/);
  });
});

describe('random_mixed copies in the bench module (worker_threads)', () => {
  it('each copy\'s record fits its stride, on cache lines of its own', async () => {
    const e = await createEngine('release');
    try {
      expect(e.g.BL_RM_COPY_STRIDE! % 64).toBe(0);
      expect(e.g.BL_RM_RUN_SIZE).toBeLessThanOrEqual(e.g.BL_RM_COPY_STRIDE!);
      expect(e.g.BL_RM_PROGRESS! + 8).toBeLessThanOrEqual(e.g.BL_RM_RUN_SIZE!);
    } finally {
      await e.close();
    }
  });

  it('3 copies give 3 times one copy\'s checksums and the same peak, with --verify and a clean heap', async () => {
    const raw = { ops: '25000', reps: '4', verify: true };
    const [one] = await benchRuns(rm(raw), OPTS);
    const [three] = await benchRuns(rm({ ...raw, threads: '3' }), OPTS);
    for (const r of [one!, three!]) {
      expect(r.bad).toBe(0);
      expect(r.faults ?? 0).toBe(0);
      expect(r.heap_check_violations).toBe(0);
    }
    expect(one).toMatchObject({ threads: 1, ops: 104054, size_sum: 27449748, peak_live: 1082 });
    expect(three).toMatchObject({ threads: 3, iters: 25000, reps: 4 });
    for (const k of ['ops', 'mallocs', 'frees', 'size_sum'] as const) expect(three![k]).toBe(3 * (one![k] as number));
    expect(three!.peak_live).toBe(one!.peak_live);
    expect(three!.frees).toBe(three!.mallocs);
  });

  it('the teardown frees every copy\'s slot array (debug build)', async () => {
    const e = await createEngine('debug');
    try {
      const inUse = (): number => statsSnapshot(e)!.bytesInUse;
      const before = inUse();
      const got = await runWorkload(e, rm({ ops: '20000', threads: '4', verify: true }));
      expect(got.bad).toBe(0);
      expect(got.extra.peak_live).toBeGreaterThan(0);
      expect(heapCheck(e)).toBe(0);
      // 4 slot arrays of 2048 slots (16 KiB each): any one left behind shows here.
      expect(inUse()).toBe(before);
    } finally {
      await e.close();
    }
  });
});

describe('the C workloads\' random_mixed --threads (native)', () => {
  it('N pthreads, N times the checksums, threads in the record; --threads 0 is a usage error', async (ctx) => {
    const peer = await nativePeer(ctx);
    const run = (...args: string[]) => peer.spawn(['random_mixed', ...args]);
    const record = (...args: string[]) => peer.record(['random_mixed', ...args]);
    const one = record('--ops', '1e5', '--verify');
    const three = record('--ops', '1e5', '--threads', '3', '--verify');
    expect(one.threads).toBe(1);
    expect(three).toMatchObject({ threads: 3, iters: 100000, bad: 0 });
    for (const k of ['ops', 'mallocs', 'frees', 'size_sum']) expect(three[k]).toBe(3 * (one[k] as number));
    expect(three.peak_live).toBe(one.peak_live);
    const zero = run('--threads', '0');
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/--threads must be >= 1/);
  }, 120_000);
});
