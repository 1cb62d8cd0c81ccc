// Multi-worker stress over one shared heap: blocks cross threads through SPSC queues and
// are verified and freed by the receiver. After each run: no pattern failure, a clean heap
// check, cross-thread traffic visible in the allocator's own counters, every slab back in
// the pool, and later runs on the same heap reusing its memory.

import { describe, it, expect } from 'vitest';
import { Heap, WorkerPool, runStress, formatCheck, type BuildName } from '../../dist/host/index.js';

const TOTAL_OPS = 1_000_000;

/** Everything is freed and collected: no block in use, cached or pending, no slab held. */
function expectAllReturned(heap: Heap): void {
  const s = heap.stats();
  const busy = s.classes.filter((c) => c.inUse !== 0 || c.cached !== 0 || c.pending !== 0);
  expect(busy, 'classes with blocks left').toEqual([]);
  expect(s.smallSlabs).toBe(0);
  expect(s.largeRuns).toBe(0);
  expect(s.hugeSpans).toBe(0);
  expect(s.superslabs).toBe(0); // an empty SuperSlab goes back to the chunk pool
  expect(s.orphanSlabs).toBe(0);
}

describe.each<BuildName>(['release', 'debug'])('stress (%s build)', (build) => {
  it.each([2, 4])('%i workers, 10^6 operations, then two more runs on one heap', async (workers) => {
    const heap = await Heap.create({ build, maxPages: 2048 });
    const pool = await WorkerPool.create(heap, workers);
    try {
      const ops = Math.ceil(TOTAL_OPS / workers);
      const run = await runStress(pool, { ops, seed: 11 * workers, largeFraction: 0.001 });
      expect(run.totals.patternFailures, run.totals.failures.join('\n')).toBe(0);
      expect(run.totals.oom).toBe(0);
      expect(run.totals.ops).toBeGreaterThanOrEqual(TOTAL_OPS);
      expect(run.totals.mallocs).toBe(run.totals.frees); // every block was freed exactly once
      expect(run.totals.remoteFrees).toBeGreaterThan(0);
      expect(run.totals.largeAllocs).toBeGreaterThan(0);

      const report = heap.check();
      expect(report.violations, formatCheck(report)).toBe(0);
      const s = heap.stats();
      // The allocator's counters, not ours: frees really went through the remote path and
      // owners really drained them, and nothing is left waiting.
      expect(s.remoteFrees).toBeGreaterThan(0);
      expect(s.remotePushes).toBeGreaterThan(0);
      expect(s.drains).toBeGreaterThan(0);
      expect(s.drainedBlocks).toBe(s.remoteFrees);
      expect(s.faults).toBe(0);
      expectAllReturned(heap);

      // Reuse: two more runs on the same heap. The peak of a concurrent run depends on the
      // interleaving, so a later run may need a chunk or two more than the first, plus what the
      // workers' large caches may hold at its peak (each keeps up to LARGE_CACHE_UNITS 64 KiB
      // units of freed large runs; collect gives them back); it must not need anything like a
      // second heap. (Exact no-growth for a repeated deterministic mix is test/regression's
      // "steady churn causes no growth".)
      const pages = heap.memoryPages();
      for (const seed of [1000 + workers, 2000 + workers]) {
        const again = await runStress(pool, { ops, seed, largeFraction: 0.001 });
        expect(again.totals.patternFailures, again.totals.failures.join('\n')).toBe(0);
        const report2 = heap.check();
        expect(report2.violations, formatCheck(report2)).toBe(0);
        expectAllReturned(heap);
      }
      const cachePages = workers * heap.layout.LARGE_CACHE_UNITS * heap.layout.SLAB_SIZE / 65536;
      expect(heap.memoryPages() - pages, 'pages grown by two more runs').toBeLessThanOrEqual(2 * 16 + cachePages);
    } finally {
      await pool.close();
    }
  });
});
