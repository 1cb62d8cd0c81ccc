// Footprint figures (bench/README.md "Footprint"): the resident size of a wasm memory read from
// /proc/self/smaps, the C peers' peak_rss_kb, hakmem-wasm's peak_rss_kb / base_rss_kb, and
// compare's footprint arithmetic, table and goals.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { findMemoryMapping, parseMappings, readMappings, ResidentMemory } from '../../dist/host/bench/resident.js';
import { benchRuns, DEFAULT_OPTIONS } from '../../dist/host/bench/runner.js';
import { BASE_ALLOC, EMPTY_RUN_ARGV, compareRows, coresFigures, runCompare, targetCases } from '../../dist/host/bench/compare.js';
import type { CompareCase, CompareResult, CompareRow } from '../../dist/host/bench/compare.js';
import { compareTable, footprintRows, markdownReport, targetLines } from '../../dist/host/bench/compare-report.js';
import { parseParams } from '../../dist/host/workloads/params.js';
import { nativePeer } from '../helpers/peers.js';
import { ROOT } from '../helpers/instances.js';

const HAS_PROC = existsSync('/proc/self/smaps');
const KIB = 1024, MIB = 1024 * 1024, PAGE = 4096;
const GUARD = 8n << 30n;

/** One smaps entry as the kernel prints it (only the lines the reader looks at). */
const entry = (start: bigint, end: bigint, perms: string, rssKb: number): string =>
  `${start.toString(16)}-${end.toString(16)} ${perms} 00000000 00:00 0 \nSize: ${(end - start) / 1024n} kB\nRss: ${rssKb} kB\n`;
/** A memory-shaped pair: `bytes` read-write, then an 8 GiB guard. */
const wasmMemory = (start: bigint, bytes: number, rssKb: number): string =>
  entry(start, start + BigInt(bytes), 'rw-p', rssKb) + entry(start + BigInt(bytes), start + BigInt(bytes) + GUARD, '---p', 0);

/** Write one byte on every 4 KiB page of [from, from + bytes) (the pages become resident). */
function touchPages(memory: WebAssembly.Memory, from: number, bytes: number): void {
  const u8 = new Uint8Array(memory.buffer);
  for (let a = from; a < from + bytes; a += PAGE) u8[a] = 1;
}

const newMemory = (pages = 16): WebAssembly.Memory => new WebAssembly.Memory({ initial: pages, maximum: 32768, shared: true });

describe('finding a wasm memory in smaps', () => {
  const A = 0x7f0000000000n, B = 0x7e0000000000n;
  it('takes the only rw mapping of the memory\'s size that a guard reservation follows', () => {
    const text = entry(0x1000n, 0x101000n, 'rw-p', 12) + wasmMemory(A, MIB, 300) +
      entry(0x500000000000n, 0x500000100000n, 'rw-p', 1) + entry(0x500000100000n, 0x500000200000n, '---p', 0);
    const maps = parseMappings(text);
    expect(maps).toHaveLength(5);
    expect(findMemoryMapping(maps, MIB, null)).toMatchObject({ start: A, rssKb: 300 });
    expect(findMemoryMapping(maps, 2 * MIB, null)).toBeNull();
  });
  it('tells a new memory from older ones of the same size by its start, or gives up', () => {
    const older = parseMappings(wasmMemory(A, MIB, 900));
    const both = parseMappings(wasmMemory(B, MIB, 40) + wasmMemory(A, MIB, 900));
    expect(findMemoryMapping(both, MIB, older)).toMatchObject({ start: B, rssKb: 40 });
    expect(findMemoryMapping(both, MIB, null)).toBeNull();   // two alike, nothing to tell them apart
    expect(findMemoryMapping(both, MIB, [])).toBeNull();     // both new: still two
  });
});

describe.skipIf(!HAS_PROC)('the resident size of a real shared memory', () => {
  it('grows by what was touched, and an older memory of the same size is not taken for it', () => {
    const before = readMappings('maps');
    const old = newMemory();
    const oldResident = ResidentMemory.locate(old, before);
    expect(oldResident).not.toBeNull();
    touchPages(old, 0, MIB);                                   // the old one is resident, the new one not
    expect(oldResident!.kb()).toBeGreaterThanOrEqual(oldResident!.baseKb + 1000);

    const beforeNew = readMappings('maps');
    const memory = newMemory();                               // same size as `old`
    const r = ResidentMemory.locate(memory, beforeNew);
    expect(r).not.toBeNull();
    expect(r!.start).not.toBe(oldResident!.start);
    expect(r!.baseKb).toBeLessThan(256);                       // not the old one's MiB

    memory.grow(256);                                         // +16 MiB, in place: the start stays
    const touched = 8 * MIB;
    touchPages(memory, 2 * MIB, touched);
    const grown = r!.kb();
    expect(grown).not.toBeNull();
    // Every touched page, and at most a huge page more at each end of the range.
    expect((grown! - r!.baseKb) * KIB).toBeGreaterThanOrEqual(touched);
    expect((grown! - r!.baseKb) * KIB).toBeLessThanOrEqual(touched + 4 * MIB);
    const oldNow = oldResident!.kb()!;
    expect(oldNow).toBeLessThan(oldResident!.baseKb + 2048);  // the old one did not get the new pages
  });
});

describe.skipIf(!HAS_PROC)('hakmem-wasm records', () => {
  it('carry the heap memory\'s resident KiB after the run and after init', async () => {
    const p = parseParams('larson', { ops: '2e5', threads: '1', chunks: '10000' });
    const [r] = await benchRuns(p, { ...DEFAULT_OPTIONS, warmup: 0, progress: false, log: () => {} });
    const peak = r.peak_rss_kb as number, base = r.base_rss_kb as number;
    expect(base).toBeGreaterThan(0);
    expect(peak).toBeGreaterThanOrEqual(base);
    // 10,000 live blocks of 8..1024 bytes (about 5 MB) were all touched in the heap's memory.
    expect((peak - base) * KIB).toBeGreaterThanOrEqual(r.live_bytes_end as number);
  });
});

describe('C peer records', () => {
  it('carry the process\'s own peak RSS (not its parent\'s) in peak_rss_kb', async (ctx) => {
    const run = (await nativePeer(ctx)).record;
    const empty = run(EMPTY_RUN_ARGV);
    const big = run(['larson', '--ops', '2e5', '--chunks', '10000', '--threads', '1']);
    expect(empty.peak_rss_kb).toBeGreaterThan(0);
    // Linux hands a forking parent's peak RSS on to the child's getrusage (this test process is
    // tens of MiB): the empty run must show its own few MiB.
    expect(empty.peak_rss_kb as number).toBeLessThan(Math.min(16 * KIB, process.memoryUsage().rss / KIB));
    expect(((big.peak_rss_kb as number) - (empty.peak_rss_kb as number)) * KIB).toBeGreaterThanOrEqual(big.live_bytes_end as number);
  }, 120_000);
});

describe('compare\'s footprint rows', () => {
  const cases: CompareCase[] = [
    { id: 'larson-1T-5MB', params: parseParams('larson', { threads: '1', ops: '1000', chunks: '10000' }) },
    { id: 'random_mixed', params: parseParams('random_mixed', { ops: '1000' }) },
  ];
  const all = () => true;
  const contenders = [
    { name: 'hakmem-wasm', platform: 'wasm32-hakmem', supports: all },
    { name: 'mimalloc', platform: 'native', supports: all },
    { name: 'asrt', platform: 'wasm32-assemblyscript', supports: all },
  ];
  const run = (id: string, alloc: string, peak: number | null, empty: number | null, more: Record<string, unknown> = {}) =>
    ({ case: id, alloc, ops_per_sec: 1e6, peak_rss_kb: peak, empty_rss_kb: empty, ...(id.startsWith('larson') ? { live_bytes_end: 5_000_000 } : {}), ...more });
  const runs = [
    run('larson-1T-5MB', 'hakmem-wasm', 9000, 2000), run('larson-1T-5MB', 'hakmem-wasm', 8000, 2000),
    run('larson-1T-5MB', 'hakmem-wasm', 10000, 2000),
    run('larson-1T-5MB', 'hakmem-wasm', 99999, 2000, { error: 'died', ops_per_sec: NaN }),    // a failed run counts for nothing
    run('larson-1T-5MB', 'mimalloc', 13000, 2000), run('larson-1T-5MB', 'mimalloc', null, 2000),   // one run without a figure
    run('larson-1T-5MB', 'asrt', null, null),
    run('random_mixed', 'hakmem-wasm', 3024, 2000), run('random_mixed', 'mimalloc', 4000, null),
  ];
  const rows = compareRows(cases, contenders, runs, 'mimalloc');
  const of = (id: string, a: string): CompareRow => rows.find((r) => r.case === id && r.alloc === a)!;
  it('median of peak - empty, over the live bytes', () => {
    expect(of('larson-1T-5MB', 'hakmem-wasm')).toMatchObject({
      footprintBytes: 7000 * KIB, liveBytes: 5_000_000, aboveLiveBytes: 7000 * KIB - 5_000_000,
    });
    expect(of('larson-1T-5MB', 'hakmem-wasm').footprintRatio).toBeCloseTo(7_168_000 / 5_000_000, 12);
    expect(of('larson-1T-5MB', 'mimalloc')).toMatchObject({ footprintBytes: 11000 * KIB, liveBytes: 5_000_000 });
  });
  it('null wherever a figure is missing, never a made-up one', () => {
    expect(of('larson-1T-5MB', 'asrt')).toMatchObject({ footprintBytes: null, liveBytes: 5_000_000, footprintRatio: null, aboveLiveBytes: null });
    expect(of('random_mixed', 'hakmem-wasm')).toMatchObject({ footprintBytes: 1024 * KIB, liveBytes: null, footprintRatio: null, aboveLiveBytes: null });
    expect(of('random_mixed', 'mimalloc')).toMatchObject({ footprintBytes: null, liveBytes: null });
  });

  const res: CompareResult = {
    machine: { date: '2025-01-01T00:00:00.000Z', cpu: 'test cpu', cores: 2, memory_gib: 4, os: 'Linux', node: 'v20', v8: '11', assemblyscript: '0.28', tools: {} },
    command: 'compare', baseline: 'mimalloc', allocs: contenders.map((c) => c.name),
    cases: cases.map((c) => ({ id: c.id, workload: c.params.workload, threads: 1, argv: [c.params.workload] })),
    skipped: [], checksumErrors: [], rows, runs, emptyRuns: [], cores: [],
  };
  it('the third table, in the terminal and in Markdown', () => {
    expect(footprintRows(res).header).toEqual(['case', 'threads', 'live MiB', 'hakmem-wasm', 'mimalloc', 'asrt']);
    expect(footprintRows(res).rows).toEqual([
      ['larson-1T-5MB', '1', '4.8', '6.8 (1.43x)', '10.7 (2.25x)', '-'],
      ['random_mixed', '1', '-', '1.0', '-', '-'],
    ]);
    expect(compareTable(res)).toMatch(/Footprint: peak resident − empty run, over peak requested live bytes[^\n]*\ncase +threads +live MiB/);
    const md = markdownReport(res);
    expect(md).toContain('## Footprint: peak resident − empty run, over peak requested live bytes');
    expect(md).toContain('| larson-1T-5MB | 1 | 4.8 | 6.8 (1.43x) | 10.7 (2.25x) | - |');
  });
  it('the footprint goals, met or missed, with their figures', () => {
    const lines = targetLines(res);
    expect(lines).toContain('- larson-1T-5MB footprint (hakmem-wasm): 1.43x live (6.8 MiB resident, 4.8 MiB live; goal <= 1.5x) met');
    expect(lines).toContain('- larson-1T footprint (hakmem-wasm): not measured');
    const worse = { ...res, rows: res.rows.map((r) => (r.alloc === 'hakmem-wasm' && r.liveBytes ? { ...r, footprintRatio: 1.6 } : r)) };
    expect(targetLines(worse).join('\n')).toMatch(/larson-1T-5MB footprint \(hakmem-wasm\): 1\.60x live .* MISSED/);
    const small = { ...res, rows: [{ ...of('larson-1T-5MB', 'hakmem-wasm'), case: 'larson-1T', liveBytes: 500_000, aboveLiveBytes: 3 * MIB }] };
    expect(targetLines(small)).toContain('- larson-1T footprint (hakmem-wasm): 3.0 MiB above live (6.8 MiB resident, 0.5 MiB live; goal <= 2.0 MiB) MISSED');
    expect(targetLines(small)).toContain('- footprint (hakmem-wasm) on cases with >= 5 MB live: not measured');
  });
});

describe('compare with footprints, end to end', () => {
  it('peers get their empty run, hakmem-wasm its own base, and --base a second hakmem-wasm (this checkout, as a process)', async (ctx) => {
    const base = ROOT;
    const cases = targetCases(0.01).filter((c) => c.id === 'larson-1T-5MB');
    expect(cases[0]!.params).toMatchObject({ threads: 1, chunks: 10_000, min: 8, max: 1024 });
    const res = await runCompare({ cases, allocs: ['hakmem-wasm', 'glibc'], baseDir: base, repeat: 1, warmup: 0, log: () => {} });
    if (!res.allocs.includes('glibc')) ctx.skip('no native peer: gcc is missing (apt-get install gcc)');
    expect(res.allocs).toEqual(['hakmem-wasm', BASE_ALLOC, 'glibc']);
    expect(res.emptyRuns.map((r) => r.alloc)).toEqual(['glibc']);
    const emptyKb = res.emptyRuns[0]!.peak_rss_kb;
    const runOf = (a: string) => res.runs.find((r) => r.alloc === a)!;
    expect(runOf('glibc').empty_rss_kb).toBe(emptyKb);
    expect(runOf('hakmem-wasm').empty_rss_kb).toBe(runOf('hakmem-wasm').base_rss_kb);
    expect(runOf(BASE_ALLOC).empty_rss_kb).toBe(runOf(BASE_ALLOC).base_rss_kb);
    const row = (a: string) => res.rows.find((r) => r.alloc === a)!;
    expect(row(BASE_ALLOC)).toMatchObject({ platform: 'wasm32-hakmem', floor: 'floor-wasm', failures: 0 });
    expect(res.checksumErrors).toEqual([]);
    // The round began with the probe of the machine's cores, on the native build.
    expect(res.cores).toHaveLength(1);
    expect(res.cores[0]).toMatchObject({ rep: 0, bench: 'cores', platform: 'native', pairs: 3 });
    expect(coresFigures(res.cores, 'throughput_2t_1t')).toHaveLength(3);
    expect(coresFigures(res.cores, 'latency_2t_1t')).toHaveLength(3);
    for (const a of HAS_PROC ? ['hakmem-wasm', BASE_ALLOC, 'glibc'] : []) {
      expect(row(a).footprintBytes).toBeGreaterThanOrEqual(row(a).liveBytes!);
      expect(row(a).footprintRatio).toBeGreaterThanOrEqual(1);
    }
  }, 180_000);
});
