// The verified stress soak (host/soak/stress-soak.ts) on a small budget: the budget split into
// rounds over the configurations (a debug one among them), every configuration run, every
// operation counted, nothing failed; the tally turning the pass flag false on each kind of
// failure a round can report (fake rounds through the runRound seam, not a corrupted heap);
// and `hakmem-wasm soak --suite stress` end to end.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';
import { configLabel, runStressSoak, stressSoakMatrix, type StressSoakConfig, type StressSoakRound,
         type StressSoakRoundRunner } from '../../dist/host/soak/stress-soak.js';

const CLI = path.join(ROOT, 'dist', 'host', 'cli', 'main.js');

/** Two configurations unlike each other: release on 2 workers, debug on 3 with small caches. */
const TWO_CONFIGS: StressSoakConfig[] = [
  { build: 'release', workers: 2, heap: { cache: 'default', batchRefill: true, remoteBatch: 0 } },
  { build: 'debug', workers: 3, heap: { cache: 'small', batchRefill: false, remoteBatch: 1 } },
];

/** A round that did `ops` operations and found nothing wrong (what the seam's fakes start from). */
function cleanRound(config: StressSoakConfig, ops: number, seed: number, round: number): StressSoakRound {
  return { round, config, seed, ops, mallocs: ops / 2, frees: ops / 2, remoteFrees: ops / 4, oom: 0, patternFailures: 0,
           checkViolations: 0, faults: 0, elapsedMs: 1, crashed: null, failures: [] };
}

describe('stress soak', () => {
  it('the default matrix: both builds x 2..4 workers x 3 caches x batch refill x remote batch, each once', () => {
    const m = stressSoakMatrix();
    expect(m.length).toBe(2 * 3 * 3 * 2 * 2);
    expect(new Set(m.map(configLabel)).size).toBe(m.length);
    expect(new Set(m.map((c) => c.build))).toEqual(new Set(['release', 'debug']));
    expect(new Set(m.map((c) => c.heap.remoteBatch))).toEqual(new Set([0, 1]));
  });

  it('400k verified operations over a release and a debug configuration: every one ran, nothing failed', async () => {
    const rounds: StressSoakRound[] = [];
    const s = await runStressSoak({ totalOps: 400_000, roundOps: 150_000, configs: TWO_CONFIGS, seed: 7,
                                    onRound: (r) => rounds.push(r) });
    // 150k, 150k, 100k: release gets rounds 1 and 3, debug round 2 (150k split evenly over 3 workers)
    expect(rounds.map((r) => [r.round, r.config.build, r.ops])).toEqual([[1, 'release', 150_000], [2, 'debug', 150_000],
                                                                        [3, 'release', 100_000]]);
    expect(s.totals.ops).toBe(400_000);
    expect(s.totals.rounds).toBe(3);
    expect(s.configs.map((c) => [c.label, c.rounds, c.ops])).toEqual([
      [configLabel(TWO_CONFIGS[0]!), 2, 250_000], [configLabel(TWO_CONFIGS[1]!), 1, 150_000]]);
    for (const c of s.configs) {
      expect(c.failures, c.label).toEqual([]);
      expect([c.patternFailures, c.checkViolations, c.faults, c.crashedRounds], c.label).toEqual([0, 0, 0, 0]);
      expect(c.mallocs, c.label).toBe(c.frees); // every block freed exactly once
      expect(c.remoteFrees, c.label).toBeGreaterThan(0); // blocks really crossed workers
    }
    expect(s.passed).toBe(true);
  });

  const failuresOfARound: [string, Partial<StressSoakRound>][] = [
    ['a pattern failure', { patternFailures: 1, failures: ['worker 0: block 0x10 pattern wrong'] }],
    ['a checker violation', { checkViolations: 2, failures: ['heap check: 2 violation(s)'] }],
    ['a fault the allocator recorded', { faults: 1 }],
    ['a worker that died', { crashed: 'worker 1 (thread 3) died with exit code 1' }],
  ];

  it.each(failuresOfARound)('the pass flag turns false on %s in one round', async (_what, failure) => {
    /** Clean rounds, except round 4 (the second one of the second configuration) with the failure. */
    const runRound: StressSoakRoundRunner = async (config, ops, seed, round) =>
      ({ ...cleanRound(config, ops, seed, round), ...(round === 4 ? failure : {}) });
    const clean = await runStressSoak({ totalOps: 600, roundOps: 100, configs: TWO_CONFIGS,
                                        runRound: async (c, o, s, r) => cleanRound(c, o, s, r) });
    expect(clean.passed).toBe(true);

    const s = await runStressSoak({ totalOps: 600, roundOps: 100, configs: TWO_CONFIGS, seed: 1, runRound });
    expect(s.passed).toBe(false);
    expect(s.totals.rounds).toBe(6);
    expect(s.totals.ops).toBe(600);
    const [first, second] = s.configs;
    expect(first!.failedSeeds).toEqual([]);
    expect(second!.failedSeeds).toEqual([1 + 3 * 1000]); // round 4's seed
    expect(second!.failures[0]).toMatch(/^round 4 \(seed 3001\): /);
    expect(second!.patternFailures + second!.checkViolations + second!.faults + second!.crashedRounds).toBeGreaterThan(0);
  });

  it('`soak --suite stress` prints a row per configuration and the totals; a bad --ops is a usage error', () => {
    const r = spawnSync(process.execPath, [CLI, 'soak', '--suite', 'stress', '--ops', '4e4', '--build', 'debug',
                                           '--workers', '2'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.match(/^debug +2 +(off|small|default) +(on|off) +[01] +1 .* ok$/gm)).toHaveLength(12);
    expect(r.stdout).toMatch(/^40000 verified operations, 0 pattern failures, 0 checker violations, 0 faults, 0 crashed rounds /m);
    expect(r.stderr.match(/^round \d+\/12 .* ok$/gm)).toHaveLength(12);

    const bad = spawnSync(process.execPath, [CLI, 'soak', '--suite', 'stress', '--ops', '2.5'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^hakmem-wasm: option '--ops <n>' argument '2.5' is invalid\. expected a positive integer/);
  });
});
