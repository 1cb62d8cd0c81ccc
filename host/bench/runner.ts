// runner.ts: one benchmark as a user asks for it: warm-up runs, then N timed runs, each on a
// fresh heap (engine), each with the allocator's counters and optional checks, one record per
// run.
//
// Warm-up matters (PLATFORM.md): V8 first runs wasm in its baseline tier and tiers hot
// functions up in the background, and a call already running is not switched to the
// optimised code. So before timing, every export the run uses is called with a small
// version of the same workload, twice, with a pause for the background compiler in between.
// The warm-up runs on a heap of its own, thrown away after it: the compiled code belongs to
// the module, which the process compiles once (module.ts) and every later instance shares, so
// it stays warm, while the heap a timed run starts from is as new as a native peer's process.
// Runs on a heap used before start from its leftovers: the blocks of earlier runs' threads,
// freed by its main thread and handed out again by it, put two lineages' blocks side by side
// in one cache line (floor-wasm larson 2T 16..128 fell from 1.8x its 1T in a process's first
// run to 1.1x by its third).

import { DEFAULT_HEAP, Engine, InitNumbers, createEngine } from './engine.js';
import { BenchBuild } from './paths.js';
import { Params } from '../workloads/params.js';
import { Measured, RunRecord, makeRecord } from './record.js';
import { RunCtx } from './run-ctx.js';
import { Progress } from './progress.js';
import { Snapshot, countersBetween, faultCount, faultLines, heapCheck, ringLines, statsSnapshot } from './heap-info.js';
import { runLarson } from './run-larson.js';
import { runDescribed } from './run-described.js';
import { residentFields } from './resident.js';

export interface BenchOptions {
  build: BenchBuild;     // release | debug | asrt (the AssemblyScript-runtime peer)
  repeat: number;
  warmup: number;        // warm-up runs before timing (0: none)
  check: boolean;        // heap checker after each run
  ring: number;          // print the last N ring events after each run (enables the ring)
  progress: boolean;
  log?: (line: string) => void; // extra output (checker, ring, faults); default stderr
}

export const DEFAULT_OPTIONS: BenchOptions = { build: 'release', repeat: 1, warmup: 2, check: false, ring: 0, progress: true };

/** Run one workload once on `e`, no warm-up. */
export function runWorkload(e: Engine, p: Params, ctx: RunCtx = {}): Promise<Measured> {
  return p.workload === 'larson' ? runLarson(e, p, ctx) : runDescribed(e, p, ctx);
}

/** A small version of `p` that calls the same exports on the same workers. */
export function warmupParams(p: Params): Params {
  switch (p.workload) {
    case 'larson':
      // Several short generations, so larson_generation itself is entered many times.
      return { ...p, ops: 200_000 * p.threads, duration: null, genSteps: Math.min(p.genSteps, 10_000),
        verify: false, workerPerGeneration: false };
    case 'random_mixed': return { ...p, iters: Math.min(p.iters, 200_000), reps: 1, verify: false };
    case 'xfree': return { ...p, blocks: Math.min(p.blocks, 200_000), verify: false };
    case 'midlarge': return { ...p, rounds: Math.min(p.rounds, 40), verify: false };
    case 'micro': return { ...p, pairs: Math.min(p.pairs, 300_000) };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Warm `e` up for `p`: `n` small runs with pauses for V8's background compiler. */
export async function warmUp(e: Engine, p: Params, n: number): Promise<void> {
  const w = warmupParams(p);
  for (let k = 0; k < n; k++) {
    await runWorkload(e, w);
    await sleep(50);
  }
}

/**
 * Warm the code of a build up for `p` on a heap of its own, then drop that heap: the next
 * engines of the same module file start warm and empty. `file`: a bench module other than the
 * project's build (bench-ab's base).
 */
export async function warmCode(build: BenchBuild, p: Params, n: number, heap: InitNumbers = DEFAULT_HEAP,
                               file?: string): Promise<void> {
  if (n <= 0) return;
  const e = await createEngine(build, heap, file);
  try {
    await warmUp(e, p, n);
  } finally {
    await e.close();
  }
}

/** One timed run on a warmed-up engine, as a record (with counters, checks and ring). */
export async function timedRun(e: Engine, p: Params, o: BenchOptions, progress?: Progress): Promise<RunRecord> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const faultsBefore = faultCount(e);
  let before: Snapshot | null = null, after: Snapshot | null = null;
  const m = await runWorkload(e, p, {
    progress, before: () => { before = statsSnapshot(e); }, after: () => { after = statsSnapshot(e); },
  });
  progress?.clear();
  // The heap memory's resident size after the run is its peak (the heap is the run's own).
  const more: Record<string, unknown> = { ...residentFields(e.resident) };
  const faults = faultCount(e) - faultsBefore;
  if (faults > 0) {
    more.faults = faults;
    for (const line of faultLines(e, faultsBefore)) log(line);
  }
  if (o.check) {
    const v = heapCheck(e);
    more.heap_check_violations = v;
    log(`heap check: ${v === 0 ? 'ok' : `${v} violation(s)`}`);
  }
  if (o.ring > 0) {
    log(`last ${o.ring} ring events:`);
    for (const line of ringLines(e, o.ring)) log(line);
  }
  return makeRecord(p.workload, e, m, countersBetween(before, after, e), more);
}

/** A record is good when no check failed. */
export function recordOk(r: RunRecord): boolean {
  return r.bad === 0 && !r.faults && !r.heap_check_violations;
}

/** The whole `bench` command: warm-up on a heap of its own, then `repeat` timed runs, each on a new heap. */
export async function benchRuns(p: Params, o: BenchOptions, onRecord?: (r: RunRecord) => void): Promise<RunRecord[]> {
  const heap = { ...DEFAULT_HEAP, ringMode: o.ring > 0 ? (o.build === 'debug' ? 2 : 1) : 0 };
  const progress = o.progress ? new Progress(p.workload) : undefined;
  const records: RunRecord[] = [];
  try {
    await warmCode(o.build, p, o.warmup, heap);
    for (let k = 0; k < o.repeat; k++) {
      progress?.reset(`${p.workload} ${k + 1}/${o.repeat}`);
      const r = await freshTimedRun(o.build, p, o, heap, undefined, progress);
      records.push(r);
      onRecord?.(r);
    }
  } finally {
    progress?.clear();
  }
  return records;
}

/** One timed run on a new heap of `build` (its code warmed by warmCode), closed after it. */
export async function freshTimedRun(build: BenchBuild, p: Params, o: BenchOptions, heap: InitNumbers = DEFAULT_HEAP,
                                    file?: string, progress?: Progress): Promise<RunRecord> {
  const e = await createEngine(build, heap, file);
  try {
    return await timedRun(e, p, o, progress);
  } finally {
    await e.close();
  }
}
