// Hand-back in one lock hold: a retiring or parked thread drains every slab it owns, then
// releases the empty ones and orphans the others under one hold of the pool lock
// (heapHandBackEvery). Adoption stays per slab: a free into one orphan adopts that slab only
// (a whole hand-back adopted on one free gave the set-up thread's slabs, which hold every
// worker's blocks, to whichever worker freed first: ARCHITECTURE section 4).
import { describe, it, expect } from 'vitest';
import { BUILDS, createHeap } from '../helpers/instances.js';

/** Blocks of `size` bytes enough to fill `slabs` slabs of its class (plus one more block). */
function fill(A: { malloc(n: number): number }, heap: { slab(p: number): { capacity: number } }, size: number, slabs: number): number[] {
  const first = A.malloc(size);
  const per = heap.slab(first).capacity;
  return [first, ...Array.from({ length: per * slabs }, () => A.malloc(size))];
}

describe.each(BUILDS)('hand-back (%s build)', (build) => {
  it('a park releases and orphans every slab in one hold of the pool lock; a free adopts one slab', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const small = fill(A, heap, 96, 3);
    const big = [A.malloc(1000), A.malloc(1000)];
    const empty = A.malloc(4000);                 // a slab of its own, empty at the park
    A.free(empty);
    const blocks = [...small, ...big];
    const n = new Set(blocks.map((p) => heap.slab(p).meta)).size;
    expect(n).toBeGreaterThanOrEqual(4);
    const before = heap.stats();
    A.park();
    const parked = heap.stats();
    expect(parked.orphaned - before.orphaned).toBe(n);
    expect(parked.poolLockTaken - before.poolLockTaken).toBe(1);
    expect(heap.slab(empty).state).toBe(0);       // released: SLAB_FREE
    for (const p of blocks) expect(heap.slab(p).owner).toBe(0);

    B.free(big[0]!);                              // adopts the 1000-byte slab, and only it
    const after = heap.stats();
    expect(after.adoptions - parked.adoptions).toBe(1);
    expect(heap.slab(big[1]!).owner).toBe(B.tid);
    for (const p of small) expect(heap.slab(p).owner).toBe(0);
    for (const p of blocks.slice(0, -2)) B.free(p);
    B.free(big[1]!);
    const done = heap.stats();
    expect(done.adoptions - parked.adoptions).toBe(n);
    expect(done.remoteFrees - before.remoteFrees).toBe(0); // every free local: B adopted first
    expect(done.classes[A.classOf(96)].inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('a detach hands back in one hold too, and a new thread freeing the blocks reuses the slabs', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const blocks = fill(A, heap, 200, 2);
    const slabs = new Set(blocks.map((p) => heap.slab(p).meta));
    const before = heap.stats();
    expect(A.detach()).toBe(1);
    expect(heap.stats().poolLockTaken - before.poolLockTaken).toBe(1);
    for (const p of blocks) B.free(p);
    const q = B.malloc(200);
    expect(slabs.has(heap.slab(q).meta)).toBe(true);
    B.free(q);
    expect(heap.stats().remoteFrees - before.remoteFrees).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});
