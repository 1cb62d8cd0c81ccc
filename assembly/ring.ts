// ring.ts: the debug ring, a fixed array of 16-byte events in the control chunk.
//
// Writers claim a sequence number with one atomic add, fill the slot, then store the
// sequence last; a reader (the host, even after a worker died) trusts a slot whose seq
// field is the one it expects for that position. The release build records slow-path
// events only (refill, spill, carve, pushes, drains, ...), and RING_OFF turns those off at
// run time; the debug build also records every fast-path alloc and free.

import { GlobalHeader, RingEvent, ringBase, RING_CAP, RING_EVENT_SIZE, RING_OFF, RING_ALL,
         hdrField } from "./types";
import { selfTid } from "./tls";

/** Current ring mode (RING_OFF, RING_SLOW, RING_ALL). */
// @ts-ignore: decorator
@inline export function ringMode(): u32 {
  return atomic.load<u32>(hdrField(offsetof<GlobalHeader>("ringMode")));
}

/** Record a slow-path event unless the ring is off. */
export function ringRecord(kind: u8, cls: u32, ptr: usize, aux: u32): void {
  if (ringMode() == RING_OFF) return;
  ringWrite(kind, cls, ptr, aux);
}

/** Record a fast-path event (callers compile this in the debug build only). */
export function ringRecordFast(kind: u8, cls: u32, ptr: usize, aux: u32): void {
  if (ringMode() != RING_ALL) return;
  ringWrite(kind, cls, ptr, aux);
}

/** Claim a slot and write one event; seq is stored last. */
function ringWrite(kind: u8, cls: u32, ptr: usize, aux: u32): void {
  const seq = atomic.add<u32>(hdrField(offsetof<GlobalHeader>("ringSeq")), 1) + 1;
  const e = changetype<RingEvent>(ringBase() + ((seq - 1) & (RING_CAP - 1)) * RING_EVENT_SIZE);
  atomic.store<u32>(changetype<usize>(e), 0); // mark the slot as being written
  e.thread = <u16>selfTid;
  e.kind = kind;
  e.cls = <u8>cls;
  e.ptr = <u32>ptr;
  e.aux = aux;
  atomic.store<u32>(changetype<usize>(e), seq);
}

/** The sequence number of the last claimed event. */
export function ringSeq(): u32 {
  return atomic.load<u32>(hdrField(offsetof<GlobalHeader>("ringSeq")));
}
