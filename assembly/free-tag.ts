// free-tag.ts: how the release build knows a block is already free. Every free small block,
// wherever it waits (its thread's cache, its slab's free list, an outbox chain, the slab's
// remote stack), carries FREE_TAG(p) in its second word (diagram in types.ts); malloc clears
// the word when it hands the block out. So a free, realloc or malloc_usable_size that finds
// the tag is looking at a block that is already free: a double free, caught before anything
// is written to the block, whichever thread frees it and wherever the block is.
//
// The tag is written where a block becomes free (free's fast and slow paths, carving), and
// only there; lists move blocks without touching it. A program's own data can equal the tag
// only by chance (2^-32 for data that does not depend on the multiplier): such a free is reported
// as a double free and the block is kept, not freed. The debug build decides with its exact
// allocation bits instead, and the heap checker reports a free block whose tag is gone (a
// write after free).

import { FREE_TAG_OFFSET, FREE_TAG_MUL } from "./types";

/** The tag a free block at `p` carries. One multiply. */
// @ts-ignore: decorator
@inline export function freeTag(p: usize): u32 {
  return <u32>p * FREE_TAG_MUL;
}

/** Does the block at `p` carry its free tag (is it already free)? */
// @ts-ignore: decorator
@inline export function isTaggedFree(p: usize): bool {
  return load<u32>(p, FREE_TAG_OFFSET) == freeTag(p);
}

/** Mark the block at `p` free. */
// @ts-ignore: decorator
@inline export function tagFree(p: usize): void {
  store<u32>(p, freeTag(p), FREE_TAG_OFFSET);
}

/** Mark the block at `p` free with its tag, computed once by the caller (free's fast path). */
// @ts-ignore: decorator
@inline export function storeTag(p: usize, tag: u32): void {
  store<u32>(p, tag, FREE_TAG_OFFSET);
}

/** Does the block at `p` carry `tag`, its own tag computed once by the caller? */
// @ts-ignore: decorator
@inline export function hasTag(p: usize, tag: u32): bool {
  return load<u32>(p, FREE_TAG_OFFSET) == tag;
}

/** Mark the block at `p` handed out (any value but its tag). */
// @ts-ignore: decorator
@inline export function untag(p: usize): void {
  store<u32>(p, 0, FREE_TAG_OFFSET);
}
