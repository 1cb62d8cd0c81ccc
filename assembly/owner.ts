// owner.ts: who owns a small slab. The owner is SlabMeta.owner, and its mirror in the
// control region's SlabOwners table (types.ts), one u32 per 64 KiB of memory, which free's
// fast path reads: one load and one compare, owners[p >> 16] == selfTid, stand for "p lies in
// a small slab of a SuperSlab and this thread owns it". Every change of a slab's owner goes
// through here, so that, for every 64 KiB unit u,
//   owners[u] == (u is slab k of a SuperSlab chunk) ? metaAt(chunk, k).owner : 0
// and owners[u] == T implies meta.owner == T at every instant: taking a slab stores the meta's
// owner first, letting it go clears the table's entry first. A thread killed between the two
// stores leaves the meta owned by a dead tid and the table at 0, which reclaim puts right
// through these same functions; tids are never reused (types.ts threadGen), and only the
// thread T stores T, so a stale entry is never a false match for any thread.

import { HEAP_BASE, OWNER_OFF, SLAB_SHIFT } from "./types";
import { ssOf, slabIndex } from "./superslab";

/** The SlabOwners entry of the 64 KiB unit holding `p`. */
// @ts-ignore: decorator
@inline export function ownerSlotOf(p: usize): usize {
  return HEAP_BASE + OWNER_OFF + ((p >>> SLAB_SHIFT) << 2);
}

/** The SlabOwners entry of the slab a SlabMeta describes. */
// @ts-ignore: decorator
@inline export function ownerSlotOfMeta(m: usize): usize {
  return ownerSlotOf(ssOf(m) + (<usize>slabIndex(m) << SLAB_SHIFT));
}

/**
 * The owner of the small slab holding `p` for free's fast path: a tid, or 0 for any other
 * memory. A plain load: the caller compares it with its own tid, which only it stores.
 */
// @ts-ignore: decorator
@inline export function slabOwnerAt(p: usize): u32 {
  return load<u32>(HEAP_BASE + ((p >>> SLAB_SHIFT) << 2), OWNER_OFF); // ownerSlotOf(p), the offset immediate
}

/** Thread `tid` takes the slab of meta `m`, whose owner it has set or claimed: mirror it. */
// @ts-ignore: decorator
@inline export function ownerPublish(m: usize, tid: u32): void {
  atomic.store<u32>(ownerSlotOfMeta(m), tid);
}

/** Set the owner of the slab of meta `m` to `tid` (the meta first, then the table). */
// @ts-ignore: decorator
@inline export function ownerSet(m: usize, tid: u32): void {
  atomic.store<u32>(m, tid);
  atomic.store<u32>(ownerSlotOfMeta(m), tid);
}

/** The slab of meta `m` has no owner any more (the table first, then the meta). */
// @ts-ignore: decorator
@inline export function ownerClear(m: usize): void {
  atomic.store<u32>(ownerSlotOfMeta(m), 0);
  atomic.store<u32>(m, 0);
}
