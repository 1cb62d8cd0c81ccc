// check.ts: the heap checker. Walks every chunk, SuperSlab, slab, free list, remote stack,
// per-thread cache, outbox, owned-slab list and orphan list, and verifies:
//   - the registry matches the SuperSlabs (magic, chunk index, counts) and huge spans;
//   - the SlabOwners table mirrors every slab's owner, and is 0 everywhere else (owner.ts);
//   - each SuperSlab's used mask matches its slab states; large runs are well formed;
//   - every free block lies at a stride offset inside its slab, below `carved`;
//   - no block is on two lists (and no list has a cycle);
//   - list counts match their counters (freeCount, cache count, outbox count);
//   - every cached block belongs to a slab its thread owns, of the cache's class;
//   - per-slab conservation: carved = in use + cached + free list + remote, in use >= 0;
//   - per class: the slabs' in-use total equals the threads' flow counters (no drift);
//   - every free block carries its free tag (free-tag.ts; a lost tag is a write after free);
//   - debug build: allocation bits agree (set for in-use blocks only).
// It must run while no other thread is inside the allocator (the host pauses its workers):
// it marks visited blocks by setting bit 0 of their link word, and clears the marks after.
//
//   The report it writes at checkBase(): a CheckReport head, CHECK_DETAIL_CAP CheckDetails,
//   then an i32 per class, the in-use total found on the slabs (diagram in types.ts).

import { GlobalHeader, ThreadHeader, OutboxEntry, SlabMeta, CheckReport, CheckDetail, checkBase, CHECK_DETAIL_CAP,
         CHECK_CLASS_TOTALS_OFF, CHECK_REPORT_BYTES,
         CHUNK_SHIFT, SLABS_PER_SS, SLAB_FREE, SLAB_SMALL, SLAB_LARGE, SLAB_LARGE_TAIL,
         LIST_CURRENT, LIST_PARTIAL, LIST_ORPHAN, REG_NONE, REG_FREE, REG_SUPERSLAB, REG_HUGE,
         REG_HUGE_TAIL, SS_MAGIC, NUM_CLASSES, MAX_THREADS, THREAD_FREE, TH_OUTBOX_OFFSET,
         OUTBOX_SIZE, OUTBOX_ENTRY_SIZE, DEBUG_BUILD, FREE_TAG_OFFSET, CHUNK_MASK, LARGE_CACHE_SLOTS,
         LARGE_UNIT_MASK, LARGE_CACHE_UNITS, TH_LARGE_CACHE_OFFSET, MAX_CHUNKS, SLAB_SHIFT, hdr, hdrField } from "./types";
import { registryGet, regKind, regPayload, registryOf } from "./registry";
import { metaAt, metaOf, slabMeta, ssHeader, remoteHeadOf, remoteByBits } from "./superslab";
import { blockIndex, bitIsAllocated, bitBlock } from "./slab";
import { orphanFirst } from "./pool";
import { cacheEntry, classState } from "./heap";
import { recordAt } from "./thread";
import { classInUse } from "./stats";
import { lockAcquire, lockRelease } from "./lock";
import { selfTid, syncMemory } from "./tls";
import { isTaggedFree } from "./free-tag";
import { ownerSlotOf } from "./owner";
import { largeSlotAddr, largeBin, entryRun } from "./large-cache";

// Violation codes.
// abi: CHECK_CODES names CHK_
// @ts-ignore: decorator
@inline export const CHK_REGISTRY: u32 = 1;     // registry entry vs chunk contents
// @ts-ignore: decorator
@inline export const CHK_SLAB_STATE: u32 = 2;   // used mask / slab state / large run shape
// @ts-ignore: decorator
@inline export const CHK_BAD_BLOCK: u32 = 3;    // a listed block not at a stride offset / not carved / wrong slab
// @ts-ignore: decorator
@inline export const CHK_DUPLICATE: u32 = 4;    // a block on two lists, or a cycle
// @ts-ignore: decorator
@inline export const CHK_COUNT: u32 = 5;        // list length != its counter
// @ts-ignore: decorator
@inline export const CHK_CONSERVATION: u32 = 6; // carved != in use + cached + free + remote
// @ts-ignore: decorator
@inline export const CHK_CLASS_TOTAL: u32 = 7;  // slabs' in-use total != threads' flow counters
// @ts-ignore: decorator
@inline export const CHK_OWNER: u32 = 8;        // ownership / list membership mismatch
// @ts-ignore: decorator
@inline export const CHK_BITMAP: u32 = 9;       // debug allocation bits disagree
// @ts-ignore: decorator
@inline export const CHK_FREE_TAG: u32 = 10;    // a free block lost its free tag (written after free)
// @ts-ignore: decorator
@inline export const CHK_LARGE_CACHE: u32 = 11; // a large-cache slot that is no cached run (or one cached twice)

/** Record one violation (the first CHECK_DETAIL_CAP keep their details). */
function violation(code: u32, addr: usize, a: u32, b: u32): void {
  const r = changetype<CheckReport>(checkBase());
  const n = r.violations;
  if (n < CHECK_DETAIL_CAP) {
    const d = changetype<CheckDetail>(checkBase() + offsetof<CheckReport>() + <usize>n * offsetof<CheckDetail>());
    d.code = code;
    d.addr = <u32>addr;
    d.a = a;
    d.b = b;
  }
  r.violations = n + 1;
}

/** SlabMeta of `p` if it is a carved block start of a small slab, else 0 (no violation). */
function smallBlockMeta(p: usize): usize {
  if (registryOf(p) != REG_SUPERSLAB) return 0;
  const m = metaOf(p);
  const meta = slabMeta(m);
  if (meta.state != SLAB_SMALL) return 0;
  const idx = blockIndex(meta, p);
  if (idx < 0 || <u32>idx >= meta.carved) return 0;
  return m;
}

/**
 * Walk a list starting at `p`, marking each block. Every block must be a valid block of
 * slab `want` (or of any small slab of class `cls` owned by `owner` if `want` is 0).
 * Adds each block to its slab's tally at field offset `tally`. Returns the length walked.
 */
function walkMark(p: usize, want: usize, cls: u32, owner: u32, tally: usize, limit: u32): u32 {
  let n: u32 = 0;
  while (p != 0) {
    const m = smallBlockMeta(p);
    if (m == 0 || (want != 0 && m != want)) {
      violation(CHK_BAD_BLOCK, p, <u32>want, n);
      return n;
    }
    const meta = slabMeta(m);
    if (want == 0 && (<u32>meta.cls != cls || atomic.load<u32>(m) != owner)) {
      violation(CHK_OWNER, p, <u32>meta.cls | (cls << 8), atomic.load<u32>(m));
    }
    const link = load<u32>(p);
    if ((link & 1) != 0) {
      violation(CHK_DUPLICATE, p, n, 0);
      return n;
    }
    if (DEBUG_BUILD && bitIsAllocated(m, <u32>blockIndex(meta, p))) {
      violation(CHK_BITMAP, p, 1, 0);
    }
    if (!isTaggedFree(p)) violation(CHK_FREE_TAG, p, load<u32>(p, FREE_TAG_OFFSET), 0);
    store<u32>(p, link | 1);
    if (tally != TALLY_NONE) store<u32>(m + tally, load<u32>(m + tally) + 1);
    n++;
    if (n > limit) {
      violation(CHK_COUNT, p, n, limit);
      return n;
    }
    p = <usize>link;
  }
  return n;
}

/** Clear the marks walkMark left on a list (stops at the first unmarked block). */
function walkUnmark(p: usize): void {
  while (p != 0 && smallBlockMeta(p) != 0) {
    const link = load<u32>(p);
    if ((link & 1) == 0) return;
    store<u32>(p, link & ~1);
    p = <usize>(link & ~1);
  }
}

// What forEachSmallSlab does to each slab (a code, not a function value: a function value
// would be a static object in a data segment, and the module has none).
// @ts-ignore: decorator
@inline const VISIT_RESET: u32 = 0;
// @ts-ignore: decorator
@inline const VISIT_MARK: u32 = 1;
// @ts-ignore: decorator
@inline const VISIT_CONSERVE: u32 = 2;
// @ts-ignore: decorator
@inline const VISIT_UNMARK: u32 = 3;

/** Apply step `visit` to every small slab of every registered SuperSlab. */
function forEachSmallSlab(visit: u32): void {
  const count = hdr().chunkCount;
  for (let c = hdr().firstChunk; c < count; c++) {
    if (registryGet(c) != REG_SUPERSLAB) continue;
    const ss = <usize>c << CHUNK_SHIFT;
    for (let k: u32 = 0; k < SLABS_PER_SS; k++) {
      const m = metaAt(ss, k);
      if (slabMeta(m).state != SLAB_SMALL) continue;
      if (visit == VISIT_RESET) resetTally(m);
      else if (visit == VISIT_MARK) markSlabLists(m);
      else if (visit == VISIT_CONSERVE) conserveSlab(m);
      else unmarkSlabLists(m);
    }
  }
}

/** Registry, SuperSlab headers, used masks, large runs and huge spans. */
function checkChunks(): void {
  const h = hdr();
  let superslabs: u32 = 0;
  let huge: u32 = 0;
  let heapChunks: u32 = 0;
  for (let c: u32 = 0; c < h.firstChunk; c++) { // the program's memory and the control region
    if (registryGet(c) != REG_NONE) violation(CHK_REGISTRY, <usize>c << CHUNK_SHIFT, registryGet(c), 7);
  }
  for (let c = h.firstChunk; c < h.chunkCount; c++) {
    const entry = registryGet(c);
    if (regKind(entry) != REG_NONE) heapChunks++;
    const kind = regKind(entry);
    if (kind == REG_SUPERSLAB) {
      superslabs++;
      const ss = <usize>c << CHUNK_SHIFT;
      const s = ssHeader(ss);
      if (s.magic != SS_MAGIC || s.chunk != c) violation(CHK_REGISTRY, ss, s.magic, s.chunk);
      let mask: u32 = 0;
      for (let k: u32 = 0; k < SLABS_PER_SS; k++) {
        const meta = slabMeta(metaAt(ss, k));
        const st = meta.state;
        if (st != SLAB_FREE) mask |= 1 << k;
        if (st == SLAB_LARGE) {
          meta.chkA = 0; // large-cache membership (checkLargeCache)
          const span = <u32>meta.span;
          if (k == 0 || span == 0 || k + span > SLABS_PER_SS) {
            violation(CHK_SLAB_STATE, metaAt(ss, k), k, span);
            continue;
          }
          for (let i: u32 = 1; i < span; i++) {
            const t = slabMeta(metaAt(ss, k + i));
            if (t.state != SLAB_LARGE_TAIL || <u32>t.span != i) {
              violation(CHK_SLAB_STATE, metaAt(ss, k + i), t.state, t.span);
            }
          }
        } else if (st == SLAB_FREE) {
          if (atomic.load<u32>(metaAt(ss, k)) != 0 || atomic.load<u32>(remoteHeadOf(metaAt(ss, k))) != 0) {
            violation(CHK_SLAB_STATE, metaAt(ss, k), 0, 1);
          }
        } else if (st != SLAB_SMALL && st != SLAB_LARGE_TAIL) {
          violation(CHK_SLAB_STATE, metaAt(ss, k), st, 2);
        }
      }
      if (mask != s.usedMask) violation(CHK_SLAB_STATE, ss, mask, s.usedMask);
      if (mask == 0) violation(CHK_REGISTRY, ss, 0, 3); // an empty SuperSlab should be back in the pool
    } else if (kind == REG_HUGE) {
      huge++;
      const n = regPayload(entry);
      if (n == 0 || c + n > h.chunkCount) {
        violation(CHK_REGISTRY, <usize>c << CHUNK_SHIFT, entry, 4);
        continue;
      }
      for (let i: u32 = 1; i < n; i++) {
        const t = registryGet(c + i);
        if (regKind(t) != REG_HUGE_TAIL || regPayload(t) != c) {
          violation(CHK_REGISTRY, <usize>(c + i) << CHUNK_SHIFT, t, 5);
        }
      }
      heapChunks += n - 1;
      c += n - 1;
    } else if (kind != REG_FREE && kind != REG_NONE) { // REG_NONE: a foreign chunk
      violation(CHK_REGISTRY, <usize>c << CHUNK_SHIFT, entry, 6);
    }
  }
  if (superslabs != h.superslabs || huge != h.hugeSpans) {
    violation(CHK_REGISTRY, 0, superslabs, h.superslabs);
  }
  if (heapChunks != h.heapChunks) violation(CHK_REGISTRY, 0, heapChunks, h.heapChunks);
}

/**
 * The SlabOwners table (owner.ts): each entry of a SuperSlab's slab equals that slab's owner,
 * every other entry of the 4 GiB is 0 (a stale tid there would let free's fast path take a
 * pointer into memory that is no small slab of that thread).
 */
function checkOwners(): void {
  const h = hdr();
  for (let c: u32 = 0; c < MAX_CHUNKS; c++) {
    const ss = <usize>c << CHUNK_SHIFT;
    const superslab = c >= h.firstChunk && c < h.chunkCount && regKind(registryGet(c)) == REG_SUPERSLAB;
    for (let k: u32 = 0; k < SLABS_PER_SS; k++) {
      const unit = ss + (<usize>k << SLAB_SHIFT);
      const want = superslab ? atomic.load<u32>(metaAt(ss, k)) : 0;
      const have = atomic.load<u32>(ownerSlotOf(unit));
      if (have != want) violation(CHK_OWNER, unit, have, want);
    }
  }
}

// Tally fields of SlabMeta the checker uses as scratch.
// @ts-ignore: decorator
@inline const TALLY_NONE: usize = 0;
// @ts-ignore: decorator
@inline const TALLY_CACHED: usize = offsetof<SlabMeta>("chkA");
// @ts-ignore: decorator
@inline const TALLY_REMOTE: usize = offsetof<SlabMeta>("chkB");

/** Reset the checker's per-slab tallies. */
function resetTally(m: usize): void {
  slabMeta(m).chkA = 0;
  slabMeta(m).chkB = 0;
}

/** Walk a slab's free list (count must match) and remote stack or bits (tallied as remote). */
function markSlabLists(m: usize): void {
  const meta = slabMeta(m);
  const nfree = walkMark(meta.freeHead, m, 0, 0, TALLY_NONE, meta.capacity);
  if (nfree != meta.freeCount) violation(CHK_COUNT, m, nfree, meta.freeCount);
  if (remoteByBits(meta.stride)) markBits(m, atomic.load<u32>(remoteHeadOf(m)));
  else walkMark(atomic.load<u32>(remoteHeadOf(m)), m, 0, 0, TALLY_REMOTE, meta.capacity);
}

/**
 * Mark the blocks waiting as bits on slab `m`'s remote head, as walkMark marks a list's: each
 * must be carved, tagged free and on no other list (its first word, 0 while it waits, marked).
 */
function markBits(m: usize, bits: u32): void {
  const meta = slabMeta(m);
  for (let b = bits; b != 0; b &= b - 1) {
    const idx = <u32>ctz<u32>(b);
    const p = bitBlock(m, idx);
    if (idx >= meta.carved) {
      violation(CHK_BAD_BLOCK, p, <u32>m, idx);
      continue;
    }
    const link = load<u32>(p);
    if ((link & 1) != 0) {
      violation(CHK_DUPLICATE, p, idx, 1);
      continue;
    }
    if (DEBUG_BUILD && bitIsAllocated(m, idx)) violation(CHK_BITMAP, p, 1, 0);
    if (!isTaggedFree(p)) violation(CHK_FREE_TAG, p, load<u32>(p, FREE_TAG_OFFSET), 0);
    store<u32>(p, link | 1);
    meta.chkB++; // TALLY_REMOTE
  }
}

/** Clear the marks on a slab's free list and remote stack or bits. */
function unmarkSlabLists(m: usize): void {
  const meta = slabMeta(m);
  walkUnmark(meta.freeHead);
  if (!remoteByBits(meta.stride)) {
    walkUnmark(atomic.load<u32>(remoteHeadOf(m)));
    return;
  }
  for (let b = atomic.load<u32>(remoteHeadOf(m)); b != 0; b &= b - 1) {
    const idx = <u32>ctz<u32>(b);
    if (idx >= meta.carved) continue;
    const p = bitBlock(m, idx);
    store<u32>(p, load<u32>(p) & ~1);
  }
}

/** Per-slab conservation, plus the debug bitmap's population; adds to the class total. */
function conserveSlab(m: usize): void {
  const meta = slabMeta(m);
  const used = meta.carved - meta.freeCount;
  if (meta.used != used) violation(CHK_CONSERVATION, m, meta.used, used);
  const inUse = <i32>used - <i32>meta.chkA - <i32>meta.chkB;
  if (inUse < 0 || meta.carved > meta.capacity) {
    violation(CHK_CONSERVATION, m, meta.carved, <u32>inUse);
  }
  if (DEBUG_BUILD) {
    let bits: i32 = 0;
    for (let i: u32 = 0; i < meta.carved; i++) if (bitIsAllocated(m, i)) bits++;
    if (bits != inUse) violation(CHK_BITMAP, m, <u32>bits, <u32>inUse);
  }
  const t = checkBase() + CHECK_CLASS_TOTALS_OFF + (<usize>meta.cls << 2);
  store<i32>(t, load<i32>(t) + inUse);
}

/** Walk every live thread's caches, outbox and owned-slab lists. */
function markThreads(unmark: bool): void {
  for (let slot: u32 = 1; slot < MAX_THREADS; slot++) {
    const rec = recordAt(slot);
    if (atomic.load<u32>(rec + offsetof<ThreadHeader>("state")) == THREAD_FREE) continue;
    const tid = atomic.load<u32>(rec);
    for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
      const e = cacheEntry(rec, cls);
      if (unmark) { walkUnmark(e.head); continue; }
      const n = walkMark(e.head, 0, cls, tid, TALLY_CACHED, 0xFFFF);
      if (n != <u32>e.count) violation(CHK_COUNT, rec, n, e.count);
      checkOwnedLists(rec, tid, cls);
    }
    if (!unmark) checkLargeCache(rec);
    for (let i: u32 = 0; i < OUTBOX_SIZE; i++) {
      const ob = changetype<OutboxEntry>(rec + TH_OUTBOX_OFFSET + i * OUTBOX_ENTRY_SIZE);
      if (ob.slab == 0) continue;
      if (unmark) { walkUnmark(ob.head); continue; }
      const n = walkMark(ob.head, ob.slab, 0, 0, TALLY_REMOTE, 0xFFFF);
      if (n != ob.count) violation(CHK_COUNT, changetype<usize>(ob), n, ob.count);
    }
  }
}

/**
 * The large cache of record `rec`: every listed run a live run of its size (a large run's head,
 * at most once in all caches; a huge span's first chunk), in its size's bin, carrying its free
 * tag; the lists no longer than the budget allows; their units summing to largeCachedUnits.
 */
function checkLargeCache(rec: usize): void {
  let units: u32 = 0;
  for (let b: u32 = 0; b < LARGE_CACHE_SLOTS; b++) {
    let e = load<u32>(largeSlotAddr(rec, b));
    for (let k: u32 = 0; e != 0; k++) {
      const p = entryRun(e);
      const n = e & LARGE_UNIT_MASK;
      if (k >= LARGE_CACHE_UNITS) { // longer than any budget allows: a cycle or a scribbled link
        violation(CHK_LARGE_CACHE, p, n, 0xFFFFFFFF);
        break;
      }
      units += n;
      const entry = registryOf(p);
      let ok = n != 0 && largeBin(n) == b;
      if (regKind(entry) == REG_HUGE) {
        ok = ok && (p & CHUNK_MASK) == 0 && regPayload(entry) * SLABS_PER_SS == n;
      } else if (regKind(entry) == REG_SUPERSLAB) {
        const meta = slabMeta(metaOf(p));
        ok = ok && meta.state == SLAB_LARGE && <usize>meta.dataStart == p && <u32>meta.span == n && meta.chkA == 0;
        meta.chkA = 1;
      } else {
        ok = false;
      }
      if (!ok) {
        violation(CHK_LARGE_CACHE, p, n, entry);
        break; // its link cannot be trusted either
      }
      if (!isTaggedFree(p)) violation(CHK_FREE_TAG, p, load<u32>(p, FREE_TAG_OFFSET), 1);
      e = load<u32>(p);
    }
  }
  const th = changetype<ThreadHeader>(rec);
  if (units != th.largeCachedUnits) violation(CHK_COUNT, rec + TH_LARGE_CACHE_OFFSET, units, th.largeCachedUnits);
}

/** The current slab and the circular partial list of (rec, cls): owned, tagged, of the class. */
function checkOwnedLists(rec: usize, tid: u32, cls: u32): void {
  const cs = classState(rec, cls);
  if (cs.current != 0) checkOwnedSlab(<usize>cs.current, tid, cls, LIST_CURRENT);
  const head = <usize>cs.partial;
  if (head == 0) return;
  let m = head;
  let n: u32 = 0;
  do {
    checkOwnedSlab(m, tid, cls, LIST_PARTIAL);
    const next = <usize>slabMeta(m).next;
    if (next == 0 || <usize>slabMeta(next).prev != m) {
      violation(CHK_OWNER, m, 0, 1);
      return;
    }
    m = next;
    if (++n > 65536) { violation(CHK_OWNER, head, n, 2); return; }
  } while (m != head);
}

/** One slab on a thread's list. */
function checkOwnedSlab(m: usize, tid: u32, cls: u32, list: u8): void {
  const meta = slabMeta(m);
  if (meta.state != SLAB_SMALL || <u32>meta.cls != cls || atomic.load<u32>(m) != tid
      || meta.list != list) {
    violation(CHK_OWNER, m, atomic.load<u32>(m), <u32>meta.list | (<u32>meta.cls << 8));
  }
}

/** Orphan lists: ownerless small slabs of the list's class. */
function checkOrphans(): void {
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    let n: u32 = 0;
    for (let m = orphanFirst(cls); m != 0; m = <usize>slabMeta(m).next) {
      const meta = slabMeta(m);
      if (meta.state != SLAB_SMALL || <u32>meta.cls != cls || atomic.load<u32>(m) != 0
          || meta.list != LIST_ORPHAN) {
        violation(CHK_OWNER, m, atomic.load<u32>(m), <u32>meta.list | 0x100);
      }
      if (++n > 65536) { violation(CHK_OWNER, m, n, 3); break; }
    }
  }
}

/**
 * Check the whole heap (quiescent: no other thread may be inside the allocator).
 * Returns the number of violations; details of the first CHECK_DETAIL_CAP are in the report.
 */
export function heapCheck(): u32 {
  const lock = hdrField(offsetof<GlobalHeader>("checkLock"));
  lockAcquire(lock, selfTid);
  syncMemory();
  memory.fill(checkBase(), 0, CHECK_REPORT_BYTES);
  checkChunks();
  checkOwners();
  checkOrphans();
  forEachSmallSlab(VISIT_RESET);
  forEachSmallSlab(VISIT_MARK);
  markThreads(false);
  forEachSmallSlab(VISIT_CONSERVE);
  markThreads(true);
  forEachSmallSlab(VISIT_UNMARK);
  let slabs: u32 = 0;
  const count = hdr().chunkCount;
  for (let c = hdr().firstChunk; c < count; c++) if (registryGet(c) == REG_SUPERSLAB) slabs += SLABS_PER_SS;
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) {
    const counted = classInUse(cls);
    const onSlabs = load<i32>(checkBase() + CHECK_CLASS_TOTALS_OFF + (<usize>cls << 2));
    if (counted != onSlabs) violation(CHK_CLASS_TOTAL, cls, <u32>onSlabs, <u32>counted);
  }
  const report = changetype<CheckReport>(checkBase());
  report.slabs = slabs;
  const n = report.violations;
  lockRelease(lock);
  return n;
}
