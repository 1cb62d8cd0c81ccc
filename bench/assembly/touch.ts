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

/**
 * 1 if either pattern is broken, else 0. Both bytes are read and compared without a branch:
 * the `a && b` of a bool, and a caller's `verify && !ok`, compile to an `if (result i32)`
 * that V8 makes a boolean and tests again, in the workloads' hot loops (the loops test
 * `if (verify) bad += broken(...)`: one branch on a loop-invariant local).
 */
// @ts-ignore: decorator
@inline export function broken(p: usize, sz: u32, k: u32): u64 {
  return <u64>((<u32>(load<u8>(p) != pat0(sz, k))) | (<u32>(load<u8>(p + <usize>sz - 1) != pat1(sz, k))));
}
