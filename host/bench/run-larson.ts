// run-larson.ts: larson (WORKLOADS.md section 3) on an engine. Setup and teardown run on the
// main thread's instance; the timed region runs one lineage per worker (each generation a new
// allocator identity inside it), or with --worker-per-generation each generation in a
// brand-new Worker.

import { Engine, atomicStore32, u32, u64 } from './engine.js';
import { LarsonParams } from '../workloads/params.js';
import { Measured } from './record.js';
import { TimedResult, nowMs } from './worker-set.js';
import { RunCtx } from './run-ctx.js';

/** Run larson once. */
export async function runLarson(e: Engine, p: LarsonParams, ctx: RunCtx = {}): Promise<Measured> {
  const progress = ctx.progress;
  const T = p.threads, g = e.g;
  if (!e.multiThreaded && (T !== 1 || p.duration !== null)) {
    throw new Error(`${e.alloc} runs larson with --threads 1 and --ops only`);
  }
  const steps = p.ops !== null ? Math.floor(p.ops / (2 * T)) : 0;
  const run = e.ex.larson_setup(T, p.chunks, p.min, p.max, p.genSteps, p.duration !== null ? 1 : 0,
    p.verify ? 1 : 0, p.seed, steps) >>> 0;
  if (run === 0) throw new Error('larson: out of memory during setup');
  const lineages = u32(e, run + g.BL_LR_LINEAGES);
  const stop = (): void => atomicStore32(e, run + g.BL_LR_STOP, 1);
  let started = 0;
  const tick = (): void => {
    if (!progress) return;
    if (p.duration !== null) { progress.update((nowMs() - started) / (p.duration * 1000)); return; }
    let done = 0;
    for (let i = 0; i < T; i++) done += u64(e, lineages + i * g.BL_LINEAGE_STRIDE + g.BL_LL_PROGRESS);
    progress.update(done / (steps * T));
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
      ? await generationPerWorker(e, run, T, { onStart, tick })
      : await e.timed(Array.from({ length: T }, (_, i) => ({ worker: i, fn: 'larson_lineage', args: [run, i] })),
        { onStart, tick });
  } finally {
    if (timer) clearTimeout(timer);
  }
  ctx.after?.(); // every generation detached itself
  e.ex.larson_teardown(run);
  const r = (off: number): number => u64(e, run + off);
  const m: Measured = {
    params: {
      threads: T, chunks: p.chunks, min: p.min, max: p.max, rounds: p.rounds, gen_steps: p.genSteps,
      seed: p.seed, ops_budget: p.ops, duration: p.duration, verify: p.verify,
    },
    ops: 2 * r(g.BL_LR_STEPS), secs: timed.secs, size_sum: r(g.BL_LR_SIZE_SUM), bad: r(g.BL_LR_BAD),
    extra: {
      generations: r(g.BL_LR_GENERATIONS), fill_size_sum: r(g.BL_LR_FILL_SIZE_SUM),
      live_bytes_end: r(g.BL_LR_LIVE_BYTES_END),
      ...(p.workerPerGeneration ? { worker_per_generation: true } : {}),
    },
  };
  e.ex.bench_record_free(run);
  return m;
}

/** Every generation in a brand-new Worker; the clock covers their creation (as in C). */
async function generationPerWorker(e: Engine, run: number, T: number,
                                   hooks: { onStart: () => void; tick: () => void }): Promise<TimedResult> {
  const t0 = nowMs();
  hooks.onStart();
  const timer = setInterval(hooks.tick, 200);
  try {
    await Promise.all(Array.from({ length: T }, async (_, i) => {
      while (await e.freshWorkerCall('larson_generation', [run, i]) !== 0) { /* next generation */ }
    }));
  } finally {
    clearInterval(timer);
  }
  return { secs: (nowMs() - t0) / 1000, results: [] };
}
