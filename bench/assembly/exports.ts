// exports.ts: what both bench builds export besides the workloads: the RNG for the test
// vectors, record memory for the host, and the record layouts (as globals, read by the host
// with `.value`, so no offset is written twice).

import { rngInit, rngNext, bounded } from "./rng";
import { recordAlloc, recordFree } from "./alloc-records";
import { LarsonRun, LarsonLineage, RandomMixedRun, XfreeRun, XfreeWorker, MidlargeRun, MidlargeThread, SLOT_SIZE,
         LINEAGE_STRIDE, XWORKER_STRIDE, MLTHREAD_STRIDE, RM_COPY_STRIDE } from "./structs";
import { ASRT } from "./malloc";
import { RM_MIN_SIZE, RM_SIZE_MASK } from "./random_mixed";

/** rng_init of section 1. */
export function rng_init(seed: u32, stream: u32): u32 { return rngInit(seed, stream); }
/** rng_next of section 1: the next state (= the output) after `state`. */
export function rng_next(state: u32): u32 { return rngNext(state); }
/** bounded of section 1. */
export function rng_bounded(r: u32, n: u32): u32 { return bounded(r, n); }

/** A zeroed, 64-byte aligned record of `size` bytes from the allocator under test (0: none). */
export function bench_record_alloc(size: usize): usize { return recordAlloc(size); }
/** Free a record (or anything else the module allocated). */
export function bench_record_free(p: usize): void { recordFree(p); }

export const BL_ASRT: u32 = ASRT ? 1 : 0;
// larson
export const BL_LR_STOP: u32 = offsetof<LarsonRun>("stop");
export const BL_LR_FILL_SIZE_SUM: u32 = offsetof<LarsonRun>("fillSizeSum");
export const BL_LR_STEPS: u32 = offsetof<LarsonRun>("steps");
export const BL_LR_GENERATIONS: u32 = offsetof<LarsonRun>("generations");
export const BL_LR_SIZE_SUM: u32 = offsetof<LarsonRun>("sizeSum");
export const BL_LR_BAD: u32 = offsetof<LarsonRun>("bad");
export const BL_LR_LIVE_BYTES_END: u32 = offsetof<LarsonRun>("liveBytesEnd");
export const BL_LR_LINEAGES: u32 = offsetof<LarsonRun>("lineages");
export const BL_LINEAGE_STRIDE: u32 = LINEAGE_STRIDE;
export const BL_LL_PROGRESS: u32 = offsetof<LarsonLineage>("progress");
export const BL_LL_GENERATIONS: u32 = offsetof<LarsonLineage>("generations");
export const BL_LL_LAST_TID: u32 = offsetof<LarsonLineage>("lastTid");
export const BL_LL_SLOTS: u32 = offsetof<LarsonLineage>("slots");
export const BL_SLOT_SIZE: u32 = SLOT_SIZE; // a slot: the block's address u32, its size u32
// random_mixed
export const BL_RM_MIN_SIZE: u32 = RM_MIN_SIZE;
export const BL_RM_MAX_SIZE: u32 = RM_MIN_SIZE + RM_SIZE_MASK;
export const BL_RM_OPS: u32 = offsetof<RandomMixedRun>("ops");
export const BL_RM_MALLOCS: u32 = offsetof<RandomMixedRun>("mallocs");
export const BL_RM_FREES: u32 = offsetof<RandomMixedRun>("frees");
export const BL_RM_SIZE_SUM: u32 = offsetof<RandomMixedRun>("sizeSum");
export const BL_RM_BAD: u32 = offsetof<RandomMixedRun>("bad");
export const BL_RM_PEAK_LIVE: u32 = offsetof<RandomMixedRun>("peakLive");
export const BL_RM_PROGRESS: u32 = offsetof<RandomMixedRun>("progress");
export const BL_RM_COPY_STRIDE: u32 = RM_COPY_STRIDE;
export const BL_RM_RUN_SIZE: u32 = offsetof<RandomMixedRun>();
// xfree
export const BL_XR_WORKERS: u32 = offsetof<XfreeRun>("workers");
export const BL_XR_SIZE_SUM: u32 = offsetof<XfreeRun>("sizeSum");
export const BL_XR_PRODUCER_SPINS: u32 = offsetof<XfreeRun>("producerSpins");
export const BL_XR_CONSUMER_SPINS: u32 = offsetof<XfreeRun>("consumerSpins");
export const BL_XR_BAD: u32 = offsetof<XfreeRun>("bad");
export const BL_XWORKER_STRIDE: u32 = XWORKER_STRIDE;
export const BL_XW_PROGRESS: u32 = offsetof<XfreeWorker>("progress");
// midlarge
export const BL_MLTHREAD_STRIDE: u32 = MLTHREAD_STRIDE;
export const BL_ML_WORKERS: u32 = offsetof<MidlargeRun>("workers");
export const BL_MT_MALLOCS: u32 = offsetof<MidlargeThread>("mallocs");
export const BL_MT_FREES: u32 = offsetof<MidlargeThread>("frees");
export const BL_MT_SIZE_SUM: u32 = offsetof<MidlargeThread>("sizeSum");
export const BL_MT_NEIGHBOUR_FREES: u32 = offsetof<MidlargeThread>("neighbourFrees");
export const BL_MT_NEIGHBOUR_BYTES: u32 = offsetof<MidlargeThread>("neighbourBytes");
export const BL_MT_BAD: u32 = offsetof<MidlargeThread>("bad");
export const BL_MT_PROGRESS: u32 = offsetof<MidlargeThread>("progress");
