// set-up.ts: a workload's untimed set-up, run by the control worker, which then parks. The
// control thread allocates a run's records and, for larson, every initial block; the
// workload's threads then free those blocks. A control thread that kept its slabs while it
// waits for the run to end would be an owner that never drains: every block freed into them
// would sit on their remote stacks, unusable, until the teardown (only a slab's owner drains
// it: docs/ARCHITECTURE.md sections 4 and 5, `park()`). Parked, it hands back every slab,
// those still in use as orphans that the workers adopt, as the bench harness's main thread
// does after a set-up (host/bench/engine.ts parkMain).

import type { ExportCall } from '../../../host/workloads/index.js';
import type { RunContext } from './types.js';

/** Run set-up `s` in the control worker and park its thread; the run's address (0 is an error). */
export async function setUpRun(ctx: RunContext, s: ExportCall, workload: string): Promise<number> {
  const run = await ctx.control.call(s.fn, ...s.args);
  if (!run) throw new Error(`${workload}: out of memory during set-up`);
  await ctx.control.request('park', {});
  return run;
}
