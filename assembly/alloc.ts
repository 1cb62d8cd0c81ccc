// alloc.ts: malloc and its relatives. The fast path is a class lookup and a pop from this
// thread's cache for that class (clearing the block's free tag, free-tag.ts): plain loads and
// stores, no atomics. An empty cache goes to
// mallocSlow, which refills it in a batch from the thread's slabs (heap.ts).

import { ThreadHeader, CacheEntry, SMALL_MAX, SMALL_ALIGN_MAX, SLAB_SIZE, MAX_ALIGN, NUM_CLASSES,
         DEBUG_BUILD, EV_ALLOC, OUTBOX_FLUSH_REFILLS, ASSERT_HANDED_OUT_TWICE, hdr } from "./types";
import { classOf, classSize } from "./classes";
import { self, selfTid, attached, syncMemory } from "./tls";
import { cacheEntry, counters, heapRefill } from "./heap";
import { outboxFlushAll } from "./remote";
import { largeMalloc } from "./large";
import { threadAttach, giveBackAll } from "./thread";
import { ensureInit } from "./init";
import { noteOom } from "./pool";
import { metaOf, slabMeta } from "./superslab";
import { blockIndex, bitSetAllocated } from "./slab";
import { ringRecordFast } from "./ring";
import { hkFree, blockUsable } from "./free";
import { debugAssert } from "./fault";
import { untag } from "./free-tag";
import { reliefDue, answerRelief, askRelief } from "./relief";
import { crashPoint } from "./journal";

/**
 * malloc: `size` bytes (0 gives a unique, freeable block); 0 when memory is exhausted.
 * The fast path (a small size, its class's cache not empty) is the class lookup and the
 * pop, about 38 wasm instructions (29 besides local and global reads), four loads (the
 * cache head read once, for the test and the pop), three stores, one test beyond the size
 * compare: no atomics, no counters. What the stats need
 * from it is derived elsewhere (blocks per class in use from the caches' flow counters,
 * which change on the slow paths only; stats.ts). Counted in build/release.wat (in the export
 * `malloc`). Inlined into every caller, as the slow path (mallocSlow, largeAlloc) is not: the
 * bench workloads, compiled with the allocator, then make no call on the fast path (like the
 * floor's; larson 1T 1.29x, micro 1.8x against the called version, bench-ab).
 */
// @ts-ignore: decorator
@inline export function hkMalloc(size: usize): usize {
  if (size <= SMALL_MAX) {
    const cls = classOf(size);
    const e = cacheEntry(self, cls);
    const head = e.head;
    if (head != 0) return cachePop(e, head, cls);
    return mallocSlow(size, cls);
  }
  return largeAlloc(size, false);
}

/** Hand out `p`, the first block of the non-empty cache entry `e` (read once by the caller). */
// @ts-ignore: decorator
@inline function cachePop(e: CacheEntry, p: usize, cls: u32): usize {
  if (DEBUG_BUILD) debugAllocCheck(p, cls); // the bit first: a kill after it leaves the block
  e.head = load<u32>(p);                     // cached with its bit set, which reclaim clears
  crashPoint(); // a kill here: the block is the dead thread's (reclaim counts it, deadHeld)
  untag(p); // handed out: a free of it is no longer a double free
  e.count--;
  return p;
}

/** A request above SMALL_MAX, counted in bytes; on failure, give memory back and retry. */
function largeAlloc(size: usize, hugeOnly: bool): usize {
  syncMemory();
  if (!attached() && threadAttach() == 0) return 0;
  if (reliefDue(self)) answerRelief(self, selfTid);
  let p = largeMalloc(size, hugeOnly);
  if (p == 0) {
    giveBackAll(self, selfTid);
    p = largeMalloc(size, hugeOnly);
    if (p == 0) {
      askRelief(self); // the other threads give back what they hold; then once more
      p = largeMalloc(size, hugeOnly);
    }
    if (p == 0) {
      noteOom(size);
      counters(self).oom++;
      return 0;
    }
  }
  const th = changetype<ThreadHeader>(self);
  th.largeBytesAsked += size;
  th.largeBytesGiven += blockUsable(p, false);
  return p;
}

/** Debug build: mark the block as handed out; finding it already marked is an allocator bug. */
function debugAllocCheck(p: usize, cls: u32): void {
  syncMemory(); // the bitmap is updated with atomics
  const m = metaOf(p);
  const idx = blockIndex(slabMeta(m), p);
  debugAssert(idx >= 0 && bitSetAllocated(m, <u32>idx), ASSERT_HANDED_OUT_TWICE, p, <u32>idx);
  ringRecordFast(EV_ALLOC, cls, p, 0);
}

/** The cache of class `cls` is empty: refill it (attaching this instance first if needed). */
function mallocSlow(size: usize, cls: u32): usize {
  syncMemory();
  if (!attached()) {
    if (threadAttach() == 0) return 0;
    cls = classOf(size); // the class map may have been built only now, by attach's init
  }
  const rec = self;
  if (reliefDue(rec)) answerRelief(rec, selfTid);
  const e = cacheEntry(rec, cls);
  if (e.head == 0) {
    const th = changetype<ThreadHeader>(rec);
    if (++th.refillsSinceFlush >= OUTBOX_FLUSH_REFILLS) {
      th.refillsSinceFlush = 0;
      outboxFlushAll(rec); // bound how long remote frees wait in this thread's outbox
    }
    const n = refillCount(e.cap);
    if (heapRefill(rec, selfTid, cls, n) == 0) {
      giveBackAll(rec, selfTid); // out of memory: give back all we hold, retry
      if (heapRefill(rec, selfTid, cls, n) == 0) {
        askRelief(rec); // then the other threads give back what they hold: retry once more
        if (heapRefill(rec, selfTid, cls, n) == 0) {
          noteOom(size);
          counters(rec).oom++;
          return 0;
        }
      }
    }
  }
  return cachePop(e, <usize>e.head, cls);
}

/** Blocks per refill: half the cache in batch mode, else one. */
// @ts-ignore: decorator
@inline function refillCount(cap: u32): u32 {
  if (hdr().batchRefill == 0 || cap < 2) return 1;
  return cap >> 1;
}

/** calloc: n * size zeroed bytes; 0 if the product overflows or memory is exhausted. */
export function hkCalloc(n: usize, size: usize): usize {
  const total = <u64>n * <u64>size;
  if (total > <u64>u32.MAX_VALUE) return 0;
  const p = hkMalloc(<usize>total);
  if (p != 0) memory.fill(p, 0, <usize>total);
  return p;
}

/**
 * realloc: in place when `size` fits the block's usable size (its class stride, or its
 * run/span); otherwise allocate, copy, free. On failure returns 0 and `p` is untouched.
 * A bad `p` records the fault free would and returns 0.
 */
export function hkRealloc(p: usize, size: usize): usize {
  if (p == 0) return hkMalloc(size);
  const usable = blockUsable(p, true);
  if (usable == 0) return 0;
  if (size <= usable) return p;
  const q = hkMalloc(size);
  if (q == 0) return 0;
  memory.copy(q, p, usable);
  hkFree(p);
  return q;
}

/**
 * aligned_alloc: `align` must be a power of two up to MAX_ALIGN (1 MiB), else 0.
 *   align <= 16         malloc (sizes >= 16 are 16-aligned; smaller ones are rounded to 16)
 *   align <= 4 KiB      the smallest class whose stride `align` divides (slab data starts are
 *                       4 KiB aligned, so every block of that class is aligned)
 *   align <= 64 KiB     a large run;  align <= 1 MiB: a huge span
 */
export function hkAlignedAlloc(align: usize, size: usize): usize {
  if (align == 0 || (align & (align - 1)) != 0 || align > MAX_ALIGN) return 0;
  if (!ensureInit()) return 0; // the class map below must exist (malloc alone initialises lazily)
  if (align <= 16) return hkMalloc(size < 16 && align == 16 ? 16 : size);
  if (align <= SMALL_ALIGN_MAX && size <= SMALL_MAX) {
    let cls = classOf(size > align ? size : align);
    while (cls < NUM_CLASSES && (classSize(cls) & <u32>(align - 1)) != 0) cls++;
    return hkMalloc(<usize>classSize(cls)) ; // exactly that class's size maps to it
  }
  if (align <= SLAB_SIZE) return largeAlloc(size == 0 ? 1 : size, false);
  return largeAlloc(size == 0 ? 1 : size, true);
}

/** errno values of the C library a wasm program links (wasi-libc and Emscripten share them). */
// @ts-ignore: decorator
@inline export const ERRNO_EINVAL: u32 = 28;
// @ts-ignore: decorator
@inline export const ERRNO_ENOMEM: u32 = 48;

/**
 * posix_memalign: store a block of `size` bytes aligned to `align` at *out; returns 0, or
 * EINVAL (alignment not a power of two multiple of sizeof(void *), or above MAX_ALIGN) or
 * ENOMEM, leaving *out untouched. The one store into the caller's memory is the call's job.
 */
export function hkPosixMemalign(out: usize, align: usize, size: usize): u32 {
  if (align < sizeof<usize>() || (align & (align - 1)) != 0 || align > MAX_ALIGN) return ERRNO_EINVAL;
  const p = hkAlignedAlloc(align, size);
  if (p == 0) return ERRNO_ENOMEM;
  store<usize>(out, p);
  return 0;
}

/** malloc_usable_size: bytes usable at `p` (0 for 0 or a pointer that is not a live block). */
export function hkUsableSize(p: usize): usize {
  return blockUsable(p, false);
}
