// The heap checker must be able to fail: each test corrupts the heap the way a bug would
// (through raw writes to shared memory) and asserts that heap_check reports the matching
// violation. A clean report elsewhere in the suite means something only because of these.
import { describe, it, expect } from 'vitest';
import { CHECK_CODE, createHeap } from '../helpers/instances.js';
import { SlabMeta, SuperSlabHeader, CacheEntry } from '../../dist/host/abi/abi.generated.js';

const CHK = { registry: CHECK_CODE.registry, slabState: CHECK_CODE.slab_state, badBlock: CHECK_CODE.bad_block,
              duplicate: CHECK_CODE.duplicate, count: CHECK_CODE.count, conservation: CHECK_CODE.conservation,
              classTotal: CHECK_CODE.class_total, owner: CHECK_CODE.owner, bitmap: CHECK_CODE.bitmap };

/** Offset of the SlabOwners table in the control region (owner.ts). */
const L_OWNER = (h: { L: (n: string) => number }): number => h.L('OWNER_OFF');

/** One attached thread over a fresh heap, with raw views for corrupting it. */
async function heapOf(build: 'release' | 'debug') {
  const heap = createHeap({ build, remoteBatch: 16 });
  const x = heap.threads[0].raw;
  const L = (name: string): number => heap.L[name];
  const u32 = () => new Uint32Array(heap.memory.buffer);
  const u8 = () => new Uint8Array(heap.memory.buffer);
  const ssOf = (p: number) => p - (p % L('CHUNK_SIZE'));
  const meta = (p: number) => ssOf(p) + L('SS_META_OFFSET') + Math.floor((p - ssOf(p)) / L('SLAB_SIZE')) * L('SLAB_META_SIZE');
  const codes = () => heap.check().details.map((d) => d.code);
  return { x, L, u32, u8, ssOf, meta, codes, memory: heap.memory, heap };
}

describe.each(['release', 'debug'] as const)('heap checker detects corruption (%s)', (build) => {
  it('is clean on a healthy heap with blocks in every state', async () => {
    const h = await heapOf(build);
    const ps = Array.from({ length: 3000 }, (_, i) => h.x.malloc(8 + (i % 200) * 5) >>> 0);
    for (let i = 0; i < ps.length; i += 3) h.x.free(ps[i]);
    expect(h.x.heap_check()).toBe(0);
  });

  it('reports a block on two lists (duplicate)', async () => {
    const h = await heapOf(build);
    const ps = Array.from({ length: 100 }, () => h.x.malloc(64) >>> 0);
    h.x.free(ps[10]);
    h.x.free(ps[11]); // cache: 11 -> 10 -> ...
    // Make the cache list also run into a free-list block by linking ps[10] to itself's
    // neighbour already on the list: a cycle 10 -> 11 -> 10.
    h.u32()[ps[10] >>> 2] = ps[11];
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.duplicate);
  });

  it('reports a free block that is not at a stride offset', async () => {
    const h = await heapOf(build);
    const ps = Array.from({ length: 100 }, () => h.x.malloc(64) >>> 0);
    h.x.free(ps[5]);
    h.u32()[ps[5] >>> 2] = ps[7] + 8; // the cached block now links into the middle of a block
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.badBlock);
  });

  it('reports counter drift (used no longer matches carved - freeCount)', async () => {
    const h = await heapOf(build);
    const ps = Array.from({ length: 100 }, () => h.x.malloc(64) >>> 0);
    const m = h.meta(ps[0]);
    h.u32()[(m + SlabMeta.off.used) >>> 2] += 1;
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.conservation);
  });

  it('reports a block that vanished (per-class totals disagree with the counters)', async () => {
    const h = await heapOf(build);
    const ps = Array.from({ length: 100 }, () => h.x.malloc(64) >>> 0);
    h.x.free(ps[1]);
    h.x.free(ps[2]);
    // Drop the head of this thread's cache for the class without fixing its count.
    const cls = h.x.class_of(64);
    const tid = h.x.thread_id();
    const rec = h.heap.threadRecordAddr(tid);
    const e = rec + h.L('TH_CACHE_OFFSET') + cls * h.L('CACHE_ENTRY_SIZE') + CacheEntry.off.head;
    h.u32()[e >>> 2] = h.u32()[h.u32()[e >>> 2] >>> 2];
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.count);
  });

  it('reports a registry entry that does not match its chunk', async () => {
    const h = await heapOf(build);
    const p = h.x.malloc(64) >>> 0;
    const ss = h.ssOf(p);
    h.u32()[(ss + SuperSlabHeader.off.magic) >>> 2] = 0xdeadbeef;
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.registry);
  });

  it('reports a slab owned by the wrong thread', async () => {
    const h = await heapOf(build);
    const p = h.x.malloc(64) >>> 0;
    h.x.free(p); // p is cached by this thread
    h.u32()[(h.meta(p) + SlabMeta.off.owner) >>> 2] = 0x7777;
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.owner);
  });

  it('reports a SlabOwners entry that disagrees with its slab\'s owner (free\'s fast path reads it)', async () => {
    const h = await heapOf(build);
    const p = h.x.malloc(64) >>> 0;
    const owners = h.heap.L.HEAP_BASE + L_OWNER(h);
    const slot = (owners + Math.floor(p / h.L('SLAB_SIZE')) * 4) >>> 2;
    expect(h.u32()[slot]).toBe(h.u32()[(h.meta(p) + SlabMeta.off.owner) >>> 2]); // mirrored
    expect(h.u32()[slot]).not.toBe(0);
    h.u32()[slot] = 0x7777;
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.owner);
    expect(h.heap.check().details.some((d) => d.code === CHK.owner && d.addr === p - (p % h.L('SLAB_SIZE')))).toBe(true);
  });

  it('reports a SlabOwners entry for memory that is no SuperSlab (the program\'s, the control region, above the heap)', async () => {
    const h = await heapOf(build);
    const p = h.x.malloc(64) >>> 0;
    const tid = h.u32()[(h.meta(p) + SlabMeta.off.owner) >>> 2];
    const owners = h.heap.L.HEAP_BASE + L_OWNER(h);
    for (const addr of [0, h.heap.L.HEAP_BASE, 0xfff00000]) {
      const slot = (owners + Math.floor(addr / h.L('SLAB_SIZE')) * 4) >>> 2;
      h.u32()[slot] = tid;
      expect(h.x.heap_check()).toBeGreaterThan(0);
      expect(h.heap.check().details.some((d) => d.code === CHK.owner && d.addr === addr)).toBe(true);
      h.u32()[slot] = 0;
      expect(h.x.heap_check()).toBe(0);
    }
  });

  it('reports a used mask that disagrees with the slab states', async () => {
    const h = await heapOf(build);
    const p = h.x.malloc(64) >>> 0;
    const ss = h.ssOf(p);
    h.u32()[(ss + SuperSlabHeader.off.usedMask) >>> 2] ^= 1 << 9;
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.slabState);
  });

  it('leaves the heap unmarked after a walk (a second check is still clean)', async () => {
    const h = await heapOf(build);
    const ps = Array.from({ length: 500 }, (_, i) => h.x.malloc(16 + i) >>> 0);
    for (const p of ps.slice(0, 250)) h.x.free(p);
    expect(h.x.heap_check()).toBe(0);
    expect(h.x.heap_check()).toBe(0);
    for (const p of ps.slice(250)) h.x.free(p);
    h.x.collect();
    expect(h.x.heap_check()).toBe(0);
  });
});
