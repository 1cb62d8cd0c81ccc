// layout-checks.ts: the layout's rules, checked by the compiler. Each line is an `if` on
// constants, so the compiler folds it: a rule that holds leaves no code, a rule that breaks
// stops the build with its message (AssemblyScript's ERROR builtin is compiled only when its
// branch survives). heapInit() calls layoutChecks() so the checks are compiled in every build.
// They must sit in a function: top-level code would give the module a start function.
//
// The rules, as equations (types.ts has the diagrams):
//   every record fits its slot:            offsetof<Record>() <= slot size
//   slot sizes are the records' sizes:     CACHE_ENTRY_SIZE == offsetof<CacheEntry>(), ...
//   the control region's parts are in order and do not overlap:
//                                          part.OFF + part bytes <= next part.OFF
//   the SuperSlab header's parts likewise: SS_META_OFFSET, SS_REMOTE_OFFSET, SS_BITMAP_OFFSET

import { GlobalHeader, HeapStamp, ThreadHeader, CacheEntry, CacheFlow, ClassState, OutboxEntry, ThreadCounters, Journal, PushState,
         FaultRecord, RingEvent, SlabMeta, SuperSlabHeader, CheckReport, CheckDetail,
         RetiredCounters, StatsGlobal, StatsClass,
         THREAD_OFF, THREAD_TABLE_OFF, THREAD_SIZE, MAX_THREADS, HEADER_OFF, HEADER_SLOT, REGISTRY_OFF,
         REGISTRY_BYTES, FAULT_OFF, FAULT_CAP, FAULT_RECORD_SIZE, CHECK_OFF, CHECK_SLOT,
         CHECK_REPORT_BYTES, CLASS_MAP_OFF, CLASS_MAP_BYTES, CLASS_SIZE_OFF, ORPHAN_OFF,
         RETIRED_OFF, STATS_OFF, STATS_BYTES, OWNER_OFF, OWNER_BYTES, RING_EVENTS_OFF, RING_CAP, RING_EVENT_SIZE,
         CONTROL_SIZE, NUM_CLASSES, TH_CACHE_OFFSET, CACHE_ENTRY_SIZE, TH_FLOW_OFFSET, CACHE_FLOW_SIZE, TH_CLASS_OFFSET,
         CLASS_STATE_SIZE, TH_OUTBOX_OFFSET, OUTBOX_SIZE, OUTBOX_ENTRY_SIZE, TH_COUNTERS_OFFSET,
         TH_JOURNAL_OFFSET, TH_PUSH_OFFSET, JOURNAL_SLOT, TH_LARGE_CACHE_OFFSET, LARGE_CACHE_SLOTS,
         LARGE_CACHE_UNITS, LARGE_UNIT_MASK,
         SS_META_OFFSET, SLAB_META_SIZE, SLABS_PER_SS, SS_REMOTE_OFFSET, REMOTE_STRIDE, REMOTE_BITS_MIN_STRIDE,
         SS_BITMAP_OFFSET, SS_HEADER_SIZE, SLAB_SIZE, SLAB_SHIFT, LOCK_WAITERS, LOCK_TAKEN, LOCK_SLEEPS,
         THREAD_DORMANT, RETIRER_SHIFT, TID_SLOT_BITS } from "./types";

/** Fail the build if a layout rule is broken; compiles to nothing when all hold. */
// @ts-ignore: decorator
@inline export function layoutChecks(): void {
  // records fit their slots
  if (offsetof<GlobalHeader>() > HEADER_SLOT) ERROR("GlobalHeader outgrows HEADER_SLOT");
  // a RETIRING state word holds the retirer's slot above every state value, in 32 bits
  if (THREAD_DORMANT >= (1 << RETIRER_SHIFT) || RETIRER_SHIFT + TID_SLOT_BITS > 32) {
    ERROR("the retirer's slot does not fit above the thread states");
  }
  // a lock's words follow its holder word at the offsets lock.ts uses
  if (offsetof<GlobalHeader>("poolLockWaiters") != offsetof<GlobalHeader>("poolLock") + LOCK_WAITERS
      || offsetof<GlobalHeader>("poolLockTaken") != offsetof<GlobalHeader>("poolLock") + LOCK_TAKEN
      || offsetof<GlobalHeader>("poolLockSleeps") != offsetof<GlobalHeader>("poolLock") + LOCK_SLEEPS) {
    ERROR("poolLock's words are not where lock.ts looks");
  }
  if (offsetof<GlobalHeader>("checkLockWaiters") != offsetof<GlobalHeader>("checkLock") + LOCK_WAITERS
      || offsetof<GlobalHeader>("checkLockTaken") != offsetof<GlobalHeader>("checkLock") + LOCK_TAKEN
      || offsetof<GlobalHeader>("checkLockSleeps") != offsetof<GlobalHeader>("checkLock") + LOCK_SLEEPS) {
    ERROR("checkLock's words are not where lock.ts looks");
  }
  if (offsetof<ThreadHeader>() > TH_CACHE_OFFSET) ERROR("ThreadHeader outgrows its slot (TH_CACHE_OFFSET)");
  // the heap stamp: at HEAP_BASE in every build, inside slot 0's header, clear of its caches
  if (THREAD_OFF != 0) ERROR("the thread table must start at HEAP_BASE (slot 0 holds the heap stamp)");
  if (offsetof<HeapStamp>() > offsetof<ThreadHeader>()) ERROR("HeapStamp outgrows slot 0's header");
  if (offsetof<CacheEntry>() != CACHE_ENTRY_SIZE) ERROR("CACHE_ENTRY_SIZE is not the size of CacheEntry");
  if (offsetof<CacheFlow>() != CACHE_FLOW_SIZE) ERROR("CACHE_FLOW_SIZE is not the size of CacheFlow");
  if (CACHE_FLOW_SIZE != CACHE_ENTRY_SIZE) ERROR("flowOf needs the flows at the entries' stride");
  if (offsetof<ClassState>() != CLASS_STATE_SIZE) ERROR("CLASS_STATE_SIZE is not the size of ClassState");
  if (offsetof<OutboxEntry>() != OUTBOX_ENTRY_SIZE) ERROR("OUTBOX_ENTRY_SIZE is not the size of OutboxEntry");
  if (offsetof<FaultRecord>() > FAULT_RECORD_SIZE) ERROR("FaultRecord outgrows FAULT_RECORD_SIZE");
  if (offsetof<RingEvent>() > RING_EVENT_SIZE) ERROR("RingEvent outgrows RING_EVENT_SIZE");
  if (offsetof<SlabMeta>() > SLAB_META_SIZE) ERROR("SlabMeta outgrows SLAB_META_SIZE");
  if (offsetof<SuperSlabHeader>() > SS_META_OFFSET) ERROR("SuperSlabHeader outgrows its slot (SS_META_OFFSET)");
  if (CHECK_REPORT_BYTES > CHECK_SLOT) ERROR("the check report outgrows CHECK_SLOT");
  // the thread record's parts, in order, inside THREAD_SIZE
  if (TH_CACHE_OFFSET + NUM_CLASSES * CACHE_ENTRY_SIZE > TH_FLOW_OFFSET) ERROR("thread record: caches overlap the flows");
  if (TH_FLOW_OFFSET + NUM_CLASSES * CACHE_FLOW_SIZE > TH_CLASS_OFFSET) ERROR("thread record: flows overlap the class states");
  if (TH_CLASS_OFFSET + NUM_CLASSES * CLASS_STATE_SIZE > TH_OUTBOX_OFFSET) ERROR("thread record: class states overlap the outbox");
  if (TH_OUTBOX_OFFSET + OUTBOX_SIZE * OUTBOX_ENTRY_SIZE > TH_COUNTERS_OFFSET) ERROR("thread record: outbox overlaps the counters");
  if (TH_COUNTERS_OFFSET + offsetof<ThreadCounters>() > TH_JOURNAL_OFFSET) ERROR("thread record: counters overlap the journal");
  if (offsetof<Journal>() > JOURNAL_SLOT) ERROR("Journal outgrows JOURNAL_SLOT");
  if (TH_LARGE_CACHE_OFFSET + LARGE_CACHE_SLOTS * 4 > TH_PUSH_OFFSET) ERROR("thread record: the large cache overlaps the push state");
  if ((TH_PUSH_OFFSET & 63) != 0) ERROR("thread record: the push state must start a 64-byte line");
  // a large-cache slot: address | units; units must fit below the smallest run alignment
  if (LARGE_CACHE_UNITS > LARGE_UNIT_MASK || LARGE_UNIT_MASK >= SLAB_SIZE) ERROR("large-cache units do not fit a slot's low bits");
  if (TH_PUSH_OFFSET + offsetof<PushState>() > THREAD_SIZE) ERROR("thread record outgrows THREAD_SIZE");
  if ((SS_REMOTE_OFFSET & 7) != 0 || (REMOTE_STRIDE & 7) != 0) ERROR("remote heads must be 8-aligned (64-bit CAS)");
  if (SLAB_SIZE / REMOTE_BITS_MIN_STRIDE > 32) ERROR("a slab that takes remote frees as bits must hold at most 32 blocks");
  // the control region's parts, in order, inside CONTROL_SIZE
  if (THREAD_OFF + THREAD_SIZE > HEADER_OFF) ERROR("control region: slot 0 overlaps the header");
  if (HEADER_OFF + HEADER_SLOT > REGISTRY_OFF) ERROR("control region: header overlaps the registry");
  if (REGISTRY_OFF + REGISTRY_BYTES > FAULT_OFF) ERROR("control region: registry overlaps the fault log");
  if (FAULT_OFF + FAULT_CAP * FAULT_RECORD_SIZE > CHECK_OFF) ERROR("control region: fault log overlaps the check report");
  if (CHECK_OFF + CHECK_SLOT > CLASS_MAP_OFF) ERROR("control region: check report overlaps the class map");
  if (CLASS_MAP_OFF + CLASS_MAP_BYTES > CLASS_SIZE_OFF) ERROR("control region: class map overlaps the class sizes");
  if (CLASS_SIZE_OFF + NUM_CLASSES * 2 > ORPHAN_OFF) ERROR("control region: class sizes overlap the orphan lists");
  if (ORPHAN_OFF + NUM_CLASSES * 4 > RETIRED_OFF) ERROR("control region: orphan lists overlap the retired counters");
  if (RETIRED_OFF + NUM_CLASSES * offsetof<RetiredCounters>() > STATS_OFF) ERROR("control region: retired counters overlap the stats block");
  if (STATS_OFF + STATS_BYTES > OWNER_OFF) ERROR("control region: stats block overlaps the slab owners");
  if (OWNER_OFF + OWNER_BYTES > RING_EVENTS_OFF) ERROR("control region: slab owners overlap the ring");
  if (OWNER_BYTES != (<u32>1 << (32 - SLAB_SHIFT)) * 4) ERROR("slab owners: not one entry per 64 KiB of a 4 GiB memory");
  if (RING_EVENTS_OFF + RING_CAP * RING_EVENT_SIZE > THREAD_TABLE_OFF) ERROR("control region: ring overlaps the thread table");
  if (THREAD_TABLE_OFF + (MAX_THREADS - 1) * THREAD_SIZE > CONTROL_SIZE) ERROR("control region: thread table outgrows CONTROL_SIZE");
  if (THREAD_TABLE_OFF > (1 << 20) - (1 << 16)) ERROR("control region: what malloc reads before init must fit the first MiB above a 64 KiB heap base");
  if (STATS_BYTES != offsetof<StatsGlobal>() + NUM_CLASSES * offsetof<StatsClass>()) ERROR("STATS_BYTES is not the stats records' size");
  if (CHECK_REPORT_BYTES < offsetof<CheckReport>() + offsetof<CheckDetail>()) ERROR("the check report has no room for a detail");
  // the SuperSlab header's parts, in order, below slab 0's first block
  if (SS_META_OFFSET + SLABS_PER_SS * SLAB_META_SIZE > SS_REMOTE_OFFSET) ERROR("SuperSlab: slab metadata overlaps the remote heads");
  if (SS_REMOTE_OFFSET + SLABS_PER_SS * REMOTE_STRIDE > SS_BITMAP_OFFSET) ERROR("SuperSlab: remote heads overlap the bitmaps");
  if (SS_HEADER_SIZE >= SLAB_SIZE) ERROR("SuperSlab: the header fills slab 0");
}
