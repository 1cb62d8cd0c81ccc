// The heap checker must be able to fail: each test corrupts the heap the way a bug would
// (through raw writes to shared memory) and asserts that heap_check reports the matching
// violation. A clean report elsewhere in the suite means something only because of these.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

type Exports = Record<string, any>;

const CHK = { registry: 1, slabState: 2, badBlock: 3, duplicate: 4, count: 5, conservation: 6, classTotal: 7, owner: 8, bitmap: 9 };

async function heapOf(build: string) {
  const file = fileURLToPath(new URL(`../../build/${build}.wasm`, import.meta.url));
  const mod = await WebAssembly.compile(fs.readFileSync(file));
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 4096, shared: true });
  const x = (await WebAssembly.instantiate(mod, { env: { memory }, hakmem: { heap_base: 0x10000 } })).exports as Exports;
  x.init(2, 1, 16, 0, 1);
  x.attach();
  const L = (name: string) => (x[`L_${name}`] as WebAssembly.Global).value as number;
  const u32 = () => new Uint32Array(memory.buffer);
  const u8 = () => new Uint8Array(memory.buffer);
  const meta = (p: number) => ((p & ~0xfffff) >>> 0) + L('SS_META_OFFSET') + ((p >>> 16) & 15) * L('SLAB_META_SIZE');
  const codes = () => {
    const base = (L('HEAP_BASE') + L('CHECK_OFF')) >>> 2;
    const n = Math.min(u32()[base], L('CHECK_DETAIL_CAP'));
    return Array.from({ length: n }, (_, i) => u32()[base + 4 + i * 4]);
  };
  return { x, L, u32, u8, meta, codes, memory };
}

describe.each(['release', 'debug'])('heap checker detects corruption (%s)', (build) => {
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
    h.u32()[(m + h.L('SM_USED')) >>> 2] += 1;
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
    const rec = h.L('HEAP_BASE') + h.L('THREAD_OFF') + (tid & (h.L('MAX_THREADS') - 1)) * h.L('THREAD_SIZE');
    const e = rec + h.L('TH_CACHE_OFFSET') + cls * h.L('CACHE_ENTRY_SIZE');
    h.u32()[e >>> 2] = h.u32()[h.u32()[e >>> 2] >>> 2];
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.count);
  });

  it('reports a registry entry that does not match its chunk', async () => {
    const h = await heapOf(build);
    const p = h.x.malloc(64) >>> 0;
    const ss = (p & ~0xfffff) >>> 0;
    h.u32()[ss >>> 2] = 0xdeadbeef; // SuperSlab magic
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.registry);
  });

  it('reports a slab owned by the wrong thread', async () => {
    const h = await heapOf(build);
    const p = h.x.malloc(64) >>> 0;
    h.x.free(p); // p is cached by this thread
    h.u32()[h.meta(p) >>> 2] = 0x7777; // owner
    expect(h.x.heap_check()).toBeGreaterThan(0);
    expect(h.codes()).toContain(CHK.owner);
  });

  it('reports a used mask that disagrees with the slab states', async () => {
    const h = await heapOf(build);
    const p = h.x.malloc(64) >>> 0;
    const ss = (p & ~0xfffff) >>> 0;
    h.u32()[(ss + h.L('SS_USED_MASK')) >>> 2] ^= 1 << 9;
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
