// run.ts: `hakmem-wasm run`: a linked program on N threads in Node. The main thread owns the
// shared memory and one instance (the program's first thread: it keeps the program's own
// stack), calls a set-up export, starts N worker threads that each call the entry export
// with their index, then calls the finishing exports and the heap checker.

import { Worker } from 'node:worker_threads';
import { instantiateMerged, instantiatePair, type ProgramThread } from './program.js';
import { importedMemoryLimits, exportedGlobalConst } from './wasm-binary.js';
import { DEFAULT_STACK_BYTES, PROGRAM_GLOBALS, heapBaseFor } from './names.js';

/** What one worker thread runs (sent as workerData). */
export interface ThreadJob {
  program: WebAssembly.Module;
  /** Set for a run-time link of two instances; absent for a merged module. */
  allocator?: WebAssembly.Module;
  memory: WebAssembly.Memory;
  heapBase: number;
  index: number;
  entry: string;
  args: number[];
  stackBytes: number;
}

/** A call: export name and arguments. */
export type Call = [name: string, ...args: number[]];

/** How to run. */
export interface RunOptions {
  /** The program: merged by `hakmem-wasm link`, or plain (then `allocator` is required). */
  program: Uint8Array;
  /** The allocator module for a run-time link (build/release.wasm or debug.wasm). */
  allocator?: Uint8Array;
  threads: number;
  /** Called on each worker as entry(index, ...args). */
  entry: string;
  args?: number[];
  /** Called on the main instance before the workers start. */
  setup?: Call[];
  /** Called after the setup calls, before the first worker starts (e.g. to snapshot memory). */
  beforeThreads?: (main: ProgramThread, memory: WebAssembly.Memory) => void;
  /** Called after every worker returned, before the finish calls. */
  afterThreads?: (main: ProgramThread, memory: WebAssembly.Memory) => void;
  /** Called on the main instance after every worker returned. */
  finish?: Call[];
  /** Stack of each worker thread (default 256 KiB). */
  stackBytes?: number;
  /** Heap base for a run-time link (default: the program's __heap_base rounded up). */
  heapBase?: number;
}

/** What a run returned. */
export interface RunResult {
  setup: Array<number | null>;
  workers: Array<number | null>;
  finish: Array<number | null>;
  /** heap_check() after the run: 0 = every invariant holds. */
  violations: number;
  /** The first instance, for reading memory or calling more exports. */
  main: ProgramThread;
  memory: WebAssembly.Memory;
  heapBase: number;
}

function call(t: ProgramThread, [name, ...args]: Call): number | null {
  const f = t.exports[name];
  if (typeof f !== 'function') throw new Error(`the program does not export ${name}()`);
  const r = (f as (...a: number[]) => unknown)(...args);
  return typeof r === 'number' ? r >>> 0 : null;
}

/** Run a linked program (see the file header). Rejects if a worker failed. */
export async function runProgram(opts: RunOptions): Promise<RunResult> {
  if (!Number.isInteger(opts.threads) || opts.threads < 1 || opts.threads > 64) {
    throw new RangeError(`threads must be an integer in [1, 64], got ${opts.threads}`);
  }
  const limits = importedMemoryLimits(opts.program);
  if (!limits) throw new Error('the program imports no memory');
  let heapBase = opts.heapBase ?? 0;
  if (opts.allocator && opts.heapBase === undefined) {
    const firstFree = exportedGlobalConst(opts.program, PROGRAM_GLOBALS.heapBase);
    if (firstFree === null) throw new Error('the program does not export __heap_base: give a heap base');
    heapBase = heapBaseFor(firstFree);
  }
  // A pair link needs room for the control region before the first call (a merged module
  // says so in its memory import already): 16 pages past the heap base is always enough.
  const initial = Math.max(limits.min, opts.allocator ? heapBase / 65536 + 16 : 0);
  const memory = new WebAssembly.Memory({ initial, maximum: limits.max ?? 65536, shared: true });
  const program = await WebAssembly.compile(opts.program as Uint8Array<ArrayBuffer>);
  const allocator = opts.allocator ? await WebAssembly.compile(opts.allocator as Uint8Array<ArrayBuffer>) : undefined;
  const main = allocator ? instantiatePair(program, allocator, memory, heapBase) : instantiateMerged(program, memory);
  main.start(0);
  const setup = (opts.setup ?? []).map((c) => call(main, c));
  opts.beforeThreads?.(main, memory);
  const stackBytes = opts.stackBytes ?? DEFAULT_STACK_BYTES;
  const workerUrl = new URL('./program-worker.js', import.meta.url);
  const results = await Promise.all(Array.from({ length: opts.threads }, (_, index) => {
    const job: ThreadJob = { program, allocator, memory, heapBase, index, entry: opts.entry, args: opts.args ?? [], stackBytes };
    return new Promise<number | null>((resolve, reject) => {
      const w = new Worker(workerUrl, { workerData: job });
      w.once('message', (m: { ok: boolean; result?: number | null; error?: string }) => {
        if (m.ok) resolve(m.result ?? null);
        else reject(new Error(`thread ${index}: ${m.error}`));
      });
      w.once('error', (e) => reject(new Error(`thread ${index} died: ${e.message}`)));
      w.once('exit', (code) => { if (code !== 0) reject(new Error(`thread ${index} exited with ${code}`)); });
    });
  }));
  opts.afterThreads?.(main, memory);
  const finish = (opts.finish ?? []).map((c) => call(main, c));
  const violations = main.allocator.heap_check() >>> 0;
  return { setup, workers: results, finish, violations, main, memory, heapBase };
}
