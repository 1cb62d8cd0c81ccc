// stats.ts: a snapshot of the heap's counters, written to the StatsBlock in the control chunk
// for the host to decode. Reads are racy while other threads run (good enough for a live
// view); with the threads idle the figures are exact.
//
//   StatsBlock (statsBase(), STATS_BYTES): a StatsGlobal, then a StatsClass per class (both
//   records and their diagram are in types.ts).
//   pending = carved - free - cached - inUse: blocks on remote stacks or in outboxes.

import { flowOf, GlobalHeader, ThreadHeader, ThreadCounters, statsBase, StatsGlobal, StatsClass,
         STATS_BYTES, NUM_CLASSES, MAX_THREADS, THREAD_ACTIVE, THREAD_DORMANT, THREAD_FREE, RetiredCounters, retiredOf,
         REG_SUPERSLAB, SLABS_PER_SS, SLAB_SMALL, SLAB_FREE, SLAB_SIZE, CHUNK_SHIFT,
         TH_COUNTERS_OFFSET, hdr, hdrField } from "./types";
import { classSize } from "./classes";
import { registryGet } from "./registry";
import { metaAt, slabMeta } from "./superslab";
import { orphanFirst } from "./pool";
import { cacheEntry } from "./heap";
import { recordAt } from "./thread";
import { syncMemory } from "./tls";
import { largeCachedRuns as cachedRunsOf } from "./large-cache";

/** The StatsGlobal of the stats block. */
// @ts-ignore: decorator
@inline function statsGlobal(): StatsGlobal {
  return changetype<StatsGlobal>(statsBase());
}

/** The StatsClass of class `cls`. */
// @ts-ignore: decorator
@inline function statsClass(cls: u32): StatsClass {
  return changetype<StatsClass>(statsBase() + offsetof<StatsGlobal>() + <usize>cls * offsetof<StatsClass>());
}

/**
 * Blocks of class `cls` in users' hands, from the threads' flow counters: what went into
 * caches from slabs, minus what went back to slabs, minus what is still cached. Independent
 * of the slabs' own `used` counts, which is what lets the checker catch drift.
 */
export function classInUse(cls: u32): i32 {
  const r = changetype<RetiredCounters>(retiredOf(cls));
  let n = <i32>(r.refilled - r.returned);
  for (let slot: u32 = 1; slot < MAX_THREADS; slot++) {
    const e = cacheEntry(recordAt(slot), cls); // every slot: its flows are cumulative over occupants
    n += <i32>(flowOf(e).refilled - flowOf(e).returned - <u32>e.count);
  }
  return n;
}

/** Write a snapshot to the StatsBlock and return its address. */
export function statsCollect(): usize {
  syncMemory();
  const h = hdr();
  memory.fill(statsBase(), 0, STATS_BYTES);
  let remoteFrees: u32 = 0;
  let remotePushes: u32 = 0;
  let drains: u32 = 0;
  let drained: u32 = 0;
  let asked: u64 = 0;
  let given: u64 = 0;
  let threads: u32 = 0, dormant: u32 = 0;
  let cacheHits: u32 = 0, cacheKept: u32 = 0, largeCached: u32 = 0, largeCachedRuns: u32 = 0;
  for (let slot: u32 = 1; slot < MAX_THREADS; slot++) {
    const rec = recordAt(slot);
    // every slot, free ones too: a slot's counters are cumulative over its occupants
    const state = atomic.load<u32>(rec + offsetof<ThreadHeader>("state"));
    if (state == THREAD_ACTIVE) threads++;
    else if (state == THREAD_DORMANT) dormant++;
    const c = changetype<ThreadCounters>(rec + TH_COUNTERS_OFFSET);
    remoteFrees += c.remoteFrees;
    remotePushes += c.remotePushes;
    drains += c.drains;
    drained += c.drainedBlocks;
    cacheHits += c.largeCacheHits;
    cacheKept += c.largeCacheKept;
    if (atomic.load<u32>(rec + offsetof<ThreadHeader>("state")) != THREAD_FREE) {
      largeCached += changetype<ThreadHeader>(rec).largeCachedUnits;
      largeCachedRuns += cachedRunsOf(rec);
    }
    asked += changetype<ThreadHeader>(rec).largeBytesAsked;
    given += changetype<ThreadHeader>(rec).largeBytesGiven;
    for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
      statsClass(cls).cached += cacheEntry(rec, cls).count;
    }
  }
  // Slabs, by walking every SuperSlab the registry knows.
  let smallSlabs: u32 = 0;
  let freeSlabs: u32 = 0;
  for (let c = h.firstChunk; c < h.chunkCount; c++) {
    if (registryGet(c) != REG_SUPERSLAB) continue;
    const ss = <usize>c << CHUNK_SHIFT;
    for (let k: u32 = 0; k < SLABS_PER_SS; k++) {
      const meta = slabMeta(metaAt(ss, k));
      if (meta.state == SLAB_FREE) { freeSlabs++; continue; }
      if (meta.state != SLAB_SMALL) continue;
      smallSlabs++;
      const sc = statsClass(<u32>meta.cls);
      sc.slabs += 1;
      sc.carved += meta.carved;
      sc.capacity += meta.capacity;
      sc.free += meta.freeCount;
    }
  }
  let inUseBytes: u64 = <u64>(h.largeSlabs - largeCached) * SLAB_SIZE; // cached runs are free
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    const stride = classSize(cls);
    const inUse = classInUse(cls);
    const sc = statsClass(cls);
    sc.stride = stride;
    sc.inUse = inUse;
    sc.pending = <i32>sc.carved - <i32>sc.free - <i32>sc.cached - inUse;
    inUseBytes += <u64>(inUse > 0 ? inUse : 0) * stride;
  }
  let orphans: u32 = 0;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    for (let m = orphanFirst(cls); m != 0; m = <usize>slabMeta(m).next) orphans++;
  }
  const g = statsGlobal();
  g.largeBytesAsked = asked;
  g.largeBytesGiven = given;
  g.bytesInUse = inUseBytes;
  g.pages = <u32>memory.size();
  g.chunks = h.heapChunks;
  g.superslabs = h.superslabs;
  g.hugeSpans = h.hugeSpans;
  g.largeRuns = h.largeRuns;
  g.largeSlabs = h.largeSlabs;
  g.grows = h.grows;
  g.oom = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("oomCount")));
  g.peakChunks = h.peakChunks;
  g.threads = threads;
  g.remoteFrees = remoteFrees;
  g.remotePushes = remotePushes;
  g.drains = drains;
  g.drainedBlocks = drained;
  g.adoptions = h.adoptions;
  g.orphaned = h.orphanedSlabs;
  g.reclaims = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("reclaims")));
  g.faults = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("faultSeq")));
  g.ringSeq = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("ringSeq")));
  g.smallSlabs = smallSlabs;
  g.freeSlabs = freeSlabs;
  g.orphanSlabs = orphans;
  g.deadHeld = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("deadHeld")));
  g.repairs = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("repairs")));
  g.dormant = dormant;
  g.rests = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("rests")));
  g.resumes = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("resumes")));
  g.dormantRetired = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("dormantRetired")));
  g.retirementsAdopted = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("retirementsAdopted")));
  g.poolLockTaken = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("poolLockTaken")));
  g.poolLockSleeps = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("poolLockSleeps")));
  g.largeCacheHits = cacheHits;
  g.largeCacheKept = cacheKept;
  g.largeCached = largeCached;
  g.largeCachedRuns = largeCachedRuns;
  g.cacheMode = h.cacheMode;
  g.remoteBatch = h.remoteBatch;
  g.ringMode = h.ringMode;
  g.debugBuild = h.debugBuild;
  return statsBase();
}
