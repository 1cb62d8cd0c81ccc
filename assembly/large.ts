// large.ts: requests above SMALL_MAX (32 KiB), and alignments above SMALL_ALIGN_MAX.
//
//   (32 KiB, 960 KiB]  a large run: k consecutive 64 KiB slabs of one SuperSlab (slabs 1..15),
//                      64 KiB aligned; the head slab's meta says SLAB_LARGE, the others
//                      SLAB_LARGE_TAIL, so an interior pointer is recognised, never freed.
//   above 960 KiB      a huge span: n whole chunks, 1 MiB aligned; the registry marks the
//                      first chunk REG_HUGE (payload n) and the rest REG_HUGE_TAIL.
//
// Both come from and go back to the pool under its lock: large requests are rare next to
// small ones and touch far more memory than the lock costs. Freed runs and spans are reused
// by any later request (a SuperSlab whose slabs are all free returns its chunk to the pool).

import { CHUNK_SHIFT, CHUNK_MASK, SLAB_SHIFT, SLAB_SIZE, LARGE_MAX, MAX_CHUNKS,
         EV_LARGE_ALLOC, EV_LARGE_FREE } from "./types";
import { poolLock, poolUnlock, largeRunAcquire, largeRunRelease, hugeAcquire, hugeRelease }
  from "./pool";
import { slabMeta } from "./superslab";
import { regPayload } from "./registry";
import { self } from "./tls";
import { counters } from "./heap";
import { ringRecord } from "./ring";

/** Allocate `size` bytes as a large run (64 KiB aligned) or huge span (1 MiB aligned). */
export function largeMalloc(size: usize, hugeOnly: bool): usize {
  let p: usize = 0;
  if (size <= LARGE_MAX && !hugeOnly) {
    const k = <u32>((size + SLAB_SIZE - 1) >>> SLAB_SHIFT);
    poolLock();
    const m = largeRunAcquire(k == 0 ? 1 : k, <u32>size);
    poolUnlock();
    if (m != 0) p = <usize>slabMeta(m).dataStart;
  } else {
    const n64 = (<u64>size + CHUNK_MASK) >> CHUNK_SHIFT;
    if (n64 < <u64>MAX_CHUNKS) {
      poolLock();
      p = hugeAcquire(n64 == 0 ? 1 : <u32>n64);
      poolUnlock();
    }
  }
  if (p == 0) return 0; // the caller retries after giving memory back, then reports OOM
  counters(self).largeAllocs++;
  ringRecord(EV_LARGE_ALLOC, 0, p, <u32>size);
  return p;
}

/** Free a large run given its head SlabMeta (the caller validated the pointer). */
export function largeRunFree(m: usize): void {
  ringRecord(EV_LARGE_FREE, 0, <usize>slabMeta(m).dataStart, <u32>slabMeta(m).span << SLAB_SHIFT);
  poolLock();
  largeRunRelease(m);
  poolUnlock();
  counters(self).largeFrees++;
}

/** Free a huge span starting at `p` whose registry entry is `entry` (validated). */
export function hugeFree(p: usize, entry: u32): void {
  const n = regPayload(entry);
  ringRecord(EV_LARGE_FREE, 0, p, n << CHUNK_SHIFT);
  poolLock();
  hugeRelease(<u32>(p >>> CHUNK_SHIFT), n);
  poolUnlock();
  counters(self).largeFrees++;
}

/** Usable bytes of a large run. */
// @ts-ignore: decorator
@inline export function largeRunUsable(m: usize): usize {
  return <usize>slabMeta(m).span << SLAB_SHIFT;
}

/** Usable bytes of a huge span. */
// @ts-ignore: decorator
@inline export function hugeUsable(entry: u32): usize {
  return <usize>regPayload(entry) << CHUNK_SHIFT;
}
