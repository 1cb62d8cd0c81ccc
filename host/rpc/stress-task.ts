// stress-task.ts: the concurrency stress workload, run inside each worker (environment
// independent: Node workers and browser Web Workers run the same code).
//
// Each worker allocates blocks of random sizes, stamps each with a pattern derived from
// (seed, sequence, size), frees some itself and hands others to peers through SPSC queues;
// whoever frees a block verifies the pattern first. A block handed out twice, corrupted by
// the allocator's own links, or freed into the wrong place shows up as a pattern failure or
// as a heap-check violation afterwards. Peer frees are remote frees for the allocator: the
// counters prove the cross-thread path was exercised.

import type { AllocatorExports } from '../core/instance.js';
import { SpscQueues, type QueuedBlock } from './spsc.js';
import { mix32, seededRng } from '../core/random.js';

/** Parameters of the stress task (the same for every worker of a run, except the index). */
export interface StressParams {
  /** Base seed; worker i uses seed + i. */
  seed: number;
  /** Operations per worker (a malloc, a local free or a hand-off each). */
  ops: number;
  /** Size range of ordinary blocks (bytes, inclusive). */
  minSize: number;
  maxSize: number;
  /** Fraction of allocations sized in (1 KiB, 32 KiB] (mid classes). */
  midFraction: number;
  /** Fraction of allocations above 32 KiB (large runs), up to `largeMax` bytes. */
  largeFraction: number;
  largeMax: number;
  /** Own blocks a worker holds at most. */
  maxLive: number;
  /** Fraction of frees that hand the block to a peer instead. */
  sendFraction: number;
  /** Every k-th block (of size <= 4 KiB) carries the whole-block pattern. */
  fullCheckEvery: number;
}

/** Defaults: mostly tiny blocks, some mid, a few large, half the frees cross threads. */
export const DEFAULT_STRESS: Readonly<StressParams> = Object.freeze({
  seed: 1, ops: 100_000, minSize: 1, maxSize: 1024, midFraction: 0.02, largeFraction: 0.0005,
  largeMax: 192 * 1024, maxLive: 512, sendFraction: 0.5, fullCheckEvery: 8,
});

/** What one worker did. */
export interface StressResult {
  index: number;
  tid: number;
  mallocs: number;
  /** Every free this worker made (its own blocks and peers'). */
  frees: number;
  localFrees: number;
  /** Peers' blocks received and freed here (remote frees for the allocator). */
  remoteFrees: number;
  sent: number;
  /** Hand-offs refused by a full queue (freed locally instead). */
  queueFull: number;
  largeAllocs: number;
  oom: number;
  bytesAllocated: number;
  patternFailures: number;
  /** The first few failures, described. */
  failures: string[];
  elapsedMs: number;
}

/** Largest whole-block pattern (bytes): bigger blocks get head and tail only. */
const FULL_PATTERN_MAX = 4096;
/** Operations between polls of the incoming queues. */
const POLL_EVERY = 16;
/** Failure descriptions kept. */
const FAILURES_KEPT = 8;

/** The pattern word of block `seq` of size `size` made by the worker seeded `seed`. */
export function patternTag(seed: number, seq: number, size: number): number {
  return mix32((seed * 0x9e3779b1) ^ mix32(seq ^ Math.imul(size, 0x27d4eb2d)));
}

/**
 * Run the stress task as worker `index` of `workers`. Every block is freed before it
 * returns; the caller then collects. `memory` is the shared memory (views are rebuilt when
 * a block lies past the current view: another thread grew the memory).
 */
export function runStressTask(exp: AllocatorExports, memory: WebAssembly.Memory, tid: number,
                              queuesBuffer: SharedArrayBuffer, index: number, workers: number,
                              p: StressParams): StressResult {
  const started = performance.now();
  const queues = new SpscQueues(queuesBuffer);
  const seedOf = (w: number): number => (p.seed + w) >>> 0;
  const mySeed = seedOf(index);
  const rand = seededRng(mySeed ^ 0x5bd1e995);
  const unit = (): number => rand() / 0x1_0000_0000;
  let u8 = new Uint8Array(memory.buffer);
  let u32 = new Uint32Array(memory.buffer);
  const r: StressResult = {
    index, tid, mallocs: 0, frees: 0, localFrees: 0, remoteFrees: 0, sent: 0, queueFull: 0,
    largeAllocs: 0, oom: 0, bytesAllocated: 0, patternFailures: 0, failures: [], elapsedMs: 0,
  };
  const fail = (what: string): void => {
    r.patternFailures++;
    if (r.failures.length < FAILURES_KEPT) r.failures.push(what);
  };
  /**
   * Make sure the views cover [ptr, ptr + size). When another thread grew the memory, this
   * thread's `memory.buffer` keeps the old length until V8 handles the grow interrupt (at a
   * stack check), and a typed-array write past the end is silently dropped: so re-read until
   * the buffer is long enough (the loop's back-edge checks are where the interrupt runs).
   */
  const cover = (ptr: number, size: number): void => {
    if (ptr + size <= u8.length) return;
    for (let spins = 0; ; spins++) {
      const buf = memory.buffer;
      if (ptr + size <= buf.byteLength) {
        u8 = new Uint8Array(buf);
        u32 = new Uint32Array(buf);
        return;
      }
      if (spins > 10_000_000) throw new Error(`block 0x${ptr.toString(16)} lies past the memory (${buf.byteLength} B)`);
    }
  };
  const fullPattern = (seq: number, size: number): boolean =>
    size <= FULL_PATTERN_MAX && seq % p.fullCheckEvery === 0;

  const stamp = (ptr: number, size: number, seed: number, seq: number): void => {
    cover(ptr, size);
    const tag = patternTag(seed, seq, size);
    if (size >= 4) u32[ptr >>> 2] = tag; // blocks are at least 8-byte aligned
    else for (let k = 0; k < size; k++) u8[ptr + k] = (tag >>> (8 * k)) & 0xff;
    if (fullPattern(seq, size)) for (let k = 4; k < size - 1; k++) u8[ptr + k] = (tag + k) & 0xff;
    if (size > 4) u8[ptr + size - 1] = (tag >>> 24) ^ 0xa5;
  };
  const verify = (ptr: number, size: number, seed: number, seq: number, from: number): void => {
    cover(ptr, size);
    const tag = patternTag(seed, seq, size);
    const where = (): string => `block ${seq} of worker ${from} at 0x${ptr.toString(16)} (${size} B)`;
    if (size >= 4) {
      const got = u32[ptr >>> 2]!;
      if (got !== tag) { fail(`${where()}: head 0x${got.toString(16)} != 0x${tag.toString(16)}`); return; }
    } else {
      for (let k = 0; k < size; k++) {
        if (u8[ptr + k] !== ((tag >>> (8 * k)) & 0xff)) { fail(`${where()}: byte ${k}`); return; }
      }
    }
    if (size > 4 && u8[ptr + size - 1] !== ((tag >>> 24) ^ 0xa5)) { fail(`${where()}: last byte`); return; }
    if (fullPattern(seq, size)) {
      for (let k = 4; k < size - 1; k++) {
        if (u8[ptr + k] !== ((tag + k) & 0xff)) { fail(`${where()}: byte ${k}`); return; }
      }
    }
  };

  // Own live blocks, removed by swapping with the last.
  const livePtr = new Uint32Array(p.maxLive);
  const liveSize = new Uint32Array(p.maxLive);
  const liveSeq = new Uint32Array(p.maxLive);
  let live = 0;
  let seq = 0;

  const pickSize = (): number => {
    const u = unit();
    if (u < p.largeFraction) {
      r.largeAllocs++;
      return 32769 + Math.floor(unit() * Math.max(1, p.largeMax - 32768));
    }
    if (u < p.largeFraction + p.midFraction) return 1025 + Math.floor(unit() * (32768 - 1024));
    return p.minSize + Math.floor(unit() * (p.maxSize - p.minSize + 1));
  };
  const allocate = (): void => {
    const size = pickSize();
    const ptr = exp.malloc(size) >>> 0;
    if (ptr === 0) { r.oom++; return; }
    r.mallocs++;
    r.bytesAllocated += size;
    seq++;
    stamp(ptr, size, mySeed, seq);
    livePtr[live] = ptr; liveSize[live] = size; liveSeq[live] = seq; live++;
  };
  const freeLocal = (ptr: number, size: number, s: number): void => {
    verify(ptr, size, mySeed, s, index);
    exp.free(ptr);
    r.frees++;
    r.localFrees++;
  };
  const got: QueuedBlock = { ptr: 0, size: 0, seq: 0 };
  /** Free every block peers sent; returns how many. */
  const drainIncoming = (): number => {
    let n = 0;
    for (let from = 0; from < workers; from++) {
      if (from === index) continue;
      while (queues.pop(from, index, got)) {
        verify(got.ptr, got.size, seedOf(from), got.seq, from);
        exp.free(got.ptr);
        r.frees++;
        r.remoteFrees++;
        n++;
      }
    }
    return n;
  };

  try {
    produce();
  } finally {
    // Counted even if this worker failed: peers wait for every producer before stopping.
    queues.markDone();
  }
  // Keep consuming until every peer stopped producing and the queues are empty: a peer may
  // still be sending, and it never blocks on a full queue, so this cannot deadlock.
  for (;;) {
    const done = queues.doneCount();
    const n = drainIncoming();
    if (done === workers && n === 0) break; // nobody produces any more and nothing is left
    if (n === 0) queues.waitDone(done, 1);
  }
  r.elapsedMs = performance.now() - started;
  return r;

  /** The operations proper, then freeing every own block still live. */
  function produce(): void {
    for (let op = 0; op < p.ops; op++) {
      if (workers > 1 && op % POLL_EVERY === 0) drainIncoming();
      if (live === 0 || (live < p.maxLive && unit() < 0.5)) { allocate(); continue; }
      const i = rand() % live;
      const ptr = livePtr[i]!, size = liveSize[i]!, s = liveSeq[i]!;
      live--;
      livePtr[i] = livePtr[live]!; liveSize[i] = liveSize[live]!; liveSeq[i] = liveSeq[live]!;
      if (workers > 1 && unit() < p.sendFraction) {
        // Verify before handing off too: a corruption is then blamed on the right side.
        verify(ptr, size, mySeed, s, index);
        const to = (index + 1 + (rand() % (workers - 1))) % workers;
        if (queues.push(index, to, ptr, size, s)) { r.sent++; continue; }
        r.queueFull++;
      }
      freeLocal(ptr, size, s);
    }
    while (live > 0) {
      live--;
      freeLocal(livePtr[live]!, liveSize[live]!, liveSeq[live]!);
    }
  }
}
