// Regression: V8 bounds-checks wasm atomic accesses against a per-thread cached memory size
// that another thread's memory.grow updates only later (plain accesses see the new pages at
// once). Workers that grow the memory concurrently used to trap about half the time on the
// first atomic in a chunk another worker had just added (slabFormat's owner store). The
// allocator now resynchronises (memory.grow(0)) on every slow path when the heap grew.

import { it, expect } from 'vitest';
import { Heap, WorkerPool, runStress } from '../../dist/host/index.js';

it('workers growing memory concurrently do not trap', async () => {
  for (let attempt = 0; attempt < 4; attempt++) {
    const heap = await Heap.create({ build: 'release' }); // no reserve: workers grow the memory
    const pool = await WorkerPool.create(heap, 4);
    try {
      const run = await runStress(pool, { ops: 250_000, seed: attempt + 1 });
      expect(run.totals.patternFailures).toBe(0);
    } finally {
      await pool.terminate();
    }
  }
});
