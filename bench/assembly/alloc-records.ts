// alloc-records.ts: memory for the harness's own records (run records, slot arrays, rings),
// taken from the allocator under test outside the timed regions, as the C harness does.

import { hkAlignedAlloc } from "../../assembly/alloc";
import { hkFree } from "../../assembly/free";
import { ASRT, bMalloc } from "./malloc";
import { LINE } from "./structs";

/** A zeroed record of `size` bytes on its own cache lines (64-byte aligned), or 0. The floor
 *  build takes records from the hakmem heap too (the floor has no aligned allocation). */
export function recordAlloc(size: usize): usize {
  const p = ASRT ? heap.alloc(size) : hkAlignedAlloc(LINE, size);
  if (p != 0) memory.fill(p, 0, size);
  return p;
}

/** Free a record from recordAlloc. */
export function recordFree(p: usize): void {
  if (ASRT) heap.free(p);
  else hkFree(p);
}

/** A zeroed array of `n` slots ({ptr, sz}), or 0. */
export function slotsAlloc(n: u32): usize {
  const bytes = <usize>n << 3;
  const p = bMalloc(bytes);
  if (p != 0) memory.fill(p, 0, bytes);
  return p;
}
