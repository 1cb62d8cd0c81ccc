// init.ts: one-time set-up of the shared heap, safe when every worker's instance races to it,
// and the one check that keeps an instance of another build or version out of it.
//
// Top-level statements run again in every instance (danger 3), so set-up is an exported
// function guarded by a compare-and-swap on the heap stamp's initState (types.ts): the winner
// builds the class map and the header, the others spin until it marks the heap ready.
// Spinning (not atomic.wait) keeps the path legal on a browser's main thread. The stamp sits
// at HEAP_BASE in every build and version, so an instance reads it before anything else: a
// heap whose stamp carries another HEAP_FORMAT is refused, and nothing of it is written.

import { HEAP_MAGIC, HEAP_FORMAT, HeapStamp, stamp, INIT_NEW, INIT_BUSY, INIT_READY, INIT_FAILED,
         HEAP_STATUS_NONE, HEAP_STATUS_OURS, HEAP_STATUS_FOREIGN,
         DEBUG_BUILD, HEAP_BASE, HEAP_BASE_ALIGN, CONTROL_SIZE, MAX_CHUNKS, CHUNK_SHIFT, CHUNK_SIZE, CHUNK_MASK,
         WASM_PAGE_SHIFT, PAGES_PER_CHUNK, CACHE_DEFAULT, DEFAULT_REMOTE_BATCH,
         MAX_REMOTE_BATCH, POLICY_STRICT, RING_ALL, RING_SLOW, FAULT_INTERNAL, ASSERT_LAYOUT,
         REG_FREE, hdr }
  from "./types";
import { buildClassMap, classTableValid } from "./classes";
import { layoutChecks } from "./layout-checks";
import { reportFault } from "./fault";
import { registrySet, regMake } from "./registry";

/** init's result when the heap belongs to another build or version (nothing was written). */
// @ts-ignore: decorator
@inline export const INIT_REFUSED: u32 = 2;

/** This instance's verdict on the heap: HEAP_STATUS_OURS once seen, HEAP_STATUS_FOREIGN for good. */
let verdict: u32 = HEAP_STATUS_NONE;

/** Clamp a remote batch size to 1..MAX_REMOTE_BATCH (0 means the default). */
function remoteBatchOf(v: u32): u32 {
  if (v == 0) return DEFAULT_REMOTE_BATCH;
  return v > MAX_REMOTE_BATCH ? MAX_REMOTE_BATCH : v;
}

/** True if HEAP_BASE is usable: page aligned, its control region below the 4 GiB limit. */
function heapBaseValid(): bool {
  return (HEAP_BASE & (HEAP_BASE_ALIGN - 1)) == 0
    && <u64>HEAP_BASE + CONTROL_SIZE <= (<u64>MAX_CHUNKS << CHUNK_SHIFT) - CHUNK_SIZE;
}

/**
 * Initialise the heap once with this configuration; later calls (any instance) wait for
 * the first and return 0. Returns 1 for the call that did the work, INIT_REFUSED (and writes
 * nothing) if an instance of another build or version initialised the heap. Traps if
 * HEAP_BASE or the layout is unusable.
 *
 * Memory contract: everything from HEAP_BASE up to the memory size at this moment is the
 * allocator's; everything below HEAP_BASE is the program's and is never written. The control
 * region is zeroed (the first init may follow a program that left memory above its heap
 * base untouched but a host may not have), whole chunks above it become free heap, and a
 * partial chunk at the end of memory is completed by the pool's first grow.
 */
export function heapInit(cacheMode: u32, batchRefill: u32, remoteBatch: u32,
                         faultPolicy: u32, ringMode: u32): u32 {
  layoutChecks(); // compile time: no code
  if (!heapBaseValid()) unreachable(); // nothing at HEAP_BASE can be trusted or written
  // The stamp must be addressable (also for atomics: grow(0) refreshes this thread's view
  // of another's grow). If the control region lies past the end of memory, grow it; racing
  // instances may both grow, and the extra pages are above HEAP_BASE, so still the heap's.
  memory.grow(0);
  if (heapStatus() == HEAP_STATUS_FOREIGN) return INIT_REFUSED;
  const need = <u32>((<u64>HEAP_BASE + CONTROL_SIZE + (HEAP_BASE_ALIGN - 1)) >> WASM_PAGE_SHIFT);
  const have = <u32>memory.size();
  if (have < need && memory.grow(<i32>(need - have)) < 0) unreachable();
  const st = stamp();
  const flag = changetype<usize>(st) + offsetof<HeapStamp>("initState");
  if (atomic.cmpxchg<u32>(flag, INIT_NEW, INIT_BUSY) != INIT_NEW) return waitReady();
  const h = hdr();
  // Zero the whole control region but the stamp (a loser may be spinning on its initState).
  memory.fill(HEAP_BASE + offsetof<HeapStamp>(), 0, CONTROL_SIZE - offsetof<HeapStamp>());
  buildClassMap();
  if (!classTableValid() || __data_end > HEAP_BASE) {
    atomic.store<u32>(flag, INIT_FAILED);
    reportFault(FAULT_INTERNAL, __data_end, 0, ASSERT_LAYOUT);
    unreachable();
  }
  h.debugBuild = DEBUG_BUILD ? 1 : 0;
  h.cacheMode = cacheMode > CACHE_DEFAULT ? CACHE_DEFAULT : cacheMode;
  h.batchRefill = batchRefill != 0 ? 1 : 0;
  h.remoteBatch = remoteBatchOf(remoteBatch);
  h.faultPolicy = faultPolicy == POLICY_STRICT ? POLICY_STRICT : 0;
  h.ringMode = ringMode > RING_ALL ? RING_SLOW : ringMode;
  // Heap chunks: whole chunks between the control region and the end of memory. A partial
  // last chunk is this allocator's too (it lies above HEAP_BASE): ownedPages says so.
  const pages = <u32>memory.size();
  const first = <u32>((<u64>HEAP_BASE + CONTROL_SIZE + CHUNK_MASK) >> CHUNK_SHIFT);
  const whole = pages / PAGES_PER_CHUNK;
  h.firstChunk = first;
  h.chunkCount = whole > first ? whole : first;
  for (let c = first; c < whole; c++) registrySet(c, regMake(REG_FREE, 0));
  h.heapChunks = h.chunkCount - first;
  h.peakChunks = h.heapChunks;
  h.ownedPages = pages;
  st.format = HEAP_FORMAT;
  st.magic = HEAP_MAGIC;
  atomic.store<u32>(flag, INIT_READY); // publishes everything above
  verdict = HEAP_STATUS_OURS;
  return 1;
}

/** Spin until the heap is ready; 0, or INIT_REFUSED if it is another build's. Traps if set-up failed. */
function waitReady(): u32 {
  const flag = changetype<usize>(stamp()) + offsetof<HeapStamp>("initState");
  let s = atomic.load<u32>(flag);
  while (s == INIT_BUSY) s = atomic.load<u32>(flag);
  if (s != INIT_READY) unreachable();
  return heapStatus() == HEAP_STATUS_OURS ? 0 : INIT_REFUSED;
}

/**
 * Is the heap in this memory one this instance may use (HEAP_STATUS_OURS), another build's or
 * version's (HEAP_STATUS_FOREIGN: then nothing of it is ever written), or not set up yet
 * (HEAP_STATUS_NONE)? Reads only the stamp; the verdict is kept once known.
 */
export function heapStatus(): u32 {
  if (verdict != HEAP_STATUS_NONE) return verdict;
  if (<u64>memory.size() << WASM_PAGE_SHIFT < <u64>HEAP_BASE + offsetof<HeapStamp>()) return HEAP_STATUS_NONE;
  const st = stamp();
  if (atomic.load<u32>(changetype<usize>(st) + offsetof<HeapStamp>("initState")) != INIT_READY) return HEAP_STATUS_NONE;
  verdict = st.magic == HEAP_MAGIC && st.format == HEAP_FORMAT ? HEAP_STATUS_OURS : HEAP_STATUS_FOREIGN;
  return verdict;
}

/** True once the heap is set up and is this build's (the guard of every entry that touches it). */
// @ts-ignore: decorator
@inline export function heapOurs(): bool {
  return verdict == HEAP_STATUS_OURS || heapStatus() == HEAP_STATUS_OURS;
}

/**
 * Make sure the heap is initialised (with the default configuration if nobody did); false if
 * it is another build's or version's.
 */
export function ensureInit(): bool {
  if (heapOurs()) return true;
  heapInit(CACHE_DEFAULT, 1, DEFAULT_REMOTE_BATCH, 0, DEBUG_BUILD ? RING_ALL : RING_SLOW);
  return heapOurs();
}
