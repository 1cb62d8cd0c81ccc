// tls.ts: the only per-instance state: which thread record this worker's instance uses.
//
// Module globals are per instance (one instance per worker), so they are this allocator's
// thread-local storage. They hold only the record's address and its tid; everything else
// lives in shared memory, so another thread or the host can reclaim a thread that died.

import { THREAD_BASE, NO_TID } from "./types";

/** This instance's ThreadRecord; slot 0 (always empty) until attach. */
export let self: usize = THREAD_BASE;
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
  return self != THREAD_BASE;
}
