// larson.ts: larson (bench/WORKLOADS.md section 3) in Web Workers, by the workload's
// descriptor (host/workloads/larson.ts). The page's controls become the bench CLI's
// parameters (parseParams, so every default is the CLI's). The control worker runs the
// untimed set-up (every initial block is allocated there, as the spec's main thread does;
// then it parks, set-up.ts) and the teardown; worker i runs lineage i one generation per
// request, each generation a thread that rests at its end, exactly as `larson_lineage` would
// but with a chance to stop between generations in ops mode. The checksums depend only on
// the parameters, so they equal the Node harness's and the known runs'.

import { LARSON, checksumsOf, crossCheck, parseParams, peerArgv, type LarsonParams } from '../../../host/workloads/index.js';
import type { DemoParams, LiveRun, RunContext, RunResult } from './types.js';
import { now } from './types.js';
import { settleAll } from './settle.js';
import { setUpRun } from './set-up.js';
import { RunGate } from '../run-gate.js';

/** The page's controls as larson's parameters. */
export function larsonParams(p: DemoParams): LarsonParams {
  return parseParams('larson', {
    threads: String(p.threads), chunks: String(p.live), min: String(p.min), max: String(p.max), seed: String(p.seed),
    ...(p.mode === 'duration' ? { duration: String(p.duration) } : { ops: String(p.ops) }),
  }) as LarsonParams;
}

/** Start larson; resolves when the set-up is done and every lineage runs. */
export async function startLarson(ctx: RunContext, p: DemoParams): Promise<LiveRun> {
  const { view, runs } = ctx.heap;
  const lp = larsonParams(p);
  const workers = await ctx.pool.first(lp.threads);
  const run = await setUpRun(ctx, LARSON.setup(lp)!, 'larson');

  let final: number[] | null = null;
  let stopRequested = false;
  const stop = (): void => {
    stopRequested = true;
    Atomics.store(view.i32(), LARSON.stopFlag(runs, run) >>> 2, 1);
  };
  const t0 = now();
  const timer = lp.duration !== null ? setTimeout(stop, lp.duration * 1000) : undefined;
  // At most one generation per core runs at once (run-gate.ts): a queued lineage starts its
  // next generation later, which leaves the checksums alone and the page a core to draw on.
  const gate = new RunGate();
  const lineage = async (i: number): Promise<void> => {
    const g = LARSON.generation(run, i, true); // worker i runs every generation of lineage i
    while (await gate.run(() => workers[i]!.call(g.fn, ...g.args)) !== 0 && !stopRequested) { /* next generation */ }
  };

  const done = (async (): Promise<RunResult> => {
    try {
      await settleAll(workers.map((_, i) => lineage(i)), workers, stop);
    } finally {
      clearTimeout(timer);
    }
    const secs = (now() - t0) / 1000;
    final = LARSON.progress(runs, lp, run);
    await ctx.control.call(LARSON.teardown!, run);
    const o = LARSON.result(runs, lp, run, secs);
    await ctx.control.call(LARSON.free!, run);
    const stopped = stopRequested && lp.duration === null;
    const checksums = { size_sum: o.size_sum, ...o.extra };
    return {
      workload: 'larson', params: p, command: peerArgv(lp).join(' '),
      check: stopped ? null : crossCheck(lp, checksumsOf(o)),
      ops: o.ops, secs, opsPerSec: o.ops / secs, checksums, bad: o.bad, stopped, rounds: 1,
    };
  })();

  return {
    labels: workers.map((w, i) => `lineage ${i} (worker ${w.index})`),
    progress: () => final ?? LARSON.progress(runs, lp, run),
    stop,
    done,
  };
}
