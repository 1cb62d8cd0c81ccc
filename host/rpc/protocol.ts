// protocol.ts: the messages between a host and its allocator workers, shared by Node
// worker_threads and browser Web Workers, and by every host-side user (the Node pool, the
// browser pool, the bench harness), all through one client (rpc/client.ts). Everything here
// is structured-cloneable: the compiled Module, the shared Memory and SharedArrayBuffers
// cross by reference.

import type { StressParams, StressResult } from './stress-task.js';
import type { ChurnParams, ChurnResult, ChurnRole } from './churn-task.js';

/** Sent once to a new worker (Node: workerData; browser: the first message). */
export interface WorkerInit {
  kind: 'init';
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The worker's index in its pool. */
  index: number;
  /** The heap's base (hakmem.heap_base); default DEFAULT_HEAP_BASE. */
  heapBase?: number;
  /**
   * Attach at start (default true). The bench harness passes false: its workloads attach
   * and detach their own allocator identities (a larson generation is one identity).
   */
  attach?: boolean;
}

/**
 * What the operating system says about one worker thread over a timed call: milliseconds it
 * ran on a CPU and milliseconds it was ready but waited for one (Linux: the first two fields of
 * /proc/thread-self/schedstat). Where no such clock exists (a browser), the reply carries null.
 * Time the hypervisor takes from a virtual CPU counts as running here: a thread that ran longer
 * than its peer for the same work was slowed while on the CPU, not kept off it.
 */
export interface ThreadCpu {
  runMs: number;
  waitMs: number;
  minorFaults: number | null; // page faults the thread took first-touching memory, if known
}

/** Each operation: what the request carries and what the response returns. */
export interface Ops {
  /** Call any export by name with numeric arguments (results of u32 exports: `>>> 0`). */
  call: { req: { name: string; args: number[] }; res: number | null };
  /** malloc each size; returns the pointers (0 where malloc failed). */
  mallocBatch: { req: { sizes: number[] }; res: number[] };
  /** free each pointer; returns how many it freed. */
  freeBatch: { req: { ptrs: number[] }; res: number };
  /** attach(): returns the tid (the worker attaches at start; this re-attaches after detach). */
  attach: { req: Record<never, never>; res: number };
  /** detach(): 1 if it was attached. */
  detach: { req: Record<never, never>; res: number };
  /**
   * rest(): the thread ends but the worker stays: its identity rests, dormant, with its caches
   * and slabs, and the worker's next attach resumes it (same tid). 1 if it was attached.
   */
  rest: { req: Record<never, never>; res: number };
  /** collect(): give back everything this thread holds. */
  collect: { req: Record<never, never>; res: null };
  /** park(): going idle, hand back every slab (in-use ones as orphans). */
  park: { req: Record<never, never>; res: null };
  /** Run the stress task (stress-task.ts) as worker `index` of `workers`. */
  stress: {
    req: { params: StressParams; queues: SharedArrayBuffer; index: number; workers: number };
    res: StressResult;
  };
  /**
   * Run the churn task (churn-task.ts) over the shared region at byte address `region` (a
   * ChurnLog the host malloc'ed): as the victim (until stopped or, as meant, terminated) or
   * as partner number `partner` (until the region's STOP word is set).
   */
  churn: {
    req: { params: ChurnParams; region: number; role: ChurnRole; partner: number };
    res: ChurnResult;
  };
  /**
   * The bench harness's timed call: with `gate` (a byte address), post 'gated' and wait
   * (Atomics.wait) until the i32 there is nonzero; then take t0, run export `name(args)`,
   * take t1. t0/t1 are absolute ms (performance.timeOrigin + performance.now(), comparable
   * across threads); `result` is the export's number (0 if it returned none); `cpu` is the
   * thread's scheduling over [t0, t1] where the worker has a thread clock, else null.
   */
  timedCall: {
    req: { name: string; args: number[]; gate?: number };
    res: { result: number; t0: number; t1: number; cpu: ThreadCpu | null };
  };
}

/** An operation's name. */
export type Op = keyof Ops;

/** A request: an id the response echoes, the operation, and its fields. */
export type Request = { [K in Op]: { id: number; op: K } & Ops[K]['req'] }[Op];

/** A request's body for operation K (what callers pass). */
export type RequestBody<K extends Op> = Ops[K]['req'];

/** An error crossing the message boundary. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

/** Messages a worker sends. */
export type WorkerMessage =
  /** The worker instantiated the module and attached as `tid`. */
  | { kind: 'ready'; index: number; tid: number }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: WireError }
  /** Request `id` (a gated timedCall) reached its gate and now waits for it to open. */
  | { kind: 'gated'; id: number }
  /** The allocator trapped while serving request `id`: the worker is about to die. */
  | { kind: 'fatal'; id: number; error: WireError };

/** Turn anything thrown into a WireError. */
export function toWireError(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/** Turn a WireError back into an Error (keeping the remote name and stack). */
export function fromWireError(w: WireError): Error {
  const e = new Error(w.message);
  e.name = w.name;
  if (w.stack) e.stack = w.stack;
  return e;
}
