// barrier.ts: a reusable barrier for the threads of one run, in shared memory: an arrival
// count and a generation word, each on its own line. The last thread to arrive resets the
// count, bumps the generation and wakes the sleepers; the others spin on the generation,
// then sleep on it through the host (so more threads than cores still make progress;
// host-wait.ts says why not with wasm's own wait).

import { hostWait, hostNotify } from "./host-wait";

/**
 * Reads of the generation before a thread sleeps: up to about a millisecond. midlarge's rounds
 * are about a hundred microseconds of work per thread, so a barrier that slept sooner (it
 * spun 4096 reads) paid a wake-up per round and made every allocator, the floor too, slower on
 * two threads than on one (floor-wasm 18.2 -> 6.4 Mops/s); the C harness spins the same.
 */
// @ts-ignore: decorator
@inline const SPINS_BEFORE_WAIT: u32 = 1 << 18;

/** Wait until `n` threads have called this with the same `count`/`gen` words. */
export function barrierWait(count: usize, gen: usize, n: u32): void {
  const g = atomic.load<u32>(gen);
  if (atomic.add<u32>(count, 1) + 1 == n) {
    atomic.store<u32>(count, 0); // before the generation moves: nobody can re-enter yet
    atomic.add<u32>(gen, 1);
    hostNotify(gen);
    return;
  }
  let spins: u32 = 0;
  while (atomic.load<u32>(gen) == g) {
    if (++spins >= SPINS_BEFORE_WAIT) hostWait(gen, <i32>g, -1);
  }
}
