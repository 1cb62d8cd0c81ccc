// large.ts: requests above SMALL_MAX (32 KiB), and alignments above SMALL_ALIGN_MAX.
//
//   (32 KiB, 960 KiB]  a large run: k consecutive 64 KiB slabs of one SuperSlab (slabs 1..15),
//                      64 KiB aligned; the head slab's meta says SLAB_LARGE, the others
//                      SLAB_LARGE_TAIL, so an interior pointer is recognised, never freed.
//   above 960 KiB      a huge span: n whole chunks, 1 MiB aligned; the registry marks the
//                      first chunk REG_HUGE (payload n) and the rest REG_HUGE_TAIL.
//
// A run or span freed by a thread is kept in that thread's large cache (large-cache.ts,
// bounded) for its next request of the same size, with no lock on either side; the rest come
// from and go back to the pool under its lock. Freed runs and spans are reused by any later
// request (a SuperSlab whose slabs are all free returns its chunk to the pool).

import { CHUNK_SHIFT, CHUNK_MASK, SLAB_SHIFT, SLAB_SIZE, LARGE_MAX, MAX_CHUNKS, SLABS_PER_SS,
         LARGE_CACHE_UNITS, EV_LARGE_ALLOC, EV_LARGE_FREE } from "./types";
import { poolLock, poolUnlock, largeRunAcquire, largeRunRelease, hugeAcquire, hugeRelease }
  from "./pool";
import { slabMeta, metaOf } from "./superslab";
import { regPayload } from "./registry";
import { self, attached } from "./tls";
import { counters } from "./heap";
import { ringRecord } from "./ring";
import { untag } from "./free-tag";
import { largeCacheTake, largeCachePut } from "./large-cache";

/**
 * Allocate `size` bytes as a large run (64 KiB aligned) or huge span (1 MiB aligned): from
 * this thread's large cache when it holds one of exactly that size, else from the pool.
 */
export function largeMalloc(size: usize, hugeOnly: bool): usize {
  let p: usize = 0;
  if (size <= LARGE_MAX && !hugeOnly) {
    let k = <u32>((size + SLAB_SIZE - 1) >>> SLAB_SHIFT);
    if (k == 0) k = 1;
    p = attached() ? largeCacheTake(self, k) : 0;
    if (p != 0) {
      slabMeta(metaOf(p)).largeSize = <u32>size;
    } else {
      poolLock();
      const m = largeRunAcquire(k, <u32>size);
      poolUnlock();
      if (m != 0) p = <usize>slabMeta(m).dataStart;
    }
  } else {
    const n64 = (<u64>size + CHUNK_MASK) >> CHUNK_SHIFT;
    if (n64 < <u64>MAX_CHUNKS) {
      const n: u32 = n64 == 0 ? 1 : <u32>n64;
      const units = n * <u32>SLABS_PER_SS;
      p = attached() && units <= LARGE_CACHE_UNITS ? largeCacheTake(self, units) : 0;
      if (p == 0) {
        poolLock();
        p = hugeAcquire(n);
        poolUnlock();
      }
    }
  }
  if (p == 0) return 0; // the caller retries after giving memory back, then reports OOM
  untag(p); // a run flushed from a cache to the pool still carries the free tag it had there
  counters(self).largeAllocs++;
  ringRecord(EV_LARGE_ALLOC, 0, p, <u32>size);
  return p;
}

/**
 * Free a large run given its head SlabMeta (the caller validated the pointer and found no free
 * tag): into this thread's large cache if it fits, else to the pool.
 */
export function largeRunFree(m: usize): void {
  counters(self).largeFrees++;
  const p = <usize>slabMeta(m).dataStart;
  const k = <u32>slabMeta(m).span;
  if (attached() && largeCachePut(self, p, k)) return;
  ringRecord(EV_LARGE_FREE, 0, p, k << SLAB_SHIFT);
  poolLock();
  largeRunRelease(m);
  poolUnlock();
}

/** Free a huge span starting at `p` whose registry entry is `entry` (validated, not tagged free). */
export function hugeFree(p: usize, entry: u32): void {
  counters(self).largeFrees++;
  const n = regPayload(entry);
  const units = n * <u32>SLABS_PER_SS;
  if (attached() && units <= LARGE_CACHE_UNITS && largeCachePut(self, p, units)) return;
  ringRecord(EV_LARGE_FREE, 0, p, n << CHUNK_SHIFT);
  poolLock();
  hugeRelease(<u32>(p >>> CHUNK_SHIFT), n);
  poolUnlock();
}

/** Usable bytes of a large run. */
// @ts-ignore: decorator
@inline export function largeRunUsable(m: usize): usize {
  return <usize>slabMeta(m).span << SLAB_SHIFT;
}

/** Usable bytes of a huge span. */
// @ts-ignore: decorator
@inline export function hugeUsable(entry: u32): usize {
  return <usize>regPayload(entry) << CHUNK_SHIFT;
}
