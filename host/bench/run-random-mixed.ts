// run-random-mixed.ts: random_mixed (WORKLOADS.md section 4) on one allocator thread.

import { Engine, u64 } from './engine.js';
import { RandomMixedParams } from '../workloads/params.js';
import { Measured } from './record.js';
import { RunCtx } from './run-ctx.js';

/** Run random_mixed once. */
export async function runRandomMixed(e: Engine, p: RandomMixedParams, ctx: RunCtx = {}): Promise<Measured> {
  const g = e.g;
  const run = e.ex.random_mixed_setup(p.slots, p.iters, p.seed, p.mode === 'replace' ? 1 : 0, p.reps,
    p.verify ? 1 : 0) >>> 0;
  if (run === 0) throw new Error('random_mixed: out of memory during setup');
  const total = p.iters * p.reps;
  ctx.before?.();
  const timed = await e.timed([{ worker: 0, fn: 'random_mixed_run', args: [run] }],
    { tick: () => ctx.progress?.update(u64(e, run + g.BL_RM_PROGRESS) / total) });
  await e.detachWorkers(1);
  ctx.after?.();
  e.ex.random_mixed_teardown(run);
  const r = (off: number): number => u64(e, run + off);
  const m: Measured = {
    params: { iters: p.iters, slots: p.slots, mode: p.mode, reps: p.reps, seed: p.seed, verify: p.verify },
    ops: r(g.BL_RM_OPS), secs: timed.secs, size_sum: r(g.BL_RM_SIZE_SUM), bad: r(g.BL_RM_BAD),
    extra: { mallocs: r(g.BL_RM_MALLOCS), frees: r(g.BL_RM_FREES), peak_live: r(g.BL_RM_PEAK_LIVE) },
  };
  e.ex.bench_record_free(run);
  return m;
}
