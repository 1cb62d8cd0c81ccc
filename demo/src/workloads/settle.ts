// settle.ts: waiting for the threads of a run when one of them may fail. A worker that
// traps (an allocator fault under the strict policy, a failed malloc, a bug) dies; the
// others must not be left running forever (a larson lineage in duration mode, an xfree
// consumer waiting for blocks that will never come), so the run is stopped, the others get
// a moment to finish, and whoever is still busy is terminated.

import type { AllocatorWorker } from '../../../host/rpc/web-pool.js';

/** How long the surviving threads get to finish after a failure. */
const GRACE_MS = 2000;

/**
 * Wait for every task of a run. If one fails: call `stop`, wait up to GRACE_MS for the rest,
 * terminate `workers` if some are still busy, and rethrow the first failure.
 */
export async function settleAll(tasks: Promise<unknown>[], workers: AllocatorWorker[],
                                stop: () => void): Promise<void> {
  let failure: { error: unknown } | null = null;
  const watched = tasks.map((t) => t.catch((e: unknown) => {
    if (!failure) { failure = { error: e }; stop(); }
    throw e;
  }));
  const settled = Promise.allSettled(watched);
  try {
    await Promise.all(watched);
    return;
  } catch {
    // handled below, with the first failure
  }
  const finished = await Promise.race([
    settled.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), GRACE_MS)),
  ]);
  if (!finished) for (const w of workers) if (w.alive) w.terminate();
  await settled;
  throw (failure as { error: unknown } | null)?.error ?? new Error('a run task failed');
}
