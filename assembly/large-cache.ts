// large-cache.ts: a thread's cache of freed large runs and huge spans (requests above
// SMALL_MAX). A run freed by a thread (its own or another thread's: a large run has no owner)
// is kept in the freeing thread's cache, bounded (LARGE_CACHE_UNITS 64 KiB units in all), and
// its next request of the same size takes it back: no pool lock on either side. A run that
// does not fit, and everything at collect / park / detach / reclaim and on out-of-memory
// relief, goes back to the pool.
//
//   bin b < LARGE_CACHE_SLOTS - 1: the runs of b + 1 slabs; the last bin: every other size
//   slot (u32, TH_LARGE_CACHE_OFFSET + 4 b) ──► run ──► run ──► 0     one LIFO list per bin
//        an entry (the slot, or a run's first word, which links the next):  address | units
//        units: a large run of k slabs: k (1..15); a huge span of n chunks: n * SLABS_PER_SS
//        the run's second word: its free tag (as a free small block's)
//   ThreadHeader.largeCachedUnits = the units of every listed run <= LARGE_CACHE_UNITS
//
// A cached run is free to the program and still allocated to the pool (SLAB_LARGE head or
// REG_HUGE chunk, counted in largeSlabs): it carries its free tag in its second word, like a
// free small block (free-tag.ts), so a second free, realloc or malloc_usable_size of it is
// caught as a double free, by any thread. Every run handed out has the tag cleared, whether it
// comes from a cache or from the pool (where a flushed run keeps the tag it had).
//
// Order of stores, for a thread killed between any two (reclaim flushes the dead thread's
// cache after recover.ts): a put links the run, publishes it in its slot (one store), then
// tags and counts; a take unpublishes it (one store), then clears the tag. A put cut short
// leaves a cached run (flushed at reclaim, tag or not), a take cut short a run in use by the
// dead thread (the free tag may remain on it: it is never handed out again, like the block of
// a malloc cut short). A flush empties a slot (one store) before it releases its runs: cut
// short in between, the rest of that list stays allocated to nobody (lost, never released
// twice: docs/ARCHITECTURE.md section 5 lists it under "Not covered").

import { ThreadHeader, ThreadCounters, TH_LARGE_CACHE_OFFSET, TH_COUNTERS_OFFSET, LARGE_CACHE_SLOTS,
         LARGE_CACHE_UNITS, LARGE_UNIT_MASK, SLAB_SHIFT, CHUNK_SHIFT, REG_HUGE,
         EV_LARGE_FREE } from "./types";
import { poolLock, poolUnlock, largeRunRelease, hugeRelease } from "./pool";
import { metaOf } from "./superslab";
import { registryOf, regKind, regPayload } from "./registry";
import { tagFree, untag } from "./free-tag";
import { ringRecord } from "./ring";

/** The bin of runs of `units`: one per run size up to LARGE_CACHE_SLOTS - 1 slabs, then one for the rest. */
// @ts-ignore: decorator
@inline export function largeBin(units: u32): u32 {
  return units < LARGE_CACHE_SLOTS ? units - 1 : LARGE_CACHE_SLOTS - 1;
}

/** Address of the slot (list head) of bin `b` of record `rec`'s large cache. */
// @ts-ignore: decorator
@inline export function largeSlotAddr(rec: usize, b: u32): usize {
  return rec + TH_LARGE_CACHE_OFFSET + (<usize>b << 2);
}

/** The run an entry names. */
// @ts-ignore: decorator
@inline export function entryRun(entry: u32): usize {
  return <usize>(entry & ~LARGE_UNIT_MASK);
}

/**
 * Take a cached run of exactly `units` from record `rec`'s cache; returns its address (tag
 * cleared) or 0. A hit in a bin of one size: a load, a test and two stores; the last bin is
 * searched (it holds few runs: the budget is LARGE_CACHE_UNITS).
 */
export function largeCacheTake(rec: usize, units: u32): usize {
  const th = changetype<ThreadHeader>(rec);
  if (th.largeCachedUnits < units) return 0;
  let at = largeSlotAddr(rec, largeBin(units)); // the word holding the entry looked at
  let e = load<u32>(at);
  while (e != 0 && (e & LARGE_UNIT_MASK) != units) {
    at = entryRun(e);
    e = load<u32>(at);
  }
  if (e == 0) return 0;
  const p = entryRun(e);
  store<u32>(at, load<u32>(p)); // unpublished: the run is this thread's now
  untag(p);
  th.largeCachedUnits -= units;
  changetype<ThreadCounters>(rec + TH_COUNTERS_OFFSET).largeCacheHits++;
  return p;
}

/**
 * Keep the run at `p` (`units` 64 KiB units, validated and not tagged free by the caller) in
 * record `rec`'s cache; false when it does not fit (the caller gives it to the pool).
 */
export function largeCachePut(rec: usize, p: usize, units: u32): bool {
  const th = changetype<ThreadHeader>(rec);
  if (th.largeCachedUnits + units > LARGE_CACHE_UNITS) return false;
  const slot = largeSlotAddr(rec, largeBin(units));
  store<u32>(p, load<u32>(slot)); // link (the run is free memory: its first word is ours)
  store<u32>(slot, <u32>p | units); // published: a kill from here leaves it cached
  tagFree(p);
  th.largeCachedUnits += units;
  changetype<ThreadCounters>(rec + TH_COUNTERS_OFFSET).largeCacheKept++;
  return true;
}

/** Give every run in record `rec`'s large cache back to the pool (one hold of the pool lock). */
export function largeCacheFlush(rec: usize): void {
  const th = changetype<ThreadHeader>(rec);
  let held = false;
  for (let b: u32 = 0; b < LARGE_CACHE_SLOTS; b++) {
    let e = load<u32>(largeSlotAddr(rec, b));
    if (e == 0) continue;
    if (!held) {
      poolLock();
      held = true;
    }
    store<u32>(largeSlotAddr(rec, b), 0); // emptied before the releases: never released twice
    while (e != 0) {
      const p = entryRun(e);
      const units = e & LARGE_UNIT_MASK;
      e = load<u32>(p); // the link, read before the run goes back
      releaseRun(p, units);
    }
  }
  if (held) poolUnlock();
  th.largeCachedUnits = 0;
}

/**
 * The runs listed in record `rec`'s large cache (stats), at most LARGE_CACHE_UNITS per bin:
 * no list can be longer than the budget has units, so a link a program wrote after free
 * cannot make this loop forever.
 */
export function largeCachedRuns(rec: usize): u32 {
  let n: u32 = 0;
  for (let b: u32 = 0; b < LARGE_CACHE_SLOTS; b++) {
    let e = load<u32>(largeSlotAddr(rec, b));
    for (let k: u32 = 0; e != 0 && k < LARGE_CACHE_UNITS; k++) {
      n++;
      e = load<u32>(entryRun(e));
    }
  }
  return n;
}

/** Release one cached run to the pool (pool locked). */
function releaseRun(p: usize, units: u32): void {
  ringRecord(EV_LARGE_FREE, 0, p, units << SLAB_SHIFT);
  if (regKind(registryOf(p)) == REG_HUGE) hugeRelease(<u32>(p >>> CHUNK_SHIFT), regPayload(registryOf(p)));
  else largeRunRelease(metaOf(p));
}
