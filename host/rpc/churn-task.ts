// churn-task.ts: the worker side of the terminate trials (soak/terminate-trial.ts), run inside
// a worker like the stress task (environment independent).
//
// The victim churns until it is told to stop or, the point of it, until its worker is
// terminated: it mallocs blocks of random sizes, stamps a pattern into each and records every
// block in a shared log; it frees some of its own blocks and the blocks partners put into a
// second log, its inbox. Partners meanwhile free the victim's blocks (remote frees into the
// victim's slabs, also after it died) and allocate the inbox's blocks (which the victim frees
// into the partners' slabs). The host never waits for the victim: it terminates it and reads
// the logs afterwards, from shared memory.
//
// The logs live in the heap's shared memory, in a region the host mallocs (ChurnLog): a few
// control words, then the victim's log, then the inbox, each slot [ptr, size, stamp, state].
// A slot's state says who may touch its block, so that every block is freed exactly once by a
// live thread, or else the host knows after the death what the block may be:
//
//   EMPTY    no block (ptr 0); the slot's filler may use it (victim log: the victim; inbox:
//            a partner, claimed by CAS EMPTY -> FILLING since two partners may race)
//   FILLING  size and stamp written, ptr 0 until malloc returned, then ptr stored at once and
//            the pattern written. Nobody else touches it. At a death: ptr 0 is a malloc in
//            flight (its block, if it took one, is the one the dead thread may hold); ptr != 0
//            is live, its pattern maybe incomplete.
//   LIVE     block allocated, pattern complete: the one free right is claimed by CAS.
//   TAKEN    a partner claimed a victim block (LIVE -> TAKEN): it verifies, frees, clears
//            ptr, then EMPTY.
//            Only a dead partner leaves one behind (its free may or may not have happened).
//   FREEING  the victim claimed a block (LIVE -> FREEING: its own or an inbox block): it
//            verifies, frees, clears ptr, then EMPTY. Left behind by a kill: with ptr != 0
//            the free may or may not have happened; with ptr 0 it did.
//
// Every field is written with Atomics and the state last (a seq-cst store or CAS), so whoever
// reads a state with Atomics sees the fields written before it.

import type { AllocatorExports } from '../core/instance.js';
import { mix32, seededRng } from '../core/random.js';

/** Slot states (see the header comment). */
export const SlotState = { EMPTY: 0, FILLING: 1, LIVE: 2, TAKEN: 3, FREEING: 4 } as const;
/** A slot state's number. */
export type SlotStateCode = (typeof SlotState)[keyof typeof SlotState];
/** State names, by code. */
export const SLOT_STATE_NAMES = ['empty', 'filling', 'live', 'taken', 'freeing'] as const;

/**
 * What the victim was doing, published in the control words before each step: 'malloc' runs
 * from claiming a slot to logging the pointer malloc returned, 'fill' on to publishing LIVE,
 * 'free-own' and 'free-inbox' from claiming the block (verify, free) to emptying its slot.
 */
export const VICTIM_ACTIVITIES = ['idle', 'choose', 'malloc', 'fill', 'free-own', 'free-inbox', 'collect', 'rest'] as const;
/** One of VICTIM_ACTIVITIES. */
export type VictimActivity = (typeof VICTIM_ACTIVITIES)[number];
const DOING_CHOOSE = 1, DOING_MALLOC = 2, DOING_FILL = 3, DOING_FREE_OWN = 4, DOING_FREE_INBOX = 5,
  DOING_COLLECT = 6, DOING_REST = 7;

/** Word indices of the control words at the start of the region. */
export const ChurnControl = {
  /** Nonzero: every churn loop returns. */
  STOP: 0,
  /** Set by the host once the victim's worker is gone (partners count frees into the dead). */
  KILLED: 1,
  /** Set by the victim as its loop starts. */
  VICTIM_STARTED: 2,
  /** Partners whose loop started. */
  PARTNERS_STARTED: 3,
  /** The victim's current step (an index of VICTIM_ACTIVITIES). */
  VICTIM_DOING: 4,
  /** The victim's figures (it never returns them when it is killed). */
  V_OPS: 5,
  V_MALLOCS: 6,
  V_OWN_FREES: 7,
  V_INBOX_FREES: 8,
  V_OOM: 9,
  V_DAMAGED: 10,
  V_COLLECTS: 11,
  /** The victim's rests (each followed by an attach that resumes its identity). */
  V_RESTS: 15,
  /** Victim blocks the partners freed (their pace). */
  P_FREES: 14,
  /** Slots of the victim's log and of the inbox (written by ChurnLog.init). */
  LOG_SLOTS: 12,
  INBOX_SLOTS: 13,
} as const;
const CONTROL_WORDS = 16;
const SLOT_WORDS = 4;
const F_PTR = 0, F_SIZE = 1, F_STAMP = 2, F_STATE = 3;

/** Parameters of a churn (the same for the victim and its partners). */
export interface ChurnParams {
  /** Base seed; the victim uses it, partner k uses seed + 1 + k. */
  seed: number;
  /** Size range of ordinary blocks (bytes, inclusive). */
  minSize: number;
  maxSize: number;
  /** Fraction of blocks sized 1..bigMax instead. */
  bigFraction: number;
  bigMax: number;
  /** Fraction of the victim's steps spent on its inbox (the rest on its own log). */
  inboxShare: number;
  /** Chance the victim frees a LIVE block of its own log it picked (else it leaves it). */
  ownFreeChance: number;
  /** One step in `collectEvery` is a collect() by the victim (0: never). */
  collectEvery: number;
  /**
   * One step in `restEvery` is a rest() by the victim, its thread ending with the worker
   * staying, and an attach() that resumes the same identity (0: never). A kill in between
   * leaves a dormant record, which the host's reclaim of the tid must take.
   */
  restEvery: number;
  /** Fraction of a partner's steps spent filling the inbox (the rest freeing victim blocks). */
  fillShare: number;
  /**
   * The partners' pace. At full speed they would free every victim block as soon as it is
   * logged (their failed picks cost nothing), leaving none for the death. So a partner tries
   * at most `partnerFreesPerMs` victim blocks and `partnerFillsPerMs` inbox slots per ms
   * (token buckets holding a few ms' worth: a partner that was descheduled does not burst),
   * while the victim lives the partners together free at most `partnerFreeShare` of its
   * mallocs, and a partner with nothing to try sleeps.
   */
  partnerFreeShare: number;
  partnerFreesPerMs: number;
  partnerFillsPerMs: number;
}

/** Defaults: mostly 8..1024 B, some up to 16 KiB, a collect and a rest now and then. */
export const DEFAULT_CHURN: Readonly<ChurnParams> = Object.freeze({
  seed: 1, minSize: 8, maxSize: 1024, bigFraction: 0.05, bigMax: 16384, inboxShare: 0.3,
  ownFreeChance: 0.5, collectEvery: 2000, restEvery: 50, fillShare: 0.4, partnerFreeShare: 0.3, partnerFreesPerMs: 15,
  partnerFillsPerMs: 10,
});

/** Which side of a churn a worker runs. */
export type ChurnRole = 'victim' | 'partner';

/** What a worker's churn did (the victim returns one only when stopped, not killed). */
export interface ChurnResult {
  role: ChurnRole;
  /** Partner number (0 for the victim). */
  partner: number;
  tid: number;
  steps: number;
  mallocs: number;
  /** Blocks freed: victim, its own and inbox blocks; partner, victim blocks. */
  frees: number;
  /** Partner: victim blocks claimed after the host set KILLED (remote frees into a dead thread). */
  freesAfterKill: number;
  oom: number;
  /** Blocks whose pattern was wrong when this worker freed them. */
  damaged: number;
  /** The first few damaged blocks, described. */
  failures: string[];
  elapsedMs: number;
}

/** Failure descriptions kept. */
const FAILURES_KEPT = 8;
/** Steps between polls of STOP. */
const STOP_POLL = 32;
/** How long a partner ahead of its pace sleeps, ms. */
const PARTNER_NAP_MS = 0.1;
/** Attempts a partner's token bucket holds at most. */
const PACE_BURST = 8;

/** The stamp of block `seq` of the worker seeded `seed` (distinct per block: a block handed out twice shows). */
function stampOf(seed: number, seq: number): number {
  return mix32(Math.imul(seed, 0x9e3779b1) ^ mix32(seq)) | 0;
}

/** Word k of a block's pattern. */
function patternWord(stamp: number, k: number): number {
  return (Math.imul(k + 1, 0x9e3779b1) ^ stamp) >>> 0;
}

/** Byte j of a block's tail (the bytes after its last whole word). */
function tailByte(stamp: number, j: number): number {
  return ((stamp >>> (8 * (j & 3))) ^ (0x5a + j)) & 0xff;
}

/**
 * Words at each end of a block that carry the pattern when not the whole block does. One
 * block in four (by stamp) and every block of up to 2 x PATTERN_END_WORDS words carries it
 * whole: writing and checking every byte of every block would keep the victim in JS most of
 * the time, and the kills are meant to land in the allocator too.
 */
const PATTERN_END_WORDS = 8;

/** Do the patterned words of the block [0, words) skip its middle (between the two ends)? */
function skipsMiddle(stamp: number, words: number): boolean {
  return (stamp & 3) !== 0 && words > 2 * PATTERN_END_WORDS;
}

/** Write the pattern of `stamp` over the block [ptr, ptr + size) (8-byte aligned). */
export function writePattern(u8: Uint8Array, u32: Uint32Array, ptr: number, size: number, stamp: number): void {
  const words = size >>> 2, w0 = ptr >>> 2;
  const skip = skipsMiddle(stamp, words);
  for (let k = 0; k < words; k++) {
    if (skip && k === PATTERN_END_WORDS) k = words - PATTERN_END_WORDS;
    u32[w0 + k] = patternWord(stamp, k);
  }
  for (let j = words * 4; j < size; j++) u8[ptr + j] = tailByte(stamp, j);
}

/** Does the block [ptr, ptr + size) hold the pattern of `stamp`? Returns the first bad byte offset, or -1. */
export function patternFault(u8: Uint8Array, u32: Uint32Array, ptr: number, size: number, stamp: number): number {
  const words = size >>> 2, w0 = ptr >>> 2;
  const skip = skipsMiddle(stamp, words);
  for (let k = 0; k < words; k++) {
    if (skip && k === PATTERN_END_WORDS) k = words - PATTERN_END_WORDS;
    if (u32[w0 + k] !== patternWord(stamp, k)) return k * 4;
  }
  for (let j = words * 4; j < size; j++) if (u8[ptr + j] !== tailByte(stamp, j)) return j;
  return -1;
}

/** One slot of a log, as read. */
export interface LogSlot {
  index: number;
  ptr: number;
  size: number;
  stamp: number;
  state: SlotStateCode;
}

/** One log (the victim's or the inbox) inside a ChurnLog region. */
export class SlotLog {
  /** `first`: the word index of slot 0 in `w`. */
  constructor(private readonly w: Int32Array, private readonly first: number, readonly slots: number) {}

  /** Word index of field `f` of slot `i`. */
  private at(i: number, f: number): number { return this.first + i * SLOT_WORDS + f; }
  /** Slot i's state. */
  state(i: number): number { return Atomics.load(this.w, this.at(i, F_STATE)); }
  /** Move slot i from state `from` to `to`; false if it was not in `from` (someone else's now). */
  claim(i: number, from: number, to: number): boolean {
    return Atomics.compareExchange(this.w, this.at(i, F_STATE), from, to) === from;
  }
  /** Set slot i's state (the publishing store). */
  setState(i: number, s: number): void { Atomics.store(this.w, this.at(i, F_STATE), s); }
  /** Slot i's block address (0: none yet). */
  ptr(i: number): number { return Atomics.load(this.w, this.at(i, F_PTR)) >>> 0; }
  /** Store slot i's block address. */
  setPtr(i: number, p: number): void { Atomics.store(this.w, this.at(i, F_PTR), p | 0); }
  /** Slot i's block size. */
  size(i: number): number { return Atomics.load(this.w, this.at(i, F_SIZE)) >>> 0; }
  /** Slot i's pattern stamp. */
  stamp(i: number): number { return Atomics.load(this.w, this.at(i, F_STAMP)); }
  /** Describe a new block in the FILLING slot i (its ptr is 0 until malloc returns). */
  prepare(i: number, size: number, stamp: number): void {
    Atomics.store(this.w, this.at(i, F_SIZE), size | 0);
    Atomics.store(this.w, this.at(i, F_STAMP), stamp | 0);
  }
  /**
   * Slot i's block was freed: clear its ptr, then EMPTY. An EMPTY slot so always has ptr 0,
   * and a slot killed between the two stores says the free completed (ptr 0).
   */
  release(i: number): void {
    Atomics.store(this.w, this.at(i, F_PTR), 0);
    Atomics.store(this.w, this.at(i, F_STATE), SlotState.EMPTY);
  }
  /** Every slot not EMPTY (a snapshot: exact once no worker touches the log). */
  occupied(): LogSlot[] {
    const out: LogSlot[] = [];
    for (let i = 0; i < this.slots; i++) {
      const state = this.state(i) as SlotStateCode;
      if (state === SlotState.EMPTY) continue;
      out.push({ index: i, ptr: this.ptr(i), size: this.size(i), stamp: this.stamp(i), state });
    }
    return out;
  }
  /** How many slots are in state `s` (racy while workers run). */
  count(s: number): number {
    let n = 0;
    for (let i = 0; i < this.slots; i++) if (this.state(i) === s) n++;
    return n;
  }
}

/** The shared region of one churn: control words, the victim's log, the inbox. */
export class ChurnLog {
  /** The region as words (over a buffer that covers it; it never moves). */
  readonly w: Int32Array;
  readonly victim: SlotLog;
  readonly inbox: SlotLog;

  /** A view of the region at byte address `base` in `buffer` (initialised by ChurnLog.init). */
  constructor(buffer: ArrayBufferLike, readonly base: number) {
    const head = new Int32Array(buffer, base, CONTROL_WORDS);
    const logSlots = head[ChurnControl.LOG_SLOTS]!, inboxSlots = head[ChurnControl.INBOX_SLOTS]!;
    this.w = new Int32Array(buffer, base, ChurnLog.bytes(logSlots, inboxSlots) / 4);
    this.victim = new SlotLog(this.w, CONTROL_WORDS, logSlots);
    this.inbox = new SlotLog(this.w, CONTROL_WORDS + logSlots * SLOT_WORDS, inboxSlots);
  }

  /** Bytes of a region with these slot counts. */
  static bytes(logSlots: number, inboxSlots: number): number {
    return (CONTROL_WORDS + (logSlots + inboxSlots) * SLOT_WORDS) * 4;
  }

  /** Zero the region at `base` (ChurnLog.bytes long, 4-aligned) and write its slot counts. */
  static init(buffer: ArrayBufferLike, base: number, logSlots: number, inboxSlots: number): ChurnLog {
    if (base % 8 !== 0) throw new RangeError('churn log: the region must be 8-byte aligned');
    if (!(logSlots > 0 && inboxSlots > 0)) throw new RangeError('churn log: slot counts must be positive');
    new Uint8Array(buffer, base, ChurnLog.bytes(logSlots, inboxSlots)).fill(0);
    const head = new Int32Array(buffer, base, CONTROL_WORDS);
    head[ChurnControl.LOG_SLOTS] = logSlots;
    head[ChurnControl.INBOX_SLOTS] = inboxSlots;
    return new ChurnLog(buffer, base);
  }

  /** Control word `k` (ChurnControl). */
  get(k: number): number { return Atomics.load(this.w, k); }
  /** Set control word `k`. */
  set(k: number, v: number): void { Atomics.store(this.w, k, v); }
  /** Add to control word `k`. */
  add(k: number, v: number): void { Atomics.add(this.w, k, v); }
  /** Sleep up to `ms` ms, or not at all once STOP is set (a worker only: the main thread may not wait). */
  nap(ms: number): void { Atomics.wait(this.w, ChurnControl.STOP, 0, ms); }
  /** What the victim was doing last. */
  victimDoing(): VictimActivity { return VICTIM_ACTIVITIES[this.get(ChurnControl.VICTIM_DOING)] ?? 'idle'; }
}

/**
 * Typed views of the whole shared memory that follow its growth. Another thread's grow
 * reaches this thread's `memory.buffer` only once V8 handles the grow interrupt (at a stack
 * check), and a typed-array access past the end is silently dropped, so cover() re-reads the
 * buffer until it is long enough (as the stress task does).
 */
class MemoryWindow {
  u8: Uint8Array;
  u32: Uint32Array;

  /** Views of `memory` as it is now. */
  constructor(private readonly memory: WebAssembly.Memory) {
    this.u8 = new Uint8Array(memory.buffer);
    this.u32 = new Uint32Array(memory.buffer);
  }

  /** Make the views cover [ptr, ptr + size). */
  cover(ptr: number, size: number): void {
    if (ptr + size <= this.u8.length) return;
    for (let spins = 0; ; spins++) {
      const buf = this.memory.buffer;
      if (ptr + size <= buf.byteLength) {
        this.u8 = new Uint8Array(buf);
        this.u32 = new Uint32Array(buf);
        return;
      }
      if (spins > 10_000_000) throw new Error(`block 0x${ptr.toString(16)} lies past the memory (${buf.byteLength} B)`);
    }
  }
}

/**
 * Run one side of a churn over the region at byte address `region` until STOP is set: the
 * victim (`role` 'victim') or partner number `partner`. The victim is normally
 * terminated inside this loop; what it did is in the control words.
 */
export function runChurnTask(exp: AllocatorExports, memory: WebAssembly.Memory, tid: number, region: number,
                             role: ChurnRole, partner: number, p: ChurnParams): ChurnResult {
  const started = performance.now();
  const mem = new MemoryWindow(memory);
  mem.cover(region, 4 * CONTROL_WORDS);
  const head = new Int32Array(mem.u8.buffer, region, CONTROL_WORDS);
  mem.cover(region, ChurnLog.bytes(head[ChurnControl.LOG_SLOTS]!, head[ChurnControl.INBOX_SLOTS]!));
  const log = new ChurnLog(mem.u8.buffer, region);
  const seed = role === 'victim' ? p.seed >>> 0 : (p.seed + 1 + partner) >>> 0;
  const rand = seededRng(seed ^ 0x5bd1e995);
  /** A uniform number in [0, 1). */
  const unit = (): number => rand() / 0x1_0000_0000;
  const r: ChurnResult = { role, partner, tid, steps: 0, mallocs: 0, frees: 0, freesAfterKill: 0, oom: 0,
    damaged: 0, failures: [], elapsedMs: 0 };
  let seq = 0;

  /** A block size: mostly minSize..maxSize, some 1..bigMax. */
  const pickSize = (): number => unit() < p.bigFraction ? 1 + (rand() % p.bigMax)
    : p.minSize + (rand() % (p.maxSize - p.minSize + 1));

  /** Verify slot i's block before freeing it; a damaged one is counted and described. */
  const verify = (l: SlotLog, i: number, what: string): void => {
    const ptr = l.ptr(i), size = l.size(i);
    mem.cover(ptr, size);
    const bad = patternFault(mem.u8, mem.u32, ptr, size, l.stamp(i));
    if (bad < 0) return;
    r.damaged++;
    if (role === 'victim') log.add(ChurnControl.V_DAMAGED, 1);
    if (r.failures.length >= FAILURES_KEPT) return;
    r.failures.push(`${what} 0x${ptr.toString(16)} (${size} B): byte ${bad} differs`);
  };

  /**
   * Fill the claimed (FILLING) slot i with a new block: malloc, store the pointer at once (a
   * kill between the two loses that one block), write the pattern, publish LIVE. False on OOM.
   */
  const fill = (l: SlotLog, i: number): boolean => {
    const size = pickSize();
    l.prepare(i, size, stampOf(seed, ++seq));
    const ptr = exp.malloc(size) >>> 0;
    l.setPtr(i, ptr);
    if (ptr === 0) {
      r.oom++;
      if (role === 'victim') log.add(ChurnControl.V_OOM, 1);
      l.release(i);
      return false;
    }
    r.mallocs++;
    if (role === 'victim') { log.add(ChurnControl.V_MALLOCS, 1); log.set(ChurnControl.VICTIM_DOING, DOING_FILL); }
    mem.cover(ptr, size);
    writePattern(mem.u8, mem.u32, ptr, size, l.stamp(i));
    l.setState(i, SlotState.LIVE);
    return true;
  };

  if (role === 'victim') {
    log.set(ChurnControl.VICTIM_STARTED, 1);
    const own = log.victim, inbox = log.inbox;
    for (;;) {
      if (r.steps % STOP_POLL === 0 && log.get(ChurnControl.STOP) !== 0) break;
      r.steps++;
      log.set(ChurnControl.VICTIM_DOING, DOING_CHOOSE);
      log.add(ChurnControl.V_OPS, 1);
      if (p.collectEvery > 0 && rand() % p.collectEvery === 0) {
        log.set(ChurnControl.VICTIM_DOING, DOING_COLLECT);
        exp.collect();
        log.add(ChurnControl.V_COLLECTS, 1);
        continue;
      }
      if (p.restEvery > 0 && rand() % p.restEvery === 0) {
        log.set(ChurnControl.VICTIM_DOING, DOING_REST);
        const tid = exp.thread_id() >>> 0;
        exp.rest();
        // Nobody retires the dormant record meanwhile (no partner runs out of memory or
        // collects), so the attach resumes it: the host reclaims this tid at the death.
        const again = exp.attach() >>> 0;
        if (again !== tid) throw new Error(`churn: the victim rested as tid ${tid} and attached as ${again}`);
        log.add(ChurnControl.V_RESTS, 1);
        continue;
      }
      if (unit() < p.inboxShare) {
        const i = rand() % inbox.slots;
        if (!inbox.claim(i, SlotState.LIVE, SlotState.FREEING)) continue;
        log.set(ChurnControl.VICTIM_DOING, DOING_FREE_INBOX);
        verify(inbox, i, 'inbox block');
        exp.free(inbox.ptr(i)); // a remote free: the block is in a partner's slab
        inbox.release(i);
        r.frees++;
        log.add(ChurnControl.V_INBOX_FREES, 1);
        continue;
      }
      const i = rand() % own.slots;
      const s = own.state(i);
      if (s === SlotState.EMPTY) {
        // 'malloc' from here: a kill now may leave a FILLING slot with ptr 0 (a malloc in flight)
        log.set(ChurnControl.VICTIM_DOING, DOING_MALLOC);
        own.setState(i, SlotState.FILLING); // only the victim fills its own log: no CAS
        fill(own, i);
      } else if (s === SlotState.LIVE && unit() < p.ownFreeChance) {
        if (!own.claim(i, SlotState.LIVE, SlotState.FREEING)) continue; // a partner took it
        log.set(ChurnControl.VICTIM_DOING, DOING_FREE_OWN);
        verify(own, i, 'own block');
        exp.free(own.ptr(i));
        own.release(i);
        r.frees++;
        log.add(ChurnControl.V_OWN_FREES, 1);
      }
    }
    log.set(ChurnControl.VICTIM_DOING, 0);
  } else {
    log.add(ChurnControl.PARTNERS_STARTED, 1);
    const victim = log.victim, inbox = log.inbox;
    let freeTokens = 0, fillTokens = 0, last = performance.now();
    for (;;) {
      if (r.steps % STOP_POLL === 0 && log.get(ChurnControl.STOP) !== 0) break;
      r.steps++;
      const now = performance.now();
      freeTokens = Math.min(PACE_BURST, freeTokens + (now - last) * p.partnerFreesPerMs);
      fillTokens = Math.min(PACE_BURST, fillTokens + (now - last) * p.partnerFillsPerMs);
      last = now;
      const mayFree = freeTokens >= 1 && (log.get(ChurnControl.KILLED) !== 0 ||
        log.get(ChurnControl.P_FREES) < log.get(ChurnControl.V_MALLOCS) * p.partnerFreeShare);
      const mayFill = fillTokens >= 1;
      if (!mayFree && !mayFill) { log.nap(PARTNER_NAP_MS); continue; }
      if (mayFill && (!mayFree || unit() < p.fillShare)) {
        fillTokens--;
        const i = rand() % inbox.slots;
        // two partners may pick the same EMPTY slot: the CAS gives it to one
        if (inbox.claim(i, SlotState.EMPTY, SlotState.FILLING)) fill(inbox, i);
        continue;
      }
      freeTokens--;
      const i = rand() % victim.slots;
      const afterKill = log.get(ChurnControl.KILLED) !== 0;
      if (!victim.claim(i, SlotState.LIVE, SlotState.TAKEN)) continue;
      verify(victim, i, 'victim block');
      exp.free(victim.ptr(i)); // a remote free into the victim's slab (dead or alive)
      victim.release(i);
      r.frees++;
      log.add(ChurnControl.P_FREES, 1);
      if (afterKill) r.freesAfterKill++;
    }
  }
  r.elapsedMs = performance.now() - started;
  return r;
}
