// worker-set.ts: the harness's bench workers over one shared memory. Workers are started on
// demand and kept for the whole run set (a worker is an allocator thread's host; larson's
// generations retire identities inside it), except with --worker-per-generation, where the
// caller asks for a brand-new worker for each generation.

import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { workerEntry } from './paths.js';
import type { WorkerRequest, WorkerReply } from './worker-protocol.js';

/** A call for the timed region: export `fn(args)` on worker `worker`. */
export interface GatedCall {
  worker: number;
  fn: string;
  args: number[];
}

/** What a timed region measured: seconds from the gate opening to the last call's end. */
export interface TimedResult {
  secs: number;
  results: number[];
}

/** Callbacks of a timed region. */
export interface TimedHooks {
  onStart?: () => void;
  tick?: () => void;
}

interface Pending {
  ready?: () => void;
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

/** Absolute time in ms, comparable with the workers' stamps. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** One worker and its outstanding requests. */
class BenchWorker {
  readonly worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead: Error | null = null;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    this.worker = new Worker(workerEntry(), { workerData: { module, memory } });
    this.worker.on('message', (m: WorkerReply) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    this.worker.on('exit', (code) => this.fail(new Error(`bench worker exited (code ${code})`)));
  }

  private onMessage(m: WorkerReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.ready) { p.ready?.(); return; }
    this.pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m);
  }

  private fail(e: Error): void {
    if (!this.dead) this.dead = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Send a request; `ready` fires when a gated request reached its gate. */
  request(fn: string, args: number[], gate?: number, ready?: () => void): Promise<WorkerReply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { ready, resolve, reject });
      const req: WorkerRequest = { id, fn, args, gate };
      this.worker.postMessage(req);
    });
  }

  async terminate(): Promise<void> {
    this.dead = this.dead ?? new Error('terminated');
    await this.worker.terminate();
  }
}

/** The workers of one shared heap. */
export class WorkerSet {
  private workers: BenchWorker[] = [];

  constructor(private readonly module: WebAssembly.Module, private readonly memory: WebAssembly.Memory) {}

  /** Make sure workers 0..n-1 exist. */
  ensure(n: number): void {
    while (this.workers.length < n) this.workers.push(new BenchWorker(this.module, this.memory));
  }

  get size(): number { return this.workers.length; }

  /** Run `fn(args)` on worker k (untimed); returns the export's result. */
  async call(k: number, fn: string, args: number[] = []): Promise<number> {
    this.ensure(k + 1);
    const r = await this.workers[k].request(fn, args);
    return r.result ?? 0;
  }

  /**
   * The timed region: every call waits at the gate (a zeroed word at byte address `gate`);
   * when all are there the gate opens and the clock starts; it stops at the latest end
   * stamp. `hooks.onStart` runs as the gate opens, `hooks.tick` every 200 ms meanwhile.
   */
  async timed(calls: GatedCall[], gate: number, hooks: TimedHooks = {}): Promise<TimedResult> {
    this.ensure(Math.max(...calls.map((c) => c.worker)) + 1);
    const gateView = (): Int32Array => new Int32Array(this.memory.buffer, gate, 1);
    Atomics.store(gateView(), 0, 0);
    const readies: Promise<void>[] = [];
    const dones = calls.map((c) => {
      let ready!: () => void;
      readies.push(new Promise<void>((res) => { ready = res; }));
      return this.workers[c.worker].request(c.fn, c.args, gate, ready);
    });
    // A call that fails before its gate must not leave us waiting for "ready" forever.
    const failed = Promise.all(dones).then(() => new Promise<never>(() => {}));
    await Promise.race([Promise.all(readies), failed]);
    const t0 = nowMs();
    Atomics.store(gateView(), 0, 1);
    Atomics.notify(gateView(), 0);
    hooks.onStart?.();
    const timer = hooks.tick ? setInterval(hooks.tick, 200) : undefined;
    try {
      const replies = await Promise.all(dones);
      const t1 = Math.max(...replies.map((r) => r.t1 ?? nowMs()));
      return { secs: (t1 - t0) / 1000, results: replies.map((r) => r.result ?? 0) };
    } finally {
      if (timer) clearInterval(timer);
    }
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

/** A single worker of its own, for one call, then gone (larson --worker-per-generation). */
export async function callInFreshWorker(module: WebAssembly.Module, memory: WebAssembly.Memory,
                                        fn: string, args: number[]): Promise<WorkerReply> {
  const w = new BenchWorker(module, memory);
  try {
    return await w.request(fn, args);
  } finally {
    await w.terminate();
  }
}
