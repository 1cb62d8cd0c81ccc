// run-ctx.ts: what the generic runner hands each workload runner: a progress sink and the
// two moments around the timed region (where the allocator's stats are snapshotted).

import type { Progress } from './progress.js';

export interface RunCtx {
  progress?: Progress;
  /** Called after the untimed setup, just before the timed region. */
  before?: () => void;
  /** Called after the timed region (workers idle and detached), before the teardown. */
  after?: () => void;
}
