// recover.ts: repairing a dead thread's record before reclaim retires it.
//
// A worker can be terminated between any two stores, so reclaim treats the dead thread's
// record as possibly torn in the middle of one update, and trusts only what it can check:
//   1. the journal (journal.ts): the one multi-step update in progress is finished or undone;
//   2. the caches: each list is walked (every block must be a carved block of a slab the dead
//      thread owns, of the right class), its count is what the walk found, and every block
//      gets its free tag again (a kill between publishing and tagging leaves one without);
//   3. the outbox: each chain is walked inside its slab, its tail and count recounted;
//   4. the slabs: the dead thread's slabs are found by their owner word, not from its lists,
//      and each one's free list is recounted: freeCount = its length, used = carved - freeCount.
// The flow counters are exact after step 1 (every update that changes one journals its value
// before). A cache one block shorter than its count is a malloc killed after taking a block:
// that block stays in use, counted in GlobalHeader.deadHeld.
//
// The pool's own structures (a thread killed while it held the pool lock) are repaired by
// poolRepair (pool.ts), which reclaim runs first, with the lock taken over.

import { flowOf, SlabMeta, GlobalHeader, ThreadHeader, OutboxEntry, DEBUG_BUILD, SLAB_SMALL, LIST_NONE, LIST_ORPHAN, REG_SUPERSLAB, CHUNK_SHIFT,
         SLABS_PER_SS, NUM_CLASSES, MAX_REMOTE_BATCH, OUTBOX_SIZE, FAULT_CORRUPT_LIST,
         FOUND_CLASS_SHIFT, FOUND_OWNER_SHIFT, TH_CLASS_OFFSET, CLASS_STATE_SIZE, hdr, hdrField }
  from "./types";
import { registryGet, registryOf, regKind } from "./registry";
import { metaAt, metaOf, slabMeta, remoteHeadOf, remoteByBits } from "./superslab";
import { blockIndex, bitSetAllocated, bitClearAllocated, linkBits } from "./slab";
import { cacheEntry, heapHandBack } from "./heap";
import { outboxAt, outboxIndex, pushBit } from "./remote";
import { tagFree, isTaggedFree } from "./free-tag";
import { pushHappened, headWord } from "./push-tag";
import { journalOf, JOP_NONE, JOP_FLUSH, JOP_DRAIN, JOP_RFREE, JOP_SLABFREE, JOP_SPILL, JOP_TAKE,
         JOP_CARVE, JOP_RBIT } from "./journal";
import { recordFault } from "./fault";
import { ownerClear } from "./owner";

/** Repair the record `rec` of dead thread `tid` (steps 1 to 4 above), before it is retired. */
export function recoverRecord(rec: usize, tid: u32): void {
  const j = journalOf(rec);
  const inUpdate = j.op != JOP_NONE; // then it was not inside a malloc's pop
  recoverJournal(rec);
  recountCaches(rec, tid, !inUpdate);
  if (DEBUG_BUILD) settleDebugFree(rec);
  recountOutbox(rec);
  recountOwnedSlabs(tid);
  memory.fill(rec + TH_CLASS_OFFSET, 0, NUM_CLASSES * CLASS_STATE_SIZE); // lists rebuilt by owner
}

// ---- 1. the journal ------------------------------------------------------------------------

/** Finish or undo the update journaled in `rec`, if any. */
function recoverJournal(rec: usize): void {
  const j = journalOf(rec);
  const op = j.op;
  if (op == JOP_NONE) return;
  const p = <usize>j.block;
  const m = metaOf(p);
  const meta = slabMeta(m);
  if (op == JOP_FLUSH) {
    const ob = outboxAt(rec, j.aux);
    if (ob.head != 0 && <usize>ob.slab == m && <usize>ob.head == p &&
        pushHappened(remoteHeadOf(m), j.tag)) {
      ob.head = 0; // pushed: the slot is done (not pushed: it stays, retire pushes it)
      ob.slab = 0;
    }
  } else if (op == JOP_DRAIN && remoteByBits(meta.stride)) {
    // The dead owner was the only drainer, and drained bits cannot be set again (their blocks
    // carry their tags): the CAS happened iff some of them are gone from the head.
    const bits = j.aux;
    if ((<u32>atomic.load<u64>(remoteHeadOf(m)) & bits) != bits) relinkBits(m, p, bits);
  } else if (op == JOP_DRAIN) {
    if (atomic.load<u64>(remoteHeadOf(m)) != headWord(p, j.tag) && !onRemoteStack(m, p)) {
      relinkDrained(m, p); // the CAS took the chain: it was only in the dead thread's locals
    }
  } else if (op == JOP_RBIT) {
    if (!pushHappened(remoteHeadOf(m), j.tag)) { // not set: finish the free the program asked for
      const idx = blockIndex(meta, p);
      store<u32>(p, 0);
      tagFree(p);
      if (idx >= 0) pushBit(m, <u32>idx, 0);
    } // set: the owner may have drained and reused the block since, so it is left alone
    flowOf(cacheEntry(rec, meta.cls)).returned = j.before + 1;
  } else if (op == JOP_RFREE) {
    const ob = outboxAt(rec, outboxIndex(m));
    if (<usize>ob.slab != m || ob.head == 0) {
      ob.slab = <u32>m;
      ob.head = 0;
    }
    if (!onChain(<usize>ob.head, p, MAX_REMOTE_BATCH + 2)) {
      store<u32>(p, ob.head);
      ob.head = <u32>p;
    }
    tagFree(p);
    flowOf(cacheEntry(rec, meta.cls)).returned = j.before + 1;
  } else if (op == JOP_SLABFREE) {
    if (<usize>meta.freeHead != p) pushFree(meta, p);
    tagFree(p);
    flowOf(cacheEntry(rec, meta.cls)).returned = j.before + 1;
  } else if (op == JOP_SPILL) {
    const e = cacheEntry(rec, j.aux); // aux: the class
    if (p != 0 && <usize>e.head != p && <usize>meta.freeHead != p) pushFree(meta, p); // in transit
    flowOf(e).returned = j.before + (j.count - chainLength(<usize>e.head, j.count));
  } else if (op == JOP_TAKE) {
    const e = cacheEntry(rec, meta.cls);
    if (<usize>e.head == p) {
      flowOf(e).refilled = j.before + j.count; // published
    } else {
      if (<usize>meta.freeHead != p) { // detached, not published: back onto the free list
        let last = p;
        for (let i: u32 = 1; i < j.count; i++) last = <usize>load<u32>(last);
        store<u32>(last, meta.freeHead);
        meta.freeHead = <u32>p;
      }
      flowOf(e).refilled = j.before;
    }
  } else if (op == JOP_CARVE) {
    const e = cacheEntry(rec, meta.cls);
    if (<usize>e.head == p) {
      meta.carved = j.aux + j.count; // published
      flowOf(e).refilled = j.before + j.count;
    } else {
      meta.carved = j.aux; // never visible: not carved
      flowOf(e).refilled = j.before;
    }
  }
  j.op = JOP_NONE;
  atomic.add<u32>(hdrField(offsetof<GlobalHeader>("repairs")), 1);
}

/** Push `p` on a slab's free list (counts are recounted later, step 4). */
function pushFree(meta: SlabMeta, p: usize): void {
  store<u32>(p, meta.freeHead);
  meta.freeHead = <u32>p;
}

/** Length of the chain at `head`, counting at most `most` links. */
function chainLength(head: usize, most: u32): u32 {
  let n: u32 = 0;
  for (let q = head; q != 0 && n < most; n++) q = <usize>load<u32>(q);
  return n;
}

/** Is `p` on the chain starting at `head`, within `most` links? */
function onChain(head: usize, p: usize, most: u32): bool {
  let q = head;
  for (let i: u32 = 0; q != 0 && i < most; i++) {
    if (q == p) return true;
    q = <usize>load<u32>(q);
  }
  return false;
}

/** Is block `p` still on slab `m`'s remote stack? (Only the dead owner could have drained it.) */
function onRemoteStack(m: usize, p: usize): bool {
  const meta = slabMeta(m);
  const lo = <usize>meta.dataStart;
  const span = <usize>meta.carved * <usize>meta.stride;
  let q = <usize>atomic.load<u32>(remoteHeadOf(m));
  for (let i: u32 = 0; q != 0 && i <= meta.carved; i++) {
    if (q == p) return true;
    if (q - lo >= span) return false; // a corrupt link: the drain will report it
    q = <usize>load<u32>(q);
  }
  return false;
}

/**
 * A drained chain from `list` that may or may not have reached the free list: link it on
 * unless it is there. Its tail links to 0, or already to the free list's head (the link was
 * written, the head not yet).
 */
function relinkDrained(m: usize, list: usize): void {
  const meta = slabMeta(m);
  if (<usize>meta.freeHead == list) return; // linked
  const lo = <usize>meta.dataStart;
  const span = <usize>meta.carved * <usize>meta.stride;
  const head = <usize>meta.freeHead;
  let tail = list;
  for (let i: u32 = 0; i < meta.carved; i++) {
    if (tail - lo >= span) { corrupt(m, tail, i); return; }
    const next = <usize>load<u32>(tail);
    if (next == 0 || next == head) break;
    tail = next;
  }
  store<u32>(tail, <u32>head);
  meta.freeHead = <u32>list;
}

/**
 * Bits drained off slab `m`'s remote head (lowest block `first`) that may or may not have
 * reached the free list: drainBits publishes them with one store, so they are on it iff the
 * list starts at `first`; otherwise chain them again and publish.
 */
function relinkBits(m: usize, first: usize, bits: u32): void {
  const meta = slabMeta(m);
  if (<usize>meta.freeHead == first) return; // published
  const carved = meta.carved;
  if (carved < 32 && (bits >>> carved) != 0) { corrupt(m, first, 0); return; }
  meta.freeHead = <u32>linkBits(m, bits);
}

/** Record a list reclaim could not walk (a write after free): the fault, not a loop. */
function corrupt(m: usize, bad: usize, n: u32): void {
  const meta = slabMeta(m);
  recordFault(FAULT_CORRUPT_LIST, bad, <u32>meta.state | (<u32>meta.cls << FOUND_CLASS_SHIFT)
    | (atomic.load<u32>(m) << FOUND_OWNER_SHIFT), n);
}

// ---- 2. the caches -------------------------------------------------------------------------

/** Is `p` a carved block of a small slab of class `cls` owned by `tid`? */
function ownedBlock(p: usize, tid: u32, cls: u32): bool {
  if (regKind(registryOf(p)) != REG_SUPERSLAB) return false;
  const m = metaOf(p);
  const meta = slabMeta(m);
  if (meta.state != SLAB_SMALL || <u32>meta.cls != cls || atomic.load<u32>(m) != tid) return false;
  const idx = blockIndex(meta, p);
  return idx >= 0 && <u32>idx < meta.carved;
}

/**
 * Walk every cache of `rec`: counts from the walk, tags restored, a bad link cut (fault).
 * With `countHeld`, a cache one block short of its count is a killed malloc's (deadHeld).
 */
function recountCaches(rec: usize, tid: u32, countHeld: bool): void {
  let held: u32 = 0;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    const e = cacheEntry(rec, cls);
    const most = <u32>e.cap + 2;
    let n: u32 = 0;
    let prev: usize = 0;
    let p = <usize>e.head;
    while (p != 0) {
      if (n >= most || !ownedBlock(p, tid, cls)) {
        if (prev == 0) e.head = 0; else store<u32>(prev, 0);
        recordFault(FAULT_CORRUPT_LIST, p, cls, n);
        break;
      }
      tagFree(p);
      if (DEBUG_BUILD) setBit(p, false); // a cached block is free (a malloc killed after its bit)
      n++;
      prev = p;
      p = <usize>load<u32>(p);
    }
    if (countHeld && <u32>e.count == n + 1) held++; // a malloc killed after taking its block
    e.count = <u16>n;
  }
  if (held != 0) atomic.add<u32>(hdrField(offsetof<GlobalHeader>("deadHeld")), held);
}

/** Debug build: set or clear the allocation bit of block `p` (a carved block of a small slab). */
function setBit(p: usize, allocated: bool): void {
  const m = metaOf(p);
  const idx = blockIndex(slabMeta(m), p);
  if (idx < 0) return;
  if (allocated) bitSetAllocated(m, <u32>idx); else bitClearAllocated(m, <u32>idx);
}

/**
 * Debug build: a free killed after clearing its block's allocation bit. After the journal is
 * settled and the caches re-tagged, the free took effect iff the block carries its free tag
 * (every path tags a block where it joins a list: free-tag.ts); otherwise the free never
 * happened and the block is still the program's: its bit is set again.
 */
function settleDebugFree(rec: usize): void {
  const th = changetype<ThreadHeader>(rec);
  const p = <usize>th.debugFreeing;
  th.debugFreeing = 0;
  if (p != 0 && !isTaggedFree(p)) setBit(p, true);
}

// ---- 3. the outbox -------------------------------------------------------------------------

/** Walk every outbox chain of `rec` inside its slab: tail and count from the walk. */
function recountOutbox(rec: usize): void {
  for (let i: u32 = 0; i < OUTBOX_SIZE; i++) {
    const ob = outboxAt(rec, i);
    if (ob.head == 0 || ob.slab == 0) {
      ob.head = 0;
      ob.slab = 0;
      continue;
    }
    const m = <usize>ob.slab;
    const meta = slabMeta(m);
    const n = walkInSlab(changetype<usize>(ob) + offsetof<OutboxEntry>("head"), m,
                         meta.capacity, MAX_REMOTE_BATCH + 1);
    ob.tail = <u32>walkLast;
    ob.count = n;
    if (n == 0) ob.slab = 0;
  }
}

// ---- 4. the slabs --------------------------------------------------------------------------

/**
 * Find every small slab whose owner word is `tid`: recount its free list, take it off the
 * dead thread's lists (they are rebuilt by nobody: retire hands every such slab back). A slab
 * already on an orphan list (a kill between pushing it there and clearing the owner) only
 * loses its owner. The dead thread's class states are cleared.
 */
function recountOwnedSlabs(tid: u32): void {
  const h = hdr();
  for (let c = h.firstChunk; c < h.chunkCount; c++) {
    if (registryGet(c) != REG_SUPERSLAB) continue;
    const ss = <usize>c << CHUNK_SHIFT;
    for (let k: u32 = 0; k < SLABS_PER_SS; k++) {
      const m = metaAt(ss, k);
      const meta = slabMeta(m);
      if (meta.state != SLAB_SMALL || atomic.load<u32>(m) != tid) continue;
      if (meta.list == LIST_ORPHAN) { ownerClear(m); continue; }
      const free = freeListLength(m);
      meta.freeCount = free;
      meta.used = meta.carved - free;
      meta.list = LIST_NONE;
      meta.prev = 0;
      meta.next = 0;
    }
  }
}

/** Length of slab `m`'s free list; a link outside its carved blocks cuts the list there (fault). */
function freeListLength(m: usize): u32 {
  const meta = slabMeta(m);
  return walkInSlab(m + offsetof<SlabMeta>("freeHead"), m, meta.carved, meta.carved);
}

/** The last block walkInSlab visited (0: the chain was empty). Per instance. */
let walkLast: usize = 0;

/**
 * Walk the chain whose head word is at `headAddr`: every block must be among the first
 * `blocks` blocks of slab `m`, and at most `most` of them. The first link that breaks this is
 * cut (the block before it ends the chain) and reported as corrupt_list. Returns the blocks
 * kept; the last of them is left in walkLast.
 */
function walkInSlab(headAddr: usize, m: usize, blocks: u32, most: u32): u32 {
  const meta = slabMeta(m);
  const lo = <usize>meta.dataStart;
  const span = <usize>blocks * <usize>meta.stride;
  let n: u32 = 0;
  let prev: usize = 0;
  let p = <usize>load<u32>(headAddr);
  while (p != 0) {
    if (n >= most || p - lo >= span) {
      store<u32>(prev == 0 ? headAddr : prev, 0);
      corrupt(m, p, n);
      break;
    }
    n++;
    prev = p;
    p = <usize>load<u32>(p);
  }
  walkLast = prev;
  return n;
}

/** Hand back (drain, then release or orphan) every small slab `tid` owns, found by owner word. */
export function handBackOwnedSlabs(rec: usize, tid: u32): void {
  const h = hdr();
  for (let c = h.firstChunk; c < h.chunkCount; c++) {
    if (registryGet(c) != REG_SUPERSLAB) continue;
    const ss = <usize>c << CHUNK_SHIFT;
    for (let k: u32 = 0; k < SLABS_PER_SS; k++) {
      const m = metaAt(ss, k);
      if (slabMeta(m).state == SLAB_SMALL && atomic.load<u32>(m) == tid) heapHandBack(rec, tid, m);
    }
  }
}
