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
// The table is the rule below; init writes it (class -> size, u16 each) and the size -> class
// map (one byte per 8 bytes of size) into the control region, so the module carries no data
// segment and the fast path's lookup is one load.

import { HEAP_BASE, CLASS_MAP_OFF, CLASS_SIZE_OFF, NUM_CLASSES, SMALL_MAX, TINY_MAX,
         SMALL_CACHE_CAP, CACHE_OFF, CACHE_SMALL } from "./types";

/** Tiny classes end here: class 0 is 8 bytes, 1..16 step 16, 17..24 step 32, 25..32 step 64. */
// @ts-ignore: decorator
@inline const LAST_TINY_CLASS: u32 = 32;

/** The class table as a rule: size of class `cls` (cls < NUM_CLASSES). */
export function classSizeRule(cls: u32): u32 {
  if (cls == 0) return 8;
  if (cls <= 16) return cls << 4;                      // 16 .. 256
  if (cls <= 24) return 256 + ((cls - 16) << 5);       // 288 .. 512
  if (cls <= LAST_TINY_CLASS) return 512 + ((cls - 24) << 6); // 576 .. 1024
  const m = cls - LAST_TINY_CLASS - 1;                 // mid classes: four per doubling
  const octave: u32 = TINY_MAX << (m >> 2);            // 1024, 2048, ... 16384
  return octave + (octave >> 2) * ((m & 3) + 1);       // 1280 .. 32768
}

/** Block size (and stride) of class `cls`, from the table init wrote. */
// @ts-ignore: decorator
@inline export function classSize(cls: u32): u32 {
  return <u32>load<u16>(HEAP_BASE + (<usize>cls << 1), CLASS_SIZE_OFF);
}

/** The smallest class whose size is >= `size` (size <= SMALL_MAX). One load. */
// @ts-ignore: decorator
@inline export function classOf(size: usize): u32 {
  return <u32>load<u8>(HEAP_BASE + ((size + 7) >> 3), CLASS_MAP_OFF);
}

/** Write the class table and the size -> class map from the rule (called once, by init). */
export function buildClassMap(): void {
  for (let c: u32 = 0; c < NUM_CLASSES; c++) {
    store<u16>(HEAP_BASE + (<usize>c << 1), <u16>classSizeRule(c), CLASS_SIZE_OFF);
  }
  let cls: u32 = 0;
  for (let i: u32 = 0; i <= (SMALL_MAX >> 3); i++) {
    const size = i << 3;
    while (classSize(cls) < size) cls++;
    store<u8>(HEAP_BASE + i, <u8>cls, CLASS_MAP_OFF);
  }
}

/** Check the table's shape: increasing, multiples of 16 above 8, last == SMALL_MAX. */
export function classTableValid(): bool {
  if (classSize(NUM_CLASSES - 1) != SMALL_MAX || classSize(LAST_TINY_CLASS) != TINY_MAX) return false;
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

