// compare.ts: `hakmem-wasm compare`: a matrix of allocators x workload cases, interleaved
// (every allocator runs case k before any runs it again), N repeats, medians and spreads,
// ratios to a baseline, each allocator's own cost per operation (its time per op minus the
// floor allocator's on the same platform: bench/README.md "The floor"), each allocator's
// footprint (peak resident bytes minus an empty run's, over the workload's live bytes:
// bench/README.md "Footprint"), and a check that every allocator produced the same checksums.

import path from 'node:path';
import { Params, parseParams, peerArgv, threadsOf } from '../workloads/params.js';
import { DEFAULT_OPTIONS, freshTimedRun, warmCode } from './runner.js';
import { Peer, loadPeers, runPeer } from './peers.js';
import { MachineInfo, machineInfo } from './machine.js';
import { Spread, spread } from './summary.js';
import { CoresGate, GateRecord, awaitCores, gateLine } from './cores-gate.js';
import { OPTIMIZE_ONLY_FLAGS } from './module.js';

/** One column of the matrix: a workload with its parameters. */
export interface CompareCase {
  id: string;
  params: Params;
  /**
   * The id of the same workload on 2 workers (the oversubscription goal's reference): each
   * row of this case gets its allocator's throughput here over there (`CompareRow.vs2Workers`).
   */
  twoWorkers?: string;
  /**
   * The id of the same workload on one thread, for a two-over-one-thread goal: each round
   * runs this case on an allocator right after that one on the same allocator (`runOrder`),
   * so the round's 2T/1T pairs runs seconds apart.
   */
  oneThread?: string;
}

/** Iterations of the random_mixed case (one copy). */
const RANDOM_MIXED_ITERS = 10e6;
/**
 * Total iterations of every random_mixed-NT case (N copies of this / N each): twice the single
 * case, so random_mixed-2T is exactly two copies of it and 4T and 8T split the same work finer.
 */
export const RANDOM_MIXED_COPIES_ITERS = 2 * RANDOM_MIXED_ITERS;

/**
 * The issue's target configurations; `scale` multiplies every op count. The ids are kept as
 * they are (results of different days are compared by them); larson-1T-5MB and larson-2T-26MB
 * are larson 8..1024 with 10,000 and 2 x 25,000 live blocks, the live sets of the footprint goal.
 * larson-4T and larson-8T (same op budget as larson-1T/2T) and random_mixed-2T/4T/8T (N copies of
 * RANDOM_MIXED_COPIES_ITERS / N iterations each: the same total work at every N) put more
 * workers than a 2-core machine has cores: the oversubscription goal compares 8 with 2 workers.
 */
export function targetCases(scale = 1): CompareCase[] {
  const n = (v: number): string => String(Math.max(1000, Math.round(v * scale)));
  const larson = (id: string, t: number, { min = 8, max = 1024, chunks = 1000 } = {}): CompareCase => ({
    id, params: parseParams('larson', { threads: `${t}`, ops: n(20e6), min: `${min}`, max: `${max}`,
      chunks: `${chunks}`, rounds: '100' }),
  });
  const copies = (t: number): CompareCase => ({
    id: `random_mixed-${t}T`, ...(t > 2 ? { twoWorkers: 'random_mixed-2T' } : {}),
    params: parseParams('random_mixed', { ops: n(RANDOM_MIXED_COPIES_ITERS / t), slots: '2048', threads: `${t}` }),
  });
  return [
    larson('larson-1T', 1),
    { ...larson('larson-2T', 2), oneThread: 'larson-1T' },
    { ...larson('larson-4T', 4), twoWorkers: 'larson-2T' },
    { ...larson('larson-8T', 8), twoWorkers: 'larson-2T' },
    larson('larson-1T-128', 1, { min: 16, max: 128 }),
    { ...larson('larson-2T-128', 2, { min: 16, max: 128 }), oneThread: 'larson-1T-128' },
    larson('larson-1T-5MB', 1, { chunks: 10_000 }),
    larson('larson-2T-26MB', 2, { chunks: 25_000 }),
    { id: 'random_mixed', params: parseParams('random_mixed', { ops: n(RANDOM_MIXED_ITERS), slots: '2048' }) },
    copies(2),
    copies(4),
    copies(8),
    { id: 'xfree-1P1C', params: parseParams('xfree', { blocks: n(4e6) }) },
    { id: 'midlarge-1T', params: parseParams('midlarge', { threads: '1', rounds: n(4000) }) },
    { id: 'midlarge-2T', oneThread: 'midlarge-1T', params: parseParams('midlarge', { threads: '2', rounds: n(4000) }) },
  ];
}

/** Every allocator compare knows: the three wasm builds here, then the peers of bench/peers. */
export const ALLOCATORS: readonly string[] = [
  'hakmem-wasm', 'asrt', 'floor-wasm', 'glibc', 'mimalloc', 'jemalloc', 'floor-native',
  'dlmalloc', 'emmalloc', 'hakmem-emcc', 'floor-emcc',
];

/**
 * hakmem-wasm of another checkout (`--base DIR`, e.g. a `git worktree` of an older commit, built):
 * the "before" of a before/after table. It runs as that checkout's own CLI in a process of its
 * own per run (`bench <workload> ... --json`), host and module together, because the shared
 * memory's layout changes between versions and one host reads one layout.
 */
export const BASE_ALLOC = 'hakmem-wasm@base';

/**
 * The empty run of a peer (C workload argv): the least larson there is, once per compare, whose
 * peak RSS is the process's own (runtime, binary, allocator set-up) without a workload's heap.
 */
export const EMPTY_RUN_ARGV: readonly string[] = ['larson', '--ops', '1000', '--chunks', '1', '--threads', '1'];

/**
 * The probe of the machine's cores that starts every round (`workloads cores`, bench/c/cores.c):
 * a warm-up pair and 3 pairs of each loop, under a second. It runs on the native build with no
 * allocator in its loops, so it says what any allocator's threads could get from the cores.
 * It also times the first touch of 4,096 fresh pages (16 MiB): what a page fault costs, which
 * every run pays for each page of memory it touches first (bench/README.md "The machine's cores").
 */
export const CORES_ARGV: readonly string[] = ['cores', '--pairs', '3', '--fault-pages', '4096'];

/**
 * The record field holding a workload's peak requested live bytes, where it has one. larson's
 * live set is a constant number of blocks whose byte sum drifts by well under 1%, so its end
 * figure stands for the peak; random_mixed counts its peak in blocks only, xfree and midlarge
 * report none.
 */
const LIVE_BYTES_FIELD: Partial<Record<string, string>> = { larson: 'live_bytes_end' };

/**
 * The floor allocator of each platform: the same workload code as the allocators of that
 * platform, with the least work any allocator could do (bench/assembly/floor.ts, bench/c/floor.c).
 * The AssemblyScript-runtime peer runs the bench module's workloads, so its floor is the bench
 * module's (over a shared memory where asrt's is not: the closest there is).
 */
export const FLOOR_OF: Readonly<Record<string, string>> = {
  'wasm32-hakmem': 'floor-wasm', 'wasm32-assemblyscript': 'floor-wasm',
  native: 'floor-native', 'wasm32-emscripten': 'floor-emcc',
};

/** Nanoseconds per operation at `opsPerSec` (wall time over all threads' operations). */
export const nsPerOp = (opsPerSec: number): number => 1e9 / opsPerSec;

/** The fields that must be equal for every allocator on the same case. */
const CHECKSUMS: Record<string, string[]> = {
  larson: ['ops', 'size_sum', 'fill_size_sum', 'live_bytes_end', 'generations'],
  random_mixed: ['ops', 'mallocs', 'size_sum', 'peak_live'],
  xfree: ['ops', 'size_sum'],
  midlarge: ['ops', 'size_sum', 'neighbour_frees', 'neighbour_bytes'],
};

export interface CompareOptions {
  cases: CompareCase[];
  allocs?: string[];        // restrict to these allocator names
  baseDir?: string;         // a checkout with dist/ built: adds BASE_ALLOC (kept whatever `allocs` says)
  repeat: number;
  baseline?: string;        // default: mimalloc if present, else the first allocator
  warmup: number;
  /** Wait for two whole cores before every multi-thread run (cores-gate.ts); absent or null: off. */
  gate?: CoresGate | null;
  log: (line: string) => void;
}

/** Per (case, allocator): ops/s statistics and the ratio of medians to the baseline. */
export interface CompareRow {
  case: string;
  alloc: string;
  platform: string;
  threads: number;
  opsPerSec: Spread;
  ratio: number | null;
  /**
   * The median over rounds of (this allocator's ops/s / the baseline's) within the same round:
   * the two runs of a round are seconds apart, the medians of ratio minutes, so on a machine
   * whose speed drifts this is the steadier comparison (bench-ab's per-round ratio).
   */
  pairedRatio: number | null;
  /** The floor allocator of this row's platform, if it ran this case. */
  floor: string | null;
  /** ns/op of the median, and the same minus the floor's: the allocator's own cost per op. */
  nsPerOp: number | null;
  ownNsPerOp: number | null;
  /** The median over rounds of (ns/op - the floor's ns/op in the same round): the steadier own cost. */
  pairedOwnNsPerOp: number | null;
  /** ownNsPerOp / the baseline's ownNsPerOp (lower is cheaper). */
  ownRatio: number | null;
  /** The median over this allocator's median on the case's 2-worker reference (`CompareCase.twoWorkers`), else null. */
  vs2Workers: number | null;
  /** Median over the runs of (peak_rss_kb - empty_rss_kb) in bytes: what the workload's heap cost. */
  footprintBytes: number | null;
  /** The workload's peak requested live bytes (null where the case reports none). */
  liveBytes: number | null;
  /** footprintBytes / liveBytes, and footprintBytes - liveBytes. */
  footprintRatio: number | null;
  aboveLiveBytes: number | null;
  failures: number;
}

export interface CompareResult {
  machine: MachineInfo;
  command: string;
  baseline: string;
  allocs: string[];
  cases: { id: string; workload: string; threads: number; argv: string[] }[];
  skipped: string[];
  checksumErrors: string[];
  rows: CompareRow[];
  runs: Record<string, unknown>[];
  /** Each peer's empty run (EMPTY_RUN_ARGV), whose peak_rss_kb is the empty_rss_kb of its runs. */
  emptyRuns: Record<string, unknown>[];
  /**
   * The machine's cores, one probe per round (CORES_ARGV, with `rep`): the 2T/1T of a
   * latency-bound and of a throughput-bound register loop (bench/c/cores.c). Empty without a
   * native build.
   */
  cores: Record<string, unknown>[];
  /** The cores gate the runs passed (null: off); each gated run's record has `gate` (GateRecord). */
  gate: CoresGate | null;
}

/** An allocator the matrix can run. */
export interface Contender {
  name: string;
  platform: string;
  supports(p: Params): boolean;
  /**
   * One timed run. `beforeTimed` (the cores gate) is awaited as close before the timed part as
   * the contender can: after hakmem-wasm's warm-up, before a peer's process starts.
   */
  run(p: Params, beforeTimed?: () => Promise<void>): Promise<Record<string, unknown>>;
  /**
   * The allocator's empty run, once per compare (its peak_rss_kb is subtracted from every run's);
   * absent where each record carries its own (base_rss_kb: the heap right after init).
   */
  emptyRun?(): Promise<Record<string, unknown>>;
}

/** A bench module build as an allocator. */
function wasmContender(name: string, build: 'release' | 'asrt' | 'floor', platform: string, warmup: number): Contender {
  return {
    name, platform,
    supports: (p) => build !== 'asrt' || ((p.workload === 'random_mixed' || p.workload === 'larson') && threadsOf(p) === 1),
    async run(p, beforeTimed) {
      // The code warmed up on a heap of its own, then a new heap for the timed run: as new as
      // a fresh process is for the peers (runner.ts).
      await warmCode(build, p, warmup);
      await beforeTimed?.();
      return freshTimedRun(build, p, { ...DEFAULT_OPTIONS, build, progress: false });
    },
  };
}

/** hakmem-wasm of the checkout at `dir` (BASE_ALLOC): its own CLI, one process per run, as a peer. */
function baseContender(dir: string, warmup: number): Contender {
  const peer: Peer = {
    name: BASE_ALLOC, platform: 'wasm32-hakmem',
    argvFor: (workload, args = []) => ({
      cmd: process.execPath,
      // Optimizing compiler only, as for this process's own bench modules (module.ts
      // optimizeWasmOnly), whatever that checkout's CLI does.
      args: [...OPTIMIZE_ONLY_FLAGS, path.join(dir, 'dist', 'host', 'cli', 'main.js'), 'bench', workload, ...args,
             '--json', '--repeat', '1', '--warmup', `${warmup}`, '--no-progress'],
      env: process.env,
    }),
  };
  return {
    name: BASE_ALLOC, platform: peer.platform,
    supports: (p) => p.workload !== 'micro',
    async run(p, beforeTimed) {
      await beforeTimed?.(); // its own process warms up and times: the gate can only go first
      const rec = await runPeer(peer, peerArgv(p));
      // An older CLI may not know an option (random_mixed --threads) and run something else;
      // a record without `threads` ran one (xfree's records count producers and consumers).
      if ('threads' in p) {
        const ran = typeof rec.threads === 'number' ? rec.threads : 1;
        if (ran !== p.threads) throw new Error(`the base checkout ran ${ran} thread(s) where the case has ${p.threads}`);
      }
      // The record names its checkout's allocator (hakmem-wasm); the matrix needs this name.
      return { ...rec, alloc: BASE_ALLOC };
    },
  };
}

function peerContender(peer: Peer): Contender {
  return {
    name: peer.name, platform: peer.platform,
    supports: (p) => p.workload !== 'micro',
    async run(p, beforeTimed) {
      await beforeTimed?.();
      return runPeer(peer, peerArgv(p));
    },
    emptyRun: () => runPeer(peer, [...EMPTY_RUN_ARGV]),
  };
}

/** A record's numeric field (e.g. peak_rss_kb) if it is a finite number, else null. */
const numberField = (r: Record<string, unknown> | undefined, key: string): number | null => {
  const v = r?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/** What failed, as a record (the matrix goes on without it). */
const failedRecord = (bench: string, a: Contender, e: unknown): Record<string, unknown> =>
  ({ bench, alloc: a.name, platform: a.platform, error: (e as Error).message, ops_per_sec: NaN });

/** Run the matrix. */
export async function runCompare(o: CompareOptions, command = 'compare'): Promise<CompareResult> {
  const skipped: string[] = [];
  const { peers, missing, failed } = await loadPeers();
  for (const m of missing) { skipped.push(m); o.log(`skipped: ${m}`); }
  for (const f of failed) { skipped.push(`${f}: build failed`); o.log(`skipped: ${f} (build failed)`); }
  let contenders: Contender[] = [
    wasmContender('hakmem-wasm', 'release', 'wasm32-hakmem', o.warmup),
    ...(o.baseDir !== undefined ? [baseContender(o.baseDir, o.warmup)] : []),
    wasmContender('asrt', 'asrt', 'wasm32-assemblyscript', o.warmup),
    wasmContender('floor-wasm', 'floor', 'wasm32-hakmem', o.warmup),
    ...peers.map(peerContender),
  ];
  if (o.allocs) {
    const unknown = o.allocs.filter((a) => !contenders.some((c) => c.name === a));
    for (const a of unknown) { skipped.push(`${a}: not available`); o.log(`skipped: ${a} (not available)`); }
    contenders = contenders.filter((c) => o.allocs!.includes(c.name) || c.name === BASE_ALLOC);
  }
  const baseline = o.baseline ?? (contenders.some((c) => c.name === 'mimalloc') ? 'mimalloc' : contenders[0]?.name ?? '');

  // Each peer's empty run, once: its RSS is what every run of that peer has before its heap.
  const emptyRuns: Record<string, unknown>[] = [];
  const emptyRssKb = new Map<string, number | null>();
  for (const a of contenders) {
    if (!a.emptyRun) continue;
    let rec: Record<string, unknown>;
    try {
      rec = await a.emptyRun();
    } catch (e) {
      rec = failedRecord(EMPTY_RUN_ARGV[0]!, a, e);
    }
    emptyRuns.push(rec);
    emptyRssKb.set(a.name, numberField(rec, 'peak_rss_kb'));
    o.log(`empty run ${a.name}: ${rec.error ? `FAILED ${String(rec.error).slice(0, 300)}` : `peak RSS ${String(rec.peak_rss_kb)} KiB`}`);
  }

  // The native build runs the probe of the cores (whichever allocators the matrix has).
  const coresPeer = peers.find((p) => p.platform === 'native');
  let gate = o.gate ?? null;
  if (gate && !coresPeer) {
    skipped.push('the cores gate: no native build to probe with');
    o.log('the cores gate is off: no native build to probe with');
    gate = null;
  }
  const cores: Record<string, unknown>[] = [];
  const runs: Record<string, unknown>[] = [];
  const order = runOrder(o.cases, contenders);
  const total = o.repeat * order.length;
  let k = 0;
  for (let rep = 0; rep < o.repeat; rep++) {
    if (coresPeer) {
      let rec: Record<string, unknown>;
      try {
        rec = await runPeer(coresPeer, [...CORES_ARGV]);
      } catch (e) {
        rec = { bench: 'cores', error: (e as Error).message };
      }
      cores.push({ rep, ...rec });
      o.log(`round ${rep + 1}/${o.repeat}: ${coresText([rec])}`);
    }
    for (const { c, a } of order) {
      k++;
      let gated: GateRecord | null = null;
      const passGate = gate && coresPeer && threadsOf(c.params) >= 2 ? async (): Promise<void> => {
        gated = await awaitCores(coresPeer, gate);
        if (gated.probes > 1) o.log(`  ${gateLine(gated)}`);
      } : undefined;
      let rec: Record<string, unknown>;
      try {
        rec = await a.run(c.params, passGate);
      } catch (e) {
        rec = failedRecord(c.params.workload, a, e);
      }
      // The resident size this run had before its workload: the peer's empty run, or the heap's own.
      const empty = a.emptyRun ? emptyRssKb.get(a.name) ?? null : numberField(rec, 'base_rss_kb');
      rec = { case: c.id, rep, ...rec, empty_rss_kb: empty, ...(gated ? { gate: gated } : {}) };
      runs.push(rec);
      const rate = typeof rec.ops_per_sec === 'number' ? `${(rec.ops_per_sec / 1e6).toFixed(1)} Mops/s` : '';
      o.log(`[${k}/${total}] ${c.id} ${a.name}: ${rec.error ? `FAILED ${String(rec.error).slice(0, 300)}` : rate}`);
    }
  }

  const checksumErrors = checkChecksums(o.cases, runs);
  for (const e of checksumErrors) o.log(`CHECKSUM MISMATCH: ${e}`);
  const rows = compareRows(o.cases, contenders, runs, baseline);
  return {
    machine: machineInfo(), command, baseline, allocs: contenders.map((c) => c.name),
    cases: o.cases.map((c) => ({ id: c.id, workload: c.params.workload, threads: threadsOf(c.params), argv: peerArgv(c.params) })),
    skipped, checksumErrors, rows, runs, emptyRuns, cores, gate,
  };
}

/**
 * One round's runs, in order: case by case, every allocator that supports the case in turn
 * (so two allocators' runs of a case are seconds apart), except that a case with `oneThread`
 * runs on each allocator right after that allocator's run of its one-thread case, where the
 * one-thread case comes in the list (so a 2T/1T pair is seconds apart too). A `oneThread` that
 * names no case of the list leaves the case in its own place.
 */
export function runOrder<C extends Pick<CompareCase, 'id' | 'params' | 'oneThread'>,
                         A extends Pick<Contender, 'supports'>>(cases: readonly C[], contenders: readonly A[]): { c: C; a: A }[] {
  const ids = new Set(cases.map((c) => c.id));
  const follows = (c: C): boolean => c.oneThread !== undefined && c.oneThread !== c.id && ids.has(c.oneThread);
  const out: { c: C; a: A }[] = [];
  for (const c of cases) {
    if (follows(c)) continue; // runs behind its one-thread case
    const partners = cases.filter((x) => follows(x) && x.oneThread === c.id);
    for (const a of contenders) {
      if (a.supports(c.params)) out.push({ c, a });
      for (const x of partners) if (a.supports(x.params)) out.push({ c: x, a });
    }
  }
  return out;
}

/** The 2T/1T figures of the probe records' `key` array (latency_2t_1t or throughput_2t_1t). */
export function coresFigures(records: readonly Record<string, unknown>[], key: string): number[] {
  return records.flatMap((r) => (Array.isArray(r[key]) ? (r[key] as unknown[]) : []))
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
}

/**
 * What probe records say, in one phrase: each loop's median 2T/1T and its range, or why there
 * is nothing to say.
 */
export function coresText(records: readonly Record<string, unknown>[]): string {
  const part = (what: string, key: string): string | null => {
    const v = coresFigures(records, key);
    if (v.length === 0) return null;
    const s = spread(v);
    return `${what} loop ${s.median.toFixed(2)}x (${s.min.toFixed(2)}..${s.max.toFixed(2)})`;
  };
  const parts = [part('latency-bound', 'latency_2t_1t'), part('throughput-bound', 'throughput_2t_1t')]
    .filter((x): x is string => x !== null);
  if (parts.length === 0) {
    const failed = records.find((r) => r.error);
    return failed ? `the cores probe FAILED: ${String(failed.error).slice(0, 300)}` : 'the cores probe did not run';
  }
  const n = coresFigures(records, 'throughput_2t_1t').length;
  return `the cores' 2T/1T (median, range, ${n} pair${n === 1 ? '' : 's'}): ${parts.join(', ')}`;
}

/** The page-fault cost of the probe records (`page_fault_us`, one per round), as a phrase; null if none. */
export function faultText(records: readonly Record<string, unknown>[]): string | null {
  const v = records.map((r) => r.page_fault_us).filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0);
  if (v.length === 0) return null;
  const s = spread(v);
  return `a page's first touch ${s.median.toFixed(1)} us (median, range ${s.min.toFixed(1)}..${s.max.toFixed(1)}, ` +
    `${v.length} round${v.length === 1 ? '' : 's'})`;
}

/**
 * Per (case, allocator) statistics of `runs`: the median's ratio to `baseline`, ns/op, the own
 * cost per op (ns/op minus the ns/op of the floor of the allocator's platform, when the floor
 * ran the case), and the footprint (each run's peak_rss_kb - empty_rss_kb, over the live bytes).
 */
export function compareRows(cases: CompareCase[], contenders: readonly Pick<Contender, 'name' | 'platform' | 'supports'>[],
                            runs: Record<string, unknown>[], baseline: string): CompareRow[] {
  const rows: CompareRow[] = [];
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  for (const c of cases) {
    const median = (alloc: string): number => spread(ratesOf(runs, c.id, alloc)).median;
    // Own cost: ns/op minus the floor's ns/op on the same platform (null without a floor run).
    const own = (alloc: string, platform: string): number | null => {
      const floor = FLOOR_OF[platform];
      return floor && contenders.some((x) => x.name === floor) ? finite(nsPerOp(median(alloc)) - nsPerOp(median(floor))) : null;
    };
    const floorRan = (platform: string): boolean => {
      const floor = FLOOR_OF[platform];
      return floor !== undefined && contenders.some((x) => x.name === floor);
    };
    const base = median(baseline);
    const basePlatform = contenders.find((x) => x.name === baseline)?.platform ?? '';
    const baseOwn = own(baseline, basePlatform);
    for (const a of contenders) {
      if (!a.supports(c.params)) continue;
      const mine = runs.filter((r) => r.case === c.id && r.alloc === a.name);
      const s = spread(ratesOf(runs, c.id, a.name));
      const ownNs = own(a.name, a.platform);
      const two = c.twoWorkers !== undefined ? spread(ratesOf(runs, c.twoWorkers, a.name)).median : NaN;
      rows.push({
        case: c.id, alloc: a.name, platform: a.platform, threads: threadsOf(c.params), opsPerSec: s,
        ratio: Number.isFinite(base) && base > 0 && Number.isFinite(s.median) ? s.median / base : null,
        pairedRatio: pairedOf(runs, c.id, a.name, baseline, (x, b) => x / b),
        floor: FLOOR_OF[a.platform] ?? null, nsPerOp: finite(nsPerOp(s.median)), ownNsPerOp: ownNs,
        pairedOwnNsPerOp: floorRan(a.platform) ? pairedOf(runs, c.id, a.name, FLOOR_OF[a.platform]!, (x, f) => nsPerOp(x) - nsPerOp(f)) : null,
        ownRatio: ownNs !== null && baseOwn !== null && baseOwn > 0 ? ownNs / baseOwn : null,
        vs2Workers: two > 0 && Number.isFinite(s.median) ? finite(s.median / two) : null,
        ...footprintOf(mine, c.params.workload),
        failures: mine.filter((r) => r.error || (typeof r.bad === 'number' && r.bad > 0)).length,
      });
    }
  }
  return rows;
}

/** The footprint figures of one row's runs (see CompareRow); null wherever a figure is missing. */
function footprintOf(mine: Record<string, unknown>[], workload: string):
    Pick<CompareRow, 'footprintBytes' | 'liveBytes' | 'footprintRatio' | 'aboveLiveBytes'> {
  const good = mine.filter((r) => !r.error);
  const heapKb = good.map((r) => {
    const peak = numberField(r, 'peak_rss_kb'), empty = numberField(r, 'empty_rss_kb');
    return peak !== null && empty !== null ? peak - empty : null;
  }).filter((kb): kb is number => kb !== null);
  const footprintBytes = heapKb.length > 0 ? spread(heapKb).median * 1024 : null;
  const field = LIVE_BYTES_FIELD[workload];
  const liveBytes = field === undefined ? null : good.map((r) => numberField(r, field)).find((v) => v !== null) ?? null;
  const both = footprintBytes !== null && liveBytes !== null && liveBytes > 0;
  return {
    footprintBytes, liveBytes,
    footprintRatio: both ? footprintBytes / liveBytes : null,
    aboveLiveBytes: both ? footprintBytes - liveBytes : null,
  };
}

/** One cell's runs: a case and an allocator. */
export interface RunKey { case: string; alloc: string }

/**
 * The median over rounds of `f(a's ops/s, b's ops/s)` for the runs of cells `a` and `b` in the
 * same round (a round where either run failed is left out; null without a pair). Every round
 * runs each cell once, case by case (runOrder), so two cells of a round ran at most minutes
 * apart, and two allocators on one case, or one allocator's 2T and 1T of a scaling pair, seconds
 * apart.
 */
export function perRound(runs: Record<string, unknown>[], a: RunKey, b: RunKey,
                         f: (x: number, y: number) => number): number | null {
  const rateIn = (k: RunKey, rep: unknown): number | undefined => {
    const r = runs.find((x) => x.case === k.case && x.alloc === k.alloc && x.rep === rep && !x.error);
    return typeof r?.ops_per_sec === 'number' && r.ops_per_sec > 0 ? r.ops_per_sec : undefined;
  };
  const values: number[] = [];
  for (const r of runs) {
    if (r.case !== a.case || r.alloc !== a.alloc) continue;
    const x = rateIn(a, r.rep), y = rateIn(b, r.rep);
    if (x !== undefined && y !== undefined) values.push(f(x, y));
  }
  return values.length > 0 ? spread(values).median : null;
}

/** perRound of `alloc` against `other` on case `id`. */
function pairedOf(runs: Record<string, unknown>[], id: string, alloc: string, other: string,
                  f: (mine: number, theirs: number) => number): number | null {
  return perRound(runs, { case: id, alloc }, { case: id, alloc: other }, f);
}

function ratesOf(runs: Record<string, unknown>[], id: string, alloc: string): number[] {
  return runs.filter((r) => r.case === id && r.alloc === alloc && !r.error && typeof r.ops_per_sec === 'number')
    .map((r) => r.ops_per_sec as number);
}

/** Every run of a case must carry the same checksums as the first good run of that case. */
function checkChecksums(cases: CompareCase[], runs: Record<string, unknown>[]): string[] {
  const errors: string[] = [];
  for (const c of cases) {
    const keys = CHECKSUMS[c.params.workload] ?? [];
    const good = runs.filter((r) => r.case === c.id && !r.error);
    const ref = good[0];
    if (!ref) continue;
    for (const r of good) {
      if (typeof r.bad === 'number' && r.bad > 0) errors.push(`${c.id} ${String(r.alloc)}: bad ${r.bad}`);
      for (const key of keys) {
        if (r[key] !== ref[key]) {
          errors.push(`${c.id} ${String(r.alloc)}: ${key} ${String(r[key])} != ${String(ref[key])} (${String(ref.alloc)})`);
        }
      }
    }
  }
  return errors;
}

