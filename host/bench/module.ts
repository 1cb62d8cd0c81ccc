// module.ts: compiling (host/core/module.ts) and instantiating (host/core/instance.ts's imports) the
// bench modules. The hakmem builds import one
// shared memory (every instance over it is one allocator thread); the AssemblyScript-runtime
// peer owns an ordinary memory.

import v8 from 'node:v8';
import { BenchBuild, wasmPath } from './paths.js';
import { allocatorImports, waitImports, DEFAULT_HEAP_BASE } from '../core/instance.js';
import { compileFile } from '../core/module.js';
import { createSharedMemory } from '../core/memory.js';
import { maxThreads } from '../abi/args.js';

/** Pages of the shared memory's maximum: 2 GiB, as the Emscripten peers' MAXIMUM_MEMORY. */
export const BENCH_MAX_PAGES = 32768;

/** The exports the harness calls, as raw functions (u32 results come back signed). */
export type BenchExports = Record<string, (...args: number[]) => number>;

const compiled = new Map<string, WebAssembly.Module>();

/** How V8 compiles the bench modules of this process (a record's `wasm_compile`). */
export type WasmCompile = 'optimizing only' | 'tiered';
let wasmCompile: WasmCompile = 'tiered';

/** node's flags for `optimizeWasmOnly` (also given to the processes of other checkouts). */
export const OPTIMIZE_ONLY_FLAGS = ['--no-liftoff'] as const;

/**
 * From now on V8 compiles each wasm function with its optimizing compiler (TurboFan), at its
 * first call, on the calling thread: `OPTIMIZE_ONLY_FLAGS`, process-wide, as all V8 flags are.
 * By default the first call compiles a function in the baseline tier (Liftoff), and V8
 * optimizes the hot ones later, in background threads, which the warm-up runs did not
 * finish: a benchmark's first timed run shared the machine's two cores with the compiler
 * (larson 2T in a fresh process: its workers 1 to 11 ms of a 46 ms run in the run queue,
 * 377..435 Mops/s, against 445..465 with this). The warm-up runs make every first call a
 * workload makes. Compiling the whole module at once instead (`--no-wasm-lazy-compilation`
 * too) left a 1T run's worker 3 to 8 ms in the run queue in 3 of 5 first runs (V8 still busy
 * in the background). The benchmark commands call this before they compile a module. Throws
 * if a bench module was compiled before: that module would keep its tiers.
 */
export function optimizeWasmOnly(): void {
  if (wasmCompile === 'optimizing only') return;
  if (compiled.size > 0) throw new Error('optimizeWasmOnly: a bench module is already compiled, with tiers');
  for (const flag of OPTIMIZE_ONLY_FLAGS) v8.setFlagsFromString(flag);
  wasmCompile = 'optimizing only';
}

/** How this process's bench modules are compiled. */
export function wasmCompileMode(): WasmCompile {
  return wasmCompile;
}

/** Compile a bench build once per process (workers receive the compiled module). */
export function loadModule(build: BenchBuild): Promise<WebAssembly.Module> {
  return loadModuleFile(wasmPath(build));
}

/** Compile the bench module at `file` once per process (`bench-ab` compares two such files). */
export async function loadModuleFile(file: string): Promise<WebAssembly.Module> {
  let m = compiled.get(file);
  if (!m) {
    m = await compileFile(file);
    compiled.set(file, m);
  }
  return m;
}

/** A new shared memory the hakmem builds can import. */
export function newSharedMemory(): WebAssembly.Memory {
  return createSharedMemory(BENCH_MAX_PAGES);
}

/**
 * The bench module's imports: the memory, and the blocking waits it delegates to
 * JavaScript (bench/assembly/host-wait.ts: wasm's own wait is miscompiled by Node 20's
 * baseline tier), from host/core/instance.ts. `memory` is absent for the asrt build, which never
 * waits (and imports nothing).
 */
export function benchImports(memory?: WebAssembly.Memory): WebAssembly.Imports {
  return { env: memory ? { memory, ...waitImports(memory) } : {}, hakmem: { heap_base: DEFAULT_HEAP_BASE } };
}

/**
 * Instantiate over `memory` (hakmem builds) or with the module's own memory (asrt).
 * Synchronous (the bench workers instantiate at start-up); the imports are
 * host/core/instance.ts's allocatorImports(), only those the module declares.
 */
export function instantiate(module: WebAssembly.Module, memory?: WebAssembly.Memory): WebAssembly.Instance {
  const inst = new WebAssembly.Instance(module, allocatorImports(module, memory) as WebAssembly.Imports);
  const setCanWait = inst.exports.set_can_wait;
  if (typeof setCanWait === 'function') setCanWait(1); // Node threads may block: contended locks sleep
  return inst;
}

/** Every exported global whose name starts with `prefix`, by name (the layout constants). */
export function globalsOf(instance: WebAssembly.Instance, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(instance.exports)) {
    if (name.startsWith(prefix) && v instanceof WebAssembly.Global) out[name] = Number(v.value);
  }
  return out;
}

/** The instance's functions. */
export function functionsOf(instance: WebAssembly.Instance): BenchExports {
  const out: BenchExports = {};
  for (const [name, v] of Object.entries(instance.exports)) {
    if (typeof v === 'function') out[name] = v as (...args: number[]) => number;
  }
  return out;
}

/**
 * Threads the module's heap can attach at once (its thread table's records minus the
 * reserved one), read from its L_MAX_THREADS export on a throwaway instance: the module has
 * no start function, so instantiating it runs nothing.
 */
export function threadLimitOf(module: WebAssembly.Module): number {
  const inst = instantiate(module, newSharedMemory());
  const g = globalsOf(inst, 'L_');
  return maxThreads({ MAX_THREADS: g.L_MAX_THREADS });
}
