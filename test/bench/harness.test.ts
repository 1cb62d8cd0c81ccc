// The harness's own logic: option parsing (spec defaults, errors, hakmem's vector), the C
// peers' argv, statistics and compare's reports, without running any workload.
import { describe, expect, it } from 'vitest';
import { parseParams, peerArgv, UsageError } from '../../dist/host/workloads/params.js';
import { spread } from '../../dist/host/bench/summary.js';
import { markdownReport, svgChart, pivotRows } from '../../dist/host/bench/compare-report.js';
import type { CompareResult } from '../../dist/host/bench/compare.js';

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
  const res: CompareResult = {
    machine: { date: '2025-01-01T00:00:00.000Z', cpu: 'test cpu', cores: 2, memory_gib: 4, os: 'Linux', node: 'v20', v8: '11', assemblyscript: '0.28', tools: { gcc: 'gcc' } },
    command: 'compare', baseline: 'mimalloc', allocs: ['hakmem-wasm', 'mimalloc', 'emmalloc'],
    cases: [{ id: 'larson-1T', workload: 'larson', threads: 1, argv: ['larson'] }, { id: 'larson-2T', workload: 'larson', threads: 2, argv: ['larson'] }],
    skipped: ['jemalloc: not available'], checksumErrors: [],
    rows: [
      { case: 'larson-1T', alloc: 'hakmem-wasm', platform: 'w', threads: 1, opsPerSec: s(60e6), ratio: 0.6, failures: 0 },
      { case: 'larson-1T', alloc: 'mimalloc', platform: 'n', threads: 1, opsPerSec: s(100e6), ratio: 1, failures: 0 },
      { case: 'larson-1T', alloc: 'emmalloc', platform: 'e', threads: 1, opsPerSec: s(20e6), ratio: 0.2, failures: 0 },
      { case: 'larson-2T', alloc: 'hakmem-wasm', platform: 'w', threads: 2, opsPerSec: s(120e6), ratio: 0.6, failures: 0 },
    ],
    runs: [],
  };
  it('pivot, markdown, svg', () => {
    expect(pivotRows(res).rows[0]).toEqual(['larson-1T', '1', '60.0 (0.60x)', '100.0 (1.00x)', '20.0 (0.20x)']);
    const md = markdownReport(res);
    expect(md).toContain('| larson-1T | 1 | 60.0 (0.60x) |');
    expect(md).toContain('larson-1T vs emmalloc: 3.00x (target 3x) met');
    expect(md).toContain('larson 2T vs 1T (hakmem-wasm): 2.00x (target 1.8x) met');
    expect(md).toContain('test cpu');
    expect(svgChart(res)).toMatch(/^<svg[\s\S]*60.0 Mops\/s \(0.60x\)[\s\S]*<\/svg>\n$/);
  });
});
