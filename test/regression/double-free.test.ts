// Every kind of double free of a small or mid block, in both builds: reported as one
// double_free fault at its pointer, and never followed by a block handed out twice, damaged
// contents, a hang (the trials run on this thread: a drain walking a cycle would never
// return) or a heap-check violation. The trials are host/soak/double-free.ts; the long
// version is `hakmem-wasm soak`.
import { describe, it, expect } from 'vitest';
import { BUILDS, loadModule } from '../helpers/instances.js';
import { doubleFreeTrials, DOUBLE_FREE_KINDS } from '../../dist/host/soak/double-free.js';

/** Trials per kind and build here (the soak runs thousands). */
const TRIALS = 60;

describe.each(BUILDS)('double frees (%s build)', (build) => {
  const summary = doubleFreeTrials(loadModule(build), TRIALS, build === 'release' ? 1 : 100_000);

  it('covers every kind', () => {
    expect(summary.map((s) => s.kind)).toEqual([...DOUBLE_FREE_KINDS]);
  });

  it.each(DOUBLE_FREE_KINDS)('%s: caught every time, nothing else goes wrong', (kind) => {
    const s = summary.find((x) => x.kind === kind)!;
    expect(s).toEqual({ kind, trials: TRIALS, caught: TRIALS, otherFaults: 0, handedOutTwice: 0, damaged: 0,
                        uncleanChecks: 0, crashed: 0 });
  });
});
