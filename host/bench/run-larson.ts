// run-larson.ts: larson (bench/WORKLOADS.md section 3) on an engine, by its descriptor
// (host/workloads/larson.ts). Beyond a described run it has a clock that sets the stop flag
// in duration mode, and --worker-per-generation, which runs every generation in a brand-new
// Worker instead of one lineage per worker.

import { Engine, atomicStore32, engineMemory } from './engine.js';
import type { LarsonParams } from '../workloads/params.js';
import { LARSON } from '../workloads/larson.js';
import { Measured } from './record.js';
import { TimedResult, nowMs } from './worker-set.js';
import { RunCtx } from './run-ctx.js';

/** Run larson once. */
export async function runLarson(e: Engine, p: LarsonParams, ctx: RunCtx = {}): Promise<Measured> {
  if (!e.multiThreaded && LARSON.needsThreads(p)) {
    throw new Error(`${e.alloc} runs larson with --threads 1 and --ops only`);
  }
  const m = engineMemory(e);
  const setup = LARSON.setup(p)!;
  const run = e.ex[setup.fn]!(...setup.args) >>> 0;
  if (run === 0) throw new Error('larson: out of memory during setup');
  e.parkMain();
  const stop = (): void => atomicStore32(e, LARSON.stopFlag(m, run), 1);
  let started = 0;
  const tick = (): void => {
    if (!ctx.progress) return;
    ctx.progress.update(LARSON.fraction(m, p, run) ?? (nowMs() - started) / (p.duration! * 1000));
  };
  let timer: NodeJS.Timeout | undefined;
  const onStart = (): void => {
    started = nowMs();
    if (p.duration !== null) timer = setTimeout(stop, p.duration * 1000);
  };
  let timed: TimedResult;
  ctx.before?.();
  try {
    timed = p.workerPerGeneration
      ? await generationPerWorker(e, run, p.threads, { onStart, tick })
      : await e.timed(LARSON.calls(p, run), { onStart, tick });
  } finally {
    if (timer) clearTimeout(timer);
  }
  ctx.after?.(); // every generation ended its thread (rested or detached)
  e.ex[LARSON.teardown!]!(run);
  const o = LARSON.result(m, p, run, timed.secs);
  e.ex[LARSON.free!]!(run);
  return {
    params: LARSON.recordParams(p), ops: o.ops, secs: timed.secs, size_sum: o.size_sum, bad: o.bad,
    extra: { ...o.extra, ...(p.workerPerGeneration ? { worker_per_generation: true } : {}) },
    workers: timed.workers,
  };
}

/** Every generation in a brand-new Worker; the clock covers their creation (as in C). */
async function generationPerWorker(e: Engine, run: number, T: number,
                                   hooks: { onStart: () => void; tick: () => void }): Promise<TimedResult> {
  const t0 = nowMs();
  hooks.onStart();
  const timer = setInterval(hooks.tick, 200);
  try {
    await Promise.all(Array.from({ length: T }, async (_, i) => {
      const g = LARSON.generation(run, i, false); // the worker ends with its generation: detach
      while (await e.freshWorkerCall(g.fn, g.args) !== 0) { /* next generation */ }
    }));
  } finally {
    clearInterval(timer);
  }
  return { secs: (nowMs() - t0) / 1000, results: [], workers: [] };
}
