// Configuration matrix: cache off / small / default x batch refill on / off x 1..4 workers x
// both builds, each a short stress run followed by a heap check.

import { describe, it, expect } from 'vitest';
import { Heap, WorkerPool, runStress, formatCheck, type BuildName,
         type HeapConfig } from '../../dist/host/index.js';

const OPS_TOTAL = 100_000;

const caches: HeapConfig['cache'][] = ['off', 'small', 'default'];
const builds: BuildName[] = ['release', 'debug'];

describe.each(builds)('matrix (%s build)', (build) => {
  for (const cache of caches) {
    for (const batchRefill of [true, false]) {
      it(`cache ${cache}, batch refill ${batchRefill ? 'on' : 'off'}, 1..4 workers`, async () => {
        for (let workers = 1; workers <= 4; workers++) {
          const heap = await Heap.create({ build, maxPages: 1024, config: { cache, batchRefill } });
          const pool = await WorkerPool.create(heap, workers);
          try {
            const run = await runStress(pool, {
              ops: Math.ceil(OPS_TOTAL / workers), seed: workers, maxLive: 256, largeFraction: 0.001,
            });
            const what = `${workers} workers`;
            expect(run.totals.patternFailures, `${what}: ${run.totals.failures.join('\n')}`).toBe(0);
            expect(run.totals.mallocs, what).toBe(run.totals.frees);
            const report = heap.check();
            expect(report.violations, `${what}: ${formatCheck(report)}`).toBe(0);
            const s = heap.stats();
            expect(s.cacheMode, what).toBe(caches.indexOf(cache));
            expect(s.faults, what).toBe(0);
            expect(s.classes.every((c) => c.inUse === 0), what).toBe(true);
            if (workers > 1) expect(s.remoteFrees, what).toBeGreaterThan(0);
          } finally {
            await pool.close();
          }
        }
      });
    }
  }
});
