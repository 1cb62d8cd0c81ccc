// xfree.ts: xfree (bench/WORKLOADS.md section 5) in Web Workers, by the workload's
// descriptor (host/workloads/xfree.ts): floor(N/2) producers allocate, the other workers
// free, so every free is a remote free. Blocks = ops / 2 (ops = 2 * blocks), so
// `--ops 2000000 --threads 2` is `xfree --blocks 1e6` and `--threads 5` is
// `--producers 2 --consumers 3`; ring capacity and batch are the CLI's defaults. In duration
// mode whole runs of ROUND_BLOCKS blocks repeat until the time is up; a stop takes effect at
// the end of a run.

import { XFREE, checksumsOf, crossCheck, parseParams, peerArgv, type XfreeParams } from '../../../host/workloads/index.js';
import type { DemoParams, LiveRun, RunContext, RunResult } from './types.js';
import { now } from './types.js';
import { settleAll } from './settle.js';
import { setUpRun } from './set-up.js';

/** Blocks of one run in duration mode. */
const ROUND_BLOCKS = 500_000;

/** Producers and consumers for `threads` workers (at least one of each). */
export function xfreeSplit(threads: number): { producers: number; consumers: number } {
  const producers = Math.max(1, Math.floor(threads / 2));
  return { producers, consumers: Math.max(1, threads - producers) };
}

/** The page's controls as xfree's parameters (one run of them). */
export function xfreeParams(p: DemoParams): XfreeParams {
  const { producers, consumers } = xfreeSplit(p.threads);
  return parseParams('xfree', {
    blocks: String(p.mode === 'duration' ? ROUND_BLOCKS : Math.floor(p.ops / 2)), producers: String(producers),
    consumers: String(consumers), min: String(p.min), max: String(p.max), seed: String(p.seed),
  }) as XfreeParams;
}

/** Start xfree; resolves once its threads run. */
export async function startXfree(ctx: RunContext, p: DemoParams): Promise<LiveRun> {
  const { runs } = ctx.heap;
  const xp = xfreeParams(p);
  const T = XFREE.threads(xp);
  const durationMode = p.mode === 'duration';
  const workers = await ctx.pool.first(T);
  const base = new Array<number>(T).fill(0);
  let run = 0;
  let stopRequested = false;
  let rounds = 0, sizeSum = 0, bad = 0, ops = 0;
  const progressNow = (): number[] => (run !== 0 ? XFREE.progress(runs, xp, run) : base.map(() => 0));

  const setup = async (): Promise<void> => {
    run = await setUpRun(ctx, XFREE.setup(xp)!, 'xfree');
  };
  /** One whole run: every producer and consumer at once, then the teardown. */
  const oneRun = async (): Promise<void> => {
    // A producer that dies leaves its consumers waiting: settleAll terminates them.
    await settleAll(XFREE.calls(xp, run).map((c) => workers[c.worker]!.call(c.fn, ...c.args)),
                    workers, () => { stopRequested = true; });
    // Consumers' outboxes still hold remote frees: flush them before anyone looks.
    await Promise.all(workers.map((w) => w.request('collect', {})));
    progressNow().forEach((v, k) => { base[k]! += v; });
    const finished = run;
    run = 0;
    await ctx.control.call(XFREE.teardown!, finished);
    const o = XFREE.result(runs, xp, finished, 0);
    sizeSum += o.size_sum;
    bad += o.bad;
    ops += o.ops;
    rounds++;
    await ctx.control.call(XFREE.free!, finished);
  };

  await setup();
  const t0 = now();
  const done = (async (): Promise<RunResult> => {
    for (;;) {
      await oneRun();
      if (!durationMode || stopRequested || now() - t0 >= p.duration * 1000) break;
      await setup();
    }
    const secs = (now() - t0) / 1000;
    const checksums = { size_sum: sizeSum };
    return {
      workload: 'xfree', params: p,
      command: peerArgv(xp).join(' ') + (durationMode ? `, repeated for ${p.duration} s` : ''),
      check: rounds === 1 ? crossCheck(xp, checksumsOf({ ops, size_sum: sizeSum, bad, extra: {} })) : null,
      ops, secs, opsPerSec: ops / secs, checksums, bad, stopped: false, rounds,
    };
  })();

  return {
    labels: workers.map((w, k) => (k < xp.producers ? `producer ${k}` : `consumer ${k - xp.producers}`) + ` (worker ${w.index})`),
    progress: () => { const now_ = progressNow(); return base.map((b, k) => b + now_[k]!); },
    stop: () => { stopRequested = true; },
    done,
  };
}
