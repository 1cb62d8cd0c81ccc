// browser.ts: the host library in a browser (or any bundler target without Node):
// `import { Heap, WebWorkerPool } from 'hakmem-wasm/browser'` (the package's "browser"
// condition also maps 'hakmem-wasm' here). Nothing below imports a Node module.
//
// Heap.create's default module is fetched from the package's build/ folder, found relative
// to this file, so a bundler that understands `new URL(..., import.meta.url)` (Vite, webpack,
// esbuild with its loader) ships the .wasm as an asset. Pass `module` (a compiled
// WebAssembly.Module or bytes) to load it some other way. Shared memory needs a cross-origin
// isolated page (COOP / COEP headers, README "Serving the built files elsewhere").

import { compileResponse, setModuleLoader } from './heap/open.js';
import type { BuildName } from './core/memory.js';

/** The package's default module files, as URLs a bundler can see (the crash build is not shipped). */
const DEFAULT_URLS: Partial<Record<BuildName, URL>> = {
  release: new URL('../../build/release.wasm', import.meta.url),
  debug: new URL('../../build/debug.wasm', import.meta.url),
};

setModuleLoader(async (build, source) => {
  const url = source ?? DEFAULT_URLS[build];
  if (!url) throw new Error(`the package ships no ${build} build: pass its module or URL as \`module\``);
  return compileResponse(await fetch(url));
});

export { Heap, setModuleLoader, resolveModule, type HeapOptions, type ModuleSource, type ModuleLoader } from './heap/heap.js';
export { openHeap, compileResponse, type OpenedHeap } from './heap/open.js';
export { createSharedMemory, INITIAL_PAGES, MAX_PAGES, type BuildName } from './core/memory.js';
export { DEFAULT_CONFIG, type HeapConfig, type RingMode } from './heap/config.js';
export { instantiateAllocator, allocatorImports, waitImports, checkHeapBase, DEFAULT_HEAP_BASE,
         type AllocatorExports, type AllocatorInstance, type InstantiateOptions, type WaitImports } from './core/instance.js';
export { readLayout, LAYOUT_KEYS, type Layout, type LayoutKey } from './core/layout.js';
export { MemoryView } from './abi/views.js';
export * from './abi/decode.js';
export { HeapFaultError, WorkerDiedError, HeapCheckError } from './abi/errors.js';
export { HeapFormatError, describeFormat } from './core/format.js';
export { ThreadLimitError, maxThreads, MAX_BYTES } from './abi/args.js';
export * from './rpc/protocol.js';
export { WorkerCore } from './rpc/worker-core.js';
export { AllocatorWorker, WorkerPool as WebWorkerPool, type WorkerFactory } from './rpc/web-pool.js';
export { instantiateMerged, instantiatePair, type ProgramThread, type LinkedAllocator } from './link/program.js';
