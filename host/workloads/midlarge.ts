// midlarge.ts: midlarge (bench/MIDLARGE.md): T threads, each with a row of 1..64 KiB blocks,
// replacing them at random and freeing some into the neighbour's row (cross-thread frees of
// mid-sized blocks). Thread i runs `midlarge_thread`.

import type { MidlargeParams } from './params.js';
import { sumOver, type RunMemory, type WorkloadDescriptor } from './descriptor.js';

/** Field `name` of thread i's record. */
function threadField(m: RunMemory, run: number, i: number, name: string): number {
  return m.u64(m.u32(run + m.bl('BL_ML_WORKERS')) + i * m.bl('BL_MLTHREAD_STRIDE') + m.bl(name));
}

/** midlarge's descriptor. */
export const MIDLARGE: WorkloadDescriptor<MidlargeParams> = {
  threads: (p) => p.threads,
  needsThreads: () => true,
  setup: (p) => ({ fn: 'midlarge_setup', args: [p.threads, p.slots, p.rounds, p.seed, p.verify ? 1 : 0] }),
  calls: (p, run) => Array.from({ length: p.threads }, (_, i) => ({ worker: i, fn: 'midlarge_thread', args: [run, i] })),
  progressUnit: 'rounds',
  progress: (m, p, run) => Array.from({ length: p.threads }, (_, i) => threadField(m, run, i, 'BL_MT_PROGRESS')),
  fraction: (m, p, run) => (p.rounds > 0 ? threadField(m, run, 0, 'BL_MT_PROGRESS') / p.rounds : 1),
  teardown: 'midlarge_teardown',
  result(m, p, run) {
    const sum = (name: string): number => sumOver(p.threads, (i) => threadField(m, run, i, name));
    const mallocs = sum('BL_MT_MALLOCS'), frees = sum('BL_MT_FREES');
    return {
      ops: mallocs + frees, size_sum: sum('BL_MT_SIZE_SUM'), bad: sum('BL_MT_BAD'),
      extra: { mallocs, frees, neighbour_frees: sum('BL_MT_NEIGHBOUR_FREES'), neighbour_bytes: sum('BL_MT_NEIGHBOUR_BYTES') },
    };
  },
  free: 'midlarge_free',
  recordParams: (p) => ({ threads: p.threads, slots: p.slots, rounds: p.rounds, seed: p.seed, verify: p.verify }),
};
