// heap-info.ts: what the harness reads from a hakmem-wasm heap after a run, through the
// host's decoders (decode.ts): the stats block's global figures, the fault log and the debug
// ring. Other allocators have no such records: every reader returns nothing for them.

import type { Engine } from './engine.js';
import { decodeStats, decodeFaults, decodeRing, faultSeq, hex, type HeapStats } from '../abi/decode.js';

/** The allocator counters a record carries (cumulative ones as deltas over the timed run). */
export interface AllocCounters {
  remote_frees: number;
  remote_pushes: number;
  drains: number;
  drained_blocks: number;
  adoptions: number;
  orphaned_slabs: number;
  grows: number;
  peak_mem_bytes: number;
  mem_bytes: number;
  bytes_in_use: number;
  superslabs: number;
  faults: number;
  /** Times the pool lock was taken, and times a thread slept on it instead of spinning. */
  pool_lock_taken: number;
  pool_lock_sleeps: number;
}

/** One stats block, decoded (the global figures). */
export type Snapshot = Omit<HeapStats, 'classes'>;

/** Take a stats snapshot through the main instance (no worker may be inside the allocator). */
export function statsSnapshot(e: Engine): Snapshot | null {
  if (!e.heap || !e.ex.stats_collect) return null;
  e.ex.stats_collect();
  const { classes: _, ...global } = decodeStats(e.heap);
  return global;
}

/** The counters of one run: cumulative ones as `after - before`, levels as `after`. */
export function countersBetween(before: Snapshot | null, after: Snapshot | null, e: Engine): AllocCounters | null {
  if (!before || !after) return null;
  const d = (k: keyof Snapshot): number => after[k] - before[k];
  const chunk = e.heap?.layout.CHUNK_SIZE ?? 0;
  return {
    remote_frees: d('remoteFrees'), remote_pushes: d('remotePushes'), drains: d('drains'),
    drained_blocks: d('drainedBlocks'), adoptions: d('adoptions'), orphaned_slabs: d('orphaned'),
    grows: d('grows'), peak_mem_bytes: after.peakChunks * chunk, mem_bytes: after.pages * 65536,
    bytes_in_use: after.bytesInUse, superslabs: after.superslabs, faults: d('faults'),
    pool_lock_taken: d('poolLockTaken'), pool_lock_sleeps: d('poolLockSleeps'),
  };
}


/** Number of faults recorded so far. */
export function faultCount(e: Engine): number {
  return e.heap ? faultSeq(e.heap) : 0;
}

/** The faults after `since` still in the log, one line each. */
export function faultLines(e: Engine, since = 0): string[] {
  if (!e.heap) return [];
  return decodeFaults(e.heap, since).map((f) => `fault #${f.seq}: ${f.text}`);
}

/** The last `n` valid ring events, oldest first, one line each. */
export function ringLines(e: Engine, n: number): string[] {
  if (!e.heap) return ['(no ring in this build)'];
  return decodeRing(e.heap, n).map((ev) =>
    `${String(ev.seq).padStart(8)} t${String(ev.thread).padEnd(6)} ${ev.kindName.padEnd(18)} ` +
    `class ${String(ev.cls).padStart(2)} ptr ${hex(ev.ptr).padStart(10)} aux ${ev.aux}`);
}

/** Run the heap checker (quiescent heap); returns its violation count. */
export function heapCheck(e: Engine): number {
  return e.ex.heap_check ? e.ex.heap_check() >>> 0 : 0;
}
