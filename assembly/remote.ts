// remote.ts: the multi-threaded free path. A block freed by a thread that does not own its
// slab goes into that thread's outbox, a small table of per-slab chains; a chain is pushed
// onto the slab's remote stack with ONE compare-and-swap once it holds `remoteBatch` blocks
// (or its outbox slot is needed by another slab, or the thread flushes). So steady
// cross-thread traffic costs one atomic per batch, not per block.
//
// Only the slab's owner drains the stack (slab.ts, slabDrain), after it owns the slab.
// Outbox blocks still count as `used` in their slab, so a slab with blocks in any outbox is
// never released; every flush point (batch full, slot collision, refill every few rounds,
// collect, detach, reclaim) is a place where the blocks reach their slab (seed 000).
//
//   outbox slot:  { slab, head ─► blk ─► blk ─► tail ─► (old remote head, at push) , count }
//   push:         tail.next = old; CAS(remoteHead, old, head)   (retry with the new old)

//
// Kill safety (journal.ts): a flush journals JOP_FLUSH with its push tag before the CAS and
// clears the slot after it, so reclaim pushes a dead thread's chain exactly once; a remote
// free journals JOP_RFREE before it tags and links the block.
//
// Slabs of REMOTE_BITS_MIN_STRIDE (2 KiB) and up hold at most 32 blocks, and take a remote
// free as one bit of their remote head instead (types.ts): no outbox, one CAS per free.
//
//   bit free:     tag p; CAS(remoteHead, {bits, t}, {bits | 1 << idx(p), own tag})
//   drain:        CAS(remoteHead, {bits, t}, {0, 0}); link blocks idx.. onto the free list
//
// Where blocks are a few KiB and each thread frees a few of another's per slab (midlarge 2T:
// about 1.5 blocks per chain push), a chain saved few CASes, and its links cost the owner a
// miss per block that waited for the one before (the walk). The owner now computes each
// block's address from its bit, and its stores into the blocks do not wait on each other.
// Journaled JOP_RBIT with the push tag, so reclaim tells from the head and the confirmations
// whether a dead thread's CAS happened, as for a flush.

import { flowOf, OutboxEntry, ThreadHeader, CacheEntry, TH_OUTBOX_OFFSET, OUTBOX_SIZE, OUTBOX_ENTRY_SIZE,
         CHUNK_SHIFT, EV_REMOTE_PUSH, TID_SLOT_BITS } from "./types";
import { remoteHeadOf, slabMeta, remoteByBits } from "./superslab";
import { counters } from "./heap";
import { ringRecord } from "./ring";
import { tagFree } from "./free-tag";
import { headWord, headTag, headTop, nextPushTag, confirmPush } from "./push-tag";
import { journalOf, journalBegin, journalEnd, crashPoint, JOP_FLUSH, JOP_RFREE, JOP_RBIT } from "./journal";

/** The outbox slot index a slab hashes to. */
// @ts-ignore: decorator
@inline export function outboxIndex(m: usize): u32 {
  return (<u32>(m >>> 6) ^ (<u32>(m >>> CHUNK_SHIFT) * 0x9E3779B1 >>> 27)) & (OUTBOX_SIZE - 1);
}

/** Outbox slot `i` of record `rec`. */
// @ts-ignore: decorator
@inline export function outboxAt(rec: usize, i: u32): OutboxEntry {
  return changetype<OutboxEntry>(rec + TH_OUTBOX_OFFSET + i * OUTBOX_ENTRY_SIZE);
}

/**
 * Free block `p` of slab `m`, which this thread does not own; `e` is the class's cache entry
 * (its `returned` counts the block leaving). The caller has checked that `p` is not free.
 */
export function remoteFree(rec: usize, e: CacheEntry, m: usize, p: usize): void {
  const ob = outboxAt(rec, outboxIndex(m));
  if (<usize>ob.slab != m) {
    if (ob.slab != 0) outboxFlush(rec, ob);
    ob.head = 0; // an empty slot (head 0) is empty whatever the other fields say
    ob.count = 0;
    ob.tail = <u32>p;
    ob.slab = <u32>m;
  }
  journalBegin(rec, JOP_RFREE, p, flowOf(e).returned);
  crashPoint();
  tagFree(p); // free from here on
  store<u32>(p, ob.head);
  if (ob.head == 0) ob.tail = <u32>p;
  crashPoint();
  ob.head = <u32>p;
  crashPoint();
  ob.count++;
  flowOf(e).returned++; // leaves this thread for another's slab
  journalEnd(rec);
  counters(rec).remoteFrees++;
  if (ob.count >= changetype<ThreadHeader>(rec).remoteBatch) outboxFlush(rec, ob);
}

/**
 * Push the chain head..tail onto slab `m`'s remote stack (one successful CAS), tagged `tag`.
 * The head it replaces is confirmed first (push-tag.ts), then linked below the chain.
 */
function pushChain(m: usize, head: u32, tail: usize, tag: u32): void {
  const selfSlot = tag & ((1 << TID_SLOT_BITS) - 1); // tag 0 (slot-less): confirms every tag
  const rh = remoteHeadOf(m);
  let old = atomic.load<u64>(rh);
  while (true) {
    store<u32>(tail, <u32>headTop(old)); // link before publishing: the CAS releases this store
    confirmPush(headTag(old), selfSlot);
    const seen = atomic.cmpxchg<u64>(rh, old, headWord(head, tag));
    if (seen == old) break;
    old = seen;
  }
}

/**
 * Free block `p` (index `idx`, already tagged) of slab `m` without a thread record (every
 * thread slot is taken): pushed alone, tag 0. False if it takes bits and `p`'s bit was set.
 */
export function remotePushOne(m: usize, p: usize, idx: u32): bool {
  if (remoteByBits(slabMeta(m).stride)) {
    store<u32>(p, 0); // no link (the checker marks blocks through their first word)
    if (!pushBit(m, idx, 0)) return false;
  } else {
    pushChain(m, <u32>p, p, 0);
  }
  ringRecord(EV_REMOTE_PUSH, slabMeta(m).cls, m, 1);
  return true;
}

/**
 * Free block `p`, index `idx`, of slab `m`, which takes remote frees as bits and which this
 * thread does not own; `e` is the class's cache entry (its `returned` counts the block
 * leaving). The caller has checked that `p` is not free. False, with nothing counted, if its
 * bit was already set: a second free of it that raced the caller's check.
 */
export function remoteFreeBit(rec: usize, e: CacheEntry, m: usize, p: usize, idx: u32): bool {
  const tag = nextPushTag(rec);
  journalOf(rec).tag = tag;
  journalBegin(rec, JOP_RBIT, p, flowOf(e).returned);
  crashPoint();
  store<u32>(p, 0); // no link (the checker marks blocks through their first word)
  tagFree(p);       // free from here on; the CAS publishes both stores to the drainer
  crashPoint();
  if (!pushBit(m, idx, tag)) {
    journalEnd(rec);
    return false;
  }
  crashPoint();
  flowOf(e).returned++; // leaves this thread for another's slab
  journalEnd(rec);
  const c = counters(rec);
  c.remoteFrees++;
  c.remotePushes++;
  ringRecord(EV_REMOTE_PUSH, slabMeta(m).cls, m, 1);
  return true;
}

/**
 * Set bit `idx` of slab `m`'s remote head with one successful CAS, tagged `tag`; the head it
 * replaces is confirmed first (push-tag.ts). False if the bit is already set.
 */
export function pushBit(m: usize, idx: u32, tag: u32): bool {
  const selfSlot = tag & ((1 << TID_SLOT_BITS) - 1); // tag 0 (slot-less): confirms every tag
  const bit: u32 = 1 << idx;
  const rh = remoteHeadOf(m);
  let old = atomic.load<u64>(rh);
  while (true) {
    if ((<u32>old & bit) != 0) return false;
    confirmPush(headTag(old), selfSlot);
    const seen = atomic.cmpxchg<u64>(rh, old, headWord(<usize>(<u32>old | bit), tag));
    if (seen == old) return true;
    old = seen;
  }
  return false;
}

/** Push one outbox chain onto its slab's remote stack, journaled (JOP_FLUSH). */
function outboxFlush(rec: usize, ob: OutboxEntry): void {
  const m = <usize>ob.slab;
  const tag = nextPushTag(rec);
  const j = journalOf(rec);
  j.tag = tag;
  j.aux = <u32>(changetype<usize>(ob) - rec - TH_OUTBOX_OFFSET) / OUTBOX_ENTRY_SIZE;
  j.count = ob.count;
  journalBegin(rec, JOP_FLUSH, ob.head, 0);
  crashPoint();
  pushChain(m, ob.head, <usize>ob.tail, tag);
  crashPoint();
  ringRecord(EV_REMOTE_PUSH, slabMeta(m).cls, m, ob.count);
  ob.head = 0; // empty from here on
  crashPoint();
  ob.slab = 0;
  ob.tail = 0;
  ob.count = 0;
  journalEnd(rec);
  counters(rec).remotePushes++;
}

/** Push every pending outbox chain of thread record `rec`. */
export function outboxFlushAll(rec: usize): void {
  for (let i: u32 = 0; i < OUTBOX_SIZE; i++) {
    const ob = outboxAt(rec, i);
    if (ob.slab != 0 && ob.head != 0) outboxFlush(rec, ob);
    else ob.slab = 0;
  }
}
