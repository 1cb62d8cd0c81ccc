// stats.ts: a snapshot of the heap's counters, written to the StatsBlock in the control chunk
// for the host to decode. Reads are racy while other threads run (good enough for a live
// view); with the threads idle the figures are exact.
//
//   StatsBlock (statsBase()):
//     u32[STATS_GLOBAL_WORDS]                 global figures, indexed by the ST_* constants
//     { stride, inUse, cached, freeListed, pending, slabs, carved, capacity } per class
//   pending = carved - freeListed - cached - inUse: blocks on remote stacks or in outboxes.

import { GlobalHeader, ThreadHeader, ThreadCounters, statsBase, STATS_GLOBAL_WORDS,
         STATS_CLASS_WORDS, NUM_CLASSES, MAX_THREADS, THREAD_ACTIVE, retiredBase,
         REG_SUPERSLAB, SLABS_PER_SS, SLAB_SMALL, SLAB_FREE, SLAB_SIZE, CHUNK_SHIFT,
         TH_COUNTERS_OFFSET, hdr, hdrField } from "./types";
import { classSize } from "./classes";
import { registryGet } from "./registry";
import { metaAt, slabMeta } from "./superslab";
import { orphanFirst } from "./pool";
import { cacheEntry } from "./heap";
import { recordAt } from "./thread";
import { syncMemory } from "./tls";

// Global word indices.
// abi: STATS_GLOBAL_FIELDS words ST_
// @ts-ignore: decorator
@inline export const ST_PAGES: u32 = 0;
// @ts-ignore: decorator
@inline export const ST_CHUNKS: u32 = 1;
// @ts-ignore: decorator
@inline export const ST_SUPERSLABS: u32 = 2;
// @ts-ignore: decorator
@inline export const ST_HUGE_SPANS: u32 = 3;
// @ts-ignore: decorator
@inline export const ST_LARGE_RUNS: u32 = 4;
// @ts-ignore: decorator
@inline export const ST_LARGE_SLABS: u32 = 5;
// @ts-ignore: decorator
@inline export const ST_GROWS: u32 = 6;
// @ts-ignore: decorator
@inline export const ST_OOM: u32 = 7;
// @ts-ignore: decorator
@inline export const ST_PEAK_CHUNKS: u32 = 8;
// @ts-ignore: decorator
@inline export const ST_THREADS: u32 = 9;
// @ts-ignore: decorator
@inline export const ST_REMOTE_FREES: u32 = 10;
// @ts-ignore: decorator
@inline export const ST_REMOTE_PUSHES: u32 = 11;
// @ts-ignore: decorator
@inline export const ST_DRAINS: u32 = 12;
// @ts-ignore: decorator
@inline export const ST_DRAINED_BLOCKS: u32 = 13;
// @ts-ignore: decorator
@inline export const ST_ADOPTIONS: u32 = 14;
// @ts-ignore: decorator
@inline export const ST_ORPHANED: u32 = 15;
// @ts-ignore: decorator
@inline export const ST_RECLAIMS: u32 = 16;
// @ts-ignore: decorator
@inline export const ST_FAULTS: u32 = 17;
// @ts-ignore: decorator
@inline export const ST_RING_SEQ: u32 = 18;
// @ts-ignore: decorator
@inline export const ST_SMALL_SLABS: u32 = 19;
// @ts-ignore: decorator
@inline export const ST_FREE_SLABS: u32 = 20;
// @ts-ignore: decorator
@inline export const ST_BYTES_ASKED_LO: u32 = 21;
// @ts-ignore: decorator
@inline export const ST_BYTES_ASKED_HI: u32 = 22;
// @ts-ignore: decorator
@inline export const ST_BYTES_GIVEN_LO: u32 = 23;
// @ts-ignore: decorator
@inline export const ST_BYTES_GIVEN_HI: u32 = 24;
// @ts-ignore: decorator
@inline export const ST_BYTES_IN_USE_LO: u32 = 25;
// @ts-ignore: decorator
@inline export const ST_BYTES_IN_USE_HI: u32 = 26;
// @ts-ignore: decorator
@inline export const ST_ORPHAN_SLABS: u32 = 27;
// @ts-ignore: decorator
@inline export const ST_CACHE_MODE: u32 = 28;
// @ts-ignore: decorator
@inline export const ST_REMOTE_BATCH: u32 = 29;
// @ts-ignore: decorator
@inline export const ST_RING_MODE: u32 = 30;
// @ts-ignore: decorator
@inline export const ST_DEBUG_BUILD: u32 = 31;

/** Per-class word indices. */
// abi: STATS_CLASS_FIELDS words SC_
// @ts-ignore: decorator
@inline const SC_STRIDE: u32 = 0;
// @ts-ignore: decorator
@inline const SC_IN_USE: u32 = 1;
// @ts-ignore: decorator
@inline const SC_CACHED: u32 = 2;
// @ts-ignore: decorator
@inline const SC_FREE: u32 = 3;
// @ts-ignore: decorator
@inline const SC_PENDING: u32 = 4;
// @ts-ignore: decorator
@inline const SC_SLABS: u32 = 5;
// @ts-ignore: decorator
@inline const SC_CARVED: u32 = 6;
// @ts-ignore: decorator
@inline const SC_CAPACITY: u32 = 7;

/** Address of global stats word `i`. */
// @ts-ignore: decorator
@inline function gw(i: u32): usize {
  return statsBase() + (<usize>i << 2);
}

/** Address of word `i` of class `cls`'s stats. */
// @ts-ignore: decorator
@inline function cw(cls: u32, i: u32): usize {
  return statsBase() + ((<usize>STATS_GLOBAL_WORDS + cls * STATS_CLASS_WORDS + i) << 2);
}

/**
 * Blocks of class `cls` in users' hands, from the threads' flow counters: what went into
 * caches from slabs, minus what went back to slabs, minus what is still cached. Independent
 * of the slabs' own `used` counts, which is what lets the checker catch drift.
 */
export function classInUse(cls: u32): i32 {
  const r = retiredBase() + (<usize>cls << 3);
  let n = <i32>(load<u32>(r) - load<u32>(r + 4));
  for (let slot: u32 = 1; slot < MAX_THREADS; slot++) {
    const rec = recordAt(slot);
    if (atomic.load<u32>(rec + offsetof<ThreadHeader>("state")) == 0) continue;
    const e = cacheEntry(rec, cls);
    n += <i32>(e.refilled - e.returned - <u32>e.count);
  }
  return n;
}

/** Write a snapshot to the StatsBlock and return its address. */
export function statsCollect(): usize {
  syncMemory();
  const h = hdr();
  memory.fill(statsBase(), 0, (STATS_GLOBAL_WORDS + NUM_CLASSES * STATS_CLASS_WORDS) << 2);
  let remoteFrees = h.retiredRemoteFrees;
  let remotePushes = h.retiredRemotePushes;
  let drains = h.retiredDrains;
  let drained = h.retiredDrainedBlocks;
  let asked = h.retiredBytesAsked;
  let given = h.retiredBytesGiven;
  let threads: u32 = 0;
  for (let slot: u32 = 1; slot < MAX_THREADS; slot++) {
    const rec = recordAt(slot);
    const st = atomic.load<u32>(rec + offsetof<ThreadHeader>("state"));
    if (st == 0) continue;
    if (st == THREAD_ACTIVE) threads++;
    const c = changetype<ThreadCounters>(rec + TH_COUNTERS_OFFSET);
    remoteFrees += c.remoteFrees;
    remotePushes += c.remotePushes;
    drains += c.drains;
    drained += c.drainedBlocks;
    asked += changetype<ThreadHeader>(rec).bytesAsked;
    given += changetype<ThreadHeader>(rec).bytesGiven;
    for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
      const e = cacheEntry(rec, cls);
      store<u32>(cw(cls, SC_CACHED), load<u32>(cw(cls, SC_CACHED)) + e.count);
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
      const cls = <u32>meta.cls;
      store<u32>(cw(cls, SC_SLABS), load<u32>(cw(cls, SC_SLABS)) + 1);
      store<u32>(cw(cls, SC_CARVED), load<u32>(cw(cls, SC_CARVED)) + meta.carved);
      store<u32>(cw(cls, SC_CAPACITY), load<u32>(cw(cls, SC_CAPACITY)) + meta.capacity);
      store<u32>(cw(cls, SC_FREE), load<u32>(cw(cls, SC_FREE)) + meta.freeCount);
    }
  }
  let inUseBytes: u64 = <u64>h.largeSlabs * SLAB_SIZE;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    const stride = classSize(cls);
    const inUse = classInUse(cls);
    store<u32>(cw(cls, SC_STRIDE), stride);
    store<i32>(cw(cls, SC_IN_USE), inUse);
    const pending = <i32>load<u32>(cw(cls, SC_CARVED)) - <i32>load<u32>(cw(cls, SC_FREE))
      - <i32>load<u32>(cw(cls, SC_CACHED)) - inUse;
    store<i32>(cw(cls, SC_PENDING), pending);
    inUseBytes += <u64>(inUse > 0 ? inUse : 0) * stride;
  }
  let orphans: u32 = 0;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    for (let m = orphanFirst(cls); m != 0; m = <usize>slabMeta(m).next) orphans++;
  }
  store<u32>(gw(ST_PAGES), <u32>memory.size());
  store<u32>(gw(ST_CHUNKS), h.heapChunks);
  store<u32>(gw(ST_SUPERSLABS), h.superslabs);
  store<u32>(gw(ST_HUGE_SPANS), h.hugeSpans);
  store<u32>(gw(ST_LARGE_RUNS), h.largeRuns);
  store<u32>(gw(ST_LARGE_SLABS), h.largeSlabs);
  store<u32>(gw(ST_GROWS), h.grows);
  store<u32>(gw(ST_OOM), atomic.load<u32>(hdrField(offsetof<GlobalHeader>("oomCount"))));
  store<u32>(gw(ST_PEAK_CHUNKS), h.peakChunks);
  store<u32>(gw(ST_THREADS), threads);
  store<u32>(gw(ST_REMOTE_FREES), remoteFrees);
  store<u32>(gw(ST_REMOTE_PUSHES), remotePushes);
  store<u32>(gw(ST_DRAINS), drains);
  store<u32>(gw(ST_DRAINED_BLOCKS), drained);
  store<u32>(gw(ST_ADOPTIONS), h.adoptions);
  store<u32>(gw(ST_ORPHANED), h.orphanedSlabs);
  store<u32>(gw(ST_RECLAIMS), atomic.load<u32>(hdrField(offsetof<GlobalHeader>("reclaims"))));
  store<u32>(gw(ST_FAULTS), atomic.load<u32>(hdrField(offsetof<GlobalHeader>("faultSeq"))));
  store<u32>(gw(ST_RING_SEQ), atomic.load<u32>(hdrField(offsetof<GlobalHeader>("ringSeq"))));
  store<u32>(gw(ST_SMALL_SLABS), smallSlabs);
  store<u32>(gw(ST_FREE_SLABS), freeSlabs);
  store<u64>(gw(ST_BYTES_ASKED_LO), asked);
  store<u64>(gw(ST_BYTES_GIVEN_LO), given);
  store<u64>(gw(ST_BYTES_IN_USE_LO), inUseBytes);
  store<u32>(gw(ST_ORPHAN_SLABS), orphans);
  store<u32>(gw(ST_CACHE_MODE), h.cacheMode);
  store<u32>(gw(ST_REMOTE_BATCH), h.remoteBatch);
  store<u32>(gw(ST_RING_MODE), h.ringMode);
  store<u32>(gw(ST_DEBUG_BUILD), h.debugBuild);
  return statsBase();
}
