// journal.ts: the intent word of a thread's multi-step updates, and the crash points.
//
// A worker may be terminated between any two stores. Every update that moves blocks between
// two places in more than one store (a list and a counter, a cache and a slab, an outbox and
// a remote stack) first writes what it is about to do into its record's Journal, and clears
// it after its last store. reclaim (recover.ts) reads a dead thread's journal and finishes or
// undoes that one update from what it can check in memory; everything else in the record it
// recounts rather than trusts. Updates do not nest: each op is journaled alone.
//
// Every op's slab is metaOf(block).
//   op           block            count     before      aux, tag        recovery
//   JOP_FLUSH    chain head       n         -           slot, tag       pushed? (push-tag.ts) else keep in outbox
//   JOP_DRAIN    head it takes    -         -           -, tag          taken? then relink onto the free list
//     (bits)     its lowest block -         -           bits, tag       the same, the chain rebuilt from the bits
//   JOP_RFREE    p                -         returned    -               p in its outbox chain, returned = before+1
//   JOP_RBIT     p                -         returned    -, tag          pushed? returned = before+1; else push it
//   JOP_SLABFREE p                -         returned    -               p on the free list, returned = before+1
//   JOP_SPILL    p in transit     e.count   returned    class           p onto the free list; returned = before +
//                (0: none)        at start                              (count at start - cache length now)
//   JOP_TAKE     first            k         refilled    -               all k in the cache, or all back on the free list
//   JOP_CARVE    first            k         refilled    carved before   all k in the cache, or none carved
//
// The journal is written with plain stores: a terminated worker's stores up to the kill are
// all visible to whoever reclaims it after seeing the worker exit (the host's exit event
// follows the termination), and nothing reads a live thread's journal.

import { Journal, TH_JOURNAL_OFFSET, CRASH_BUILD } from "./types";

// Journal ops.
// abi: JOURNAL_OPS names JOP_
// @ts-ignore: decorator
@inline export const JOP_NONE: u32 = 0;
// @ts-ignore: decorator
@inline export const JOP_FLUSH: u32 = 1;    // an outbox chain being pushed onto its slab's remote stack
// @ts-ignore: decorator
@inline export const JOP_DRAIN: u32 = 2;    // an owned slab's remote stack being taken onto its free list
// @ts-ignore: decorator
@inline export const JOP_RFREE: u32 = 3;    // a free into another thread's slab, joining the outbox
// @ts-ignore: decorator
@inline export const JOP_SLABFREE: u32 = 4; // a free straight onto an owned slab's free list (cache off)
// @ts-ignore: decorator
@inline export const JOP_SPILL: u32 = 5;    // one cached block going back to its slab's free list
// @ts-ignore: decorator
@inline export const JOP_TAKE: u32 = 6;     // blocks moving from a slab's free list into the cache
// @ts-ignore: decorator
@inline export const JOP_CARVE: u32 = 7;    // new blocks carved from a slab into the cache
// @ts-ignore: decorator
@inline export const JOP_RBIT: u32 = 8;     // a free into another thread's slab as a bit of its remote head

/** The journal of thread record `rec`. */
// @ts-ignore: decorator
@inline export function journalOf(rec: usize): Journal {
  return changetype<Journal>(rec + TH_JOURNAL_OFFSET);
}

/** Journal an update of `rec` (an op's other fields first): block and before, then the op. 3 stores. */
// @ts-ignore: decorator
@inline export function journalBegin(rec: usize, op: u32, block: usize, before: u32): void {
  const j = journalOf(rec);
  j.block = <u32>block;
  j.before = before;
  j.op = op;
}

/** The update journaled in `rec` is complete. */
// @ts-ignore: decorator
@inline export function journalEnd(rec: usize): void {
  journalOf(rec).op = JOP_NONE;
}

// ---- crash points (the crash build only) ---------------------------------------------------

/** Crash points still to pass before the armed one traps; 0: disarmed. Per instance. */
let crashCountdown: u32 = 0;
/** Crash points passed since the last arm (counted while armed or not, crash build only). */
let crashPassed: u32 = 0;

/**
 * A place where a kill may land. In the crash build, the `n`th point passed after
 * crash_arm(n) traps (`unreachable`), as a terminated worker would stop there; elsewhere it
 * compiles to nothing.
 */
// @ts-ignore: decorator
@inline export function crashPoint(): void {
  if (CRASH_BUILD) crashStep();
}

/** The crash build's step: count the point, trap at the armed one. */
function crashStep(): void {
  crashPassed++;
  if (crashCountdown != 0 && --crashCountdown == 0) unreachable();
}

/** Arm the crash points: the `n`th one passed from now traps (0 disarms). Returns the points passed before. */
export function crashArm(n: u32): u32 {
  const passed = crashPassed;
  crashPassed = 0;
  crashCountdown = CRASH_BUILD ? n : 0;
  return passed;
}

/** Crash points passed since the last arm (0 outside the crash build). */
export function crashPointsPassed(): u32 {
  return crashPassed;
}
