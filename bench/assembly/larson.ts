// larson.ts: WORKLOADS.md section 3. A lineage is a slot array and an RNG state in shared
// memory; each generation is a new allocator thread (attach ... then rest or detach, the
// spec's mapping of "a new thread"), either all in one worker (larson_lineage) or one
// generation per call (larson_generation) so the host can give each its own new Worker.
// A generation's thread ends as any thread's would on its worker: if the worker runs the
// lineage's next generation too, its identity rests and the next attach resumes it
// (thread.ts); if the worker ends with it, the identity retires (detach).

import { LarsonRun, LarsonLineage, LINEAGE_STRIDE, SLOT_SIZE } from "./structs";
import { rngInit, rngNext, bounded } from "./rng";
import { touch, broken } from "./touch";
import { bFree, xMalloc, bAttach, bEndThread } from "./malloc";
import { recordAlloc, recordFree, slotsAlloc } from "./alloc-records";

// Steps between two looks at the stop flag (duration mode) and two progress updates.
// @ts-ignore: decorator
@inline const CHECK_EVERY: u32 = 1024;

/** The record of lineage `i`. */
// @ts-ignore: decorator
@inline function lineageOf(run: LarsonRun, i: u32): LarsonLineage {
  return changetype<LarsonLineage>(<usize>run.lineages + <usize>i * LINEAGE_STRIDE);
}

/**
 * Untimed setup on the calling (main) thread: the run record, T lineages and their initial
 * blocks, lineage by lineage (section 3's order). `stepsPerLineage` = floor(OPS / 2T) in
 * ops mode. Returns the run record, or 0 if memory ran out.
 */
export function larson_setup(threads: u32, chunks: u32, min: u32, max: u32, genSteps: u32,
                             durationMode: u32, verify: u32, seed: u32,
                             stepsPerLineage: f64): usize {
  const runPtr = recordAlloc(offsetof<LarsonRun>());
  if (runPtr == 0) return 0;
  const run = changetype<LarsonRun>(runPtr);
  run.threads = threads;
  run.chunks = chunks;
  run.min = min;
  run.max = max;
  run.genSteps = genSteps;
  run.durationMode = durationMode;
  run.verify = verify;
  run.seed = seed;
  run.lineages = <u32>recordAlloc(<usize>threads * LINEAGE_STRIDE);
  if (run.lineages == 0) return 0;
  const range = max - min + 1;
  let fill: u64 = 0;
  for (let i: u32 = 0; i < threads; i++) {
    const L = lineageOf(run, i);
    L.index = i;
    L.stepsLeft = durationMode != 0 ? u64.MAX_VALUE : <u64>stepsPerLineage;
    const slots = slotsAlloc(chunks);
    if (slots == 0) return 0;
    L.slots = <u32>slots;
    let rng = rngInit(seed, 1 + i);
    for (let j: u32 = 0; j < chunks; j++) {
      rng = rngNext(rng);
      const sz = min + bounded(rng, range);
      const p = xMalloc(sz);
      touch(p, sz, j);
      const s = slots + <usize>j * SLOT_SIZE;
      store<u32>(s, <u32>p);
      store<u32>(s, sz, 4);
      fill += sz;
    }
    L.rng = rng;
  }
  run.fillSizeSum = fill;
  return runPtr;
}

/**
 * One generation of lineage `i` on the calling worker, as a thread that ends with it (it rests
 * if `workerStays`, the worker running the next generation too, and detaches otherwise).
 * Returns 1 if the lineage continues, 0 when it is done.
 */
export function larson_generation(runPtr: usize, i: u32, workerStays: u32): u32 {
  const run = changetype<LarsonRun>(runPtr);
  const L = lineageOf(run, i);
  L.lastTid = bAttach();
  const n = run.chunks, lo = run.min, range = run.max - run.min + 1;
  const durationMode = run.durationMode != 0, verify = run.verify != 0;
  const stopAddr = runPtr + offsetof<LarsonRun>("stop");
  let todo = <u64>run.genSteps;
  if (!durationMode && L.stepsLeft < todo) todo = L.stepsLeft;

  const slots = <usize>L.slots;
  let done: u64 = 0;
  let stopped = false;
  const progressBase = L.progress;
  while (done < todo) {
    // The spec's "s % 1024 == 0" test, hoisted: look at the flag, then run up to 1024 steps.
    if (durationMode && atomic.load<u32>(stopAddr) != 0) { stopped = true; break; }
    let burst = todo - done;
    if (burst > CHECK_EVERY) burst = CHECK_EVERY;
    if (verify) larsonSteps(L, slots, n, lo, range, <u32>burst, true);
    else larsonSteps(L, slots, n, lo, range, <u32>burst, false);
    done += burst;
    atomic.store<u64>(changetype<usize>(L) + offsetof<LarsonLineage>("progress"), progressBase + done);
  }
  L.stepsDone += done;
  L.generations++;
  if (!durationMode) L.stepsLeft -= done;
  bEndThread(workerStays != 0);
  const more = durationMode ? !stopped && atomic.load<u32>(stopAddr) == 0 : L.stepsLeft > 0;
  return more ? 1 : 0;
}

/**
 * `burst` steps of lineage `L` (slots at `slots`, sizes lo .. lo + range - 1), with `verify`
 * a constant (inlined twice): V8 keeps a wasm function's locals in registers only while they
 * fit, and the flag and the verify count are two fewer in the loop that does not verify
 * (bench/README.md "The workloads' loops"). The RNG state and the sums go through the
 * lineage record once per burst.
 */
// @ts-ignore: decorator
@inline function larsonSteps(L: LarsonLineage, slots: usize, n: u32, lo: u32, range: u32, burst: u32,
                             verify: bool): void {
  let rng = L.rng; // in a local for the whole hot loop
  let sizeSum: u64 = 0, bad: u64 = 0;
  for (let s: u32 = 0; s < burst; s++) {
    rng = rngNext(rng);
    const v = bounded(rng, n);
    const slot = slots + <usize>v * SLOT_SIZE;
    const old = <usize>load<u32>(slot);
    if (verify) bad += broken(old, load<u32>(slot, 4), v);
    bFree(old);
    rng = rngNext(rng);
    const sz = lo + bounded(rng, range);
    const p = xMalloc(sz);
    touch(p, sz, v);
    store<u32>(slot, <u32>p);
    store<u32>(slot, sz, 4);
    sizeSum += sz;
  }
  L.rng = rng;
  L.sizeSum += sizeSum;
  if (verify) L.bad += bad;
}

/** Lineage `i`, every generation, in the calling worker (the default mapping). */
export function larson_lineage(runPtr: usize, i: u32): void {
  while (larson_generation(runPtr, i, 1) != 0) { /* next generation: a new thread on this worker */ }
}

/**
 * Untimed teardown on the main thread: check and free every live block, free the slot
 * arrays and lineages, and leave the totals in the run record (which the host frees).
 */
export function larson_teardown(runPtr: usize): void {
  const run = changetype<LarsonRun>(runPtr);
  let steps: u64 = 0, gens: u64 = 0, sizeSum: u64 = 0, bad: u64 = 0, live: u64 = 0;
  for (let i: u32 = 0; i < run.threads; i++) {
    const L = lineageOf(run, i);
    steps += L.stepsDone;
    gens += L.generations;
    sizeSum += L.sizeSum;
    bad += L.bad;
    const slots = <usize>L.slots;
    if (slots == 0) continue;
    for (let j: u32 = 0; j < run.chunks; j++) {
      const s = slots + <usize>j * SLOT_SIZE;
      const p = <usize>load<u32>(s);
      if (p == 0) continue;
      const sz = load<u32>(s, 4);
      bad += broken(p, sz, j);
      live += sz;
      bFree(p);
    }
    bFree(slots);
  }
  recordFree(<usize>run.lineages);
  run.lineages = 0;
  run.steps = steps;
  run.generations = gens;
  run.sizeSum = sizeSum;
  run.bad = bad;
  run.liveBytesEnd = live;
}
