// workers.ts: a pool of Node worker_threads, each one allocator thread over the heap's
// shared memory: the shared pool and client (rpc/pool.ts, rpc/client.ts) over the Node
// transport (rpc/node-transport.ts), plus what needs the Heap: the thread limit, checked
// before any worker starts; the post-mortem of a worker that dies (its pending requests are
// rejected with a WorkerDiedError carrying the faults recorded by its tid and the last ring
// events, read from shared memory after the death); and reclaimDead(), which retires a dead
// worker's thread identity so its memory comes back.

import type { Heap } from '../heap/heap.js';
import type { WorkerDiedError } from '../abi/errors.js';
import { intIn, maxThreads, ThreadLimitError } from '../abi/args.js';
import type { Op, Ops, RequestBody } from './protocol.js';
import { RpcPool } from './pool.js';
import type { RpcWorker } from './client.js';
import { nodeTransport } from './node-transport.js';

/** How many ring events a WorkerDiedError carries. */
const DEATH_EVENTS = 32;

/** N allocator workers over one Heap. */
export class WorkerPool {
  /** The dead workers whose thread identity reclaimDead() retired already. */
  private readonly reclaimed = new Set<RpcWorker>();

  private constructor(readonly heap: Heap, private readonly pool: RpcPool,
                      private readonly workers: readonly RpcWorker[]) {}

  /** Spawn `n` workers over `heap` and wait until each attached. */
  static async create(heap: Heap, n: number): Promise<WorkerPool> {
    intIn('workers', n, 1, Number.MAX_SAFE_INTEGER);
    // Before any worker starts: every worker attaches, and so has the heap's own thread.
    const limit = maxThreads(heap.layout);
    const available = limit - heap.threads().length;
    if (n > available) throw new ThreadLimitError(n, available, limit);
    const pool = new RpcPool({
      transport: nodeTransport(), module: heap.module, memory: heap.memory, heapBase: heap.heapBase,
      postMortem: () => {
        const seq = heap.faultCount(); // faults after this may be the new worker's
        return (tid) => ({
          faults: tid === 0 ? [] : heap.faults(seq).filter((f) => f.tid === tid),
          events: heap.ring(DEATH_EVENTS),
        });
      },
    });
    try {
      return new WorkerPool(heap, pool, await pool.first(n));
    } catch (e) {
      await pool.terminate(); // one failed to start: stop the others, which nobody could reach
      throw e;
    }
  }

  /** Number of workers (dead ones included). */
  get size(): number { return this.workers.length; }
  /** Each worker's tid, by index. */
  get tids(): number[] { return this.workers.map((w) => w.tid); }
  /** Indices of the workers still running. */
  alive(): number[] { return this.workers.filter((w) => w.alive).map((w) => w.index); }
  /** Indices of the workers that died. */
  dead(): number[] { return this.workers.filter((w) => !w.alive).map((w) => w.index); }
  /** Resolves with the WorkerDiedError once worker `index` died. */
  died(index: number): Promise<WorkerDiedError> { return this.worker(index).died; }

  /** Worker `index`. */
  private worker(index: number): RpcWorker {
    const w = this.workers[index];
    if (!w) throw new RangeError(`no worker ${index}`);
    return w;
  }

  /** Send a request to worker `index`; resolves with its result, rejects on error or death. */
  request<K extends Op>(index: number, op: K, body: RequestBody<K>): Promise<Ops[K]['res']> {
    return this.worker(index).request(op, body);
  }

  /** Send the same operation to every live worker (body may depend on the index). */
  all<K extends Op>(op: K, body: RequestBody<K> | ((index: number) => RequestBody<K>)):
      Promise<Ops[K]['res'][]> {
    return Promise.all(this.alive().map((i) =>
      this.request(i, op, typeof body === 'function' ? body(i) : body)));
  }

  /** Call an export by name in worker `index`. */
  call(index: number, name: string, ...args: number[]): Promise<number | null> {
    return this.worker(index).call(name, ...args);
  }

  /** Kill worker `index` without letting it detach (simulates a crashed thread). */
  kill(index: number): Promise<WorkerDiedError> {
    return this.worker(index).terminate();
  }

  /**
   * Retire the thread identity of every dead worker not yet reclaimed, from the main
   * thread's instance: its caches and outbox are flushed, its empty slabs released and the
   * rest orphaned for others to adopt. Returns the tids reclaimed.
   */
  reclaimDead(): number[] {
    const out: number[] = [];
    for (const w of this.workers) {
      if (w.alive || this.reclaimed.has(w) || w.tid === 0) continue;
      this.reclaimed.add(w);
      if (this.heap.reclaim(w.tid)) out.push(w.tid);
    }
    return out;
  }

  /** Stop every worker (they do not detach: reclaimDead() afterwards to recover their memory). */
  terminate(): Promise<void> {
    return this.pool.terminate();
  }

  /** Detach every live worker, then stop them all (a clean shutdown). */
  async close(): Promise<void> {
    await Promise.allSettled(this.alive().map((i) => this.request(i, 'detach', {})));
    await this.terminate();
  }
}
