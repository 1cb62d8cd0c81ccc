// pool.ts: the global pools, all under one spin lock: free chunks (and memory.grow), free
// slabs inside SuperSlabs, large runs of slabs, huge spans of chunks, and orphan slabs.
//
// Every path here is rare (once per 64 KiB slab, or per large allocation), so a single lock
// keeps the invariants simple: the registry, SuperSlab used masks, the non-full list and the
// orphan lists change only while it is held. Memory grows only under the lock and always by
// whole chunks, so every chunk is 1 MiB aligned. Memory is never given back to the engine,
// but every chunk, slab and run returns here when empty and is reused.

import { GlobalHeader, CHUNK_SHIFT, PAGES_PER_CHUNK, NUM_CLASSES, SLAB_SMALL,
         MAX_CHUNKS, SLABS_PER_SS, ALL_SLABS_MASK, SLAB_FREE, SLAB_LARGE, SLAB_LARGE_TAIL,
         LIST_NONE, LIST_ORPHAN, REG_FREE, REG_SUPERSLAB, REG_HUGE, REG_HUGE_TAIL, orphanBase,
         EV_SUPERSLAB_ACQUIRE, EV_SUPERSLAB_RELEASE, EV_OOM, SLAB_SHIFT, hdr, hdrField } from "./types";
import { registryGet, registrySet, regKind, regMake, regPayload } from "./registry";
import { superslabFormat, ssHeader, metaAt, slabIndex, ssOf, slabMeta } from "./superslab";
import { lockAcquire, lockRelease } from "./lock";
import { ringRecord } from "./ring";
import { selfTid, syncMemory } from "./tls";
import { crashPoint } from "./journal";
import { ownerClear } from "./owner";

/** Take the pool lock. */
export function poolLock(): void {
  lockAcquire(hdrField(offsetof<GlobalHeader>("poolLock")), selfTid);
  syncMemory(); // chunks other threads grew are about to be touched with atomics
}

/** Release the pool lock. */
export function poolUnlock(): void {
  lockRelease(hdrField(offsetof<GlobalHeader>("poolLock")));
}

// ---- chunks -------------------------------------------------------------------------------

/**
 * Find `n` consecutive free chunks, growing memory if needed (pool locked).
 * Returns the first chunk index, or 0 when memory cannot grow (the caller reports OOM).
 * Single chunks (SuperSlabs) are taken lowest first, runs (huge spans) highest first, so
 * spans and SuperSlabs do not interleave and fragment the chunk pool.
 */
export function chunksAcquire(n: u32): u32 {
  const h = hdr();
  if (n == 1) {
    for (let c = h.firstChunk; c < h.chunkCount; c++) {
      if (regKind(registryGet(c)) == REG_FREE) return c;
    }
  } else {
    const c = chunksFindFree(n);
    if (c != 0) return c;
  }
  return chunksGrow(n);
}

/**
 * Grow memory by `n` chunks for the pool (pool locked); returns the first new chunk, or 0.
 *
 * Anyone may call memory.grow (the program, its libc, the JavaScript host); the allocator
 * owns exactly the pages its own grows returned, plus what lay above HEAP_BASE at init. If
 * memory still ends where the allocator's last grow ended (ownedPages), nobody else grew:
 * the free chunks at the top of the heap and a partial chunk above them can be extended.
 * Otherwise the new chunks start at the first 1 MiB boundary of the new pages, and the
 * chunks in between stay REG_NONE (foreign), never taken as heap. A foreign grow racing this
 * one is seen in the old size memory.grow returns; then only whole chunks inside the pages
 * this grow got are registered, and the loop grows again.
 */
function chunksGrow(n: u32): u32 {
  const h = hdr();
  while (true) {
    const pages = <u32>memory.size();
    let start: u32; // first chunk of the run to build
    if (pages == h.ownedPages) {
      let run: u32 = 0; // free chunks at the top of the heap, extended by the grow
      while (run < h.chunkCount - h.firstChunk
             && regKind(registryGet(h.chunkCount - 1 - run)) == REG_FREE) run++;
      start = h.chunkCount - run;
    } else {
      start = (pages + PAGES_PER_CHUNK - 1) / PAGES_PER_CHUNK;
      if (start < h.chunkCount) start = h.chunkCount;
    }
    const end = start + n; // one past the run's last chunk
    if (end > MAX_CHUNKS) return 0;
    const want = end * PAGES_PER_CHUNK - pages;
    const old = memory.grow(<i32>want);
    if (old < 0) return 0;
    h.grows++;
    const got = <u32>old;
    h.ownedPages = got + want;
    // Chunks of the run that lie wholly in pages this instance owns: all of [start, end) when
    // nobody grew in between, else the whole chunks inside [got, got + want).
    const lo = got == pages ? start : (got + PAGES_PER_CHUNK - 1) / PAGES_PER_CHUNK;
    const hi = (got + want) / PAGES_PER_CHUNK;
    for (let c = lo > h.chunkCount ? lo : h.chunkCount; c < hi; c++) {
      registrySet(c, regMake(REG_FREE, 0));
      h.heapChunks++;
    }
    if (hi > h.chunkCount) h.chunkCount = hi;
    if (h.heapChunks > h.peakChunks) h.peakChunks = h.heapChunks;
    if (got == pages) return start;
    // Someone grew between our size() and grow(): retry with what is registered now.
    const again = chunksFindFree(n);
    if (again != 0) return again;
  }
  return 0;
}

/** A run of `n` free chunks already registered, highest first; 0 if none (pool locked). */
function chunksFindFree(n: u32): u32 {
  const h = hdr();
  let run: u32 = 0;
  for (let c = h.chunkCount; c > h.firstChunk; c--) {
    if (regKind(registryGet(c - 1)) == REG_FREE) {
      if (++run == n) return c - 1;
    } else {
      run = 0;
    }
  }
  return 0;
}

/** Return `n` chunks starting at `first` to the pool (pool locked). */
export function chunksRelease(first: u32, n: u32): void {
  for (let c = first; c < first + n; c++) { registrySet(c, regMake(REG_FREE, 0)); crashPoint(); }
}

// ---- SuperSlabs and slabs -----------------------------------------------------------------

/** Put a SuperSlab on the non-full list (pool locked). */
function nonfullAdd(ss: usize): void {
  const h = hdr();
  const s = ssHeader(ss);
  if (s.inNonfull) return;
  s.nonfullPrev = 0;
  s.nonfullNext = h.nonfullHead;
  if (h.nonfullHead) ssHeader(h.nonfullHead).nonfullPrev = <u32>ss;
  crashPoint();
  h.nonfullHead = <u32>ss;
  s.inNonfull = 1;
}

/** Take a SuperSlab off the non-full list (pool locked). */
function nonfullRemove(ss: usize): void {
  const s = ssHeader(ss);
  if (!s.inNonfull) return;
  if (s.nonfullPrev) ssHeader(s.nonfullPrev).nonfullNext = s.nonfullNext;
  else hdr().nonfullHead = s.nonfullNext;
  crashPoint();
  if (s.nonfullNext) ssHeader(s.nonfullNext).nonfullPrev = s.nonfullPrev;
  s.inNonfull = 0;
  s.nonfullNext = 0;
  s.nonfullPrev = 0;
}

/** Make a new SuperSlab from a free chunk (pool locked); 0 when out of memory. */
function superslabCreate(): usize {
  const grewBefore = hdr().grows;
  const chunk = chunksAcquire(1);
  if (chunk == 0) return 0;
  const ss = <usize>chunk << CHUNK_SHIFT;
  superslabFormat(ss, chunk);
  crashPoint();
  registrySet(chunk, regMake(REG_SUPERSLAB, 0)); // publish after the header is written
  crashPoint();
  hdr().superslabs++;
  nonfullAdd(ss);
  ringRecord(EV_SUPERSLAB_ACQUIRE, 0, ss, hdr().grows != grewBefore ? 1 : 0);
  return ss;
}

/** Give an empty SuperSlab's chunk back to the pool (pool locked). */
function superslabDestroy(ss: usize): void {
  nonfullRemove(ss);
  crashPoint();
  ssHeader(ss).magic = 0;
  crashPoint();
  registrySet(<u32>(ss >>> CHUNK_SHIFT), regMake(REG_FREE, 0));
  hdr().superslabs--;
  ringRecord(EV_SUPERSLAB_RELEASE, 0, ss, 0);
}

/** Mark slabs `mask` of `ss` used, updating the non-full list (pool locked). */
function markUsed(ss: usize, mask: u32): void {
  const s = ssHeader(ss);
  s.usedMask |= mask;
  crashPoint();
  if (s.usedMask == ALL_SLABS_MASK) nonfullRemove(ss);
}

/** Mark slabs `mask` of `ss` free; an empty SuperSlab goes back to the chunk pool. */
function markFree(ss: usize, mask: u32): void {
  const s = ssHeader(ss);
  s.usedMask &= ~mask;
  crashPoint();
  if (s.usedMask == 0) superslabDestroy(ss);
  else nonfullAdd(ss);
}

/** Take one free slab from any SuperSlab (pool locked); returns its SlabMeta or 0 (OOM). */
export function slabAcquire(): usize {
  let ss = <usize>hdr().nonfullHead;
  if (ss == 0) {
    ss = superslabCreate();
    if (ss == 0) return 0;
  }
  const free = ~ssHeader(ss).usedMask & ALL_SLABS_MASK;
  const k = ctz(free);
  markUsed(ss, 1 << k);
  crashPoint();
  return metaAt(ss, k);
}

/** Return a slab to the pool (pool locked). Its blocks must all be free. */
export function slabRelease(m: usize): void {
  const meta = slabMeta(m);
  ownerClear(m);
  crashPoint();
  meta.state = SLAB_FREE;
  meta.list = LIST_NONE;
  crashPoint();
  markFree(ssOf(m), 1 << slabIndex(m));
}

// ---- large runs (k slabs inside one SuperSlab, slab 0 excluded) ---------------------------

/** Find k consecutive free slabs among 1..15 of `ss`; returns the first index or 0. */
function findRun(ss: usize, k: u32): u32 {
  const used = ssHeader(ss).usedMask;
  const want = (<u32>1 << k) - 1;
  for (let i: u32 = 1; i + k <= SLABS_PER_SS; i++) {
    if ((used & (want << i)) == 0) return i;
  }
  return 0;
}

/** Allocate a run of k slabs (pool locked); returns the head SlabMeta or 0 (OOM). */
export function largeRunAcquire(k: u32, size: u32): usize {
  let ss = <usize>hdr().nonfullHead;
  let first: u32 = 0;
  while (ss != 0) {
    first = findRun(ss, k);
    if (first != 0) break;
    ss = ssHeader(ss).nonfullNext;
  }
  if (ss == 0) {
    ss = superslabCreate();
    if (ss == 0) return 0;
    first = 1;
  }
  markUsed(ss, ((<u32>1 << k) - 1) << first);
  for (let i: u32 = 1; i < k; i++) {
    const t = slabMeta(metaAt(ss, first + i));
    t.state = SLAB_LARGE_TAIL;
    t.span = <u8>i;
    crashPoint();
  }
  const m = metaAt(ss, first);
  const meta = slabMeta(m);
  meta.state = SLAB_LARGE;
  meta.span = <u8>k;
  meta.largeSize = size;
  meta.dataStart = <u32>(ss + (<usize>first << SLAB_SHIFT));
  hdr().largeRuns++;
  hdr().largeSlabs += k;
  return m;
}

/** Free a large run given its head SlabMeta (pool locked). */
export function largeRunRelease(m: usize): void {
  const meta = slabMeta(m);
  const k = <u32>meta.span;
  const first = slabIndex(m);
  const ss = ssOf(m);
  hdr().largeRuns--;
  hdr().largeSlabs -= k;
  for (let i: u32 = 0; i < k; i++) {
    const t = slabMeta(metaAt(ss, first + i));
    t.state = SLAB_FREE;
    t.span = 0;
    t.largeSize = 0;
    crashPoint();
  }
  markFree(ss, ((<u32>1 << k) - 1) << first);
}

// ---- huge spans (whole chunks) ------------------------------------------------------------

/** Allocate n whole chunks as one span (pool locked); returns its address or 0 (OOM). */
export function hugeAcquire(n: u32): usize {
  const first = chunksAcquire(n);
  if (first == 0) return 0;
  registrySet(first, regMake(REG_HUGE, n));
  crashPoint();
  for (let c = first + 1; c < first + n; c++) { registrySet(c, regMake(REG_HUGE_TAIL, first)); crashPoint(); }
  hdr().hugeSpans++;
  hdr().largeSlabs += n * SLABS_PER_SS;
  return <usize>first << CHUNK_SHIFT;
}

/** Free a huge span of n chunks at chunk `first` (pool locked). */
export function hugeRelease(first: u32, n: u32): void {
  chunksRelease(first, n);
  hdr().hugeSpans--;
  hdr().largeSlabs -= n * SLABS_PER_SS;
}

// ---- orphan slabs (no owner; adopted by the next thread that needs their class) ----------

/** Head address of class `cls`'s orphan list. */
// @ts-ignore: decorator
@inline function orphanHeadAddr(cls: u32): usize {
  return orphanBase() + (<usize>cls << 2);
}

/** Add an ownerless slab to its class's orphan list (pool locked). */
export function orphanPush(m: usize): void {
  const meta = slabMeta(m);
  const head = orphanHeadAddr(meta.cls);
  meta.prev = 0;
  meta.next = load<u32>(head);
  if (meta.next) slabMeta(meta.next).prev = <u32>m;
  crashPoint();
  store<u32>(head, <u32>m);
  crashPoint();
  meta.list = LIST_ORPHAN;
}

/** Take the first orphan of class `cls` (pool locked); 0 if none. */
export function orphanPop(cls: u32): usize {
  const head = orphanHeadAddr(cls);
  const m = <usize>load<u32>(head);
  if (m == 0) return 0;
  const meta = slabMeta(m);
  store<u32>(head, meta.next);
  crashPoint();
  if (meta.next) slabMeta(meta.next).prev = 0;
  meta.next = 0;
  meta.prev = 0;
  meta.list = LIST_NONE;
  return m;
}

/** Take orphan `m` off its class's list, wherever it is (pool locked; m.list is LIST_ORPHAN). */
export function orphanRemove(m: usize): void {
  const meta = slabMeta(m);
  if (meta.prev != 0) slabMeta(meta.prev).next = meta.next;
  else store<u32>(orphanHeadAddr(meta.cls), meta.next);
  crashPoint();
  if (meta.next != 0) slabMeta(meta.next).prev = meta.prev;
  meta.next = 0;
  meta.prev = 0;
  meta.list = LIST_NONE;
}

/** First orphan of class `cls` without taking it (for the checker and stats). */
export function orphanFirst(cls: u32): usize {
  return <usize>load<u32>(orphanHeadAddr(cls));
}

/** Record an allocation that failed for lack of memory. */
export function noteOom(bytes: usize): void {
  atomic.add<u32>(hdrField(offsetof<GlobalHeader>("oomCount")), 1);
  ringRecord(EV_OOM, 0, 0, <u32>bytes);
}

// ---- repair after a lock holder died -------------------------------------------------------

/**
 * Rebuild the pool's derived state from what each chunk and slab says about itself, for a
 * pool lock whose holder died mid-update (called with the lock taken over from the dead
 * thread, before anyone else can take it). Authoritative: the registry's chunk kinds and each
 * slab's state, span and list; derived and rebuilt: used masks, the non-full list, the orphan
 * lists and the pool counters. Torn pieces are settled so nothing is lost:
 *   - huge spans: a head's missing tails are completed, tails without their head are freed;
 *   - a SuperSlab whose slabs are all free goes back to the chunk pool (also one half
 *     destroyed), a large run's tail without its head is freed;
 *   - a small slab with no owner that is not on an orphan list (one being formatted,
 *     released, or popped and not yet claimed) becomes an orphan: an adopter drains it and
 *     releases it if empty. One on an orphan list loses the owner a kill left on it.
 * Slabs owned by a thread are left to their owner (a dead owner's are found by reclaim).
 */
export function poolRepair(): void {
  const h = hdr();
  let top: u32 = h.firstChunk;
  for (let c = h.firstChunk; c < MAX_CHUNKS; c++) if (regKind(registryGet(c)) != 0) top = c + 1;
  h.chunkCount = top > h.chunkCount ? top : h.chunkCount;
  // huge spans first: complete or free their tails
  for (let c = h.firstChunk; c < h.chunkCount; c++) {
    const e = registryGet(c);
    if (regKind(e) == REG_HUGE) {
      const n = regPayload(e);
      for (let t = c + 1; t < c + n && t < h.chunkCount; t++) registrySet(t, regMake(REG_HUGE_TAIL, c));
    } else if (regKind(e) == REG_HUGE_TAIL) {
      const head = regPayload(e);
      const he = registryGet(head);
      if (regKind(he) != REG_HUGE || c >= head + regPayload(he)) registrySet(c, regMake(REG_FREE, 0));
    }
  }
  for (let cls: u32 = 0; cls < NUM_CLASSES; cls++) store<u32>(orphanHeadAddr(cls), 0);
  h.nonfullHead = 0;
  let superslabs: u32 = 0, hugeSpans: u32 = 0, largeRuns: u32 = 0, largeSlabs: u32 = 0, heapChunks: u32 = 0;
  for (let c = h.firstChunk; c < h.chunkCount; c++) {
    const e = registryGet(c);
    const kind = regKind(e);
    if (kind == 0) continue;
    heapChunks++;
    if (kind == REG_HUGE) { hugeSpans++; largeSlabs += regPayload(e) * SLABS_PER_SS; continue; }
    if (kind != REG_SUPERSLAB) continue;
    const ss = <usize>c << CHUNK_SHIFT;
    let used: u32 = 0;
    for (let k: u32 = 0; k < SLABS_PER_SS; k++) {
      const m = metaAt(ss, k);
      const meta = slabMeta(m);
      if (meta.state == SLAB_LARGE) {
        const span = <u32>meta.span;
        for (let i: u32 = 1; i < span; i++) slabMeta(metaAt(ss, k + i)).state = SLAB_LARGE_TAIL;
        used |= ((<u32>1 << span) - 1) << k;
        largeRuns++;
        largeSlabs += span;
        k += span - 1;
      } else if (meta.state == SLAB_LARGE_TAIL) {
        meta.state = SLAB_FREE; // a tail whose head was never written or already freed
        meta.span = 0;
      } else if (meta.state == SLAB_SMALL) {
        used |= <u32>1 << k;
        if (meta.list == LIST_ORPHAN || atomic.load<u32>(m) == 0) {
          ownerClear(m);
          orphanPush(m);
        }
      }
    }
    const s = ssHeader(ss);
    s.usedMask = used;
    s.inNonfull = 0;
    s.nonfullNext = 0;
    s.nonfullPrev = 0;
    if (used == 0) {
      registrySet(c, regMake(REG_FREE, 0)); // an empty SuperSlab goes back to the chunk pool
      s.magic = 0;
      continue;
    }
    superslabs++;
    if (used != ALL_SLABS_MASK) nonfullAdd(ss);
  }
  h.superslabs = superslabs;
  h.hugeSpans = hugeSpans;
  h.largeRuns = largeRuns;
  h.largeSlabs = largeSlabs;
  h.heapChunks = heapChunks;
  if (heapChunks > h.peakChunks) h.peakChunks = heapChunks;
}
