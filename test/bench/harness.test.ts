// The harness's own logic: option parsing (spec defaults, errors, hakmem's vector), the C
// peers' argv, statistics and compare's reports, without running any workload.
import { describe, expect, it } from 'vitest';
import { parseParams, peerArgv, UsageError } from '../../dist/host/workloads/params.js';
import { spread } from '../../dist/host/bench/summary.js';
import { markdownReport, svgChart, pivotRows } from '../../dist/host/bench/compare-report.js';
import { compareRows } from '../../dist/host/bench/compare.js';
import type { CompareCase, CompareResult } from '../../dist/host/bench/compare.js';

describe('params', () => {
  it('spec defaults', () => {
    expect(parseParams('larson', { ops: '2e6' })).toMatchObject({ threads: 1, chunks: 1000, min: 8, max: 1024, rounds: 100, genSteps: 100000, seed: 4141, ops: 2e6, duration: null });
    expect(parseParams('random_mixed', {})).toMatchObject({ iters: 1e7, slots: 2048, seed: 123, mode: 'toggle', reps: 1 });
    expect(parseParams('xfree', {})).toMatchObject({ blocks: 1e7, producers: 1, consumers: 1, qcap: 1024, batch: 64, seed: 4141 });
    expect(parseParams('midlarge', {})).toMatchObject({ threads: 2, slots: 512, rounds: 1000, seed: 4141 });
  });
  it("hakmem's larson vector, refined by options", () => {
    const p = parseParams('larson', { seed: '7' }, ['2', '8', '128', '1024', '1', '12345', '4']);
    expect(p).toMatchObject({ duration: 2, min: 8, max: 128, chunks: 1024, rounds: 1, genSteps: 1024, seed: 7, threads: 4, ops: null });
  });
  it('rejects what the spec rejects', () => {
    expect(() => parseParams('larson', {})).toThrow(UsageError);
    expect(() => parseParams('larson', { ops: '1', duration: '1' })).toThrow(/exactly one/);
    expect(() => parseParams('larson', { ops: '1', min: '1' })).toThrow(/>= 2/);
    expect(() => parseParams('xfree', { qcap: '1000' })).toThrow(/power of two/);
    expect(() => parseParams('xfree', { batch: '2048' })).toThrow(/batch/);
    expect(() => parseParams('random_mixed', { mode: 'swap' })).toThrow(/toggle or replace/);
    expect(() => parseParams('random_mixed', { ops: '1.5' })).toThrow(/bad number/);
    expect(() => parseParams('nope', {})).toThrow(/unknown workload/);
  });
  it('peer argv round-trips through the parser', () => {
    for (const p of [parseParams('larson', { ops: '2e6', threads: '2' }), parseParams('random_mixed', { mode: 'replace', verify: true }),
      parseParams('xfree', { producers: '2', consumers: '3' }), parseParams('midlarge', { threads: '3' })]) {
      const [w, ...args] = peerArgv(p);
      const raw: Record<string, string | boolean> = {};
      for (let i = 0; i < args.length; i++) {
        const key = args[i].slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
        if (args[i] === '--verify') raw.verify = true; else raw[key] = args[++i];
      }
      expect(parseParams(w, raw)).toEqual(p);
    }
  });
});

describe('statistics', () => {
  it('median, extremes, quartiles', () => {
    expect(spread([5, 1, 3])).toMatchObject({ n: 3, median: 3, min: 1, max: 5, q1: 2, q3: 4 });
    expect(spread([1, 2, 3, 4]).median).toBe(2.5);
  });
});

describe('compare reports', () => {
  const s = (m: number) => ({ n: 2, median: m, min: m * 0.9, max: m * 1.1, q1: m, q3: m });
  const own = (rate: number, ns: number | null) =>
    ({ floor: null, nsPerOp: 1e9 / rate, ownNsPerOp: ns, ownRatio: ns === null ? null : ns / 5,
       footprintBytes: null, liveBytes: null, footprintRatio: null, aboveLiveBytes: null });
  const res: CompareResult = {
    machine: { date: '2025-01-01T00:00:00.000Z', cpu: 'test cpu', cores: 2, memory_gib: 4, os: 'Linux', node: 'v20', v8: '11', assemblyscript: '0.28', tools: { gcc: 'gcc' } },
    command: 'compare', baseline: 'mimalloc', allocs: ['hakmem-wasm', 'mimalloc', 'emmalloc'],
    cases: [{ id: 'larson-1T', workload: 'larson', threads: 1, argv: ['larson'] }, { id: 'larson-2T', workload: 'larson', threads: 2, argv: ['larson'] }],
    skipped: ['jemalloc: not available'], checksumErrors: [],
    rows: [
      { case: 'larson-1T', alloc: 'hakmem-wasm', platform: 'w', threads: 1, opsPerSec: s(60e6), ratio: 0.6, ...own(60e6, 4), failures: 0 },
      { case: 'larson-1T', alloc: 'mimalloc', platform: 'n', threads: 1, opsPerSec: s(100e6), ratio: 1, ...own(100e6, 5), failures: 0 },
      { case: 'larson-1T', alloc: 'emmalloc', platform: 'e', threads: 1, opsPerSec: s(20e6), ratio: 0.2, ...own(20e6, null), failures: 0 },
      { case: 'larson-2T', alloc: 'hakmem-wasm', platform: 'w', threads: 2, opsPerSec: s(120e6), ratio: 0.6, ...own(120e6, null), failures: 0 },
    ],
    runs: [], emptyRuns: [],
  };
  it('pivot, markdown, svg', () => {
    expect(pivotRows(res).rows[0]).toEqual(['larson-1T', '1', '60.0 (0.60x)', '100.0 (1.00x)', '20.0 (0.20x)']);
    const md = markdownReport(res);
    expect(md).toContain('| larson-1T | 1 | 60.0 (0.60x) |');
    expect(md).toContain('larson-1T vs native mimalloc: 0.60x (goal 0.85x) MISSED');
    expect(md).toContain('larson-1T own cost: 4.00 ns/op vs native mimalloc 5.00 (goal: at or below) met');
    expect(md).toContain('larson 2T vs 1T (hakmem-wasm): 2.00x (goal 1.9x) met');
    expect(md).toContain('| larson-1T | 1 | 4.00 (0.80x) | 5.00 (1.00x) | 50.00 total |');
    expect(md).toContain('test cpu');
    expect(svgChart(res)).toMatch(/^<svg[\s\S]*60.0 Mops\/s \(0.60x\)[\s\S]*<\/svg>\n$/);
  });
});

describe('own cost per operation', () => {
  const cases: CompareCase[] = [{ id: 'larson-1T', params: parseParams('larson', { threads: '1', ops: '1000' }) }];
  const all = () => true;
  const contenders = [
    { name: 'hakmem-wasm', platform: 'wasm32-hakmem', supports: all },
    { name: 'floor-wasm', platform: 'wasm32-hakmem', supports: all },
    { name: 'mimalloc', platform: 'native', supports: all },
    { name: 'floor-native', platform: 'native', supports: all },
    { name: 'emmalloc', platform: 'wasm32-emscripten', supports: all },
  ];
  const run = (alloc: string, rate: number) => ({ case: 'larson-1T', alloc, ops_per_sec: rate });
  const runs = [run('hakmem-wasm', 50e6), run('hakmem-wasm', 40e6), run('hakmem-wasm', 60e6), run('floor-wasm', 100e6),
    run('mimalloc', 100e6), run('floor-native', 200e6), run('emmalloc', 10e6)];
  const rows = compareRows(cases, contenders, runs, 'mimalloc');
  const of = (a: string) => rows.find((r) => r.alloc === a)!;
  it('subtracts the floor of the same platform from the median ns/op', () => {
    expect(of('hakmem-wasm').nsPerOp).toBeCloseTo(20, 9);
    expect(of('hakmem-wasm').ownNsPerOp).toBeCloseTo(10, 9);    // 20 - 10
    expect(of('mimalloc').ownNsPerOp).toBeCloseTo(5, 9);        // 10 - 5
    expect(of('hakmem-wasm').ownRatio).toBeCloseTo(2, 9);
    expect(of('floor-wasm').ownNsPerOp).toBeCloseTo(0, 9);
    expect(of('hakmem-wasm').floor).toBe('floor-wasm');
  });
  it('has no own cost where the platform\'s floor did not run', () => {
    expect(of('emmalloc').floor).toBe('floor-emcc');
    expect(of('emmalloc').ownNsPerOp).toBeNull();
    expect(of('emmalloc').nsPerOp).toBeCloseTo(100, 9);
  });
});
