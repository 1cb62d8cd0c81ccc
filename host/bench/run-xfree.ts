// run-xfree.ts: xfree (WORKLOADS.md section 5): producers and consumers on their own workers.

import { Engine, u32, u64 } from './engine.js';
import { XfreeParams } from '../workloads/params.js';
import { Measured } from './record.js';
import { RunCtx } from './run-ctx.js';

/** Run xfree once. */
export async function runXfree(e: Engine, p: XfreeParams, ctx: RunCtx = {}): Promise<Measured> {
  if (!e.multiThreaded) throw new Error(`${e.alloc} cannot run xfree (single-threaded allocator)`);
  const g = e.g, P = p.producers, C = p.consumers;
  const run = e.ex.xfree_setup(P, C, p.qcap, p.batch, p.min, p.max, p.seed, p.verify ? 1 : 0, p.blocks) >>> 0;
  if (run === 0) throw new Error('xfree: out of memory during setup');
  const workers = u32(e, run + g.BL_XR_WORKERS);
  const tick = (): void => {
    let freed = 0;
    for (let c = 0; c < C; c++) freed += u64(e, workers + (P + c) * g.BL_XWORKER_STRIDE + g.BL_XW_PROGRESS);
    ctx.progress?.update(freed / p.blocks);
  };
  const calls = [
    ...Array.from({ length: P }, (_, i) => ({ worker: i, fn: 'xfree_producer', args: [run, i] })),
    ...Array.from({ length: C }, (_, c) => ({ worker: P + c, fn: 'xfree_consumer', args: [run, c] })),
  ];
  ctx.before?.();
  const timed = await e.timed(calls, { tick });
  await e.detachWorkers(P + C);
  ctx.after?.();
  e.ex.xfree_teardown(run);
  const r = (off: number): number => u64(e, run + off);
  const m: Measured = {
    params: {
      blocks: p.blocks, min: p.min, max: p.max, producers: P, consumers: C, qcap: p.qcap,
      batch: p.batch, seed: p.seed, verify: p.verify,
    },
    ops: 2 * p.blocks, secs: timed.secs, size_sum: r(g.BL_XR_SIZE_SUM), bad: r(g.BL_XR_BAD),
    extra: { producer_full_spins: r(g.BL_XR_PRODUCER_SPINS), consumer_empty_spins: r(g.BL_XR_CONSUMER_SPINS) },
  };
  e.ex.bench_record_free(run);
  return m;
}
