// Thread identities and one-time set-up: init runs once, attach/detach/reclaim semantics,
// tids are never reused, the thread table's limit, and what happens before init.
import { describe, it, expect } from 'vitest';
import { BUILDS, FAULT, createHeap } from '../helpers/instances.js';

describe.each(BUILDS)('init and thread identities (%s build)', (build) => {
  it('init runs once: 1 for the first call, 0 afterwards from any instance; the first configuration stays', () => {
    const heap = createHeap({ build, init: false, threads: 2, attach: false, cacheMode: 1 });
    const [A, B] = heap.threads;
    expect(A.raw.init(1, 0, 7, 0, 1)).toBe(1);
    expect(A.raw.init(2, 1, 16, 1, 2)).toBe(0);
    expect(B.raw.init(0, 1, 1, 1, 0)).toBe(0);
    const st = heap.stats();
    expect(st.cacheMode).toBe(1);
    expect(st.remoteBatch).toBe(7);
    expect(st.debugBuild).toBe(build === 'debug' ? 1 : 0);
    expect(B.attach()).not.toBe(0);
    expect(heap.cacheEntry(B.tid, B.classOf(64)).cap).toBe(4); // cacheMode 1: 4 blocks
  });

  it('malloc before any init initialises the heap with the defaults', () => {
    const heap = createHeap({ build, init: false, threads: 1, attach: false });
    const A = heap.threads[0];
    const p = A.malloc(1000);
    expect(p).not.toBe(0);
    expect(A.usableSize(p)).toBeGreaterThanOrEqual(1000);
    expect(A.tid).not.toBe(0);
    expect(heap.stats().cacheMode).toBe(2);
    A.free(p);
    expect(heap.check().violations).toBe(0);
  });

  // Regression: aligned_alloc looked up the class before the heap (and its class map) was
  // initialised, and returned a block too small.
  it('aligned_alloc before any init returns a block of at least the requested size', () => {
    const heap = createHeap({ build, init: false, threads: 1, attach: false });
    const A = heap.threads[0];
    const p = A.alignedAlloc(64, 1000);
    expect(p % 64).toBe(0);
    expect(A.usableSize(p)).toBeGreaterThanOrEqual(1000);
  });

  it('attach gives fresh tids; detach and reclaim retire them once; tids are never reused', () => {
    const heap = createHeap({ build, threads: 3, attach: false });
    const [A, B, C] = heap.threads;
    expect(A.tid).toBe(0);
    const a = A.attach();
    expect(a).not.toBe(0);
    expect(A.attach()).toBe(a); // already attached: same identity
    const b = B.attach();
    expect(b).not.toBe(a);
    expect(A.threadCount()).toBe(2);
    expect(A.detach()).toBe(1);
    expect(A.detach()).toBe(0);
    expect(A.tid).toBe(0);
    expect(B.reclaim(a)).toBe(0);   // no longer live
    expect(B.reclaim(0)).toBe(0);
    const seen = new Set([a, b]);
    for (let i = 0; i < 20; i++) {
      // odd rounds: A attaches and detaches itself; even rounds: a new instance attaches and
      // "dies", and C (never attached) reclaims it
      const T = i % 2 ? A : heap.addThread(false);
      const t = T.attach();
      expect(seen.has(t)).toBe(false);
      seen.add(t);
      expect(heap.threadState(t)).toEqual({ tid: t, state: 1 });
      if (i % 2) expect(A.detach()).toBe(1);
      else expect(C.reclaim(t)).toBe(1);
      expect(heap.threadState(t).state).toBe(0);
      expect(C.reclaim(t)).toBe(0); // once only
    }
    expect(A.threadCount()).toBe(1); // B
    expect(heap.stats().reclaims).toBe(10);
    expect(heap.check().violations).toBe(0);
  });

  it('the thread table holds 1023 threads; the next attach returns 0, malloc returns 0 and one thread_limit fault says why', () => {
    const limit = 1023;
    const heap = createHeap({ build, threads: limit });
    expect(heap.threads[0].threadCount()).toBe(limit);
    expect(heap.L.MAX_THREADS - 1).toBe(limit);
    const X = heap.addThread(false);
    expect(X.attach()).toBe(0);
    expect(X.malloc(64)).toBe(0);
    expect(X.malloc(100000)).toBe(0);
    const f = heap.faultsSince(0);
    expect(f.map((x) => x.code)).toEqual([FAULT.thread_limit]); // once per instance, not per call
    expect(f[0]!.found).toBe(limit);
    // a slot freed by detach is taken by the next attach
    expect(heap.threads[5].detach()).toBe(1);
    expect(X.attach()).not.toBe(0);
    expect(X.malloc(64)).not.toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  // Regression: a free from an instance with no thread slot was not counted (class totals
  // drifted) and, in the debug build, did not clear the block's allocation bit.
  it('a free from an instance with no free thread slot still reaches the slab and keeps the counters exact', () => {
    const heap = createHeap({ build, threads: 1 });
    const A = heap.threads[0];
    const blocks: number[] = [];
    for (let i = 0; i < 100; i++) blocks.push(A.malloc(64));
    for (let i = 0; i < 1022; i++) heap.addThread();
    const X = heap.addThread(false);
    expect(X.attach()).toBe(0);
    for (const p of blocks.slice(0, 10)) X.free(p);
    expect(heap.faultsSince(0).map((x) => x.code)).toEqual([FAULT.thread_limit]); // the attach; the frees are fine
    A.collect(); // drains the 10 blocks
    expect(heap.check().violations).toBe(0);
    expect(heap.stats().classes[A.classOf(64)].inUse).toBe(90);
    for (let i = 0; i < 200; i++) A.malloc(64); // reuses the drained blocks
    expect(heap.check().violations).toBe(0);
  });
});

describe.each(BUILDS)('park: an idle thread hands back its slabs (%s build)', (build) => {
  // The stranding park prevents: A allocates, goes idle, B frees everything A allocated. Without
  // park the blocks wait on the remote stacks of A's slabs until A allocates that class again.
  it('after park, blocks another thread frees into the parked thread\'s slabs are reused by that thread', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const blocks: number[] = [];
    for (let i = 0; i < 3000; i++) blocks.push(A.malloc(48));
    const slabs = new Set(blocks.map((p) => heap.slab(p).meta));
    A.park();
    for (const p of blocks) expect(heap.slab(p).owner).toBe(0); // orphans, nobody owns them
    expect(heap.stats().orphanSlabs).toBe(slabs.size);
    for (const p of blocks) B.free(p); // remote frees into orphans
    const pagesBefore = heap.stats().pages;
    const again = new Set<number>();
    for (let i = 0; i < 3000; i++) again.add(B.malloc(48));
    expect([...again].every((p) => slabs.has(heap.slab(p).meta))).toBe(true); // A's slabs, adopted
    expect(heap.stats().pages).toBe(pagesBefore);
    expect(heap.check().violations).toBe(0);
    // A keeps its identity and allocates again as usual
    const q = A.malloc(48);
    expect(q).not.toBe(0);
    A.free(q);
    for (const p of again) B.free(p);
    B.collect();
    A.collect();
    expect(heap.check().violations).toBe(0);
    expect(heap.stats().classes[A.classOf(48)].inUse).toBe(0);
  });

  it('park of an unattached instance does nothing', () => {
    const heap = createHeap({ build, threads: 1, attach: false });
    heap.threads[0].park();
    expect(heap.threads[0].tid).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});

describe.each(BUILDS)('adoption: the thread that frees into an orphan adopts it (%s build)', (build) => {
  it('a free into an orphan makes the freeing thread its owner; the free is then local', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const blocks = Array.from({ length: 200 }, () => A.malloc(96));
    A.park();                                      // A's slab: an orphan with 200 blocks in use
    const slab = heap.slab(blocks[0]!);
    expect(slab.owner).toBe(0);
    const before = heap.stats();
    B.free(blocks[0]!);
    expect(heap.slab(blocks[0]!).owner).toBe(B.tid);  // adopted by the thread that freed into it
    const after = heap.stats();
    expect(after.adoptions - before.adoptions).toBe(1);
    expect(after.remoteFrees - before.remoteFrees).toBe(0); // a local free, not a remote push
    for (const p of blocks.slice(1)) B.free(p);
    expect(heap.stats().remoteFrees - before.remoteFrees).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('a refill passes over a full orphan (it has no block to give) and leaves it to the thread that frees into it', () => {
    const heap = createHeap({ build, threads: 3 });
    const [A, B, C] = heap.threads;
    const cls = A.classOf(96);
    const perSlab = heap.slab(A.malloc(96)).capacity;
    const blocks = Array.from({ length: perSlab - 1 }, () => A.malloc(96)); // the slab is full now
    A.park();
    const full = heap.slab(blocks[0]!).meta;
    expect(heap.slab(blocks[0]!).carved).toBe(perSlab);
    const q = B.malloc(96);                      // B needs a slab of the class: not the full orphan
    expect(heap.slab(q).meta).not.toBe(full);
    expect(heap.slab(blocks[0]!).owner).toBe(0);
    C.free(blocks[0]!);                          // C frees into it: C adopts it
    expect(heap.slab(blocks[0]!).owner).toBe(C.tid);
    expect(heap.stats().classes[cls].inUse).toBe(perSlab - 1 + 1);
    expect(heap.check().violations).toBe(0);
  });
});
