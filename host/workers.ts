// workers.ts: a pool of Node worker_threads, each one allocator thread over the heap's
// shared memory. Typed request/response over postMessage, and the handling of a worker
// that dies: its pending requests are rejected with a WorkerDiedError carrying what the
// allocator recorded (faults by its tid, the last ring events, read from shared memory after
// the death), and reclaimDead() retires its thread identity so its memory comes back.

import { Worker } from 'node:worker_threads';
import type { Heap } from './heap.js';
import { WorkerDiedError } from './errors.js';
import { intIn, maxThreads, ThreadLimitError } from './args.js';
import { fromWireError, type Op, type Ops, type Request, type RequestBody, type WorkerInit,
         type WorkerMessage } from './protocol.js';

/** How many ring events a WorkerDiedError carries. */
const DEATH_EVENTS = 32;

/** A request waiting for its response. */
interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** One worker of the pool. */
interface Slot {
  index: number;
  worker: Worker;
  tid: number;
  alive: boolean;
  exitCode: number | null;
  /** What the worker raised (its 'error' event, or the trap it reported as 'fatal'). */
  error: unknown;
  /** Fault seq when the worker started: faults after it may be this worker's. */
  faultSeqAtStart: number;
  pending: Map<number, Pending>;
  reclaimed: boolean;
  died: Promise<WorkerDiedError>;
}

/** N allocator workers over one Heap. */
export class WorkerPool {
  private nextId = 1;

  private constructor(readonly heap: Heap, private readonly slots: Slot[]) {}

  /** Spawn `n` workers over `heap` and wait until each attached. */
  static async create(heap: Heap, n: number): Promise<WorkerPool> {
    intIn('workers', n, 1, Number.MAX_SAFE_INTEGER);
    // Before any worker starts: every worker attaches, and so has the heap's own thread.
    const limit = maxThreads(heap.layout);
    const available = limit - heap.threads().length;
    if (n > available) throw new ThreadLimitError(n, available, limit);
    const pool = new WorkerPool(heap, []);
    await Promise.all(Array.from({ length: n }, (_, i) => pool.spawn(i)));
    pool.slots.sort((a, b) => a.index - b.index);
    return pool;
  }

  /** Start worker `index` and resolve once it reported ready. */
  private spawn(index: number): Promise<void> {
    const init: WorkerInit = {
      kind: 'init', module: this.heap.module, memory: this.heap.memory, index, heapBase: this.heap.heapBase,
    };
    const worker = new Worker(new URL('./node-worker.js', import.meta.url), { workerData: init });
    let onDied!: (e: WorkerDiedError) => void;
    const slot: Slot = {
      index, worker, tid: 0, alive: true, exitCode: null, error: undefined,
      faultSeqAtStart: this.heap.faultCount(), pending: new Map(), reclaimed: false,
      died: new Promise((res) => { onDied = res; }),
    };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.kind === 'ready') { slot.tid = m.tid; resolve(); return; }
        if (m.kind === 'fatal') { slot.error = fromWireError(m.error); return; }
        const p = slot.pending.get(m.id);
        if (!p) return;
        slot.pending.delete(m.id);
        if (m.ok) p.resolve(m.result); else p.reject(fromWireError(m.error));
      });
      worker.on('error', (e) => { slot.error ??= e; });
      worker.on('exit', (code) => {
        slot.alive = false;
        slot.exitCode = code;
        const err = this.deathError(slot);
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
        onDied(err);
        reject(err); // no effect once ready
      });
    });
  }

  /** The error describing a dead worker, decoded from shared memory now. */
  private deathError(slot: Slot): WorkerDiedError {
    const faults = slot.tid === 0 ? [] :
      this.heap.faults(slot.faultSeqAtStart).filter((f) => f.tid === slot.tid);
    return new WorkerDiedError(slot.index, slot.tid, slot.exitCode, faults,
                               this.heap.ring(DEATH_EVENTS), slot.error);
  }

  /** Number of workers (dead ones included). */
  get size(): number { return this.slots.length; }
  /** Each worker's tid, by index. */
  get tids(): number[] { return this.slots.map((s) => s.tid); }
  /** Indices of the workers still running. */
  alive(): number[] { return this.slots.filter((s) => s.alive).map((s) => s.index); }
  /** Indices of the workers that died. */
  dead(): number[] { return this.slots.filter((s) => !s.alive).map((s) => s.index); }
  /** Resolves with the WorkerDiedError once worker `index` died. */
  died(index: number): Promise<WorkerDiedError> { return this.slot(index).died; }

  /** The slot of worker `index`. */
  private slot(index: number): Slot {
    const s = this.slots[index];
    if (!s) throw new RangeError(`no worker ${index}`);
    return s;
  }

  /** Send a request to worker `index`; resolves with its result, rejects on error or death. */
  request<K extends Op>(index: number, op: K, body: RequestBody<K>): Promise<Ops[K]['res']> {
    const slot = this.slot(index);
    if (!slot.alive) return Promise.reject(this.deathError(slot));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ id, op, ...body } as Request);
    });
  }

  /** Send the same operation to every live worker (body may depend on the index). */
  all<K extends Op>(op: K, body: RequestBody<K> | ((index: number) => RequestBody<K>)):
      Promise<Ops[K]['res'][]> {
    return Promise.all(this.alive().map((i) =>
      this.request(i, op, typeof body === 'function' ? body(i) : body)));
  }

  /** Call an export by name in worker `index`. */
  call(index: number, name: string, ...args: number[]): Promise<number | null> {
    return this.request(index, 'call', { name, args });
  }

  /** Kill worker `index` without letting it detach (simulates a crashed thread). */
  async kill(index: number): Promise<WorkerDiedError> {
    const slot = this.slot(index);
    if (slot.alive) await slot.worker.terminate();
    return slot.died;
  }

  /**
   * Retire the thread identity of every dead worker not yet reclaimed, from the main
   * thread's instance: its caches and outbox are flushed, its empty slabs released and the
   * rest orphaned for others to adopt. Returns the tids reclaimed.
   */
  reclaimDead(): number[] {
    const out: number[] = [];
    for (const s of this.slots) {
      if (s.alive || s.reclaimed || s.tid === 0) continue;
      s.reclaimed = true;
      if (this.heap.reclaim(s.tid)) out.push(s.tid);
    }
    return out;
  }

  /** Stop every worker (they do not detach: reclaimDead() afterwards to recover their memory). */
  async terminate(): Promise<void> {
    await Promise.all(this.slots.filter((s) => s.alive).map((s) => s.worker.terminate()));
    await Promise.all(this.slots.map((s) => s.died));
  }

  /** Detach every live worker, then stop them all (a clean shutdown). */
  async close(): Promise<void> {
    await Promise.allSettled(this.alive().map((i) => this.request(i, 'detach', {})));
    await this.terminate();
  }
}
