// double-free.ts: the allocator facing double frees, as a buggy program commits them. One
// trial is a fresh heap with two allocator threads, A (which allocates every block) and B
// (which frees some of them remotely): a random legitimate prefix of mallocs, frees and
// collects, then ONE double free of the trial's kind, then more random traffic. The trial
// passes when the double free was reported (exactly one fault at that pointer: double_free, or
// free_slab when the first free emptied the block's slab and it went back to the pool),
// nothing else faulted, no malloc returned a block that was still live, every live block kept
// its contents, and after everything was freed the heap checker is clean.
//
// Environment independent: instances are made synchronously from a compiled module, all on
// the calling thread (so a hang here would be a hang of the allocator: a drain walking a
// cycle, a malloc that never returns).

import { createSharedMemory } from '../core/memory.js';
import { xorshift32 } from '../core/random.js';
import { instantiateAllocatorSync, type AllocatorExports } from '../core/instance.js';
import { MemoryView } from '../abi/views.js';
import { decodeCheck, decodeFaults, faultSeq } from '../abi/decode.js';
import { initArgs, type HeapConfig } from '../heap/config.js';

/** The kinds of double free a trial commits (p is A's block, q another one of A's). */
export const DOUBLE_FREE_KINDS = [
  'immediate',          // A: free(p); free(p)
  'after-other-free',   // A: free(p); free(q); free(p)
  'mid-size',           // the same, for a 2..16 KiB class
  'cache-off',          // the same, with the per-thread caches off
  'after-spill',        // A: free(p); collect (p now on its slab's free list); free(p)
  'remote-twice',       // B: free(q); free(p); free(p) (p twice into B's outbox)
  'remote-after-flush', // B: free(p); collect (p pushed to the slab); free(p)
  'remote-then-owner',  // B: free(p); collect; A: free(p)
  'owner-then-remote',  // A: free(p); B: free(p)
  'after-detach',       // B: free(p); detach (its outbox pushed); attach; free(p)
  'after-drain',        // B: free(p); collect; A: collect (drained to the free list); B: free(p)
  // The remote kinds again for blocks of 2 KiB and up, whose slabs take remote frees as bits
  // of their remote head instead of outbox chains:
  'remote-twice-mid',      // B: free(q); free(p); free(p) (p's bit already set)
  'remote-then-owner-mid', // B: free(p); A: free(p) (p waits as a bit, tagged)
  'owner-then-remote-mid', // A: free(p) (in A's cache); B: free(p)
  'after-drain-mid',       // B: free(p); A: collect (drained to the free list); B: free(p)
] as const;
export type DoubleFreeKind = typeof DOUBLE_FREE_KINDS[number];

/** What one trial saw. */
export interface DoubleFreeTrial {
  kind: DoubleFreeKind;
  seed: number;
  /**
   * The double free was reported as exactly one fault at its pointer: double_free, or free_slab
   * if the block's slab had gone back to the pool (the fault record says the slab is free).
   */
  caught: boolean;
  /** Faults other than that one (a legitimate free refused, or a wrong code). */
  otherFaults: number;
  /** A malloc returned a block that was still live (the failure a missed double free causes). */
  handedOutTwice: number;
  /** Live blocks whose contents changed. */
  damaged: number;
  /** Heap checker violations after everything was freed. */
  violations: number;
  /** The allocator trapped or read out of bounds (the message), or null. */
  crashed: string | null;
}

/** Per kind: how many trials, and how many of them had each outcome. */
export interface DoubleFreeSummary {
  kind: DoubleFreeKind;
  trials: number;
  caught: number;
  otherFaults: number;
  handedOutTwice: number;
  damaged: number;
  uncleanChecks: number;
  crashed: number;
}

const SMALL_SIZES = [8, 16, 24, 40, 64, 100, 256, 1000, 1024];
const MID_SIZES = [2048, 3000, 8192, 16384];
/** 64 KiB pages of a trial's memory (the heap needs a few SuperSlabs at most). */
const TRIAL_PAGES = 512;

/**
 * Run one trial of `kind` with `seed` on `module` (a release or debug allocator build). A
 * trap inside the allocator is a failed trial (crashed), not an exception.
 */
export function doubleFreeTrial(module: WebAssembly.Module, kind: DoubleFreeKind, seed: number): DoubleFreeTrial {
  try {
    return trial(module, kind, seed);
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    return { kind, seed, caught: false, otherFaults: 0, handedOutTwice: 0, damaged: 0, violations: 0, crashed: e.message };
  }
}

/** doubleFreeTrial's work. */
function trial(module: WebAssembly.Module, kind: DoubleFreeKind, seed: number): DoubleFreeTrial {
  const memory = createSharedMemory(TRIAL_PAGES);
  const make = (): AllocatorExports => instantiateAllocatorSync(module, memory).exports;
  const observer = instantiateAllocatorSync(module, memory);
  const config: Partial<HeapConfig> = { faultPolicy: 'report', ring: 'off', cache: kind === 'cache-off' ? 'off' : 'default' };
  observer.exports.init(...initArgs(config));
  const view = new MemoryView(memory, observer.layout);
  const A = make(), B = make();
  if (A.attach() === 0 || B.attach() === 0) throw new Error('double-free trial: attach failed');
  const rand = xorshift32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length]!;
  const sizes = kind === 'mid-size' || kind.endsWith('-mid') ? MID_SIZES : SMALL_SIZES;

  // Every live block: its size and the pattern it holds (derived from the block and a stamp).
  const live = new Map<number, { size: number; stamp: number }>();
  let handedOutTwice = 0;
  const words = (): Uint32Array => new Uint32Array(memory.buffer);
  const fill = (p: number, size: number, stamp: number): void => {
    const w = words();
    for (let i = 0; i < size >>> 2; i++) w[(p >>> 2) + i] = (Math.imul(p + i, 0x01000193) ^ stamp) >>> 0;
  };
  const intact = (p: number, size: number, stamp: number): boolean => {
    const w = words();
    for (let i = 0; i < size >>> 2; i++) if (w[(p >>> 2) + i] !== ((Math.imul(p + i, 0x01000193) ^ stamp) >>> 0)) return false;
    return true;
  };
  const malloc = (t: AllocatorExports, size: number): number => {
    const p = t.malloc(size) >>> 0;
    if (p === 0) throw new Error(`double-free trial: malloc(${size}) failed`);
    if (live.has(p)) handedOutTwice++;
    const stamp = rand();
    fill(p, size, stamp);
    live.set(p, { size, stamp });
    return p;
  };
  const free = (t: AllocatorExports, p: number): void => {
    live.delete(p);
    t.free(p);
  };
  const reserved = new Set<number>(); // the trial's p and q: random traffic leaves them alone
  const randomTraffic = (steps: number): void => {
    for (let i = 0; i < steps; i++) {
      const r = rand() % 100;
      const free_ = [...live.keys()].filter((b) => !reserved.has(b));
      if (r < 45 || free_.length === 0) malloc(A, pick(sizes));
      else if (r < 90) free(r < 70 ? A : B, pick(free_));
      else if (r < 95) A.collect();
      else B.collect();
    }
  };

  randomTraffic(20 + rand() % 200);
  const size = pick(sizes);
  const p = malloc(A, size), q = malloc(A, size);
  reserved.add(p).add(q);
  randomTraffic(rand() % 50);
  reserved.clear();
  const seq = faultSeq(view);
  switch (kind) {
    case 'immediate': free(A, p); A.free(p); break;
    case 'after-other-free': case 'mid-size': case 'cache-off': free(A, p); free(A, q); A.free(p); break;
    case 'after-spill': free(A, p); A.collect(); A.free(p); break;
    case 'remote-twice': free(B, q); free(B, p); B.free(p); break;
    case 'remote-after-flush': free(B, p); B.collect(); B.free(p); break;
    case 'remote-then-owner': free(B, p); B.collect(); A.free(p); break;
    case 'owner-then-remote': free(A, p); B.free(p); break;
    case 'after-detach':
      free(B, p); B.detach();
      if (B.attach() === 0) throw new Error('double-free trial: re-attach failed');
      B.free(p);
      break;
    case 'after-drain': free(B, p); B.collect(); A.collect(); B.free(p); break;
    case 'remote-twice-mid': free(B, q); free(B, p); B.free(p); break;
    case 'remote-then-owner-mid': free(B, p); A.free(p); break;
    case 'owner-then-remote-mid': free(A, p); B.free(p); break;
    case 'after-drain-mid': free(B, p); A.collect(); B.free(p); break;
  }
  const faults = decodeFaults(view, seq);
  // A block whose slab went back to the pool with its first free (a slab of four 16 KiB blocks
  // empties easily) is no block any more: its second free is reported as a free of a free slab.
  const first = faults[0];
  const caught = first !== undefined && first.ptr === p && (first.codeName === 'double_free'
    || (first.codeName === 'free_slab' && first.found.kind === 'slab' && first.found.stateName === 'free'));
  randomTraffic(200 + rand() % 200);
  let damaged = 0;
  for (const [b, { size: n, stamp }] of live) if (!intact(b, n, stamp)) damaged++;
  for (const b of [...live.keys()]) free(rand() % 2 ? A : B, b);
  B.detach();
  A.detach();
  const otherFaults = decodeFaults(view, seq).length - (caught ? 1 : 0);
  observer.exports.heap_check();
  return { kind, seed, caught, otherFaults, handedOutTwice, damaged, violations: decodeCheck(view).violations, crashed: null };
}

/** A summary of no trials yet. */
export function emptySummary(kind: DoubleFreeKind, trials: number): DoubleFreeSummary {
  return { kind, trials, caught: 0, otherFaults: 0, handedOutTwice: 0, damaged: 0, uncleanChecks: 0, crashed: 0 };
}

/** Did the trial go wrong in any way (missed, or anything else the trial checks)? */
export function trialFailed(t: DoubleFreeTrial): boolean {
  return !t.caught || t.otherFaults > 0 || t.handedOutTwice > 0 || t.damaged > 0 || t.violations > 0 || t.crashed !== null;
}

/** Count trial `t` into summary `s` (one per outcome it had). */
export function tally(s: DoubleFreeSummary, t: DoubleFreeTrial): void {
  if (t.caught) s.caught++;
  if (t.otherFaults) s.otherFaults++;
  if (t.handedOutTwice) s.handedOutTwice++;
  if (t.damaged) s.damaged++;
  if (t.violations) s.uncleanChecks++;
  if (t.crashed !== null) s.crashed++;
}

/** `trials` trials of every kind (seeds seed, seed+1, ...), summarised per kind. */
export function doubleFreeTrials(module: WebAssembly.Module, trials: number, seed = 1,
                                 kinds: readonly DoubleFreeKind[] = DOUBLE_FREE_KINDS): DoubleFreeSummary[] {
  return kinds.map((kind, k) => {
    const s = emptySummary(kind, trials);
    for (let i = 0; i < trials; i++) tally(s, doubleFreeTrial(module, kind, seed + k * 1_000_003 + i));
    return s;
  });
}
