// The harness's own logic: option parsing (spec defaults, errors, hakmem's vector), the C
// peers' argv, statistics and compare's reports, without running any workload.
import { describe, expect, it } from 'vitest';
import { parseParams, peerArgv, threadsOf, UsageError } from '../../dist/host/workloads/params.js';
import { spread } from '../../dist/host/bench/summary.js';
import { markdownReport, svgChart, pivotRows, targetLines, cpuSpread, scalingContext, oversubscriptionContext } from '../../dist/host/bench/compare-report.js';
import { parseSchedstat, parseMinorFaults } from '../../dist/host/rpc/node-thread-clock.js';
import { workerTimesField } from '../../dist/host/bench/record.js';
import { compareRows, runOrder, targetCases, RANDOM_MIXED_COPIES_ITERS } from '../../dist/host/bench/compare.js';
import type { CompareCase, CompareResult } from '../../dist/host/bench/compare.js';

describe('params', () => {
  it('spec defaults', () => {
    expect(parseParams('larson', { ops: '2e6' })).toMatchObject({ threads: 1, chunks: 1000, min: 8, max: 1024, rounds: 100, genSteps: 100000, seed: 4141, ops: 2e6, duration: null });
    expect(parseParams('random_mixed', {})).toMatchObject({ iters: 1e7, slots: 2048, seed: 123, mode: 'toggle', reps: 1, threads: 1 });
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
  it('random_mixed --threads: copies, at least one, in threadsOf and the peers\' argv', () => {
    const p = parseParams('random_mixed', { ops: '1e6', threads: '4' });
    expect(p).toMatchObject({ threads: 4, iters: 1e6 });
    expect(threadsOf(p)).toBe(4);
    expect(peerArgv(p)).toEqual(['random_mixed', '--ops', '1000000', '--slots', '2048', '--seed', '123', '--mode', 'toggle',
      '--reps', '1', '--threads', '4']);
    // one copy: the command of before, with no --threads
    expect(peerArgv(parseParams('random_mixed', { ops: '1e6' }))).not.toContain('--threads');
    expect(threadsOf(parseParams('random_mixed', {}))).toBe(1);
    expect(() => parseParams('random_mixed', { threads: '0' })).toThrow(/--threads must be >= 1/);
    expect(() => parseParams('random_mixed', { threads: '-1' })).toThrow(/bad number/);
  });
  it('peer argv round-trips through the parser', () => {
    for (const p of [parseParams('larson', { ops: '2e6', threads: '2' }), parseParams('random_mixed', { mode: 'replace', verify: true }),
      parseParams('random_mixed', { threads: '3', reps: '2' }),
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
    runs: [], emptyRuns: [], cores: [],
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

describe('the per-round ratio', () => {
  const cases: CompareCase[] = [{ id: 'larson-1T', params: parseParams('larson', { threads: '1', ops: '1000' }) }];
  const all = () => true;
  const contenders = [{ name: 'hakmem-wasm', platform: 'wasm32-hakmem', supports: all }, { name: 'mimalloc', platform: 'native', supports: all }];
  const run = (alloc: string, rep: number, rate: number, error?: string) =>
    ({ case: 'larson-1T', alloc, rep, ops_per_sec: rate, ...(error ? { error } : {}) });
  it('is the median of each round\'s own ratio, beside the ratio of the medians', () => {
    // The machine runs fast in rounds 0 and 3: each median interpolates between a slow round and a
    // fast one (115 and 130, 0.88), while the rounds' own ratios are 0.80, 0.82, 0.83 and 0.93.
    const runs = [run('hakmem-wasm', 0, 150), run('mimalloc', 0, 180), run('hakmem-wasm', 1, 90), run('mimalloc', 1, 110),
      run('hakmem-wasm', 2, 80), run('mimalloc', 2, 100), run('hakmem-wasm', 3, 140), run('mimalloc', 3, 150)];
    const row = compareRows(cases, contenders, runs, 'mimalloc').find((r) => r.alloc === 'hakmem-wasm')!;
    expect(row.ratio).toBeCloseTo(115 / 130, 12);                    // medians: (90+140)/2 over (110+150)/2
    expect(row.pairedRatio).toBeCloseTo((150 / 180 + 90 / 110) / 2, 12); // rounds' ratios 0.8, 0.82, 0.83, 0.93
  });
  it('pairs each run with its floor\'s run of the same round for the own cost', () => {
    const floors = [...contenders, { name: 'floor-wasm', platform: 'wasm32-hakmem', supports: all }];
    // ns/op per round: hakmem-wasm 10, 20, 8; floor-wasm 5, 16, 4: own 5, 4, 4 (the medians' difference: 10 - 5).
    const runs = [run('hakmem-wasm', 0, 1e8), run('floor-wasm', 0, 2e8), run('hakmem-wasm', 1, 5e7), run('floor-wasm', 1, 6.25e7),
      run('hakmem-wasm', 2, 1.25e8), run('floor-wasm', 2, 2.5e8), run('mimalloc', 0, 1e8)];
    const rows = compareRows(cases, floors, runs, 'mimalloc');
    const row = rows.find((r) => r.alloc === 'hakmem-wasm')!;
    expect(row.ownNsPerOp).toBeCloseTo(5, 9);
    expect(row.pairedOwnNsPerOp).toBeCloseTo(4, 9);
    expect(rows.find((r) => r.alloc === 'mimalloc')!.pairedOwnNsPerOp).toBeNull(); // no native floor ran
  });
  it('gives the scaling goal lines each round\'s 2T run over its 1T run', () => {
    const ids = ['larson-1T', 'larson-2T'];
    const byId = (id: string) => targetCases().find((c) => c.id === id)!;
    const r = (id: string, rep: number, rate: number) => ({ case: id, alloc: 'hakmem-wasm', rep, ops_per_sec: rate });
    // Rounds 0 and 1 run fast, round 2 slow: 2T/1T per round 1.90, 1.95, 1.90; the medians give 195/100.
    const runs = [r('larson-1T', 0, 150), r('larson-2T', 0, 285), r('larson-1T', 1, 100), r('larson-2T', 1, 195),
      r('larson-1T', 2, 80), r('larson-2T', 2, 152)];
    const rows = compareRows(ids.map(byId), [contenders[0]], runs, 'hakmem-wasm');
    const res = { machine: { date: '', cpu: '', cores: 2, memory_gib: 4, os: '', node: '', v8: '', assemblyscript: '', tools: {} },
      command: 'compare', baseline: 'hakmem-wasm', allocs: ['hakmem-wasm'], cases: [], skipped: [], checksumErrors: [],
      rows, runs, emptyRuns: [], cores: [] } as CompareResult;
    expect(targetLines(res).find((l) => l.startsWith('- larson 2T vs 1T (hakmem-wasm)'))).toBe(
      '- larson 2T vs 1T (hakmem-wasm): 1.95x (goal 1.9x) met (per-round ratio, median: 1.90x)');
  });
  it('leaves out a round where either run failed, and has none without a pair', () => {
    const runs = [run('hakmem-wasm', 0, 50), run('mimalloc', 0, 100), run('hakmem-wasm', 1, 90), run('mimalloc', 1, NaN, 'crashed')];
    const rows = compareRows(cases, contenders, runs, 'mimalloc');
    expect(rows.find((r) => r.alloc === 'hakmem-wasm')!.pairedRatio).toBeCloseTo(0.5, 12);
    const alone = compareRows(cases, contenders, [run('hakmem-wasm', 0, 50)], 'mimalloc');
    expect(alone.find((r) => r.alloc === 'hakmem-wasm')!.pairedRatio).toBeNull();
  });
});

describe('worker times: how the machine served each worker', () => {
  it('parses Linux schedstat (run ns, wait ns, slices) and rejects anything else', () => {
    expect(parseSchedstat('72312345 1500000 812\n')).toEqual({ runNs: 72312345, waitNs: 1500000 });
    expect(parseSchedstat('')).toBeNull();
    expect(parseSchedstat('12')).toBeNull();
    expect(parseSchedstat('12 x 3')).toBeNull();
  });
  it('reads the minor-fault count of a stat line, whatever the thread\'s name holds', () => {
    // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt ...
    const rest = 'R 100 100 100 0 -1 4194368 3052 0 7 0 120 30';
    expect(parseMinorFaults(`4321 (node) ${rest}`)).toBe(3052);
    expect(parseMinorFaults(`4321 (Worker (2) x) ${rest}`)).toBe(3052);
    expect(parseMinorFaults('4321 (node) R 100 100')).toBeNull();
    expect(parseMinorFaults('no name here')).toBeNull();
  });
  it('prints each worker in ms after the gate, to the microsecond, null without a clock', () => {
    expect(workerTimesField([{ startMs: 0.1234567, endMs: 72.0004, cpu: { runMs: 71.9, waitMs: 0.0002, minorFaults: 412 } },
      { startMs: 0.2, endMs: 80, cpu: null }])).toEqual([
      { start_ms: 0.123, end_ms: 72, cpu_ms: 71.9, runqueue_ms: 0, minor_faults: 412 },
      { start_ms: 0.2, end_ms: 80, cpu_ms: null, runqueue_ms: null, minor_faults: null }]);
  });
  it('the slower worker over the faster, only where every worker has a clock', () => {
    const w = (cpu: number | null) => ({ start_ms: 0, end_ms: 1, cpu_ms: cpu, runqueue_ms: cpu === null ? null : 0 });
    expect(cpuSpread([w(72), w(108)])).toBeCloseTo(1.5, 12);
    expect(cpuSpread([w(72), w(null)])).toBeNull();
    expect(cpuSpread([w(72)])).toBeNull();        // one worker: nothing to compare
    expect(cpuSpread(undefined)).toBeNull();       // a record without worker times (a native peer)
  });
  it('sets the scaling goal beside the floors\' scaling and the workers\' spread in the same run', () => {
    const r = (id: string, alloc: string, rep: number, rate: number, cpu?: number[]) => ({
      case: id, alloc, rep, ops_per_sec: rate,
      ...(cpu ? { worker_times: cpu.map((c) => ({ start_ms: 0, end_ms: c, cpu_ms: c, runqueue_ms: 0 })) } : {}) });
    const runs = [r('larson-1T', 'floor-wasm', 0, 100), r('larson-2T', 'floor-wasm', 0, 150),
      r('larson-1T', 'hakmem-wasm', 0, 100), r('larson-2T', 'hakmem-wasm', 0, 130, [70, 105]),
      r('larson-1T', 'hakmem-wasm', 1, 100), r('larson-2T', 'hakmem-wasm', 1, 195, [70, 70])];
    const res = { runs } as unknown as CompareResult;
    expect(scalingContext(res, 'larson-2T', 'larson-1T')).toEqual([
      '  - the same run\'s per-round 2T/1T: floor-wasm 1.50x',
      '  - hakmem-wasm\'s larson-2T runs, slower worker\'s on-CPU time over the faster\'s: median 1.25x, max 1.50x over 2 runs']);
  });
});

describe('oversubscription: 8 workers against 2 (issue 10, item 5)', () => {
  const cases = targetCases();
  const byId = (id: string) => cases.find((c) => c.id === id)!;
  it('compare has larson-4T/8T and random_mixed-2T/4T/8T, the copies doing the same total work', () => {
    expect(byId('larson-8T').params).toMatchObject({ workload: 'larson', threads: 8, ops: 20e6, min: 8, max: 1024, chunks: 1000 });
    expect(byId('larson-4T').params).toMatchObject({ threads: 4, ops: 20e6 });
    for (const t of [2, 4, 8]) {
      const p = byId(`random_mixed-${t}T`).params;
      expect(p).toMatchObject({ workload: 'random_mixed', threads: t, slots: 2048 });
      expect((p as { iters: number }).iters * t).toBe(RANDOM_MIXED_COPIES_ITERS);
    }
    expect(RANDOM_MIXED_COPIES_ITERS).toBe(2 * (byId('random_mixed').params as { iters: number }).iters);
    expect(byId('larson-8T').twoWorkers).toBe('larson-2T');
    expect(byId('random_mixed-8T').twoWorkers).toBe('random_mixed-2T');
    expect(byId('larson-2T').twoWorkers).toBeUndefined();
  });

  const all = () => true;
  const contenders = [{ name: 'hakmem-wasm', platform: 'wasm32-hakmem', supports: all }, { name: 'mimalloc', platform: 'native', supports: all }];
  const run = (id: string, alloc: string, rate: number) => ({ case: id, alloc, ops_per_sec: rate });
  const ids = ['larson-2T', 'larson-8T', 'random_mixed-2T', 'random_mixed-8T'];
  /** A compare result whose hakmem-wasm 8T runs are `larson8` and `rm8` of 100 at 2T (mimalloc: 90 at 8T). */
  const resultWith = (larson8: number, rm8: number | null): CompareResult => {
    const runs = [run('larson-2T', 'hakmem-wasm', 100), run('larson-8T', 'hakmem-wasm', larson8),
      run('random_mixed-2T', 'hakmem-wasm', 100), ...(rm8 === null ? [] : [run('random_mixed-8T', 'hakmem-wasm', rm8)]),
      ...ids.map((id) => run(id, 'mimalloc', id.endsWith('8T') ? 90 : 100))];
    const rows = compareRows(ids.map(byId), contenders, runs, 'mimalloc');
    return { machine: { date: '', cpu: '', cores: 2, memory_gib: 4, os: '', node: '', v8: '', assemblyscript: '', tools: {} },
      command: 'compare', baseline: 'mimalloc', allocs: ['hakmem-wasm', 'mimalloc'], cases: [], skipped: [], checksumErrors: [],
      rows, runs, emptyRuns: [], cores: [] };
  };
  const goal = (res: CompareResult) => targetLines(res).find((l) => l.includes('at 8 workers'));
  it('every allocator\'s row at 8 workers carries its 8T/2T ratio', () => {
    const rows = resultWith(85, 95).rows;
    const of = (id: string, a: string) => rows.find((r) => r.case === id && r.alloc === a)!;
    expect(of('larson-8T', 'hakmem-wasm').vs2Workers).toBeCloseTo(0.85, 12);
    expect(of('random_mixed-8T', 'mimalloc').vs2Workers).toBeCloseTo(0.9, 12);
    expect(of('larson-2T', 'hakmem-wasm').vs2Workers).toBeNull();
  });
  it('the goal line: met, MISSED, not measured', () => {
    expect(goal(resultWith(85, 95))).toBe(
      '- hakmem-wasm: throughput at 8 workers >= 0.8x at 2 workers (larson 8T/2T = 0.85; random_mixed 8T/2T = 0.95) met');
    expect(goal(resultWith(85, 79))).toBe(
      '- hakmem-wasm: throughput at 8 workers >= 0.8x at 2 workers (larson 8T/2T = 0.85; random_mixed 8T/2T = 0.79) MISSED');
    expect(goal(resultWith(70, null))).toMatch(/\(larson 8T\/2T = 0\.70; random_mixed 8T\/2T = -\) MISSED$/);
    expect(goal(resultWith(85, null))).toMatch(/\(larson 8T\/2T = 0\.85; random_mixed 8T\/2T = -\) not measured$/);
  });
  it('beside the goal, each workload\'s per-round 8T/2T of hakmem-wasm and of the peers that ran it', () => {
    const r = (id: string, alloc: string, rep: number, rate: number) => ({ case: id, alloc, rep, ops_per_sec: rate });
    const runs = [r('larson-2T', 'hakmem-wasm', 0, 100), r('larson-8T', 'hakmem-wasm', 0, 70),
      r('larson-2T', 'hakmem-wasm', 1, 200), r('larson-8T', 'hakmem-wasm', 1, 100), // a slow round: 0.50
      r('larson-2T', 'hakmem-wasm', 2, 100), r('larson-8T', 'hakmem-wasm', 2, 80),
      r('larson-2T', 'floor-wasm', 0, 100), r('larson-8T', 'floor-wasm', 0, 90),
      r('larson-2T', 'mimalloc', 0, 100), r('larson-8T', 'mimalloc', 1, 65)];            // no pair: left out
    const lines = targetLines(resultWith(85, 95));
    const at = lines.findIndex((l) => l.includes('at 8 workers'));
    expect(lines.slice(at + 1, at + 3)).toEqual(['  - per round, larson 8T/2T: hakmem-wasm 0.85x, mimalloc 0.90x',
      '  - per round, random_mixed 8T/2T: hakmem-wasm 0.95x, mimalloc 0.90x']);
    expect(oversubscriptionContext({ runs } as unknown as CompareResult)).toEqual([
      '  - per round, larson 8T/2T: hakmem-wasm 0.70x, floor-wasm 0.90x']);
  });
});

describe('the order of a round\'s runs', () => {
  const all = { supports: () => true };
  const oneOnly = { supports: (p: { threads?: number }) => (p.threads ?? 1) === 1 };
  const larson = (threads: number) => parseParams('larson', { threads: `${threads}`, ops: '1000' });
  const ids = (order: { c: { id: string }; a: unknown }[], names: Map<unknown, string>) =>
    order.map(({ c, a }) => `${names.get(a)}:${c.id}`);

  it('puts each allocator\'s two-thread run right behind its one-thread run, and keeps the case-by-case order otherwise', () => {
    const A = { ...all }, B = { ...all }, S = { ...oneOnly };
    const names = new Map<unknown, string>([[A, 'A'], [S, 'S'], [B, 'B']]);
    const cases = [
      { id: '1T', params: larson(1) },
      { id: 'other', params: larson(4) },
      { id: '2T', params: larson(2), oneThread: '1T' },
    ];
    expect(ids(runOrder(cases, [A, S, B]), names)).toEqual(['A:1T', 'A:2T', 'S:1T', 'B:1T', 'B:2T', 'A:other', 'B:other']);
    // Without its one-thread case in the list (compare --cases larson-2T), a case keeps its place.
    expect(ids(runOrder(cases.slice(1), [A, B]), names)).toEqual(['A:other', 'B:other', 'A:2T', 'B:2T']);
  });

  it('runs every supported case of the target list exactly once per round, the scaling pairs adjacent', () => {
    const cases = targetCases(0.01);
    const A = { ...all }, S = { ...oneOnly };
    const order = runOrder(cases, [A, S]);
    const expected = cases.flatMap((c) => [A, S].filter((a) => a.supports(c.params)).map((a) => `${c.id}/${a === A ? 'A' : 'S'}`));
    expect(order.map(({ c, a }) => `${c.id}/${a === A ? 'A' : 'S'}`).sort()).toEqual(expected.sort());
    for (const [two, one] of [['larson-2T', 'larson-1T'], ['larson-2T-128', 'larson-1T-128'], ['midlarge-2T', 'midlarge-1T']]) {
      expect(cases.find((c) => c.id === two)!.oneThread).toBe(one);
      const at = order.findIndex(({ c, a }) => c.id === two && a === A);
      expect(order[at - 1]).toMatchObject({ c: { id: one }, a: A });
    }
  });
});
