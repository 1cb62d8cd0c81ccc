// rng.ts: the random numbers of WORKLOADS.md section 1. The state is a plain u32 that the
// workloads keep in a local (a register) during their hot loops, so rngNext takes the state
// and returns the new one (which is also the output).

/** MurmurHash3's 32-bit finalizer. */
// @ts-ignore: decorator
@inline export function fmix32(h: u32): u32 {
  h ^= h >> 16; h *= 0x85EBCA6B;
  h ^= h >> 13; h *= 0xC2B2AE35;
  h ^= h >> 16;
  return h;
}

/** Initial state of stream `stream` under `seed`; never 0 (xorshift would stay at 0). */
// @ts-ignore: decorator
@inline export function rngInit(seed: u32, stream: u32): u32 {
  const s = fmix32(seed + 0x9E3779B9 * (stream + 1));
  return s != 0 ? s : 0x6D2B79F5;
}

/** Marsaglia xorshift32 (13, 17, 5): the next state, which is also the output. */
// @ts-ignore: decorator
@inline export function rngNext(x: u32): u32 {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

/** A value in [0, n) from one output: one multiply, no rejection. */
// @ts-ignore: decorator
@inline export function bounded(r: u32, n: u32): u32 {
  return <u32>((<u64>r * <u64>n) >> 32);
}
