// decode.ts: decoders of the allocator's shared records (see docs/MODULE-API.md).
//
// They only read shared memory through a MemoryView: they never call into the module and
// never allocate from the wasm heap, so they work from any thread, while workers run (the
// figures are then a racy snapshot) and after a worker died (its records stay in memory).
// Region offsets and bit packing come from the Layout (the module's L_* exports); record
// fields (their offsets and types) and the code tables (event kinds, fault codes, check
// codes, assertion messages, slab states) from abi.generated.ts, which the build generates
// from the allocator's own classes and constants. No offset or code is written down here.

import type { MemoryView } from './views.js';
import { threadRecordAddr } from '../core/layout.js';
import { RING_KINDS, FAULT_CODES, CHECK_CODES, ASSERT_MESSAGES, SLAB_STATES, THREAD_STATES, SLAB_LISTS,
         GlobalHeader, RingEvent as RingEventRec, FaultRecord as FaultRec, StatsGlobal, StatsClass,
         CheckReport as CheckReportRec, CheckDetail, CacheEntry, CacheFlow, ThreadHeader, ThreadCounters as
         ThreadCountersRec, SlabMeta, SuperSlabHeader, OutboxEntry } from './abi.generated.js';

// ---- names ----------------------------------------------------------------------------------

export { RING_KINDS, FAULT_CODES, CHECK_CODES, ASSERT_MESSAGES, SLAB_STATES, THREAD_STATES,
         SLAB_LISTS } from './abi.generated.js';

/** Name of entry `i` of a name table, or `unknown(i)`. */
function nameOf(table: readonly string[], i: number): string {
  return table[i] ?? `unknown(${i})`;
}

/** The kind of a registry entry (REG_*). */
function regKind(view: MemoryView, entry: number): number {
  return entry & view.layout.REG_KIND_MASK;
}

/** The payload of a registry entry (a huge span's chunks, or a tail's head chunk). */
function regPayload(view: MemoryView, entry: number): number {
  return entry >>> view.layout.REG_PAYLOAD_SHIFT;
}

/** The registry entry of the chunk holding address `p`. */
function registryEntryOf(view: MemoryView, p: number, atomic = false): number {
  const at = view.layout.REGISTRY_BASE + Math.floor(p / view.layout.CHUNK_SIZE) * 4;
  return atomic ? view.atomicWord(at) : view.word(at);
}

/** Address of a global header field. */
function headerField(view: MemoryView, f: keyof typeof GlobalHeader.off): number {
  return view.layout.HEADER_BASE + GlobalHeader.off[f];
}

/** Registry kind names; values come from the layout. */
function regKindName(view: MemoryView, kind: number): string {
  const L = view.layout;
  if (kind === 0) return 'none';
  if (kind === L.REG_FREE) return 'free';
  if (kind === L.REG_SUPERSLAB) return 'superslab';
  if (kind === L.REG_HUGE) return 'huge';
  if (kind === L.REG_HUGE_TAIL) return 'huge_tail';
  return `unknown(${kind})`;
}

/** `0x`-prefixed hex of an address. */
export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

// ---- ring -----------------------------------------------------------------------------------

/** One debug-ring event. `thread` is the low 16 bits of the tid. */
export interface RingEvent {
  seq: number;
  thread: number;
  kind: number;
  kindName: string;
  cls: number;
  ptr: number;
  aux: number;
}

/** Sequence number of the last claimed ring event. */
export function ringSeq(view: MemoryView): number {
  return view.atomicWord(headerField(view, 'ringSeq'));
}

/**
 * The last `n` ring events in sequence order. A slot is trusted only if its seq is the one
 * expected for its position before and after reading it: slots being written (seq 0), not
 * yet published, or overwritten by a later lap are skipped.
 */
export function decodeRing(view: MemoryView, n = 64): RingEvent[] {
  const L = view.layout;
  const last = ringSeq(view);
  const count = Math.min(n, L.RING_CAP, last);
  const out: RingEvent[] = [];
  for (let seq = last - count + 1; seq <= last; seq++) {
    const at = L.RING_BASE + ((seq - 1) % L.RING_CAP) * L.RING_EVENT_SIZE;
    if (view.atomicWord(at) !== seq) continue;
    const r = view.record(RingEventRec, at);
    const ev: RingEvent = { ...r, seq, kindName: nameOf(RING_KINDS, r.kind) };
    if (view.atomicWord(at) !== seq) continue; // overwritten while we read it
    out.push(ev);
  }
  return out;
}

/** One line describing a ring event. */
export function formatRingEvent(e: RingEvent): string {
  return `#${e.seq} t${e.thread} ${e.kindName} cls=${e.cls} ptr=${hex(e.ptr)} aux=${e.aux}`;
}

// ---- faults ---------------------------------------------------------------------------------

/** What the allocator found at a faulting address. */
export type FaultFound =
  | { kind: 'slab'; state: number; stateName: string; cls: number; owner16: number }
  | { kind: 'registry'; entry: number; regKind: number; regKindName: string; payload: number }
  | { kind: 'assertion'; code: number; value: number }
  | { kind: 'raw'; value: number };

/** One decoded fault record. */
export interface FaultRecord {
  seq: number;
  code: number;
  codeName: string;
  ptr: number;
  tid: number;
  found: FaultFound;
  foundRaw: number;
  aux: number;
  ringSeq: number;
  /** Internal faults: what the failed assertion says (ASSERT_MESSAGES). */
  message: string | null;
  /** A readable sentence, e.g. "double free of 0x105000 by thread 129: ...". */
  text: string;
}

/** Sequence number of the last fault recorded (= number of faults so far). */
export function faultSeq(view: MemoryView): number {
  return view.atomicWord(headerField(view, 'faultSeq'));
}

/** Decode `found` by the code's meaning (slab faults vs registry faults). */
function decodeFound(view: MemoryView, code: number, ptr: number, found: number, aux: number): FaultFound {
  const L = view.layout;
  const slab = (): FaultFound => {
    const state = found & ((1 << L.FOUND_CLASS_SHIFT) - 1);
    return { kind: 'slab', state, stateName: nameOf(SLAB_STATES, state),
             cls: (found >>> L.FOUND_CLASS_SHIFT) & ((1 << (L.FOUND_OWNER_SHIFT - L.FOUND_CLASS_SHIFT)) - 1),
             owner16: found >>> L.FOUND_OWNER_SHIFT };
  };
  const registry = (): FaultFound => ({
    kind: 'registry', entry: found, regKind: regKind(view, found),
    regKindName: regKindName(view, regKind(view, found)), payload: regPayload(view, found),
  });
  switch (FAULT_CODES[code]) {
    case 'outside_heap': return registry();
    case 'free_slab': case 'not_block_start': case 'not_carved': case 'double_free':
    case 'header': case 'corrupt_list': return slab();
    case 'large_interior': {
      // Inside a SuperSlab it is a large run (slab form); inside a huge span, registry form.
      return regKind(view, registryEntryOf(view, ptr)) === L.REG_SUPERSLAB ? slab() : registry();
    }
    case 'internal': return { kind: 'assertion', code: aux, value: found };
    default: return { kind: 'raw', value: found };
  }
}

/** Readable description of a fault. */
function faultText(view: MemoryView, f: Omit<FaultRecord, 'text'>): string {
  const head = `${f.codeName.replace(/_/g, ' ')} of ${hex(f.ptr)} by thread ${f.tid}`;
  const fd = f.found;
  switch (fd.kind) {
    case 'slab': {
      const size = view.classSizes[fd.cls];
      const what = fd.stateName === 'small'
        ? `a class-${fd.cls}${size ? ` (${size} B)` : ''} slab owned by thread#${fd.owner16}`
        : `a ${fd.stateName} slab`;
      const detail = f.codeName === 'double_free' || f.codeName === 'not_carved'
        ? `block ${f.aux} of ${what}`
        : f.codeName === 'not_block_start' ? `offset ${f.aux} into ${what}`
        : f.codeName === 'corrupt_list' ? `link ${f.aux + 1} of a remote chain of ${what} (chain dropped)` : what;
      return `${head}: ${detail}`;
    }
    case 'registry':
      return `${head}: chunk ${Math.floor(f.ptr / view.layout.CHUNK_SIZE)} is ${fd.regKindName}`;
    case 'assertion':
      return `${head}: allocator assertion ${fd.code} failed: ${f.message ?? 'unknown code'} (value ${fd.value})`;
    default:
      return `${head}: found ${hex(fd.value)}, aux ${f.aux}`;
  }
}

/** Decode the fault record with sequence number `seq` (null if overwritten or unpublished). */
export function decodeFault(view: MemoryView, seq: number): FaultRecord | null {
  const L = view.layout;
  const at = L.FAULT_BASE + ((seq - 1) % L.FAULT_CAP) * L.FAULT_RECORD_SIZE;
  if (seq < 1 || view.atomicWord(at) !== seq) return null;
  const { code, ptr, tid, found: foundRaw, aux, ringSeq: ring } = view.record(FaultRec, at);
  const rec: Omit<FaultRecord, 'text'> = {
    seq, code, codeName: nameOf(FAULT_CODES, code), ptr, tid,
    found: decodeFound(view, code, ptr, foundRaw, aux), foundRaw, aux, ringSeq: ring,
    message: FAULT_CODES[code] === 'internal' ? (ASSERT_MESSAGES[aux] ?? null) : null,
  };
  if (view.atomicWord(at) !== seq) return null;
  return { ...rec, text: faultText(view, rec) };
}

/** Every fault still in the fault log with seq > `after`, oldest first. */
export function decodeFaults(view: MemoryView, after = 0): FaultRecord[] {
  const last = faultSeq(view);
  const first = Math.max(after + 1, last - view.layout.FAULT_CAP + 1, 1);
  const out: FaultRecord[] = [];
  for (let seq = first; seq <= last; seq++) {
    const f = decodeFault(view, seq);
    if (f) out.push(f);
  }
  return out;
}

// ---- stats ----------------------------------------------------------------------------------

/** Per-class figures of the stats block (StatsClass, assembly/types.ts, with its class). */
export type ClassStats = Record<keyof typeof StatsClass.off, number> & { cls: number };

/** A decoded stats block: the StatsGlobal figures and a ClassStats per class. */
export type HeapStats = Record<keyof typeof StatsGlobal.off, number> & { classes: ClassStats[] };

/** Decode the stats block (written by the module's stats_collect()). */
export function decodeStats(view: MemoryView): HeapStats {
  const L = view.layout;
  const classes: ClassStats[] = [];
  for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
    classes.push({ cls, ...view.record(StatsClass, L.STATS_BASE + StatsGlobal.size + cls * StatsClass.size) });
  }
  return { ...view.record(StatsGlobal, L.STATS_BASE), classes };
}

// ---- heap check -----------------------------------------------------------------------------

/** One violation the checker kept the details of. */
export interface CheckViolation {
  code: number;
  codeName: string;
  addr: number;
  a: number;
  b: number;
}

/** A decoded check report. */
export interface CheckReport {
  violations: number;
  slabs: number;
  /** The first CHECK_DETAIL_CAP violations. */
  details: CheckViolation[];
  /** In-use blocks the checker counted on the slabs, per class. */
  classTotals: number[];
}

/** Decode the check report (written by the module's heap_check()). */
export function decodeCheck(view: MemoryView): CheckReport {
  const L = view.layout;
  const { violations, slabs } = view.record(CheckReportRec, L.CHECK_BASE);
  const details: CheckViolation[] = [];
  for (let i = 0; i < Math.min(violations, L.CHECK_DETAIL_CAP); i++) {
    const d = view.record(CheckDetail, L.CHECK_BASE + CheckReportRec.size + i * CheckDetail.size);
    details.push({ ...d, codeName: nameOf(CHECK_CODES, d.code) });
  }
  const totals = L.CHECK_BASE + L.CHECK_CLASS_TOTALS_OFF; // an i32 per class
  const classTotals: number[] = [];
  for (let cls = 0; cls < L.NUM_CLASSES; cls++) classTotals.push(view.int(totals + cls * 4));
  return { violations, slabs, details, classTotals };
}

/** One line per violation (for error messages). */
export function formatCheck(r: CheckReport): string {
  if (r.violations === 0) return `heap check: clean (${r.slabs} slabs)`;
  const lines = r.details.map((d) => `  ${d.codeName} at ${hex(d.addr)} (a=${d.a}, b=${d.b})`);
  const more = r.violations > r.details.length ? [`  ... ${r.violations - r.details.length} more`] : [];
  return [`heap check: ${r.violations} violation(s) over ${r.slabs} slabs`, ...lines, ...more].join('\n');
}

// ---- threads --------------------------------------------------------------------------------

/** A per-class cache entry of a thread (flow counters change on slow paths only). */
export interface CacheInfo {
  cls: number;
  head: number;
  count: number;
  cap: number;
  /** Blocks taken from slabs into this cache (cumulative, mod 2^32). */
  refilled: number;
  /** Blocks this thread gave back to any slab: spills, straight-to-slab and remote frees. */
  returned: number;
  /** The thread's blocks of this class in users' hands: refilled - returned - count (i32). */
  held: number;
}

/** Counters of one thread (ThreadCounters, assembly/types.ts). */
export type ThreadCounters = Record<keyof typeof ThreadCountersRec.off, number>;

/** One thread record in use. */
export interface ThreadInfo {
  slot: number;
  tid: number;
  /** The state (THREAD_STATES), without the retirer's slot. */
  state: number;
  stateName: string;
  /** A record being retired: the slot of the thread retiring it (0: an instance with no thread). */
  retirerSlot: number | null;
  /** Classes this thread has touched (refills, returns or cached blocks), with their cache. */
  caches: CacheInfo[];
  counters: ThreadCounters;
}

/** Every thread record whose state is not free (slot 0 is the unattached record). */
export function decodeThreads(view: MemoryView): ThreadInfo[] {
  const L = view.layout;
  const out: ThreadInfo[] = [];
  for (let slot = 1; slot < L.MAX_THREADS; slot++) {
    const rec = threadRecordAddr(L, slot);
    const word = view.atomicWord(rec + ThreadHeader.off.state);
    if (word === 0) continue;
    const state = word & ((1 << L.RETIRER_SHIFT) - 1);
    const caches: CacheInfo[] = [];
    for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
      const e = view.record(CacheEntry, rec + L.TH_CACHE_OFFSET + cls * L.CACHE_ENTRY_SIZE);
      const f = view.record(CacheFlow, rec + L.TH_FLOW_OFFSET + cls * L.CACHE_FLOW_SIZE);
      const c = { cls, ...e, ...f, held: (f.refilled - f.returned - e.count) | 0 };
      if (c.count || c.refilled || c.returned) caches.push(c);
    }
    const counters = view.record(ThreadCountersRec, rec + L.TH_COUNTERS_OFFSET);
    out.push({ slot, tid: view.atomicWord(rec + ThreadHeader.off.tid), state,
               stateName: nameOf(THREAD_STATES, state),
               retirerSlot: nameOf(THREAD_STATES, state) === 'retiring' ? word >>> L.RETIRER_SHIFT : null,
               caches, counters });
  }
  return out;
}

// ---- SuperSlab / slab map -------------------------------------------------------------------

/** One 64 KiB slab of a SuperSlab. */
export interface SlabInfo {
  index: number;
  addr: number;
  state: number;
  stateName: string;
  cls: number;
  owner: number;
  list: string;
  /** Large head: slabs in the run; large tail: distance back to the head. */
  span: number;
  stride: number;
  dataStart: number;
  capacity: number;
  carved: number;
  /** Blocks on the owner's free list. */
  free: number;
  /** Carved blocks not on the free list (users, caches, remote stacks, outboxes). */
  used: number;
  /** True if the slab's remote-free stack is not empty. */
  remotePending: boolean;
  /** Large head: bytes requested. */
  largeSize: number;
}

/** One 1 MiB chunk of linear memory. */
export type ChunkInfo =
  | { chunk: number; addr: number; kind: 'superslab'; usedMask: number; slabs: SlabInfo[] }
  | { chunk: number; addr: number; kind: 'huge'; chunks: number }
  | { chunk: number; addr: number; kind: 'huge_tail'; head: number }
  | { chunk: number; addr: number; kind: 'free' }
  | { chunk: number; addr: number; kind: 'unknown'; entry: number };

/** A snapshot of the heap's geometry, for drawing. */
export interface HeapMap {
  chunkSize: number;
  slabSize: number;
  chunkCount: number;
  chunks: ChunkInfo[];
  largeRuns: { addr: number; slabs: number; bytes: number }[];
  hugeSpans: { addr: number; chunks: number }[];
  freeChunks: number[];
}

/** Decode slab `k` of the SuperSlab at `ss`. */
function decodeSlab(view: MemoryView, ss: number, k: number): SlabInfo {
  const L = view.layout;
  const m = ss + L.SS_META_OFFSET + k * L.SLAB_META_SIZE;
  const f = (name: keyof typeof SlabMeta.off): number => view.field(SlabMeta, m, name);
  const state = f('state');
  return {
    index: k, addr: ss + k * L.SLAB_SIZE, state, stateName: nameOf(SLAB_STATES, state),
    cls: f('cls'), owner: view.atomicWord(m + SlabMeta.off.owner),
    list: nameOf(SLAB_LISTS, f('list')), span: f('span'), stride: f('stride'),
    dataStart: f('dataStart'), capacity: f('capacity'), carved: f('carved'),
    free: f('freeCount'), used: f('used'),
    remotePending: view.atomicWord(ss + L.SS_REMOTE_OFFSET + k * L.REMOTE_STRIDE) !== 0,
    largeSize: f('largeSize'),
  };
}

/** Snapshot every chunk: SuperSlabs with their slabs, large runs, huge spans, free chunks. */
export function decodeMap(view: MemoryView): HeapMap {
  const L = view.layout;
  const chunkCount = view.atomicWord(headerField(view, 'chunkCount'));
  const map: HeapMap = { chunkSize: L.CHUNK_SIZE, slabSize: L.SLAB_SIZE, chunkCount,
                         chunks: [], largeRuns: [], hugeSpans: [], freeChunks: [] };
  // Chunks below the first heap chunk hold the program's memory and the control region.
  for (let c = view.atomicWord(headerField(view, 'firstChunk')); c < chunkCount; c++) {
    const addr = c * L.CHUNK_SIZE;
    const entry = registryEntryOf(view, addr, true);
    const kind = regKind(view, entry);
    if (kind === L.REG_SUPERSLAB) {
      const slabs: SlabInfo[] = [];
      for (let k = 0; k < L.SLABS_PER_SS; k++) {
        const s = decodeSlab(view, addr, k);
        slabs.push(s);
        if (s.stateName === 'large') {
          map.largeRuns.push({ addr: s.dataStart, slabs: s.span, bytes: s.largeSize });
        }
      }
      map.chunks.push({ chunk: c, addr, kind: 'superslab',
                        usedMask: view.field(SuperSlabHeader, addr, 'usedMask'), slabs });
    } else if (kind === L.REG_HUGE) {
      map.chunks.push({ chunk: c, addr, kind: 'huge', chunks: regPayload(view, entry) });
      map.hugeSpans.push({ addr, chunks: regPayload(view, entry) });
    } else if (kind === L.REG_HUGE_TAIL) {
      map.chunks.push({ chunk: c, addr, kind: 'huge_tail', head: regPayload(view, entry) });
    } else if (kind === L.REG_FREE) {
      map.chunks.push({ chunk: c, addr, kind: 'free' });
      map.freeChunks.push(c);
    } else {
      map.chunks.push({ chunk: c, addr, kind: 'unknown', entry });
    }
  }
  return map;
}

// ---- per-slab census ------------------------------------------------------------------------
//
// A slab's metadata says how many blocks are carved and how many are on its free list; the
// rest ("used") are with users, in some thread's cache, on the slab's remote-free stack or in
// some thread's outbox. The census walks the thread caches and remote stacks and reads the
// outboxes to split "used" into in-use, cached and remote, slab by slab. While workers run
// the lists change under it, so every walk is bounded and every link is checked (inside the
// same slab, or at least inside a SuperSlab): the figures are then a racy snapshot; they are
// exact when the workers are idle.

/** Per-slab counts of blocks, keyed by slab id (see slabIdOf). */
export interface SlabCensus {
  /** Blocks in thread caches. */
  cached: Map<number, number>;
  /** Blocks on the slab's remote-free stack or in outboxes bound for it. */
  remote: Map<number, number>;
}

/** The id of the slab holding address `p` of a SuperSlab chunk: chunk * SLABS_PER_SS + slab index. */
export function slabIdOf(view: MemoryView, p: number): number {
  const L = view.layout;
  const chunk = Math.floor(p / L.CHUNK_SIZE);
  return chunk * L.SLABS_PER_SS + Math.floor((p - chunk * L.CHUNK_SIZE) / L.SLAB_SIZE);
}

/** Add n to a counter of a map. */
function bump(m: Map<number, number>, key: number, n = 1): void {
  m.set(key, (m.get(key) ?? 0) + n);
}

/** Set bits of a 32-bit word. */
function popcount32(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

/** True if `p` lies in a chunk the registry calls a SuperSlab. */
function inSuperSlab(view: MemoryView, p: number): boolean {
  const L = view.layout;
  if (p === 0 || p >= view.byteLength()) return false;
  return regKind(view, registryEntryOf(view, p)) === L.REG_SUPERSLAB;
}

/** Count cached blocks: every active thread's per-class cache list, walked up to its count. */
function censusCaches(view: MemoryView, out: Map<number, number>): void {
  const L = view.layout;
  for (const rec of activeRecords(view)) {
    for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
      const entry = rec + L.TH_CACHE_OFFSET + cls * L.CACHE_ENTRY_SIZE;
      const count = Math.min(view.field(CacheEntry, entry, 'count'), view.field(CacheEntry, entry, 'cap'));
      let p = view.field(CacheEntry, entry, 'head');
      for (let i = 0; i < count && inSuperSlab(view, p); i++) {
        bump(out, slabIdOf(view, p));
        p = view.word(p);
      }
    }
  }
}

/** The records of every thread slot in use (state not free). */
function activeRecords(view: MemoryView): number[] {
  const L = view.layout;
  const out: number[] = [];
  for (let slot = 1; slot < L.MAX_THREADS; slot++) {
    const rec = threadRecordAddr(L, slot);
    if (view.atomicWord(rec + ThreadHeader.off.state) !== 0) out.push(rec);
  }
  return out;
}

/**
 * Blocks of slab `id` waiting on its remote head: the set bits below its capacity, for a slab
 * whose stride takes remote frees as bits (REMOTE_BITS_MIN_STRIDE); else the stack, walked and
 * bounded by its capacity.
 */
function remoteStackCount(view: MemoryView, id: number, capacity: number): number {
  const L = view.layout;
  const chunk = Math.floor(id / L.SLABS_PER_SS), k = id % L.SLABS_PER_SS;
  let p = view.atomicWord(chunk * L.CHUNK_SIZE + L.SS_REMOTE_OFFSET + k * L.REMOTE_STRIDE);
  const stride = view.field(SlabMeta, chunk * L.CHUNK_SIZE + L.SS_META_OFFSET + k * L.SLAB_META_SIZE, 'stride');
  if (stride >= L.REMOTE_BITS_MIN_STRIDE) return popcount32(capacity >= 32 ? p : p & ((1 << capacity) - 1));
  let n = 0;
  while (p !== 0 && n < capacity && slabIdOf(view, p) === id) { n++; p = view.word(p); }
  return n;
}

/**
 * Blocks waiting in outboxes, per slab id: remote frees not yet pushed to a slab's stack
 * (counted from the outbox entries alone, no walk: cheap enough for every redraw).
 */
export function decodeOutboxCounts(view: MemoryView): Map<number, number> {
  const L = view.layout;
  const out = new Map<number, number>();
  for (const rec of activeRecords(view)) {
    for (let e = 0; e < L.OUTBOX_SIZE; e++) {
      const { slab: meta, head, count } = view.record(OutboxEntry, rec + L.TH_OUTBOX_OFFSET + e * L.OUTBOX_ENTRY_SIZE);
      if (meta === 0 || count === 0 || head === 0 || !inSuperSlab(view, meta)) continue;
      const chunk = Math.floor(meta / L.CHUNK_SIZE);
      const k = Math.floor((meta - chunk * L.CHUNK_SIZE - L.SS_META_OFFSET) / L.SLAB_META_SIZE);
      if (k >= 0 && k < L.SLABS_PER_SS) bump(out, chunk * L.SLABS_PER_SS + k, count);
    }
  }
  return out;
}

/** Count remote blocks: each slab's remote stack (walked) plus every outbox chain (counted). */
function censusRemote(view: MemoryView, out: Map<number, number>): void {
  const L = view.layout;
  const chunks = view.atomicWord(headerField(view, 'chunkCount'));
  for (let c = view.atomicWord(headerField(view, 'firstChunk')); c < chunks; c++) {
    const ss = c * L.CHUNK_SIZE;
    if (regKind(view, registryEntryOf(view, ss)) !== L.REG_SUPERSLAB) continue;
    for (let k = 0; k < L.SLABS_PER_SS; k++) {
      const id = c * L.SLABS_PER_SS + k;
      const n = remoteStackCount(view, id, view.field(SlabMeta, ss + L.SS_META_OFFSET + k * L.SLAB_META_SIZE, 'capacity'));
      if (n > 0) bump(out, id, n);
    }
  }
  for (const [id, n] of decodeOutboxCounts(view)) bump(out, id, n);
}

/** Cached and remote blocks of one slab. */
export interface SlabCounts {
  /** Blocks of this slab in thread caches. */
  cached: number;
  /** Blocks on its remote-free stack or in outboxes bound for it. */
  remote: number;
}

/**
 * The census of one small slab (at `slabAddr`, class `cls`, `capacity` blocks), by the same
 * walks as decodeSlabCensus restricted to it: the class-`cls` cache of every thread, the
 * slab's remote stack, and `outboxes` (decodeOutboxCounts). For a view redrawn often, where
 * the whole census would cost too much; racy while threads run, exact when they are idle.
 */
export function decodeSlabCounts(view: MemoryView, slabAddr: number, cls: number, capacity: number,
                                 outboxes: Map<number, number> = decodeOutboxCounts(view)): SlabCounts {
  const L = view.layout;
  const id = slabIdOf(view, slabAddr);
  let cached = 0;
  for (const rec of activeRecords(view)) {
    const entry = rec + L.TH_CACHE_OFFSET + cls * L.CACHE_ENTRY_SIZE;
    const count = Math.min(view.field(CacheEntry, entry, 'count'), view.field(CacheEntry, entry, 'cap'));
    let p = view.field(CacheEntry, entry, 'head');
    for (let i = 0; i < count && inSuperSlab(view, p); i++) {
      if (slabIdOf(view, p) === id) cached++;
      p = view.word(p);
    }
  }
  return { cached, remote: remoteStackCount(view, id, capacity) + (outboxes.get(id) ?? 0) };
}

/** Take the census of every slab: cached and remote blocks per slab id. */
export function decodeSlabCensus(view: MemoryView): SlabCensus {
  const census: SlabCensus = { cached: new Map(), remote: new Map() };
  censusCaches(view, census.cached);
  censusRemote(view, census.remote);
  return census;
}
