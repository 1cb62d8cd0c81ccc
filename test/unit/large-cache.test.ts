// The large cache (assembly/large-cache.ts): a large run or huge span freed by a thread is
// kept for that thread's next request of the same size, with no pool lock on either side,
// also when another thread allocated it; the cache is bounded; it goes back to the pool at
// collect, park, detach and reclaim; a cached run is free (double free, usable size 0); the
// heap checker knows what a cache may hold.

import { describe, it, expect } from 'vitest';
import { BUILDS, FAULT, CHECK_CODE, createHeap } from '../helpers/instances.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe.each(BUILDS)('the large cache (%s build)', (build) => {
  it('runs of every size wait in one bin per size (the last bin holds the rest), last freed first', () => {
    const heap = createHeap({ build, threads: 1 });
    const A = heap.threads[0];
    const L = heap.L;
    const sizes = [40 * KiB, 100 * KiB, 40 * KiB, 700 * KiB, 900 * KiB, 2 * MiB]; // 1, 2, 1, 11, 15 slabs, 2 chunks
    const runs = sizes.map((n) => A.malloc(n));
    for (const p of runs) A.free(p);
    expect(heap.stats().largeCachedRuns).toBe(sizes.length);
    expect(heap.check().violations).toBe(0);
    expect(A.malloc(40 * KiB)).toBe(runs[2]);  // LIFO within a bin
    expect(A.malloc(50 * KiB)).toBe(runs[0]);
    expect(A.malloc(2 * MiB)).toBe(runs[5]);   // found in the last bin among other sizes
    expect(A.malloc(960 * KiB)).toBe(runs[4]);
    expect(A.malloc(700 * KiB)).toBe(runs[3]);
    expect(heap.stats().largeCachedRuns).toBe(1);
    const locks = heap.stats().poolLockTaken;
    expect(A.malloc(65 * KiB)).toBe(runs[1]); // 2 slabs
    expect(heap.stats().poolLockTaken).toBe(locks);
    expect(L.LARGE_CACHE_SLOTS).toBeGreaterThan(2);
    for (const p of runs) A.free(p);
    expect(heap.check().violations).toBe(0);
  });

  it('a thread\'s next request of the same size takes its freed run back without the pool lock', () => {
    const heap = createHeap({ build, threads: 1 });
    const A = heap.threads[0];
    const p = A.malloc(100 * KiB);       // a run of 2 slabs
    const h = A.malloc(2 * MiB + 5);     // a huge span of 3 chunks
    A.free(p);
    A.free(h);
    const before = heap.stats();
    expect(before.largeCachedRuns).toBe(2);
    expect(before.largeCached).toBe(2 + 3 * heap.L.SLABS_PER_SS);
    expect(A.malloc(70 * KiB)).toBe(p);  // also 2 slabs
    expect(A.malloc(3 * MiB)).toBe(h);   // also 3 chunks
    const after = heap.stats();
    expect(after.poolLockTaken).toBe(before.poolLockTaken);
    expect(after.largeCacheHits - before.largeCacheHits).toBe(2);
    expect(after.largeCachedRuns).toBe(0);
    expect(A.usableSize(p)).toBe(2 * heap.L.SLAB_SIZE);
    const q = A.malloc(300 * KiB);       // another size: from the pool
    expect(q).not.toBe(p);
    expect(heap.stats().poolLockTaken).toBeGreaterThan(after.poolLockTaken);
    for (const x of [p, h, q]) A.free(x);
    expect(heap.check().violations).toBe(0);
  });

  it('a run freed by another thread is kept by that thread, for its own next request', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const p = A.malloc(40 * KiB);
    const locks = heap.stats().poolLockTaken;
    B.free(p);                            // a cross-thread free: no lock
    expect(B.malloc(50 * KiB)).toBe(p);   // B's next run of one slab is that one
    expect(heap.stats().poolLockTaken).toBe(locks);
    A.free(p);
    expect(heap.check().violations).toBe(0);
  });

  it('is bounded: at most LARGE_CACHE_UNITS 64 KiB units; the rest goes to the pool', () => {
    const heap = createHeap({ build, threads: 1, maximumPages: 65536 });
    const A = heap.threads[0];
    const L = heap.L;
    const runs = Array.from({ length: L.LARGE_CACHE_UNITS + 4 }, () => A.malloc(40 * KiB)); // one slab each
    for (const p of runs) A.free(p);
    let s = heap.stats();
    expect(s.largeCachedRuns).toBe(L.LARGE_CACHE_UNITS);
    expect(s.largeCached).toBe(L.LARGE_CACHE_UNITS);
    expect(s.largeRuns).toBe(L.LARGE_CACHE_UNITS); // the other four went back to the pool
    expect(heap.check().violations).toBe(0);
    A.collect();
    const spans = [A.malloc(3 * MiB), A.malloc(3 * MiB)]; // 48 units each
    for (const p of spans) A.free(p);
    s = heap.stats();
    expect(s.largeCached).toBeLessThanOrEqual(L.LARGE_CACHE_UNITS);
    expect(heap.check().violations).toBe(0);
    A.collect();
    s = heap.stats();
    expect(s.largeCachedRuns).toBe(0);
    expect(s.largeRuns + s.hugeSpans).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('park, detach and a reclaim of a dead thread give the cached runs back', () => {
    const heap = createHeap({ build, threads: 3 });
    const [A, B, C] = heap.threads;
    for (const T of [A, B, C]) T.free(T.malloc(200 * KiB));
    expect(heap.stats().largeCachedRuns).toBe(3);
    A.park();
    expect(B.detach()).toBe(1);
    const dead = C.tid;                   // C "dies" holding a cached run
    expect(A.reclaim(dead)).toBe(1);
    const s = heap.stats();
    expect(s.largeCachedRuns).toBe(0);
    expect(s.largeRuns).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('a run handed out again does not carry the free tag it had in a cache (no false double free)', () => {
    const heap = createHeap({ build, threads: 1 });
    const A = heap.threads[0];
    const p = A.malloc(40 * KiB);
    A.free(p);
    A.collect();                          // to the pool, tag and all
    const q = A.malloc(40 * KiB);         // the same slab, from the pool
    expect(q).toBe(p);
    A.free(q);                            // not a double free
    expect(heap.faultsSince(0)).toEqual([]);
    A.free(q);                            // this one is
    expect(heap.faultsSince(0).map((f) => f.code)).toEqual([FAULT.double_free]);
  });

  it('the heap checker reports a slot that holds no cached run, and a cached run that lost its tag', () => {
    const heap = createHeap({ build, threads: 1 });
    const A = heap.threads[0];
    const L = heap.L;
    const p = A.malloc(40 * KiB);
    const live = A.malloc(40 * KiB);
    A.free(p);
    expect(heap.check().violations).toBe(0);
    const slots = heap.threadRecordAddr(A.tid) + L.TH_LARGE_CACHE_OFFSET;
    const slot = heap.u32(slots);
    expect(slot & L.LARGE_UNIT_MASK).toBe(1);
    expect(slot - (slot & L.LARGE_UNIT_MASK)).toBe(p);
    heap.setU32(p + 4, 0);                // written after free
    expect(heap.check().details.map((d) => d.code)).toContain(CHECK_CODE.free_tag);
    heap.setU32(slots + 4, live | 3);     // a run of 1 slab, listed as a run of 3
    expect(heap.check().details.map((d) => d.code)).toContain(CHECK_CODE.large_cache);
  });
});
