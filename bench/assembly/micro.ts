// micro.ts: warm single-thread micro-benchmarks, timed by the host around ONE call so the
// figure is the cost inside wasm (one JS-to-wasm call spread over n iterations).

import { bMalloc, bFree, bAttach } from "./malloc";

/**
 * n pairs of malloc(size) / free on the calling thread; one byte store per block so the
 * block is really used. Returns an xor of the addresses (keeps the loop observable).
 */
export function micro_pairs(n: u32, size: u32): u32 {
  bAttach();
  let acc: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const p = bMalloc(size);
    store<u8>(p, <u8>i);
    acc ^= <u32>p;
    bFree(p);
  }
  return acc;
}

/**
 * n rounds of `batch` mallocs of `size` followed by their frees in reverse order: the
 * cache-refill and spill paths as well as the fast path. `scratch` holds batch pointers.
 */
export function micro_batch(n: u32, batch: u32, size: u32, scratch: usize): u32 {
  bAttach();
  let acc: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    for (let k: u32 = 0; k < batch; k++) {
      const p = bMalloc(size);
      store<u8>(p, <u8>k);
      store<u32>(scratch + (<usize>k << 2), <u32>p);
    }
    for (let k: u32 = batch; k > 0; k--) {
      const p = <usize>load<u32>(scratch + (<usize>(k - 1) << 2));
      acc ^= <u32>p;
      bFree(p);
    }
  }
  return acc;
}
