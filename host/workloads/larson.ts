// larson.ts: larson (bench/WORKLOADS.md section 3). T lineages, each a chain of generations:
// a generation is a new allocator thread that takes over its predecessor's live blocks,
// frees and replaces them at random for gen_steps steps, and hands the rest on. Set-up
// allocates every initial block on the set-up thread (the spec's main thread); thread i of
// the timed region runs lineage i (`larson_lineage`, every generation inside one call) or
// one generation per call (`larson_generation`, which returns 0 after the last).

import type { LarsonParams } from './params.js';
import { sumOver, type ExportCall, type RunMemory, type WorkloadDescriptor } from './descriptor.js';

/** Steps per lineage in ops mode: the op budget split over T lineages, two ops a step. */
export function larsonSteps(p: LarsonParams): number {
  return p.ops !== null ? Math.floor(p.ops / (2 * p.threads)) : 0;
}

/** The address of lineage i's record. */
function lineage(m: RunMemory, run: number, i: number): number {
  return m.u32(run + m.bl('BL_LR_LINEAGES')) + i * m.bl('BL_LINEAGE_STRIDE');
}

/** larson's descriptor, plus the per-generation call and the stop flag. */
export const LARSON: WorkloadDescriptor<LarsonParams> & {
  /**
   * One generation of lineage i: returns non-zero while the lineage has more to run.
   * `workerStays`: the calling worker runs the lineage's next generation too, so the
   * generation's thread rests (its identity resumed by the next) instead of detaching.
   */
  generation(run: number, i: number, workerStays: boolean): ExportCall;
  /** Address of the run's stop flag (a duration run ends when it is set to 1). */
  stopFlag(m: RunMemory, run: number): number;
} = {
  threads: (p) => p.threads,
  needsThreads: (p) => p.threads !== 1 || p.duration !== null,
  setup: (p) => ({
    fn: 'larson_setup',
    args: [p.threads, p.chunks, p.min, p.max, p.genSteps, p.duration !== null ? 1 : 0, p.verify ? 1 : 0,
           p.seed, larsonSteps(p)],
  }),
  calls: (p, run) => Array.from({ length: p.threads }, (_, i) => ({ worker: i, fn: 'larson_lineage', args: [run, i] })),
  generation: (run, i, workerStays) => ({ fn: 'larson_generation', args: [run, i, workerStays ? 1 : 0] }),
  stopFlag: (m, run) => run + m.bl('BL_LR_STOP'),
  progressUnit: 'ops',
  progress: (m, p, run) => Array.from({ length: p.threads },
    (_, i) => 2 * m.u64(lineage(m, run, i) + m.bl('BL_LL_PROGRESS'))),
  fraction(m, p, run) {
    if (p.ops === null) return null;
    const steps = larsonSteps(p) * p.threads;
    return steps > 0 ? sumOver(p.threads, (i) => m.u64(lineage(m, run, i) + m.bl('BL_LL_PROGRESS'))) / steps : 1;
  },
  teardown: 'larson_teardown',
  result(m, _p, run) {
    const r = (name: string): number => m.u64(run + m.bl(name));
    return {
      ops: 2 * r('BL_LR_STEPS'), size_sum: r('BL_LR_SIZE_SUM'), bad: r('BL_LR_BAD'),
      extra: { generations: r('BL_LR_GENERATIONS'), fill_size_sum: r('BL_LR_FILL_SIZE_SUM'),
               live_bytes_end: r('BL_LR_LIVE_BYTES_END') },
    };
  },
  free: 'bench_record_free',
  recordParams: (p) => ({
    threads: p.threads, chunks: p.chunks, min: p.min, max: p.max, rounds: p.rounds, gen_steps: p.genSteps,
    seed: p.seed, ops_budget: p.ops, duration: p.duration, verify: p.verify,
  }),
};
