// The memory contract (docs/ARCHITECTURE.md section 1): the allocator owns only memory from
// its heap base up and the chunks it grew itself. Program memory below the heap base is never
// written, chunks someone else grew are never taken as heap, and the module has no data
// segment or start function that would rewrite memory when an instance is created.
import { describe, it, expect } from 'vitest';
import { BUILDS, createHeap, loadModule, rng, type Heap } from '../helpers/instances.js';
import { GlobalHeader } from '../../dist/host/abi/abi.generated.js';

const MiB = 1 << 20;
const PAGE = 65536;

/** A deterministic byte pattern for address `a` (never 0, so zeroing shows). */
const pattern = (a: number): number => ((a * 2654435761) >>> 24) | 1;

function fillPattern(heap: Heap, from: number, to: number): void {
  const b = heap.bytes(from, to - from);
  for (let i = 0; i < b.length; i++) b[i] = pattern(from + i);
}

/** Address of the first byte in [from, to) that lost its pattern, or -1. */
function firstChanged(heap: Heap, from: number, to: number): number {
  const b = heap.bytes(from, to - from);
  for (let i = 0; i < b.length; i++) if (b[i] !== pattern(from + i)) return from + i;
  return -1;
}

/** Allocate and free a mix of every tier, tagging blocks; returns the blocks still live. */
function churn(heap: Heap, seed: number, rounds: number): number[] {
  const t = heap.threads[0];
  const r = rng(seed);
  const live: number[] = [];
  const sizes = [8, 24, 100, 640, 1024, 3000, 20000, 40000, 300000, 1_200_000];
  for (let i = 0; i < rounds; i++) {
    const size = sizes[Math.floor(r() * sizes.length)] + Math.floor(r() * 16);
    const p = t.malloc(size);
    expect(p).not.toBe(0);
    heap.fill(p, Math.min(size, 64), 0xab);
    live.push(p);
    if (live.length > 40) t.free(live.splice(Math.floor(r() * live.length), 1)[0]);
  }
  return live;
}

describe.each(BUILDS)('memory contract (%s)', (build) => {
  it('never writes below the heap base, even when memory already reaches past it', () => {
    // A program whose data and stack fill memory up to a heap base of 3 MiB + 64 KiB, in a
    // memory of 6 MiB: whole chunks lie below the heap base and must not become heap.
    const heapBase = 3 * MiB + PAGE;
    const heap = createHeap({ build, heapBase, initialPages: 96, threads: 0, init: false });
    fillPattern(heap, 0, heapBase);
    heap.observer.raw.init(2, 1, 0, 0, 1);
    heap.addThread();
    const live = churn(heap, 7, 3000);
    for (const p of live) expect(p).toBeGreaterThanOrEqual(heapBase);
    expect(firstChanged(heap, 0, heapBase)).toBe(-1);
    for (const p of live) heap.threads[0].free(p);
    heap.threads[0].collect();
    expect(heap.check().violations).toBe(0);
    expect(firstChanged(heap, 0, heapBase)).toBe(-1);
    // The registry says "not heap" for every chunk below the first heap chunk.
    const first = heap.u32(heap.L.HEADER_BASE + GlobalHeader.off.firstChunk);
    expect(first).toBe(Math.ceil((heapBase + heap.L.CONTROL_SIZE) / MiB));
    for (let c = 0; c < first; c++) expect(heap.registryEntryOfChunk(c)).toBe(0);
  });

  it('takes no chunk that someone else grew, before or between its own grows', () => {
    const heap = createHeap({ build, initialPages: 16 });
    const t = heap.threads[0];
    const foreign: Array<[number, number]> = [];
    const growForeign = (pages: number): void => {
      const at = heap.memory.grow(pages) * PAGE;
      foreign.push([at, at + pages * PAGE]);
      fillPattern(heap, at, at + pages * PAGE);
    };
    growForeign(3);             // an odd size: the next heap chunk must start on a 1 MiB boundary
    const live = churn(heap, 11, 1500);
    growForeign(16);            // a whole chunk's worth, aligned by luck or not
    live.push(...churn(heap, 12, 1500));
    growForeign(40);
    live.push(...churn(heap, 13, 1500));
    for (const p of live) {
      for (const [a, b] of foreign) expect(p >= a && p < b).toBe(false);
    }
    for (const [a, b] of foreign) expect(firstChanged(heap, a, b)).toBe(-1);
    for (const p of live) t.free(p);
    t.collect();
    expect(heap.check().violations).toBe(0);
    // Every chunk that overlaps a foreign range is REG_NONE.
    for (const [a, b] of foreign) {
      for (let c = Math.floor(a / MiB); c < Math.ceil(b / MiB); c++) expect(heap.registryEntryOfChunk(c)).toBe(0);
    }
    for (const [a, b] of foreign) expect(firstChanged(heap, a, b)).toBe(-1);
  });

  it('a second instance over the same memory rewrites nothing when it is created', () => {
    const heap = createHeap({ build, initialPages: 16 });
    const p = heap.threads[0].malloc(64);
    heap.fill(0, heap.L.HEAP_BASE, 0x5a);     // the "program" part of memory
    heap.fill(p, 64, 0x77);
    const before = heap.bytes(0, heap.memory.buffer.byteLength).slice();
    heap.addThread(false);                     // instantiate only
    const after = heap.bytes(0, heap.memory.buffer.byteLength);
    expect(Buffer.compare(Buffer.from(before), Buffer.from(after))).toBe(0);
  });

  it('a heap base that is not a page multiple is refused before anything is written', () => {
    // The host refuses it before instantiating...
    expect(() => createHeap({ build, heapBase: 0x10000 + 4096, threads: 0, init: false })).toThrow(RangeError);
    // ...and the module itself traps if an embedder passes it anyway.
    const heap = createHeap({ build, initialPages: 16, threads: 0, init: false });
    fillPattern(heap, 0, 16 * PAGE);
    const raw = new WebAssembly.Instance(loadModule(build), { env: { memory: heap.memory }, hakmem: { heap_base: 0x10000 + 4096 } });
    expect(() => (raw.exports.init as (...a: number[]) => number)(2, 1, 0, 0, 1)).toThrow(WebAssembly.RuntimeError);
    expect(firstChanged(heap, 0, 16 * PAGE)).toBe(-1);
  });

  it('init grows memory to hold the control region when the heap base is past its end', () => {
    const heapBase = 2 * MiB;
    const heap = createHeap({ build, heapBase, initialPages: 2, threads: 1 });
    expect(heap.memory.buffer.byteLength).toBeGreaterThanOrEqual(heapBase + heap.L.CONTROL_SIZE);
    const live = churn(heap, 5, 500);
    for (const p of live) expect(p).toBeGreaterThanOrEqual(heapBase + heap.L.CONTROL_SIZE);
    expect(heap.check().violations).toBe(0);
  });
});
