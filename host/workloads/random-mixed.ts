// random-mixed.ts: random_mixed (bench/WORKLOADS.md section 4) on one allocator thread: a
// table of slots, each iteration picks one at random and frees or allocates it (toggle) or
// both (replace), sizes 16..1039 bytes (sizeRange reads them from the module). One call
// (`random_mixed_run`) runs every repetition. With --threads N, N independent copies run at
// once (section 4, "Copies"): one set-up makes every copy's record, thread k runs copy k
// (`random_mixed_run(run, k)`), and the result sums the copies.

import type { RandomMixedParams } from './params.js';
import { sumOver, type RunMemory, type WorkloadDescriptor } from './descriptor.js';

/**
 * The address of copy k's record. Copy 0's is the run record itself, so a one-copy run reads
 * no stride (and still runs on a bench module from before copies, e.g. under bench-ab).
 */
function copyRecord(m: RunMemory, run: number, k: number): number {
  return k === 0 ? run : run + k * m.bl('BL_RM_COPY_STRIDE');
}

/** u64 field `name` of copy k's record. */
function copyField(m: RunMemory, run: number, k: number, name: string): number {
  return m.u64(copyRecord(m, run, k) + m.bl(name));
}

/** random_mixed's descriptor, plus its fixed block-size range. */
export const RANDOM_MIXED: WorkloadDescriptor<RandomMixedParams> & {
  /** The smallest and largest block random_mixed allocates (fixed by the workload, not a parameter). */
  sizeRange(m: RunMemory): { min: number; max: number };
} = {
  sizeRange: (m) => ({ min: m.bl('BL_RM_MIN_SIZE'), max: m.bl('BL_RM_MAX_SIZE') }),
  threads: (p) => p.threads,
  needsThreads: (p) => p.threads !== 1,
  setup: (p) => ({
    fn: 'random_mixed_setup',
    args: [p.slots, p.iters, p.seed, p.mode === 'replace' ? 1 : 0, p.reps, p.verify ? 1 : 0, p.threads],
  }),
  calls: (p, run) => Array.from({ length: p.threads }, (_, k) => ({ worker: k, fn: 'random_mixed_run', args: [run, k] })),
  progressUnit: 'iterations',
  progress: (m, p, run) => Array.from({ length: p.threads }, (_, k) => copyField(m, run, k, 'BL_RM_PROGRESS')),
  fraction(m, p, run) {
    const total = p.iters * p.reps * p.threads;
    return total > 0 ? sumOver(p.threads, (k) => copyField(m, run, k, 'BL_RM_PROGRESS')) / total : 1;
  },
  teardown: 'random_mixed_teardown',
  result(m, p, run) {
    const sum = (name: string): number => sumOver(p.threads, (k) => copyField(m, run, k, name));
    // Every copy runs the same sequence, so every copy has the same peak; the largest stands for them.
    const peak = Math.max(...Array.from({ length: p.threads }, (_, k) => copyField(m, run, k, 'BL_RM_PEAK_LIVE')));
    return {
      ops: sum('BL_RM_OPS'), size_sum: sum('BL_RM_SIZE_SUM'), bad: sum('BL_RM_BAD'),
      extra: { mallocs: sum('BL_RM_MALLOCS'), frees: sum('BL_RM_FREES'), peak_live: peak },
    };
  },
  free: 'bench_record_free',
  recordParams: (p) => ({
    threads: p.threads, iters: p.iters, slots: p.slots, mode: p.mode, reps: p.reps, seed: p.seed, verify: p.verify,
  }),
};
