// random-mixed.ts: WORKLOADS.md section 4 in Web Workers. random_mixed is a single-thread
// workload, so N threads are N independent copies, copy k with seed + k in its own worker
// over the one shared heap (copy 0 is exactly `random_mixed --ops OPS --slots W --seed S`,
// so its checksums are the command's). In duration mode each copy repeats whole runs of
// ROUND_ITERS iterations until the time is up; a stop takes effect at the end of a run.

import type { DemoParams, LiveRun, RunContext, RunResult } from './types.js';
import { now } from './types.js';
import { settleAll } from './settle.js';

/** Iterations of one run in duration mode. */
const ROUND_ITERS = 1_000_000;

/** One copy's state: the run in progress and what its finished runs did. */
interface Copy {
  run: number;
  doneOps: number;
  rounds: number;
  ops: number;
  mallocs: number;
  frees: number;
  sizeSum: number;
  peakLive: number;
  bad: number;
}

/** Start N copies of random_mixed; resolves once they run. */
export async function startRandomMixed(ctx: RunContext, p: DemoParams): Promise<LiveRun> {
  const { view, bench: B } = ctx.heap;
  const N = p.threads;
  const durationMode = p.mode === 'duration';
  const iters = durationMode ? ROUND_ITERS : p.ops;
  const workers = await ctx.pool.first(N);
  const copies: Copy[] = workers.map(() => ({ run: 0, doneOps: 0, rounds: 0, ops: 0, mallocs: 0,
                                              frees: 0, sizeSum: 0, peakLive: 0, bad: 0 }));
  let stopRequested = false;
  const t0 = now();
  const timeUp = (): boolean => durationMode && now() - t0 >= p.duration * 1000;

  /** Set up one run of copy k (in the control worker). */
  const setup = async (k: number): Promise<number> => {
    const run = await ctx.control.call('random_mixed_setup', p.live, iters, (p.seed + k) >>> 0, 0, 1, 0);
    if (run === 0) throw new Error('random_mixed: out of memory during set-up');
    return run;
  };
  /** Copy k's loop: run, tear down, account; again while the time lasts. */
  const copyLoop = async (k: number, first: number): Promise<void> => {
    const c = copies[k]!;
    let run = first;
    for (;;) {
      c.run = run;
      await workers[k]!.call('random_mixed_run', run);
      await ctx.control.call('random_mixed_teardown', run);
      const r = (off: number | undefined): number => view.u64(run + off!);
      c.ops += r(B.RM_OPS); c.mallocs += r(B.RM_MALLOCS); c.frees += r(B.RM_FREES);
      c.sizeSum += r(B.RM_SIZE_SUM); c.bad += r(B.RM_BAD);
      c.peakLive = Math.max(c.peakLive, r(B.RM_PEAK_LIVE));
      c.doneOps += r(B.RM_PROGRESS);
      c.run = 0;
      c.rounds++;
      await ctx.control.call('bench_record_free', run);
      if (!durationMode || stopRequested || timeUp()) return;
      run = await setup(k);
    }
  };

  // Every copy's first run is set up before any starts, so they start together.
  const firsts: number[] = [];
  for (let k = 0; k < N; k++) firsts.push(await setup(k));
  const started = now();
  const done = (async (): Promise<RunResult> => {
    await settleAll(firsts.map((run, k) => copyLoop(k, run)), workers, () => { stopRequested = true; });
    await Promise.all(workers.map((w) => w.request('collect', {})));
    const secs = (now() - started) / 1000;
    const ops = copies.reduce((s, c) => s + c.ops, 0);
    const c0 = copies[0]!;
    return {
      workload: 'random_mixed', params: p,
      command: `random_mixed --ops ${iters} --slots ${p.live} --seed ${p.seed}` +
        (N > 1 ? ` (and ${N - 1} more copies, seeds +1..+${N - 1})` : '') +
        (durationMode ? `, repeated for ${p.duration} s` : ''),
      ops, secs, opsPerSec: ops / secs,
      checksums: { ops: c0.ops, mallocs: c0.mallocs, size_sum: c0.sizeSum, peak_live: c0.peakLive },
      bad: copies.reduce((s, c) => s + c.bad, 0), stopped: false, // a run always completes
      rounds: c0.rounds,
    };
  })();

  return {
    labels: workers.map((w, k) => `copy ${k} (worker ${w.index})`),
    progress: () => copies.map((c) => c.doneOps + (c.run !== 0 ? view.u64(c.run + B.RM_PROGRESS!) : 0)),
    stop: () => { stopRequested = true; },
    done,
  };
}
