// web-pool.ts: the page side of the browser Web Worker adapter. Each worker runs
// web-worker.ts (the same WorkerCore as Node's node-worker.ts) and is one allocator thread
// over the page's shared memory; requests and responses are protocol.ts messages. Nothing
// here waits synchronously: every request is a promise, so the page's main thread never
// blocks while a worker spends seconds inside a workload.
//
// Environment: browser (no Node imports). This is the counterpart of workers.ts (which needs
// node:worker_threads); it is not re-exported from index.ts, the Node entry.
//
// The page supplies the Worker (a WorkerFactory), because how the worker script is found
// depends on how the page is built: with a bundler such as Vite,
//   (i) => new Worker(new URL('<path to>/host/web-worker.ts', import.meta.url), { type: 'module' })
// lets it bundle the entry; unbundled, the compiled dist/host/web-worker.js can be loaded
// the same way with a '.js' URL.

import { fromWireError, type Op, type Ops, type Request, type RequestBody, type WorkerInit,
         type WorkerMessage } from './protocol.js';

/** Makes the Web Worker for pool index `index` (running web-worker.ts). */
export type WorkerFactory = (index: number) => Worker;

/** A request waiting for its response. */
interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** One Web Worker hosting one allocator thread. */
export class AllocatorWorker {
  /** The allocator thread id it attached as (it changes when a workload re-attaches). */
  tid = 0;
  /** Why it died, once it did (a trap, a failed start, a script error). */
  error: Error | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(readonly index: number, private readonly worker: Worker) {}

  /** Start worker `index` over `memory`; resolves once it instantiated and attached. */
  static spawn(index: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
               createWorker: WorkerFactory): Promise<AllocatorWorker> {
    const worker = createWorker(index);
    const w = new AllocatorWorker(index, worker);
    return new Promise((resolve, reject) => {
      worker.onmessage = (ev: MessageEvent<WorkerMessage>) => {
        const m = ev.data;
        if (m.kind === 'ready') { w.tid = m.tid; resolve(w); return; }
        if (m.kind === 'fatal') { w.die(fromWireError(m.error)); return; }
        const p = w.pending.get(m.id);
        if (!p) return;
        w.pending.delete(m.id);
        if (m.ok) p.resolve(m.result); else p.reject(fromWireError(m.error));
      };
      worker.onerror = (ev: ErrorEvent) => {
        ev.preventDefault();
        w.die(new Error(`worker ${index}: ${ev.message || 'failed'}`));
        reject(w.error);
      };
      const init: WorkerInit = { kind: 'init', module, memory, index };
      worker.postMessage(init);
    });
  }

  /** True until the worker died. */
  get alive(): boolean { return this.error === null; }

  /** Mark the worker dead and fail everything it still owed. */
  private die(e: Error): void {
    this.error ??= e;
    for (const p of this.pending.values()) p.reject(this.error);
    this.pending.clear();
  }

  /** Send one request; resolves with its result, rejects on an error or the worker's death. */
  request<K extends Op>(op: K, body: RequestBody<K>): Promise<Ops[K]['res']> {
    if (this.error) return Promise.reject(this.error);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, op, ...body } as Request);
    });
  }

  /** Call export `name(...args)` in the worker; u32 results come back unsigned. */
  async call(name: string, ...args: number[]): Promise<number> {
    const r = await this.request('call', { name, args });
    return typeof r === 'number' ? r >>> 0 : 0;
  }

  /** Stop the worker now (its allocator identity is left as it was). */
  terminate(): void {
    this.worker.terminate();
    this.die(new Error(`worker ${this.index} terminated`));
  }
}

/**
 * A growing set of allocator workers over one memory: worker k is created on first use and
 * kept (its index in messages and names is `base + k`).
 */
export class WorkerPool {
  private readonly workers: Promise<AllocatorWorker>[] = [];

  constructor(private readonly module: WebAssembly.Module, private readonly memory: WebAssembly.Memory,
              private readonly createWorker: WorkerFactory, private readonly base = 0) {}

  /** Worker k (started if needed). */
  get(k: number): Promise<AllocatorWorker> {
    while (this.workers.length <= k) {
      this.workers.push(AllocatorWorker.spawn(this.base + this.workers.length, this.module, this.memory,
                                             this.createWorker));
    }
    return this.workers[k]!;
  }

  /** Workers 0..n-1, started if needed. */
  first(n: number): Promise<AllocatorWorker[]> {
    return Promise.all(Array.from({ length: n }, (_, k) => this.get(k)));
  }

  /** How many workers were started. */
  get size(): number { return this.workers.length; }

  /**
   * Replace every dead worker by a fresh one, after `control` retired the dead one's
   * allocator identity (its caches flushed, its slabs handed back). Returns the dead ones.
   */
  async replaceDead(control: AllocatorWorker): Promise<AllocatorWorker[]> {
    const dead: AllocatorWorker[] = [];
    for (let k = 0; k < this.workers.length; k++) {
      const w = await this.workers[k]!.catch(() => null);
      if (w && w.alive) continue;
      if (w) {
        dead.push(w);
        if (w.tid !== 0) await control.call('reclaim', w.tid);
      }
      this.workers[k] = AllocatorWorker.spawn(this.base + k, this.module, this.memory, this.createWorker);
    }
    return dead;
  }
}
