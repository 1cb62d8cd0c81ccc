// host-wait.ts: blocking waits go through the host (JavaScript's Atomics.wait/notify), not
// wasm's memory.atomic.wait32/notify. Node 20's baseline wasm compiler (V8 Liftoff)
// corrupts the calling function's live locals across memory.atomic.wait32: a loop of five
// waits ran once, an i32 loop never ended, and xfree's producer stopped after ~1,000 of its
// blocks (see bench/README.md). An imported call is compiled correctly in every tier, and
// these waits only happen after long fruitless spins, so the call's cost does not matter.

/** Sleep while the i32 at `addr` equals `expected`, at most `timeoutUs` µs (< 0: no limit). */
// @ts-ignore: decorator
@external("env", "bench_wait")
export declare function hostWait(addr: usize, expected: i32, timeoutUs: i32): void;

/** Wake every thread sleeping on `addr`. */
// @ts-ignore: decorator
@external("env", "bench_notify")
export declare function hostNotify(addr: usize): void;
