// classes.ts: the size-class table, the single source of truth for class sizes and strides.
//
// Spacing: 8, then 16-byte steps to 256, 32-byte steps to 512, 64-byte steps to 1024 (the tiny
// classes, 33 of them), then four classes per doubling up to 32 KiB (the mid classes, 20).
// A class's stride is its size: every stride >= 16 is a multiple of 16, so blocks of 16 bytes
// or more are 16-byte aligned (slab data starts are 4 KiB aligned).
//
//   class:   0   1   2   3  ...  16  17  ...  24  25  ...  32 |   33 ...   52
//   size:    8  16  32  48  ... 256 288  ... 512 576  ... 1024 | 1280 ... 32768
//
// The size -> class map (one byte per 8 bytes of size) is derived from this table at init and
// lives in the control chunk, so the fast path is one load.

import { CLASS_MAP_BASE, NUM_CLASSES, SMALL_MAX, TINY_MAX, SMALL_CACHE_CAP,
         CACHE_OFF, CACHE_SMALL } from "./types";

const CLASS_SIZES = memory.data<u16>([
  8, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
  288, 320, 352, 384, 416, 448, 480, 512,
  576, 640, 704, 768, 832, 896, 960, 1024,
  1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
  10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768,
]);

/** Block size (and stride) of class `cls`. */
// @ts-ignore: decorator
@inline export function classSize(cls: u32): u32 {
  return <u32>load<u16>(CLASS_SIZES + (<usize>cls << 1));
}

/** The smallest class whose size is >= `size` (size <= SMALL_MAX). One load. */
// @ts-ignore: decorator
@inline export function classOf(size: usize): u32 {
  return <u32>load<u8>(CLASS_MAP_BASE + ((size + 7) >> 3));
}

/** Build the size -> class map from the table (called once, by init). */
export function buildClassMap(): void {
  let cls: u32 = 0;
  for (let i: u32 = 0; i <= (SMALL_MAX >> 3); i++) {
    const size = i << 3;
    while (classSize(cls) < size) cls++;
    store<u8>(CLASS_MAP_BASE + i, <u8>cls);
  }
}

/** Check the table's shape: increasing, multiples of 16 above 8, last == SMALL_MAX. */
export function classTableValid(): bool {
  if (classSize(NUM_CLASSES - 1) != SMALL_MAX) return false;
  for (let c: u32 = 1; c < NUM_CLASSES; c++) {
    if (classSize(c) <= classSize(c - 1) || (classSize(c) & 15) != 0) return false;
  }
  return classSize(0) == 8;
}

/** Per-thread cache capacity of a class under a cache mode: ~16 KiB of blocks, 8..128. */
export function cacheCapFor(cls: u32, mode: u32): u32 {
  if (mode == CACHE_OFF) return 0;
  if (mode == CACHE_SMALL) return SMALL_CACHE_CAP;
  const size = classSize(cls);
  let cap = (16384 / size);
  if (size <= TINY_MAX && cap < 32) cap = 32;
  if (cap < 4) cap = 4;
  if (cap > 128) cap = 128;
  return cap;
}

/** Reciprocal for exact division of slab offsets (< SLAB_SIZE) by the stride. */
// @ts-ignore: decorator
@inline export function strideRecip(stride: u32): u32 {
  return <u32>((<u64>1 << 32) / <u64>stride) + 1;
}

/** offset / stride for offset < SLAB_SIZE, with one multiply (exhaustively tested). */
// @ts-ignore: decorator
@inline export function divByStride(offset: u32, recip: u32): u32 {
  return <u32>((<u64>offset * <u64>recip) >> 32);
}

