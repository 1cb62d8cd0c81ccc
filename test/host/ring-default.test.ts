// The debug build records every alloc and free in the ring by default; the release build
// records slow-path events only (and can be switched off at run time).
import { it, expect } from 'vitest';
import { Heap } from '../../dist/host/index.js';

it('a debug heap records fast-path allocs and frees by default', async () => {
  const heap = await Heap.create({ build: 'debug' });
  const ps = Array.from({ length: 10 }, () => heap.malloc(40));
  for (const p of ps) heap.free(p);
  const kinds = heap.ring(64).map((e) => e.kindName);
  expect(kinds.filter((k) => k === 'alloc').length).toBe(10);
  expect(kinds.filter((k) => k === 'free').length).toBe(10);
});

it('a release heap records slow-path events only, and the ring can be switched off', async () => {
  const heap = await Heap.create({ build: 'release' });
  const p = heap.malloc(40);
  heap.free(p);
  const kinds = heap.ring(64).map((e) => e.kindName);
  expect(kinds).toContain('refill');
  expect(kinds).not.toContain('alloc');
  expect(heap.setRingMode('off')).toBe('slow');
  const before = heap.ring(1)[0]?.seq ?? 0;
  for (let i = 0; i < 1000; i++) heap.free(heap.malloc(64 + (i % 200)));
  expect(heap.ring(1)[0]?.seq ?? 0).toBe(before);
});
