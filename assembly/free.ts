// free.ts: free. The fast path handles a valid block of a slab this thread owns while its
// cache has room: one SlabOwners load and compare (owner.ts), the block-start check, the
// free-tag compare, four stores. Everything else (caches full, remote frees, large/huge, bad
// pointers, a block already free) is freeSlow.
//
// What is checked, in both builds, before anything changes (on the fast path, the
// SlabOwners entry stands for the first two: it names this thread only for a small slab of a
// SuperSlab that this thread owns):
//   - the registry entry (outside the heap / a free chunk / a huge tail -> fault),
//   - the slab state (free slab, header, large-run interior -> fault),
//   - the block start, on the offset from the slab's data start, by exact division (one
//     multiply by the stride's inverse, one rotate: interior pointer -> fault), and that the
//     block was ever carved;
//   - that the block is not already free: release build, its free tag (free-tag.ts: every
//     double free, in a cache, a free list, an outbox or a remote stack, by any thread);
//     debug build, its exact per-block allocation bit. A large run or huge span, in both
//     builds, by its free tag: it carries one while it waits in a thread's large cache.

import { SlabMeta, SS_HEADER_SIZE, SLAB_SMALL, SLAB_LARGE, SLAB_LARGE_TAIL,
         REG_SUPERSLAB, REG_HUGE, REG_HUGE_TAIL, CHUNK_MASK, DEBUG_BUILD, EV_FREE,
         FAULT_OUTSIDE_HEAP, FAULT_FREE_SLAB, FAULT_NOT_BLOCK_START, FAULT_NOT_CARVED,
         FAULT_DOUBLE_FREE, FAULT_LARGE_INTERIOR, FAULT_HEADER, FOUND_CLASS_SHIFT, FOUND_OWNER_SHIFT,
         RetiredCounters, retiredOf, ThreadHeader, CacheEntry, LIST_ORPHAN, hdr } from "./types";
import { registryOf, regKind } from "./registry";
import { ssOf, metaOf, slabMeta, remoteByBits } from "./superslab";
import { blockIndex, carvedIndex, bitClearAllocated, bitIsAllocated } from "./slab";
import { self, selfTid, attached, syncMemory } from "./tls";
import { cacheEntry, heapSpill, heapFreeToSlab, heapAdoptForFree } from "./heap";
import { remoteFree, remoteFreeBit, remotePushOne } from "./remote";
import { largeRunFree, hugeFree, largeRunUsable, hugeUsable } from "./large";
import { threadAttach } from "./thread";
import { ensureInit, heapOurs } from "./init";
import { reportFault } from "./fault";
import { ringRecordFast } from "./ring";
import { isTaggedFree, tagFree, freeTag, hasTag, storeTag } from "./free-tag";
import { reliefDue, answerRelief } from "./relief";
import { crashPoint } from "./journal";
import { slabOwnerAt } from "./owner";

/**
 * Free `p` (0 is a no-op). The fast path: a valid, carved, not-yet-free block of a slab this
 * thread owns, its class's cache not full. About 76 wasm instructions (54 besides local and
 * global reads), ten loads, two multiplies (the block index, the free tag), one rotate,
 * four stores and four tests: the SlabOwners entry of p's 64 KiB is this thread's tid (a
 * small slab of a SuperSlab that this thread owns: owner.ts); one unsigned compare of
 * the block's index against `carved` (carvedIndex: an offset that is no block start, or lies
 * below the data start, gives an index above any block count, so the one compare checks the
 * block start and both bounds); the cache has room; the free tag is absent (not a double
 * free). Counted in build/release.wat (in the export `free`); V8 makes about 36 x86
 * instructions of it, inlined into larson's loop with the heap base a constant (the bench
 * module, a linked program). The tag is one multiply (free-tag.ts), computed once for the
 * test and the store; the cache entry's address one lea (8-byte entries); the count read once
 * for the test and the increment. Inlined into every
 * caller, freeSlow is not (see hkMalloc). The 64-bit reciprocal division it replaced took
 * eleven instructions more and a second multiply; the registry test and the meta's owner
 * compare that the table replaced, one load and one test more.
 */
// @ts-ignore: decorator
@inline export function hkFree(p: usize): void {
  // One `if` per test, nested, with the fast path falling through each: a combined `a && b`
  // compiles to an `if (result i32)` that V8 turns into a boolean it then tests again (and it
  // computed the tag on both sides of that merge).
  if (slabOwnerAt(p) == selfTid) { // a small slab this thread owns (owner.ts); -1 matches none
    const meta = slabMeta(metaOf(p));
    const idx = carvedIndex(meta, p);
    if (idx < meta.carved) {
      const e = cacheEntry(self, meta.cls);
      const count = e.count; // only this thread writes its cache entries
      if (count < e.cap) {
        const tag = freeTag(p);
        if (DEBUG_BUILD || !hasTag(p, tag)) {
          if (DEBUG_BUILD) {
            changetype<ThreadHeader>(self).debugFreeing = <u32>p;
            if (!debugFreeCheck(metaOf(p), <i32>idx, p, meta)) return;
          }
          store<u32>(p, e.head);
          crashPoint();
          e.head = <u32>p; // published before tagged: a kill between leaves a cached block
          crashPoint();    // without its tag, which reclaim's recount restores (recover.ts)
          storeTag(p, tag);
          crashPoint();
          e.count = count + 1;
          if (DEBUG_BUILD) changetype<ThreadHeader>(self).debugFreeing = 0;
          return;
        }
      }
    }
  }
  freeSlow(p);
}

/**
 * Debug build: clear the block's allocation bit; a clear bit means a double free. The caller
 * has set ThreadHeader.debugFreeing to the block when it has a thread record (cleared here on
 * a refusal, and by the caller once the block is linked).
 */
function debugFreeCheck(m: usize, idx: i32, p: usize, meta: SlabMeta): bool {
  syncMemory(); // the bitmap is updated with atomics
  if (!bitClearAllocated(m, <u32>idx)) {
    if (attached()) changetype<ThreadHeader>(self).debugFreeing = 0;
    reportFault(FAULT_DOUBLE_FREE, p, slabFound(meta), <u32>idx);
    return false;
  }
  ringRecordFast(EV_FREE, meta.cls, p, 0);
  return true;
}

/** What a fault record says was found at a slab: its state, class and owner, packed. */
function slabFound(meta: SlabMeta): u32 {
  return <u32>meta.state | (<u32>meta.cls << FOUND_CLASS_SHIFT)
    | (atomic.load<u32>(changetype<usize>(meta)) << FOUND_OWNER_SHIFT);
}

/** Every free the fast path did not finish. */
function freeSlow(p: usize): void {
  if (p == 0) return;
  if (!attached() && !ensureInit()) return; // another build's heap: touch nothing
  syncMemory();
  if (attached() && reliefDue(self)) answerRelief(self, selfTid); // a thread out of memory asked
  const entry = registryOf(p);
  const kind = regKind(entry);
  if (kind == REG_SUPERSLAB) {
    freeInSuperslab(p);
  } else if (kind == REG_HUGE && (p & CHUNK_MASK) == 0) {
    if (isTaggedFree(p)) reportFault(FAULT_DOUBLE_FREE, p, entry, 0); // in a large cache
    else hugeFree(p, entry);
  } else if (kind == REG_HUGE || kind == REG_HUGE_TAIL) {
    reportFault(FAULT_LARGE_INTERIOR, p, entry, 0);
  } else {
    reportFault(FAULT_OUTSIDE_HEAP, p, entry, 0);
  }
}

/** Validate a pointer into a SuperSlab: returns its block index, or -1 after a fault. */
function validateSmall(p: usize, meta: SlabMeta): i32 {
  const idx = blockIndex(meta, p);
  if (idx < 0) {
    reportFault(FAULT_NOT_BLOCK_START, p, slabFound(meta), <u32>(p - <usize>meta.dataStart));
    return -1;
  }
  if (<u32>idx >= meta.carved) {
    reportFault(FAULT_NOT_CARVED, p, slabFound(meta), <u32>idx);
    return -1;
  }
  return idx;
}

/** A pointer into a SuperSlab that is not in a small slab: free a large run head, else fault. */
function freeNonSmall(p: usize, m: usize, meta: SlabMeta): void {
  const state = meta.state;
  if ((p & CHUNK_MASK) < SS_HEADER_SIZE) {
    reportFault(FAULT_HEADER, p, slabFound(meta), <u32>(p & CHUNK_MASK));
  } else if (state == SLAB_LARGE && p == <usize>meta.dataStart) {
    if (isTaggedFree(p)) reportFault(FAULT_DOUBLE_FREE, p, slabFound(meta), 0); // in a large cache
    else largeRunFree(m);
  } else if (state == SLAB_LARGE || state == SLAB_LARGE_TAIL) {
    reportFault(FAULT_LARGE_INTERIOR, p, slabFound(meta), 0);
  } else {
    reportFault(FAULT_FREE_SLAB, p, slabFound(meta), 0);
  }
}

/**
 * Free without a thread identity (all MAX_THREADS slots taken): push the block alone onto
 * its slab's remote stack and count the free in the retired totals, so the per-class sums
 * the checker compares stay exact.
 */
function freeWithoutThread(m: usize, idx: i32, p: usize, meta: SlabMeta): void {
  if (DEBUG_BUILD) {
    if (!debugFreeCheck(m, idx, p, meta)) return;
  } else if (isTaggedFree(p)) {
    reportFault(FAULT_DOUBLE_FREE, p, slabFound(meta), <u32>idx);
    return;
  }
  tagFree(p);
  if (!remotePushOne(m, p, <u32>idx)) { // its bit was set: a second free that raced the check
    reportFault(FAULT_DOUBLE_FREE, p, slabFound(meta), <u32>idx);
    return;
  }
  atomic.add<u32>(retiredOf(meta.cls) + offsetof<RetiredCounters>("returned"), 1);
}

/** The slow path for a pointer whose chunk is a SuperSlab. */
function freeInSuperslab(p: usize): void {
  const m = metaOf(p);
  const meta = slabMeta(m);
  if (meta.state != SLAB_SMALL || (p & CHUNK_MASK) < SS_HEADER_SIZE) {
    freeNonSmall(p, m, meta);
    return;
  }
  const idx = validateSmall(p, meta);
  if (idx < 0) return;
  const cls = <u32>meta.cls;
  if (!attached() && threadAttach() == 0) {
    freeWithoutThread(m, idx, p, meta); // every thread slot is taken
    return;
  }
  const e = cacheEntry(self, cls);
  if (DEBUG_BUILD) {
    changetype<ThreadHeader>(self).debugFreeing = <u32>p;
    if (!debugFreeCheck(m, idx, p, meta)) return;
  } else if (isTaggedFree(p)) {
    reportFault(FAULT_DOUBLE_FREE, p, slabFound(meta), <u32>idx);
    return;
  }
  freeOwnedOrRemote(e, cls, m, p, <u32>idx);
  if (DEBUG_BUILD) changetype<ThreadHeader>(self).debugFreeing = 0; // linked: the free happened
}

/** A validated free of block `p` (index `idx`) of slab `m` (class `cls`): to another thread, its slab, or the cache. */
function freeOwnedOrRemote(e: CacheEntry, cls: u32, m: usize, p: usize, idx: u32): void {
  // The block is tagged free where it joins a list, after the update is journaled or the
  // cache head published (a kill before that leaves the free undone, not half done).
  if (atomic.load<u32>(m) != selfTid) {
    // An orphan's blocks are reused by whoever adopts it: this thread, which frees into it.
    if (atomic.load<u32>(m) != 0 || slabMeta(m).list != LIST_ORPHAN || !heapAdoptForFree(self, selfTid, m)) {
      // leaves this thread for another's slab: as a bit of its remote head, or via the outbox
      if (!remoteByBits(slabMeta(m).stride)) remoteFree(self, e, m, p);
      else if (!remoteFreeBit(self, e, m, p, idx)) reportFault(FAULT_DOUBLE_FREE, p, slabFound(slabMeta(m)), idx);
      return;
    }
  }
  if (e.cap == 0) {
    heapFreeToSlab(self, e, cls, m, p);
    return;
  }
  if (e.count >= e.cap) {
    const batch = hdr().batchRefill ? <u32>(e.cap >> 1) : 1;
    heapSpill(self, selfTid, cls, batch == 0 ? 1 : batch);
  }
  store<u32>(p, e.head);
  crashPoint();
  e.head = <u32>p;
  crashPoint();
  tagFree(p);
  e.count++;
}

/**
 * Usable size of the block at `p`, or 0 if `p` is not a live block start. With `report`, a
 * bad pointer records the same fault free would (realloc uses this).
 */
export function blockUsable(p: usize, report: bool): usize {
  if (p == 0 || !heapOurs()) return 0;
  syncMemory();
  const entry = registryOf(p);
  const kind = regKind(entry);
  if (kind == REG_HUGE && (p & CHUNK_MASK) == 0) {
    if (!isTaggedFree(p)) return hugeUsable(entry);
    if (report) reportFault(FAULT_DOUBLE_FREE, p, entry, 0); // freed: in a large cache
    return 0;
  }
  if (kind != REG_SUPERSLAB) {
    if (report) reportFault(kind == REG_HUGE || kind == REG_HUGE_TAIL
      ? FAULT_LARGE_INTERIOR : FAULT_OUTSIDE_HEAP, p, entry, 0);
    return 0;
  }
  const m = metaOf(p);
  const meta = slabMeta(m);
  if ((p & CHUNK_MASK) >= SS_HEADER_SIZE) {
    if (meta.state == SLAB_LARGE && p == <usize>meta.dataStart) {
      if (!isTaggedFree(p)) return largeRunUsable(m);
      if (report) reportFault(FAULT_DOUBLE_FREE, p, slabFound(meta), 0); // freed: in a large cache
      return 0;
    }
    if (meta.state == SLAB_SMALL) {
      const idx = blockIndex(meta, p);
      if (idx >= 0 && <u32>idx < meta.carved) {
        if (DEBUG_BUILD ? !bitIsAllocated(m, <u32>idx) : isTaggedFree(p)) {
          if (report) reportFault(FAULT_DOUBLE_FREE, p, slabFound(meta), <u32>idx);
          return 0;
        }
        return <usize>meta.stride;
      }
      if (report) validateSmall(p, meta);
      return 0;
    }
  }
  if (report) freeNonSmall(p, m, meta); // records the fault; never frees (not a run head)
  return 0;
}
