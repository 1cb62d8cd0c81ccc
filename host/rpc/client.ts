// client.ts: the host side of one allocator worker, the only implementation of the worker
// RPC (protocol.ts): the id counter, the requests waiting for their responses, and what
// happens when the worker dies. Every user sits on it: the Node pool (workers.ts), the
// browser pool (web-pool.ts), the bench harness (bench/worker-set.ts). Environment
// independent: the worker is reached through a Transport (node-transport.ts, web-transport.ts).
//
// Death: a worker that ends (trapped, threw, terminated) rejects every request it still owed,
// and every later one, with one WorkerDiedError: its index and tid, its exit code, what it
// raised, the request that trapped (a 'fatal' message names it), and what the allocator
// recorded about it, read after the death through the PostMortem hook (Node: from the Heap).

import { WorkerDiedError } from '../abi/errors.js';
import type { FaultRecord, RingEvent } from '../abi/decode.js';
import { fromWireError, type Op, type Ops, type Request, type RequestBody, type WorkerInit,
         type WorkerMessage } from './protocol.js';
import type { Transport, TransportFactory } from './transport.js';

/** Reads what the allocator recorded about dead thread `tid` (0: it never attached). */
export type PostMortem = (tid: number) => { faults: readonly FaultRecord[]; events: readonly RingEvent[] };

/** Options of one request. */
export interface RequestOptions {
  /** Called when a gated timedCall reached its gate (the worker now waits for it to open). */
  onGated?: () => void;
}

/** A request waiting for its response. */
interface Pending {
  /** The request as a death message names it, e.g. `call free`. */
  what: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onGated?: () => void;
}

/** One worker hosting one allocator thread, reached through a Transport. */
export class RpcWorker {
  /** The allocator thread id it attached as at start (0 until ready, or if started unattached). */
  tid = 0;
  /** Its exit code once it died (null before, or where the platform has none). */
  exitCode: number | null = null;
  /** What the worker raised: the trap it reported, its error event, or the host's terminate. */
  cause: unknown = undefined;
  /** Resolves with the worker itself once it instantiated (and attached); rejects if it died first. */
  readonly ready: Promise<RpcWorker>;
  /** Resolves with the death error once the worker died. */
  readonly died: Promise<WorkerDiedError>;
  private death: WorkerDiedError | null = null;
  private trapped: string | undefined = undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly transport: Transport;
  private onReady!: (w: RpcWorker) => void;
  private onFailedStart!: (e: WorkerDiedError) => void;
  private onDied!: (e: WorkerDiedError) => void;

  /** Start the worker; see RpcWorker.open. */
  private constructor(readonly index: number, open: TransportFactory, init: WorkerInit,
                      private readonly postMortem?: PostMortem) {
    this.ready = new Promise((res, rej) => { this.onReady = res; this.onFailedStart = rej; });
    this.ready.catch(() => { /* a failed start is also a death: reported through died and requests */ });
    this.died = new Promise((res) => { this.onDied = res; });
    this.transport = open(init, {
      message: (m) => this.onMessage(m),
      error: (e) => { this.cause ??= e; },
      exit: (code) => this.onExit(code),
    });
  }

  /**
   * Start a worker for `init` through `open`. Requests may be sent at once (the worker
   * serves them once it is ready); await `ready` for its tid.
   */
  static open(open: TransportFactory, init: WorkerInit, postMortem?: PostMortem): RpcWorker {
    return new RpcWorker(init.index, open, init, postMortem);
  }

  /** Start a worker and resolve once it is ready (reject with WorkerDiedError if it died first). */
  static spawn(open: TransportFactory, init: WorkerInit, postMortem?: PostMortem): Promise<RpcWorker> {
    return RpcWorker.open(open, init, postMortem).ready;
  }

  /** True until the worker died. */
  get alive(): boolean { return this.death === null; }

  /** The death error (null while alive). */
  get deathError(): WorkerDiedError | null { return this.death; }

  /** Send a request; resolves with its result, rejects with its error or the worker's death. */
  request<K extends Op>(op: K, body: RequestBody<K>, options: RequestOptions = {}): Promise<Ops[K]['res']> {
    if (this.death) return Promise.reject(this.death);
    const id = this.nextId++;
    const name = (body as { name?: unknown }).name;
    const what = typeof name === 'string' ? `${op} ${name}` : op;
    return new Promise((resolve, reject) => {
      // An attach names the worker's thread from now on (a resumed identity or a new one), so
      // a later death is reclaimed under the right tid.
      const settle = op === 'attach'
        ? (v: unknown): void => { if (typeof v === 'number' && v !== 0) this.tid = v; resolve(v as Ops[K]['res']); }
        : resolve as (v: unknown) => void;
      this.pending.set(id, { what, resolve: settle, reject, onGated: options.onGated });
      this.transport.post({ id, op, ...body } as Request);
    });
  }

  /** Call export `name(...args)` in the worker (raw result: u32s come back signed; null if none). */
  call(name: string, ...args: number[]): Promise<number | null> {
    return this.request('call', { name, args });
  }

  /** Stop the worker without letting it detach (as a crashed thread); resolves once it died. */
  terminate(): Promise<WorkerDiedError> {
    if (this.alive) {
      this.cause ??= new Error('terminated by the host');
      this.transport.terminate();
    }
    return this.died;
  }

  /** Route one message from the worker. */
  private onMessage(m: WorkerMessage): void {
    switch (m.kind) {
      case 'ready':
        this.tid = m.tid;
        this.onReady(this);
        return;
      case 'gated':
        this.pending.get(m.id)?.onGated?.();
        return;
      case 'fatal':
        // The worker is about to die: its exit rejects what it owed, naming this request.
        this.cause ??= fromWireError(m.error);
        this.trapped ??= this.pending.get(m.id)?.what ?? `request ${m.id}`;
        return;
      case 'response': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result); else p.reject(fromWireError(m.error));
      }
    }
  }

  /** The worker is gone: build the death error and fail everything it still owed. */
  private onExit(code: number | null): void {
    if (this.death) return;
    this.exitCode = code;
    const recorded = this.postMortem?.(this.tid) ?? { faults: [], events: [] };
    const err = new WorkerDiedError(this.index, this.tid, code, recorded.faults, recorded.events,
                                    this.cause, this.trapped);
    this.death = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.onFailedStart(err); // no effect once ready
    this.onDied(err);
  }
}
