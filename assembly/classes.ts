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

/** Blocks of cache a class gets by default: this many bytes' worth, within the bounds below. */
// @ts-ignore: decorator
@inline const CACHE_BYTES: u32 = 16384;
/** The least a tiny class (<= 1 KiB) caches by default. */
// @ts-ignore: decorator
@inline const TINY_CACHE_MIN: u32 = 32;
/**
 * The least a mid class (1 KiB .. 32 KiB) caches by default. With 4, as CACHE_BYTES alone gave
 * the classes of 4 KiB and up, every second malloc or free of them took the slow path (a refill
 * or spill of 2 blocks), and their 2- to 16-block slabs went back and forth to the pool: midlarge
 * 1T made 0.2 refills or spills per op and ran 226 x86 instructions per op, the floor's 108.
 * With 16 it runs 1.3x as fast (bench-ab); a thread then caches at most about 3.2 MiB of mid
 * blocks (16 of each of the 20 classes), which collect(), park and detach give back.
 */
// @ts-ignore: decorator
@inline const MID_CACHE_MIN: u32 = 16;
/** The most any class caches. */
// @ts-ignore: decorator
@inline const CACHE_MAX: u32 = 128;

/**
 * Per-thread cache capacity of a class under a cache mode: CACHE_BYTES of blocks, at least
 * TINY_CACHE_MIN (tiny) or MID_CACHE_MIN (mid) blocks, at most CACHE_MAX.
 */
export function cacheCapFor(cls: u32, mode: u32): u32 {
  if (mode == CACHE_OFF) return 0;
  if (mode == CACHE_SMALL) return SMALL_CACHE_CAP;
  const size = classSize(cls);
  const least = size <= TINY_MAX ? TINY_CACHE_MIN : MID_CACHE_MIN;
  const cap = CACHE_BYTES / size;
  return cap < least ? least : cap > CACHE_MAX ? CACHE_MAX : cap;
}

/** Trailing zero bits of `stride` (a class size: a power of two times an odd number). */
// @ts-ignore: decorator
@inline export function strideShift(stride: u32): u32 {
  return ctz<u32>(stride);
}

/** The inverse mod 2^32 of the stride's odd part (Newton: each step doubles the exact bits). */
export function strideInverse(stride: u32): u32 {
  const odd = stride >> strideShift(stride);
  let inv = odd;                               // odd * odd == 1 mod 8: 3 bits
  for (let i = 0; i < 4; i++) inv *= 2 - odd * inv; // 6, 12, 24, 48 bits
  return inv;
}

/**
 * Exact division by a stride, d = odd << shift, with `inv` its odd part's inverse mod 2^32:
 * for any 32-bit offset, rotr(offset * inv, shift) is offset / d when d divides it, and
 * otherwise at least 2^17, above any slab's block count (<= SLAB_SIZE / 16 = 4096): a low bit
 * of the offset below `shift` lands in the top bits, and an odd-part remainder leaves the
 * product above (2^(32 - shift) - 1) / odd (Granlund-Montgomery; Lemire et al. 2019, for
 * divisibility by an odd number). So one compare of the result against a block count accepts
 * exactly the block starts below that count, an offset that wrapped below the data start
 * included. One multiply, one rotate.
 */
// @ts-ignore: decorator
@inline export function exactIndex(offset: u32, inv: u32, shift: u32): u32 {
  return rotr<u32>(offset * inv, shift);
}

