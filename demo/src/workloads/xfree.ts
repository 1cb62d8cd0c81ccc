// xfree.ts: WORKLOADS.md section 5 in Web Workers: floor(N/2) producers allocate, the other
// workers free, so every free is a remote free. Blocks = ops / 2 (ops = 2 * blocks), so
// `--ops 2000000 --threads 2` is `xfree --blocks 1e6` and `--threads 5` is
// `--producers 2 --consumers 3`. In duration mode whole runs of ROUND_BLOCKS blocks repeat
// until the time is up; a stop takes effect at the end of a run.

import type { DemoParams, LiveRun, RunContext, RunResult } from './types.js';
import { now } from './types.js';
import { settleAll } from './settle.js';

/** Blocks of one run in duration mode. */
const ROUND_BLOCKS = 500_000;
/** Ring capacity and publication batch: the spec's defaults. */
const QCAP = 1024;
const BATCH = 64;

/** Producers and consumers for `threads` workers (at least one of each). */
export function xfreeSplit(threads: number): { producers: number; consumers: number } {
  const producers = Math.max(1, Math.floor(threads / 2));
  return { producers, consumers: Math.max(1, threads - producers) };
}

/** Start xfree; resolves once its threads run. */
export async function startXfree(ctx: RunContext, p: DemoParams): Promise<LiveRun> {
  const { view, bench: B } = ctx.heap;
  const { producers: P, consumers: C } = xfreeSplit(p.threads);
  const durationMode = p.mode === 'duration';
  const blocks = durationMode ? ROUND_BLOCKS : Math.floor(p.ops / 2);
  const workers = await ctx.pool.first(P + C);
  const base = new Array<number>(P + C).fill(0);
  let run = 0;
  let recs = 0; // the run's worker records (progress counters)
  let stopRequested = false;
  let rounds = 0, sizeSum = 0, bad = 0, ops = 0;
  const progressOf = (k: number): number => (recs !== 0 ? view.u64(recs + k * B.XWORKER_STRIDE! + B.XW_PROGRESS!) : 0);

  const setup = async (): Promise<void> => {
    run = await ctx.control.call('xfree_setup', P, C, QCAP, BATCH, p.min, p.max, p.seed, 0, blocks);
    if (run === 0) throw new Error('xfree: out of memory during set-up');
    recs = view.word(run + B.XR_WORKERS!);
  };
  /** One whole run: every producer and consumer at once, then the teardown. */
  const oneRun = async (): Promise<void> => {
    // A producer that dies leaves its consumers waiting: settleAll terminates them.
    await settleAll([
      ...Array.from({ length: P }, (_, i) => workers[i]!.call('xfree_producer', run, i)),
      ...Array.from({ length: C }, (_, c) => workers[P + c]!.call('xfree_consumer', run, c)),
    ], workers, () => { stopRequested = true; });
    // Consumers' outboxes still hold remote frees: flush them before anyone looks.
    await Promise.all(workers.map((w) => w.request('collect', {})));
    for (let k = 0; k < P + C; k++) base[k]! += progressOf(k);
    recs = 0;
    await ctx.control.call('xfree_teardown', run);
    sizeSum += view.u64(run + B.XR_SIZE_SUM!);
    bad += view.u64(run + B.XR_BAD!);
    ops += 2 * blocks;
    rounds++;
    await ctx.control.call('bench_record_free', run);
    run = 0;
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
    return {
      workload: 'xfree', params: p,
      command: `xfree --blocks ${blocks} --producers ${P} --consumers ${C} --min ${p.min} --max ${p.max} ` +
        `--seed ${p.seed}${durationMode ? `, repeated for ${p.duration} s` : ''}`,
      ops, secs, opsPerSec: ops / secs, checksums: { size_sum: sizeSum }, bad, stopped: false, rounds,
    };
  })();

  return {
    labels: workers.map((w, k) => (k < P ? `producer ${k}` : `consumer ${k - P}`) + ` (worker ${w.index})`),
    progress: () => base.map((b, k) => b + progressOf(k)),
    stop: () => { stopRequested = true; },
    done,
  };
}
