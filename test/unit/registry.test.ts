// The chunk registry: the first and the last block of a SuperSlab are found; addresses just
// outside every SuperSlab are not, and freeing them records outside_heap and changes nothing.
import { describe, it, expect } from 'vitest';
import { BUILDS, FAULT, createHeap, stableStats, firstHeapChunk } from '../helpers/instances.js';
import { GlobalHeader } from '../../dist/host/abi/abi.generated.js';

describe.each(BUILDS)('registry (%s build)', (build) => {
  it('finds the first usable block and the last block of slab 15 of a SuperSlab', () => {
    const heap = createHeap({ build });
    const A = heap.threads[0];
    const L = heap.L;
    // 32 KiB blocks: slab 0 holds one, slabs 1..15 two each: 31 blocks fill a SuperSlab.
    const blocks: number[] = [];
    for (let i = 0; i < 31; i++) blocks.push(A.malloc(L.SMALL_MAX));
    const ss = (blocks[0] & ~(L.CHUNK_SIZE - 1)) >>> 0;
    expect(blocks.every((p) => ((p & ~(L.CHUNK_SIZE - 1)) >>> 0) === ss)).toBe(true);
    const first = ss + L.SS_HEADER_SIZE;
    const last = ss + 15 * L.SLAB_SIZE + L.SLAB_SIZE - L.SMALL_MAX; // ends at the chunk's end
    expect(blocks).toContain(first);
    expect(blocks).toContain(last);
    expect(A.registryEntry(first)).toBe(L.REG_SUPERSLAB);
    expect(A.registryEntry(last)).toBe(L.REG_SUPERSLAB);
    expect(A.registryEntry(last + L.SMALL_MAX - 1)).toBe(L.REG_SUPERSLAB); // its last byte
    expect(A.usableSize(first)).toBe(L.SMALL_MAX);
    expect(A.usableSize(last)).toBe(L.SMALL_MAX);
    for (const p of blocks) A.free(p);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.stats().classes[L.NUM_CLASSES - 1].inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('addresses outside every SuperSlab are not found, and freeing them records outside_heap and changes nothing', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const L = heap.L;
    const live: number[] = [];
    for (let i = 0; i < 200; i++) live.push(A.malloc(48));
    const ss = (live[0] & ~(L.CHUNK_SIZE - 1)) >>> 0;
    const chunkCount = heap.u32(L.HEADER_BASE + GlobalHeader.off.chunkCount);
    // the last SuperSlab: the highest chunk registered as one
    let lastSS = 0;
    for (let c = 1; c < chunkCount; c++) if (heap.registryEntryOfChunk(c) === L.REG_SUPERSLAB) lastSS = c * L.CHUNK_SIZE;
    expect(lastSS).toBeGreaterThan(0);
    const outside = [
      ss - 16,                       // the chunk below (here: the control chunk)
      0x40, 0x400, 0x20000, L.CHUNK_SIZE - 8, // the control chunk 0..1 MiB
      lastSS + L.CHUNK_SIZE,         // the chunk above the last SuperSlab
      lastSS + L.CHUNK_SIZE + L.SS_HEADER_SIZE,
      0xfff00000,                    // far beyond the memory
    ];
    for (const p of outside) {
      const e = A.registryEntry(p);
      expect(e === L.REG_SUPERSLAB || (e & 0xff) === L.REG_HUGE || (e & 0xff) === L.REG_HUGE_TAIL).toBe(false);
    }
    for (let i = 0; i < live.length; i++) heap.setU32(live[i], 0xc0ffee00 + i);
    const before = stableStats(heap.stats());
    for (const t of [A, B]) {
      for (const p of outside) {
        const seq = heap.faultSeq();
        t.free(p);
        const f = heap.faultsSince(seq);
        expect(f.length).toBe(1);
        expect(f[0].code).toBe(FAULT.outside_heap);
        expect(f[0].ptr).toBe(p >>> 0);
        expect(f[0].tid).toBe(t.tid);
      }
    }
    expect(stableStats(heap.stats())).toEqual(before);
    expect(heap.check().violations).toBe(0);
    for (let i = 0; i < live.length; i++) expect(heap.u32(live[i])).toBe(0xc0ffee00 + i);
    for (const p of live) A.free(p);
    expect(heap.faultSeq()).toBe(outside.length * 2);
    expect(heap.check().violations).toBe(0);
  });
});

describe.each(BUILDS)('memory provided at instantiation (%s build)', (build) => {
  it('initial memory of exactly one chunk (16 pages): a fresh heap checks clean and the first SuperSlab is the first chunk above the control region', () => {
    const heap = createHeap({ build, initialPages: 16 });
    expect(heap.check().violations).toBe(0);
    const p = heap.threads[0].malloc(64);
    expect(p >>> 20).toBe(firstHeapChunk(build));
    expect(heap.check().violations).toBe(0);
  });

  // Regression: chunks present at init (more memory than the control region needs) were
  // never registered, and a partial last chunk was padded but left unregistered.
  for (const extra of [16, 4]) {
    it(`initial memory ${extra} pages past the control region's chunks: every whole chunk is a usable free chunk and the heap checks clean`, () => {
      const first = firstHeapChunk(build);
      const heap = createHeap({ build, initialPages: first * 16 + extra });
      expect(heap.check().violations).toBe(0);
      const p = heap.threads[0].malloc(64);
      expect(heap.check().violations).toBe(0);
      if (extra === 16) expect(p >>> 20).toBe(first); // the chunk that was already there is used first
    });
  }
});
