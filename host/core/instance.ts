// instance.ts: one allocator thread = one instance of the module over the shared memory.
//
// Environment independent (Node main thread, Node workers, browser Web Workers, a browser
// page's main thread): it gets a compiled WebAssembly.Module and the shared Memory and never
// touches files or Node APIs.
//
// The allocator module imports env.memory and hakmem.heap_base: where its control region
// starts (the memory contract, docs/ARCHITECTURE.md section 1). Every instance over one
// memory must get the same heap base. The bench module (bench/assembly, the
// allocator plus the benchmark workloads) also imports env.bench_wait and env.bench_notify,
// its blocking waits delegated to JavaScript's Atomics (bench/assembly/host-wait.ts); they
// are supplied when the module declares them. A thread that must never block (a browser
// page's main thread) passes `canWait: false`: bench_wait then throws instead of waiting.
// Hot paths call the instance's raw exports (5-10 ns a call) rather than the loader's
// demangled wrappers (30-40 ns); the loader is kept for instantiation and for decoding
// AssemblyScript strings (the abort message of an internal fault).

import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { readLayout, type Layout } from './layout.js';
import { assertHeapFormat } from './format.js';

/** The module's raw exports (u32/usize results come back as signed numbers: use `>>> 0`). */
export interface AllocatorExports {
  init(cacheMode: number, batchRefill: number, remoteBatch: number, faultPolicy: number,
       ringMode: number): number;
  attach(): number;
  detach(): number;
  /** The thread ends, the instance stays: its identity rests, dormant, for this instance's next attach. */
  rest(): number;
  reclaim(tid: number): number;
  collect(): void;
  /** May this thread block (1) or not (0, the default)? Contended locks sleep only if it may. */
  set_can_wait(allowed: number): void;
  /** Going idle: hand back every slab, in-use ones as orphans; the identity is kept. */
  park(): void;
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
  heap_status(): number;
  heap_format(): number;
  /** The crash build only (build/crash.wasm): arm the `n`th crash point from now (0 disarms). */
  crash_arm?(n: number): number;
  /** The crash build only: crash points passed since the last arm. */
  crash_points_passed?(): number;
}

/** Names of the function exports the host relies on (checked at instantiation). */
const REQUIRED_FUNCTIONS: ReadonlyArray<keyof AllocatorExports> = [
  'init', 'attach', 'detach', 'rest', 'reclaim', 'collect', 'park', 'thread_id', 'thread_count', 'malloc',
  'free', 'calloc', 'realloc', 'aligned_alloc', 'malloc_usable_size', 'heap_check',
  'stats_collect', 'set_ring_mode', 'set_can_wait', 'class_size', 'class_of', 'registry_entry', 'heap_status', 'heap_format',
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

/**
 * The heap base when the host owns the whole memory: page 1, so page 0 stays untouched (a
 * null guard) and the bench module's own static data, if any, has room below it.
 */
export const DEFAULT_HEAP_BASE = 0x10000;

/** Check a heap base: a multiple of 64 KiB below 4 GiB; returns it. */
export function checkHeapBase(heapBase: number): number {
  if (!Number.isInteger(heapBase) || heapBase < 0 || heapBase >= 2 ** 32 || heapBase % 65536 !== 0) {
    throw new RangeError(`heapBase must be a multiple of 65536 in [0, 2^32), got ${heapBase}`);
  }
  return heapBase;
}

/** How to instantiate. */
export interface InstantiateOptions {
  /**
   * Where the allocator's control region starts (hakmem.heap_base); default DEFAULT_HEAP_BASE.
   * Every instance over one memory must use the same value.
   */
  heapBase?: number;
  /**
   * May this thread block in Atomics.wait? Default true (Node threads, Web Workers); false
   * on a browser page's main thread, where the bench module's bench_wait throws instead and
   * the allocator's contended locks spin instead of sleeping (set_can_wait).
   */
  canWait?: boolean;
}

/** The JavaScript side of the bench module's blocking waits (bench/assembly/host-wait.ts). */
export interface WaitImports {
  /** Wait while the i32 at `addr` equals `expected`, at most `timeoutUs` us (< 0: forever). */
  bench_wait(addr: number, expected: number, timeoutUs: number): void;
  /** Wake every waiter on the i32 at `addr`. */
  bench_notify(addr: number): void;
}

/** bench_wait / bench_notify over `memory`'s i32 words (Atomics.wait / Atomics.notify). */
export function waitImports(memory: WebAssembly.Memory, canWait = true): WaitImports {
  // memory.buffer is a new object after memory.grow: take a fresh view per call (these
  // calls come only after long spins).
  const word = (addr: number): Int32Array => new Int32Array(memory.buffer, addr >>> 0, 1);
  return {
    bench_wait: (addr: number, expected: number, timeoutUs: number): void => {
      if (!canWait) throw new Error('bench_wait called on a thread that must not block');
      Atomics.wait(word(addr), 0, expected, timeoutUs < 0 ? Infinity : timeoutUs / 1000);
    },
    bench_notify: (addr: number): void => { Atomics.notify(word(addr), 0); },
  };
}

/**
 * The imports for `module`: env.memory (when `memory` is given) and, when the module
 * declares them, env.bench_wait and env.bench_notify over that memory.
 */
export function allocatorImports(module: WebAssembly.Module, memory?: WebAssembly.Memory,
                                 options: InstantiateOptions = {}): WebAssembly.Imports {
  const env: Record<string, unknown> = memory ? { memory } : {};
  const imports: Record<string, Record<string, unknown>> = { env };
  if (WebAssembly.Module.imports(module).some((i) => i.module === 'hakmem' && i.name === 'heap_base')) {
    imports.hakmem = { heap_base: checkHeapBase(options.heapBase ?? DEFAULT_HEAP_BASE) };
  }
  const declared = new Set(WebAssembly.Module.imports(module)
    .filter((i) => i.module === 'env' && i.kind === 'function').map((i) => i.name));
  if (declared.has('bench_wait') || declared.has('bench_notify')) {
    if (!memory) throw new Error('the module imports bench_wait/bench_notify but no memory was given');
    const waits = waitImports(memory, options.canWait ?? true);
    for (const name of ['bench_wait', 'bench_notify'] as const) {
      if (declared.has(name)) env[name] = waits[name];
    }
  }
  return imports as WebAssembly.Imports;
}

/** Check the required exports and wrap a loader result as an AllocatorInstance. */
function allocatorInstanceOf(result: { instance: WebAssembly.Instance; exports: unknown },
                             memory: WebAssembly.Memory, canWait: boolean): AllocatorInstance {
  const raw = result.instance.exports as Record<string, unknown>;
  for (const name of REQUIRED_FUNCTIONS) {
    if (typeof raw[name] !== 'function') throw new Error(`wasm module lacks export ${name}()`);
  }
  (raw as unknown as AllocatorExports).set_can_wait(canWait ? 1 : 0); // per instance: contended locks sleep only if allowed
  const layout = readLayout(result.instance.exports);
  assertHeapFormat(raw as unknown as AllocatorExports, layout); // another build's heap: refuse it here, loudly
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

/**
 * Instantiate `module` over the shared `memory` (see the file header for the imports it
 * supplies; `options.canWait` false on a browser page's main thread).
 */
export async function instantiateAllocator(module: WebAssembly.Module, memory: WebAssembly.Memory,
                                           options: InstantiateOptions = {}): Promise<AllocatorInstance> {
  const result = await instantiate<Record<string, unknown>>(module, allocatorImports(module, memory, options));
  return allocatorInstanceOf(result, memory, options.canWait ?? true);
}

/**
 * instantiateAllocator, synchronously: for Node and workers (tests that build a heap in one
 * statement, the bench harness's worker start-up). A browser page's main thread may not
 * instantiate large modules synchronously: use instantiateAllocator there.
 */
export function instantiateAllocatorSync(module: WebAssembly.Module, memory: WebAssembly.Memory,
                                         options: InstantiateOptions = {}): AllocatorInstance {
  return allocatorInstanceOf(instantiateSync<Record<string, unknown>>(module, allocatorImports(module, memory, options)),
                             memory, options.canWait ?? true);
}
