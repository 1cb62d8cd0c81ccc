// terminate-trial.ts: a worker really terminated (worker.terminate()) at a random moment while
// partners free into it, then reclaimed and checked. Where kill-trial.ts traps an instrumented
// build at chosen stores, in-process, this kills a real Node worker thread wherever V8 stops it,
// with other threads running against the same heap.
//
// One trial: a fresh Heap (release build by default, one of TERMINATE_CONFIGS) and a
// WorkerPool of a victim and 1 or 2 partners running the churn task (rpc/churn-task.ts) over a
// shared log the host malloc'ed. Once all churn, the victim is terminated after a seeded delay
// (0..maxDelayMs), the partners keep freeing its blocks for a few ms (remote frees into a dead
// thread's slabs), then stop; the pool reclaims the victim's tid. Then: every LIVE block's
// pattern is checked, every block the logs say may be live is freed from the host (a FREEING
// block, which the victim was freeing when it died, is freed again: if the victim's free had
// completed this gives one fault at that pointer, double_free or free_slab, which is allowed),
// everyone collects and detaches, and the heap checker and the stats judge.
//
// A trial passes iff the victim was reclaimed, at most one block is left in use and only if
// the victim died in a malloc (the block it had taken, or had returned before the victim
// logged it: a FILLING slot with ptr 0), no block was damaged
// or handed out twice, no fault but the allowed ones, the checker is clean twice (after
// reclaim and at the end), no partner died or hung, and no freed block is stranded in a cache
// or on a remote stack nobody drains (stats: cached + pending, after every thread collected).
// Node only (worker_threads).

import { Heap } from '../heap/heap.js';
import type { HeapConfig } from '../heap/config.js';
import { WorkerPool } from '../rpc/workers.js';
import { WorkerDiedError } from '../abi/errors.js';
import { compileModule } from '../core/module.js';
import type { BuildName } from '../core/memory.js';
import { seededRng } from '../core/random.js';
import { GlobalHeader } from '../abi/abi.generated.js';
import type { FaultRecord } from '../abi/decode.js';
import { ChurnControl, ChurnLog, DEFAULT_CHURN, patternFault, SlotState, VICTIM_ACTIVITIES, type ChurnParams,
         type ChurnResult, type LogSlot, type VictimActivity } from '../rpc/churn-task.js';

/** The heap configurations the trials cycle through (by seed). */
export const TERMINATE_CONFIGS: readonly { name: string; config: Partial<HeapConfig> }[] = [
  { name: 'cache default', config: { cache: 'default' } },
  { name: 'cache default, batch 4', config: { cache: 'default', remoteBatch: 4 } },
  { name: 'cache off, batch 4', config: { cache: 'off', remoteBatch: 4 } },
  { name: 'cache small, batch 1', config: { cache: 'small', remoteBatch: 1 } },
];

/** Options of a trial (all but the seed have defaults). */
export interface TerminateTrialOptions {
  /** Allocator build (default release). */
  build?: BuildName;
  /** The compiled module of `build` (compiled once by terminateTrials; else per trial). */
  module?: WebAssembly.Module;
  /** Partners (default: 1 or 2, from the seed). */
  partners?: 1 | 2;
  /** Longest delay between the start of the churn and the kill, ms (default 30). */
  maxDelayMs?: number;
  /** Skip reclaim (the control: a trial must then fail). */
  skipReclaim?: boolean;
  /** Slots of the victim's log and of its inbox (default 512 and 128). */
  logSlots?: number;
  inboxSlots?: number;
  /** Churn parameters (the seed is the trial's). */
  churn?: Partial<ChurnParams>;
  /** The configurations to cycle through (default TERMINATE_CONFIGS). */
  configs?: readonly { name: string; config: Partial<HeapConfig> }[];
}

/** Where the victim was when it died ('not-started': before its churn loop began). */
export type KilledIn = VictimActivity | 'not-started';

/** What one trial saw. */
export interface TerminateTrial {
  seed: number;
  config: string;
  partners: number;
  /** Delay from "everyone churns" to terminate(), ms. */
  delayMs: number;
  /** How long partners kept running after the death, ms. */
  graceMs: number;
  /** The victim's last published step. */
  killedIn: KilledIn;
  /** The victim's figures, from the control words. */
  victimSteps: number;
  victimMallocs: number;
  victimOwnFrees: number;
  victimInboxFrees: number;
  /** LIVE blocks in the victim's log, and in its inbox, right after the death. */
  liveAtKill: number;
  inboxLiveAtKill: number;
  /** The victim died between claiming a block to free and finishing: 'own', 'inbox' or null. */
  freeingAtKill: 'own' | 'inbox' | null;
  /** The victim died inside a malloc (or before logging what it returned). */
  mallocAtKill: boolean;
  /** The victim died holding the pool lock (reclaim takes it over and rebuilds the pool). */
  heldPoolLock: boolean;
  /** Victim blocks partners freed, and how many of them after the death. */
  partnerFrees: number;
  freesIntoDead: number;
  /** pool.reclaimDead() retired the victim's tid. */
  reclaimed: boolean;
  /** Blocks left in use after everything was freed (stats: the classes' inUse). */
  blocksLost: number;
  /** Blocks a killed malloc had taken, as reclaim counted them (stats: deadHeld). */
  deadHeld: number;
  /** Torn updates reclaim finished or undid (stats: repairs). */
  repairs: number;
  /** Remote frees of the whole trial (stats). */
  remoteFrees: number;
  /** Freed blocks still in a cache or on a remote stack at the end (stats: cached + pending). */
  stranded: number;
  /** Small slabs still held at the end (information: blocks lost keep theirs). */
  slabsLeft: number;
  /** Blocks whose pattern was wrong (found by the host, a partner or the victim). */
  damaged: number;
  handedOutTwice: number;
  /** FREEING/TAKEN blocks the host freed again, and the faults that gave (allowed). */
  refrees: number;
  refreeFaults: string[];
  /** Faults other than one per re-freed block, and the first few of them as code@ptr. */
  otherFaults: number;
  otherFaultNames: string[];
  /** Checker violations after reclaim plus at the end, and the first few as `when: code@addr (a, b)`. */
  violations: number;
  violationNames: string[];
  /** A partner died (its error) or did not stop (hung). */
  partnerDied: string | null;
  hung: boolean;
  /** Anything else that went wrong in the trial itself. */
  error: string | null;
  elapsedMs: number;
}

/** The figures of many trials. */
export interface TerminateSummary {
  trials: number;
  failed: number;
  blocksLost: number;
  deadHeld: number;
  repairs: number;
  /** Σ freed blocks left in a cache or on a remote stack at the end (0 unless reclaim missed some). */
  stranded: number;
  /** Trials whose checker found a violation. */
  uncleanChecks: number;
  /** Trials that killed the victim with LIVE blocks in its log. */
  killedWithLive: number;
  /** Trials that killed it mid-free (a FREEING slot) and inside a malloc. */
  killedMidFree: number;
  killedInMalloc: number;
  /** Trials where it died holding the pool lock, and how many of them failed. */
  heldPoolLock: number;
  failedHeldPoolLock: number;
  /** Σ remote frees (stats) and Σ partner frees after the death. */
  remoteFrees: number;
  freesIntoDead: number;
  /** Σ FREEING blocks freed again, and the faults that gave. */
  refrees: number;
  refreeFaults: number;
  /** Kills per place the victim died. */
  killedIn: Record<KilledIn, number>;
  /** The first failed trials (replay one with terminateTrial(seed)). */
  failures: TerminateTrial[];
  elapsedMs: number;
}

/** Pages of a trial's memory at most (128 MiB). */
const TRIAL_PAGES = 2048;
/** Bytes reserved before the workers start, so the churn rarely grows the memory. */
const RESERVE_BYTES = 16 << 20;
/** How long the workers may take to start churning, ms. */
const START_TIMEOUT_MS = 15_000;
/** How long partners may take to stop once told to, ms (they poll STOP every few µs). */
const STOP_TIMEOUT_MS = 3_000;
/** Partners keep running this long after the death, ms: 2 + (0..GRACE_SPREAD_MS). */
const GRACE_SPREAD_MS = 8;
/** Violations a trial describes. */
const VIOLATIONS_KEPT = 6;
/** Failed trials a summary keeps. */
const FAILURES_KEPT = 10;

/** Resolve after `ms` ms (0: after the current turn of the event loop). */
function sleep(ms: number): Promise<void> {
  return new Promise((res) => (ms > 0 ? setTimeout(res, ms) : setImmediate(res)));
}

/** Poll `done` each turn of the event loop until it holds (true) or `ms` passed (false). */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() > end) return false;
    await sleep(0);
  }
  return true;
}

/** `p`'s value, or null if it takes longer than `ms` ms (the timer is cleared either way: no lingering timer). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((res) => { timer = setTimeout(() => res(null), ms); });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise's outcome, never rejecting (so a dead worker's request is not an unhandled rejection). */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
/** Settle `p` into a Settled. */
function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

/** An error's message. */
function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A trial's figures before anything happened. */
function emptyTrial(seed: number, config: string, partners: number, delayMs: number, graceMs: number): TerminateTrial {
  return { seed, config, partners, delayMs, graceMs, killedIn: 'not-started', victimSteps: 0, victimMallocs: 0,
    victimOwnFrees: 0, victimInboxFrees: 0, liveAtKill: 0, inboxLiveAtKill: 0, freeingAtKill: null,
    mallocAtKill: false, heldPoolLock: false, partnerFrees: 0, freesIntoDead: 0, reclaimed: false, blocksLost: 0,
    deadHeld: 0, repairs: 0, remoteFrees: 0, stranded: 0, slabsLeft: 0, damaged: 0, handedOutTwice: 0, refrees: 0,
    refreeFaults: [], otherFaults: 0, otherFaultNames: [], violations: 0, violationNames: [], partnerDied: null,
    hung: false, error: null, elapsedMs: 0 };
}

/** Did the trial go wrong in any way? */
export function terminateTrialFailed(t: TerminateTrial): boolean {
  // a lost block is allowed only if a malloc was in flight: the one the dead program held
  return !t.reclaimed || t.blocksLost > (t.mallocAtKill ? 1 : 0) || t.damaged > 0 || t.handedOutTwice > 0 ||
    t.otherFaults > 0 || t.violations > 0 || t.partnerDied !== null || t.hung || t.stranded > 0 || t.error !== null;
}

/** The pool-lock word's holder (a tid, 0 if free). */
function poolLockHolder(heap: Heap): number {
  return heap.view.atomicWord(heap.layout.HEADER_BASE + GlobalHeader.off.poolLock);
}

/**
 * One trial with seed `seed`: churn, terminate the victim after a seeded delay, let the
 * partners free into it a little, stop them, reclaim, check, free everything, check again.
 */
export async function terminateTrial(seed: number, opts: TerminateTrialOptions = {}): Promise<TerminateTrial> {
  const started = performance.now();
  const configs = opts.configs ?? TERMINATE_CONFIGS;
  const cfg = configs[seed % configs.length]!;
  const rand = seededRng(seed);
  const partners = opts.partners ?? (1 + (rand() & 1));
  const delayMs = rand() % ((opts.maxDelayMs ?? 30) + 1);
  const graceMs = 2 + (rand() % (GRACE_SPREAD_MS + 1));
  const t = emptyTrial(seed, cfg.name, partners, delayMs, graceMs);
  const build = opts.build ?? 'release';
  const module = opts.module ?? await compileModule(build);
  // report policy: the allowed re-free fault must be recorded, not trap the host
  const heap = await Heap.create({ build, module, maxPages: TRIAL_PAGES,
    config: { ...cfg.config, faultPolicy: 'report', ring: 'off' } });
  heap.reserve(RESERVE_BYTES);
  const logSlots = opts.logSlots ?? 512, inboxSlots = opts.inboxSlots ?? 128;
  const region = heap.malloc(ChurnLog.bytes(logSlots, inboxSlots));
  if (region === 0) throw new Error('terminate trial: cannot allocate the churn log');
  const log = ChurnLog.init(heap.memory.buffer, region, logSlots, inboxSlots);
  const pool = await WorkerPool.create(heap, 1 + partners);
  const victimTid = pool.tids[0]!;
  const seq0 = heap.faultCount();
  const params: ChurnParams = { ...DEFAULT_CHURN, ...opts.churn, seed };
  try {
    // The victim's request never answers (it dies inside it); settle() keeps its rejection handled.
    const victimRun = settle(pool.request(0, 'churn', { params, region, role: 'victim', partner: 0 }));
    const partnerRuns = Array.from({ length: partners }, (_, k) =>
      settle(pool.request(1 + k, 'churn', { params, region, role: 'partner', partner: k })));
    const churning = await until(() => pool.dead().length > 0 ||
      (log.get(ChurnControl.VICTIM_STARTED) !== 0 && log.get(ChurnControl.PARTNERS_STARTED) === partners),
      START_TIMEOUT_MS);
    if (!churning) throw new Error('the workers did not start churning');
    if (pool.dead().length > 0) throw new Error(`worker ${pool.dead().join(', ')} died before the kill`);

    await sleep(delayMs);
    await pool.kill(0);
    log.set(ChurnControl.KILLED, 1);
    observeDeath(t, log, heap, victimTid);
    // Its request ends with its death; any other end is the victim's own failure before it.
    const victimEnd = await victimRun;
    if (!victimEnd.ok && !(victimEnd.error instanceof WorkerDiedError)) {
      t.error ??= `the victim's churn failed before the kill: ${message(victimEnd.error)}`;
    }

    await sleep(graceMs);
    log.set(ChurnControl.STOP, 1);
    if (!opts.skipReclaim && poolLockHolder(heap) === victimTid) {
      // The dead victim holds the pool lock: a partner that needs it spins until reclaim
      // breaks it, so reclaim first (while the partners run).
      t.reclaimed = pool.reclaimDead().includes(victimTid);
    }
    const results = await within(Promise.all(partnerRuns), STOP_TIMEOUT_MS);
    if (results === null) {
      t.hung = true;
      return t;
    }
    for (const r of results) {
      if (!r.ok) { t.partnerDied ??= message(r.error); continue; }
      tallyPartner(t, r.value);
    }
    if (t.partnerDied !== null) return t;

    if (!opts.skipReclaim && !t.reclaimed) t.reclaimed = pool.reclaimDead().includes(victimTid);
    runCheck(t, heap, 'after reclaim'); // everyone is idle: the checker may run
    const refreed = freeLogged(t, heap, log);
    heap.free(region);
    heap.collect();
    await pool.all('collect', {});
    const detached = await Promise.all(pool.alive().map((i) => settle(pool.request(i, 'detach', {}))));
    const lost = detached.find((d) => !d.ok);
    if (lost && !lost.ok) t.partnerDied = message(lost.error);
    const deadPartners = pool.dead().filter((i) => i !== 0);
    if (deadPartners.length > 0) t.partnerDied ??= `worker ${deadPartners.join(', ')} died`;
    await pool.terminate();
    heap.collect();

    const s = heap.stats();
    t.blocksLost = s.classes.reduce((n, c) => n + c.inUse, 0);
    t.stranded = s.classes.reduce((n, c) => n + c.cached + c.pending, 0);
    t.deadHeld = s.deadHeld;
    t.repairs = s.repairs;
    t.remoteFrees = s.remoteFrees;
    t.slabsLeft = s.smallSlabs;
    runCheck(t, heap, 'end');
    judgeFaults(t, heap, seq0, refreed);
  } catch (e) {
    t.error = message(e);
  } finally {
    await pool.terminate();
    t.elapsedMs = performance.now() - started;
  }
  return t;
}

/** Run the heap checker (no thread may be inside the allocator) and count what it found into `t`. */
function runCheck(t: TerminateTrial, heap: Heap, when: string): void {
  const r = heap.check();
  t.violations += r.violations;
  for (const d of r.details.slice(0, VIOLATIONS_KEPT - t.violationNames.length)) {
    t.violationNames.push(`${when}: ${d.codeName}@0x${d.addr.toString(16)} (${d.a}, ${d.b})`);
  }
}

/** Record what the logs and the heap show right after the victim's death. */
function observeDeath(t: TerminateTrial, log: ChurnLog, heap: Heap, victimTid: number): void {
  t.killedIn = log.get(ChurnControl.VICTIM_STARTED) === 0 ? 'not-started' : log.victimDoing();
  t.victimSteps = log.get(ChurnControl.V_OPS);
  t.victimMallocs = log.get(ChurnControl.V_MALLOCS);
  t.victimOwnFrees = log.get(ChurnControl.V_OWN_FREES);
  t.victimInboxFrees = log.get(ChurnControl.V_INBOX_FREES);
  t.damaged += log.get(ChurnControl.V_DAMAGED);
  t.liveAtKill = log.victim.count(SlotState.LIVE);
  t.inboxLiveAtKill = log.inbox.count(SlotState.LIVE);
  if (log.victim.count(SlotState.FREEING) > 0) t.freeingAtKill = 'own';
  else if (log.inbox.count(SlotState.FREEING) > 0) t.freeingAtKill = 'inbox';
  t.mallocAtKill = log.victim.occupied().some((s) => s.state === SlotState.FILLING && s.ptr === 0);
  t.heldPoolLock = poolLockHolder(heap) === victimTid;
}

/** Count a partner's churn result into the trial. */
function tallyPartner(t: TerminateTrial, r: ChurnResult): void {
  t.partnerFrees += r.frees;
  t.freesIntoDead += r.freesAfterKill;
  t.damaged += r.damaged;
}

/**
 * Check and free from the host every block the logs say may be live: LIVE (pattern checked)
 * and FILLING with a pointer (its pattern may be incomplete) first, then each FREEING or
 * TAKEN block with a pointer, which its dead freer may or may not have freed, unless it is
 * live in another slot (then its free did complete: the block was handed out again). Returns
 * the pointers freed again (each may give one fault).
 */
function freeLogged(t: TerminateTrial, heap: Heap, log: ChurnLog): Set<number> {
  const slots: LogSlot[] = [...log.victim.occupied(), ...log.inbox.occupied()];
  const live = new Set<number>();
  const u8 = heap.u8(), u32 = heap.u32();
  for (const s of slots) {
    if (s.ptr === 0) continue; // a malloc in flight (FILLING), or a free that completed (FREEING)
    if (s.state !== SlotState.LIVE && s.state !== SlotState.FILLING) continue;
    if (live.has(s.ptr)) { t.handedOutTwice++; continue; }
    live.add(s.ptr);
    if (s.state === SlotState.LIVE && patternFault(u8, u32, s.ptr, s.size, s.stamp) >= 0) t.damaged++;
  }
  for (const p of live) heap.free(p);
  const refreed = new Set<number>();
  for (const s of slots) {
    if (s.ptr === 0 || (s.state !== SlotState.FREEING && s.state !== SlotState.TAKEN)) continue;
    if (live.has(s.ptr) || refreed.has(s.ptr)) continue;
    refreed.add(s.ptr);
    heap.free(s.ptr);
  }
  t.refrees = refreed.size;
  return refreed;
}

/** Sort the trial's faults into the allowed (one per re-freed pointer) and the others. */
function judgeFaults(t: TerminateTrial, heap: Heap, seq0: number, refreed: Set<number>): void {
  const faults = heap.faults(seq0);
  const recorded = heap.faultCount() - seq0; // the log keeps the last FAULT_CAP only
  const allowedAt = new Set<number>();
  const other: FaultRecord[] = [];
  for (const f of faults) {
    if (refreed.has(f.ptr) && !allowedAt.has(f.ptr)) {
      allowedAt.add(f.ptr);
      t.refreeFaults.push(`${f.codeName}@0x${f.ptr.toString(16)}`);
    } else {
      other.push(f);
    }
  }
  t.otherFaults = recorded - allowedAt.size;
  t.otherFaultNames = other.slice(0, 4).map((f) => `${f.codeName}@0x${f.ptr.toString(16)}`);
}

/** A summary of no trials yet. */
export function emptyTerminateSummary(): TerminateSummary {
  const places: KilledIn[] = [...VICTIM_ACTIVITIES, 'not-started'];
  const killedIn = Object.fromEntries(places.map((k) => [k, 0])) as Record<KilledIn, number>;
  return { trials: 0, failed: 0, blocksLost: 0, deadHeld: 0, repairs: 0, stranded: 0, uncleanChecks: 0,
    killedWithLive: 0, killedMidFree: 0, killedInMalloc: 0, heldPoolLock: 0, failedHeldPoolLock: 0, remoteFrees: 0,
    freesIntoDead: 0, refrees: 0, refreeFaults: 0, killedIn, failures: [], elapsedMs: 0 };
}

/** Count trial `t` into summary `s`. */
export function tallyTerminate(s: TerminateSummary, t: TerminateTrial): void {
  s.trials++;
  s.blocksLost += t.blocksLost;
  s.deadHeld += t.deadHeld;
  s.repairs += t.repairs;
  s.stranded += t.stranded;
  if (t.violations > 0) s.uncleanChecks++;
  if (t.liveAtKill > 0) s.killedWithLive++;
  if (t.freeingAtKill !== null) s.killedMidFree++;
  if (t.mallocAtKill) s.killedInMalloc++;
  if (t.heldPoolLock) s.heldPoolLock++;
  s.remoteFrees += t.remoteFrees;
  s.freesIntoDead += t.freesIntoDead;
  s.refrees += t.refrees;
  s.refreeFaults += t.refreeFaults.length;
  s.killedIn[t.killedIn]++;
  if (terminateTrialFailed(t)) {
    s.failed++;
    if (t.heldPoolLock) s.failedHeldPoolLock++;
    if (s.failures.length < FAILURES_KEPT) s.failures.push(t);
  }
}

/**
 * Run `trials` terminate trials, seeds `seed` .. `seed + trials - 1`, one after another (each
 * with its own heap and workers), and sum them up; `onTrial` sees each trial as it ends.
 */
export async function terminateTrials(trials: number, seed = 1, options: TerminateTrialOptions = {},
                                      onTrial?: (t: TerminateTrial) => void): Promise<TerminateSummary> {
  const started = performance.now();
  const module = options.module ?? await compileModule(options.build ?? 'release');
  const s = emptyTerminateSummary();
  for (let i = 0; i < trials; i++) {
    const t = await terminateTrial(seed + i, { ...options, module });
    tallyTerminate(s, t);
    onTrial?.(t);
  }
  s.elapsedMs = performance.now() - started;
  return s;
}
