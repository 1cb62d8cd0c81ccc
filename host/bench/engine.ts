// engine.ts: one heap under test and the threads that run on it. The hakmem engine is a
// shared memory, the main thread's own instance (the spec's "main thread": setup, teardown,
// stats, checker) and bench workers (the allocator threads of the timed region). The
// AssemblyScript-runtime engine is one instance with its own memory on the main thread: its
// allocator is single-threaded, so the timed calls run right here.

import { MemoryView } from '../abi/views.js';
import { runMemory, type RunMemory } from '../workloads/descriptor.js';
import { readLayout } from '../core/layout.js';
import { BenchBuild } from './paths.js';
import { BenchExports, functionsOf, globalsOf, instantiate, loadModule, loadModuleFile, newSharedMemory } from './module.js';
import { GatedCall, TimedHooks, TimedResult, WorkerSet, callInFreshWorker, nowMs } from './worker-set.js';
import { Mapping, ResidentMemory, readMappings } from './resident.js';

/** Heap set-up of the hakmem engine: init()'s arguments as numbers (host/heap/config.ts's named
 * HeapConfig maps to these with initArgs). */
export interface InitNumbers {
  cacheMode: number;   // 0 off, 1 small, 2 default
  batchRefill: number;
  remoteBatch: number; // 0 = default
  faultPolicy: number; // 0 report, 1 strict
  ringMode: number;    // 0 off, 1 slow-path events, 2 all
}

export const DEFAULT_HEAP: InitNumbers = { cacheMode: 2, batchRefill: 1, remoteBatch: 0, faultPolicy: 0, ringMode: 0 };

/** What the workload runners need from a heap. */
export interface Engine {
  readonly alloc: string;       // the record's "alloc" field
  readonly platform: string;    // the record's "platform" field
  readonly build: BenchBuild;
  readonly multiThreaded: boolean;
  /** The main thread's instance. */
  readonly ex: BenchExports;
  /** Layout constants: the bench module's BL_* and the allocator's L_* globals. */
  readonly g: Record<string, number>;
  /** A fresh view of the whole memory (the buffer changes when memory grows). */
  view(): DataView;
  /** The host's view of a hakmem-wasm heap, for the decoders (null for other allocators). */
  readonly heap: MemoryView | null;
  /** The heap memory's resident pages, found right after init (null: asrt, or no /proc). */
  readonly resident: ResidentMemory | null;
  /** Run the calls of one timed region; each on its own worker (or here, for one call). */
  timed(calls: GatedCall[], hooks?: TimedHooks): Promise<TimedResult>;
  /** Untimed call on worker k. */
  call(k: number, fn: string, args?: number[]): Promise<number>;
  /** Retire the identities of workers 0..n-1 (after a timed region, untimed). */
  detachWorkers(n: number): Promise<void>;
  /**
   * After the untimed set-up: the main thread is idle for the whole timed region, so it parks
   * (hakmem: hands back its slabs, those holding set-up blocks as orphans the workers adopt,
   * so the set-up blocks they free are reused instead of waiting for the main thread; a
   * module without the park export, e.g. an older build under bench-ab, keeps them).
   */
  parkMain(): void;
  /** One call in a brand-new worker that is gone afterwards (hakmem only). */
  freshWorkerCall(fn: string, args: number[]): Promise<number>;
  close(): Promise<void>;
}

/** u32 at `addr`. */
export function u32(e: Engine, addr: number): number {
  return e.view().getUint32(addr >>> 0, true);
}

/** u64 at `addr`, as a number (exact below 2^53). */
export function u64(e: Engine, addr: number): number {
  return Number(e.view().getBigUint64(addr >>> 0, true));
}

/** Store a u32 at `addr` with Atomics (other threads read it while they run). */
export function atomicStore32(e: Engine, addr: number, v: number): void {
  const buf = e.view().buffer as ArrayBuffer | SharedArrayBuffer;
  const a = new Int32Array(buf, addr >>> 0, 1);
  Atomics.store(a, 0, v);
}

class HakmemEngine implements Engine {
  readonly alloc: string;
  readonly platform = 'wasm32-hakmem';
  readonly multiThreaded = true;
  readonly ex: BenchExports;
  readonly g: Record<string, number>;
  readonly heap: MemoryView;
  readonly resident: ResidentMemory | null;
  private readonly workers: WorkerSet;
  private readonly gate: number;

  /** `mappedBefore`: the process's mappings before `memory` was made (to tell it from older ones). */
  constructor(readonly build: BenchBuild, private readonly module: WebAssembly.Module,
              private readonly memory: WebAssembly.Memory, heap: InitNumbers, mappedBefore: Mapping[] | null) {
    // The floor build runs the floor allocator over the same heap (it takes its memory from it).
    this.alloc = build === 'floor' ? 'floor-wasm' : 'hakmem-wasm';
    const inst = instantiate(module, memory);
    this.ex = functionsOf(inst);
    this.g = { ...globalsOf(inst, 'BL_'), ...globalsOf(inst, 'L_') };
    this.heap = new MemoryView(memory, readLayout(inst.exports));
    this.ex.init(heap.cacheMode, heap.batchRefill, heap.remoteBatch, heap.faultPolicy, heap.ringMode);
    this.gate = this.ex.bench_record_alloc(64) >>> 0;
    if (this.gate === 0) throw new Error('hakmem-wasm: no memory for the start gate');
    this.resident = ResidentMemory.locate(memory, mappedBefore); // after init: the empty heap's figure
    this.workers = new WorkerSet(module, memory);
  }

  view(): DataView { return new DataView(this.memory.buffer); }

  timed(calls: GatedCall[], hooks?: TimedHooks): Promise<TimedResult> {
    return this.workers.timed(calls, this.gate, hooks);
  }

  call(k: number, fn: string, args: number[] = []): Promise<number> {
    return this.workers.call(k, fn, args);
  }

  async detachWorkers(n: number): Promise<void> {
    const m = Math.min(n, this.workers.size);
    await Promise.all(Array.from({ length: m }, (_, k) => this.workers.call(k, 'detach')));
  }

  parkMain(): void { this.ex.park?.(); }

  freshWorkerCall(fn: string, args: number[]): Promise<number> {
    return callInFreshWorker(this.module, this.memory, fn, args);
  }

  close(): Promise<void> { return this.workers.close(); }
}

class AsrtEngine implements Engine {
  readonly alloc = 'asrt';
  readonly platform = 'wasm32-assemblyscript';
  readonly build: BenchBuild = 'asrt';
  readonly multiThreaded = false;
  readonly heap = null;
  readonly resident = null;
  readonly ex: BenchExports;
  readonly g: Record<string, number>;
  private readonly memory: WebAssembly.Memory;

  constructor(module: WebAssembly.Module) {
    const inst = instantiate(module);
    this.ex = functionsOf(inst);
    this.g = globalsOf(inst, 'BL_');
    this.memory = inst.exports.memory as WebAssembly.Memory;
  }

  view(): DataView { return new DataView(this.memory.buffer); }

  async timed(calls: GatedCall[], hooks: TimedHooks = {}): Promise<TimedResult> {
    if (calls.length !== 1) throw new Error('the AssemblyScript runtime allocator runs single-thread workloads only');
    const c = calls[0];
    hooks.onStart?.(); // the call below blocks this thread: no ticks, and no stop timer
    const t0 = nowMs();
    const r = this.ex[c.fn](...c.args);
    const t1 = nowMs();
    return { secs: (t1 - t0) / 1000, results: [r], workers: [] };
  }

  async call(_k: number, fn: string, args: number[] = []): Promise<number> {
    return this.ex[fn](...args);
  }

  async detachWorkers(): Promise<void> { /* no thread identities */ }

  parkMain(): void { /* one thread: nothing to hand to others */ }

  freshWorkerCall(): Promise<number> {
    return Promise.reject(new Error('--worker-per-generation needs the hakmem build'));
  }

  async close(): Promise<void> { /* nothing to stop */ }
}

/**
 * A new heap: a fresh shared memory and main-thread instance (hakmem), or an asrt instance.
 * `file`: a hakmem bench module other than the project's build (another version, for bench-ab).
 */
export async function createEngine(build: BenchBuild, heap: InitNumbers = DEFAULT_HEAP, file?: string): Promise<Engine> {
  const module = file !== undefined ? await loadModuleFile(file) : await loadModule(build);
  if (build === 'asrt') return new AsrtEngine(module);
  const mappedBefore = readMappings('maps');
  return new HakmemEngine(build, module, newSharedMemory(), heap, mappedBefore);
}

/** The engine's memory as the workload descriptors read it (host/workloads/descriptor.ts). */
export function engineMemory(e: Engine): RunMemory {
  return runMemory({ u32: (a) => u32(e, a), u64: (a) => u64(e, a) }, e.g);
}
