// Out of memory: malloc returns 0 (never traps), the heap stays consistent, and memory given
// back is reused: by the same class, another class, a large run and a huge span.
import { describe, it, expect } from 'vitest';
import { BUILDS, createHeap, mallocUntilFull, twoChunkPages } from '../helpers/instances.js';
import { GlobalHeader } from '../../dist/host/abi/abi.generated.js';

describe.each(BUILDS)('out of memory (%s build)', (build) => {
  it('a heap of two 1 MiB chunks returns 0 when full, stays consistent, and recovers after frees', () => {
    const pages = twoChunkPages(build);
    const heap = createHeap({ build, maximumPages: pages });
    const A = heap.threads[0];
    const live = mallocUntilFull(A, 1000, 10000);
    expect(live.length).toBeGreaterThan(1000); // ~2 MiB / 1024 B, minus headers
    expect(heap.memory.buffer.byteLength).toBe(pages * 65536);
    let st = heap.stats();
    expect(st.oom).toBeGreaterThan(0);
    expect(heap.counters(A.tid).oom).toBeGreaterThan(0);
    expect(heap.check().violations).toBe(0);
    // every other kind of request fails too, without trapping
    expect(A.malloc(16)).toBe(0);
    expect(A.malloc(200 * 1024)).toBe(0);
    expect(A.malloc(1.5 * 1024 * 1024)).toBe(0);
    expect(A.calloc(10, 10)).toBe(0);
    expect(heap.check().violations).toBe(0);

    for (const p of live) A.free(p);
    expect(heap.faultSeq()).toBe(0);
    // same class, another class, and a large run, without any explicit collect
    const again = A.malloc(1000);
    expect(again).not.toBe(0);
    const other = A.malloc(100);
    expect(other).not.toBe(0);
    const large = A.malloc(200 * 1024);
    expect(large).not.toBe(0);
    expect(A.usableSize(large)).toBeGreaterThanOrEqual(200 * 1024);
    heap.fill(large, 200 * 1024, 0x5a);
    A.free(again); A.free(other); A.free(large);
    // a 1.5 MiB huge span needs both chunks: a failing large request first gives back what
    // this thread holds (caches, empty slabs), so it succeeds without an explicit collect
    const huge = A.malloc(1.5 * 1024 * 1024);
    expect(huge).not.toBe(0);
    expect(huge % (1024 * 1024)).toBe(0);
    A.free(huge);
    // and the whole heap can be filled again with the same number of blocks
    const refill = mallocUntilFull(A, 1000, 10000);
    expect(refill.length).toBe(live.length);
    for (const p of refill) A.free(p);
    A.collect();
    st = heap.stats();
    expect(st.smallSlabs).toBe(0);
    expect(st.classes.every((c) => c.inUse === 0)).toBe(true);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('blocks held by one thread are not lost for another thread when memory is full', () => {
    const heap = createHeap({ build, maximumPages: twoChunkPages(build), threads: 2 });
    const [A, B] = heap.threads;
    const live = mallocUntilFull(A, 4000);
    expect(live.length).toBeGreaterThan(400); // two 1 MiB chunks of 4 KiB blocks, minus headers
    for (const p of live) A.free(p);   // back into A's caches and slabs
    A.collect();                       // A gives back everything it holds
    expect(mallocUntilFull(B, 4000).length).toBe(live.length);
    expect(heap.check().violations).toBe(0);
  });

  it('out of memory, a thread asks the others for relief: they give back at their next slow path', () => {
    const heap = createHeap({ build, maximumPages: twoChunkPages(build), threads: 2 });
    const [A, B] = heap.threads;
    // A takes a slab for each size class, one block each, until memory is full, then frees the
    // blocks: each slab stays A's current slab for its class (empty, but A's), each block in
    // A's cache. Memory is full of A's empty slabs.
    const held: number[] = [];
    const sizes: number[] = [];
    for (let c = 0; c < heap.L.NUM_CLASSES; c++) sizes.push(A.classSize(c));
    const last = sizes.pop()!; // B's class: one A never used
    for (const size of sizes) {
      const p = A.malloc(size);
      if (p === 0) break;
      held.push(p);
    }
    expect(A.malloc(last)).toBe(0); // full
    for (const p of held) A.free(p);
    const epoch = (): number => heap.u32(heap.L.HEADER_BASE + GlobalHeader.off.reliefEpoch);
    const before = epoch();
    // B is out of memory: it gives back what it holds (nothing), asks for relief, polls (A,
    // on this same JavaScript thread, cannot answer meanwhile), retries, and returns 0.
    expect(B.malloc(last)).toBe(0);
    expect(epoch()).toBe(before + 1);
    // A's next slow path answers: its cached blocks and empty slabs go back to the pool.
    A.free(A.malloc(sizes[0]!)); // a cache hit: the fast path, no answer yet
    expect(B.malloc(last)).toBe(0);
    const a = A.malloc(last);    // a slow path (nothing cached for that class): A answers first,
    expect(a).not.toBe(0);       // then takes one slab back for itself
    const got = mallocUntilFull(B, last);
    expect(got.length).toBeGreaterThan(10); // the slabs A held are B's to take now
    for (const p of got) B.free(p);
    A.free(a);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('calloc overflow, huge and impossible requests return 0 and the heap recovers', () => {
    const heap = createHeap({ build, maximumPages: twoChunkPages(build) });
    const A = heap.threads[0];
    const p = A.malloc(64);
    expect(A.calloc(0x10000, 0x10001)).toBe(0);     // n * size > 2^32
    expect(A.calloc(0x80000000, 2)).toBe(0);        // exactly 2^32
    expect(A.calloc(0xffffffff, 0xffffffff)).toBe(0);
    expect(A.malloc(3 * 1024 ** 3)).toBe(0);        // 3 GiB
    expect(A.malloc(0xffffffff)).toBe(0);
    expect(A.realloc(p, 3 * 1024 ** 3)).toBe(0);    // fails, p untouched
    expect(A.usableSize(p)).toBeGreaterThanOrEqual(64);
    expect(A.alignedAlloc(1 << 20, 3 * 1024 ** 3)).toBe(0);
    expect(heap.stats().oom).toBeGreaterThan(0);
    expect(heap.check().violations).toBe(0);
    const q = A.malloc(500 * 1024);
    expect(q).not.toBe(0);
    A.free(q);
    A.free(p);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});
