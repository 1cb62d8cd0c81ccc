// micro.ts: the warm malloc+free micro-benchmark: one wasm call runs every pair, so the
// figure is the cost inside wasm. --batch K > 1 allocates K blocks before freeing them
// (refill and spill as well as the fast path); those K pointers live in a scratch record,
// which is this workload's "run".

import type { MicroParams } from './params.js';
import type { WorkloadDescriptor } from './descriptor.js';

/** Pairs actually run: with batches, a whole number of batches (at least one). */
export function microPairs(p: MicroParams): number {
  return p.batch > 1 ? Math.max(1, Math.floor(p.pairs / p.batch)) * p.batch : p.pairs;
}

/** The micro-benchmark's descriptor. */
export const MICRO: WorkloadDescriptor<MicroParams> = {
  threads: () => 1,
  needsThreads: () => false,
  setup: (p) => (p.batch > 1 ? { fn: 'bench_record_alloc', args: [p.batch * 4] } : null),
  calls: (p, scratch) => [p.batch > 1
    ? { worker: 0, fn: 'micro_batch', args: [microPairs(p) / p.batch, p.batch, p.size, scratch] }
    : { worker: 0, fn: 'micro_pairs', args: [p.pairs, p.size] }],
  progressUnit: 'pairs',
  progress: () => [0], // one call, no progress record
  fraction: () => null,
  teardown: null,
  result(_m, p, _run, secs) {
    const pairs = microPairs(p);
    return { ops: 2 * pairs, size_sum: pairs * p.size, bad: 0, extra: { ns_per_pair: pairs > 0 ? (secs * 1e9) / pairs : 0 } };
  },
  free: 'bench_record_free',
  recordParams: (p) => ({ pairs: microPairs(p), size: p.size, batch: p.batch }),
};
