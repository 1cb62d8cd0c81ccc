// Group adoption: the slabs one retire or park hands back form a group (SlabMeta.groupNext),
// (a circle through SlabMeta.groupNext), and the thread that frees into one of them adopts it
// and the orphans round the group from it under one hold of the pool lock. The group is a hint: a member another thread adopted
// meanwhile ends the walk, and whatever is left is adopted one free at a time as before.
import { describe, it, expect } from 'vitest';
import { BUILDS, createHeap } from '../helpers/instances.js';

/** Blocks of `size` bytes enough to fill `slabs` slabs of its class (plus one more block). */
function fill(A: { malloc(n: number): number }, heap: { slab(p: number): { capacity: number } }, size: number, slabs: number): number[] {
  const first = A.malloc(size);
  const per = heap.slab(first).capacity;
  return [first, ...Array.from({ length: per * slabs }, () => A.malloc(size))];
}

describe.each(BUILDS)('group adoption (%s build)', (build) => {
  it.each(['1000-byte', '96-byte'])('one free into any slab a park handed back (%s) adopts every slab of the park, under one lock hold', (hit) => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const small = fill(A, heap, 96, 3);           // slabs of the 96-byte class
    const big = [A.malloc(1000), A.malloc(1000)]; // one slab of a higher class: handed back last
    const n = new Set([...small, ...big].map((p) => heap.slab(p).meta)).size;
    expect(n).toBeGreaterThanOrEqual(4);
    const before = heap.stats();
    A.park();
    const parked = heap.stats();
    expect(parked.orphaned - before.orphaned).toBe(n);
    expect(parked.poolLockTaken - before.poolLockTaken).toBe(1); // every hand-back in one hold
    for (const p of [...small, ...big]) expect(heap.slab(p).owner).toBe(0);

    const first = hit === '1000-byte' ? big[0]! : small[0]!;
    B.free(first);
    const after = heap.stats();
    expect(after.adoptions - parked.adoptions).toBe(n);
    expect(after.poolLockTaken - parked.poolLockTaken).toBe(1);
    for (const p of [...small, ...big]) expect(heap.slab(p).owner).toBe(B.tid);
    for (const p of [...small, ...big]) if (p !== first) B.free(p);
    const done = heap.stats();
    expect(done.remoteFrees - before.remoteFrees).toBe(0); // every free local: B owns the slabs
    expect(done.adoptions - after.adoptions).toBe(0);
    expect(done.classes[A.classOf(96)].inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('a member another thread adopted ends the walk; the rest is adopted free by free; nothing is lost', () => {
    const heap = createHeap({ build, threads: 3 });
    const [A, B, C] = heap.threads;
    const small = fill(A, heap, 96, 3);
    for (let i = 1; i < small.length; i += 7) A.free(small[i]!); // room in every 96-byte slab
    const kept = small.filter((_, i) => i % 7 !== 1);
    const big = [A.malloc(1000), A.malloc(1000)];
    A.park();
    const q = C.malloc(96);                       // C's refill adopts an orphan of the class
    const taken = heap.slab(q).meta;
    expect(heap.slab(q).owner).toBe(C.tid);
    expect(kept.some((p) => heap.slab(p).meta === taken)).toBe(true);

    // C took the 96-byte orphan pushed last, the one after the 1000-byte slab in the group:
    // B's free adopts the group's head and the walk ends at C's slab.
    B.free(big[0]!);
    expect(heap.slab(big[1]!).owner).toBe(B.tid);
    for (const p of kept) expect(heap.slab(p).owner).toBe(heap.slab(p).meta === taken ? C.tid : 0);

    for (const p of [...kept, big[1]!]) B.free(p);   // into C's slab: remote; into orphans: adopted
    C.free(q);
    C.collect();
    B.collect();
    expect(heap.stats().classes[A.classOf(96)].inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});
