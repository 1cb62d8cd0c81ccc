// realloc, calloc, aligned_alloc and malloc_usable_size: C semantics on every kind of block
// (small, large run > 32 KiB, huge span > 960 KiB).
import { describe, it, expect } from 'vitest';
import { BUILDS, FAULT, createHeap, tagBlock, hasTag } from '../helpers/instances.js';

const KiB = 1024;
const MiB = 1024 * 1024;

describe.each(BUILDS)('realloc (%s build)', (build) => {
  it('realloc(NULL, n) is malloc(n)', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const p = A.realloc(0, 100);
    expect(p).not.toBe(0);
    expect(A.usableSize(p)).toBeGreaterThanOrEqual(100);
    expect(heap.stats().classes[A.classOf(100)].inUse).toBe(1);
    A.free(p);
    expect(heap.faultSeq()).toBe(0);
  });

  it('stays in place when the new size fits the usable size, and when shrinking', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    for (const size of [1, 100, 1000, 5000, 40 * KiB, 2 * MiB]) {
      const p = A.malloc(size);
      const usable = A.usableSize(p);
      expect(usable).toBeGreaterThanOrEqual(size);
      tagBlock(heap, p, 0x1234 + size, 2);
      expect(A.realloc(p, usable)).toBe(p);     // grows within the block
      expect(A.realloc(p, Math.max(1, size >> 1))).toBe(p); // shrinks
      expect(A.realloc(p, 1)).toBe(p);
      expect(hasTag(heap, p, 0x1234 + size, 2)).toBe(true);
      A.free(p);
    }
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('growing moves the block, copies the content and frees the old block', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    // small -> small -> large run -> huge span
    const steps = [24, 200, 3000, 50 * KiB, 1200 * KiB];
    let p = A.malloc(steps[0]);
    let cur = steps[0];
    const pattern = (i: number) => (i * 7 + 3) & 0xff;
    for (let i = 0; i < cur; i++) heap.bytes(p, cur)[i] = pattern(i);
    for (const next of steps.slice(1)) {
      const cls = A.classOf(cur);
      const before = heap.stats();
      const q = A.realloc(p, next);
      expect(q).not.toBe(0);
      expect(q).not.toBe(p);
      const data = heap.bytes(q, cur);
      for (let i = 0; i < cur; i++) if (data[i] !== pattern(i)) expect.fail(`byte ${i} not copied to ${next}`);
      const after = heap.stats();
      if (cls < heap.L.NUM_CLASSES) {
        expect(after.classes[cls].inUse).toBe(before.classes[cls].inUse - 1); // old block freed
      } else {
        expect(after.largeRuns + after.hugeSpans - after.largeCachedRuns).toBe(1); // the old run/span is free
        expect(A.usableSize(p)).toBe(0);
      }
      expect(A.usableSize(q)).toBeGreaterThanOrEqual(next);
      const more = heap.bytes(q, next);
      for (let i = cur; i < next; i++) more[i] = pattern(i);
      p = q;
      cur = next;
    }
    A.free(p);
    const st = heap.stats();
    expect(st.largeRuns + st.hugeSpans - st.largeCachedRuns).toBe(0); // cached runs are free
    expect(st.classes.every((c) => c.inUse === 0)).toBe(true);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('realloc of a bad pointer returns 0, records the fault and changes nothing', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const p = A.malloc(64);
    tagBlock(heap, p, 0xabc, 4);
    const cases: [number, number][] = [
      [p + 1, FAULT.not_block_start],
      [p + 8, FAULT.not_block_start],
      [0x100, FAULT.outside_heap],
    ];
    for (const [bad, code] of cases) {
      const seq = heap.faultSeq();
      expect(A.realloc(bad, 10)).toBe(0);
      const f = heap.faultsSince(seq);
      expect(f.length).toBe(1);
      expect(f[0].code).toBe(code);
      expect(f[0].ptr).toBe(bad);
    }
    expect(hasTag(heap, p, 0xabc, 4)).toBe(true);
    expect(heap.stats().classes[A.classOf(64)].inUse).toBe(1);
    expect(heap.check().violations).toBe(0);
    A.free(p);
    expect(heap.check().violations).toBe(0);
  });
});

describe.each(BUILDS)('calloc (%s build)', (build) => {
  it('returns zeroed memory, also when it reuses dirty blocks', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    for (const size of [8, 256, 3000, 40 * KiB]) {
      const dirty: number[] = [];
      for (let i = 0; i < 50; i++) {
        const p = A.malloc(size);
        heap.fill(p, size, 0xab);
        dirty.push(p);
      }
      for (const p of dirty) A.free(p);
      const dirtySet = new Set(dirty);
      let reused = 0;
      const again: number[] = [];
      for (let i = 0; i < 50; i++) {
        const p = A.calloc(1, size);
        expect(p).not.toBe(0);
        if (dirtySet.has(p)) reused++;
        if (heap.bytes(p, size).some((b) => b !== 0)) expect.fail(`calloc(1, ${size}) = ${p} not zeroed`);
        again.push(p);
      }
      expect(reused).toBeGreaterThan(0); // the test did exercise dirty blocks
      for (const p of again) A.free(p);
    }
    const p = A.calloc(3, 1000);
    expect(A.usableSize(p)).toBeGreaterThanOrEqual(3000);
    A.free(p);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});

describe.each(BUILDS)('aligned_alloc (%s build)', (build) => {
  it('every power of two 1..1 MiB with sizes 1, 100, 5000, 100000: aligned, big enough, disjoint, freeable', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const live: { p: number; size: number; align: number }[] = [];
    for (let align = 1; align <= MiB; align *= 2) {
      for (const size of [1, 100, 5000, 100000]) {
        const p = A.alignedAlloc(align, size);
        expect(p, `aligned_alloc(${align}, ${size})`).not.toBe(0);
        if (p % align !== 0) expect.fail(`aligned_alloc(${align}, ${size}) = ${p} misaligned`);
        expect(A.usableSize(p)).toBeGreaterThanOrEqual(size);
        heap.fill(p, size, align & 0xff);
        live.push({ p, size, align });
      }
    }
    const sorted = [...live].sort((a, b) => a.p - b.p);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i - 1].p + sorted[i - 1].size > sorted[i].p) expect.fail(`blocks ${sorted[i - 1].p} and ${sorted[i].p} overlap`);
    }
    for (const b of live) {
      if (heap.bytes(b.p, b.size).some((x) => x !== (b.align & 0xff))) expect.fail(`block ${b.p} was overwritten`);
    }
    expect(heap.check().violations).toBe(0);
    for (const b of live) A.free(b.p);
    expect(heap.faultSeq()).toBe(0);
    A.collect(); // the runs kept in A's large cache go back to the pool
    const st = heap.stats();
    expect(st.largeRuns + st.hugeSpans).toBe(0);
    expect(st.classes.every((c) => c.inUse === 0)).toBe(true);
    expect(heap.check().violations).toBe(0);
  });

  it('rejects alignments that are not a power of two up to 1 MiB', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    for (const align of [0, 3, 6, 24, 1000, 2 * MiB, 0x80000000]) {
      expect(A.alignedAlloc(align, 64), `align ${align}`).toBe(0);
    }
    expect(heap.stats().classes.every((c) => c.inUse === 0)).toBe(true);
    expect(heap.check().violations).toBe(0);
  });
});

describe.each(BUILDS)('malloc_usable_size (%s build)', (build) => {
  it('is at least the requested size for small, large and huge blocks, and 0 for non-blocks', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const sizes = [1, 7, 8, 9, 100, 1024, 1025, 32 * KiB, 32 * KiB + 1, 100 * KiB, 960 * KiB, 960 * KiB + 1, 3 * MiB];
    const live: number[] = [];
    for (const size of sizes) {
      const p = A.malloc(size);
      const u = A.usableSize(p);
      expect(u, `usable(${size})`).toBeGreaterThanOrEqual(size);
      if (size <= heap.L.SMALL_MAX) expect(u).toBe(A.classSize(A.classOf(size)));
      live.push(p);
    }
    const small = A.malloc(64);
    const large = A.malloc(100 * KiB);
    const huge = A.malloc(2 * MiB);
    for (const bad of [0, 0x40, small + 1, small + 8, large + 16, large + 64 * KiB, huge + 64, huge + MiB, 0xfff00000]) {
      expect(A.usableSize(bad), `usable(${bad})`).toBe(0);
    }
    expect(heap.faultSeq()).toBe(0); // usable_size never records faults
    A.free(large);
    A.free(huge);
    expect(A.usableSize(large)).toBe(0); // freed run / span: not a block any more
    expect(A.usableSize(huge)).toBe(0);
    A.free(small);
    for (const p of live) A.free(p);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});
