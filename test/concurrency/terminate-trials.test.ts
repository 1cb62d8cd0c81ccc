// Terminate trials (host/soak/terminate-trial.ts): a real Node worker, churning through
// mallocs and frees logged in shared memory, is terminated at a random moment while 1 or 2
// partner workers free its blocks into its slabs; the partners go on freeing into the dead
// thread, then the pool reclaims it, every logged block is checked and freed from the host,
// and the heap checker and stats judge. dead-worker.test.ts kills a worker only while it is
// idle; here it dies mid-churn.

import { describe, it, expect } from 'vitest';
import { terminateTrials, terminateTrial, terminateTrialFailed,
         type TerminateTrial } from '../../dist/host/soak/terminate-trial.js';

const TRIALS = 20;

/** Σ of one figure over the trials. */
function sum(trials: readonly TerminateTrial[], f: (t: TerminateTrial) => number): number {
  return trials.reduce((n, t) => n + f(t), 0);
}

describe('a worker terminated mid-churn is reclaimed with nothing lost', () => {
  it(`${TRIALS} seeded trials: reclaimed, nothing damaged or faulted, checker clean, ` +
     'at most the killed malloc\'s block lost', async () => {
    const seen: TerminateTrial[] = [];
    const s = await terminateTrials(TRIALS, 1, {}, (t) => seen.push(t));
    // Every trial passes (one whose victim died holding the pool lock too: reclaim takes the
    // lock over and rebuilds the pool, docs/ARCHITECTURE.md 5).
    const failed = seen.filter(terminateTrialFailed);
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    expect(s.failed).toBe(0);
    for (const t of seen) {
      expect(t.violations, `seed ${t.seed}`).toBe(0);
      expect(t.stranded, `seed ${t.seed}`).toBe(0);
      expect(t.reclaimed, `seed ${t.seed}`).toBe(true);
      expect(t.blocksLost, `seed ${t.seed}`).toBeLessThanOrEqual(t.mallocAtKill ? 1 : 0);
    }

    // Not trivial: the victim really churned and died holding blocks; frees crossed threads,
    // also into the dead thread's slabs; both partner counts and every configuration ran.
    expect(s.trials).toBe(TRIALS);
    /** One line about a trial, for a failed expectation's message. */
    const brief = (t: TerminateTrial): string => `seed ${t.seed}: killed in ${t.killedIn} after ${t.victimMallocs} ` +
      `mallocs, ${t.liveAtKill} live, ${t.partnerFrees} partner frees, ${t.remoteFrees} remote frees`;
    // (a kill after a delay of 0 may find the victim barely started: these are counts over the trials)
    expect(seen.filter((t) => t.killedIn === 'not-started').map(brief)).toEqual([]);
    expect(seen.filter((t) => t.victimMallocs > 0 && t.partnerFrees > 0).length, seen.map(brief).join('\n'))
      .toBeGreaterThanOrEqual(TRIALS / 2);
    expect(s.killedWithLive, seen.map(brief).join('\n')).toBeGreaterThanOrEqual(TRIALS / 2);
    expect(seen.filter((t) => t.freesIntoDead > 0).length, seen.map(brief).join('\n'))
      .toBeGreaterThanOrEqual(TRIALS / 2);
    expect(s.remoteFrees).toBeGreaterThan(0);
    expect(new Set(seen.map((t) => t.partners))).toEqual(new Set([1, 2]));
    expect(new Set(seen.map((t) => t.config)).size).toBe(4);

    // The summary's counts add up to the trials'.
    expect(seen.length).toBe(s.trials);
    expect(failed.length).toBe(s.failed);
    expect(seen.filter((t) => t.violations > 0).length).toBe(s.uncleanChecks);
    expect(sum(seen, (t) => t.stranded)).toBe(s.stranded);
    expect(sum(seen, (t) => t.blocksLost)).toBe(s.blocksLost);
    expect(sum(seen, (t) => t.deadHeld)).toBe(s.deadHeld);
    expect(sum(seen, (t) => t.repairs)).toBe(s.repairs);
    expect(sum(seen, (t) => t.remoteFrees)).toBe(s.remoteFrees);
    expect(sum(seen, (t) => t.freesIntoDead)).toBe(s.freesIntoDead);
    expect(sum(seen, (t) => t.refrees)).toBe(s.refrees);
    expect(sum(seen, (t) => t.refreeFaults.length)).toBe(s.refreeFaults);
    expect(seen.filter((t) => t.liveAtKill > 0).length).toBe(s.killedWithLive);
    expect(Object.values(s.killedIn).reduce((a, b) => a + b, 0)).toBe(s.trials);
    // every re-free fault is one at a block the victim was freeing: at most one per trial
    expect(seen.every((t) => t.refreeFaults.length <= t.refrees && t.refrees <= 1)).toBe(true);
  }, 60_000);

  it('the control: without reclaim the dead thread keeps what it held and the trial fails', async () => {
    const t = await terminateTrial(3, { skipReclaim: true });
    expect(t.error).toBeNull();
    expect(t.hung).toBe(false);
    expect(t.reclaimed).toBe(false);
    expect(terminateTrialFailed(t)).toBe(true);
    // The blocks stay in the dead thread's caches and on its slabs' remote stacks, never
    // drained: stranded, with their slabs. (The classes' inUse does not show them: a cached or
    // pushed block has left its user, so blocksLost alone would not notice.)
    expect(t.stranded).toBeGreaterThan(1);
    expect(t.slabsLeft).toBeGreaterThan(0);
    expect(t.liveAtKill).toBeGreaterThan(0);
  }, 30_000);

  it('the debug build too: its allocation bits agree with the heap after every kill', async () => {
    // a debug malloc or free killed between its allocation bit and its list update: reclaim
    // settles the bit (docs/ARCHITECTURE.md 5), else the checker's bitmap rule fails
    const s = await terminateTrials(30, 500, { build: 'debug' });
    expect(s.failures.map((t) => `seed ${t.seed}: ${JSON.stringify(t.violationNames)} ${JSON.stringify(t.otherFaultNames)}`))
      .toEqual([]);
    expect(s.uncleanChecks).toBe(0);
    expect(s.killedWithLive).toBeGreaterThan(15);
  }, 60_000);
});
