// decode.ts: decoders of the allocator's shared records (see docs/MODULE-API.md).
//
// They only read shared memory through a MemoryView: they never call into the module and
// never allocate from the wasm heap, so they work from any thread, while workers run (the
// figures are then a racy snapshot) and after a worker died (its records stay in memory).
// Offsets come from the Layout, and the code tables (event kinds, fault codes, check codes,
// assertion messages, slab states, stats words) from codes.generated.ts, which the build
// generates from the allocator's own constants. Only the field order of the ring event and
// fault records (MODULE-API.md) is written down here.

import type { MemoryView } from './views.js';
import { RING_KINDS, FAULT_CODES, CHECK_CODES, ASSERT_MESSAGES, SLAB_STATES, THREAD_STATES, SLAB_LISTS,
         STATS_GLOBAL_FIELDS, STATS_GLOBAL_FIELDS_U64 } from './codes.generated.js';

// ---- names ----------------------------------------------------------------------------------

export { RING_KINDS, FAULT_CODES, CHECK_CODES, ASSERT_MESSAGES, SLAB_STATES, THREAD_STATES,
         SLAB_LISTS } from './codes.generated.js';

/** Name of entry `i` of a name table, or `unknown(i)`. */
function nameOf(table: readonly string[], i: number): string {
  return table[i] ?? `unknown(${i})`;
}

/** Registry kind names (the low byte of an entry); values come from the layout. */
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
  return view.atomicWord(view.layout.HEADER_BASE + view.layout.GH_RING_SEQ);
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
    const kind = view.byte(at + 6);
    const ev: RingEvent = {
      seq, thread: view.half(at + 4), kind, kindName: nameOf(RING_KINDS, kind),
      cls: view.byte(at + 7), ptr: view.word(at + 8), aux: view.word(at + 12),
    };
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
  return view.atomicWord(view.layout.HEADER_BASE + view.layout.GH_FAULT_SEQ);
}

/** Decode `found` by the code's meaning (slab faults vs registry faults). */
function decodeFound(view: MemoryView, code: number, ptr: number, found: number, aux: number): FaultFound {
  const slab = (): FaultFound => ({
    kind: 'slab', state: found & 0xff, stateName: nameOf(SLAB_STATES, found & 0xff),
    cls: (found >>> 8) & 0xff, owner16: found >>> 16,
  });
  const registry = (): FaultFound => ({
    kind: 'registry', entry: found, regKind: found & 0xff,
    regKindName: regKindName(view, found & 0xff), payload: found >>> 8,
  });
  switch (FAULT_CODES[code]) {
    case 'outside_heap': return registry();
    case 'free_slab': case 'not_block_start': case 'not_carved': case 'double_free':
    case 'header': return slab();
    case 'large_interior': {
      // Inside a SuperSlab it is a large run (slab form); inside a huge span, registry form.
      const entry = view.word(view.layout.REGISTRY_BASE + (ptr >>> 20) * 4);
      return (entry & 0xff) === view.layout.REG_SUPERSLAB ? slab() : registry();
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
        : f.codeName === 'not_block_start' ? `offset ${f.aux} into ${what}` : what;
      return `${head}: ${detail}`;
    }
    case 'registry':
      return `${head}: chunk ${f.ptr >>> 20} is ${fd.regKindName}`;
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
  const code = view.word(at + 4);
  const ptr = view.word(at + 8);
  const foundRaw = view.word(at + 16);
  const aux = view.word(at + 20);
  const rec: Omit<FaultRecord, 'text'> = {
    seq, code, codeName: nameOf(FAULT_CODES, code), ptr, tid: view.word(at + 12),
    found: decodeFound(view, code, ptr, foundRaw, aux), foundRaw, aux, ringSeq: view.word(at + 24),
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

/** Per-class figures of the stats block. */
export interface ClassStats {
  cls: number;
  stride: number;
  /** Blocks with users (allocs - frees over all threads). */
  inUse: number;
  /** Blocks in per-thread caches. */
  cached: number;
  /** Blocks on slab free lists. */
  free: number;
  /** Blocks on remote stacks or in outboxes. */
  pending: number;
  slabs: number;
  carved: number;
  capacity: number;
}

/** The global figures of the stats block (a u64 field takes two words, low first). */
type GlobalField = Exclude<(typeof STATS_GLOBAL_FIELDS)[number], ''>;
const U64_FIELDS: ReadonlySet<string> = new Set(STATS_GLOBAL_FIELDS_U64);

/** A decoded stats block. */
export type HeapStats = Record<GlobalField, number> & { classes: ClassStats[] };

/** Decode the stats block (written by the module's stats_collect()). */
export function decodeStats(view: MemoryView): HeapStats {
  const L = view.layout;
  const g: Record<string, number> = {};
  STATS_GLOBAL_FIELDS.forEach((name, w) => {
    if (name === '') return;
    const at = L.STATS_BASE + w * 4;
    g[name] = U64_FIELDS.has(name) ? view.u64(at) : view.word(at);
  });
  const classes: ClassStats[] = [];
  for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
    const at = L.STATS_BASE + (L.STATS_GLOBAL_WORDS + cls * L.STATS_CLASS_WORDS) * 4;
    classes.push({
      cls, stride: view.word(at), inUse: view.int(at + 4), cached: view.word(at + 8),
      free: view.word(at + 12), pending: view.int(at + 16), slabs: view.word(at + 20),
      carved: view.word(at + 24), capacity: view.word(at + 28),
    });
  }
  return { ...(g as Record<GlobalField, number>), classes };
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
  const violations = view.word(L.CHECK_BASE);
  const details: CheckViolation[] = [];
  for (let i = 0; i < Math.min(violations, L.CHECK_DETAIL_CAP); i++) {
    const at = L.CHECK_BASE + 16 + i * 16;
    const code = view.word(at);
    details.push({ code, codeName: nameOf(CHECK_CODES, code), addr: view.word(at + 4),
                   a: view.word(at + 8), b: view.word(at + 12) });
  }
  // The per-class totals follow the detail array.
  const totals = L.CHECK_BASE + 16 + L.CHECK_DETAIL_CAP * 16;
  const classTotals: number[] = [];
  for (let cls = 0; cls < L.NUM_CLASSES; cls++) classTotals.push(view.int(totals + cls * 4));
  return { violations, slabs: view.word(L.CHECK_BASE + 4), details, classTotals };
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

/** The per-thread counters, in record order. */
const THREAD_COUNTERS = [
  'remoteFrees', 'remotePushes', 'drains', 'drainedBlocks', 'adoptions', 'refills', 'spills',
  'carvedBlocks', 'slabsAcquired', 'slabsReleased', 'largeAllocs', 'largeFrees', 'faults', 'oom',
] as const;

/** Counters of one thread. */
export type ThreadCounters = Record<(typeof THREAD_COUNTERS)[number], number>;

/** One thread record in use. */
export interface ThreadInfo {
  slot: number;
  tid: number;
  state: number;
  stateName: string;
  /** Classes this thread has touched (refills, returns or cached blocks), with their cache. */
  caches: CacheInfo[];
  counters: ThreadCounters;
}

/** Every thread record whose state is not free (slot 0 is the unattached record). */
export function decodeThreads(view: MemoryView): ThreadInfo[] {
  const L = view.layout;
  const out: ThreadInfo[] = [];
  for (let slot = 1; slot < L.MAX_THREADS; slot++) {
    const rec = L.THREAD_BASE + slot * L.THREAD_SIZE;
    const state = view.atomicWord(rec + L.TH_STATE);
    if (state === 0) continue;
    const caches: CacheInfo[] = [];
    for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
      const at = rec + L.TH_CACHE_OFFSET + cls * L.CACHE_ENTRY_SIZE;
      const count = view.half(at + 4);
      const refilled = view.word(at + 8);
      const returned = view.word(at + 12);
      const c = { cls, head: view.word(at), count, cap: view.half(at + 6), refilled, returned,
                  held: (refilled - returned - count) | 0 };
      if (c.count || c.refilled || c.returned) caches.push(c);
    }
    const counters = {} as ThreadCounters;
    THREAD_COUNTERS.forEach((name, i) => { counters[name] = view.word(rec + L.TH_COUNTERS_OFFSET + i * 4); });
    out.push({ slot, tid: view.atomicWord(rec + L.TH_TID), state,
               stateName: nameOf(THREAD_STATES, state), caches, counters });
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
  const state = view.byte(m + L.SM_STATE);
  return {
    index: k, addr: ss + k * L.SLAB_SIZE, state, stateName: nameOf(SLAB_STATES, state),
    cls: view.byte(m + L.SM_CLASS), owner: view.atomicWord(m + L.SM_OWNER),
    list: nameOf(SLAB_LISTS, view.byte(m + L.SM_LIST)), span: view.byte(m + L.SM_SPAN),
    stride: view.word(m + L.SM_STRIDE), dataStart: view.word(m + L.SM_DATA_START),
    capacity: view.word(m + L.SM_CAPACITY), carved: view.word(m + L.SM_CARVED),
    free: view.word(m + L.SM_FREE_COUNT), used: view.word(m + L.SM_USED),
    remotePending: view.atomicWord(ss + L.SS_REMOTE_OFFSET + k * L.REMOTE_STRIDE) !== 0,
    largeSize: view.word(m + L.SM_LARGE_SIZE),
  };
}

/** Snapshot every chunk: SuperSlabs with their slabs, large runs, huge spans, free chunks. */
export function decodeMap(view: MemoryView): HeapMap {
  const L = view.layout;
  const chunkCount = view.atomicWord(L.HEADER_BASE + L.GH_CHUNK_COUNT);
  const map: HeapMap = { chunkSize: L.CHUNK_SIZE, slabSize: L.SLAB_SIZE, chunkCount,
                         chunks: [], largeRuns: [], hugeSpans: [], freeChunks: [] };
  for (let c = 1; c < chunkCount; c++) {
    const entry = view.atomicWord(L.REGISTRY_BASE + c * 4);
    const kind = entry & 0xff;
    const addr = c * L.CHUNK_SIZE;
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
                        usedMask: view.word(addr + L.SS_USED_MASK), slabs });
    } else if (kind === L.REG_HUGE) {
      map.chunks.push({ chunk: c, addr, kind: 'huge', chunks: entry >>> 8 });
      map.hugeSpans.push({ addr, chunks: entry >>> 8 });
    } else if (kind === L.REG_HUGE_TAIL) {
      map.chunks.push({ chunk: c, addr, kind: 'huge_tail', head: entry >>> 8 });
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

/** True if `p` lies in a chunk the registry calls a SuperSlab. */
function inSuperSlab(view: MemoryView, p: number): boolean {
  const L = view.layout;
  if (p === 0 || p >= view.byteLength()) return false;
  const entry = view.word(L.REGISTRY_BASE + Math.floor(p / L.CHUNK_SIZE) * 4);
  return (entry & 0xff) === L.REG_SUPERSLAB;
}

/** Count cached blocks: every active thread's per-class cache list, walked up to its count. */
function censusCaches(view: MemoryView, out: Map<number, number>): void {
  const L = view.layout;
  for (let slot = 1; slot < L.MAX_THREADS; slot++) {
    const rec = L.THREAD_BASE + slot * L.THREAD_SIZE;
    if (view.atomicWord(rec + L.TH_STATE) === 0) continue;
    for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
      const entry = rec + L.TH_CACHE_OFFSET + cls * L.CACHE_ENTRY_SIZE; // {head, count u16, cap u16, ...}
      const count = Math.min(view.half(entry + 4), view.half(entry + 6));
      let p = view.word(entry);
      for (let i = 0; i < count && inSuperSlab(view, p); i++) {
        bump(out, slabIdOf(view, p));
        p = view.word(p);
      }
    }
  }
}

/** Count remote blocks: each slab's remote stack (walked) plus every outbox chain (counted). */
function censusRemote(view: MemoryView, out: Map<number, number>): void {
  const L = view.layout;
  const chunks = view.atomicWord(L.HEADER_BASE + L.GH_CHUNK_COUNT);
  for (let c = 1; c < chunks; c++) {
    if ((view.word(L.REGISTRY_BASE + c * 4) & 0xff) !== L.REG_SUPERSLAB) continue;
    const ss = c * L.CHUNK_SIZE;
    for (let k = 0; k < L.SLABS_PER_SS; k++) {
      const id = c * L.SLABS_PER_SS + k;
      const capacity = view.word(ss + L.SS_META_OFFSET + k * L.SLAB_META_SIZE + L.SM_CAPACITY);
      let p = view.atomicWord(ss + L.SS_REMOTE_OFFSET + k * L.REMOTE_STRIDE);
      let n = 0;
      while (p !== 0 && n < capacity && slabIdOf(view, p) === id) { n++; p = view.word(p); }
      if (n > 0) bump(out, id, n);
    }
  }
  for (let slot = 1; slot < L.MAX_THREADS; slot++) {
    const rec = L.THREAD_BASE + slot * L.THREAD_SIZE;
    if (view.atomicWord(rec + L.TH_STATE) === 0) continue;
    for (let e = 0; e < L.OUTBOX_SIZE; e++) {
      const at = rec + L.TH_OUTBOX_OFFSET + e * L.OUTBOX_ENTRY_SIZE;
      const meta = view.word(at + L.OB_SLAB);
      const count = view.word(at + L.OB_COUNT);
      if (meta === 0 || count === 0 || view.word(at + L.OB_HEAD) === 0 || !inSuperSlab(view, meta)) continue;
      const chunk = Math.floor(meta / L.CHUNK_SIZE);
      const k = Math.floor((meta - chunk * L.CHUNK_SIZE - L.SS_META_OFFSET) / L.SLAB_META_SIZE);
      if (k >= 0 && k < L.SLABS_PER_SS) bump(out, chunk * L.SLABS_PER_SS + k, count);
    }
  }
}

/** Take the census of every slab: cached and remote blocks per slab id. */
export function decodeSlabCensus(view: MemoryView): SlabCensus {
  const census: SlabCensus = { cached: new Map(), remote: new Map() };
  censusCaches(view, census.cached);
  censusRemote(view, census.remote);
  return census;
}
