// lock.ts: the locks of the rare global paths (the pool, the checker), in shared memory.
//
//   addr + 0   holder: 0 free, else the tid of the thread that holds it (read post mortem, and
//              by reclaim, which takes over a lock whose holder died: thread.ts)
//   addr + 4   waiters: threads asleep in memory.atomic.wait32 on the holder word
//   addr + 8   taken: times the lock was taken (written by the holder: a plain add)
//   addr + 12  sleeps: times a thread went to sleep on it (an atomic add, rare)
//
// Taking a free lock is one compare-and-swap. A thread that finds it held spins a little
// (LOCK_SPINS reads: the sections are short, a holder that is running leaves soon), then, if
// this instance may block, sleeps on the holder word: with more workers than cores the holder
// may be preempted inside its section, and spinners would then burn the core it needs. A thread
// that may not block (a browser page's main thread, where wait traps; the default until the
// host says otherwise, lockSetCanWait) keeps spinning.
//
// No lost wake-up: a sleeper counts itself in `waiters`, then reads the holder word and sleeps
// only while the word still holds what it read (wait32 compares atomically); the releaser
// stores 0, then reads `waiters` and wakes one. All four accesses are sequentially consistent,
// so either the sleeper reads 0 (and does not sleep) or the releaser reads its count (and
// wakes it, or wait32 finds the word changed). A sleep is also bounded (LOCK_SLEEP_NS): a
// holder that died is taken over by reclaim, which releases and wakes, but nothing may hang on
// a wake-up that never comes.

import { LOCK_WAITERS, LOCK_TAKEN, LOCK_SLEEPS } from "./types";

/** Reads of the holder word before a thread that may block goes to sleep. */
// @ts-ignore: decorator
@inline const LOCK_SPINS: u32 = 256;
/** The longest single sleep, in nanoseconds (then the thread looks again). */
// @ts-ignore: decorator
@inline const LOCK_SLEEP_NS: i64 = 1_000_000;

/** Whether this instance may block in memory.atomic.wait32 (per instance: a module global). */
let canWait: bool = false;

/** Say whether this instance's thread may block (the host knows; a browser main thread may not). */
export function lockSetCanWait(allowed: bool): void {
  canWait = allowed;
}

/** Whether this instance may block. */
export function lockCanWait(): bool {
  return canWait;
}

/** Take the lock at `addr`; `holder` (non-zero) is recorded for post-mortem decoding. */
export function lockAcquire(addr: usize, holder: u32): void {
  if (atomic.cmpxchg<u32>(addr, 0, holder) != 0) lockContended(addr, holder); // free: one CAS
  store<u32>(addr + LOCK_TAKEN, load<u32>(addr + LOCK_TAKEN) + 1); // ours now: a plain add
}

/** Release the lock at `addr`, waking one sleeper if there is one. */
export function lockRelease(addr: usize): void {
  atomic.store<u32>(addr, 0); // seq-cst: publishes every write made under the lock
  if (atomic.load<u32>(addr + LOCK_WAITERS) != 0) atomic.notify(addr, 1);
}

/** The lock was held: spin a little, then sleep until it is free (or spin on, if we may not block). */
function lockContended(addr: usize, holder: u32): void {
  for (let i: u32 = 0; i < LOCK_SPINS || !canWait; i++) {
    // Read first so that waiting threads do not bounce the line with failed CAS writes.
    if (atomic.load<u32>(addr) == 0 && atomic.cmpxchg<u32>(addr, 0, holder) == 0) return;
  }
  while (true) {
    atomic.add<u32>(addr + LOCK_WAITERS, 1);
    const seen = atomic.load<u32>(addr);
    if (seen != 0) {
      atomic.add<u32>(addr + LOCK_SLEEPS, 1);
      lockSleep(addr, seen, 0);
    }
    atomic.sub<u32>(addr + LOCK_WAITERS, 1);
    if (atomic.load<u32>(addr) == 0 && atomic.cmpxchg<u32>(addr, 0, holder) == 0) return;
  }
}

/**
 * Sleep while the holder word at `addr` is `seen` (at most LOCK_SLEEP_NS). A function of its
 * own that Binaryen cannot inline (it is recursive; `depth` is always 0), so the caller makes
 * a real call: Node 20's baseline compiler (Liftoff) corrupts locals that live in registers
 * across a wait (memory.atomic.wait32; bench/README.md), and a call makes it keep the caller's locals
 * on the stack; here nothing is live after the wait.
 */
function lockSleep(addr: usize, seen: u32, depth: u32): void {
  if (depth != 0) {
    lockSleep(addr, seen, depth - 1);
    return;
  }
  atomic.wait<i32>(addr, <i32>seen, LOCK_SLEEP_NS);
}
