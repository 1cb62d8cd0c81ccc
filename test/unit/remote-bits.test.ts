// Remote frees as bits: a slab of REMOTE_BITS_MIN_STRIDE (2 KiB) blocks and up takes a free by
// another thread as one bit of its remote head (one CAS per free, no outbox), and its owner's
// drain links the blocks the bits name onto its free list (remote.ts, slab.ts). Smaller blocks
// keep the outbox and the chain. The checker counts waiting bits as remote blocks, and a bit
// already set refuses a second free even when the block's free tag was overwritten.
import { describe, it, expect } from 'vitest';
import { decodeSlabCounts } from '../../dist/host/abi/decode.js';
import { BUILDS, CHECK_CODE, FAULT, createHeap, type Heap } from '../helpers/instances.js';

/** The remote head word's low half of the slab holding `p`. */
function remoteLow(heap: Heap, p: number): number {
  const s = heap.slab(p);
  return heap.u32(s.ss + heap.L.SS_REMOTE_OFFSET! + s.k * heap.L.REMOTE_STRIDE!);
}

/** A's blocks of `size` filling one slab of their class (the first slab taken). */
function oneSlab(heap: Heap, A: { malloc(n: number): number }, size: number): number[] {
  const first = A.malloc(size);
  const out = [first];
  while (out.length < heap.slab(first).capacity) out.push(A.malloc(size));
  expect(new Set(out.map((p) => heap.slab(p).meta)).size).toBe(1);
  return out;
}

describe.each(BUILDS)('remote frees as bits (%s build)', (build) => {
  it('the threshold is a layout constant, and a slab of it holds at most 32 blocks', () => {
    const heap = createHeap({ build, threads: 1 });
    const min = heap.L.REMOTE_BITS_MIN_STRIDE!;
    expect(min).toBe(heap.L.SLAB_SIZE! / 32);
    const [A] = heap.threads;
    const p = A!.malloc(min);
    expect(heap.slab(p).stride).toBe(min);
    expect(heap.slab(p).capacity).toBeLessThanOrEqual(32);
  });

  it('each free by another thread sets its block\'s bit with one push; the owner drains them all', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const size = 4096;
    const blocks = oneSlab(heap, A!, size);
    const freed = blocks.filter((_, i) => i % 3 !== 1);
    const before = heap.stats();
    for (const p of freed) B!.free(p);
    const after = heap.stats();
    expect(after.remoteFrees - before.remoteFrees).toBe(freed.length);
    expect(after.remotePushes - before.remotePushes).toBe(freed.length); // no outbox: one push each
    let want = 0;
    for (const p of freed) want |= 1 << blocks.indexOf(p);
    expect(remoteLow(heap, blocks[0]!) >>> 0).toBe(want >>> 0);
    const s = heap.slab(blocks[0]!);
    expect(decodeSlabCounts(heap.mv, s.base, s.cls, s.capacity).remote).toBe(freed.length);
    expect(heap.check().violations).toBe(0);           // the checker tallies the bits as remote

    A!.collect();                                     // the owner drains its slabs
    expect(remoteLow(heap, blocks[0]!)).toBe(0);
    const drained = heap.stats();
    expect(drained.drainedBlocks - after.drainedBlocks).toBe(freed.length);
    expect(heap.check().violations).toBe(0);
    const again = new Set(Array.from({ length: freed.length }, () => A!.malloc(size)));
    for (const p of freed) expect(again.has(p)).toBe(true); // the freed blocks come back to A
    for (const p of again) A!.free(p);
    for (const p of blocks) if (!freed.includes(p)) A!.free(p);
    expect(heap.stats().classes[A!.classOf(size)]!.inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('smaller blocks keep the outbox: their frees are pushed as one chain', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const blocks = oneSlab(heap, A!, heap.L.REMOTE_BITS_MIN_STRIDE! / 2).slice(0, 8);
    const before = heap.stats();
    for (const p of blocks) B!.free(p);
    B!.collect();                                     // flushes the outbox
    const after = heap.stats();
    expect(after.remoteFrees - before.remoteFrees).toBe(blocks.length);
    expect(after.remotePushes - before.remotePushes).toBe(1);
    expect(remoteLow(heap, blocks[0]!)).toBe(blocks[blocks.length - 1]); // the chain's top block
    expect(heap.check().violations).toBe(0);
  });

  it('a second remote free of a block whose free tag was overwritten is refused by its bit', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const blocks = oneSlab(heap, A!, 8192);
    const p = blocks[1]!;
    B!.free(p);
    heap.setU32(p + 4, 0);                            // a write after free erases the tag
    const waiting = heap.check();                     // which the checker names
    expect(waiting.details.map((d) => [d.code, d.addr])).toEqual([[CHECK_CODE.free_tag, p]]);
    const seq = heap.faultSeq();
    B!.free(p);
    const faults = heap.faultsSince(seq);
    expect(faults.map((f) => [f.code, f.ptr])).toEqual([[FAULT.double_free, p]]);
    expect(remoteLow(heap, p) >>> 0).toBe(2);         // still the one bit
    A!.collect();                                     // p drained once: on the free list once
    const again: number[] = [];
    while (!again.includes(p) && again.length < 64) again.push(A!.malloc(8192));
    expect(again).toContain(p);                       // handed out again, and only once
    expect(new Set(again).size).toBe(again.length);
    for (const q of [...again, ...blocks.filter((q) => q !== p)]) A!.free(q);
    expect(heap.stats().classes[A!.classOf(8192)]!.inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});
