// Carve geometry of every size class: blocks sit at data_start + i * stride inside their slab,
// slab 0 starts after the SuperSlab header, whole slabs are carved to exhaustion, and no two
// blocks overlap. Everything is checked against the slab metadata, relative to the slab's data
// start (never the absolute address: seed 004).
import { describe, it, expect } from 'vitest';
import { BUILDS, createHeap } from '../helpers/instances.js';

describe.each(BUILDS)('carve geometry (%s build)', (build) => {
  it('every class (all 53) carves whole slabs at stride offsets, inside the slab, without overlap', () => {
    const heap = createHeap({ build, threads: 1 });
    const A = heap.threads[0];
    const L = heap.L;
    let sawSlab0 = 0;
    for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
      const size = A.classSize(cls);
      const bySlab = new Map<number, number[]>(); // SlabMeta address -> blocks, in order of slab acquisition
      const all: number[] = [];
      // Allocate until a third slab shows up: the first two were then carved to exhaustion
      // (a refill takes a new slab only when the current one is exhausted, and the cache is
      // empty at that moment, so every block of the first two slabs is with us).
      while (bySlab.size < 3) {
        const p = A.malloc(size);
        expect(p).not.toBe(0);
        expect(A.classOf(size)).toBe(cls);
        all.push(p);
        const m = heap.slab(p).meta;
        if (!bySlab.has(m)) bySlab.set(m, []);
        bySlab.get(m)!.push(p);
      }
      const slabs = [...bySlab.keys()];
      for (let i = 0; i < slabs.length; i++) {
        const blocks = bySlab.get(slabs[i])!;
        const s = heap.slab(blocks[0]);
        expect(s.state).toBe(1); // small
        expect(s.cls).toBe(cls);
        expect(s.stride).toBe(size);
        expect(s.owner).toBe(A.tid);
        const dataBytes = s.k === 0 ? L.SLAB_SIZE - L.SS_HEADER_SIZE : L.SLAB_SIZE;
        expect(s.dataStart).toBe(s.k === 0 ? s.ss + L.SS_HEADER_SIZE : s.base);
        expect(s.capacity).toBe(Math.floor(dataBytes / size));
        if (s.k === 0) sawSlab0++;
        for (const p of blocks) {
          const off = p - s.dataStart;
          if (off < 0 || off % s.stride !== 0 || p + size > s.base + L.SLAB_SIZE) {
            expect.fail(`class ${cls}: block ${p} off ${off} stride ${s.stride} slab ${s.base}`);
          }
        }
        if (i < 2) {
          // exhausted: every block carved, all of them handed to us, block 0 at data start
          expect(s.carved).toBe(s.capacity);
          expect(blocks.length).toBe(s.capacity);
          expect(Math.min(...blocks)).toBe(s.dataStart);
          expect(Math.max(...blocks)).toBe(s.dataStart + (s.capacity - 1) * size);
        }
      }
      const sorted = [...all].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i - 1] + size > sorted[i]) expect.fail(`class ${cls}: ${sorted[i - 1]} overlaps ${sorted[i]}`);
      }
      for (const p of all) A.free(p);
      A.collect();
      const st = heap.stats();
      expect(st.classes[cls].inUse).toBe(0);
      expect(st.smallSlabs).toBe(0); // everything went back
    }
    // Every class started in a fresh SuperSlab (all slabs were released in between): its first
    // slab was slab 0, whose blocks start right after the header.
    expect(sawSlab0).toBe(L.NUM_CLASSES);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});
