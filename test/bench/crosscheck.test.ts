// Every cross-check value of WORKLOADS.md section 7 and of bench/MIDLARGE.md, computed by the
// hakmem bench module in real worker_threads (with --verify, the heap checker after each
// run, and no allocator fault), plus the AssemblyScript-runtime peer on its workloads.
import { describe, expect, it } from 'vitest';
import { benchRuns, DEFAULT_OPTIONS, BenchOptions } from '../../dist/host/bench/runner.js';
import { parseParams, threadsOf } from '../../dist/host/workloads/params.js';
import { KNOWN_RUNS, optionsOf, knownRunFor, paramsOf } from '../../dist/host/workloads/known-runs.js';

const OPTS: BenchOptions = { ...DEFAULT_OPTIONS, warmup: 0, check: true, progress: false, log: () => {} };

async function one(build: BenchOptions['build'], workload: string, raw: Record<string, string | boolean>) {
  const [r] = await benchRuns(parseParams(workload, { verify: true, ...raw }), { ...OPTS, build });
  expect(r.bad).toBe(0);
  expect(r.faults ?? 0).toBe(0);
  if (build !== 'asrt') expect(r.heap_check_violations).toBe(0);
  return r;
}

/** larson --ops 2e6 --threads 2's checksums (its variants must give the same). */
const LARSON_2T = KNOWN_RUNS.find((k) => k.argv.join(' ') === 'larson --ops 2e6 --threads 2')!.want;

const pick = (r: Record<string, unknown>, want: Record<string, number>) =>
  Object.fromEntries(Object.keys(want).map((k) => [k, r[k]]));

describe('the known runs (WORKLOADS.md section 7, MIDLARGE.md) on hakmem-wasm (release, worker_threads)', () => {
  it('are all there', () => {
    expect(KNOWN_RUNS.filter((k) => k.source === 'WORKLOADS.md section 7').length).toBe(11);
    expect(KNOWN_RUNS.filter((k) => k.source === 'MIDLARGE.md').length).toBe(4);
  });
  it('are found from full parameters, and only from those', () => {
    expect(knownRunFor(parseParams('larson', { ops: '2e6', threads: '1', verify: true }))?.argv.join(' '))
      .toBe('larson --ops 2e6 --threads 1');
    expect(knownRunFor(parseParams('xfree', { blocks: '1000000', producers: '2', consumers: '3' }))?.want.size_sum).toBe(515933476);
    expect(knownRunFor(parseParams('larson', { ops: '2e6', threads: '1', seed: '7' }))).toBeNull();
    expect(knownRunFor(parseParams('random_mixed', { ops: '1e6', mode: 'replace' }))?.want.ops).toBe(2000000);
    expect(knownRunFor(parseParams('random_mixed', { ops: '1e6', threads: '2' }))?.argv.join(' '))
      .toBe('random_mixed --ops 1e6 --threads 2');
  });
  it('random_mixed copies: N times the one copy\'s checksums, the same peak (WORKLOADS.md section 7\'s rows)', () => {
    const want = (command: string) => KNOWN_RUNS.find((k) => k.argv.join(' ') === command)?.want;
    expect(want('random_mixed --ops 1e6 --threads 2')).toEqual({ ops: 2002056, mallocs: 1001028, size_sum: 527437746, peak_live: 1105 });
    expect(want('random_mixed --ops 1e6 --mode replace --threads 4')).toEqual({ ops: 8000000, size_sum: 2107632548, peak_live: 2048 });
    expect(want('random_mixed --ops 25000 --reps 4 --threads 3')).toEqual({ ops: 312162, size_sum: 82349244, peak_live: 1082 });
  });
  for (const k of KNOWN_RUNS) {
    it(k.argv.join(' '), async () => {
      const r = await one('release', k.argv[0], optionsOf(k.argv) as Record<string, string | boolean>);
      expect(pick(r, k.want)).toEqual(k.want);
      if (k.argv[0] === 'midlarge') expect(r.frees).toBe(r.mallocs);
    });
  }
});

describe('larson variants', () => {
  it('every generation in a brand-new Worker gives the same checksums', async () => {
    const r = await one('release', 'larson', { ops: '2e6', threads: '2', workerPerGeneration: true });
    expect(pick(r, LARSON_2T)).toEqual(LARSON_2T);
  });
  it('duration mode stops on the flag and leaves a sound heap', async () => {
    const r = await one('release', 'larson', { duration: '0.3', threads: '2' });
    expect(r.ops).toBeGreaterThan(0);
    expect(r.secs).toBeGreaterThan(0.25);
    expect(r.secs).toBeLessThan(2);
  });
  it("hakmem's positional vector", async () => {
    const [r] = await benchRuns(parseParams('larson', {}, ['0.2', '8', '128', '1024', '1', '12345', '2']), OPTS);
    expect(r).toMatchObject({ threads: 2, min: 8, max: 128, chunks: 1024, rounds: 1, gen_steps: 1024, seed: 12345, bad: 0 });
    expect(r.generations as number).toBeGreaterThan(2);
  });
  it('debug build: larson 2T section 7 values', async () => {
    const r = await one('debug', 'larson', { ops: '2e6', threads: '2' });
    expect(pick(r, LARSON_2T)).toEqual(LARSON_2T);
  });
});

describe('AssemblyScript-runtime peer (build/bench-asrt.wasm)', () => {
  // the single-threaded runs (the peer has no threads)
  for (const k of KNOWN_RUNS.filter((r) => r.argv[0] !== 'xfree' && r.argv[0] !== 'midlarge' && threadsOf(paramsOf(r)) === 1)) {
    it(k.argv.join(' '), async () => {
      const r = await one('asrt', k.argv[0], optionsOf(k.argv) as Record<string, string | boolean>);
      expect(r.alloc).toBe('asrt');
      expect(pick(r, k.want)).toEqual(k.want);
    });
  }
});

describe('micro-benchmark', () => {
  it('reports ns per warm malloc+free pair', async () => {
    const [r] = await benchRuns(parseParams('micro', { ops: '1e6' }), { ...OPTS, warmup: 1 });
    expect(r.ops).toBe(2e6);
    expect(r.ns_per_pair as number).toBeGreaterThan(0);
  });
});
