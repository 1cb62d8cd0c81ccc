// A worker that dies holding memory (terminated without detaching): the main thread
// reclaims its tid, the heap stays consistent, and its slabs are adopted by a new worker
// instead of the memory growing.

import { it, expect } from 'vitest';
import { Heap, WorkerPool, WorkerDiedError, formatCheck } from '../../dist/host/index.js';

it('a terminated worker is reclaimed and its slabs are reused', async () => {
  const heap = await Heap.create({ maxPages: 256 });
  const sizes = Array.from({ length: 3000 }, (_, i) => 48 + (i % 3) * 16); // three classes
  const a = await WorkerPool.create(heap, 1);
  const tidA = a.tids[0]!;
  const ptrsA = await a.request(0, 'mallocBatch', { sizes });
  expect(ptrsA.every((p) => p !== 0)).toBe(true);

  const death = await a.kill(0); // no detach: its caches, slabs and outbox are left as they were
  expect(death).toBeInstanceOf(WorkerDiedError);
  expect(death.tid).toBe(tidA);
  expect(heap.threads().find((t) => t.tid === tidA)?.stateName).toBe('active');
  expect(a.reclaimDead()).toEqual([tidA]);

  let s = heap.stats();
  expect(s.reclaims).toBe(1);
  expect(s.orphanSlabs).toBeGreaterThan(0); // slabs with live blocks wait for an adopter
  expect(heap.threads().map((t) => t.tid)).toEqual([heap.tid]);
  let report = heap.check();
  expect(report.violations, formatCheck(report)).toBe(0);
  const pages = heap.memoryPages();

  const b = await WorkerPool.create(heap, 1);
  try {
    const ptrsB = await b.request(0, 'mallocBatch', { sizes });
    s = heap.stats();
    expect(s.adoptions).toBeGreaterThan(0);
    expect(heap.memoryPages()).toBe(pages);
    const adopted = heap.map().chunks.flatMap((c) => (c.kind === 'superslab' ? c.slabs : []))
      .filter((sl) => sl.owner === b.tids[0]);
    expect(adopted.length).toBeGreaterThan(0);

    // Everyone's blocks come back: the dead worker's from the main thread (remote frees).
    for (const p of ptrsA) heap.free(p);
    heap.collect();
    await b.request(0, 'freeBatch', { ptrs: ptrsB });
    await b.request(0, 'collect', {});
    heap.collect();
    report = heap.check();
    expect(report.violations, formatCheck(report)).toBe(0);
    s = heap.stats();
    expect(s.classes.every((c) => c.inUse === 0)).toBe(true);
    expect(s.smallSlabs).toBe(0);
    expect(heap.memoryPages()).toBe(pages);
  } finally {
    await b.close();
  }
});

it('a worker whose thread rests and then dies is reclaimed too: nothing stays with the dormant record', async () => {
  const heap = await Heap.create({ maxPages: 256 });
  const sizes = Array.from({ length: 2000 }, (_, i) => 64 + (i % 4) * 32);
  const a = await WorkerPool.create(heap, 1);
  const tidA = a.tids[0]!;
  const ptrs = await a.request(0, 'mallocBatch', { sizes });
  await a.request(0, 'freeBatch', { ptrs: ptrs.slice(0, 1000) }); // some cached, some on its slabs
  // The thread ends, the worker stays: the next attach on this worker resumes the same tid.
  expect(await a.request(0, 'rest', {})).toBe(1);
  expect(heap.threads().find((t) => t.tid === tidA)?.stateName).toBe('dormant');
  expect(heap.stats().dormant).toBe(1);
  expect(await a.request(0, 'attach', {})).toBe(tidA);
  expect(heap.stats().resumes).toBe(1);
  expect(await a.request(0, 'rest', {})).toBe(1);

  await a.kill(0); // dies while its thread rests
  expect(a.reclaimDead()).toEqual([tidA]);
  const s = heap.stats();
  expect(s.dormant).toBe(0);
  expect(s.reclaims).toBe(1);
  expect(heap.threads().map((t) => t.tid)).toEqual([heap.tid]);
  for (const p of ptrs.slice(1000)) heap.free(p);
  heap.collect();
  const report = heap.check();
  expect(report.violations, formatCheck(report)).toBe(0);
  const after = heap.stats();
  expect(after.classes.every((c) => c.inUse === 0 && c.cached === 0)).toBe(true);
  expect(after.smallSlabs).toBe(0);
});
