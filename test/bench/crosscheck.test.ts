// Every cross-check value of WORKLOADS.md section 7 and of bench/MIDLARGE.md, computed by the
// hakmem bench module in real worker_threads (with --verify, the heap checker after each
// run, and no allocator fault), plus the AssemblyScript-runtime peer on its workloads.
import { describe, expect, it } from 'vitest';
import { benchRuns, DEFAULT_OPTIONS, BenchOptions } from '../../dist/host/bench/runner.js';
import { parseParams } from '../../dist/host/bench/params.js';

const OPTS: BenchOptions = { ...DEFAULT_OPTIONS, warmup: 0, check: true, progress: false, log: () => {} };

async function one(build: BenchOptions['build'], workload: string, raw: Record<string, string | boolean>) {
  const [r] = await benchRuns(parseParams(workload, { verify: true, ...raw }), { ...OPTS, build });
  expect(r.bad).toBe(0);
  expect(r.faults ?? 0).toBe(0);
  if (build !== 'asrt') expect(r.heap_check_violations).toBe(0);
  return r;
}

const SECTION7: [string, Record<string, string | boolean>, Record<string, number>][] = [
  ['larson', { ops: '2e6', threads: '1' }, { size_sum: 516026856, fill_size_sum: 531462, live_bytes_end: 511684, generations: 10 }],
  ['larson', { ops: '2e6', threads: '2' }, { size_sum: 516012351, fill_size_sum: 1056761, live_bytes_end: 1060564, generations: 10 }],
  ['random_mixed', { ops: '1e6' }, { ops: 1001028, mallocs: 500514, size_sum: 263718873, peak_live: 1105 }],
  ['random_mixed', { ops: '1e6', mode: 'replace' }, { ops: 2000000, size_sum: 526908137, peak_live: 2048 }],
  ['random_mixed', { ops: '25000', reps: '4' }, { ops: 104054, size_sum: 27449748, peak_live: 1082 }],
  ['xfree', { blocks: '1e6' }, { size_sum: 516385007 }],
  ['xfree', { blocks: '1e6', batch: '1' }, { size_sum: 516385007 }],
  ['xfree', { blocks: '1e6', producers: '2', consumers: '3' }, { size_sum: 515933476 }],
];

const MIDLARGE: [Record<string, string>, Record<string, number>][] = [
  [{ threads: '1' }, { ops: 559354, mallocs: 279677, size_sum: 4520341439, neighbour_frees: 201680, neighbour_bytes: 3260183384 }],
  [{}, { ops: 1116114, mallocs: 558057, size_sum: 9007105604, neighbour_frees: 402656, neighbour_bytes: 6503907535 }],
  [{ threads: '3' }, { ops: 1674204, mallocs: 837102, size_sum: 13513603453, neighbour_frees: 604484, neighbour_bytes: 9753326616 }],
  [{ threads: '2', slots: '64', rounds: '50' }, { ops: 7094, size_sum: 57798505, neighbour_frees: 2538, neighbour_bytes: 41938591 }],
];

const pick = (r: Record<string, unknown>, want: Record<string, number>) =>
  Object.fromEntries(Object.keys(want).map((k) => [k, r[k]]));

describe('WORKLOADS.md section 7 on hakmem-wasm (release, worker_threads)', () => {
  for (const [w, raw, want] of SECTION7) {
    it(`${w} ${JSON.stringify(raw)}`, async () => {
      const r = await one('release', w, raw);
      expect(pick(r, want)).toEqual(want);
    });
  }
});

describe('bench/MIDLARGE.md cross-check values on hakmem-wasm', () => {
  for (const [raw, want] of MIDLARGE) {
    it(`midlarge ${JSON.stringify(raw)}`, async () => {
      const r = await one('release', 'midlarge', raw);
      expect(pick(r, want)).toEqual(want);
      expect(r.frees).toBe(r.mallocs);
    });
  }
});

describe('larson variants', () => {
  it('every generation in a brand-new Worker gives the same checksums', async () => {
    const r = await one('release', 'larson', { ops: '2e6', threads: '2', workerPerGeneration: true });
    expect(pick(r, SECTION7[1][2])).toEqual(SECTION7[1][2]);
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
    expect(pick(r, SECTION7[1][2])).toEqual(SECTION7[1][2]);
  });
});

describe('AssemblyScript-runtime peer (build/bench-asrt.wasm)', () => {
  for (const i of [0, 2, 3, 4]) {
    const [w, raw, want] = SECTION7[i];
    it(`${w} ${JSON.stringify(raw)}`, async () => {
      const r = await one('asrt', w, raw);
      expect(r.alloc).toBe('asrt');
      expect(pick(r, want)).toEqual(want);
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
