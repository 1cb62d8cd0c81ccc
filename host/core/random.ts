// random.ts: the seeded random streams the host's workloads, trials and soaks use (one
// definition; environment independent). Deterministic per seed, not for security.

/** A 32-bit mix (murmur3's finaliser): a different-looking word for every input. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** xorshift32 from `seed` as given (0 becomes a fixed non-zero state), returning uint32. */
export function xorshift32(seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

/**
 * xorshift32 from a mixed seed, returning uint32: consecutive small seeds give unrelated
 * streams (xorshift's first outputs from a raw small seed grow with the seed).
 */
export function seededRng(seed: number): () => number {
  return xorshift32(mix32(seed));
}
