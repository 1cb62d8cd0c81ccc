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

import { OutboxEntry, ThreadHeader, TH_OUTBOX_OFFSET, OUTBOX_SIZE, OUTBOX_ENTRY_SIZE,
         CHUNK_SHIFT, EV_REMOTE_PUSH } from "./types";
import { remoteHeadOf, slabMeta } from "./superslab";
import { counters } from "./heap";
import { ringRecord } from "./ring";

/** The outbox slot a slab hashes to. */
// @ts-ignore: decorator
@inline function outboxSlot(rec: usize, m: usize): OutboxEntry {
  const h = (<u32>(m >>> 6) ^ (<u32>(m >>> CHUNK_SHIFT) * 0x9E3779B1 >>> 27)) & (OUTBOX_SIZE - 1);
  return changetype<OutboxEntry>(rec + TH_OUTBOX_OFFSET + h * OUTBOX_ENTRY_SIZE);
}

/** Free block `p` of slab `m`, which this thread does not own. */
export function remoteFree(rec: usize, m: usize, p: usize): void {
  const ob = outboxSlot(rec, m);
  if (<usize>ob.slab != m) {
    if (ob.slab != 0) outboxFlush(rec, ob);
    ob.slab = <u32>m;
    ob.head = 0;
    ob.tail = <u32>p;
    ob.count = 0;
  }
  store<u32>(p, ob.head);
  ob.head = <u32>p;
  ob.count++;
  counters(rec).remoteFrees++;
  if (ob.count >= changetype<ThreadHeader>(rec).remoteBatch) outboxFlush(rec, ob);
}

/** Push the chain head..tail onto slab `m`'s remote stack (one successful CAS). */
function pushChain(m: usize, head: u32, tail: usize): void {
  const rh = remoteHeadOf(m);
  let old = atomic.load<u32>(rh);
  while (true) {
    store<u32>(tail, old); // link before publishing: the CAS releases this store
    const seen = atomic.cmpxchg<u32>(rh, old, head);
    if (seen == old) break;
    old = seen;
  }
}

/** Free one block of slab `m` without a thread record (every thread slot is taken). */
export function remotePushOne(m: usize, p: usize): void {
  pushChain(m, <u32>p, p);
  ringRecord(EV_REMOTE_PUSH, slabMeta(m).cls, m, 1);
}

/** Push one outbox chain onto its slab's remote stack. */
function outboxFlush(rec: usize, ob: OutboxEntry): void {
  const m = <usize>ob.slab;
  pushChain(m, ob.head, <usize>ob.tail);
  ringRecord(EV_REMOTE_PUSH, slabMeta(m).cls, m, ob.count);
  counters(rec).remotePushes++;
  ob.slab = 0;
  ob.head = 0;
  ob.tail = 0;
  ob.count = 0;
}

/** Push every pending outbox chain of thread record `rec`. */
export function outboxFlushAll(rec: usize): void {
  for (let i: u32 = 0; i < OUTBOX_SIZE; i++) {
    const ob = changetype<OutboxEntry>(rec + TH_OUTBOX_OFFSET + i * OUTBOX_ENTRY_SIZE);
    if (ob.slab != 0) outboxFlush(rec, ob);
  }
}
