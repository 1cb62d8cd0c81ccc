// idle.ts: what a thread does while it waits for another (xfree's full/empty rings). It
// spins; after a long fruitless stretch it sleeps a moment so that, when threads outnumber
// cores, the thread it waits for gets the core (wasm has no sched_yield; a timed wait is the
// only way to give the core up).

import { hostWait } from "./host-wait";

// Empty polls before one short sleep: long enough that two threads on two cores never
// sleep in the steady state.
// @ts-ignore: decorator
@inline const SPINS_BEFORE_SLEEP: u32 = 1024;
// @ts-ignore: decorator
@inline const SLEEP_US: i32 = 1;

/** One fruitless poll; `n` counts consecutive ones. Returns the new count. */
// @ts-ignore: decorator
@inline export function idle(n: u32, sleepWord: usize): u32 {
  if (n + 1 < SPINS_BEFORE_SLEEP) return n + 1;
  // Nobody notifies this word and it stays 0: the wait always times out.
  hostWait(sleepWord, 0, SLEEP_US);
  return 0;
}
