// random-mixed.ts: random_mixed (bench/WORKLOADS.md section 4) on one allocator thread: a
// table of slots, each iteration picks one at random and frees or allocates it (toggle) or
// both (replace), sizes 16..1039 bytes (sizeRange reads them from the module). One call (`random_mixed_run`) runs every repetition.

import type { RandomMixedParams } from './params.js';
import type { RunMemory, WorkloadDescriptor } from './descriptor.js';

/** random_mixed's descriptor, plus its fixed block-size range. */
export const RANDOM_MIXED: WorkloadDescriptor<RandomMixedParams> & {
  /** The smallest and largest block random_mixed allocates (fixed by the workload, not a parameter). */
  sizeRange(m: RunMemory): { min: number; max: number };
} = {
  sizeRange: (m) => ({ min: m.bl('BL_RM_MIN_SIZE'), max: m.bl('BL_RM_MAX_SIZE') }),
  threads: () => 1,
  needsThreads: () => false,
  setup: (p) => ({
    fn: 'random_mixed_setup',
    args: [p.slots, p.iters, p.seed, p.mode === 'replace' ? 1 : 0, p.reps, p.verify ? 1 : 0],
  }),
  calls: (_p, run) => [{ worker: 0, fn: 'random_mixed_run', args: [run] }],
  progressUnit: 'iterations',
  progress: (m, _p, run) => [m.u64(run + m.bl('BL_RM_PROGRESS'))],
  fraction: (m, p, run) => (p.iters * p.reps > 0 ? m.u64(run + m.bl('BL_RM_PROGRESS')) / (p.iters * p.reps) : 1),
  teardown: 'random_mixed_teardown',
  result(m, _p, run) {
    const r = (name: string): number => m.u64(run + m.bl(name));
    return {
      ops: r('BL_RM_OPS'), size_sum: r('BL_RM_SIZE_SUM'), bad: r('BL_RM_BAD'),
      extra: { mallocs: r('BL_RM_MALLOCS'), frees: r('BL_RM_FREES'), peak_live: r('BL_RM_PEAK_LIVE') },
    };
  },
  free: 'bench_record_free',
  recordParams: (p) => ({ iters: p.iters, slots: p.slots, mode: p.mode, reps: p.reps, seed: p.seed, verify: p.verify }),
};
