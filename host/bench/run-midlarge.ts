// run-midlarge.ts: midlarge (bench/MIDLARGE.md): T threads with rows of 1..64 KiB blocks and
// cross-thread frees into the neighbour's row.

import { Engine, u32, u64 } from './engine.js';
import { MidlargeParams } from '../workloads/params.js';
import { Measured } from './record.js';
import { RunCtx } from './run-ctx.js';

/** Run midlarge once. */
export async function runMidlarge(e: Engine, p: MidlargeParams, ctx: RunCtx = {}): Promise<Measured> {
  if (!e.multiThreaded) throw new Error(`${e.alloc} cannot run midlarge (it uses threads)`);
  const g = e.g, T = p.threads;
  const run = e.ex.midlarge_setup(T, p.slots, p.rounds, p.seed, p.verify ? 1 : 0) >>> 0;
  if (run === 0) throw new Error('midlarge: out of memory during setup');
  const threads = u32(e, run + g.BL_ML_WORKERS);
  const at = (i: number, off: number): number => u64(e, threads + i * g.BL_MLTHREAD_STRIDE + off);
  ctx.before?.();
  const timed = await e.timed(
    Array.from({ length: T }, (_, i) => ({ worker: i, fn: 'midlarge_thread', args: [run, i] })),
    { tick: () => ctx.progress?.update(at(0, g.BL_MT_PROGRESS) / p.rounds) });
  await e.detachWorkers(T);
  ctx.after?.();
  e.ex.midlarge_teardown(run);
  const sum = (off: number): number => {
    let s = 0;
    for (let i = 0; i < T; i++) s += at(i, off);
    return s;
  };
  const mallocs = sum(g.BL_MT_MALLOCS), frees = sum(g.BL_MT_FREES);
  const m: Measured = {
    params: { threads: T, slots: p.slots, rounds: p.rounds, seed: p.seed, verify: p.verify },
    ops: mallocs + frees, secs: timed.secs, size_sum: sum(g.BL_MT_SIZE_SUM), bad: sum(g.BL_MT_BAD),
    extra: {
      mallocs, frees, neighbour_frees: sum(g.BL_MT_NEIGHBOUR_FREES), neighbour_bytes: sum(g.BL_MT_NEIGHBOUR_BYTES),
    },
  };
  e.ex.midlarge_free(run);
  return m;
}
