// boot.ts: the page's heap, opened by the host library (host/heap/open.ts) as a user's page
// would: the bench module (the allocator plus the benchmark workloads, one module so every
// worker runs the same code over one memory) is fetched, and openHeap compiles it, creates
// the shared memory, instantiates it once on the main thread and runs init() (before any
// worker exists, so it wins the set-up race and never spins). That instance is never attached and is made with `canWait: false` (a page's main
// thread must never block); every allocator call happens in Web Workers running the
// library's web-worker.ts, bundled by Vite. From then on the main thread only reads the
// shared memory, through the library's decoders and the workloads' descriptors.

import benchWasmUrl from '../../build/bench-release.wasm?url';
import { openHeap } from '../../host/heap/open.js';
import type { HeapConfig } from '../../host/heap/config.js';
import type { MemoryView } from '../../host/abi/views.js';
import type { WorkerFactory } from '../../host/rpc/web-pool.js';
import { benchLayoutOf, runMemory, type RunMemory } from '../../host/workloads/index.js';

/** The demo's memory limit: 1 GiB (the module accepts up to 4 GiB). */
const DEMO_MAX_PAGES = 16384;

/** The heap's configuration: report faults (a bad free returns), slow-path ring events. */
export const DEMO_CONFIG: Partial<HeapConfig> = { faultPolicy: 'report', ring: 'slow' };

/** Everything the page shares with its workers and decodes from. */
export interface DemoHeap {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  view: MemoryView;
  /** The shared memory as the workload descriptors read run records (the module's BL_* layout). */
  runs: RunMemory;
}

/**
 * Start the Web Worker of allocator thread `index`: the library's web-worker.ts (a literal
 * `new URL(..., import.meta.url)` inside `new Worker(...)`, so Vite bundles it as a worker).
 */
export const createAllocatorWorker: WorkerFactory = (index) =>
  new Worker(new URL('../../host/rpc/web-worker.ts', import.meta.url), { type: 'module', name: `allocator-${index}` });

/**
 * Fetch and compile the bench module, create the shared memory and initialise the heap.
 * Throws if the page is not cross-origin isolated (shared memory cannot reach a worker).
 */
export async function bootHeap(): Promise<DemoHeap> {
  if (!globalThis.crossOriginIsolated) {
    throw new Error('this page is not cross-origin isolated: serve it with ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp');
  }
  const heap = await openHeap({ module: fetch(benchWasmUrl), maxPages: DEMO_MAX_PAGES,
                                config: DEMO_CONFIG, canWait: false });
  const view = heap.view;
  return { module: heap.module, memory: heap.memory, view,
           runs: runMemory({ u32: (a) => view.word(a), u64: (a) => view.u64(a) }, benchLayoutOf(heap.instance.exports)) };
}
