// boot.ts: the page's heap. It fetches and compiles the bench module (the allocator plus the
// benchmark workloads, one module so every worker runs the same code over one memory),
// creates the shared memory, and makes one instance on the main thread. That instance only
// runs init() (before any worker exists, so it wins the set-up race and never spins) and the
// pure introspection exports; every other allocator call happens in Web Workers. From then
// on the main thread only reads the shared memory, through host/views.ts and host/decode.ts.
// The main thread's instance is made with `canWait: false` (it must never block); the workers
// run host/web-worker.ts, the host library's Web Worker entry, bundled by Vite.

import benchWasmUrl from '../../build/bench-release.wasm?url';
import { instantiateAllocator, type AllocatorInstance } from '../../host/core/instance.js';
import type { WorkerFactory } from '../../host/rpc/web-pool.js';
import { initArgs, type HeapConfig } from '../../host/heap/config.js';
import { MemoryView } from '../../host/abi/views.js';

/** Pages the module declares as its initial memory (asconfig initialMemory). */
const INITIAL_PAGES = 16;
/** The demo's memory limit: 1 GiB (the module accepts up to 4 GiB). */
const DEMO_MAX_PAGES = 16384;

/** The heap's configuration: report faults (a bad free returns), slow-path ring events. */
export const DEMO_CONFIG: Partial<HeapConfig> = { faultPolicy: 'report', ring: 'slow' };

/** Everything the page shares with its workers and decodes from. */
export interface DemoHeap {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The main thread's instance (never attached: it allocates nothing). */
  instance: AllocatorInstance;
  view: MemoryView;
  /** The bench module's record layout (`BL_*` globals, names without the prefix). */
  bench: Readonly<Record<string, number>>;
}

/**
 * Start the Web Worker of allocator thread `index`: host/web-worker.ts (a literal
 * `new URL(..., import.meta.url)` inside `new Worker(...)`, so Vite bundles it as a worker).
 */
export const createAllocatorWorker: WorkerFactory = (index) =>
  new Worker(new URL('../../host/rpc/web-worker.ts', import.meta.url), { type: 'module', name: `allocator-${index}` });

/** Every exported global whose name starts with `prefix`, by name without it. */
function globalsWithPrefix(exports: Record<string, unknown>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(exports)) {
    if (name.startsWith(prefix) && v instanceof WebAssembly.Global) out[name.slice(prefix.length)] = Number(v.value);
  }
  return out;
}

/**
 * Fetch and compile the bench module, create the shared memory and initialise the heap.
 * Throws if the page is not cross-origin isolated (shared memory cannot reach a worker).
 */
export async function bootHeap(): Promise<DemoHeap> {
  if (!globalThis.crossOriginIsolated) {
    throw new Error('this page is not cross-origin isolated: serve it with ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp');
  }
  const response = await fetch(benchWasmUrl);
  if (!response.ok) throw new Error(`cannot fetch ${benchWasmUrl}: HTTP ${response.status}`);
  // compile() rather than compileStreaming(): works whatever MIME type a server sends.
  const module = await WebAssembly.compile(await response.arrayBuffer());
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: DEMO_MAX_PAGES, shared: true });
  const instance = await instantiateAllocator(module, memory, { canWait: false });
  instance.exports.init(...initArgs(DEMO_CONFIG));
  const classSizes: number[] = [];
  for (let c = 0; c < instance.layout.NUM_CLASSES; c++) classSizes.push(instance.exports.class_size(c) >>> 0);
  const view = new MemoryView(memory, instance.layout, classSizes, instance.getString);
  return { module, memory, instance, view, bench: globalsWithPrefix(instance.exports, 'BL_') };
}
