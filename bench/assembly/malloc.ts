// malloc.ts: the allocator under test, chosen at compile time. The hakmem bench module calls
// the allocator's own functions directly (no module boundary, as a C benchmark would); the
// AssemblyScript-runtime peer (`--use BENCH_ASRT=1`, `--runtime incremental`) uses the
// runtime's TLSF heap instead, over an ordinary non-shared memory.

import { hkMalloc } from "../../assembly/alloc";
import { hkFree } from "../../assembly/free";
import { threadAttach, threadDetach } from "../../assembly/thread";

/** True in the AssemblyScript-runtime peer build. */
// @ts-ignore: decorator, and BENCH_ASRT exists only in that build
@inline export const ASRT: bool = isDefined(BENCH_ASRT);

/** malloc of the allocator under test (0 on failure). */
// @ts-ignore: decorator
@inline export function bMalloc(size: usize): usize {
  if (ASRT) return heap.alloc(size);
  return hkMalloc(size);
}

/** free of the allocator under test. */
// @ts-ignore: decorator
@inline export function bFree(p: usize): void {
  if (ASRT) heap.free(p);
  else hkFree(p);
}

/** Give the calling worker a new allocator thread identity (no-op for the runtime peer). */
// @ts-ignore: decorator
@inline export function bAttach(): u32 {
  return ASRT ? 0 : threadAttach();
}

/** Retire the calling worker's identity as an exiting thread would (no-op for the peer). */
// @ts-ignore: decorator
@inline export function bDetach(): void {
  if (!ASRT) threadDetach();
}

/** malloc whose NULL result is fatal (the spec's rule): a trap the host reports. */
// @ts-ignore: decorator
@inline export function xMalloc(size: usize): usize {
  const p = bMalloc(size);
  if (p == 0) unreachable();
  return p;
}
