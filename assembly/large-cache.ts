// large-cache.ts: a thread's cache of freed large runs and huge spans (requests above
// SMALL_MAX). A run freed by a thread (its own or another thread's: a large run has no owner)
// is kept in the freeing thread's cache, bounded (LARGE_CACHE_SLOTS runs, LARGE_CACHE_UNITS
// 64 KiB units), and its next request of the same size takes it back: no pool lock on either
// side. A run that does not fit, and everything at collect / park / detach / reclaim and on
// out-of-memory relief, goes back to the pool.
//
//   slot (u32, TH_LARGE_CACHE_OFFSET + 4 i):  run address | units      (0: empty)
//        units: a large run of k slabs: k (1..15); a huge span of n chunks: n * SLABS_PER_SS
//   ThreadHeader.largeCachedUnits = sum of the slots' units <= LARGE_CACHE_UNITS
//
// A cached run is free to the program and still allocated to the pool (SLAB_LARGE head or
// REG_HUGE chunk, counted in largeSlabs): it carries its free tag in its second word, like a
// free small block (free-tag.ts), so a second free, realloc or malloc_usable_size of it is
// caught as a double free, by any thread. Every run handed out has the tag cleared, whether it
// comes from a cache or from the pool (where a flushed run keeps the tag it had).
//
// Order of stores, for a thread killed between any two (reclaim flushes the dead thread's
// cache after recover.ts): a put publishes the slot, then tags, then counts; a take clears the
// slot, then the tag. A put cut short leaves a cached run (flushed at reclaim, tag or not), a
// take cut short a run in use by the dead thread (the free tag may remain on it: it is never
// handed out again, like the block of a malloc cut short). A flush clears a slot before it
// releases the run: cut short between the two, the run stays allocated to nobody (lost, never
// released twice: docs/ARCHITECTURE.md section 5 lists it under "Not covered").

import { ThreadHeader, ThreadCounters, TH_LARGE_CACHE_OFFSET, TH_COUNTERS_OFFSET, LARGE_CACHE_SLOTS,
         LARGE_CACHE_UNITS, LARGE_UNIT_MASK, SLAB_SHIFT, CHUNK_SHIFT, REG_HUGE,
         EV_LARGE_FREE } from "./types";
import { poolLock, poolUnlock, largeRunRelease, hugeRelease } from "./pool";
import { metaOf } from "./superslab";
import { registryOf, regKind, regPayload } from "./registry";
import { tagFree, untag } from "./free-tag";
import { ringRecord } from "./ring";

/** Address of slot `i` of the large cache of record `rec`. */
// @ts-ignore: decorator
@inline function slotAddr(rec: usize, i: u32): usize {
  return rec + TH_LARGE_CACHE_OFFSET + (<usize>i << 2);
}

/**
 * Take a cached run of exactly `units` from record `rec`'s cache; returns its address (tag
 * cleared) or 0. About 8 loads and compares when it misses: the slots are one cache line.
 */
export function largeCacheTake(rec: usize, units: u32): usize {
  const th = changetype<ThreadHeader>(rec);
  if (th.largeCachedUnits < units) return 0;
  for (let i: u32 = 0; i < LARGE_CACHE_SLOTS; i++) {
    const s = load<u32>(slotAddr(rec, i));
    if ((s & LARGE_UNIT_MASK) != units || s == 0) continue;
    const p = <usize>(s & ~LARGE_UNIT_MASK);
    store<u32>(slotAddr(rec, i), 0); // unpublished: the run is this thread's now
    untag(p);
    th.largeCachedUnits -= units;
    changetype<ThreadCounters>(rec + TH_COUNTERS_OFFSET).largeCacheHits++;
    return p;
  }
  return 0;
}

/**
 * Keep the run at `p` (`units` 64 KiB units, validated and not tagged free by the caller) in
 * record `rec`'s cache; false when it does not fit (the caller gives it to the pool).
 */
export function largeCachePut(rec: usize, p: usize, units: u32): bool {
  const th = changetype<ThreadHeader>(rec);
  if (th.largeCachedUnits + units > LARGE_CACHE_UNITS) return false;
  for (let i: u32 = 0; i < LARGE_CACHE_SLOTS; i++) {
    if (load<u32>(slotAddr(rec, i)) != 0) continue;
    store<u32>(slotAddr(rec, i), <u32>p | units); // published: a kill from here leaves it cached
    tagFree(p);
    th.largeCachedUnits += units;
    changetype<ThreadCounters>(rec + TH_COUNTERS_OFFSET).largeCacheKept++;
    return true;
  }
  return false;
}

/** Give every run in record `rec`'s large cache back to the pool (one hold of the pool lock). */
export function largeCacheFlush(rec: usize): void {
  const th = changetype<ThreadHeader>(rec);
  let held = false;
  for (let i: u32 = 0; i < LARGE_CACHE_SLOTS; i++) {
    const s = load<u32>(slotAddr(rec, i));
    if (s == 0) continue;
    if (!held) {
      poolLock();
      held = true;
    }
    store<u32>(slotAddr(rec, i), 0); // cleared before the release: never released twice
    releaseRun(<usize>(s & ~LARGE_UNIT_MASK), s & LARGE_UNIT_MASK);
  }
  if (held) poolUnlock();
  th.largeCachedUnits = 0;
}

/** Release one cached run to the pool (pool locked). */
function releaseRun(p: usize, units: u32): void {
  ringRecord(EV_LARGE_FREE, 0, p, units << SLAB_SHIFT);
  if (regKind(registryOf(p)) == REG_HUGE) hugeRelease(<u32>(p >>> CHUNK_SHIFT), regPayload(registryOf(p)));
  else largeRunRelease(metaOf(p));
}

/** The slot value of slot `i` of record `rec` (the checker and stats read the caches). */
export function largeCacheSlot(rec: usize, i: u32): u32 {
  return load<u32>(slotAddr(rec, i));
}
