// instance.ts: one allocator thread = one instance of the module over the shared memory.
//
// Environment independent (Node main thread, Node workers, browser Web Workers): it gets a
// compiled WebAssembly.Module and the shared Memory and never touches files or Node APIs.
// Hot paths call the instance's raw exports (5-10 ns a call) rather than the loader's
// demangled wrappers (30-40 ns); the loader is kept for instantiation and for decoding
// AssemblyScript strings (the abort message of an internal fault).

import { instantiate } from '@assemblyscript/loader';
import { readLayout, type Layout } from './layout.js';

/** The module's raw exports (u32/usize results come back as signed numbers: use `>>> 0`). */
export interface AllocatorExports {
  init(cacheMode: number, batchRefill: number, remoteBatch: number, faultPolicy: number,
       ringMode: number): number;
  attach(): number;
  detach(): number;
  reclaim(tid: number): number;
  collect(): void;
  thread_id(): number;
  thread_count(): number;
  malloc(size: number): number;
  free(ptr: number): void;
  calloc(n: number, size: number): number;
  realloc(ptr: number, size: number): number;
  aligned_alloc(align: number, size: number): number;
  malloc_usable_size(ptr: number): number;
  heap_check(): number;
  stats_collect(): number;
  set_ring_mode(mode: number): number;
  class_size(cls: number): number;
  class_of(size: number): number;
  registry_entry(ptr: number): number;
}

/** Names of the function exports the host relies on (checked at instantiation). */
const REQUIRED_FUNCTIONS: ReadonlyArray<keyof AllocatorExports> = [
  'init', 'attach', 'detach', 'reclaim', 'collect', 'thread_id', 'thread_count', 'malloc',
  'free', 'calloc', 'realloc', 'aligned_alloc', 'malloc_usable_size', 'heap_check',
  'stats_collect', 'set_ring_mode', 'class_size', 'class_of', 'registry_entry',
];

/** An instantiated allocator thread. */
export interface AllocatorInstance {
  /** Raw exports (allocator API plus whatever else the module exports, e.g. bench workloads). */
  readonly exports: AllocatorExports & Record<string, unknown>;
  readonly layout: Layout;
  readonly memory: WebAssembly.Memory;
  /** Decode an AssemblyScript string at `ptr` (null if it is not one). */
  getString(ptr: number): string | null;
}

/** Instantiate `module` over the shared `memory` (the module imports only env.memory). */
export async function instantiateAllocator(module: WebAssembly.Module,
                                           memory: WebAssembly.Memory): Promise<AllocatorInstance> {
  const result = await instantiate<Record<string, unknown>>(module, { env: { memory } });
  const raw = result.instance.exports as Record<string, unknown>;
  for (const name of REQUIRED_FUNCTIONS) {
    if (typeof raw[name] !== 'function') throw new Error(`wasm module lacks export ${name}()`);
  }
  const layout = readLayout(result.instance.exports);
  const loaderExports = result.exports as { __getString(ptr: number): string };
  return {
    exports: raw as AllocatorExports & Record<string, unknown>,
    layout,
    memory,
    getString(ptr: number): string | null {
      if (ptr === 0) return null;
      try {
        return loaderExports.__getString(ptr >>> 0);
      } catch {
        return null; // not a string object: the message address was bogus
      }
    },
  };
}
