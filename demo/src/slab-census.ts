// slab-census.ts: the memory map's block counts, taken only where the map needs them.
// host/decode.ts's decodeSlabCensus walks every cache of every thread and every slab's
// remote stack at once: tens of milliseconds with 32 busy threads, too much for every
// redraw. The map needs two things: for every slab, whether remote frees wait for it (its
// remote stack, which decodeMap already reads, or blocks in some thread's outbox, counted
// here from the outbox entries alone), and for the one slab being described, the split of
// its used blocks into cached and remote. The walks follow decodeSlabCensus's rules (every
// link bounded and checked to stay inside a SuperSlab or the slab), restricted to one slab
// and its class, so the counts agree with it; racy while threads run, exact when idle.

import { slabIdOf } from '../../host/decode.js';
import { CacheEntry, OutboxEntry, ThreadHeader } from '../../host/abi.generated.js';
import type { MemoryView } from '../../host/views.js';

/** Cached and remote blocks of one slab. */
export interface SlabCounts {
  /** Blocks of this slab in thread caches. */
  cached: number;
  /** Blocks on its remote-free stack or in outboxes bound for it. */
  remote: number;
}

/** True if `p` lies in a chunk the registry calls a SuperSlab. */
function inSuperSlab(view: MemoryView, p: number): boolean {
  const L = view.layout;
  if (p === 0 || p >= view.byteLength()) return false;
  const entry = view.word(L.REGISTRY_BASE + Math.floor(p / L.CHUNK_SIZE) * 4);
  return (entry & L.REG_KIND_MASK) === L.REG_SUPERSLAB;
}

/** The thread records in use (state not free), by address. */
function activeRecords(view: MemoryView): number[] {
  const L = view.layout;
  const out: number[] = [];
  for (let slot = 1; slot < L.MAX_THREADS; slot++) {
    const rec = L.THREAD_BASE + slot * L.THREAD_SIZE;
    if (view.atomicWord(rec + ThreadHeader.off.state) !== 0) out.push(rec);
  }
  return out;
}

/** Blocks waiting in outboxes, per slab id: the remote frees not yet pushed to a slab's stack. */
export function outboxCounts(view: MemoryView): Map<number, number> {
  const L = view.layout;
  const out = new Map<number, number>();
  for (const rec of activeRecords(view)) {
    for (let e = 0; e < L.OUTBOX_SIZE; e++) {
      const at = rec + L.TH_OUTBOX_OFFSET + e * L.OUTBOX_ENTRY_SIZE;
      const meta = view.word(at + OutboxEntry.off.slab);
      const count = view.word(at + OutboxEntry.off.count);
      if (meta === 0 || count === 0 || view.word(at + OutboxEntry.off.head) === 0 || !inSuperSlab(view, meta)) continue;
      const chunk = Math.floor(meta / L.CHUNK_SIZE);
      const k = Math.floor((meta - chunk * L.CHUNK_SIZE - L.SS_META_OFFSET) / L.SLAB_META_SIZE);
      if (k < 0 || k >= L.SLABS_PER_SS) continue;
      const id = chunk * L.SLABS_PER_SS + k;
      out.set(id, (out.get(id) ?? 0) + count);
    }
  }
  return out;
}

/**
 * Count the cached and remote blocks of the small slab at `slabAddr` (class `cls`,
 * `capacity` blocks): the class-`cls` cache of every thread, the slab's remote stack, and
 * the outbox counts (from outboxCounts).
 */
export function censusOfSlab(view: MemoryView, slabAddr: number, cls: number, capacity: number,
                             outboxes: Map<number, number>): SlabCounts {
  const L = view.layout;
  const id = slabIdOf(view, slabAddr);
  let cached = 0;
  for (const rec of activeRecords(view)) {
    const entry = rec + L.TH_CACHE_OFFSET + cls * L.CACHE_ENTRY_SIZE;
    const count = Math.min(view.field(CacheEntry, entry, 'count'), view.field(CacheEntry, entry, 'cap'));
    let p = view.field(CacheEntry, entry, 'head');
    for (let i = 0; i < count && inSuperSlab(view, p); i++) {
      if (slabIdOf(view, p) === id) cached++;
      p = view.word(p);
    }
  }
  const chunk = Math.floor(slabAddr / L.CHUNK_SIZE);
  const k = id - chunk * L.SLABS_PER_SS;
  let p = view.atomicWord(chunk * L.CHUNK_SIZE + L.SS_REMOTE_OFFSET + k * L.REMOTE_STRIDE);
  let stacked = 0;
  while (p !== 0 && stacked < capacity && slabIdOf(view, p) === id) { stacked++; p = view.word(p); }
  return { cached, remote: stacked + (outboxes.get(id) ?? 0) };
}
