// random-mixed.ts: random_mixed (bench/WORKLOADS.md section 4) in Web Workers, by the
// workload's descriptor (host/workloads/random-mixed.ts). random_mixed is a single-thread
// workload, so N threads are N independent copies, copy k with seed + k in its own worker
// over the one shared heap (copy 0 is exactly `random_mixed --ops OPS --slots W --seed S`,
// so its checksums are the command's). In duration mode each copy repeats whole runs of
// ROUND_ITERS iterations until the time is up; a stop takes effect at the end of a run.

import { RANDOM_MIXED, checksumsOf, crossCheck, parseParams, peerArgv,
         type RandomMixedParams } from '../../../host/workloads/index.js';
import type { DemoParams, LiveRun, RunContext, RunResult } from './types.js';
import { now } from './types.js';
import { settleAll } from './settle.js';
import { setUpRun } from './set-up.js';
import { RunGate } from '../run-gate.js';

/** Iterations of one run in duration mode. */
const ROUND_ITERS = 1_000_000;

/** The parameters of copy k (seed + k). */
export function randomMixedParams(p: DemoParams, k: number): RandomMixedParams {
  return parseParams('random_mixed', {
    ops: String(p.mode === 'duration' ? ROUND_ITERS : p.ops), slots: String(p.live), seed: String((p.seed + k) >>> 0),
  }) as RandomMixedParams;
}

/** One copy's state: the run in progress and what its finished runs did. */
interface Copy {
  params: RandomMixedParams;
  run: number;
  doneIters: number;
  rounds: number;
  /** Sums over finished runs (peak_live: the largest). */
  totals: Record<string, number>;
}

/** Start N copies of random_mixed; resolves once they run. */
export async function startRandomMixed(ctx: RunContext, p: DemoParams): Promise<LiveRun> {
  const { runs } = ctx.heap;
  const N = p.threads;
  const durationMode = p.mode === 'duration';
  const workers = await ctx.pool.first(N);
  const copies: Copy[] = workers.map((_, k) => ({ params: randomMixedParams(p, k), run: 0, doneIters: 0, rounds: 0, totals: {} }));
  let stopRequested = false;
  // At most one copy per core runs at once (run-gate.ts): the others wait their turn, so the
  // page keeps a core to draw on; each copy's checksums stay its own.
  const gate = new RunGate();
  const t0 = now();
  const timeUp = (): boolean => durationMode && now() - t0 >= p.duration * 1000;

  /** Set up one run of copy k (in the control worker). */
  const setup = async (k: number): Promise<number> => {
    return setUpRun(ctx, RANDOM_MIXED.setup(copies[k]!.params)!, 'random_mixed');
  };
  /** Copy k's loop: run, tear down, account; again while the time lasts. */
  const copyLoop = async (k: number, first: number): Promise<void> => {
    const c = copies[k]!;
    let run = first;
    for (;;) {
      c.run = run;
      const [call] = RANDOM_MIXED.calls(c.params, run);
      await gate.run(() => workers[k]!.call(call!.fn, ...call!.args));
      await ctx.control.call(RANDOM_MIXED.teardown!, run);
      const values = checksumsOf(RANDOM_MIXED.result(runs, c.params, run, 0));
      for (const [name, v] of Object.entries(values)) {
        c.totals[name] = name === 'peak_live' ? Math.max(c.totals[name] ?? 0, v) : (c.totals[name] ?? 0) + v;
      }
      c.doneIters += RANDOM_MIXED.progress(runs, c.params, run)[0]!;
      c.run = 0;
      c.rounds++;
      await ctx.control.call(RANDOM_MIXED.free!, run);
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
    const ops = copies.reduce((s, c) => s + c.totals.ops!, 0);
    const c0 = copies[0]!;
    const { ops: ops0, size_sum, peak_live, mallocs } = c0.totals;
    return {
      workload: 'random_mixed', params: p,
      command: peerArgv(c0.params).join(' ') +
        (N > 1 ? ` (and ${N - 1} more copies, seeds +1..+${N - 1})` : '') +
        (durationMode ? `, repeated for ${p.duration} s` : ''),
      check: c0.rounds === 1 ? crossCheck(c0.params, c0.totals) : null,
      ops, secs, opsPerSec: ops / secs,
      checksums: { ops: ops0!, mallocs: mallocs!, size_sum: size_sum!, peak_live: peak_live! },
      bad: copies.reduce((s, c) => s + c.totals.bad!, 0), stopped: false, // a run always completes
      rounds: c0.rounds,
    };
  })();

  return {
    labels: workers.map((w, k) => `copy ${k} (worker ${w.index})`),
    progress: () => copies.map((c) => c.doneIters + (c.run !== 0 ? RANDOM_MIXED.progress(runs, c.params, c.run)[0]! : 0)),
    stop: () => { stopRequested = true; },
    done,
  };
}
