// midlarge.ts: the mid/large workload of bench/MIDLARGE.md: T threads, each with a row of N
// slots of 1 KiB..64 KiB blocks. Each round a thread refreshes its own row (phase A), then,
// after a barrier, frees random blocks of its neighbour's row (phase B: cross-thread frees
// of mid and large blocks), and a second barrier closes the round.

import { MidlargeRun, MidlargeThread, MLTHREAD_STRIDE, ML_BARRIER_COUNT, ML_BARRIER_GEN,
         ML_RUN_SIZE, SLOT_SIZE } from "./structs";
import { rngInit, rngNext, bounded } from "./rng";
import { touch, broken } from "./touch";
import { bFree, xMalloc, bAttach } from "./malloc";
import { recordAlloc, recordFree, slotsAlloc } from "./alloc-records";
import { barrierWait } from "./barrier";

/** Record of thread `i`. */
// @ts-ignore: decorator
@inline function threadOf(run: MidlargeRun, i: u32): MidlargeThread {
  return changetype<MidlargeThread>(<usize>run.workers + <usize>i * MLTHREAD_STRIDE);
}

/** Slot j of row i. */
// @ts-ignore: decorator
@inline function slotOf(run: MidlargeRun, i: u32, j: u32): usize {
  return <usize>run.rows + (<usize>i * run.slots + j) * SLOT_SIZE;
}

/** Untimed setup: the run record, T empty rows and T thread records. Returns the run, or 0. */
export function midlarge_setup(threads: u32, slots: u32, rounds: u32, seed: u32, verify: u32): usize {
  const runPtr = recordAlloc(ML_RUN_SIZE);
  if (runPtr == 0) return 0;
  const run = changetype<MidlargeRun>(runPtr);
  run.threads = threads;
  run.slots = slots;
  run.rounds = rounds;
  run.seed = seed;
  run.verify = verify;
  run.rows = <u32>slotsAlloc(threads * slots);
  run.workers = <u32>recordAlloc(<usize>threads * MLTHREAD_STRIDE);
  return run.rows != 0 && run.workers != 0 ? runPtr : 0;
}

/** Thread `i` of the run: every round, then the final free of its own row. */
export function midlarge_thread(runPtr: usize, i: u32): void {
  bAttach();
  const run = changetype<MidlargeRun>(runPtr);
  const T = run.threads, N = run.slots, R = run.rounds, verify = run.verify != 0;
  const me = threadOf(run, i);
  const t = (i + 1) % T; // the neighbour whose row phase B frees into
  const bCount = runPtr + ML_BARRIER_COUNT, bGen = runPtr + ML_BARRIER_GEN;
  let rng = rngInit(run.seed, 1 + i);
  let mallocs: u64 = 0, frees: u64 = 0, sizeSum: u64 = 0, nFrees: u64 = 0, nBytes: u64 = 0;
  let bad: u64 = 0;
  for (let r: u32 = 0; r < R; r++) {
    // Phase A: keep 3 in 4 of the full slots, replace the others, fill the empty ones.
    for (let j: u32 = 0; j < N; j++) {
      rng = rngNext(rng);
      const slot = slotOf(run, i, j);
      const old = <usize>load<u32>(slot);
      if (old != 0) {
        if ((rng & 3) != 0) continue;
        if (verify) bad += broken(old, load<u32>(slot, 4), j);
        bFree(old);
        frees++;
      }
      rng = rngNext(rng);
      const lo: u32 = 1024 << bounded(rng, 6); // octave: 1, 2, 4, 8, 16 or 32 KiB
      rng = rngNext(rng);
      const sz = lo + bounded(rng, lo + 1);    // [lo, 2 lo]
      const p = xMalloc(sz);
      touch(p, sz, j);
      store<u32>(slot, <u32>p);
      store<u32>(slot, sz, 4);
      mallocs++;
      sizeSum += sz;
    }
    barrierWait(bCount, bGen, T);
    // Phase B: N/2 random victims in the neighbour's row (blocks the neighbour allocated).
    for (let k: u32 = 0; k < N / 2; k++) {
      rng = rngNext(rng);
      const v = bounded(rng, N);
      const slot = slotOf(run, t, v);
      const old = <usize>load<u32>(slot);
      if (old == 0) continue;
      const sz = load<u32>(slot, 4);
      if (verify) bad += broken(old, sz, v);
      bFree(old);
      store<u32>(slot, 0);
      frees++;
      nFrees++;
      nBytes += sz;
    }
    barrierWait(bCount, bGen, T);
    atomic.store<u64>(changetype<usize>(me) + offsetof<MidlargeThread>("progress"), r + 1);
  }
  // End: free the own row, ascending (timed and counted).
  for (let j: u32 = 0; j < N; j++) {
    const slot = slotOf(run, i, j);
    const old = <usize>load<u32>(slot);
    if (old == 0) continue;
    if (verify) bad += broken(old, load<u32>(slot, 4), j);
    bFree(old);
    store<u32>(slot, 0);
    frees++;
  }
  me.mallocs = mallocs;
  me.frees = frees;
  me.sizeSum = sizeSum;
  me.neighbourFrees = nFrees;
  me.neighbourBytes = nBytes;
  me.bad = bad;
}

/** Untimed teardown: free the rows (the thread records stay until the host frees the run). */
export function midlarge_teardown(runPtr: usize): void {
  const run = changetype<MidlargeRun>(runPtr);
  if (run.rows != 0) bFree(<usize>run.rows);
  run.rows = 0;
}

/** Free the run record and its thread records. */
export function midlarge_free(runPtr: usize): void {
  const run = changetype<MidlargeRun>(runPtr);
  if (run.workers != 0) recordFree(<usize>run.workers);
  recordFree(runPtr);
}
