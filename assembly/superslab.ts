// superslab.ts: SuperSlab geometry. Where a slab's metadata, remote head, bitmap and blocks
// are, computed from any address inside the SuperSlab (see the diagram in types.ts).
//
// Everything here is pure address arithmetic over the 1 MiB alignment of SuperSlabs: the
// slab of a pointer is (p >> 16) & 15 and its SuperSlab is p & ~(1 MiB - 1).

import { SuperSlabHeader, SlabMeta, CHUNK_MASK, SLAB_SHIFT, SLAB_SIZE, SLABS_PER_SS,
         SS_META_OFFSET, SLAB_META_SIZE, SS_REMOTE_OFFSET, REMOTE_STRIDE, SS_BITMAP_OFFSET,
         BITMAP_BYTES_PER_SLAB, SS_HEADER_SIZE, SS_MAGIC, DEBUG_BUILD, REMOTE_BITS_MIN_STRIDE } from "./types";

/** SuperSlab base of any address inside it. */
// @ts-ignore: decorator
@inline export function ssOf(p: usize): usize {
  return p & ~<usize>CHUNK_MASK;
}

/** SlabMeta of the slab holding `p`. */
// @ts-ignore: decorator
@inline export function metaOf(p: usize): usize {
  return ssOf(p) + SS_META_OFFSET + (((p >>> SLAB_SHIFT) & (SLABS_PER_SS - 1)) << 6);
}

/** SlabMeta of slab `k` of SuperSlab `ss`. */
// @ts-ignore: decorator
@inline export function metaAt(ss: usize, k: u32): usize {
  return ss + SS_META_OFFSET + k * SLAB_META_SIZE;
}

/** Index (0..15) of the slab a SlabMeta describes. */
// @ts-ignore: decorator
@inline export function slabIndex(m: usize): u32 {
  return <u32>((m & CHUNK_MASK) - SS_META_OFFSET) / SLAB_META_SIZE;
}

/** Base address of the 64 KiB slab a SlabMeta describes. */
// @ts-ignore: decorator
@inline export function slabBase(m: usize): usize {
  return ssOf(m) + (<usize>slabIndex(m) << SLAB_SHIFT);
}

/** Where slab k's blocks start (slab 0 starts after the SuperSlab header). */
// @ts-ignore: decorator
@inline export function slabDataStart(ss: usize, k: u32): usize {
  return k == 0 ? ss + SS_HEADER_SIZE : ss + (<usize>k << SLAB_SHIFT);
}

/** How many bytes of blocks slab k has. */
// @ts-ignore: decorator
@inline export function slabDataBytes(k: u32): u32 {
  return k == 0 ? SLAB_SIZE - SS_HEADER_SIZE : SLAB_SIZE;
}

/** The remote-free stack head of a slab (its own cache line). */
// @ts-ignore: decorator
@inline export function remoteHeadOf(m: usize): usize {
  return ssOf(m) + SS_REMOTE_OFFSET + slabIndex(m) * REMOTE_STRIDE;
}

/**
 * Does a slab of stride `stride` take remote frees as bits of its remote head (at most 32
 * blocks), rather than as a chain? (types.ts, REMOTE_BITS_MIN_STRIDE)
 */
// @ts-ignore: decorator
@inline export function remoteByBits(stride: u32): bool {
  return stride >= REMOTE_BITS_MIN_STRIDE;
}

/** The debug build's allocation bitmap of a slab (bit i set: block i is with the user). */
// @ts-ignore: decorator
@inline export function bitmapOf(m: usize): usize {
  return ssOf(m) + SS_BITMAP_OFFSET + slabIndex(m) * BITMAP_BYTES_PER_SLAB;
}

/** Initialise a SuperSlab header in a chunk (all slabs free, remote heads empty). */
export function superslabFormat(ss: usize, chunk: u32): void {
  memory.fill(ss, 0, SS_HEADER_SIZE);
  const h = changetype<SuperSlabHeader>(ss);
  h.chunk = chunk;
  h.magic = SS_MAGIC;
}

/** The header of a SuperSlab. */
// @ts-ignore: decorator
@inline export function ssHeader(ss: usize): SuperSlabHeader {
  return changetype<SuperSlabHeader>(ss);
}

/** A SlabMeta view. */
// @ts-ignore: decorator
@inline export function slabMeta(m: usize): SlabMeta {
  return changetype<SlabMeta>(m);
}

/** True in builds that keep per-block allocation bitmaps. */
// @ts-ignore: decorator
@inline export function hasBitmaps(): bool {
  return DEBUG_BUILD;
}
