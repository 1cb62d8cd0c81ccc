// pool.ts: a set of allocator workers over one shared memory, all through the one client
// (client.ts) and one transport (Node or Web Worker, given as a TransportFactory).
// Environment independent. Worker k is started on first use and kept; its index in
// messages and errors is `base + k`. The Node pool (workers.ts) starts N at once, the
// browser pool (web-pool.ts) and the bench harness (bench/worker-set.ts) on demand.
// Thread limits are the caller's to check (before it starts any worker).

import type { WorkerInit } from './protocol.js';
import { RpcWorker, type PostMortem } from './client.js';
import type { TransportFactory } from './transport.js';

/** What a pool's workers start with. */
export interface RpcPoolOptions {
  /** How a worker is started (nodeTransport(), webTransport(createWorker), a test's fake). */
  transport: TransportFactory;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The heap's base (hakmem.heap_base); default DEFAULT_HEAP_BASE. */
  heapBase?: number;
  /** Attach each worker at start (default true; the bench harness's workers do not). */
  attach?: boolean;
  /** The index of worker 0 (default 0). */
  base?: number;
  /** Called as worker `index` starts: how its death is read from shared memory, if at all. */
  postMortem?: (index: number) => PostMortem | undefined;
}

/** Workers over one memory, started on demand. */
export class RpcPool {
  private readonly workers: RpcWorker[] = [];

  /** An empty pool: no worker starts before it is asked for. */
  constructor(private readonly options: RpcPoolOptions) {}

  /** A new worker with index `index`, not kept by the pool (e.g. one call, then gone). */
  open(index: number): RpcWorker {
    const o = this.options;
    const init: WorkerInit = { kind: 'init', module: o.module, memory: o.memory, index };
    if (o.heapBase !== undefined) init.heapBase = o.heapBase;
    if (o.attach === false) init.attach = false;
    return RpcWorker.open(o.transport, init, o.postMortem?.(index));
  }

  /** Worker k, started if needed (requests may be sent at once; await `ready` for its tid). */
  worker(k: number): RpcWorker {
    while (this.workers.length <= k) this.workers.push(this.open(this.base + this.workers.length));
    return this.workers[k]!;
  }

  /** Worker k once ready (started if needed). */
  get(k: number): Promise<RpcWorker> {
    return this.worker(k).ready;
  }

  /** Workers 0..n-1 once all are ready (started if needed). */
  first(n: number): Promise<RpcWorker[]> {
    return Promise.all(Array.from({ length: n }, (_, k) => this.get(k)));
  }

  /** How many workers were started. */
  get size(): number { return this.workers.length; }

  /** The workers started so far, by k. */
  get started(): readonly RpcWorker[] { return this.workers; }

  /** The index of worker 0. */
  private get base(): number { return this.options.base ?? 0; }

  /**
   * Replace every dead worker by a fresh one. Each that died after it was ready is passed
   * to `retire` first (to reclaim its allocator identity) and returned; one that died
   * while starting is only replaced. Waits for workers still starting.
   */
  async replaceDead(retire: (dead: RpcWorker) => Promise<void> | void = () => {}): Promise<RpcWorker[]> {
    const dead: RpcWorker[] = [];
    for (let k = 0; k < this.workers.length; k++) {
      const w = this.workers[k]!;
      const started = await w.ready.then(() => true, () => false);
      if (started && w.alive) continue;
      if (started) {
        dead.push(w);
        await retire(w);
      }
      this.workers[k] = this.open(this.base + k);
    }
    return dead;
  }

  /** Stop every worker (no detach) and wait until all died. */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
