// Bad frees: each kind of bad pointer records its documented fault code, and nothing else
// changes (stats, live blocks, heap check). Policy 'report' returns; 'strict' traps after
// recording.
import { describe, it, expect } from 'vitest';
import { BUILDS, FAULT, Heap, Thread, createHeap, stableStats, tagBlock, hasTag, CHECK_CODE } from '../helpers/instances.js';

const KiB = 1024;
const MiB = 1024 * 1024;

interface World {
  heap: Heap; A: Thread; B: Thread;
  small: number[];            // 64-byte blocks of A
  large: number; huge: number;
  ss: number;                 // the SuperSlab holding small[0]
}

/** A heap with live blocks of every kind, all tagged. */
function world(build: 'release' | 'debug', faultPolicy = 0): World {
  const heap = createHeap({ build, threads: 2, faultPolicy });
  const [A, B] = heap.threads;
  const small: number[] = [];
  for (let i = 0; i < 100; i++) small.push(A.malloc(64));
  const large = A.malloc(100 * KiB);
  const huge = A.malloc(2 * MiB);
  small.forEach((p, i) => tagBlock(heap, p, 0x1000 + i, 16));
  tagBlock(heap, large, 0x2000, 64);
  tagBlock(heap, huge, 0x3000, 64);
  const ss = (small[0] & ~(MiB - 1)) >>> 0;
  return { heap, A, B, small, large, huge, ss };
}

function intact(w: World): void {
  w.small.forEach((p, i) => { if (!hasTag(w.heap, p, 0x1000 + i, 16)) expect.fail(`block ${p} changed`); });
  expect(hasTag(w.heap, w.large, 0x2000, 64)).toBe(true);
  expect(hasTag(w.heap, w.huge, 0x3000, 64)).toBe(true);
}

/** Free `p` from thread `t`: exactly one fault with `code`, and nothing else changes. */
function expectFault(w: World, t: Thread, p: number, code: number): void {
  const before = stableStats(w.heap.stats());
  const seq = w.heap.faultSeq();
  t.free(p);
  const f = w.heap.faultsSince(seq);
  expect(f.length, `free(${p}) faults`).toBe(1);
  expect(f[0].code, `free(${p}) fault code`).toBe(code);
  expect(f[0].ptr).toBe(p >>> 0);
  expect(f[0].tid).toBe(t.tid);
  expect(stableStats(w.heap.stats())).toEqual(before);
  expect(w.heap.check().violations).toBe(0);
  intact(w);
}

describe.each(BUILDS)('bad frees under the report policy (%s build)', (build) => {
  it('a pointer outside the heap: outside_heap', () => {
    const w = world(build);
    for (const t of [w.A, w.B]) {
      for (const p of [0x40, 0x5000, 0x20000, MiB - 4, 0xfff00000, w.ss + 64 * MiB]) expectFault(w, t, p, FAULT.outside_heap);
    }
  });

  it('inside a small slab but not at a block start (p+1, p+8, p+63 of a 64-byte block): not_block_start', () => {
    const w = world(build);
    for (const t of [w.A, w.B]) {
      for (const d of [1, 4, 8, 32, 63]) expectFault(w, t, w.small[5] + d, FAULT.not_block_start);
    }
  });

  it('the unused tail of a slab (past capacity * stride): not_block_start', () => {
    const w = world(build);
    const q = w.A.malloc(513); // stride 576 does not divide 64 KiB: each slab has a tail
    const s = w.heap.slab(q);
    const tail = s.dataStart + s.capacity * s.stride;
    expect(tail).toBeLessThan(s.base + 64 * KiB);
    for (const t of [w.A, w.B]) expectFault(w, t, tail, FAULT.not_block_start);
    w.A.free(q);
  });

  it('a block start that was never carved: not_carved', () => {
    const w = world(build);
    const s = w.heap.slab(w.small[0]);
    expect(s.carved).toBeLessThan(s.capacity);
    for (const t of [w.A, w.B]) {
      expectFault(w, t, s.dataStart + s.carved * s.stride, FAULT.not_carved);
      expectFault(w, t, s.dataStart + (s.capacity - 1) * s.stride, FAULT.not_carved);
    }
  });

  it('a free slab: free_slab', () => {
    const w = world(build);
    // find a slab of the small blocks' SuperSlab that is free
    let k = 15;
    while (k > 0 && w.heap.slab(w.ss + k * 64 * KiB).state !== 0) k--;
    expect(k).toBeGreaterThan(0);
    for (const t of [w.A, w.B]) {
      expectFault(w, t, w.ss + k * 64 * KiB, FAULT.free_slab);
      expectFault(w, t, w.ss + k * 64 * KiB + 4096, FAULT.free_slab);
    }
  });

  it('the SuperSlab header: header', () => {
    const w = world(build);
    for (const t of [w.A, w.B]) {
      for (const off of [0, 8, 64, 1088, 4000, w.heap.L.SS_HEADER_SIZE - 16]) expectFault(w, t, w.ss + off, FAULT.header);
    }
  });

  it('the interior of a large run (>32 KiB): large_interior', () => {
    const w = world(build);
    for (const t of [w.A, w.B]) {
      for (const d of [16, 4096, 64 * KiB, 64 * KiB + 16]) expectFault(w, t, w.large + d, FAULT.large_interior);
    }
  });

  it('the interior of a huge span (>960 KiB): large_interior', () => {
    const w = world(build);
    expect(w.huge % MiB).toBe(0);
    for (const t of [w.A, w.B]) {
      for (const d of [16, 64 * KiB, MiB, MiB + 64]) expectFault(w, t, w.huge + d, FAULT.large_interior);
    }
  });

  it('the immediate double free `free(p); free(p)`: double_free (both builds)', () => {
    const w = world(build);
    const p = w.A.malloc(64);
    w.A.free(p);
    expectFault(w, w.A, p, FAULT.double_free);
    // also when the cache was full at the first free (the free went through the slow path)
    const fill: number[] = [];
    for (let i = 0; i < 400; i++) fill.push(w.A.malloc(64));
    for (const q of fill.slice(1)) w.A.free(q);
    w.A.free(fill[0]);
    expectFault(w, w.A, fill[0], FAULT.double_free);
  });

  it('a freed large run or huge span freed again records a fault', () => {
    const w = world(build);
    const keep = w.A.malloc(64 * KiB); // keeps the large run's SuperSlab alive
    const l = w.A.malloc(200 * KiB);
    const h = w.A.malloc(3 * MiB);
    w.A.free(l);
    w.A.free(h);
    // both wait in A's large cache, tagged free: any thread's second free is a double free
    expectFault(w, w.A, l, FAULT.double_free);
    expectFault(w, w.B, l, FAULT.double_free);
    expectFault(w, w.B, h, FAULT.double_free);
    expect(w.A.usableSize(l)).toBe(0);
    w.A.collect(); // back to the pool: the run's slabs are free slabs, the span's chunks free chunks
    expectFault(w, w.A, l, FAULT.free_slab);
    expectFault(w, w.B, h, FAULT.outside_heap);
    w.A.free(keep);
    expect(w.heap.faultSeq()).toBe(5);
  });

  // Both builds catch every double free of a small block: the debug build with its exact
  // allocation bits, the release build with the free tag every free block carries.
  it('a double free of a block spilled out of the cache to its slab: double_free', () => {
    const w = world(build);
    const p = w.A.malloc(64);
    w.A.free(p);
    w.A.collect(); // the cache goes back to the slabs; p is now on its slab's free list
    expect(w.heap.cacheEntry(w.A.tid, w.A.classOf(64)).count).toBe(0);
    expectFault(w, w.A, p, FAULT.double_free);
    expectFault(w, w.B, p, FAULT.double_free);
  });

  it('a double free of a block deep in the cache: double_free', () => {
    const w = world(build);
    const p = w.A.malloc(64);
    const q = w.A.malloc(64);
    w.A.free(p);
    w.A.free(q); // p is no longer the cache head
    expectFault(w, w.A, p, FAULT.double_free);
    w.A.free(w.A.malloc(64)); // the cache is still sound
    expect(w.heap.check().violations).toBe(0);
  });

  it('a double free across threads (freed by B, then by B or A again): double_free', () => {
    const w = world(build);
    const p = w.A.malloc(64);
    w.B.free(p); // remote free: into B's outbox
    expectFault(w, w.B, p, FAULT.double_free);
    expectFault(w, w.A, p, FAULT.double_free);
    w.B.collect(); // pushed onto A's slab
    expectFault(w, w.A, p, FAULT.double_free);
    w.A.collect(); // drained by A onto the free list
    expectFault(w, w.B, p, FAULT.double_free);
    expectFault(w, w.A, p, FAULT.double_free);
    expect(w.heap.check().violations).toBe(0);
  });

  it('realloc and malloc_usable_size of a freed block: double_free and 0, nothing handed out twice', () => {
    const w = world(build);
    const p = w.A.malloc(64);
    w.A.free(p);
    const seq = w.heap.faultSeq();
    expect(w.A.usableSize(p)).toBe(0); // no fault: usable_size only asks
    expect(w.heap.faultSeq()).toBe(seq);
    expect(w.A.realloc(p, 16)).toBe(0);
    expect(w.heap.faultSeq()).toBe(seq + 1);
    expect(w.heap.faultsSince(seq)[0]!.code).toBe(FAULT.double_free);
    expect(w.A.malloc(64)).toBe(p); // p handed out once more, from the cache, and only once
    expect(w.A.malloc(64)).not.toBe(p);
    expect(w.heap.check().violations).toBe(0);
  });

  it('a remote chain made into a cycle by a write after free: corrupt_list, the drain ends, nothing handed out twice', () => {
    const w = world(build);
    const keep = w.A.malloc(64);
    const p = w.A.malloc(64), q = w.A.malloc(64);
    w.B.free(q);
    w.B.free(p); // B's outbox chain for A's slab: p -> q
    w.B.collect(); // pushed onto the slab's remote stack
    w.heap.setU32(q, p); // the program writes into freed q: q -> p -> q -> ...
    const seq = w.heap.faultSeq();
    w.A.collect(); // A drains its slab: the walk must stop
    const f = w.heap.faultsSince(seq);
    expect(f.map((x) => x.code)).toEqual([FAULT.corrupt_list]);
    const got = new Set<number>();
    for (let i = 0; i < 200; i++) got.add(w.A.malloc(64));
    expect(got.size).toBe(200); // neither p nor q comes back twice (the chain was dropped)
    void keep;
  });

  if (build === 'release') {
    it('heap_check reports a free block whose free tag was overwritten (a write after free)', () => {
      const w = world(build);
      const p = w.A.malloc(64);
      w.A.free(p);
      w.heap.setU32(p + 4, 12345); // the program writes into the freed block
      const r = w.heap.check();
      expect(r.details.map((d) => d.code)).toContain(CHECK_CODE.free_tag);
    });
  }
});

describe.each(BUILDS)('strict policy (%s build)', (build) => {
  it('a bad free traps (WebAssembly.RuntimeError) after recording the fault, and changes nothing', () => {
    const w = world(build, 1);
    const cases: [number, number][] = [
      [w.small[3] + 8, FAULT.not_block_start],
      [0x100, FAULT.outside_heap],
      [w.large + 16, FAULT.large_interior],
      [w.ss + 64, FAULT.header],
    ];
    for (const t of [w.A, w.B]) {
      for (const [p, code] of cases) {
        const before = stableStats(w.heap.stats());
        const seq = w.heap.faultSeq();
        expect(() => t.free(p)).toThrow(WebAssembly.RuntimeError);
        const f = w.heap.faultsSince(seq);
        expect(f.length).toBe(1);
        expect(f[0].code).toBe(code);
        expect(f[0].ptr).toBe(p);
        expect(stableStats(w.heap.stats())).toEqual(before);
        expect(w.heap.check().violations).toBe(0);
        intact(w);
      }
    }
    // realloc of a bad pointer traps too
    const seq = w.heap.faultSeq();
    expect(() => w.A.realloc(w.small[0] + 1, 10)).toThrow(WebAssembly.RuntimeError);
    expect(w.heap.faultsSince(seq)[0].code).toBe(FAULT.not_block_start);
    // the threads are still usable: good frees work and do not trap
    for (const p of w.small) w.B.free(p);
    w.A.free(w.large);
    w.A.free(w.huge);
    w.B.collect();
    w.A.collect();
    const st = w.heap.stats();
    expect(st.classes.every((c) => c.inUse === 0)).toBe(true);
    expect(st.smallSlabs + st.largeRuns + st.hugeSpans).toBe(0);
    expect(w.heap.check().violations).toBe(0);
  });
});
