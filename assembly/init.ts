// init.ts: one-time set-up of the shared heap, safe when every worker's instance races to it.
//
// Top-level statements run again in every instance (danger 3), so set-up is an exported
// function guarded by a compare-and-swap on a flag in shared memory: the winner builds the
// class map and the header, the others spin until it marks the heap ready. Spinning (not
// atomic.wait) keeps the path legal on a browser's main thread.

import { GlobalHeader, HEAP_MAGIC, LAYOUT_VERSION, SS_HEADER_SIZE, DEBUG_BUILD,
         PAGES_PER_CHUNK, STATIC_DATA_LIMIT, CACHE_DEFAULT, DEFAULT_REMOTE_BATCH,
         MAX_REMOTE_BATCH, POLICY_STRICT, RING_ALL, RING_SLOW, FAULT_INTERNAL, REG_FREE, hdr,
         hdrField }
  from "./types";
import { buildClassMap, classTableValid } from "./classes";
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

/**
 * Initialise the heap once with this configuration; later calls (any instance) wait for
 * the first and return 0. Returns 1 for the call that did the work. Traps if the layout
 * does not fit or an instance of the other build (debug vs release) initialised the heap.
 */
export function heapInit(cacheMode: u32, batchRefill: u32, remoteBatch: u32,
                         faultPolicy: u32, ringMode: u32): u32 {
  const flag = hdrField(offsetof<GlobalHeader>("initState"));
  if (atomic.cmpxchg<u32>(flag, INIT_NEW, INIT_BUSY) == INIT_NEW) {
    const h = hdr();
    if (!classTableValid() || __heap_base > STATIC_DATA_LIMIT) {
      atomic.store<u32>(flag, INIT_FAILED);
      reportFault(FAULT_INTERNAL, __heap_base, 0, 0);
      unreachable();
    }
    let pages = <u32>memory.size();
    if (pages < PAGES_PER_CHUNK) {
      memory.grow(<i32>(PAGES_PER_CHUNK - pages)); // the control chunk must be whole
      pages = PAGES_PER_CHUNK;
    }
    buildClassMap();
    h.version = LAYOUT_VERSION;
    h.ssHeaderSize = SS_HEADER_SIZE;
    h.debugBuild = DEBUG_BUILD ? 1 : 0;
    h.cacheMode = cacheMode > CACHE_DEFAULT ? CACHE_DEFAULT : cacheMode;
    h.batchRefill = batchRefill != 0 ? 1 : 0;
    h.remoteBatch = remoteBatchOf(remoteBatch);
    h.faultPolicy = faultPolicy == POLICY_STRICT ? POLICY_STRICT : 0;
    h.ringMode = ringMode > RING_ALL ? RING_SLOW : ringMode;
    // Whole chunks the host already provided go to the pool; a partial last chunk is
    // completed (and registered) by the pool's first grow.
    h.chunkCount = pages / PAGES_PER_CHUNK;
    for (let c: u32 = 1; c < h.chunkCount; c++) registrySet(c, regMake(REG_FREE, 0));
    h.peakChunks = h.chunkCount;
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
  if (atomic.load<u32>(hdrField(offsetof<GlobalHeader>("initState"))) != INIT_READY) {
    heapInit(CACHE_DEFAULT, 1, DEFAULT_REMOTE_BATCH, 0, DEBUG_BUILD ? RING_ALL : RING_SLOW);
  }
}

/** True once the heap is initialised. */
export function isReady(): bool {
  return atomic.load<u32>(hdrField(offsetof<GlobalHeader>("initState"))) == INIT_READY;
}
