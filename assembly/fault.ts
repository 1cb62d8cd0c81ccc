// fault.ts: fault records for bad input, and the abort handler for internal assertions.
//
// A bad free records {code, ptr, thread, what was found} and changes nothing else. The
// start-up policy then decides: POLICY_REPORT returns to the caller, POLICY_STRICT traps
// (the host decodes the record from shared memory after the worker died).

import { GlobalHeader, FaultRecord, ThreadCounters, FAULT_BASE, FAULT_CAP, FAULT_RECORD_SIZE,
         FAULT_INTERNAL, POLICY_STRICT, EV_FAULT, TH_COUNTERS_OFFSET, hdr, hdrField }
  from "./types";
import { self, selfTid } from "./tls";
import { ringRecord, ringSeq } from "./ring";

/** Write a fault record and the ring event; returns the fault's sequence number. */
function writeFault(code: u32, ptr: usize, found: u32, aux: u32): u32 {
  const seq = atomic.add<u32>(hdrField(offsetof<GlobalHeader>("faultSeq")), 1) + 1;
  const r = changetype<FaultRecord>(FAULT_BASE + ((seq - 1) & (FAULT_CAP - 1)) * FAULT_RECORD_SIZE);
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

/** Record a bad-input fault; traps under the strict policy, else returns. */
export function reportFault(code: u32, ptr: usize, found: u32, aux: u32): void {
  writeFault(code, ptr, found, aux);
  if (hdr().faultPolicy == POLICY_STRICT) unreachable();
}

/**
 * The module's `abort` (wired with `--use abort=...`): an allocator assertion failed.
 * Records FAULT_INTERNAL with the source line and the message's address, then traps.
 */
export function onAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  writeFault(FAULT_INTERNAL, changetype<usize>(message), line, <u32>changetype<usize>(fileName));
  unreachable();
}

/** Number of faults recorded so far. */
export function faultCount(): u32 {
  return atomic.load<u32>(hdrField(offsetof<GlobalHeader>("faultSeq")));
}
