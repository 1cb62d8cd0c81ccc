// worker-set.ts: the harness's bench workers over one shared memory, on the shared worker
// RPC (host/rpc: the pool and client over the Node transport, the workers running
// host/rpc/node-worker.ts). What stays here is the harness's own: the timed region's start gate
// and clock. Workers start unattached (the workloads attach and detach their own identities:
// larson's generations retire identities inside a worker), on demand, and are kept for the
// whole run set, except with --worker-per-generation, where the caller asks for a brand-new
// worker for each generation (callInFreshWorker).

import { performance } from 'node:perf_hooks';
import { RpcPool } from '../rpc/pool.js';
import { RpcWorker } from '../rpc/client.js';
import { nodeTransport } from '../rpc/node-transport.js';
import type { ThreadCpu } from '../rpc/protocol.js';

/** A call for the timed region: export `fn(args)` on worker `worker`. */
export interface GatedCall {
  worker: number;
  fn: string;
  args: number[];
}

/**
 * One worker's part of a timed region: when its call started and ended, in ms after the gate
 * opened, and its thread's scheduling meanwhile (null without a thread clock).
 */
export interface WorkerTime {
  startMs: number;
  endMs: number;
  cpu: ThreadCpu | null;
}

/**
 * What a timed region measured: seconds from the gate opening to the last call's end, each
 * call's result, and each worker's times (empty where the calls ran on the main thread).
 */
export interface TimedResult {
  secs: number;
  results: number[];
  workers: WorkerTime[];
}

/** Callbacks of a timed region. */
export interface TimedHooks {
  onStart?: () => void;
  tick?: () => void;
}

/** Absolute time in ms, comparable with the workers' stamps. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** The workers of one shared heap. */
export class WorkerSet {
  private readonly pool: RpcPool;

  /** No worker starts before it is asked for. */
  constructor(module: WebAssembly.Module, private readonly memory: WebAssembly.Memory) {
    this.pool = new RpcPool({ transport: nodeTransport(), module, memory, attach: false });
  }

  /** Make sure workers 0..n-1 exist. */
  ensure(n: number): void {
    if (n > 0) this.pool.worker(n - 1);
  }

  /** How many workers were started. */
  get size(): number { return this.pool.size; }

  /** Run `fn(args)` on worker k (untimed); returns the export's result. */
  async call(k: number, fn: string, args: number[] = []): Promise<number> {
    return (await this.pool.worker(k).call(fn, ...args)) ?? 0;
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
      let onGated!: () => void;
      readies.push(new Promise<void>((res) => { onGated = res; }));
      return this.pool.worker(c.worker).request('timedCall', { name: c.fn, args: c.args, gate }, { onGated });
    });
    // A call that fails before its gate must not leave us waiting for "gated" forever.
    const failed = Promise.all(dones).then(() => new Promise<never>(() => {}));
    await Promise.race([Promise.all(readies), failed]);
    const t0 = nowMs();
    Atomics.store(gateView(), 0, 1);
    Atomics.notify(gateView(), 0);
    hooks.onStart?.();
    const timer = hooks.tick ? setInterval(hooks.tick, 200) : undefined;
    try {
      const replies = await Promise.all(dones);
      const t1 = Math.max(...replies.map((r) => r.t1));
      return {
        secs: (t1 - t0) / 1000, results: replies.map((r) => r.result),
        workers: replies.map((r) => ({ startMs: r.t0 - t0, endMs: r.t1 - t0, cpu: r.cpu })),
      };
    } finally {
      if (timer) clearInterval(timer);
    }
  }

  /** Stop every worker. */
  close(): Promise<void> {
    return this.pool.terminate();
  }
}

/**
 * A single worker of its own, for one call of export `fn(args)`, then gone (larson
 * --worker-per-generation); returns the export's result.
 */
export async function callInFreshWorker(module: WebAssembly.Module, memory: WebAssembly.Memory,
                                        fn: string, args: number[]): Promise<number> {
  const w = RpcWorker.open(nodeTransport(), { kind: 'init', module, memory, index: 0, attach: false });
  try {
    return (await w.call(fn, ...args)) ?? 0;
  } finally {
    await w.terminate();
  }
}
