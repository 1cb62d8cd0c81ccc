// push-tag.ts: the tags on remote heads, which let reclaim tell whether a dead thread's last
// push happened.
//
// A remote head is u64 { top block, tag } (types.ts). A push by the thread in slot s writes
// tag = s | seq << TID_SLOT_BITS with seq = that slot's next push number. Anyone who replaces
// a tagged head (a push on top of it, or the owner's drain) first confirms the tag: raises
// PushState.confirmed of slot s to seq. So for a dead thread whose journal says "pushing
// with tag t onto slab m":
//   head(m) == { chain head, t }      -> the push happened and is still on top
//   confirmed(s) has reached seq(t)   -> the push happened and was replaced since
//   otherwise                         -> it never happened (the CAS did not succeed)
// Reading the head before the confirmation makes this exact: a replacer confirms before its
// CAS, so a head that no longer shows t was confirmed before we read it.
//
// Sequence numbers wrap at 2^PUSH_SEQ_BITS; they are compared within half that window, so a
// confirmation is only mistaken if a slot's push waits unconfirmed while the same slot makes
// 2^21 further pushes, none of them confirmed either.

import { ThreadHeader, PushState, TH_PUSH_OFFSET, TID_SLOT_BITS, PUSH_SEQ_MASK, PUSH_SEQ_BITS, threadRecord } from "./types";

/** The push state of the record in slot `slot`. */
// @ts-ignore: decorator
@inline export function pushStateOf(slot: u32): PushState {
  return changetype<PushState>(threadRecord(slot) + TH_PUSH_OFFSET);
}

/** The tag of a remote head word. */
// @ts-ignore: decorator
@inline export function headTag(word: u64): u32 {
  return <u32>(word >>> 32);
}

/** The top block of a remote head word. */
// @ts-ignore: decorator
@inline export function headTop(word: u64): usize {
  return <usize><u32>word;
}

/** The head word { top, tag }. */
// @ts-ignore: decorator
@inline export function headWord(top: usize, tag: u32): u64 {
  return <u64><u32>top | (<u64>tag << 32);
}

/** Is seq `a` at or after seq `b` (within half the wrap window)? */
// @ts-ignore: decorator
@inline export function seqReached(a: u32, b: u32): bool {
  return ((b - a) & PUSH_SEQ_MASK) == 0 || ((b - a) & PUSH_SEQ_MASK) >= (<u32>1 << (PUSH_SEQ_BITS - 1));
}

/** Number the next push of thread record `rec`; returns its tag (never 0: its slot is >= 1). */
// @ts-ignore: decorator
@inline export function nextPushTag(rec: usize): u32 {
  const th = changetype<ThreadHeader>(rec);
  const seq = (th.pushSeq + 1) & PUSH_SEQ_MASK;
  th.pushSeq = seq;
  return slotOfRecord(rec) | (seq << TID_SLOT_BITS);
}

/**
 * Record that the push tagged `tag` happened: its head is about to be replaced by the thread
 * in slot `selfSlot`. A thread's own earlier push needs no confirmation (it finished before
 * this one started: reclaim only ever asks about a thread's last push), nor does tag 0.
 * About one compare when skipped, a load when already confirmed, else one CAS.
 */
// @ts-ignore: decorator
@inline export function confirmPush(tag: u32, selfSlot: u32): void {
  if (tag != 0 && (tag & ((1 << TID_SLOT_BITS) - 1)) != selfSlot) confirmSlow(tag);
}

/** The thread slot of record `rec` (its tid's low bits). */
// @ts-ignore: decorator
@inline export function slotOfRecord(rec: usize): u32 {
  return changetype<ThreadHeader>(rec).tid & ((1 << TID_SLOT_BITS) - 1);
}

/** confirmPush's work: raise the slot's confirmed seq to the tag's (a wrap-aware maximum). */
function confirmSlow(tag: u32): void {
  const seq = tag >>> TID_SLOT_BITS;
  const addr = changetype<usize>(pushStateOf(tag & ((1 << TID_SLOT_BITS) - 1))) + offsetof<PushState>("confirmed");
  let cur = atomic.load<u32>(addr);
  // seq_cst CAS: ordered before the caller's CAS on the head, which is what reclaim relies on
  while (!seqReached(cur, seq)) {
    const seen = atomic.cmpxchg<u32>(addr, cur, seq);
    if (seen == cur) break;
    cur = seen;
  }
}

/**
 * Did the push tagged `tag` (never 0) onto the head at `rh` happen? (reclaim only) The tag alone
 * tells: no other push writes it, and whoever replaced it confirmed it first. So it serves a
 * chain and a bit alike.
 */
export function pushHappened(rh: usize, tag: u32): bool {
  if (headTag(atomic.load<u64>(rh)) == tag) return true; // read the head first
  const confirmed = atomic.load<u32>(changetype<usize>(pushStateOf(tag & ((1 << TID_SLOT_BITS) - 1))) + offsetof<PushState>("confirmed"));
  return seqReached(confirmed, tag >>> TID_SLOT_BITS);
}
