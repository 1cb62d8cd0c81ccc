// kill-trial.ts: a thread killed at the wrong moment, then reclaimed. One trial is a fresh
// heap with two allocator threads over the crash build (build/crash.wasm, release code whose
// crash points can be armed): V, the victim, and P, its partner, beside D, a thread that
// allocated, freed some blocks into its cache and rested (dormant, its instance never calls
// again). A seeded scenario of mallocs,
// frees (V's own blocks, P's and D's blocks freed by V into their slabs, V's blocks freed by P
// into V's slabs), collects (V's first one retires D's dormant record, so V can die halfway
// through retiring another thread's record), rests (V's thread ends and its next attach
// resumes the same identity) and a final detach runs with V's `n`th crash point armed, so V traps
// there, exactly as if its worker had been terminated at that store. P goes on for a while
// (mallocs and a collect: it drains V's pushes), then reclaims V, checks
// that every live block kept its contents, mallocs a batch (none may be a live block), frees
// everything (V's live blocks too: they are shared data), and runs the heap checker.
//
// A trial passes when: reclaim succeeded (and finished any retirement V had started), every
// thread record is free at the end, no live block was damaged or handed out twice, no
// fault was recorded except at most one for the block V was freeing when it died (P frees it
// again, not knowing whether V's free took effect: double_free, or free_slab if reclaim
// released the slab it emptied), the checker is clean, and at
// most one block is left in use: the one a killed malloc had taken (stats: deadHeld).
//
// Which n to arm: the scenario is first run unarmed, and V's crash_points_passed() says how
// many points it passes; every trial of a seed arms one of them (killTrials: all of them).
// Environment independent, like double-free.ts.

import { createSharedMemory } from '../core/memory.js';
import { xorshift32 } from '../core/random.js';
import { instantiateAllocatorSync, type AllocatorExports } from '../core/instance.js';
import { MemoryView } from '../abi/views.js';
import { decodeCheck, decodeFaults, decodeStats, decodeThreads, faultSeq } from '../abi/decode.js';
import { initArgs, type HeapConfig } from '../heap/config.js';
import { GlobalHeader, ThreadHeader, THREAD_STATES } from '../abi/abi.generated.js';
import { threadRecordAddr } from '../core/layout.js';

/** The heap configurations the trials cycle through (remote batch 4: many flushes). */
export const KILL_CONFIGS: readonly { name: string; config: Partial<HeapConfig> }[] = [
  { name: 'cache default, batch 4', config: { cache: 'default', remoteBatch: 4 } },
  { name: 'cache off', config: { cache: 'off', remoteBatch: 4 } },
  { name: 'cache small, batch 1', config: { cache: 'small', remoteBatch: 1 } },
];

/** What V was doing when it died. */
export type KilledIn = 'malloc' | 'free-own' | 'free-remote' | 'collect' | 'retire-dormant' | 'rest' | 'detach';

/** What one trial saw. */
export interface KillTrial {
  seed: number;
  config: string;
  /** The crash point armed (1-based). */
  point: number;
  /** Where V died (null: the scenario ended before the armed point, no kill). */
  killedIn: KilledIn | null;
  /** V died holding the pool lock (reclaim took it over and rebuilt the pool). */
  heldPoolLock: boolean;
  /** reclaim(V) returned 1 (or V had finished detaching: nothing to reclaim). */
  reclaimed: boolean;
  /** Torn updates reclaim finished or undid (stats: repairs). */
  repairs: number;
  /** Blocks left in use after everything was freed (the killed malloc's, at most one). */
  blocksLost: number;
  /** Blocks a killed malloc had taken, as reclaim counted them (stats: deadHeld). */
  deadHeld: number;
  handedOutTwice: number;
  damaged: number;
  /** Faults other than one at the block V was freeing. */
  otherFaults: number;
  /** The first of those faults, as code@ptr (to read a failure without replaying it). */
  otherFaultNames: string[];
  /** Heap checker violations at the end. */
  violations: number;
  /** Thread records not free at the end (V and P detached, D retired: must be 0). */
  recordsLeft: number;
  /** A trap anywhere but V's armed point (the message), or null. */
  crashed: string | null;
}

/** Block sizes: tiny and mid classes, and a large run (above 32 KiB); V also takes a huge span now and then. */
const SIZES = [8, 16, 24, 40, 64, 100, 256, 1000, 3000, 16384, 100_000];
/** A huge span (whole chunks): V's malloc of this size, 1 in HUGE_EVERY of its mallocs. */
const HUGE_SIZE = 1_100_000;
const HUGE_EVERY = 40;
/** Scenario steps per trial. */
const STEPS = 160;
/** 64 KiB pages of a trial's memory. */
const TRIAL_PAGES = 512;

/** D's blocks: allocated before it rests, every third one freed into its cache. */
const D_BLOCKS = [16, 64, 100, 256, 1000, 3000, 16384, 40, 24, 64, 8, 1000];

/** One trial's heap: the memory, V, P, D (dormant), an observer, and what is live. */
class TrialHeap {
  readonly memory = createSharedMemory(TRIAL_PAGES);
  readonly observer: AllocatorExports;
  readonly view: MemoryView;
  readonly V: AllocatorExports;
  readonly P: AllocatorExports;
  /** D's record: its address and the tid it rested with. */
  readonly dRecord: number;
  readonly tidD: number;
  /** Every live block: size, pattern stamp and which thread allocated it. */
  readonly live = new Map<number, { size: number; stamp: number; byV: boolean }>();
  /** Address of GlobalHeader.poolLock (the tid holding the pool lock, or 0). */
  readonly poolLockAddr: number;
  handedOutTwice = 0;

  /** A fresh heap with configuration `config` over the crash module. */
  constructor(module: WebAssembly.Module, config: Partial<HeapConfig>) {
    const obs = instantiateAllocatorSync(module, this.memory);
    this.observer = obs.exports;
    this.observer.init(...initArgs({ faultPolicy: 'report', ring: 'off', ...config }));
    this.view = new MemoryView(this.memory, obs.layout);
    this.poolLockAddr = obs.layout.HEADER_BASE + GlobalHeader.off.poolLock;
    this.V = instantiateAllocatorSync(module, this.memory).exports;
    this.P = instantiateAllocatorSync(module, this.memory).exports;
    if (this.V.attach() === 0 || this.P.attach() === 0) throw new Error('kill trial: attach failed');
    const D = instantiateAllocatorSync(module, this.memory).exports;
    this.tidD = D.attach() >>> 0;
    if (this.tidD === 0) throw new Error('kill trial: attach failed');
    D_BLOCKS.forEach((size, i) => {
      const p = this.malloc(D, size, 0xd0 + i);
      if (i % 3 === 2) { this.live.delete(p); D.free(p); }
    });
    D.rest(); // dormant with its cache and slabs; its instance is never called again
    this.dRecord = threadRecordAddr(obs.layout, this.tidD & (obs.layout.MAX_THREADS - 1));
  }

  /** Is D's record being retired by the thread in `slot` (its state word: RETIRING by that slot)? */
  dRetiringBy(slot: number): boolean {
    const L = this.view.layout;
    const word = this.view.atomicWord(this.dRecord + ThreadHeader.off.state);
    return this.view.atomicWord(this.dRecord + ThreadHeader.off.tid) === this.tidD &&
      THREAD_STATES[word & ((1 << L.RETIRER_SHIFT) - 1)] === 'retiring' && word >>> L.RETIRER_SHIFT === slot;
  }

  /** The memory as words (rebuilt: the memory may have grown). */
  private words(): Uint32Array { return new Uint32Array(this.memory.buffer); }

  /** Write block `p`'s pattern. */
  fill(p: number, size: number, stamp: number): void {
    const w = this.words();
    for (let i = 0; i < size >>> 2; i++) w[(p >>> 2) + i] = (Math.imul(p + i, 0x01000193) ^ stamp) >>> 0;
  }

  /** Does block `p` still hold its pattern? */
  intact(p: number, size: number, stamp: number): boolean {
    const w = this.words();
    for (let i = 0; i < size >>> 2; i++) if (w[(p >>> 2) + i] !== ((Math.imul(p + i, 0x01000193) ^ stamp) >>> 0)) return false;
    return true;
  }

  /** malloc on `t`, recorded live with a fresh pattern. */
  malloc(t: AllocatorExports, size: number, stamp: number): number {
    const p = t.malloc(size) >>> 0;
    if (p === 0) throw new Error(`kill trial: malloc(${size}) failed`);
    if (this.live.has(p)) this.handedOutTwice++;
    this.fill(p, size, stamp);
    this.live.set(p, { size, stamp, byV: t === this.V });
    return p;
  }
}

/**
 * Run the scenario of `seed` on `h` (V armed or not). Returns what V was doing when it
 * trapped and the block involved, or null if it ran to the end (V detached).
 */
function scenario(h: TrialHeap, seed: number): { killedIn: KilledIn; block: number } | null {
  const rand = xorshift32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length]!;
  const blocks = (byV: boolean): number[] => [...h.live].filter(([, b]) => b.byV === byV).map(([p]) => p);
  let doing: KilledIn = 'malloc';
  let block = 0;
  try {
    for (let i = 0; i < STEPS; i++) {
      const r = rand() % 100;
      const mine = blocks(true), theirs = blocks(false);
      if (r < 35 || mine.length === 0) {
        doing = 'malloc'; block = 0;
        h.malloc(h.V, rand() % HUGE_EVERY === 0 ? HUGE_SIZE : pick(SIZES), rand());
      } else if (r < 55) {
        doing = 'free-own'; block = pick(mine);
        h.live.delete(block);
        h.V.free(block);
      } else if (r < 65 && theirs.length > 0) {
        doing = 'free-remote'; block = pick(theirs);
        h.live.delete(block);
        h.V.free(block);
      } else if (r < 80) {
        h.malloc(h.P, pick(SIZES), rand()); // P's blocks, some of which V frees
      } else if (r < 97) {
        const p = pick(mine); // P frees V's block into V's slab (V drains it later)
        h.live.delete(p);
        h.P.free(p);
      } else if (r < 98) {
        doing = 'rest'; block = 0;
        h.V.rest();   // dormant: a kill inside leaves V's record ACTIVE or DORMANT, both reclaimed
        h.V.attach(); // resumed, same tid
      } else {
        doing = 'collect'; block = 0;
        h.V.collect();
      }
    }
    doing = 'detach'; block = 0;
    h.V.detach();
    return null;
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    return { killedIn: doing, block };
  }
}

/** How many crash points V passes in the scenario of `seed` under `config`, unarmed. */
export function killPoints(module: WebAssembly.Module, config: Partial<HeapConfig>, seed: number): number {
  const h = new TrialHeap(module, config);
  h.V.crash_arm!(0);
  if (scenario(h, seed) !== null) throw new Error('kill trial: the unarmed scenario trapped');
  return h.V.crash_points_passed!();
}

/** One trial: the scenario of `seed` with V's crash point `point` armed, then reclaim and check. */
export function killTrial(module: WebAssembly.Module, configName: string, config: Partial<HeapConfig>,
                          seed: number, point: number, opts: { skipReclaim?: boolean } = {}): KillTrial {
  const out: KillTrial = { seed, config: configName, point, killedIn: null, heldPoolLock: false, reclaimed: false, repairs: 0,
    blocksLost: 0, deadHeld: 0, handedOutTwice: 0, damaged: 0, otherFaults: 0, otherFaultNames: [], violations: 0,
    recordsLeft: 0, crashed: null };
  const h = new TrialHeap(module, config);
  const tidV = h.V.thread_id() >>> 0;
  const seq = faultSeq(h.view);
  h.V.crash_arm!(point);
  const death = scenario(h, seed);
  try {
    // From here on V is dead: it is never called again. P acts for the program.
    // a kill in collect while D's record was RETIRING by V: V died retiring another thread's record
    const slotV = tidV & (h.view.layout.MAX_THREADS - 1);
    out.killedIn = death === null ? null
      : death.killedIn === 'collect' && h.dRetiringBy(slotV) ? 'retire-dormant' : death.killedIn;
    // P goes on before anyone notices the death: its mallocs and collect drain its slabs,
    // replacing (and confirming) the tags of V's pushes, so reclaim must read confirmations
    // (not if V died holding the pool lock: P would wait for it until reclaim, which here
    // runs on P's own thread; in a program another thread reclaims meanwhile)
    const early = xorshift32(seed ^ 0x2545f491);
    const lockHeld = h.view.atomicWord(h.poolLockAddr) === tidV;
    out.heldPoolLock = lockHeld;
    if (lockHeld && opts.skipReclaim) { // without reclaim, P would wait for that lock forever
      out.handedOutTwice = h.handedOutTwice;
      return out;
    }
    if (!lockHeld) {
      for (let i = 0; i < 24; i++) h.malloc(h.P, SIZES[early() % SIZES.length]!, early());
      h.P.collect();
    }
    // (skipReclaim: the control that shows a trial notices what reclaim exists to do)
    out.reclaimed = death === null || (!opts.skipReclaim && h.P.reclaim(tidV) === 1);
    const rand = xorshift32(seed ^ 0x5bd1e995);
    for (const [p, b] of h.live) if (!h.intact(p, b.size, b.stamp)) out.damaged++;
    let refreed = 0;
    if (death && death.block !== 0) { // V died freeing it: P frees it again (a double free if V's took effect)
      h.live.delete(death.block);
      h.P.free(death.block);
      refreed = death.block;
    }
    for (let i = 0; i < 64; i++) h.malloc(h.P, SIZES[rand() % SIZES.length]!, rand());
    for (const [p, b] of h.live) if (!h.intact(p, b.size, b.stamp)) out.damaged++;
    for (const p of [...h.live.keys()]) { h.live.delete(p); h.P.free(p); }
    h.P.collect();
    h.P.detach();
    h.observer.stats_collect();
    const stats = decodeStats(h.view);
    out.repairs = stats.repairs;
    out.deadHeld = stats.deadHeld;
    out.blocksLost = stats.classes.reduce((n, c) => n + c.inUse, 0);
    const faults = decodeFaults(h.view, seq);
    // the one fault allowed: at the block V was freeing (double_free; or free_slab if its free took
    // effect and reclaim released the emptied slab)
    const refused = faults.findIndex((f) => f.ptr === refreed && refreed !== 0);
    const other = faults.filter((_, i) => i !== refused);
    out.otherFaults = other.length;
    out.otherFaultNames = other.slice(0, 4).map((f) => `${f.codeName}@${f.ptr}`);
    h.observer.heap_check();
    out.violations = decodeCheck(h.view).violations;
    out.recordsLeft = decodeThreads(h.view).length;
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    out.crashed = e.message;
  }
  out.handedOutTwice = h.handedOutTwice;
  return out;
}

/** Did the trial go wrong in any way? */
export function killTrialFailed(t: KillTrial): boolean {
  return !t.reclaimed || t.damaged > 0 || t.handedOutTwice > 0 || t.otherFaults > 0 || t.violations > 0 ||
    t.recordsLeft > 0 || t.crashed !== null || t.blocksLost > (t.killedIn === 'malloc' ? 1 : 0);
}

/** The figures of many trials. */
export interface KillSummary {
  trials: number;
  kills: number;
  /** Kills of a thread holding the pool lock. */
  poolLockKills: number;
  failed: number;
  blocksLost: number;
  deadHeld: number;
  repairs: number;
  uncleanChecks: number;
  /** Kills per place V died. */
  killedIn: Record<KilledIn, number>;
  /** The first failed trials (seed, config, point: to replay one with killTrial). */
  failures: KillTrial[];
}

/** A summary of no trials yet. */
export function emptyKillSummary(): KillSummary {
  return { trials: 0, kills: 0, poolLockKills: 0, failed: 0, blocksLost: 0, deadHeld: 0, repairs: 0, uncleanChecks: 0,
    killedIn: { malloc: 0, 'free-own': 0, 'free-remote': 0, collect: 0, 'retire-dormant': 0, rest: 0, detach: 0 }, failures: [] };
}

/** Count trial `t` into summary `s`. */
export function tallyKill(s: KillSummary, t: KillTrial): void {
  s.trials++;
  if (t.killedIn) { s.kills++; s.killedIn[t.killedIn]++; }
  if (t.heldPoolLock) s.poolLockKills++;
  s.blocksLost += t.blocksLost;
  s.deadHeld += t.deadHeld;
  s.repairs += t.repairs;
  if (t.violations > 0) s.uncleanChecks++;
  if (killTrialFailed(t)) {
    s.failed++;
    if (s.failures.length < 10) s.failures.push(t);
  }
}

/**
 * Every crash point of each seed's scenario, under each configuration: seeds `seed` ..
 * `seed + seeds - 1`; `stride` > 1 arms every stride-th point only (a faster sample).
 */
export function killTrials(module: WebAssembly.Module, seeds: number, seed = 1, stride = 1,
                           configs = KILL_CONFIGS, onTrial?: (t: KillTrial) => void): KillSummary {
  const s = emptyKillSummary();
  for (let i = 0; i < seeds; i++) {
    const cfg = configs[i % configs.length]!;
    const total = killPoints(module, cfg.config, seed + i);
    for (let n = 1 + ((seed + i) % stride); n <= total + 1; n += stride) {
      const t = killTrial(module, cfg.name, cfg.config, seed + i, n);
      tallyKill(s, t);
      onTrial?.(t);
    }
  }
  return s;
}
