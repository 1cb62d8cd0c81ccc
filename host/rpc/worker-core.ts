// worker-core.ts: what an allocator worker does, independent of Node or the browser: it
// instantiates the module over the shared memory, attaches (one worker = one allocator
// thread), then serves requests. The entry files (node-worker.ts, web-worker.ts) only wire
// messages in and out; the hosts (workers.ts in Node, web-pool.ts in a browser page) send
// the same protocol.ts messages through one client (rpc/client.ts). The module may be the
// plain allocator or the bench module (instance.ts supplies the latter's bench_wait/
// bench_notify imports; a worker may block). The bench harness's workers are these too: they
// start unattached (WorkerInit.attach false) and time their calls with 'timedCall'.
//
// A wasm trap (strict fault policy, failed assertion) is fatal on purpose: the trap may
// have left this thread's allocator state half-updated, so the worker must not go on. The
// core reports which request trapped, then rethrows so the worker dies; the host then
// reclaims the thread's identity from another instance.

import { instantiateAllocator, type AllocatorInstance } from '../core/instance.js';
import { toWireError, type Request, type ThreadCpu, type WorkerInit, type WorkerMessage } from './protocol.js';
import { runStressTask } from './stress-task.js';
import { runChurnTask } from './churn-task.js';

/**
 * The worker thread's cumulative scheduling in nanoseconds (run on a CPU, waited for one), or
 * null: supplied by the entry file where the platform has one (node-thread-clock.ts).
 */
export type ThreadClock = () => { runNs: number; waitNs: number; minorFaults: number | null } | null;

/** A worker's allocator thread and its request handler. */
export class WorkerCore {
  private constructor(readonly index: number, readonly inst: AllocatorInstance, public tid: number,
                      private readonly clock: ThreadClock | null) {}

  /**
   * Instantiate and attach (unless init.attach is false). Throws if every thread slot is taken.
   * `clock`, where given, times the thread's scheduling over each timed call.
   */
  static async create(init: WorkerInit, clock: ThreadClock | null = null): Promise<WorkerCore> {
    const inst = await instantiateAllocator(init.module, init.memory, { heapBase: init.heapBase });
    if (init.attach === false) return new WorkerCore(init.index, inst, 0, clock);
    const tid = inst.exports.attach() >>> 0;
    if (tid === 0) throw new Error(`worker ${init.index}: no free allocator thread slot`);
    return new WorkerCore(init.index, inst, tid, clock);
  }

  /** The message announcing this worker is ready. */
  ready(): WorkerMessage {
    return { kind: 'ready', index: this.index, tid: this.tid };
  }

  /**
   * Serve one request and return the response to post. Errors become error responses,
   * except a wasm trap: `post` gets a 'fatal' message, then the trap is rethrown.
   */
  handle(req: Request, post: (m: WorkerMessage) => void): WorkerMessage {
    try {
      return { kind: 'response', id: req.id, ok: true, result: this.run(req, post) };
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        post({ kind: 'fatal', id: req.id, error: toWireError(e) });
        throw e;
      }
      return { kind: 'response', id: req.id, ok: false, error: toWireError(e) };
    }
  }

  /** Execute a request (`post` carries a timedCall's 'gated' notice). */
  private run(req: Request, post: (m: WorkerMessage) => void): unknown {
    const exp = this.inst.exports;
    switch (req.op) {
      case 'call': {
        const v = this.exportFn(req.name)(...req.args);
        return typeof v === 'number' ? v : null;
      }
      case 'timedCall': {
        const fn = this.exportFn(req.name);
        // The clock is read before the gate: its file reads are not part of the timed region
        // (the thread sleeps at the gate, so the wait adds no run time; its wake-up, which is in
        // the region, adds to both figures).
        const c0 = this.clock?.() ?? null;
        if (req.gate !== undefined) {
          post({ kind: 'gated', id: req.id });
          // The buffer object changes after memory.grow: a fresh view for each request.
          const gate = new Int32Array(this.inst.memory.buffer, req.gate, 1);
          while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0);
        }
        const t0 = nowMs();
        const v = fn(...req.args);
        const t1 = nowMs();
        const c1 = c0 && this.clock?.();
        const cpu: ThreadCpu | null = c0 && c1 ? {
          runMs: (c1.runNs - c0.runNs) / 1e6, waitMs: (c1.waitNs - c0.waitNs) / 1e6,
          minorFaults: c0.minorFaults !== null && c1.minorFaults !== null ? c1.minorFaults - c0.minorFaults : null,
        } : null;
        return { result: typeof v === 'number' ? v : 0, t0, t1, cpu };
      }
      case 'mallocBatch':
        return req.sizes.map((s) => exp.malloc(s) >>> 0);
      case 'freeBatch':
        for (const p of req.ptrs) exp.free(p);
        return req.ptrs.length;
      case 'attach':
        this.tid = exp.attach() >>> 0;
        return this.tid;
      case 'detach':
        return exp.detach() >>> 0;
      case 'rest':
        return exp.rest() >>> 0;
      case 'collect':
        exp.collect();
        return null;
      case 'park':
        exp.park();
        return null;
      case 'stress': {
        const result = runStressTask(exp, this.inst.memory, this.tid, req.queues, req.index,
                                     req.workers, req.params);
        exp.collect(); // give back caches and drained slabs before reporting
        return result;
      }
      case 'churn':
        // no collect afterwards: the terminate trial collects when it chooses to
        return runChurnTask(exp, this.inst.memory, this.tid, req.region, req.role, req.partner, req.params);
      default:
        throw new Error(`unknown request ${(req as { op: string }).op}`);
    }
  }

  /** Export `name` as a function, or an error naming it. */
  private exportFn(name: string): (...a: number[]) => unknown {
    const fn = this.inst.exports[name];
    if (typeof fn !== 'function') throw new Error(`no export named ${name}`);
    return fn as (...a: number[]) => unknown;
  }
}

/** Absolute time in ms, comparable across threads (each has its own timeOrigin). */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
