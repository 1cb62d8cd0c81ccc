// heap.ts: a thread's heap, i.e. the slabs it owns: per class a current slab and a circular
// partial list; refill (cache <- slabs), spill (cache -> slabs), adoption of orphans, and
// handing slabs back (release when empty, orphan otherwise).
//
// Everything here runs on the owning thread (or on a thread reclaiming a dead one, acting as
// its owner), so it uses plain loads and stores on slab state; the only atomics are the
// ownership claim, the remote-stack exchange in slabDrain, and the pool lock.

import { flowOf, CacheEntry, ClassState, ThreadCounters, TH_CACHE_OFFSET, CACHE_ENTRY_SIZE,
         TH_CLASS_OFFSET, CLASS_STATE_SIZE, TH_COUNTERS_OFFSET, LIST_NONE, LIST_CURRENT,
         LIST_PARTIAL, LIST_ORPHAN, EV_REFILL, EV_SPILL, EV_ADOPT, EV_ORPHAN, EV_SLAB_ACQUIRE,
         EV_SLAB_RELEASE, NUM_CLASSES, DEBUG_BUILD, ASSERT_ADOPTED_OWNED, ASSERT_CACHED_NOT_OWNED, hdr }
  from "./types";
import { slabMeta, slabBase, metaOf } from "./superslab";
import { slabFormat, slabTakeFree, slabCarve, slabPushFree, slabDrain, slabHasRemote }
  from "./slab";
import { poolLock, poolUnlock, slabAcquire, slabRelease, orphanPush, orphanRemove, orphanFirst } from "./pool";
import { ringRecord } from "./ring";
import { debugAssert } from "./fault";
import { tagFree } from "./free-tag";
import { journalOf, journalBegin, journalEnd, crashPoint, JOP_SPILL, JOP_SLABFREE } from "./journal";
import { ownerSet, ownerClear, ownerPublish } from "./owner";

/** How many partial slabs one refill examines before taking a fresh slab. */
// @ts-ignore: decorator
@inline const PARTIAL_SCAN_MAX: u32 = 16;

/** The cache entry of class `cls` in thread record `rec`. */
// @ts-ignore: decorator
@inline export function cacheEntry(rec: usize, cls: u32): CacheEntry {
  return changetype<CacheEntry>(rec + TH_CACHE_OFFSET + cls * CACHE_ENTRY_SIZE);
}

/** The owned-slab state of class `cls` in thread record `rec`. */
// @ts-ignore: decorator
@inline export function classState(rec: usize, cls: u32): ClassState {
  return changetype<ClassState>(rec + TH_CLASS_OFFSET + cls * CLASS_STATE_SIZE);
}

/** The counters of thread record `rec`. */
// @ts-ignore: decorator
@inline export function counters(rec: usize): ThreadCounters {
  return changetype<ThreadCounters>(rec + TH_COUNTERS_OFFSET);
}

// ---- the partial list: circular, doubly linked through SlabMeta.prev/next ------------------

/** Append an owned slab at the partial list's tail (the head is examined first). */
function partialAdd(cs: ClassState, m: usize): void {
  const meta = slabMeta(m);
  meta.list = LIST_PARTIAL;
  const head = <usize>cs.partial;
  if (head == 0) {
    meta.next = <u32>m;
    meta.prev = <u32>m;
    cs.partial = <u32>m;
    return;
  }
  const tail = <usize>slabMeta(head).prev;
  meta.prev = <u32>tail;
  meta.next = <u32>head;
  slabMeta(tail).next = <u32>m;
  slabMeta(head).prev = <u32>m;
}

/** Unlink a slab from the partial list. */
function partialRemove(cs: ClassState, m: usize): void {
  const meta = slabMeta(m);
  if (<usize>meta.next == m) {
    cs.partial = 0;
  } else {
    slabMeta(meta.prev).next = meta.next;
    slabMeta(meta.next).prev = meta.prev;
    if (<usize>cs.partial == m) cs.partial = meta.next;
  }
  meta.next = 0;
  meta.prev = 0;
  meta.list = LIST_NONE;
}

// ---- draining, releasing, orphaning -------------------------------------------------------

/** Drain a slab owned by `tid` and count it in `rec`'s counters. */
export function heapDrain(rec: usize, tid: u32, m: usize): u32 {
  const n = slabDrain(rec, m, tid);
  if (n != 0) {
    const c = counters(rec);
    c.drains++;
    c.drainedBlocks += n;
  }
  return n;
}

/** Give an empty owned slab (not on any list) back to the pool. */
function releaseSlab(rec: usize, m: usize): void {
  ringRecord(EV_SLAB_RELEASE, slabMeta(m).cls, slabBase(m), 0);
  poolLock();
  slabRelease(m);
  poolUnlock();
  counters(rec).slabsReleased++;
}

/**
 * Hand an owned slab (not on any list) back: drain it as its owner, then release it if
 * empty, otherwise orphan it. Orphaning pushes the slab on the orphan list and clears its
 * owner inside one hold of the pool lock, so the adopter (which pops and claims under the
 * same lock) finds the owner clear, and frees arriving meanwhile go to the remote stack,
 * which the adopter drains after claiming.
 */
export function heapHandBack(rec: usize, tid: u32, m: usize): void {
  heapDrain(rec, tid, m);
  const meta = slabMeta(m);
  if (meta.used == 0) {
    releaseSlab(rec, m);
    return;
  }
  ringRecord(EV_ORPHAN, meta.cls, m, meta.used);
  poolLock();
  orphanPush(m);
  ownerClear(m); // inside the lock: no adopter can pop it before the owner is clear;
  hdr().orphanedSlabs++;   // a kill between the two leaves an orphan reclaim recognises (LIST_ORPHAN)
  poolUnlock();
}

/**
 * Hand back every slab `rec` owns (current and partial, every class), as heapHandBack does
 * one, with one hold of the pool lock for all of them: a retiring thread owns tens of slabs
 * (larson 8..1024: about 38 per generation), and the other threads refill under the same
 * lock. First, with no lock, each slab leaves its list and is drained, chained through `next`
 * (owned and on no list, as inside heapHandBack: a kill here leaves slabs that reclaim finds
 * by owner word); then, under the lock, each empty one is released and each other orphaned.
 */
export function heapHandBackEvery(rec: usize, tid: u32): void {
  let chain: usize = 0, released: u32 = 0;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    const cs = classState(rec, cls);
    if (cs.current != 0) {
      const m = <usize>cs.current;
      cs.current = 0;
      chain = handBackChain(rec, tid, m, chain);
    }
    while (cs.partial != 0) {
      const m = <usize>cs.partial;
      partialRemove(cs, m);
      chain = handBackChain(rec, tid, m, chain);
    }
  }
  if (chain == 0) return;
  poolLock();
  while (chain != 0) {
    const m = chain;
    const meta = slabMeta(m);
    chain = <usize>meta.next;
    if (meta.used == 0) {
      slabRelease(m);
      released++;
    } else {
      orphanPush(m);
      ownerClear(m); // inside the lock, as in heapHandBack
      hdr().orphanedSlabs++;
    }
  }
  poolUnlock();
  counters(rec).slabsReleased += released;
}

/** heapHandBackEvery's first step for slab `m`: off its list, drained, recorded, put on `chain`. */
function handBackChain(rec: usize, tid: u32, m: usize, chain: usize): usize {
  const meta = slabMeta(m);
  meta.list = LIST_NONE;
  heapDrain(rec, tid, m);
  if (meta.used == 0) ringRecord(EV_SLAB_RELEASE, meta.cls, slabBase(m), 0);
  else ringRecord(EV_ORPHAN, meta.cls, m, meta.used);
  meta.next = <u32>chain;
  return m;
}

/** Drain every owned slab of a class and release the empty ones (all if `all`, else partials). */
export function heapTrim(rec: usize, tid: u32, cls: u32, all: bool): void {
  const cs = classState(rec, cls);
  // Walk the circular list once; removing the examined slab keeps the walk valid.
  let m = <usize>cs.partial;
  let count: u32 = 0;
  if (m != 0) {
    let p = m;
    do { count++; p = <usize>slabMeta(p).next; } while (p != m);
  }
  for (let i: u32 = 0; i < count; i++) {
    const cur = <usize>cs.partial;
    heapDrain(rec, tid, cur);
    if (slabMeta(cur).used == 0) {
      partialRemove(cs, cur);
      releaseSlab(rec, cur);
    } else {
      cs.partial = slabMeta(cur).next; // rotate
    }
  }
  if (all && cs.current != 0) {
    const cur = <usize>cs.current;
    heapDrain(rec, tid, cur);
    if (slabMeta(cur).used == 0) {
      cs.current = 0;
      slabMeta(cur).list = LIST_NONE;
      releaseSlab(rec, cur);
    }
  }
}

// ---- refill -------------------------------------------------------------------------------

/** Find an owned partial slab of class `cls` with blocks to give (draining as it looks). */
function findPartial(rec: usize, tid: u32, cs: ClassState): usize {
  for (let i: u32 = 0; i < PARTIAL_SCAN_MAX && cs.partial != 0; i++) {
    const m = <usize>cs.partial;
    heapDrain(rec, tid, m);
    const meta = slabMeta(m);
    if (meta.freeCount != 0 || meta.carved < meta.capacity) {
      partialRemove(cs, m);
      return m;
    }
    cs.partial = meta.next; // nothing yet: rotate it to the tail
  }
  return 0;
}

/**
 * Adopt orphan `m` because this thread frees a block into it: the thread that frees the blocks
 * left in a retired or parked thread's slab is the one most likely to allocate them again (a
 * new thread taking over an old one's data, larson's next generation, the workers after the
 * set-up), and as its owner it frees them locally instead of pushing them to whichever thread
 * adopts the slab later. Claimed inside the pool lock, as acquireSlab's adoption is; returns
 * false if another thread adopted it first. The slab joins this thread's partial list.
 */
export function heapAdoptForFree(rec: usize, tid: u32, m: usize): bool {
  poolLock();
  const meta = slabMeta(m);
  const ok = meta.list == LIST_ORPHAN && atomic.load<u32>(m) == 0;
  if (ok) {
    orphanRemove(m);
    ownerSet(m, tid); // inside the lock: a kill leaves the slab owned, found by reclaim
    hdr().adoptions++;
  }
  poolUnlock();
  if (!ok) return false;
  counters(rec).adoptions++;
  ringRecord(EV_ADOPT, meta.cls, m, 0);
  heapDrain(rec, tid, m);
  partialAdd(classState(rec, meta.cls), m);
  return true;
}

/** Orphans of a class a refill looks at for one with blocks to give. */
// @ts-ignore: decorator
@inline const ORPHAN_SCAN_MAX: u32 = 8;

/**
 * The first of the first ORPHAN_SCAN_MAX orphans of class `cls` with blocks to give now (free,
 * uncarved or freed by others and waiting on its remote stack), or 0 (pool locked). A refill
 * that adopted a full orphan would get no block from it, and would take the slab from the thread
 * that frees into it (which adopts it then: heapAdoptForFree) to fill it with its own blocks.
 */
function usefulOrphan(cls: u32): usize {
  let m = orphanFirst(cls);
  for (let i: u32 = 0; i < ORPHAN_SCAN_MAX && m != 0; i++) {
    const meta = slabMeta(m);
    if (meta.freeCount != 0 || meta.carved < meta.capacity || slabHasRemote(m)) return m;
    m = <usize>meta.next;
  }
  return 0;
}

/**
 * A slab for class `cls` from outside this heap: adopt an orphan (claim first, then drain),
 * or take a free slab from the pool. Returns 0 when memory is exhausted.
 */
function acquireSlab(rec: usize, tid: u32, cls: u32): usize {
  poolLock();
  let m = usefulOrphan(cls);
  if (m != 0) {
    orphanRemove(m);
    hdr().adoptions++;
    // Ownership before the drain (seed 001), inside the lock: a kill leaves the slab owned,
    // found by reclaim. The claim is the meta's CAS; the SlabOwners entry follows it.
    const prev = atomic.cmpxchg<u32>(m, 0, tid);
    ownerPublish(m, tid);
    poolUnlock();
    if (DEBUG_BUILD) debugAssert(prev == 0, ASSERT_ADOPTED_OWNED, m, prev);
    counters(rec).adoptions++;
    ringRecord(EV_ADOPT, cls, m, prev);
    heapDrain(rec, tid, m);
    return m;
  }
  m = slabAcquire();
  if (m != 0) slabFormat(m, cls, tid);
  poolUnlock();
  if (m != 0) {
    counters(rec).slabsAcquired++;
    ringRecord(EV_SLAB_ACQUIRE, cls, slabBase(m), 0);
  }
  return m;
}

/**
 * Refill cache entry `cls` of `rec` with up to `n` blocks, in this order: the current slab's
 * free list, its drained remote frees, carving it; then owned partial slabs, adopted orphans
 * and fresh slabs. Returns the number of blocks added (0 only when memory is exhausted).
 */
export function heapRefill(rec: usize, tid: u32, cls: u32, n: u32): u32 {
  const cs = classState(rec, cls);
  const e = cacheEntry(rec, cls);
  counters(rec).refills++;
  let m = <usize>cs.current;
  while (true) {
    if (m != 0) {
      if (slabHasRemote(m)) heapDrain(rec, tid, m);
      let got = slabTakeFree(rec, m, n, e);
      if (got < n) got += slabCarve(rec, m, n - got, e);
      if (got != 0) {
        ringRecord(EV_REFILL, cls, m, got);
        return got;
      }
      cs.current = 0; // exhausted: park it where later frees can find it
      partialAdd(cs, m);
    }
    m = findPartial(rec, tid, cs);
    if (m == 0) m = acquireSlab(rec, tid, cls);
    if (m == 0) return 0;
    slabMeta(m).list = LIST_CURRENT;
    cs.current = <u32>m;
  }
  return 0;
}

// ---- spill --------------------------------------------------------------------------------

/**
 * Move up to `n` blocks from cache entry `cls` back to their slabs' free lists. Every cached
 * block belongs to a slab this thread owns, so this is all plain stores. A partial slab that
 * becomes empty goes back to the pool; the current slab is kept (no thrash at a boundary).
 * Journaled (JOP_SPILL): the count and the flow counter `returned` before, and the block in transit.
 */
export function heapSpill(rec: usize, tid: u32, cls: u32, n: u32): u32 {
  const e = cacheEntry(rec, cls);
  const cs = classState(rec, cls);
  if (e.head == 0) return 0;
  const j = journalOf(rec);
  j.count = e.count;
  j.aux = cls;
  journalBegin(rec, JOP_SPILL, e.head, flowOf(e).returned);
  let k: u32 = 0;
  while (k < n && e.head != 0) {
    const p = <usize>e.head;
    const m = metaOf(p);
    const meta = slabMeta(m);
    if (DEBUG_BUILD) debugAssert(atomic.load<u32>(m) == tid, ASSERT_CACHED_NOT_OWNED, p, atomic.load<u32>(m));
    j.block = <u32>p; // in transit from here until the next block (1 store per block)
    crashPoint();
    e.head = load<u32>(p);
    crashPoint();
    e.count--;
    slabPushFree(meta, p);
    k++;
    if (meta.used == 0 && meta.list == LIST_PARTIAL) {
      j.block = 0; // nothing in transit while the slab goes back to the pool
      partialRemove(cs, m);
      releaseSlab(rec, m);
    }
  }
  flowOf(e).returned += k;
  journalEnd(rec);
  if (k != 0) {
    counters(rec).spills++;
    ringRecord(EV_SPILL, cls, 0, k);
  }
  return k;
}

/**
 * Free block `p` (not yet tagged) straight to its owned slab: the path when caching is off.
 * Journaled (JOP_SLABFREE), with the flow counter `returned` counted in it.
 */
export function heapFreeToSlab(rec: usize, e: CacheEntry, cls: u32, m: usize, p: usize): void {
  const meta = slabMeta(m);
  journalBegin(rec, JOP_SLABFREE, p, flowOf(e).returned);
  crashPoint();
  tagFree(p);
  slabPushFree(meta, p);
  flowOf(e).returned++;
  journalEnd(rec);
  if (meta.used == 0 && meta.list == LIST_PARTIAL) {
    partialRemove(classState(rec, cls), m);
    releaseSlab(rec, m);
  }
}
