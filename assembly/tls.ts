// tls.ts: the only per-instance state: which thread record this worker's instance uses.
//
// Module globals are per instance (one instance per worker), so they are this allocator's
// thread-local storage. They hold only the record's address and its tid; everything else
// lives in shared memory, so another thread or the host can reclaim a thread that died.

import { HEAP_BASE, NO_TID, GlobalHeader, hdrField } from "./types";

/**
 * This instance's ThreadRecord; slot 0 (always empty) until attach. The thread table is the
 * first thing in the control region (THREAD_OFF == 0), so slot 0 is HEAP_BASE itself and this
 * initializer is a constant expression: no start function runs in any instance.
 */
export let self: usize = HEAP_BASE;
/** This instance's tid; NO_TID until attach (matches no slab owner). */
export let selfTid: u32 = NO_TID;

/** Bind this instance to a thread record. */
export function setSelf(rec: usize, tid: u32): void {
  self = rec;
  selfTid = tid;
}

/** True once this instance has a thread identity. */
// @ts-ignore: decorator
@inline export function attached(): bool {
  return self != HEAP_BASE;
}

/** Chunks this instance knows to be in memory (see syncMemory). */
let visibleChunks: u32 = 0;

/**
 * Make memory grown by other threads usable for atomics in this instance. V8 bounds-checks
 * atomic accesses against a per-thread cached memory size that another thread's grow
 * updates only later (plain accesses see the new pages at once), so the first atomic on a
 * chunk another worker just added can trap. `memory.grow(0)` refreshes the cached size.
 * Called on entry to every slow path and before every pool operation: the fast paths make
 * plain accesses only, to slabs this thread already touched. Any pointer into a new chunk
 * reached this thread after the grower published chunkCount, so comparing with it suffices.
 */
// @ts-ignore: decorator
@inline export function syncMemory(): void {
  const n = load<u32>(hdrField(offsetof<GlobalHeader>("chunkCount")));
  if (n > visibleChunks) syncMemorySlow(n);
}

/** The rare part of syncMemory. */
function syncMemorySlow(n: u32): void {
  memory.grow(0);
  visibleChunks = n;
}
