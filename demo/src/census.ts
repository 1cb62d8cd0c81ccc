// census.ts: per-slab counts the allocator keeps only in aggregate. A slab's metadata says
// how many blocks are carved and how many are on its free list; the rest ("used") are with
// users, in some thread's cache, on the slab's remote-free stack or in some thread's outbox.
// This walks the thread caches and remote stacks and reads the outboxes to split "used" into
// in-use, cached and remote, slab by slab.
//
// It only reads. While workers run the lists change under it, so every walk is bounded and
// every link is checked (inside the same slab, or at least inside a SuperSlab): the figures
// are then a racy snapshot; they are exact when the workers are idle.

import type { MemoryView } from '../../host/views.js';

/** Per-slab counts of blocks, keyed by slab id (chunk * slabs per SuperSlab + slab index). */
export interface SlabCensus {
  cached: Map<number, number>;
  remote: Map<number, number>;
}

/** The id of the slab holding address `p` (of a SuperSlab chunk). */
export function slabIdOf(view: MemoryView, p: number): number {
  const L = view.layout;
  const chunk = Math.floor(p / L.CHUNK_SIZE);
  return chunk * L.SLABS_PER_SS + Math.floor((p - chunk * L.CHUNK_SIZE) / L.SLAB_SIZE);
}

/** Add n to a counter of a map. */
function bump(m: Map<number, number>, key: number, n = 1): void {
  m.set(key, (m.get(key) ?? 0) + n);
}

/** True if `p` lies in a chunk the registry calls a SuperSlab. */
function inSuperSlab(view: MemoryView, p: number): boolean {
  const L = view.layout;
  if (p === 0 || p >= view.byteLength()) return false;
  const entry = view.word(L.REGISTRY_BASE + Math.floor(p / L.CHUNK_SIZE) * 4);
  return (entry & 0xff) === L.REG_SUPERSLAB;
}

/** Count cached blocks: every active thread's per-class cache list, walked up to its count. */
function countCaches(view: MemoryView, out: Map<number, number>): void {
  const L = view.layout;
  for (let slot = 1; slot < L.MAX_THREADS; slot++) {
    const rec = L.THREAD_BASE + slot * L.THREAD_SIZE;
    if (view.atomicWord(rec + L.TH_STATE) === 0) continue;
    for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
      const entry = rec + L.TH_CACHE_OFFSET + cls * L.CACHE_ENTRY_SIZE;
      const count = Math.min(view.half(entry + 4), view.half(entry + 6));
      let p = view.word(entry);
      for (let i = 0; i < count && inSuperSlab(view, p); i++) {
        bump(out, slabIdOf(view, p));
        p = view.word(p);
      }
    }
  }
}

/** Count remote blocks: each slab's remote stack (walked) plus every outbox chain (counted). */
function countRemote(view: MemoryView, out: Map<number, number>): void {
  const L = view.layout;
  const chunks = view.atomicWord(L.HEADER_BASE + L.GH_CHUNK_COUNT);
  for (let c = 1; c < chunks; c++) {
    if ((view.word(L.REGISTRY_BASE + c * 4) & 0xff) !== L.REG_SUPERSLAB) continue;
    const ss = c * L.CHUNK_SIZE;
    for (let k = 0; k < L.SLABS_PER_SS; k++) {
      const id = c * L.SLABS_PER_SS + k;
      const capacity = view.word(ss + L.SS_META_OFFSET + k * L.SLAB_META_SIZE + L.SM_CAPACITY);
      let p = view.atomicWord(ss + L.SS_REMOTE_OFFSET + k * L.REMOTE_STRIDE);
      let n = 0;
      while (p !== 0 && n < capacity && slabIdOf(view, p) === id) { n++; p = view.word(p); }
      if (n > 0) bump(out, id, n);
    }
  }
  for (let slot = 1; slot < L.MAX_THREADS; slot++) {
    const rec = L.THREAD_BASE + slot * L.THREAD_SIZE;
    if (view.atomicWord(rec + L.TH_STATE) === 0) continue;
    for (let e = 0; e < L.OUTBOX_SIZE; e++) {
      const at = rec + L.TH_OUTBOX_OFFSET + e * 16; // OutboxEntry {slab, head, tail, count}
      const meta = view.word(at);
      const count = view.word(at + 12);
      if (meta === 0 || count === 0 || !inSuperSlab(view, meta)) continue;
      const chunk = Math.floor(meta / L.CHUNK_SIZE);
      const k = Math.floor((meta - chunk * L.CHUNK_SIZE - L.SS_META_OFFSET) / L.SLAB_META_SIZE);
      if (k >= 0 && k < L.SLABS_PER_SS) bump(out, chunk * L.SLABS_PER_SS + k, count);
    }
  }
}

/** Take the census of every slab. */
export function takeCensus(view: MemoryView): SlabCensus {
  const census: SlabCensus = { cached: new Map(), remote: new Map() };
  countCaches(view, census.cached);
  countRemote(view, census.remote);
  return census;
}
