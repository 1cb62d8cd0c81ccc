// heap-info.ts: what the harness reads from the allocator after a run, decoded with the
// module's own layout constants (docs/MODULE-API.md): the stats block's global counters, the
// fault log and the debug ring.

import { Engine, u32 } from './engine.js';
import { FAULT_CODES, STATS_GLOBAL_FIELDS } from '../codes.generated.js';

/** The global stats words the harness reads. */
const FIELDS = ['pages', 'superslabs', 'grows', 'oom', 'peakChunks', 'threads', 'remoteFrees', 'remotePushes',
  'drains', 'drainedBlocks', 'adoptions', 'orphaned', 'reclaims', 'faults', 'bytesInUse'] as const;
/** Their word indices in the stats block, from the module's own ST_* constants. */
const W = Object.fromEntries(FIELDS.map((k) => [k, STATS_GLOBAL_FIELDS.indexOf(k)])) as Record<(typeof FIELDS)[number], number>;

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
}

/** One stats block, decoded. */
export type Snapshot = Record<keyof typeof W, number>;

/** Take a stats snapshot through the main instance (no worker may be inside the allocator). */
export function statsSnapshot(e: Engine): Snapshot | null {
  if (!e.ex.stats_collect) return null;
  const base = e.ex.stats_collect() >>> 0;
  const dv = e.view();
  const out = {} as Snapshot;
  for (const [k, i] of Object.entries(W) as [keyof typeof W, number][]) {
    out[k] = k === 'bytesInUse' ? Number(dv.getBigUint64(base + i * 4, true)) : dv.getUint32(base + i * 4, true);
  }
  return out;
}

/** The counters of one run: cumulative ones as `after - before`, levels as `after`. */
export function countersBetween(before: Snapshot | null, after: Snapshot | null, e: Engine): AllocCounters | null {
  if (!before || !after) return null;
  const d = (k: keyof Snapshot): number => after[k] - before[k];
  const chunk = e.g.L_CHUNK_SIZE ?? 1 << 20;
  return {
    remote_frees: d('remoteFrees'), remote_pushes: d('remotePushes'), drains: d('drains'),
    drained_blocks: d('drainedBlocks'), adoptions: d('adoptions'), orphaned_slabs: d('orphaned'),
    grows: d('grows'), peak_mem_bytes: after.peakChunks * chunk, mem_bytes: after.pages * 65536,
    bytes_in_use: after.bytesInUse, superslabs: after.superslabs, faults: d('faults'),
  };
}


/** Number of faults recorded so far. */
export function faultCount(e: Engine): number {
  if (e.g.L_HEAP_BASE === undefined) return 0;
  return u32(e, e.g.L_HEAP_BASE + e.g.L_HEADER_OFF + e.g.L_GH_FAULT_SEQ);
}

/** The last faults (at most the log's capacity), one line each. */
export function faultLines(e: Engine, since = 0): string[] {
  const last = faultCount(e);
  const cap = e.g.L_FAULT_CAP;
  const out: string[] = [];
  for (let s = Math.max(since + 1, last - cap + 1); s <= last; s++) {
    const r = e.g.L_HEAP_BASE + e.g.L_FAULT_OFF + ((s - 1) % cap) * e.g.L_FAULT_RECORD_SIZE;
    const f = (i: number): number => u32(e, r + i * 4);
    if (f(0) !== s) continue; // overwritten or still being written
    const code = f(1);
    out.push(`fault #${s}: ${FAULT_CODES[code] ?? `code ${code}`} ptr 0x${f(2).toString(16)} tid ${f(3)} ` +
      `found 0x${f(4).toString(16)} aux ${f(5)}`);
  }
  return out;
}

const EVENT_NAMES = ['', 'alloc', 'free', 'refill', 'spill', 'carve', 'remote_push', 'drain', 'adopt', 'orphan',
  'reclaim', 'superslab_acquire', 'oom', 'fault', 'slab_acquire', 'slab_release', 'large_alloc', 'large_free',
  'attach', 'detach', 'superslab_release'];

/** The last `n` valid ring events, oldest first, one line each. */
export function ringLines(e: Engine, n: number): string[] {
  if (e.g.L_HEAP_BASE === undefined) return ['(no ring in this build)'];
  const last = u32(e, e.g.L_HEAP_BASE + e.g.L_HEADER_OFF + e.g.L_GH_RING_SEQ);
  const cap = e.g.L_RING_CAP, size = e.g.L_RING_EVENT_SIZE;
  const dv = e.view();
  const out: string[] = [];
  for (let s = Math.max(1, last - Math.min(n, cap) + 1); s <= last; s++) {
    const a = e.g.L_HEAP_BASE + e.g.L_RING_EVENTS_OFF + ((s - 1) % cap) * size;
    if (dv.getUint32(a, true) !== s) continue;
    const thread = dv.getUint16(a + 4, true), kind = dv.getUint8(a + 6), cls = dv.getUint8(a + 7);
    const ptr = dv.getUint32(a + 8, true), aux = dv.getUint32(a + 12, true);
    out.push(`${String(s).padStart(8)} t${String(thread).padEnd(6)} ${(EVENT_NAMES[kind] ?? `kind${kind}`).padEnd(18)} ` +
      `class ${String(cls).padStart(2)} ptr 0x${ptr.toString(16).padStart(8, '0')} aux ${aux}`);
  }
  return out;
}

/** Run the heap checker (quiescent heap); returns its violation count. */
export function heapCheck(e: Engine): number {
  return e.ex.heap_check ? e.ex.heap_check() >>> 0 : 0;
}
