// thread.ts: thread lifecycle. attach gives an instance a fresh identity and a zeroed record;
// detach (the thread itself) and reclaim (anyone, for a thread that died) retire a record:
// push its outbox, spill its caches to their slabs, then release its empty slabs and orphan
// the rest, so nothing it held is lost (seeds 000, 001). collect returns everything a live
// thread can to the pools.
//
// rest ends a thread whose instance stays (a worker that will run the next thread, such as
// larson's next generation): it pushes the outbox and the large cache, then keeps the rest
// of its record (tid, caches, slabs) as THREAD_DORMANT, and the instance's next attach
// resumes it, same tid, with nothing handed back and nothing adopted again. Nothing in a
// dormant record is stranded: whoever needs it retires it as reclaim retires a dead thread's
// (attach finding no free slot, a thread out of memory before it asks for relief, collect,
// the host's reclaim of the tid), and the resume, a compare-and-swap of the record's
// {tid, state} word, then fails and the instance attaches afresh.
//
//   ACTIVE ──rest──► DORMANT ──attach on the same instance──► ACTIVE (same tid)
//                       └──retireDormant (anyone)──► RETIRING ──► FREE
//
// A record another thread retires (a dead thread's, a dormant one's) is RETIRING by that
// thread's slot, in the same state word (types.ts RETIRER_SHIFT). If the retirer dies before
// it is done, the reclaim of its tid takes over, with one compare-and-swap each, every record
// still RETIRING by its slot and finishes them (adoptRetirements): retirement is run again
// from the record's own journal and recounts, as a reclaim after a kill inside detach is.
//
// tids are slot | generation << 7 and never repeat, so a slab still naming a dead tid can
// never be mistaken for the new owner of the same slot (the "new thread after a dead one
// starts clean" rule).

import { ThreadHeader, GlobalHeader, Journal, threadBase, threadRecord, MAX_THREADS, TID_SLOT_BITS, TID_GEN_MASK, FAULT_THREAD_LIMIT,
         THREAD_FREE, THREAD_ACTIVE, THREAD_RETIRING, NUM_CLASSES, TH_CLASS_OFFSET, CLASS_STATE_SIZE,
         TH_OUTBOX_OFFSET, OUTBOX_SIZE, OUTBOX_ENTRY_SIZE, TH_JOURNAL_OFFSET, TH_LARGE_CACHE_OFFSET, LARGE_CACHE_SLOTS,
         THREAD_DORMANT, NO_TID, EV_ATTACH, EV_DETACH, EV_RECLAIM, EV_ADOPT, EV_ORPHAN, EV_SLAB_RELEASE,
         EV_REST, EV_RESUME, RETIRER_SHIFT, hdr, hdrField }
  from "./types";
import { cacheCapFor } from "./classes";
import { self, selfTid, setSelf, attached, syncMemory } from "./tls";
import { ensureInit } from "./init";
import { cacheEntry, heapSpill, heapTrim, heapDrain, heapHandBackEvery } from "./heap";
import { recoverRecord, handBackOwnedSlabs } from "./recover";
import { outboxFlushAll } from "./remote";
import { poolLock, poolUnlock, orphanPop, orphanPush, slabRelease, poolRepair } from "./pool";
import { slabMeta, slabBase } from "./superslab";
import { ringRecord } from "./ring";
import { recordFault } from "./fault";
import { largeCacheFlush } from "./large-cache";
import { ownerSet, ownerClear } from "./owner";
import { crashPoint } from "./journal";

/** Address of the record in slot `slot`. */
// @ts-ignore: decorator
@inline export function recordAt(slot: u32): usize {
  return threadRecord(slot);
}

/** A record's {tid, state} pair as one 64-bit word (tid at offset 0, state at 4). */
// @ts-ignore: decorator
@inline function tidState(tid: u32, state: u32): u64 {
  return <u64>tid | (<u64>state << 32);
}

/** Move record `rec` from {tid, from} to {tid, to} in one compare-and-swap; false if it was not in `from`. */
// @ts-ignore: decorator
@inline function moveState(rec: usize, tid: u32, from: u32, to: u32): bool {
  return atomic.cmpxchg<u64>(rec, tidState(tid, from), tidState(tid, to)) == tidState(tid, from);
}

/** The state word of a record being retired by the thread in slot `slot` (0: no thread attached). */
// @ts-ignore: decorator
@inline function retiringBy(slot: u32): u32 {
  return THREAD_RETIRING | (slot << RETIRER_SHIFT);
}

/** The state word a retirement this instance starts writes: RETIRING by its thread's slot. */
function retiringByMe(): u32 {
  return retiringBy(attached() ? selfTid & (MAX_THREADS - 1) : 0);
}

/** The tid this instance left dormant at its last rest (0: none). Instance-local. */
let dormantTid: u32 = 0;

/**
 * Give this instance a thread identity; returns its tid (0 if every slot is taken, or the heap
 * is another build's or version's). The identity this instance left dormant, if nobody retired
 * it since, is resumed; otherwise a fresh one.
 */
export function threadAttach(): u32 {
  if (attached()) return selfTid;
  if (!ensureInit()) return 0;
  syncMemory();
  if (dormantTid != 0) {
    const tid = dormantTid;
    dormantTid = 0;
    const rec = recordAt(tid & (MAX_THREADS - 1));
    if (moveState(rec, tid, THREAD_DORMANT, THREAD_ACTIVE)) {
      atomic.add<u32>(hdrField(offsetof<GlobalHeader>("resumes")), 1);
      setSelf(rec, tid);
      ringRecord(EV_RESUME, 0, rec, tid);
      return tid;
    }
  }
  let tid = attachFresh();
  if (tid == 0 && retireDormant(1) != 0) tid = attachFresh(); // a resting thread's slot
  if (tid == 0 && !limitReported) { // the thread limit is its own error, once per instance, not an OOM
    limitReported = true;
    recordFault(FAULT_THREAD_LIMIT, 0, MAX_THREADS - 1, 0);
  }
  return tid;
}

/** Take a free slot and give this instance a new identity in it; 0 if none is free. */
function attachFresh(): u32 {
  for (let slot: u32 = 1; slot < MAX_THREADS; slot++) {
    const rec = recordAt(slot);
    const th = changetype<ThreadHeader>(rec);
    const stateAddr = rec + offsetof<ThreadHeader>("state");
    if (atomic.load<u32>(stateAddr) != THREAD_FREE) continue;
    if (atomic.cmpxchg<u32>(stateAddr, THREAD_FREE, THREAD_ACTIVE) != THREAD_FREE) continue;
    const gen = atomic.add<u32>(hdrField(offsetof<GlobalHeader>("threadGen")), 1) + 1;
    const tid = slot | ((gen & TID_GEN_MASK) << TID_SLOT_BITS);
    resetHoldings(rec); // the counters are kept: they are cumulative over the slot's occupants
    const mode = hdr().cacheMode;
    for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
      cacheEntry(rec, cls).cap = <u16>cacheCapFor(cls, mode);
    }
    th.remoteBatch = hdr().remoteBatch;
    th.attachSeq = gen;
    th.reliefSeen = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("reliefEpoch"))); // nothing to give yet
    atomic.store<u32>(rec, tid);
    setSelf(rec, tid);
    ringRecord(EV_ATTACH, 0, rec, tid);
    return tid;
  }
  return 0;
}

/** Whether this instance already recorded that it found every thread slot taken. */
let limitReported = false;

/**
 * Zero what describes a record's holdings (caches' heads and counts, class states, outbox,
 * journal, the per-occupant header fields), keeping every cumulative counter (types.ts).
 */
function resetHoldings(rec: usize): void {
  const th = changetype<ThreadHeader>(rec);
  th.remoteBatch = 0;
  th.refillsSinceFlush = 0;
  th.attachSeq = 0;
  th.reliefSeen = 0;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    const e = cacheEntry(rec, cls);
    e.head = 0;
    e.count = 0;
    e.cap = 0;
  }
  memory.fill(rec + TH_CLASS_OFFSET, 0, NUM_CLASSES * CLASS_STATE_SIZE);
  memory.fill(rec + TH_OUTBOX_OFFSET, 0, OUTBOX_SIZE * OUTBOX_ENTRY_SIZE);
  memory.fill(rec + TH_JOURNAL_OFFSET, 0, offsetof<Journal>());
  memory.fill(rec + TH_LARGE_CACHE_OFFSET, 0, LARGE_CACHE_SLOTS << 2);
  th.largeCachedUnits = 0;
}

/**
 * Retire record `rec` whose tid is `tid`; the caller acts as that thread: the thread itself
 * (detach), or for a thread that is `dead` (reclaim; it may have died inside an update, or
 * inside its own detach). A dead thread's record is repaired first (recover.ts: journal,
 * recounted caches, outbox and slabs) and its slabs are found by owner word; a live one's
 * record is consistent and its slab lists are walked. Then: outbox first (those blocks belong
 * to others), then the caches (blocks go home to slabs `tid` still owns), then the slabs are
 * handed back. No counter is folded anywhere: a slot's counters stay, cumulative over its
 * occupants, so a retire that is killed and run again counts nothing twice.
 */
function threadRetire(rec: usize, tid: u32, dead: bool): void {
  if (dead) recoverRecord(rec, tid);
  largeCacheFlush(rec);
  outboxFlushAll(rec);
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) heapSpill(rec, tid, cls, 0xFFFFFFFF);
  if (dead) {
    handBackOwnedSlabs(rec, tid);
  } else {
    heapHandBackEvery(rec, tid);
  }
  resetHoldings(rec);
  atomic.store<u32>(rec, 0); // tid
  atomic.store<u32>(rec + offsetof<ThreadHeader>("state"), THREAD_FREE);
}

/** Retire this instance's thread identity. Returns 1, or 0 if it was not attached. */
export function threadDetach(): u32 {
  if (!attached()) return 0;
  syncMemory();
  const tid = selfTid;
  if (atomic.load<u32>(self) != tid) { // reclaimed while alive: the slot is someone else's now
    setSelf(threadBase(), NO_TID);
    return 0;
  }
  ringRecord(EV_DETACH, 0, self, tid);
  threadRetire(self, tid, false);
  setSelf(threadBase(), NO_TID);
  return 1;
}

/**
 * End this instance's thread but keep its identity and holdings for the instance's next
 * attach (see the file comment): the outbox and the large cache are pushed, as they belong to
 * others or to the pool; caches and slabs stay. Returns 1, or 0 if it was not attached.
 */
export function threadRest(): u32 {
  if (!attached()) return 0;
  syncMemory();
  const rec = self, tid = selfTid;
  if (atomic.load<u32>(rec) != tid) { // reclaimed while alive: the slot is someone else's now
    setSelf(threadBase(), NO_TID);
    return 0;
  }
  largeCacheFlush(rec);
  outboxFlushAll(rec);
  changetype<ThreadHeader>(rec).refillsSinceFlush = 0;
  // The rest's one shared store: a kill before it leaves an ACTIVE record, after it a DORMANT
  // one, and the host's reclaim of the tid takes either. Fails only if reclaimed meanwhile.
  const rested = moveState(rec, tid, THREAD_ACTIVE, THREAD_DORMANT);
  if (rested) {
    atomic.add<u32>(hdrField(offsetof<GlobalHeader>("rests")), 1);
    dormantTid = tid;
    ringRecord(EV_REST, 0, rec, tid);
  }
  setSelf(threadBase(), NO_TID);
  return rested ? 1 : 0;
}

/**
 * Retire up to `most` dormant records (their instances will attach afresh); returns how many.
 * The caller needs their holdings: a slot (attach), memory (out of memory), or all (collect).
 */
export function retireDormant(most: u32): u32 {
  let n: u32 = 0;
  for (let slot: u32 = 1; slot < MAX_THREADS && n < most; slot++) {
    const rec = recordAt(slot);
    if (atomic.load<u32>(rec + offsetof<ThreadHeader>("state")) != THREAD_DORMANT) continue;
    const tid = atomic.load<u32>(rec);
    if (!moveState(rec, tid, THREAD_DORMANT, retiringByMe())) continue; // resumed or taken meanwhile
    ringRecord(EV_RECLAIM, 0, rec, tid);
    threadRetire(rec, tid, true);
    atomic.add<u32>(hdrField(offsetof<GlobalHeader>("dormantRetired")), 1);
    n++;
  }
  return n;
}

/**
 * Retire the thread `tid` on behalf of a thread that died without detaching. The caller
 * must know it is dead (the host saw its worker exit). Returns 1 if reclaimed, 0 if `tid`
 * is not a live or dormant thread. A pool lock left held by the dead thread is taken over and
 * the pool repaired (poolRepair) before the record is.
 */
export function threadReclaim(tid: u32): u32 {
  const slot = tid & (MAX_THREADS - 1);
  if (slot == 0) return 0;
  if (attached() && tid == selfTid) return threadDetach();
  syncMemory();
  const rec = recordAt(slot);
  if (atomic.load<u32>(rec) != tid) return 0;
  // A dormant record is taken as a dead thread's: its instance may be gone with it.
  const by = retiringByMe();
  if (!moveState(rec, tid, THREAD_ACTIVE, by) && !moveState(rec, tid, THREAD_DORMANT, by)) return 0;
  // A pool lock the dead thread held: taken over (not released, so nobody else sees the
  // pool half updated), the pool rebuilt from its chunks and slabs, then released.
  if (atomic.cmpxchg<u32>(hdrField(offsetof<GlobalHeader>("poolLock")), tid, selfTid) == tid) {
    syncMemory();
    poolRepair();
    poolUnlock();
    atomic.add<u32>(hdrField(offsetof<GlobalHeader>("repairs")), 1);
  }
  ringRecord(EV_RECLAIM, 0, rec, tid);
  crashPoint(); // killed here: rec is RETIRING by us, what it was retiring still by its dead thread
  adoptRetirements(slot); // what the dead thread was retiring when it died: finished first
  threadRetire(rec, tid, true);
  atomic.add<u32>(hdrField(offsetof<GlobalHeader>("reclaims")), 1);
  return 1;
}

/**
 * Finish every retirement the thread in slot `slot` started and did not end (it died: the
 * caller is reclaiming it, and holds its record). Each record still RETIRING by that slot is
 * taken over with one compare-and-swap (so two reclaimers cannot both finish it) and retired
 * again from the start: the record's journal and recounts repair what the dead retirer left
 * half done (recover.ts), and what it had already handed back is not its any more. The records
 * that record's own thread was retiring when it died come first (a dead thread that was
 * reclaiming another dead one). A retirer with no thread attached (slot 0) cannot be told
 * dead from slow, so its retirements are left to it.
 */
function adoptRetirements(slot: u32): void {
  const by = retiringBy(slot), mine = retiringByMe();
  if (slot == 0 || by == mine) return;
  for (let s: u32 = 1; s < MAX_THREADS; s++) {
    const rec = recordAt(s);
    if (atomic.load<u32>(rec + offsetof<ThreadHeader>("state")) != by) continue;
    const tid = atomic.load<u32>(rec);
    if (!moveState(rec, tid, by, mine)) continue;
    atomic.add<u32>(hdrField(offsetof<GlobalHeader>("retirementsAdopted")), 1);
    crashPoint(); // killed here: the reclaim of this thread adopts rec again, and what rec was retiring
    if (tid == 0) { // only its last store was missing: the tid was cleared, the state not yet FREE
      atomic.store<u32>(rec + offsetof<ThreadHeader>("state"), THREAD_FREE);
      continue;
    }
    ringRecord(EV_RECLAIM, 0, rec, tid);
    adoptRetirements(s);
    threadRetire(rec, tid, true);
  }
}

/**
 * Return to the pools everything this thread can: push the outbox, empty the caches, drain
 * every owned slab and release the empty ones, then sweep the orphan lists (claim, drain,
 * release the empty, re-orphan the rest). After all blocks are freed and every thread has
 * collected or detached, every slab is back in the pool.
 */
export function threadCollect(): void {
  if (!attached()) return;
  giveBackAll(self, selfTid);
  retireDormant(MAX_THREADS); // and what resting threads keep
}

/**
 * Park this thread: it is going idle (for example the host's main thread between calls), so
 * it hands back everything it holds, also the slabs that still have blocks in use (orphaned:
 * the blocks other threads free into them become reusable by whoever adopts them). It keeps
 * its identity; its next malloc adopts or acquires slabs as usual.
 */
export function threadPark(): void {
  if (!attached()) return;
  syncMemory();
  const rec = self, tid = selfTid;
  largeCacheFlush(rec);
  outboxFlushAll(rec);
  changetype<ThreadHeader>(rec).refillsSinceFlush = 0;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) heapSpill(rec, tid, cls, 0xFFFFFFFF);
  heapHandBackEvery(rec, tid);
}

/** collect's work for record `rec` (also the out-of-memory relief before a retry). */
export function giveBackAll(rec: usize, tid: u32): void {
  syncMemory();
  largeCacheFlush(rec);
  outboxFlushAll(rec);
  changetype<ThreadHeader>(rec).refillsSinceFlush = 0;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    heapSpill(rec, tid, cls, 0xFFFFFFFF);
    heapTrim(rec, tid, cls, true);
  }
  sweepOrphans(rec, tid);
}

/** Claim and drain every orphan; release the empty ones and re-orphan the rest. */
export function sweepOrphans(rec: usize, tid: u32): void {
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    let keep: usize = 0;
    while (true) {
      poolLock();
      const m = orphanPop(cls);
      if (m != 0) ownerSet(m, tid); // claimed inside the lock: a kill leaves it owned, found
      poolUnlock();
      if (m == 0) break;
      ringRecord(EV_ADOPT, cls, m, 0);
      heapDrain(rec, tid, m);
      if (slabMeta(m).used == 0) {
        ringRecord(EV_SLAB_RELEASE, cls, slabBase(m), 0);
        poolLock();
        slabRelease(m);
        poolUnlock();
      } else {
        slabMeta(m).next = <u32>keep;
        keep = m;
      }
    }
    while (keep != 0) {
      const m = keep;
      keep = <usize>slabMeta(m).next;
      ringRecord(EV_ORPHAN, cls, m, slabMeta(m).used);
      poolLock();
      orphanPush(m);
      ownerClear(m); // inside the lock, after the push: no adopter sees it owned
      poolUnlock();
    }
  }
}

/** Number of attached threads. */
export function liveThreads(): u32 {
  let n: u32 = 0;
  for (let slot: u32 = 1; slot < MAX_THREADS; slot++) {
    if (atomic.load<u32>(recordAt(slot) + offsetof<ThreadHeader>("state")) == THREAD_ACTIVE) n++;
  }
  return n;
}
