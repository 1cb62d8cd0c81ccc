// random_mixed.ts: WORKLOADS.md section 4, one allocator thread. A slot is empty when its
// pointer is 0. `--threads N` runs N independent copies at once (section 4, "Copies"): one
// set-up makes N records with the same parameters and a slot array each, each worker runs
// one copy, one teardown frees every copy's slots.

import { RandomMixedRun, RM_COPY_STRIDE, SLOT_SIZE } from "./structs";
import { rngInit, rngNext, bounded } from "./rng";
import { touch, broken } from "./touch";
import { bFree, xMalloc, bAttach } from "./malloc";
import { recordAlloc, slotsAlloc } from "./alloc-records";

// @ts-ignore: decorator
@inline const PROGRESS_EVERY: u32 = 1024;
/** Block sizes are RM_MIN_SIZE + (rng & RM_SIZE_MASK): 16 .. 1039 bytes (section 4). */
export const RM_MIN_SIZE: u32 = 16;
export const RM_SIZE_MASK: u32 = 0x3FF;

/** The record of copy `k` of the run whose record (copy 0's) is at `runPtr`. */
// @ts-ignore: decorator
@inline function copyOf(runPtr: usize, k: u32): RandomMixedRun {
  return changetype<RandomMixedRun>(runPtr + <usize>k * RM_COPY_STRIDE);
}

/**
 * Untimed setup: the records of `copies` copies (one allocation, RM_COPY_STRIDE apart, so the
 * host frees them with one bench_record_free), each with the same parameters and W empty
 * slots. `copies` 0 counts as 1: a caller passing the six arguments of the one-copy module
 * gets what it got before. Returns the run (copy 0's record), or 0.
 */
export function random_mixed_setup(slots: u32, iters: f64, seed: u32, replace: u32, reps: u32,
                                   verify: u32, copies: u32): usize {
  const n = copies > 0 ? copies : 1;
  const runPtr = recordAlloc(<usize>n * RM_COPY_STRIDE);
  if (runPtr == 0) return 0;
  for (let k: u32 = 0; k < n; k++) {
    const run = copyOf(runPtr, k);
    run.slots = slots;
    run.iters = <u64>iters;
    run.seed = seed;
    run.replace = replace;
    run.reps = reps;
    run.verify = verify;
    run.copies = n;
    run.slotArr = <u32>slotsAlloc(slots);
    if (run.slotArr == 0) return 0;
  }
  return runPtr;
}

/**
 * The timed part of copy `copy` (0 for a one-copy run; a caller passing only the run gets
 * copy 0): every rep and its drain, on the calling worker. One copy of the loop per
 * combination of --verify and --mode, each with its flags constant: V8 keeps a wasm
 * function's locals in registers only while they fit, and a loop that tests the flags and
 * carries the verify count it does not use spilled its RNG state and slot address to the
 * stack on every iteration (bench/README.md "The workloads' loops").
 */
export function random_mixed_run(runPtr: usize, copy: u32): void {
  bAttach();
  const run = copyOf(runPtr, copy);
  if (run.verify != 0) {
    if (run.replace != 0) runReps(run, true, true);
    else runReps(run, true, false);
  } else if (run.replace != 0) runReps(run, false, true);
  else runReps(run, false, false);
}

/**
 * Every rep of `run` and its drain, with the flags as constants (inlined four times). No
 * count of mallocs or frees in the loops: every block freed was malloc'd here, and each
 * iteration is one malloc in replace mode and one malloc or one free in toggle mode, so a
 * rep's mallocs follow from its iterations and the blocks live before its drain.
 */
// @ts-ignore: decorator
@inline function runReps(run: RandomMixedRun, verify: bool, replace: bool): void {
  const W = run.slots, iters = run.iters;
  const s = <usize>run.slotArr;
  const progressAddr = changetype<usize>(run) + offsetof<RandomMixedRun>("progress");
  let rng = rngInit(run.seed, 1);
  let mallocs: u64 = 0, sizeSum: u64 = 0, bad: u64 = 0, peak: u64 = 0, progress: u64 = 0;
  for (let rep: u32 = 0; rep < run.reps; rep++) {
    let live: u64 = 0;
    let it: u64 = 0;
    while (it < iters) {
      let burst = iters - it;
      if (burst > PROGRESS_EVERY) burst = PROGRESS_EVERY;
      for (let k: u32 = 0; k < <u32>burst; k++) {
        rng = rngNext(rng);
        const v = bounded(rng, W);
        const slot = s + <usize>v * SLOT_SIZE;
        const old = <usize>load<u32>(slot);
        if (old != 0) {
          if (verify) bad += broken(old, load<u32>(slot, 4), v);
          bFree(old);
          live--;
          if (!replace) { store<u32>(slot, 0); continue; }
        }
        rng = rngNext(rng);
        const sz = RM_MIN_SIZE + (rng & RM_SIZE_MASK);
        const p = xMalloc(sz);
        touch(p, sz, v);
        store<u32>(slot, <u32>p);
        store<u32>(slot, sz, 4);
        sizeSum += sz;
        live++;
        if (live > peak) peak = live;
      }
      it += burst;
      progress += burst;
      atomic.store<u64>(progressAddr, progress);
    }
    // replace: one malloc per iteration; toggle: iters = mallocs + frees, live = mallocs - frees
    mallocs += replace ? iters : (iters + live) >> 1;
    for (let v: u32 = 0; v < W; v++) { // the drain: counted and timed
      const slot = s + <usize>v * SLOT_SIZE;
      const old = <usize>load<u32>(slot);
      if (old == 0) continue;
      if (verify) bad += broken(old, load<u32>(slot, 4), v);
      bFree(old);
      store<u32>(slot, 0);
    }
  }
  run.mallocs = mallocs;
  run.frees = mallocs; // the drains free every block left
  run.ops = mallocs + mallocs;
  run.sizeSum = sizeSum;
  run.bad = bad;
  run.peakLive = peak;
}

/** Untimed teardown: free every copy's slot array (the records stay for the host to read). */
export function random_mixed_teardown(runPtr: usize): void {
  const n = copyOf(runPtr, 0).copies;
  for (let k: u32 = 0; k < n; k++) {
    const run = copyOf(runPtr, k);
    if (run.slotArr != 0) bFree(<usize>run.slotArr);
    run.slotArr = 0;
  }
}
