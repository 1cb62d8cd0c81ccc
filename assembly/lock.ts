// lock.ts: a spin lock in shared memory for the rare global paths (pool, checker).
//
// Spins without atomic.wait: wait traps on a browser's main thread, and every section
// protected by these locks is short (no allocation, no user code).

/** Take the lock at `addr`; `holder` (non-zero) is recorded for post-mortem decoding. */
export function spinLock(addr: usize, holder: u32): void {
  while (true) {
    // Read first so that waiting threads do not bounce the line with failed CAS writes.
    if (atomic.load<u32>(addr) == 0 && atomic.cmpxchg<u32>(addr, 0, holder) == 0) return;
  }
}

/** Release the lock at `addr`. The seq-cst store publishes every write made under it. */
// @ts-ignore: decorator
@inline export function spinUnlock(addr: usize): void {
  atomic.store<u32>(addr, 0);
}
