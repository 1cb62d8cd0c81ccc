// The size-class table: the mapping size -> class, alignment of malloc results, malloc(0),
// and the internal-waste figures of the table.
import { describe, it, expect } from 'vitest';
import { BUILDS, createHeap } from '../helpers/instances.js';

describe.each(BUILDS)('class table (%s build)', (build) => {
  it('maps every size 0..32768 to the smallest class whose size fits', () => {
    const heap = createHeap({ build });
    const t = heap.observer;
    const N = heap.L.NUM_CLASSES;
    expect(N).toBe(53);
    const sizes = Array.from({ length: N }, (_, c) => t.classSize(c));
    expect(t.classSize(N)).toBe(0); // past the table
    for (let size = 0; size <= heap.L.SMALL_MAX; size++) {
      const c = t.classOf(size);
      expect(c).toBeLessThan(N);
      // fits, and the class below does not
      if (sizes[c] < size || (c > 0 && sizes[c - 1] >= size)) {
        expect.fail(`size ${size} -> class ${c} (${sizes[c]}), class below ${sizes[c - 1]}`);
      }
    }
    expect(t.classOf(heap.L.SMALL_MAX + 1)).toBe(N);
    expect(t.classOf(0x7fffffff)).toBe(N);
  });

  it('class sizes increase, start at 8, end at SMALL_MAX, and are multiples of 16 from 16 on', () => {
    const heap = createHeap({ build });
    const t = heap.observer;
    const sizes = Array.from({ length: heap.L.NUM_CLASSES }, (_, c) => t.classSize(c));
    expect(sizes[0]).toBe(8);
    expect(sizes[sizes.length - 1]).toBe(heap.L.SMALL_MAX);
    for (let c = 1; c < sizes.length; c++) {
      expect(sizes[c]).toBeGreaterThan(sizes[c - 1]);
      expect(sizes[c] % 16).toBe(0);
    }
  });

  it('malloc results are 16-aligned for sizes >= 16 and 8-aligned below, for every size class boundary', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const probe = new Set<number>();
    for (let s = 1; s <= 1100; s++) probe.add(s);
    for (let c = 0; c < heap.L.NUM_CLASSES; c++) {
      const cs = A.classSize(c);
      probe.add(cs); probe.add(cs + 1); probe.add(cs - 1);
    }
    probe.add(40000); probe.add(2 << 20);
    const live: number[] = [];
    for (const s of probe) {
      if (s < 1) continue;
      const p = A.malloc(s);
      expect(p).not.toBe(0);
      const align = s >= 16 ? 16 : 8;
      if (p % align !== 0) expect.fail(`malloc(${s}) = ${p} not ${align}-aligned`);
      live.push(p);
    }
    for (const p of live) A.free(p);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('every class\'s slab, as formatted: rotr(offset * inv, shift) is the block index at exactly the block starts, and at or above the capacity at every other offset of the slab', () => {
    // free validates a pointer with this one multiply and one rotate (slab.ts carvedIndex,
    // classes.ts exactIndex): check the module's inverses and the claim for every offset from
    // the slab's start (below the data start: the offset wraps) to its end, in every class.
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const index = (off: number, inv: number, shift: number): number => {
      const x = Math.imul(off | 0, inv | 0) >>> 0;
      return shift === 0 ? x : ((x >>> shift) | (x << (32 - shift))) >>> 0;
    };
    const live: number[] = [];
    for (let c = 0; c < heap.L.NUM_CLASSES; c++) {
      const p = A.malloc(A.classSize(c));
      live.push(p);
      const s = heap.slab(p);
      expect(s.stride).toBe(A.classSize(c));
      expect(s.stride % 2 ** s.shift).toBe(0);
      expect((s.stride / 2 ** s.shift) % 2).toBe(1);
      expect(Math.imul(s.stride >>> s.shift, s.inv) >>> 0).toBe(1);
      for (let a = s.base; a < s.base + heap.L.SLAB_SIZE; a++) {
        const off = (a - s.dataStart) >>> 0;
        const q = index(off, s.inv, s.shift);
        const start = a >= s.dataStart && (a - s.dataStart) % s.stride === 0 && (a - s.dataStart) / s.stride < s.capacity;
        if (start ? q !== (a - s.dataStart) / s.stride : q < s.capacity) {
          expect.fail(`class ${c} (stride ${s.stride}): address ${a} gives index ${q}, capacity ${s.capacity}`);
        }
      }
    }
    for (const p of live) A.free(p);
    expect(heap.faultSeq()).toBe(0);
  });

  it('cache capacity: 16 KiB of blocks, at least 32 for a tiny class and 16 for a mid class, at most 128', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    for (let c = 0; c < heap.L.NUM_CLASSES; c++) {
      const size = A.classSize(c);
      const least = size <= 1024 ? 32 : 16;
      expect(heap.cacheEntry(A.tid, c).cap, `class ${c} (${size} B)`).toBe(Math.min(128, Math.max(least, Math.floor(16384 / size))));
    }
  });

  it('a mid class\'s cache takes a swing of 8 frees and 8 mallocs without a refill or spill', () => {
    // midlarge's pattern: a burst of frees of one size, then as many mallocs. With 4 blocks of
    // cache (16 KiB blocks before the mid minimum) every second call took the slow path.
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const size = 16384;
    const held = Array.from({ length: 64 }, () => A.malloc(size));
    for (let i = 0; i < 16; i++) A.free(held.pop()!); // the cache now holds blocks of the class
    for (let i = 0; i < 8; i++) held.push(A.malloc(size));
    const before = heap.counters(A.tid);
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 8; i++) A.free(held.pop()!);
      for (let i = 0; i < 8; i++) held.push(A.malloc(size));
    }
    const after = heap.counters(A.tid);
    expect(after.refills - before.refills).toBe(0);
    expect(after.spills - before.spills).toBe(0);
    for (const p of held) A.free(p);
    expect(heap.check().violations).toBe(0);
  });

  it('malloc(0) returns unique non-zero pointers that can be freed', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const a = A.malloc(0);
    const b = A.malloc(0);
    expect(a).not.toBe(0);
    expect(b).not.toBe(0);
    expect(a).not.toBe(b);
    expect(A.usableSize(a)).toBeGreaterThanOrEqual(1);
    expect(heap.stats().classes[A.classOf(0)].inUse).toBe(2);
    A.free(a);
    A.free(b);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.stats().classes[A.classOf(0)].inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});

describe('class table waste', () => {
  it('internal waste over sizes 1..1024 and 1025..32768 stays within bounds', () => {
    const heap = createHeap({ build: 'release' });
    const t = heap.observer;
    // waste of a request = (block size - request) / block size: the share of the block unused
    const measure = (lo: number, hi: number) => {
      let worst = 0, worstAt = 0, sum = 0;
      for (let s = lo; s <= hi; s++) {
        const cs = t.classSize(t.classOf(s));
        const w = (cs - s) / cs;
        sum += w;
        if (w > worst) { worst = w; worstAt = s; }
      }
      return { worst, worstAt, avg: sum / (hi - lo + 1) };
    };
    const tiny = measure(1, 1024);
    const from16 = measure(16, 1024);
    const from64 = measure(64, 1024);
    const from256 = measure(256, 1024);
    const mid = measure(1025, heap.L.SMALL_MAX);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(`class waste 1..1024: worst ${pct(tiny.worst)} at ${tiny.worstAt}, average ${pct(tiny.avg)}`);
    console.log(`class waste 16..1024: worst ${pct(from16.worst)} at ${from16.worstAt}, average ${pct(from16.avg)}`);
    console.log(`class waste 64..1024: worst ${pct(from64.worst)} at ${from64.worstAt}, average ${pct(from64.avg)}`);
    console.log(`class waste 256..1024: worst ${pct(from256.worst)} at ${from256.worstAt}, average ${pct(from256.avg)}`);
    console.log(`class waste 1025..32768: worst ${pct(mid.worst)} at ${mid.worstAt}, average ${pct(mid.avg)}`);
    // Waste of 50% or more only for tiny requests (below 16 bytes, 8/16-byte granularity).
    expect(from16.worst).toBeLessThan(0.5);
    expect(from64.worst).toBeLessThan(0.25);
    expect(from256.worst).toBeLessThan(0.125);
    expect(mid.worst).toBeLessThan(0.21);
    expect(tiny.avg).toBeLessThan(0.06);
    expect(mid.avg).toBeLessThan(0.12);
  });
});
