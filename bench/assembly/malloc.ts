// malloc.ts: the allocator under test, chosen at compile time. The hakmem bench module calls
// the allocator's own functions directly (no module boundary, as a C benchmark would); the
// AssemblyScript-runtime peer (`--use BENCH_ASRT=1`, `--runtime incremental`) uses the
// runtime's TLSF heap instead, over an ordinary non-shared memory; the floor build
// (`--use BENCH_FLOOR=1`) uses floor.ts, the least work any allocator could do.

import { hkMalloc } from "../../assembly/alloc";
import { hkFree } from "../../assembly/free";
import { threadAttach, threadDetach, threadRest } from "../../assembly/thread";
import { floorMalloc, floorFree, floorDetach } from "./floor";

/** True in the AssemblyScript-runtime peer build. */
// @ts-ignore: decorator, and BENCH_ASRT exists only in that build
@inline export const ASRT: bool = isDefined(BENCH_ASRT);

/** True in the floor build. */
// @ts-ignore: decorator, and BENCH_FLOOR exists only in that build
@inline export const FLOOR: bool = isDefined(BENCH_FLOOR);

/** malloc of the allocator under test (0 on failure). */
// @ts-ignore: decorator
@inline export function bMalloc(size: usize): usize {
  if (ASRT) return heap.alloc(size);
  if (FLOOR) return floorMalloc(size);
  return hkMalloc(size);
}

/** free of the allocator under test. */
// @ts-ignore: decorator
@inline export function bFree(p: usize): void {
  if (ASRT) heap.free(p);
  else if (FLOOR) floorFree(p);
  else hkFree(p);
}

/** Give the calling worker a new allocator thread identity (no-op for the runtime peer). */
// @ts-ignore: decorator
@inline export function bAttach(): u32 {
  return ASRT ? 0 : threadAttach();
}

/**
 * End the calling worker's thread as an exiting thread would (no-op for the peer): its
 * identity rests if the worker runs the next thread too (`workerStays`: the next attach here
 * resumes it, thread.ts), and retires otherwise (the worker ends with the thread).
 */
// @ts-ignore: decorator
@inline export function bEndThread(workerStays: bool): void {
  if (FLOOR) floorDetach();
  if (!ASRT) {
    if (workerStays) threadRest();
    else threadDetach();
  }
}

/** malloc whose NULL result is fatal (the spec's rule): a trap the host reports. */
// @ts-ignore: decorator
@inline export function xMalloc(size: usize): usize {
  const p = bMalloc(size);
  if (p == 0) unreachable();
  return p;
}
