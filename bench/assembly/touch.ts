// touch.ts: the block patterns of WORKLOADS.md section 2. Every block gets two byte stores
// right after malloc (first byte, then last byte). Linear-memory stores are observable side
// effects for Binaryen (the memory is imported and shared), so they are never removed.

/** Pattern of the first byte. */
// @ts-ignore: decorator
@inline export function pat0(sz: u32, k: u32): u8 {
  return <u8>(sz + k);
}

/** Pattern of the last byte. */
// @ts-ignore: decorator
@inline export function pat1(sz: u32, k: u32): u8 {
  return <u8>((sz >> 8) ^ k ^ 0xA5);
}

/** Write both patterns into the block at `p` of `sz` bytes (sz >= 2). */
// @ts-ignore: decorator
@inline export function touch(p: usize, sz: u32, k: u32): void {
  store<u8>(p, pat0(sz, k));
  store<u8>(p + <usize>sz - 1, pat1(sz, k));
}

/** True if both patterns are intact. */
// @ts-ignore: decorator
@inline export function check(p: usize, sz: u32, k: u32): bool {
  return load<u8>(p) == pat0(sz, k) && load<u8>(p + <usize>sz - 1) == pat1(sz, k);
}
