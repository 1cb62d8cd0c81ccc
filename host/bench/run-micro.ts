// run-micro.ts: the warm malloc+free micro-benchmark: one wasm call runs all pairs, so the
// figure is the cost inside wasm. --batch K > 1 allocates K blocks before freeing them
// (exercising refill and spill as well as the fast path).

import { Engine } from './engine.js';
import { MicroParams } from '../workloads/params.js';
import { Measured } from './record.js';
import { RunCtx } from './run-ctx.js';

/** Run the micro-benchmark once. */
export async function runMicro(e: Engine, p: MicroParams, ctx: RunCtx = {}): Promise<Measured> {
  const scratch = p.batch > 1 ? e.ex.bench_record_alloc(p.batch * 4) >>> 0 : 0;
  const rounds = p.batch > 1 ? Math.max(1, Math.floor(p.pairs / p.batch)) : p.pairs;
  const pairs = p.batch > 1 ? rounds * p.batch : p.pairs;
  const call = p.batch > 1
    ? { worker: 0, fn: 'micro_batch', args: [rounds, p.batch, p.size, scratch] }
    : { worker: 0, fn: 'micro_pairs', args: [pairs, p.size] };
  ctx.before?.();
  const timed = await e.timed([call]);
  await e.detachWorkers(1);
  ctx.after?.();
  if (scratch) e.ex.bench_record_free(scratch);
  return {
    params: { pairs, size: p.size, batch: p.batch },
    ops: 2 * pairs, secs: timed.secs, size_sum: pairs * p.size, bad: 0,
    extra: { ns_per_pair: pairs > 0 ? (timed.secs * 1e9) / pairs : 0 },
  };
}
