// fault.ts: fault records for bad input, and the abort handler for internal assertions.
//
// A bad free records {code, ptr, thread, what was found} and changes nothing else. The
// start-up policy then decides: POLICY_REPORT returns to the caller, POLICY_STRICT traps
// (the host decodes the record from shared memory after the worker died).

import { GlobalHeader, FaultRecord, ThreadCounters, faultBase, FAULT_CAP, FAULT_RECORD_SIZE,
         FAULT_INTERNAL, POLICY_STRICT, EV_FAULT, TH_COUNTERS_OFFSET, DEBUG_BUILD, hdr, hdrField }
  from "./types";
import { self, selfTid } from "./tls";
import { ringRecord, ringSeq } from "./ring";

/** Write a fault record and the ring event; returns the fault's sequence number. */
function writeFault(code: u32, ptr: usize, found: u32, aux: u32): u32 {
  const seq = atomic.add<u32>(hdrField(offsetof<GlobalHeader>("faultSeq")), 1) + 1;
  const r = changetype<FaultRecord>(faultBase() + ((seq - 1) & (FAULT_CAP - 1)) * FAULT_RECORD_SIZE);
  atomic.store<u32>(changetype<usize>(r), 0);
  r.code = code;
  r.ptr = <u32>ptr;
  r.tid = selfTid;
  r.found = found;
  r.aux = aux;
  ringRecord(EV_FAULT, 0, ptr, code);
  r.ringSeq = ringSeq();
  atomic.store<u32>(changetype<usize>(r), seq);
  const c = changetype<ThreadCounters>(self + TH_COUNTERS_OFFSET);
  c.faults++;
  return seq;
}

/** Record a condition the caller reports by its return value too (never traps, whatever the policy). */
export function recordFault(code: u32, ptr: usize, found: u32, aux: u32): void {
  writeFault(code, ptr, found, aux);
}

/** Record a bad-input fault; traps under the strict policy, else returns. */
export function reportFault(code: u32, ptr: usize, found: u32, aux: u32): void {
  writeFault(code, ptr, found, aux);
  if (hdr().faultPolicy == POLICY_STRICT) unreachable();
}

/**
 * Debug build: an allocator invariant. If `ok` is false, record FAULT_INTERNAL with the
 * ASSERT_* `code` (and `ptr`, `value` for the post-mortem), then trap. Compiled out of the
 * release build.
 */
// @ts-ignore: decorator
@inline export function debugAssert(ok: bool, code: u32, ptr: usize, value: u32): void {
  if (DEBUG_BUILD && !ok) internalFault(code, ptr, value);
}

/** Record an internal fault and trap (the host decodes the record after the worker died). */
export function internalFault(code: u32, ptr: usize, value: u32): void {
  writeFault(FAULT_INTERNAL, ptr, value, code);
  unreachable();
}

/**
 * The module's `abort` (wired with `--use abort=...`). The allocator's own checks use
 * debugAssert; this catches anything the compiler itself guards (none today), without
 * touching the message (a string in a data segment the module does not have).
 */
export function onAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  internalFault(0, 0, line);
}

/** Number of faults recorded so far. */
export function faultCount(): u32 {
  return atomic.load<u32>(hdrField(offsetof<GlobalHeader>("faultSeq")));
}
