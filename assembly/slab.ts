// slab.ts: one slab of one size class, from its owner's point of view: format, carve, the
// free list, draining remote frees, and block-address validation.
//
// Ownership rule (seeds 001/003): only the owner thread calls anything here that touches
// freeHead, freeCount, used or carved, and a thread takes ownership *before* it drains.
// Other threads only push onto the slab's remote stack (remote.ts).
//
// Conservation, for every small slab (checked by check.ts):
//   carved = in use by the user + in caches + on the free list + remote (stack or outboxes)
//   used   = carved - freeCount

import { flowOf, SlabMeta, CacheEntry, SLAB_SMALL, LIST_NONE, EV_CARVE, EV_DRAIN, DEBUG_BUILD,
         BITMAP_BYTES_PER_SLAB, ASSERT_USED_UNDERFLOW, ASSERT_DRAIN_NOT_OWNER, FAULT_CORRUPT_LIST,
         FOUND_CLASS_SHIFT, FOUND_OWNER_SHIFT }
  from "./types";
import { classSize, strideInverse, strideShift, exactIndex } from "./classes";
import { slabMeta, slabIndex, ssOf, slabDataStart, slabDataBytes, remoteHeadOf, bitmapOf, remoteByBits }
  from "./superslab";
import { ringRecord } from "./ring";
import { debugAssert, reportFault } from "./fault";
import { tagFree } from "./free-tag";
import { headTop, headTag, confirmPush, slotOfRecord } from "./push-tag";
import { journalOf, journalBegin, journalEnd, crashPoint, JOP_TAKE, JOP_CARVE, JOP_DRAIN } from "./journal";
import { ownerSet } from "./owner";

/** Format a slab just taken from the pool for class `cls`, owned by `tid`. */
export function slabFormat(m: usize, cls: u32, tid: u32): void {
  const meta = slabMeta(m);
  const k = slabIndex(m);
  const stride = classSize(cls);
  meta.cls = <u8>cls;
  meta.list = LIST_NONE;
  meta.span = 0;
  meta.stride = stride;
  meta.inv = strideInverse(stride);
  meta.shift = strideShift(stride);
  meta.dataStart = <u32>slabDataStart(ssOf(m), k);
  meta.capacity = slabDataBytes(k) / stride;
  meta.carved = 0;
  meta.freeHead = 0;
  meta.freeCount = 0;
  meta.used = 0;
  meta.prev = 0;
  meta.next = 0;
  meta.largeSize = 0;
  if (DEBUG_BUILD) memory.fill(bitmapOf(m), 0, BITMAP_BYTES_PER_SLAB);
  crashPoint();
  meta.state = SLAB_SMALL; // after the geometry: a kill before leaves a free slab (pool repair)
  crashPoint();
  ownerSet(m, tid); // owner (and its SlabOwners entry), published last
}

/**
 * Index of the block starting at `p`, or -1 if `p` is not a block start of this slab.
 * The check is on the offset from the slab's data start, never on the absolute address;
 * exactIndex makes any other offset, one below the data start (wrapped) included, an index
 * at or above the capacity.
 */
// @ts-ignore: decorator
@inline export function blockIndex(meta: SlabMeta, p: usize): i32 {
  const q = carvedIndex(meta, p);
  return q < meta.capacity ? <i32>q : -1;
}

/**
 * free's fast-path form of blockIndex: the index of the block starting at `p`, or a number
 * at or above any block count if `p` is no block start (exactIndex), so that one unsigned
 * compare, `carvedIndex(meta, p) < meta.carved`, accepts exactly the carved block starts.
 * Two loads (inv, shift), one multiply, one rotate.
 */
// @ts-ignore: decorator
@inline export function carvedIndex(meta: SlabMeta, p: usize): u32 {
  return exactIndex(<u32>(p - <usize>meta.dataStart), meta.inv, meta.shift);
}

/**
 * Move up to `n` blocks from the slab's free list onto cache entry `e` of record `rec`;
 * returns how many. Journaled (JOP_TAKE): the chain leaves the free list, is linked onto the
 * cache, then published; the flow counter `refilled` is counted in the same update.
 */
export function slabTakeFree(rec: usize, m: usize, n: u32, e: CacheEntry): u32 {
  const meta = slabMeta(m);
  let k = meta.freeCount < n ? meta.freeCount : n;
  if (k == 0) return 0;
  const first = <usize>meta.freeHead;
  let last = first;
  for (let i: u32 = 1; i < k; i++) last = <usize>load<u32>(last);
  journalOf(rec).count = k;
  journalBegin(rec, JOP_TAKE, first, flowOf(e).refilled);
  crashPoint();
  meta.freeHead = load<u32>(last);
  crashPoint();
  store<u32>(last, e.head);
  e.head = <u32>first;
  crashPoint();
  e.count += <u16>k;
  flowOf(e).refilled += k;
  meta.freeCount -= k;
  meta.used += k;
  journalEnd(rec);
  return k;
}

/**
 * Carve up to `n` new blocks at dataStart + carved * stride onto cache entry `e` of `rec`.
 * Journaled (JOP_CARVE): the blocks are linked and tagged, `carved` grows, then the chain is
 * published on the cache; the flow counter `refilled` is counted in the same update.
 */
export function slabCarve(rec: usize, m: usize, n: u32, e: CacheEntry): u32 {
  const meta = slabMeta(m);
  const room = meta.capacity - meta.carved;
  const k = room < n ? room : n;
  if (k == 0) return 0;
  const stride = <usize>meta.stride;
  const first = <usize>meta.dataStart + <usize>meta.carved * stride;
  const j = journalOf(rec);
  j.aux = meta.carved;
  j.count = k;
  journalBegin(rec, JOP_CARVE, first, flowOf(e).refilled);
  crashPoint();
  // Link first -> first+stride -> ... -> last -> old cache head; every block is free now.
  let p = first;
  for (let i: u32 = 1; i < k; i++) {
    store<u32>(p, <u32>(p + stride));
    tagFree(p);
    p += stride;
  }
  store<u32>(p, e.head);
  tagFree(p);
  meta.carved += k;
  crashPoint();
  e.head = <u32>first;
  crashPoint();
  e.count += <u16>k;
  flowOf(e).refilled += k;
  meta.used += k;
  journalEnd(rec);
  ringRecord(EV_CARVE, meta.cls, first, k);
  return k;
}

/** Put one block back on the owner's free list. */
// @ts-ignore: decorator
@inline export function slabPushFree(meta: SlabMeta, p: usize): void {
  if (DEBUG_BUILD) debugAssert(meta.used > 0, ASSERT_USED_UNDERFLOW, p, 0);
  store<u32>(p, meta.freeHead);
  crashPoint();
  meta.freeHead = <u32>p;
  crashPoint();
  meta.freeCount++;
  meta.used--;
}

/**
 * Move every block waiting on the slab's remote head (a stack, or bits: types.ts) to its free
 * list; returns how many.
 * Only the owner may call this: `owner` is the tid the caller acts for (itself, or the dead
 * thread it is reclaiming, whose record is `rec`), and the slab must already belong to it.
 *
 * The head is taken with one 64-bit CAS to { 0, 0 }, after confirming the tag it replaces
 * (push-tag.ts), and journaled (JOP_DRAIN) with the head it expects (bits: their lowest block
 * and the bits), so reclaim can tell whether a dead owner's blocks still wait on the head or
 * were only in its locals.
 *
 * The walk trusts nothing it reads: at most `used` blocks can be remote (every one of them
 * is counted in use until it is drained), and every link must lie inside the slab's carved
 * blocks. A chain that breaks either rule (only a write after free can make one, since a
 * double free is refused before it links anything) is a fault, not a loop: the whole chain
 * is dropped (those blocks stay counted in use, so nothing corrupt is ever handed out).
 */
export function slabDrain(rec: usize, m: usize, owner: u32): u32 {
  if (DEBUG_BUILD) debugAssert(atomic.load<u32>(m) == owner, ASSERT_DRAIN_NOT_OWNER, m, atomic.load<u32>(m));
  const rh = remoteHeadOf(m);
  let word = atomic.load<u64>(rh);
  if (headTop(word) == 0) return 0;
  const bits = remoteByBits(slabMeta(m).stride);
  const j = journalOf(rec);
  while (true) {
    j.tag = headTag(word);
    j.aux = <u32>word;
    journalBegin(rec, JOP_DRAIN, bits ? bitBlock(m, ctz<u32>(<u32>word)) : headTop(word), 0);
    confirmPush(headTag(word), slotOfRecord(rec));
    const seen = atomic.cmpxchg<u64>(rh, word, 0); // acquire: the pushers' links are visible
    if (seen == word) break;
    word = seen;
  }
  crashPoint();
  const n = bits ? drainBits(m, <u32>word) : drainOnto(m, headTop(word));
  journalEnd(rec);
  return n;
}

/** Block `idx` of slab `m`. */
// @ts-ignore: decorator
@inline export function bitBlock(m: usize, idx: u32): usize {
  const meta = slabMeta(m);
  return <usize>meta.dataStart + <usize>idx * <usize>meta.stride;
}

/**
 * Link the blocks of `bits` (taken off slab `m`'s remote head) onto its free list: chained in
 * index order among themselves, the last onto the list, then published with one store. So a
 * kill leaves them all on the list or none (reclaim: relinkBits). Bits of uncarved blocks, or
 * more than `used`, cannot be sound (only a wild write makes them): a fault, and none drained.
 */
export function drainBits(m: usize, bits: u32): u32 {
  const meta = slabMeta(m);
  const n = <u32>popcnt<u32>(bits);
  if (meta.carved < 32 && (bits >>> meta.carved) != 0 || n > meta.used) {
    return drainCorrupt(m, bitBlock(m, 31 - <u32>clz<u32>(bits)), 0);
  }
  return publishDrained(m, linkBits(m, bits), n);
}

/**
 * Chain the blocks of `bits` (not 0) of slab `m` in index order, the last linked to the free
 * list's head; returns the first. Writes only the blocks: nothing is published.
 */
export function linkBits(m: usize, bits: u32): usize {
  const meta = slabMeta(m);
  const lo = <usize>meta.dataStart;
  const stride = <usize>meta.stride;
  const first = lo + <usize>ctz<u32>(bits) * stride;
  let prev = first;
  bits &= bits - 1;
  while (bits != 0) { // independent stores: no block is read
    const p = lo + <usize>ctz<u32>(bits) * stride;
    store<u32>(prev, <u32>p);
    prev = p;
    bits &= bits - 1;
  }
  store<u32>(prev, meta.freeHead);
  return first;
}

/** Link a chain taken off slab `m`'s remote stack onto its free list, checking every link. */
export function drainOnto(m: usize, list: usize): u32 {
  const meta = slabMeta(m);
  const lo = <usize>meta.dataStart;
  const span = <usize>meta.carved * <usize>meta.stride; // carved blocks: [lo, lo + span)
  const most = meta.used;
  let n: u32 = 1;
  let tail = list;
  if (tail - lo >= span) return drainCorrupt(m, tail, 0);
  while (true) {
    const next = <usize>load<u32>(tail);
    if (next == 0) break;
    if (next - lo >= span || n >= most) return drainCorrupt(m, next, n);
    tail = next;
    n++;
  }
  store<u32>(tail, meta.freeHead);
  return publishDrained(m, list, n);
}

/**
 * Put `n` drained blocks, chained from `first` with the last already linked to the free
 * list's head, on slab `m`'s free list: one store publishes them, then the counts; returns n.
 */
function publishDrained(m: usize, first: usize, n: u32): u32 {
  const meta = slabMeta(m);
  crashPoint();
  meta.freeHead = <u32>first;
  crashPoint();
  meta.freeCount += n;
  meta.used -= n;
  ringRecord(EV_DRAIN, meta.cls, m, n);
  return n;
}

/** A remote chain that cannot be sound: record the fault at `bad` after `n` good links; drains 0. */
function drainCorrupt(m: usize, bad: usize, n: u32): u32 {
  const meta = slabMeta(m);
  reportFault(FAULT_CORRUPT_LIST, bad, <u32>meta.state | (<u32>meta.cls << FOUND_CLASS_SHIFT)
    | (atomic.load<u32>(m) << FOUND_OWNER_SHIFT), n);
  return 0;
}

/** True if the slab's remote stack is non-empty (a plain load; x86 atomic loads are plain). */
// @ts-ignore: decorator
@inline export function slabHasRemote(m: usize): bool {
  return atomic.load<u32>(remoteHeadOf(m)) != 0;
}

// ---- debug build: per-block allocation bits --------------------------------------------------

/** Mark block `idx` as handed to the user; returns false if it already was (allocator bug). */
export function bitSetAllocated(m: usize, idx: u32): bool {
  const word = bitmapOf(m) + ((<usize>idx >>> 5) << 2);
  const bit: u32 = 1 << (idx & 31);
  return (atomic.or<u32>(word, bit) & bit) == 0;
}

/** Mark block `idx` as freed; returns false if it was not allocated (a double free). */
export function bitClearAllocated(m: usize, idx: u32): bool {
  const word = bitmapOf(m) + ((<usize>idx >>> 5) << 2);
  const bit: u32 = 1 << (idx & 31);
  return (atomic.and<u32>(word, ~bit) & bit) != 0;
}

/** Read block `idx`'s allocation bit. */
export function bitIsAllocated(m: usize, idx: u32): bool {
  const word = bitmapOf(m) + ((<usize>idx >>> 5) << 2);
  return (atomic.load<u32>(word) & (<u32>1 << (idx & 31))) != 0;
}
