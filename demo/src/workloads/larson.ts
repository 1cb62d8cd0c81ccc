// larson.ts: WORKLOADS.md section 3 in Web Workers. The control worker runs the untimed
// set-up (every initial block is allocated there, as the spec's main thread does) and the
// teardown; worker i runs lineage i one generation per request (`larson_generation`), each
// generation under a new allocator identity, exactly as `larson_lineage` would but with a
// chance to stop between generations in ops mode. The checksums depend only on the
// parameters, so they must equal the Node harness's and WORKLOADS.md section 7's.

import type { DemoParams, LiveRun, RunContext, RunResult } from './types.js';
import { now } from './types.js';
import { settleAll } from './settle.js';

/** larson's --rounds default: a generation is rounds * chunks steps. */
const ROUNDS = 100;

/** Start larson; resolves when the set-up is done and every lineage runs. */
export async function startLarson(ctx: RunContext, p: DemoParams): Promise<LiveRun> {
  const { view, bench: B } = ctx.heap;
  const T = p.threads;
  const durationMode = p.mode === 'duration';
  const steps = durationMode ? 0 : Math.floor(p.ops / (2 * T));
  const genSteps = ROUNDS * p.live;
  const workers = await ctx.pool.first(T);
  const run = await ctx.control.call('larson_setup', T, p.live, p.min, p.max, genSteps,
                                     durationMode ? 1 : 0, 0, p.seed, steps);
  if (run === 0) throw new Error('larson: out of memory during set-up');
  const lineages = view.word(run + B.LR_LINEAGES!);
  const lineageSteps = (i: number): number =>
    view.u64(lineages + i * B.LINEAGE_STRIDE! + B.LL_PROGRESS!);

  let final: number[] | null = null;
  let stopRequested = false;
  const stop = (): void => {
    stopRequested = true;
    Atomics.store(view.i32(), (run + B.LR_STOP!) >>> 2, 1);
  };
  const t0 = now();
  const timer = durationMode ? setTimeout(stop, p.duration * 1000) : undefined;
  const lineage = async (i: number): Promise<void> => {
    while (await workers[i]!.call('larson_generation', run, i) !== 0 && !stopRequested) { /* next generation */ }
  };

  const done = (async (): Promise<RunResult> => {
    try {
      await settleAll(workers.map((_, i) => lineage(i)), workers, stop);
    } finally {
      clearTimeout(timer);
    }
    const secs = (now() - t0) / 1000;
    final = Array.from({ length: T }, (_, i) => 2 * lineageSteps(i));
    await ctx.control.call('larson_teardown', run);
    const r = (off: number | undefined): number => view.u64(run + off!);
    const ops = 2 * r(B.LR_STEPS);
    const result: RunResult = {
      workload: 'larson', params: p,
      command: `larson ${durationMode ? `--duration ${p.duration}` : `--ops ${p.ops}`} --threads ${T} ` +
        `--chunks ${p.live} --min ${p.min} --max ${p.max} --seed ${p.seed}`,
      ops, secs, opsPerSec: ops / secs,
      checksums: { size_sum: r(B.LR_SIZE_SUM), fill_size_sum: r(B.LR_FILL_SIZE_SUM),
                   live_bytes_end: r(B.LR_LIVE_BYTES_END), generations: r(B.LR_GENERATIONS) },
      bad: r(B.LR_BAD), stopped: stopRequested && !durationMode, rounds: 1,
    };
    await ctx.control.call('bench_record_free', run);
    return result;
  })();

  return {
    labels: workers.map((w, i) => `lineage ${i} (worker ${w.index})`),
    progress: () => final ?? Array.from({ length: T }, (_, i) => 2 * lineageSteps(i)),
    stop,
    done,
  };
}
