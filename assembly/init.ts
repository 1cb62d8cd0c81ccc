// init.ts: one-time set-up of the shared heap, safe when every worker's instance races to it.
//
// Top-level statements run again in every instance (danger 3), so set-up is an exported
// function guarded by a compare-and-swap on a flag in shared memory: the winner builds the
// class map and the header, the others spin until it marks the heap ready. Spinning (not
// atomic.wait) keeps the path legal on a browser's main thread.

import { GlobalHeader, HEAP_MAGIC, LAYOUT_VERSION,
         SS_HEADER_SIZE, DEBUG_BUILD, HEAP_BASE, HEAP_BASE_ALIGN, CONTROL_SIZE, HEADER_OFF, MAX_CHUNKS, CHUNK_SHIFT, CHUNK_SIZE, CHUNK_MASK,
         WASM_PAGE_SHIFT, PAGES_PER_CHUNK, CACHE_DEFAULT, DEFAULT_REMOTE_BATCH,
         MAX_REMOTE_BATCH, POLICY_STRICT, RING_ALL, RING_SLOW, FAULT_INTERNAL, ASSERT_LAYOUT,
         REG_FREE, hdr, hdrField }
  from "./types";
import { buildClassMap, classTableValid } from "./classes";
import { layoutChecks } from "./layout-checks";
import { reportFault } from "./fault";
import { registrySet, regMake } from "./registry";

// @ts-ignore: decorator
@inline const INIT_NEW: u32 = 0;
// @ts-ignore: decorator
@inline const INIT_BUSY: u32 = 1;
// @ts-ignore: decorator
@inline const INIT_READY: u32 = 2;
// @ts-ignore: decorator
@inline const INIT_FAILED: u32 = 3;

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
 * the first and return 0. Returns 1 for the call that did the work. Traps if HEAP_BASE or
 * the layout is unusable, or an instance of the other build (debug vs release) initialised
 * the heap.
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
  const flag = hdrField(offsetof<GlobalHeader>("initState"));
  // The init flag must be addressable (also for atomics: grow(0) refreshes this thread's view
  // of another's grow). If the control region lies past the end of memory, grow it; racing
  // instances may both grow, and the extra pages are above HEAP_BASE, so still the heap's.
  memory.grow(0);
  const need = <u32>((<u64>HEAP_BASE + CONTROL_SIZE + (HEAP_BASE_ALIGN - 1)) >> WASM_PAGE_SHIFT);
  const have = <u32>memory.size();
  if (have < need && memory.grow(<i32>(need - have)) < 0) unreachable();
  if (atomic.cmpxchg<u32>(flag, INIT_NEW, INIT_BUSY) == INIT_NEW) {
    const h = hdr();
    // Zero the whole control region but the init flag (a loser may be spinning on it).
    memory.fill(HEAP_BASE, 0, HEADER_OFF + offsetof<GlobalHeader>("initState"));
    const rest = HEADER_OFF + offsetof<GlobalHeader>("initState") + 4;
    memory.fill(HEAP_BASE + rest, 0, CONTROL_SIZE - rest);
    buildClassMap();
    if (!classTableValid() || __data_end > HEAP_BASE) {
      atomic.store<u32>(flag, INIT_FAILED);
      reportFault(FAULT_INTERNAL, __data_end, 0, ASSERT_LAYOUT);
      unreachable();
    }
    h.version = LAYOUT_VERSION;
    h.ssHeaderSize = SS_HEADER_SIZE;
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
    h.magic = HEAP_MAGIC;
    atomic.store<u32>(flag, INIT_READY); // publishes everything above
    return 1;
  }
  waitReady();
  return 0;
}

/** Spin until the heap is ready; trap if set-up failed or the builds differ. */
function waitReady(): void {
  const flag = hdrField(offsetof<GlobalHeader>("initState"));
  let s = atomic.load<u32>(flag);
  while (s == INIT_BUSY) s = atomic.load<u32>(flag);
  if (s != INIT_READY || hdr().ssHeaderSize != SS_HEADER_SIZE) unreachable();
}

/** Make sure the heap is initialised (with the default configuration if nobody did). */
export function ensureInit(): void {
  if (!isReady()) {
    heapInit(CACHE_DEFAULT, 1, DEFAULT_REMOTE_BATCH, 0, DEBUG_BUILD ? RING_ALL : RING_SLOW);
  }
}

/** True once the heap is initialised (false, without touching it, if it is not in memory). */
export function isReady(): bool {
  if (<u64>memory.size() << WASM_PAGE_SHIFT < <u64>HEAP_BASE + CONTROL_SIZE) return false;
  return atomic.load<u32>(hdrField(offsetof<GlobalHeader>("initState"))) == INIT_READY;
}
