// heap.ts: the main-thread face of a shared heap: the memory, the compiled module, and one
// allocator thread (instance) on the host's own thread, plus decoders for everything the
// allocator records. Workers (workers.ts) add more allocator threads over the same memory.

import type { BuildName } from '../core/memory.js';
import type { AllocatorExports, AllocatorInstance } from '../core/instance.js';
import type { Layout } from '../core/layout.js';
import { MemoryView } from '../abi/views.js';
import { ringCode, ringName, type HeapConfig, type RingMode } from './config.js';
import { openHeap, type HeapOptions } from './open.js';

export { setModuleLoader, resolveModule, type HeapOptions, type ModuleLoader, type ModuleSource } from './open.js';
import { decodeCheck, decodeFaults, decodeMap, decodeRing, decodeStats, decodeThreads, faultSeq,
         type CheckReport, type FaultRecord, type HeapMap, type HeapStats, type RingEvent,
         type ThreadInfo } from '../abi/decode.js';
import { HeapCheckError, HeapFaultError } from '../abi/errors.js';
import { address, alignment, bytes, intIn, u32 } from '../abi/args.js';

/** How many ring events a HeapFaultError carries. */
const FAULT_EVENTS = 32;

/** A shared heap and the main thread's allocator instance over it. */
export class Heap {
  /** The main thread's tid. */
  readonly tid: number;
  /** Whether this call to create() initialised the heap (always true for a fresh memory). */
  readonly initialised: boolean;
  private readonly raw: AllocatorExports;

  private constructor(readonly module: WebAssembly.Module, readonly memory: WebAssembly.Memory,
                      readonly build: BuildName, readonly instance: AllocatorInstance,
                      readonly view: MemoryView, initialised: boolean) {
    this.raw = instance.exports;
    this.initialised = initialised;
    this.tid = this.raw.attach() >>> 0;
    if (this.tid === 0) throw new Error('no free thread slot for the main thread');
  }

  /** Take or load the module, create (or take) the shared memory, initialise and attach. */
  static async create(opts: HeapOptions = {}): Promise<Heap> {
    const h = await openHeap(opts);
    return new Heap(h.module, h.memory, h.build, h.instance, h.view, h.initialised);
  }

  /** The layout constants. */
  get layout(): Layout { return this.instance.layout; }
  /** Where the allocator's control region starts (every instance over this memory uses it). */
  get heapBase(): number { return this.instance.layout.HEAP_BASE; }
  /** The raw exports, for callers that need every nanosecond (results are signed: `>>> 0`). */
  get exports(): AllocatorExports & Record<string, unknown> { return this.instance.exports; }

  // ---- C API (the main thread's allocator thread) ----

  /** malloc(size); 0 on failure. */
  malloc(size: number): number { return this.raw.malloc(bytes('size', size)) >>> 0; }
  /** free(ptr); a bad pointer records a fault (and traps under the strict policy). */
  free(ptr: number): void { this.raw.free(address('ptr', ptr)); }
  /** calloc(n, size); 0 on failure. */
  calloc(n: number, size: number): number {
    return this.raw.calloc(bytes('n', n), bytes('size', size)) >>> 0; // the module checks n * size
  }
  /** realloc(ptr, size); 0 on failure (the block is untouched). */
  realloc(ptr: number, size: number): number {
    return this.raw.realloc(address('ptr', ptr), bytes('size', size)) >>> 0;
  }
  /** aligned_alloc(align, size); 0 if the alignment is invalid or memory is exhausted. */
  alignedAlloc(align: number, size: number): number {
    return this.raw.aligned_alloc(alignment('align', align, this.layout.MAX_ALIGN), bytes('size', size)) >>> 0;
  }
  /** Usable bytes of a live block (0 otherwise). */
  usableSize(ptr: number): number { return this.raw.malloc_usable_size(address('ptr', ptr)) >>> 0; }

  /** free(ptr), throwing HeapFaultError if the free recorded a new fault (report policy). */
  freeChecked(ptr: number): void {
    const before = faultSeq(this.view);
    this.raw.free(address('ptr', ptr));
    if (faultSeq(this.view) === before) return;
    // Only faults of this thread: another thread may have faulted meanwhile.
    const mine = decodeFaults(this.view, before).filter((f) => f.tid === this.tid);
    if (mine.length > 0) throw new HeapFaultError(mine[0]!, this.ring(FAULT_EVENTS), mine.slice(1));
  }

  // ---- views ----

  /** Byte view of the whole memory (rebuilt after growth). */
  u8(): Uint8Array { return this.view.u8(); }
  /** u32 view of the whole memory (rebuilt after growth). */
  u32(): Uint32Array { return this.view.u32(); }
  /** DataView of the whole memory (rebuilt after growth). */
  dataView(): DataView { return this.view.dataView(); }
  /** Current memory size in 64 KiB pages. */
  memoryPages(): number { return this.memory.buffer.byteLength / 65536; }

  /**
   * Grow the memory now so that at least `bytes` of chunks sit free in the pool (allocate
   * one huge block and free it). Workers started afterwards take chunks from the pool
   * instead of growing the memory while other threads run.
   */
  reserve(n: number): void {
    const p = this.malloc(bytes('bytes', n));
    if (p === 0) throw new RangeError(`cannot reserve ${n} bytes (maximum memory too small?)`);
    this.free(p);
  }

  // ---- introspection ----

  /** Run the heap checker (no other thread may be inside the allocator) and decode its report. */
  check(): CheckReport {
    this.raw.heap_check();
    return decodeCheck(this.view);
  }
  /** check(), throwing HeapCheckError on any violation. */
  assertClean(): CheckReport {
    const r = this.check();
    if (r.violations !== 0) throw new HeapCheckError(r);
    return r;
  }
  /** Take and decode a stats snapshot (racy while workers run, exact when they are idle). */
  stats(): HeapStats {
    this.raw.stats_collect();
    return decodeStats(this.view);
  }
  /** The last `n` ring events. */
  ring(n = 64): RingEvent[] { return decodeRing(this.view, intIn('n', n, 0, this.layout.RING_CAP)); }
  /** Faults still in the log with seq > `after`. */
  faults(after = 0): FaultRecord[] { return decodeFaults(this.view, after); }
  /** Number of faults recorded so far. */
  faultCount(): number { return faultSeq(this.view); }
  /** Thread records in use. */
  threads(): ThreadInfo[] { return decodeThreads(this.view); }
  /** SuperSlab / slab map snapshot. */
  map(): HeapMap { return decodeMap(this.view); }

  // ---- lifecycle ----

  /** Give back everything the main thread holds and sweep orphan slabs. */
  collect(): void { this.raw.collect(); }
  /**
   * The main thread is going idle: hand back every slab it owns, including slabs whose blocks
   * are still in use (as orphans), so that what other threads free into them is reused by
   * whichever thread adopts them instead of waiting for this one to allocate again.
   */
  park(): void { this.raw.park(); }
  /** Retire a dead thread's identity (its worker must be gone). True if it was live. */
  reclaim(tid: number): boolean { return this.raw.reclaim(u32('tid', tid)) === 1; }
  /** Switch the ring at run time; returns the previous mode. */
  setRingMode(mode: RingMode): RingMode { return ringName(this.raw.set_ring_mode(ringCode(mode))); }
  /** Number of attached allocator threads. */
  threadCount(): number { return this.raw.thread_count() >>> 0; }
}
