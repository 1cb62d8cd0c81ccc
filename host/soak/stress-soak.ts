// stress-soak.ts: the long verified stress soak: a total budget of operations split into
// rounds of the verified multi-worker stress run (cli/stress-driver.ts, rpc/stress-task.ts),
// cycling through a matrix of configurations (build x workers x cache x batch refill x remote
// batch). Every round is a fresh heap with its configuration and a fresh worker pool: the
// stress run, the collect on every worker, then the heap checker. A round fails on a pattern
// failure (a block handed out twice, or changed while live), a checker violation, a fault the
// allocator recorded (the stress run makes no bad free, so any fault is the allocator's own),
// a worker that died, or a round that hung (no result within roundWatchdogMs). Node (the
// workers are worker_threads).

import '../heap/node-loader.js'; // registers the file loader resolveModule uses
import { Heap, resolveModule } from '../heap/heap.js';
import type { HeapConfig } from '../heap/config.js';
import { WorkerPool } from '../rpc/workers.js';
import { formatCheck } from '../abi/decode.js';
import type { BuildName } from '../core/memory.js';
import { runStress } from '../cli/stress-driver.js';

/** The part of the heap configuration the soak varies. */
export type StressSoakHeapConfig = Pick<HeapConfig, 'cache' | 'batchRefill' | 'remoteBatch'>;

/** One configuration of the matrix. */
export interface StressSoakConfig {
  build: BuildName;
  workers: number;
  heap: StressSoakHeapConfig;
}

/** The values each axis of the matrix takes (stressSoakMatrix's defaults). */
export interface StressSoakAxes {
  builds: readonly BuildName[];
  workers: readonly number[];
  caches: readonly HeapConfig['cache'][];
  batchRefill: readonly boolean[];
  /** Remote frees per atomic push: 1 = unbatched, 0 = the module's default. */
  remoteBatch: readonly number[];
}

/** The default matrix: both builds, 2..4 workers, every cache mode, batch refill on and off,
 *  remote frees unbatched and at the module's default batch (72 configurations). */
export const DEFAULT_STRESS_SOAK_AXES: Readonly<StressSoakAxes> = Object.freeze<StressSoakAxes>({
  builds: ['release', 'debug'], workers: [2, 3, 4], caches: ['off', 'small', 'default'],
  batchRefill: [true, false], remoteBatch: [0, 1],
});

/** Operations per round when the budget allows every configuration that many (default). */
export const DEFAULT_ROUND_OPS = 20_000_000;

/** Memory limit of each round's heap, in 64 KiB pages (1 GiB). */
const ROUND_MAX_PAGES = 16_384;
/** Failure descriptions kept per configuration. */
const FAILURES_KEPT = 8;
/** Failed rounds' seeds kept per configuration. */
const SEEDS_KEPT = 10;

/** Every combination of the axes (`axes` overrides the defaults per axis), build outermost. */
export function stressSoakMatrix(axes: Partial<StressSoakAxes> = {}): StressSoakConfig[] {
  const a: StressSoakAxes = { ...DEFAULT_STRESS_SOAK_AXES, ...axes };
  const out: StressSoakConfig[] = [];
  for (const build of a.builds) {
    for (const workers of a.workers) {
      for (const cache of a.caches) {
        for (const batchRefill of a.batchRefill) {
          for (const remoteBatch of a.remoteBatch) {
            out.push({ build, workers, heap: { cache, batchRefill, remoteBatch } });
          }
        }
      }
    }
  }
  return out;
}

/** A configuration in words, e.g. `release w3 cache=small batch=off rbatch=1`. */
export function configLabel(c: StressSoakConfig): string {
  return `${c.build} w${c.workers} cache=${c.heap.cache} batch=${c.heap.batchRefill ? 'on' : 'off'} ` +
    `rbatch=${c.heap.remoteBatch}`;
}

/** The figures of one round (or the sums over many: `StressSoakFigures`). */
export interface StressSoakFigures {
  /** Verified operations (a malloc, a local free or a hand-off each), over every worker. */
  ops: number;
  mallocs: number;
  frees: number;
  /** Blocks freed by a worker other than the one that allocated them. */
  remoteFrees: number;
  /** Mallocs that returned 0 (counted, not failures: the heap has a memory limit). */
  oom: number;
  patternFailures: number;
  checkViolations: number;
  /** Faults the allocator recorded during the round. */
  faults: number;
  /** Time of the stress runs and collects, without heap set-up and checks. */
  elapsedMs: number;
}

/** One finished round. */
export interface StressSoakRound extends StressSoakFigures {
  /** 1-based, in the order the rounds ran. */
  round: number;
  config: StressSoakConfig;
  /** The stress run's base seed (worker i used seed + i). */
  seed: number;
  /** A worker died, the run failed or hung: the message; null if the round ran to the end. */
  crashed: string | null;
  /** The first pattern failures, checker violations and faults, described. */
  failures: string[];
}

/** One configuration's rounds, summed. */
export interface StressSoakConfigSummary extends StressSoakFigures {
  config: StressSoakConfig;
  label: string;
  rounds: number;
  crashedRounds: number;
  /** Seeds of the first failed rounds. */
  failedSeeds: number[];
  /** The first failure descriptions of its rounds. */
  failures: string[];
}

/** The whole soak. */
export interface StressSoakSummary {
  configs: StressSoakConfigSummary[];
  totals: StressSoakFigures & { rounds: number; crashedRounds: number };
  /** Operations asked for per round (a round's workers each run ceil(roundOps / workers)). */
  roundOps: number;
  /** No pattern failure, checker violation, fault or crashed round anywhere. */
  passed: boolean;
  /** Wall-clock time of the whole soak, set-up and checks included. */
  wallMs: number;
}

/** Runs one round: `ops` operations split over the configuration's workers, seeded `seed`. */
export type StressSoakRoundRunner = (config: StressSoakConfig, ops: number, seed: number,
                                     round: number) => Promise<StressSoakRound>;

/** Options of runStressSoak. */
export interface StressSoakOptions {
  /** The total budget of verified operations (the soak runs at least this many). */
  totalOps: number;
  /** Operations per round at most (default DEFAULT_ROUND_OPS); rounds are made smaller when the
   *  budget would otherwise not reach every configuration once. */
  roundOps?: number;
  /** The configurations (default stressSoakMatrix()). */
  configs?: readonly StressSoakConfig[];
  /** First round's seed (default 1); round k uses seed + (k - 1) * 1000. */
  seed?: number;
  /** Called after every round (progress). */
  onRound?: (r: StressSoakRound, of: number) => void;
  /** Runs a round (default runStressSoakRound); a seam for tests of the tally. */
  runRound?: StressSoakRoundRunner;
}

/** Compiled modules per build, so a round's heap is fresh but the module is compiled once. */
const compiled = new Map<BuildName, Promise<WebAssembly.Module>>();

/** The compiled allocator module of `build` (compiled on first use). */
function moduleOf(build: BuildName): Promise<WebAssembly.Module> {
  let m = compiled.get(build);
  if (!m) { m = resolveModule(build); compiled.set(build, m); }
  return m;
}

/** A round's figures before anything ran. */
function emptyFigures(): StressSoakFigures {
  return { ops: 0, mallocs: 0, frees: 0, remoteFrees: 0, oom: 0, patternFailures: 0, checkViolations: 0,
           faults: 0, elapsedMs: 0 };
}

/**
 * One real round: a fresh heap of the configuration's build and heap configuration, a pool of
 * its workers, the verified stress run (`ops` split over the workers, rounded up) with the
 * collect on every worker, then the heap check. A worker that dies, or a run still going after
 * roundWatchdogMs (hung), ends the round as crashed (the workers are terminated; the heap is
 * not checked, since they may have stopped inside the allocator). Errors setting up the heap
 * or the pool are thrown.
 */
export async function runStressSoakRound(config: StressSoakConfig, ops: number, seed: number,
                                         round: number): Promise<StressSoakRound> {
  const heap = await Heap.create({ build: config.build, module: await moduleOf(config.build),
                                   maxPages: ROUND_MAX_PAGES, config: config.heap });
  const pool = await WorkerPool.create(heap, config.workers);
  const out: StressSoakRound = { ...emptyFigures(), round, config, seed, crashed: null, failures: [] };
  const faultsBefore = heap.faultCount();
  const watchdogMs = roundWatchdogMs(ops);
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  try {
    const stress = runStress(pool, { ops: Math.max(1, Math.ceil(ops / config.workers)), seed });
    stress.catch(() => { /* after a hang the terminated workers reject it; the round is reported as hung */ });
    const hung = new Promise<never>((_, reject) => {
      watchdog = setTimeout(() => reject(new Error(`hung: no result within ${watchdogMs / 1000} s`)), watchdogMs);
    });
    const run = await Promise.race([stress, hung]);
    clearTimeout(watchdog);
    const t = run.totals;
    Object.assign(out, { ops: t.ops, mallocs: t.mallocs, frees: t.frees, remoteFrees: t.remoteFrees, oom: t.oom,
                         patternFailures: t.patternFailures, elapsedMs: run.elapsedMs });
    out.failures.push(...t.failures);
    const report = heap.check();
    out.checkViolations = report.violations;
    if (report.violations > 0) out.failures.push(formatCheck(report));
    const faults = heap.faults(faultsBefore);
    out.faults = heap.faultCount() - faultsBefore;
    out.failures.push(...faults.slice(0, FAILURES_KEPT).map((f) => `fault #${f.seq}: ${f.text}`));
    await pool.close();
  } catch (e) {
    clearTimeout(watchdog);
    out.crashed = e instanceof Error ? e.message : String(e);
    await pool.terminate();
  }
  return out;
}

/** How long a round of `ops` operations may take before it counts as hung: a minute, plus
 *  10 us per operation (some 20x the slowest rate measured, on 2 shared cores). */
export function roundWatchdogMs(ops: number): number {
  return 60_000 + Math.ceil(ops / 100);
}

/** Did the round pass? */
export function roundPassed(r: StressSoakRound): boolean {
  return r.patternFailures === 0 && r.checkViolations === 0 && r.faults === 0 && r.crashed === null;
}

/** What went wrong in a failed round, in one line: the crash, or the counts. */
export function roundFailure(r: StressSoakRound): string {
  if (r.crashed !== null) {
    const first = r.crashed.split('\n')[0]!;
    return first.startsWith('hung:') ? first : `crashed: ${first}`;
  }
  return `${r.patternFailures} pattern failures, ${r.checkViolations} checker violations, ${r.faults} faults`;
}

/** Did every round of the configuration pass? */
export function configPassed(c: StressSoakConfigSummary): boolean {
  return c.patternFailures === 0 && c.checkViolations === 0 && c.faults === 0 && c.crashedRounds === 0;
}

/** Add figures `r` into `into`. */
function addFigures(into: StressSoakFigures, r: StressSoakFigures): void {
  into.ops += r.ops; into.mallocs += r.mallocs; into.frees += r.frees; into.remoteFrees += r.remoteFrees;
  into.oom += r.oom; into.patternFailures += r.patternFailures; into.checkViolations += r.checkViolations;
  into.faults += r.faults; into.elapsedMs += r.elapsedMs;
}

/** The operations per round: `roundOps`, or less so that `totalOps` reaches every configuration. */
export function roundSize(totalOps: number, configs: number, roundOps = DEFAULT_ROUND_OPS): number {
  return Math.max(1, Math.min(roundOps, Math.ceil(totalOps / Math.max(1, configs))));
}

/**
 * The soak: rounds of `roundSize(totalOps, configs.length, roundOps)` operations (the last one
 * smaller), cycling through the configurations in order, until `totalOps` operations ran;
 * rounds run one after another. Returns the figures per configuration and in total.
 */
export async function runStressSoak(opts: StressSoakOptions): Promise<StressSoakSummary> {
  if (!Number.isSafeInteger(opts.totalOps) || opts.totalOps < 1) {
    throw new RangeError(`totalOps must be a positive integer (got ${opts.totalOps})`);
  }
  if (opts.roundOps !== undefined && (!Number.isSafeInteger(opts.roundOps) || opts.roundOps < 1)) {
    throw new RangeError(`roundOps must be a positive integer (got ${opts.roundOps})`);
  }
  const configs = opts.configs ?? stressSoakMatrix();
  if (configs.length === 0) throw new RangeError('no configuration to soak');
  const runRound = opts.runRound ?? runStressSoakRound;
  const perRound = roundSize(opts.totalOps, configs.length, opts.roundOps);
  const rounds = Math.ceil(opts.totalOps / perRound);
  const firstSeed = opts.seed ?? 1;
  const summaries: StressSoakConfigSummary[] = configs.map((config) => ({
    ...emptyFigures(), config, label: configLabel(config), rounds: 0, crashedRounds: 0, failedSeeds: [], failures: [],
  }));
  const started = performance.now();
  for (let k = 0; k < rounds; k++) {
    const i = k % configs.length;
    const ops = Math.min(perRound, opts.totalOps - k * perRound);
    const r = await runRound(configs[i]!, ops, firstSeed + k * 1000, k + 1);
    const s = summaries[i]!;
    addFigures(s, r);
    s.rounds++;
    if (r.crashed !== null) s.crashedRounds++;
    if (!roundPassed(r)) {
      if (s.failedSeeds.length < SEEDS_KEPT) s.failedSeeds.push(r.seed);
      const said = [`round ${r.round} (seed ${r.seed}): ${roundFailure(r)}`, ...r.failures];
      s.failures.push(...said.slice(0, Math.max(0, FAILURES_KEPT - s.failures.length)));
    }
    opts.onRound?.(r, rounds);
  }
  const totals = { ...emptyFigures(), rounds: 0, crashedRounds: 0 };
  for (const s of summaries) {
    addFigures(totals, s);
    totals.rounds += s.rounds;
    totals.crashedRounds += s.crashedRounds;
  }
  return { configs: summaries, totals, roundOps: perRound, passed: summaries.every(configPassed),
           wallMs: performance.now() - started };
}
