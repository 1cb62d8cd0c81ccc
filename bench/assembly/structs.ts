// structs.ts: the records the host and the bench module share. The host allocates each run
// record through the module (so it lives in the heap under test, in shared memory), the
// workers write their results into it, and the host reads them with the offsets that
// layout.ts exports (never hard-coded). A slot is {ptr u32, sz u32}: 8 bytes.

// @ts-ignore: decorator
@inline export const SLOT_SIZE: u32 = 8;
// @ts-ignore: decorator
@inline export const LINE: u32 = 64;

/** larson: one run. `stop` (duration mode) sits on its own cache line. */
@unmanaged export class LarsonRun {
  threads: u32;
  chunks: u32;
  min: u32;
  max: u32;
  genSteps: u32;
  durationMode: u32;
  verify: u32;
  seed: u32;
  lineages: u32;       // LarsonLineage[threads], LINEAGE_STRIDE apart
  _p0: u32;
  fillSizeSum: u64;    // sizes of the untimed setup mallocs
  steps: u64;          // totals, written by larson_teardown
  generations: u64;
  sizeSum: u64;
  bad: u64;
  liveBytesEnd: u64;
  stop: u32;           // duration mode; offset 88: on the second line, away from the config
}

/** larson: one lineage (its slot array and RNG move from generation to generation). */
@unmanaged export class LarsonLineage {
  rng: u32;
  index: u32;
  slots: u32;          // N slots
  lastTid: u32;        // allocator tid of the latest generation (for the host's reports)
  stepsLeft: u64;      // ops mode budget
  stepsDone: u64;
  generations: u64;
  sizeSum: u64;
  bad: u64;
  progress: u64;       // steps done, updated every 1024 steps (the host's progress bar)
}
// @ts-ignore: decorator
@inline export const LINEAGE_STRIDE: u32 = 128; // two lines: lineages never share one

/**
 * random_mixed: one copy. A run of N copies is N of these, RM_COPY_STRIDE apart in one
 * allocation (copy 0 first: its address is the run's), each with the same parameters.
 */
@unmanaged export class RandomMixedRun {
  slots: u32;          // W
  replace: u32;
  reps: u32;
  seed: u32;
  verify: u32;
  slotArr: u32;
  copies: u32;         // N, in every copy's record (the teardown reads copy 0's)
  _p0: u32;
  iters: u64;
  ops: u64;
  mallocs: u64;
  frees: u64;
  sizeSum: u64;
  bad: u64;
  peakLive: u64;
  progress: u64;       // iterations done (all reps), updated every 1024 iterations
}
// @ts-ignore: decorator
@inline export const RM_COPY_STRIDE: u32 = 128; // two lines (the record is 96 bytes): copies never share one

/** xfree: one run. */
@unmanaged export class XfreeRun {
  producers: u32;
  consumers: u32;
  qcap: u32;
  batch: u32;
  min: u32;
  max: u32;
  seed: u32;
  verify: u32;
  rings: u32;          // XfreeRing[P * C], ring (i, c) at i * C + c
  workers: u32;        // XfreeWorker[P + C]: producers first
  blocks: u64;
  sizeSum: u64;        // totals, written by xfree_teardown
  producerSpins: u64;
  consumerSpins: u64;
  bad: u64;
}

// A ring: tail (producer) at +0, head (consumer) at +64, the entry array pointer at +128:
// each on its own line so publishing one side never invalidates the other side's line.
// @ts-ignore: decorator
@inline export const RING_TAIL: u32 = 0;
// @ts-ignore: decorator
@inline export const RING_HEAD: u32 = 64;
// @ts-ignore: decorator
@inline export const RING_BUF: u32 = 128;
// @ts-ignore: decorator
@inline export const RING_STRIDE: u32 = 192;
/** A side's private view of one ring: its index, its cached copy of the other's, unpublished. */
// @ts-ignore: decorator
@inline export const PRIV_STRIDE: u32 = 16;

/** xfree: one producer or consumer (64 B apart). */
@unmanaged export class XfreeWorker {
  index: u32;
  priv: u32;           // PRIV_STRIDE records: C of them (producer) or P (consumer)
  count: u64;          // blocks to make / to receive
  sizeSum: u64;
  spins: u64;
  bad: u64;
  progress: u64;       // blocks made / freed so far, updated every 1024 blocks
}
// @ts-ignore: decorator
@inline export const XWORKER_STRIDE: u32 = 64;

/** midlarge: one run (see bench/MIDLARGE.md). The barrier's two words get their own lines. */
@unmanaged export class MidlargeRun {
  threads: u32;
  slots: u32;          // N per thread
  rounds: u32;
  seed: u32;
  verify: u32;
  rows: u32;           // T rows of N slots
  workers: u32;        // MidlargeThread[T], MLTHREAD_STRIDE apart
  _p0: u32;
}
// @ts-ignore: decorator
@inline export const ML_BARRIER_COUNT: u32 = 64;
// @ts-ignore: decorator
@inline export const ML_BARRIER_GEN: u32 = 128;
// @ts-ignore: decorator
@inline export const ML_RUN_SIZE: u32 = 192;

/** midlarge: one thread's counters. */
@unmanaged export class MidlargeThread {
  mallocs: u64;
  frees: u64;
  sizeSum: u64;
  neighbourFrees: u64;
  neighbourBytes: u64;
  bad: u64;
  progress: u64;       // rounds done
  _p0: u64;
}
// @ts-ignore: decorator
@inline export const MLTHREAD_STRIDE: u32 = 64;
