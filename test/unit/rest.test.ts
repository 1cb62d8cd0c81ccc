// rest: a thread ends on an instance that stays. Its record goes dormant with its tid, caches
// and slabs; the instance's next attach resumes it (same tid, nothing handed back, nothing
// adopted again). Whoever needs what a dormant record holds retires it as a dead thread's:
// an attach that finds no free slot, a thread out of memory, collect, the host's reclaim.
// Then the resume fails and the instance attaches afresh. Nothing is stranded or lost.
import { describe, it, expect } from 'vitest';
import { BUILDS, createHeap, FAULT, mallocUntilFull, twoChunkPages } from '../helpers/instances.js';

describe.each(BUILDS)('rest and resume (%s build)', (build) => {
  it('rest keeps caches and slabs; the next attach resumes the same tid and its frees stay local', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const cls = A.classOf(200);
    const blocks = Array.from({ length: 300 }, () => A.malloc(200)); // a few slabs of the class
    const freed = blocks.splice(0, 20);
    for (const p of freed) A.free(p);                                 // into A's cache
    const tid = A.tid;
    const slabs = new Set(blocks.map((p) => heap.slab(p).meta));
    const before = heap.stats();
    expect(before.classes[cls]!.cached).toBeGreaterThanOrEqual(20);

    expect(A.rest()).toBe(1);
    expect(A.tid).toBe(0);
    expect(A.rest()).toBe(0);                                         // not attached any more
    const rested = heap.stats();
    expect(rested.threads).toBe(before.threads - 1);
    expect(rested.dormant).toBe(1);
    expect(rested.rests - before.rests).toBe(1);
    expect(rested.poolLockTaken).toBe(before.poolLockTaken);          // nothing handed back
    expect(rested.orphaned).toBe(before.orphaned);
    expect(rested.classes[cls]!.cached).toBe(before.classes[cls]!.cached); // the cache is kept
    for (const p of blocks) expect(heap.slab(p).owner).toBe(tid);
    expect(heap.check().violations).toBe(0);

    B.free(blocks.pop()!);                                            // into a dormant thread's slab: remote
    expect(heap.stats().remoteFrees - before.remoteFrees).toBe(1);

    expect(A.attach()).toBe(tid);                                     // resumed
    const resumed = heap.stats();
    expect(resumed.dormant).toBe(0);
    expect(resumed.resumes - before.resumes).toBe(1);
    expect(resumed.adoptions).toBe(before.adoptions);
    expect(A.malloc(200)).toBe(freed[freed.length - 1]);              // the cache as it was (LIFO)
    for (const p of blocks) A.free(p);                                // every free local again
    expect(heap.stats().remoteFrees - before.remoteFrees).toBe(1);
    for (const p of blocks) expect(slabs.has(heap.slab(p).meta)).toBe(true);
    A.free(freed[freed.length - 1]!);
    A.collect();                                                      // drains B's remote free too
    expect(heap.stats().classes[cls]!.inUse).toBe(0);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('the host\'s reclaim of a dormant tid retires it; the instance then attaches afresh', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const live = Array.from({ length: 50 }, () => A.malloc(64));
    A.free(A.malloc(64));
    const tid = A.tid;
    expect(A.rest()).toBe(1);
    const before = heap.stats();
    expect(B.reclaim(tid)).toBe(1);
    expect(B.reclaim(tid)).toBe(0);                                   // once
    const after = heap.stats();
    expect(after.dormant).toBe(0);
    expect(after.reclaims - before.reclaims).toBe(1);
    expect(heap.slab(live[0]!).owner).toBe(0);                        // its slabs are orphans now
    const fresh = A.attach();
    expect(fresh).not.toBe(0);
    expect(fresh).not.toBe(tid);
    expect(heap.stats().resumes).toBe(before.resumes);
    for (const p of live) B.free(p);                                  // adopted and freed: nothing lost
    B.collect();
    expect(heap.stats().classes[A.classOf(64)]!.inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('collect retires every dormant record: once all is freed, every slab is back in the pool', () => {
    const heap = createHeap({ build, threads: 3 });
    const [A, B, C] = heap.threads;
    const a = Array.from({ length: 100 }, (_, i) => A.malloc(16 + 8 * (i % 40)));
    const b = Array.from({ length: 100 }, (_, i) => B.malloc(700 + 10 * i));
    for (const p of a) A.free(p);
    for (const p of b) C.free(p);                                     // remote frees into B's slabs
    expect(A.rest()).toBe(1);
    expect(B.rest()).toBe(1);
    expect(heap.stats().dormant).toBe(2);
    expect(heap.stats().smallSlabs).toBeGreaterThan(0);
    C.collect();
    const st = heap.stats();
    expect(st.dormant).toBe(0);
    expect(st.dormantRetired).toBe(2);
    expect(st.smallSlabs).toBe(0);
    expect(st.classes.every((c) => c.inUse === 0 && c.cached === 0)).toBe(true);
    expect(A.attach()).not.toBe(0);                                   // afresh: its record was retired
    expect(heap.stats().resumes).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('an attach that finds every slot taken retires a dormant record and takes its slot', () => {
    const heap = createHeap({ build, threads: 1 });
    const A = heap.threads[0]!;
    const limit = heap.L.MAX_THREADS - 1;
    const live = Array.from({ length: 40 }, () => A.malloc(48));
    const tid = A.tid;
    for (let i = 1; i < limit; i++) heap.addThread();
    expect(A.rest()).toBe(1);
    const X = heap.addThread(false);
    const x = X.attach();
    expect(x).not.toBe(0);
    expect(x & (heap.L.MAX_THREADS - 1)).toBe(tid & (heap.L.MAX_THREADS - 1)); // A's slot
    expect(heap.stats().dormantRetired).toBe(1);
    expect(A.attach()).toBe(0);                                       // no resume, no free slot
    expect(heap.faultsSince(0).map((f) => f.code)).toEqual([FAULT.thread_limit]);
    for (const p of live) X.free(p);                                  // A's blocks: X adopts the orphans
    expect(heap.stats().classes[A.classOf(48)]!.inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('out of memory, a thread retires dormant records before it asks for relief, and gets their memory', () => {
    // The scenario of oom.test.ts's "not lost for another thread", with a rest for the collect.
    const heap = createHeap({ build, maximumPages: twoChunkPages(build), threads: 2 });
    const [A, B] = heap.threads;
    const live = mallocUntilFull(A, 4000);
    expect(live.length).toBeGreaterThan(400);
    for (const p of live) A.free(p);                                  // into A's cache and slabs
    expect(A.rest()).toBe(1);                                         // and A keeps them, dormant
    expect(mallocUntilFull(B, 4000).length).toBe(live.length);        // B got all of it
    const st = heap.stats();
    expect(st.dormant).toBe(0);
    expect(st.dormantRetired).toBe(1);
    expect(heap.check().violations).toBe(0);
  });

  it('a free of a block cached in a dormant record is a double free, caught and refused', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const p = A.malloc(128);
    const q = A.malloc(128);
    A.free(p);
    expect(A.rest()).toBe(1);
    const before = heap.stats();
    B.free(p);
    const f = heap.faultsSince(0);
    expect(f.map((x) => x.code)).toEqual([FAULT.double_free]);
    expect(f[0]!.ptr).toBe(p);
    expect(heap.stats().classes[A.classOf(128)]!.cached).toBe(before.classes[A.classOf(128)]!.cached);
    expect(heap.check().violations).toBe(0);
    A.attach();
    expect(A.malloc(128)).toBe(p);                                    // still cached once
    A.free(p); A.free(q);
    expect(heap.check().violations).toBe(0);
  });
});
