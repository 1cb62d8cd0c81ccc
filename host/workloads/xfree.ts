// xfree.ts: xfree (bench/WORKLOADS.md section 5): P producers allocate blocks and pass them
// through single-producer rings to C consumers, which free them, so every free is a remote
// free. Thread k < P is producer k (`xfree_producer`), thread P + c consumer c
// (`xfree_consumer`). ops = 2 * blocks.

import type { XfreeParams } from './params.js';
import { sumOver, type RunMemory, type WorkloadDescriptor } from './descriptor.js';

/** Blocks handled so far by thread k (allocated by a producer, freed by a consumer). */
function progressOf(m: RunMemory, run: number, k: number): number {
  return m.u64(m.u32(run + m.bl('BL_XR_WORKERS')) + k * m.bl('BL_XWORKER_STRIDE') + m.bl('BL_XW_PROGRESS'));
}

/** xfree's descriptor. */
export const XFREE: WorkloadDescriptor<XfreeParams> = {
  threads: (p) => p.producers + p.consumers,
  needsThreads: () => true,
  setup: (p) => ({
    fn: 'xfree_setup',
    args: [p.producers, p.consumers, p.qcap, p.batch, p.min, p.max, p.seed, p.verify ? 1 : 0, p.blocks],
  }),
  calls: (p, run) => [
    ...Array.from({ length: p.producers }, (_, i) => ({ worker: i, fn: 'xfree_producer', args: [run, i] })),
    ...Array.from({ length: p.consumers }, (_, c) => ({ worker: p.producers + c, fn: 'xfree_consumer', args: [run, c] })),
  ],
  progressUnit: 'blocks',
  progress: (m, p, run) => Array.from({ length: p.producers + p.consumers }, (_, k) => progressOf(m, run, k)),
  fraction: (m, p, run) => (p.blocks > 0
    ? sumOver(p.consumers, (c) => progressOf(m, run, p.producers + c)) / p.blocks : 1),
  teardown: 'xfree_teardown',
  result(m, p, run) {
    const r = (name: string): number => m.u64(run + m.bl(name));
    return {
      ops: 2 * p.blocks, size_sum: r('BL_XR_SIZE_SUM'), bad: r('BL_XR_BAD'),
      extra: { producer_full_spins: r('BL_XR_PRODUCER_SPINS'), consumer_empty_spins: r('BL_XR_CONSUMER_SPINS') },
    };
  },
  free: 'bench_record_free',
  recordParams: (p) => ({
    blocks: p.blocks, min: p.min, max: p.max, producers: p.producers, consumers: p.consumers, qcap: p.qcap,
    batch: p.batch, seed: p.seed, verify: p.verify,
  }),
};
