// run-described.ts: one run of a workload on an engine, as its descriptor (host/workloads/)
// says: the untimed set-up on the main thread's instance, the timed region (one gated call
// per worker), the workers' identities retired, the teardown, the result read from the run
// record, the record freed. random_mixed, xfree, midlarge and micro run exactly so; larson
// adds its stop clock and the worker-per-generation mode (run-larson.ts).

import { Engine, engineMemory } from './engine.js';
import type { Params } from '../workloads/params.js';
import { descriptorOf } from '../workloads/index.js';
import { Measured } from './record.js';
import { RunCtx } from './run-ctx.js';

/** Run `p`'s workload once, no warm-up. */
export async function runDescribed(e: Engine, p: Params, ctx: RunCtx = {}): Promise<Measured> {
  const d = descriptorOf(p);
  if (!e.multiThreaded && d.needsThreads(p)) {
    throw new Error(`${e.alloc} cannot run ${p.workload} with these parameters (single-threaded allocator)`);
  }
  const m = engineMemory(e);
  const setup = d.setup(p);
  const run = setup ? e.ex[setup.fn]!(...setup.args) >>> 0 : 0;
  if (setup && run === 0) throw new Error(`${p.workload}: out of memory during setup`);
  // Read the progress once before the gate: a module without a layout constant these parameters
  // need (an older bench module under bench-ab) fails here, not mid-run.
  d.progress(m, p, run);
  if (setup) e.parkMain();
  ctx.before?.();
  const timed = await e.timed(d.calls(p, run), { tick: () => {
    const f = d.fraction(m, p, run);
    if (f !== null) ctx.progress?.update(f);
  } });
  await e.detachWorkers(d.threads(p));
  ctx.after?.();
  if (d.teardown) e.ex[d.teardown]!(run);
  const o = d.result(m, p, run, timed.secs);
  if (d.free && run !== 0) e.ex[d.free]!(run);
  return {
    params: d.recordParams(p), ops: o.ops, secs: timed.secs, size_sum: o.size_sum, bad: o.bad, extra: o.extra,
    workers: timed.workers,
  };
}
