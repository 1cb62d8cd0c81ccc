// instances.ts: several allocator "threads" in ONE JavaScript thread.
//
// Every instance of the compiled module has its own module globals, i.e. its own allocator
// thread identity, while all of them share one WebAssembly.Memory. So a test can interleave
// calls deterministically (A mallocs, B frees A's blocks remotely, A refills and drains, A
// detaches, C adopts...) without worker threads or timing.
//
// It sits on the host library: modules are found and instantiated by host/module.ts and
// host/instance.ts (synchronously: a test builds its heap in one statement), the layout comes
// from the module's L_* exports, records are read through a MemoryView with the descriptors
// generated from the allocator's classes, and the code tables are generated from its
// constants (host/abi/abi.generated.ts). No offset is written down here.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_CODES, RING_KINDS, CHECK_CODES, GlobalHeader, RingEvent as RingEventRec,
         FaultRecord as FaultRec, StatsGlobal, StatsClass, CheckReport as CheckReportRec,
         CheckDetail, SlabMeta, ThreadHeader, CacheEntry as CacheEntryRec, CacheFlow as CacheFlowRec,
         ThreadCounters } from '../../dist/host/abi/abi.generated.js';
import { readLayout, threadRecordAddr } from '../../dist/host/core/layout.js';
import { MemoryView } from '../../dist/host/abi/views.js';
import { DEFAULT_HEAP_BASE, instantiateAllocatorSync } from '../../dist/host/core/instance.js';
import { wasmPath } from '../../dist/host/core/module.js';

export type Build = 'release' | 'debug' | 'crash';
export const BUILDS: Build[] = ['release', 'debug'];

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// ---- codes (generated from the allocator's constants) and documented word orders -----------

/** name -> code of a generated code table (host/abi/abi.generated.ts, from assembly's constants). */
function codesOf<T extends readonly string[]>(table: T): { readonly [K in Exclude<T[number], 'none'>]: number } {
  return Object.fromEntries(table.map((n, i) => [n, i]).filter(([n]) => n !== 'none')) as never;
}

export const FAULT = codesOf(FAULT_CODES);
export const EV = codesOf(RING_KINDS);
export const CHECK_CODE = codesOf(CHECK_CODES);

/** The names of a thread's counters (the ThreadCounters record's fields). */
export const THREAD_COUNTER_NAMES = Object.keys(ThreadCounters.off) as (keyof typeof ThreadCounters.off)[];

// ---- module loading -------------------------------------------------------------------------

const modules = new Map<Build, WebAssembly.Module>();

/** The compiled module of a build (compiled once per test file). */
export function loadModule(build: Build): WebAssembly.Module {
  let m = modules.get(build);
  if (!m) {
    const file = wasmPath(build);
    if (!fs.existsSync(file)) throw new Error(`${file} missing: run \`npm run build\` first`);
    m = new WebAssembly.Module(fs.readFileSync(file));
    modules.set(build, m);
  }
  return m;
}

/**
 * The first heap chunk of a heap at the default heap base: the first 1 MiB boundary above the
 * control region (read from a bare instance's layout exports; nothing is initialised).
 */
export function firstHeapChunk(build: Build): number {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const L = instantiateAllocatorSync(loadModule(build), memory, { heapBase: DEFAULT_HEAP_BASE }).layout;
  return Math.ceil((L.HEAP_BASE + L.CONTROL_SIZE) / L.CHUNK_SIZE);
}

// ---- one allocator thread -------------------------------------------------------------------

type Fn = (...args: number[]) => number;

/** One instance = one allocator thread. Pointer results are made unsigned (`>>> 0`). */
export class Thread {
  readonly raw: Record<string, Fn>;
  constructor(readonly exports: WebAssembly.Exports, readonly name: string) {
    this.raw = exports as unknown as Record<string, Fn>;
  }
  malloc(size: number): number { return this.raw.malloc(size) >>> 0; }
  free(ptr: number): void { this.raw.free(ptr); }
  calloc(n: number, size: number): number { return this.raw.calloc(n, size) >>> 0; }
  realloc(ptr: number, size: number): number { return this.raw.realloc(ptr, size) >>> 0; }
  alignedAlloc(align: number, size: number): number { return this.raw.aligned_alloc(align, size) >>> 0; }
  usableSize(ptr: number): number { return this.raw.malloc_usable_size(ptr) >>> 0; }
  attach(): number { return this.raw.attach() >>> 0; }
  detach(): number { return this.raw.detach() >>> 0; }
  rest(): number { return this.raw.rest() >>> 0; }
  reclaim(tid: number): number { return this.raw.reclaim(tid) >>> 0; }
  collect(): void { this.raw.collect(); }
  park(): void { this.raw.park(); }
  get tid(): number { return this.raw.thread_id() >>> 0; }
  threadCount(): number { return this.raw.thread_count() >>> 0; }
  classOf(size: number): number { return this.raw.class_of(size) >>> 0; }
  classSize(cls: number): number { return this.raw.class_size(cls) >>> 0; }
  registryEntry(ptr: number): number { return this.raw.registry_entry(ptr) >>> 0; }
}

// ---- decoded records ------------------------------------------------------------------------

export type ClassStats = Record<keyof typeof StatsClass.off, number>;
export type Stats = Record<keyof typeof StatsGlobal.off, number> & { classes: ClassStats[] };
export interface CheckReport { violations: number; slabs: number; details: { code: number; addr: number; a: number; b: number }[] }
export interface FaultRecord { seq: number; code: number; ptr: number; tid: number; found: number; aux: number; ringSeq: number }
export interface RingEvent { seq: number; thread: number; kind: number; cls: number; ptr: number; aux: number }
export interface SlabInfo {
  ss: number; k: number; meta: number; base: number; owner: number; state: number; cls: number;
  list: number; span: number; stride: number; dataStart: number; capacity: number; carved: number;
  freeCount: number; used: number; largeSize: number;
}
export interface CacheEntry { head: number; count: number; cap: number; refilled: number; returned: number }

export interface HeapOptions {
  build: Build;
  threads?: number;         // instances to create (named A, B, C, ...)
  attach?: boolean;         // attach each of them (default true)
  cacheMode?: number;       // 0 off / 1 small / 2 default (default 2)
  batchRefill?: number;     // default 1
  remoteBatch?: number;     // default 0 (= 16)
  faultPolicy?: number;     // default 0 (report)
  ringMode?: number;        // default 1 (slow-path events)
  initialPages?: number;    // default 16
  maximumPages?: number;    // default 16384 (1 GiB)
  init?: boolean;           // call init() with the configuration above (default true)
  heapBase?: number;        // hakmem.heap_base (default DEFAULT_HEAP_BASE, 0x10000)
}

export { DEFAULT_HEAP_BASE };

/** One shared heap: a shared memory, N allocator threads and an unattached observer. */
export class Heap {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  /** The layout: every L_* constant, and the control region's absolute addresses. */
  readonly L: Record<string, number>;
  /** The host's view of the memory (records and decoders read through it). */
  readonly mv: MemoryView;
  readonly threads: Thread[] = [];
  /** An instance that never attaches: runs stats_collect / heap_check only. */
  readonly observer: Thread;
  private view: DataView | null = null;

  constructor(readonly opts: HeapOptions) {
    this.module = loadModule(opts.build);
    this.memory = new WebAssembly.Memory({
      initial: opts.initialPages ?? 16,
      maximum: opts.maximumPages ?? 16384,
      shared: true,
    });
    this.observer = this.instantiate('observer');
    const layout = readLayout(this.observer.exports);
    this.L = { ...layout.all, ...layout } as unknown as Record<string, number>;
    this.mv = new MemoryView(this.memory, layout);
    if (opts.init ?? true) this.observer.raw.init(opts.cacheMode ?? 2, opts.batchRefill ?? 1, opts.remoteBatch ?? 0,
      opts.faultPolicy ?? 0, opts.ringMode ?? 1);
    const n = opts.threads ?? 1;
    for (let i = 0; i < n; i++) this.addThread(opts.attach ?? true);
  }

  private instantiate(name: string): Thread {
    const inst = instantiateAllocatorSync(this.module, this.memory, { heapBase: this.opts.heapBase ?? DEFAULT_HEAP_BASE });
    return new Thread(inst.exports as unknown as WebAssembly.Exports, name);
  }

  /** A new instance over the same memory (a new allocator thread), attached by default. */
  addThread(attach = true): Thread {
    const t = this.instantiate(String.fromCharCode(65 + this.threads.length));
    if (attach && t.attach() === 0) throw new Error('attach failed');
    this.threads.push(t);
    return t;
  }

  // ---- raw memory access (views are rebuilt after the memory grew) ----
  get dv(): DataView {
    const buf = this.memory.buffer;
    if (!this.view || this.view.byteLength !== buf.byteLength) this.view = new DataView(buf);
    return this.view;
  }
  u8(a: number): number { return this.dv.getUint8(a); }
  u16(a: number): number { return this.dv.getUint16(a, true); }
  u32(a: number): number { return this.dv.getUint32(a, true); }
  i32(a: number): number { return this.dv.getInt32(a, true); }
  setU32(a: number, v: number): void { this.dv.setUint32(a, v >>> 0, true); }
  bytes(a: number, n: number): Uint8Array { return new Uint8Array(this.memory.buffer, a, n); }
  /** Fill [a, a+n) with a byte. */
  fill(a: number, n: number, byte: number): void { this.bytes(a, n).fill(byte); }

  // ---- stats, checker, faults, ring ----
  stats(): Stats {
    const base = this.observer.raw.stats_collect() >>> 0;
    const classes: ClassStats[] = [];
    for (let c = 0; c < this.L.NUM_CLASSES; c++) {
      classes.push(this.mv.record(StatsClass, base + StatsGlobal.size + c * StatsClass.size));
    }
    return { ...this.mv.record(StatsGlobal, base), classes };
  }

  /** Run heap_check (the heap must be quiescent: it always is, with one JS thread). */
  check(): CheckReport {
    const violations = this.observer.raw.heap_check() >>> 0;
    const b = this.L.CHECK_BASE;
    const details = [];
    for (let i = 0; i < Math.min(violations, this.L.CHECK_DETAIL_CAP); i++) {
      details.push(this.mv.record(CheckDetail, b + CheckReportRec.size + i * CheckDetail.size));
    }
    return { violations, slabs: this.mv.field(CheckReportRec, b, 'slabs'), details };
  }

  faultSeq(): number { return this.u32(this.L.HEADER_BASE + GlobalHeader.off.faultSeq); }
  /** Fault records with seq > `since` (only the last L_FAULT_CAP are kept). */
  faultsSince(since: number): FaultRecord[] {
    const last = this.faultSeq();
    const out: FaultRecord[] = [];
    for (let seq = Math.max(since + 1, last - this.L.FAULT_CAP + 1); seq <= last; seq++) {
      const r = this.mv.record(FaultRec, this.L.FAULT_BASE + ((seq - 1) % this.L.FAULT_CAP) * this.L.FAULT_RECORD_SIZE);
      if (r.seq === seq) out.push(r);
    }
    return out;
  }

  ringSeq(): number { return this.u32(this.L.HEADER_BASE + GlobalHeader.off.ringSeq); }
  /** Ring events with seq > `since`; throws if the ring wrapped past them (a test bug). */
  eventsSince(since = 0): RingEvent[] {
    const last = this.ringSeq();
    if (last - since > this.L.RING_CAP) throw new Error(`ring wrapped: ${last - since} events`);
    const out: RingEvent[] = [];
    for (let seq = since + 1; seq <= last; seq++) {
      const r = this.mv.record(RingEventRec, this.L.RING_BASE + ((seq - 1) % this.L.RING_CAP) * this.L.RING_EVENT_SIZE);
      if (r.seq !== seq) throw new Error(`ring event ${seq} not valid`);
      out.push(r);
    }
    return out;
  }

  // ---- SuperSlabs, slabs, threads ----
  /** Metadata of the slab holding `p` (p must be inside a SuperSlab). */
  slab(p: number): SlabInfo {
    const L = this.L;
    const ss = (p & ~(L.CHUNK_SIZE - 1)) >>> 0;
    const k = Math.floor((p - ss) / L.SLAB_SIZE);
    const meta = ss + L.SS_META_OFFSET + k * L.SLAB_META_SIZE;
    return { ss, k, meta, base: ss + k * L.SLAB_SIZE, ...this.mv.record(SlabMeta, meta) };
  }
  /** Slab index k (0..15) and SuperSlab base of any address. */
  slabKey(p: number): string {
    return `${(p & ~(this.L.CHUNK_SIZE - 1)) >>> 0}:${Math.floor((p % this.L.CHUNK_SIZE) / this.L.SLAB_SIZE)}`;
  }
  registryEntryOfChunk(chunk: number): number { return this.u32(this.L.REGISTRY_BASE + chunk * 4); }

  threadRecordAddr(tid: number): number { return threadRecordAddr(this.mv.layout, tid & (this.L.MAX_THREADS - 1)); }
  threadState(tid: number): { tid: number; state: number } {
    const r = this.threadRecordAddr(tid);
    return { tid: this.mv.field(ThreadHeader, r, 'tid'), state: this.mv.field(ThreadHeader, r, 'state') };
  }
  cacheEntry(tid: number, cls: number): CacheEntry {
    const rec = this.threadRecordAddr(tid);
    return { ...this.mv.record(CacheEntryRec, rec + this.L.TH_CACHE_OFFSET + cls * this.L.CACHE_ENTRY_SIZE),
             ...this.mv.record(CacheFlowRec, rec + this.L.TH_FLOW_OFFSET + cls * this.L.CACHE_FLOW_SIZE) };
  }
  counters(tid: number): Record<(typeof THREAD_COUNTER_NAMES)[number], number> {
    return this.mv.record(ThreadCounters, this.threadRecordAddr(tid) + this.L.TH_COUNTERS_OFFSET);
  }
}

export function createHeap(opts: HeapOptions): Heap {
  return new Heap(opts);
}

/**
 * Memory pages for a heap of exactly two 1 MiB chunks (the control region's chunks and two
 * more): small enough that a test fills it in a few thousand mallocs.
 */
export function twoChunkPages(build: Build): number {
  return (firstHeapChunk(build) + 2) * 16;
}

/**
 * malloc `size` on `t` until it returns 0; the blocks it got. Fails the test past `limit`
 * blocks (a heap that never runs out).
 */
export function mallocUntilFull(t: Thread, size: number, limit = 100_000): number[] {
  const got: number[] = [];
  for (let p = t.malloc(size); p !== 0; p = t.malloc(size)) {
    got.push(p);
    if (got.length > limit) throw new Error(`malloc(${size}) never returned 0 in ${limit} calls`);
  }
  return got;
}

// ---- small utilities ------------------------------------------------------------------------

/** A deterministic PRNG (mulberry32): tests must not depend on Math.random. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stats without the words that a fault or a ring event legitimately changes. */
export function stableStats(s: Stats): Record<string, unknown> {
  const { faults: _f, ringSeq: _r, ...rest } = s;
  return rest;
}

/** Write a recognisable 32-bit tag into each of the first `words` words of a block. */
export function tagBlock(heap: Heap, p: number, tag: number, words: number): void {
  for (let i = 0; i < words; i++) heap.setU32(p + i * 4, (tag + i * 0x9e3779b1) >>> 0);
}
/** True if the block still carries the tag tagBlock wrote. */
export function hasTag(heap: Heap, p: number, tag: number, words: number): boolean {
  for (let i = 0; i < words; i++) if (heap.u32(p + i * 4) !== ((tag + i * 0x9e3779b1) >>> 0)) return false;
  return true;
}
