// web-pool.ts: the page side of the browser Web Worker adapter: the shared client and pool
// (rpc/client.ts, rpc/pool.ts) over the Web Worker transport (rpc/web-transport.ts), with
// the API the demo uses. Each worker runs web-worker.ts (the same WorkerCore as Node's
// node-worker.ts) and is one allocator thread over the page's shared memory. Nothing here
// waits synchronously: every request is a promise, so the page's main thread never blocks
// while a worker spends seconds inside a workload.
//
// Environment: browser (no Node imports). This is the counterpart of workers.ts (which needs
// node:worker_threads); it is not re-exported from index.ts, the Node entry.
//
// The page supplies the Worker (a WorkerFactory), because how the worker script is found
// depends on how the page is built: with a bundler such as Vite,
//   (i) => new Worker(new URL('<path to>/host/rpc/web-worker.ts', import.meta.url), { type: 'module' })
// lets it bundle the entry; unbundled, the compiled dist/host/rpc/web-worker.js can be loaded
// the same way with a '.js' URL.

import type { Op, Ops, RequestBody } from './protocol.js';
import { RpcWorker } from './client.js';
import { RpcPool } from './pool.js';
import { webTransport, type WorkerFactory } from './web-transport.js';

export type { WorkerFactory } from './web-transport.js';

/** The AllocatorWorker of a client (one object per worker; set in the class's static block). */
let wrap!: (rpc: RpcWorker) => AllocatorWorker;

/** One Web Worker hosting one allocator thread. */
export class AllocatorWorker {
  static {
    const wrappers = new WeakMap<RpcWorker, AllocatorWorker>();
    wrap = (rpc) => {
      let w = wrappers.get(rpc);
      if (!w) { w = new AllocatorWorker(rpc); wrappers.set(rpc, w); }
      return w;
    };
  }

  /** Use AllocatorWorker.spawn or a WorkerPool. */
  private constructor(private readonly rpc: RpcWorker) {}

  /** Start worker `index` over `memory`; resolves once it instantiated and attached. */
  static spawn(index: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
               createWorker: WorkerFactory): Promise<AllocatorWorker> {
    return RpcWorker.spawn(webTransport(createWorker), { kind: 'init', module, memory, index }).then(wrap);
  }

  /** Its index (in messages and names). */
  get index(): number { return this.rpc.index; }
  /** The allocator thread id it attached as at start. */
  get tid(): number { return this.rpc.tid; }
  /** True until the worker died. */
  get alive(): boolean { return this.rpc.alive; }

  /**
   * Why it died, once it did (a trap, a failed start, a script error, terminate()); null
   * while alive. Its requests were rejected with a WorkerDiedError carrying this as cause.
   */
  get error(): Error | null {
    const death = this.rpc.deathError;
    if (!death) return null;
    return this.rpc.cause instanceof Error ? this.rpc.cause : death;
  }

  /** Send one request; resolves with its result, rejects on an error or the worker's death. */
  request<K extends Op>(op: K, body: RequestBody<K>): Promise<Ops[K]['res']> {
    return this.rpc.request(op, body);
  }

  /** Call export `name(...args)` in the worker; u32 results come back unsigned. */
  async call(name: string, ...args: number[]): Promise<number> {
    const r = await this.rpc.call(name, ...args);
    return typeof r === 'number' ? r >>> 0 : 0;
  }

  /** Stop the worker now (its allocator identity is left as it was). */
  terminate(): void {
    void this.rpc.terminate();
  }
}

/**
 * A growing set of allocator workers over one memory: worker k is created on first use and
 * kept (its index in messages and names is `base + k`).
 */
export class WorkerPool {
  private readonly pool: RpcPool;

  /** No worker starts before it is asked for; worker k gets index `base + k`. */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, createWorker: WorkerFactory, base = 0) {
    this.pool = new RpcPool({ transport: webTransport(createWorker), module, memory, base });
  }

  /** Worker k (started if needed). */
  get(k: number): Promise<AllocatorWorker> {
    return this.pool.get(k).then(wrap);
  }

  /** Workers 0..n-1, started if needed. */
  first(n: number): Promise<AllocatorWorker[]> {
    return this.pool.first(n).then((ws) => ws.map(wrap));
  }

  /** How many workers were started. */
  get size(): number { return this.pool.size; }

  /**
   * Replace every dead worker by a fresh one, after `control` retired the dead one's
   * allocator identity (its caches flushed, its slabs handed back). Returns the dead ones.
   */
  async replaceDead(control: AllocatorWorker): Promise<AllocatorWorker[]> {
    const dead = await this.pool.replaceDead(async (w) => {
      if (w.tid !== 0) await control.call('reclaim', w.tid);
    });
    return dead.map(wrap);
  }
}
