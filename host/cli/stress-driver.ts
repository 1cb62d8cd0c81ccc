// stress-driver.ts: driving the stress task from the host: queues, one request per worker, then a
// second collect on every worker once all are done (a worker that finished early may have
// received remote frees into its slabs afterwards; only now can those slabs drain and go
// back to the pool).

import type { WorkerPool } from '../rpc/workers.js';
import { SpscQueues } from '../rpc/spsc.js';
import { DEFAULT_STRESS, type StressParams, type StressResult } from '../rpc/stress-task.js';

/** Sums over the workers of a stress run. */
export interface StressTotals {
  ops: number;
  mallocs: number;
  frees: number;
  remoteFrees: number;
  sent: number;
  queueFull: number;
  largeAllocs: number;
  oom: number;
  patternFailures: number;
  failures: string[];
}

/** A finished stress run. */
export interface StressRun {
  params: StressParams;
  workers: StressResult[];
  totals: StressTotals;
  elapsedMs: number;
}

/** Options of runStress beyond the task's parameters. */
export interface StressOptions {
  /** Entries per SPSC queue (a power of two). */
  queueCapacity?: number;
  /** Collect on every worker after the run (default true). */
  collect?: boolean;
}

/** Add up the workers' results. */
export function stressTotals(results: readonly StressResult[], opsPerWorker: number): StressTotals {
  const t: StressTotals = { ops: opsPerWorker * results.length, mallocs: 0, frees: 0,
    remoteFrees: 0, sent: 0, queueFull: 0, largeAllocs: 0, oom: 0, patternFailures: 0, failures: [] };
  for (const r of results) {
    t.mallocs += r.mallocs; t.frees += r.frees; t.remoteFrees += r.remoteFrees; t.sent += r.sent;
    t.queueFull += r.queueFull; t.largeAllocs += r.largeAllocs; t.oom += r.oom;
    t.patternFailures += r.patternFailures;
    t.failures.push(...r.failures.map((f) => `worker ${r.index}: ${f}`));
  }
  return t;
}

/** Run the stress task on every live worker of `pool` at once. */
export async function runStress(pool: WorkerPool, params: Partial<StressParams> = {},
                                opts: StressOptions = {}): Promise<StressRun> {
  const p: StressParams = { ...DEFAULT_STRESS, ...params };
  const workers = pool.alive();
  const queues = SpscQueues.create(workers.length, opts.queueCapacity ?? 256);
  const started = performance.now();
  const results = await Promise.all(workers.map((w, i) =>
    pool.request(w, 'stress', { params: p, queues: queues.buffer, index: i, workers: workers.length })));
  if (opts.collect ?? true) await pool.all('collect', {});
  const elapsedMs = performance.now() - started;
  return { params: p, workers: results, totals: stressTotals(results, p.ops), elapsedMs };
}
