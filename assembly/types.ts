// types.ts: every layout, geometry constant and shared record of the allocator, in one place.
//
// One module is instantiated once per worker over one shared memory, so nothing here may live
// in static data or module globals except constants (see docs/ARCHITECTURE.md, "three
// dangers"); the module has no data segment at all. All shared state lives in the control
// region at HEAP_BASE and in the heap chunks, addressed by the constants below.
//
// Linear memory, as the allocator sees it (a chunk is 1 MiB, the registry's unit):
//
//   0         ┌──────────────────────────────────────────────┐
//             │ the program's memory: data, stacks, TLS      │  never written by the allocator
//   HEAP_BASE ├──────────────────────────────────────────────┤
//             │ control region (CONTROL_SIZE, see below)     │  header, registry, threads, ring
//             ├─ first 1 MiB boundary ───────────────────────┤  firstChunk
//             │ SuperSlab | huge span | free chunk           │  chunks the allocator grew (or
//             │ ...                                          │  found above HEAP_BASE at init);
//             │ foreign chunk (someone else's memory.grow)   │  registered REG_NONE, never used
//             │ ...                                          │
//
// A SuperSlab (one chunk, 1 MiB aligned) is 16 slabs of 64 KiB:
//
//   +0      ┌ SuperSlabHeader (64 B): magic, chunk, used_mask, non-full list links
//   +64     │ SlabMeta[16] (64 B each): owner, class, geometry, free list, counts
//   +1088   │ RemoteHead[16] (64 B each, one cache line per slab): atomic remote-free stack
//   +4096   │ [debug build] AllocBitmap[16] (1 KiB each): bit set = block is with the user
//   +SS_HEADER_SIZE
//           └ slab 0 blocks ...  |  slab 1 blocks (at +64 KiB)  |  ...  |  slab 15 blocks
//
// Slab k's blocks start at slabDataStart(k) = k * SLAB_SIZE, or SS_HEADER_SIZE for slab 0, and
// block i of a slab with stride s is at data_start + i * s. Every address check is made on the
// offset from data_start, never on the absolute address (seed 004).

// ---- build flavour ----------------------------------------------------------------------

/** Set by the debug target (`--use HAKMEM_DEBUG=1`): checked frees, full ring, asserts. */
// @ts-ignore: decorator, and HAKMEM_DEBUG exists only in the debug target
@inline export const DEBUG_BUILD: bool = isDefined(HAKMEM_DEBUG);
/**
 * Set by the crash target (`--use HAKMEM_CRASH_POINTS=1`, build/crash.wasm): a release build
 * whose crashPoint() calls (journal.ts) can be armed to trap, for the kill trials.
 */
// @ts-ignore: decorator, and HAKMEM_CRASH_POINTS exists only in the crash target
@inline export const CRASH_BUILD: bool = isDefined(HAKMEM_CRASH_POINTS);

// ---- geometry -----------------------------------------------------------------------------

// @ts-ignore: decorator
@inline export const WASM_PAGE_SHIFT: u32 = 16;
// @ts-ignore: decorator
@inline export const CHUNK_SHIFT: u32 = 20;
// @ts-ignore: decorator
@inline export const CHUNK_SIZE: u32 = 1 << CHUNK_SHIFT;
// @ts-ignore: decorator
@inline export const CHUNK_MASK: u32 = CHUNK_SIZE - 1;
// @ts-ignore: decorator
@inline export const PAGES_PER_CHUNK: u32 = CHUNK_SIZE >> WASM_PAGE_SHIFT;
// @ts-ignore: decorator
@inline export const MAX_CHUNKS: u32 = 4096; // 4 GiB of linear memory
// @ts-ignore: decorator
@inline export const SLAB_SHIFT: u32 = 16;
// @ts-ignore: decorator
@inline export const SLAB_SIZE: u32 = 1 << SLAB_SHIFT;
// @ts-ignore: decorator
@inline export const SLABS_PER_SS: u32 = CHUNK_SIZE >> SLAB_SHIFT; // 16
// @ts-ignore: decorator
@inline export const ALL_SLABS_MASK: u32 = (1 << SLABS_PER_SS) - 1;

/** Largest request served by the tiny path (the mission's heart). */
// @ts-ignore: decorator
@inline export const TINY_MAX: u32 = 1024;
/** Largest request served from slabs at all (tiny + mid classes); above it: large runs. */
// @ts-ignore: decorator
@inline export const SMALL_MAX: u32 = 32768;
/** Size classes (see classes.ts for the table itself). */
// @ts-ignore: decorator
@inline export const NUM_CLASSES: u32 = 53;
/** Blocks below this size are 8-byte aligned; all others 16-byte aligned. */
// @ts-ignore: decorator
@inline export const MIN_BLOCK: u32 = 8;
/** Largest block count of any slab (8-byte blocks in a whole 64 KiB slab). */
// @ts-ignore: decorator
@inline export const MAX_BLOCKS_PER_SLAB: u32 = SLAB_SIZE / MIN_BLOCK;
/** Slab 0 is never part of a large run: the SuperSlab header lives there. */
// @ts-ignore: decorator
@inline export const LARGE_MAX_SLABS: u32 = SLABS_PER_SS - 1;
// @ts-ignore: decorator
@inline export const LARGE_MAX: u32 = LARGE_MAX_SLABS * SLAB_SIZE;
/** Largest alignment aligned_alloc accepts (a huge span is chunk aligned). */
// @ts-ignore: decorator
@inline export const MAX_ALIGN: u32 = CHUNK_SIZE;
/** Alignments up to this are served from small classes whose stride they divide. */
// @ts-ignore: decorator
@inline export const SMALL_ALIGN_MAX: u32 = 4096;

// ---- the free tag (free-tag.ts) ------------------------------------------------------------
//
// Every free small block carries, in its second word, a tag computed from its own address;
// malloc clears it when it hands the block out. The first word is the free-list link.
//
//   free block:  ┌────────────┬───────────────┬─── ...
//                │ link (u32) │ FREE_TAG(p)   │
//                └────────────┴───────────────┴─── ...
//   FREE_TAG(p) = p * FREE_TAG_MUL   (mod 2^32; never 0: the multiplier is odd, so invertible,
//                                     and p is never 0)
// One x86 instruction (imul with an immediate). The multiplier is an arbitrary odd constant,
// not a well-known hash constant, so a program that stores a hash of its own block's address
// does not store the tag by that coincidence.

/** Byte offset of the tag in a free block (the smallest class is 8 bytes: it has two words). */
// @ts-ignore: decorator
@inline export const FREE_TAG_OFFSET: u32 = 4;
// @ts-ignore: decorator
@inline export const FREE_TAG_MUL: u32 = 0xF4BD_B52B;

// ---- SuperSlab header ---------------------------------------------------------------------

// @ts-ignore: decorator
@inline export const SS_MAGIC: u32 = 0x53534B48; // "HKSS"
// @ts-ignore: decorator
@inline export const SS_META_OFFSET: u32 = 64;
// @ts-ignore: decorator
@inline export const SLAB_META_SIZE: u32 = 64;
// @ts-ignore: decorator
@inline export const SS_REMOTE_OFFSET: u32 = SS_META_OFFSET + SLABS_PER_SS * SLAB_META_SIZE; // 1088
// @ts-ignore: decorator
@inline export const REMOTE_STRIDE: u32 = 64; // one cache line per slab's remote head

// A remote head is one u64 word, changed only by 64-bit compare-and-swap. Its low half says
// which blocks wait, in one of two forms chosen by the slab's stride:
//   bits 0..31   a stack (stride < REMOTE_BITS_MIN_STRIDE): the top block, linked through the
//                blocks' first words (0: empty)
//                bits (stride >= REMOTE_BITS_MIN_STRIDE, so at most 32 blocks): bit i set,
//                block i waits (0: none)
//   bits 32..63  the push tag of the push that put it there (0: a drain, or a slot-less push)
// Either way the low half is 0 exactly when nothing waits.
// push tag = slot | seq << TID_SLOT_BITS: the pusher's thread slot and its per-slot push
// sequence (PushState), so reclaim can tell whether a dead thread's last push happened.
// (PUSH_SEQ_BITS, PUSH_SEQ_MASK: with the thread slots below.)
/**
 * Slabs of this stride or more take remote frees as bits of their remote head (one CAS per
 * free, writing nothing but the block's tag line the freer already holds), not as a chain: a
 * slab then holds at most 32 blocks, one per bit of the head's low half. The owner's drain
 * finds the blocks by index instead of walking links the freeing thread wrote, each a miss
 * that waits for the one before it (midlarge 2T: remote.ts).
 */
// @ts-ignore: decorator
@inline export const REMOTE_BITS_MIN_STRIDE: u32 = SLAB_SIZE / 32;
// @ts-ignore: decorator
@inline export const SS_BITMAP_OFFSET: u32 = 4096;
// @ts-ignore: decorator
@inline export const BITMAP_BYTES_PER_SLAB: u32 = MAX_BLOCKS_PER_SLAB / 8; // 1 KiB
/** Bytes at the start of a SuperSlab reserved for its header (slab 0's blocks start here). */
// @ts-ignore: decorator
@inline export const SS_HEADER_SIZE: u32 = DEBUG_BUILD
  ? SS_BITMAP_OFFSET + SLABS_PER_SS * BITMAP_BYTES_PER_SLAB
  : SS_BITMAP_OFFSET;

/** The first 64 bytes of a SuperSlab. Fields marked (pool) change only under the pool lock. */
@unmanaged export class SuperSlabHeader {
  magic: u32;
  chunk: u32;        // chunk index (address >> 20)
  usedMask: u32;     // (pool) bit k set: slab k is a small slab or part of a large run
  nonfullNext: u32;  // (pool) list of SuperSlabs with at least one free slab
  nonfullPrev: u32;  // (pool)
  inNonfull: u32;    // (pool) 1 while on that list
}

// Slab states (SlabMeta.state).
// abi: SLAB_STATES names SLAB_
// @ts-ignore: decorator
@inline export const SLAB_FREE: u8 = 0;
// @ts-ignore: decorator
@inline export const SLAB_SMALL: u8 = 1;      // blocks of one class
// @ts-ignore: decorator
@inline export const SLAB_LARGE: u8 = 2;      // first slab of a large run
// @ts-ignore: decorator
@inline export const SLAB_LARGE_TAIL: u8 = 3; // later slab of a large run

// Which list an owned slab is on (SlabMeta.list).
// abi: SLAB_LISTS names LIST_
// @ts-ignore: decorator
@inline export const LIST_NONE: u8 = 0;
// @ts-ignore: decorator
@inline export const LIST_CURRENT: u8 = 1;
// @ts-ignore: decorator
@inline export const LIST_PARTIAL: u8 = 2;
// @ts-ignore: decorator
@inline export const LIST_ORPHAN: u8 = 3;

/**
 * Per-slab metadata (64 B). Ownership rule: only the owner thread reads or writes freeHead,
 * freeCount, used, carved and the list links; `owner` itself is changed with atomics (claim
 * from 0, release to 0) and read by anyone to decide local vs remote free.
 */
@unmanaged export class SlabMeta {
  owner: u32;     // tid of the owning thread, 0 = none (free slab or orphan)
  state: u8;      // SLAB_*
  cls: u8;        // size class (small slabs)
  list: u8;       // LIST_*
  span: u8;       // large head: slabs in the run; large tail: distance back to the head
  stride: u32;    // block stride in bytes
  inv: u32;       // (stride >> shift)^-1 mod 2^32: the block index is rotr(offset * inv, shift)
  dataStart: u32; // absolute address of block 0
  capacity: u32;  // blocks that fit
  carved: u32;    // blocks carved so far (carved linearly, never uncarved while owned)
  freeHead: u32;  // owner-only free list (intrusive, link in the block's first word)
  freeCount: u32;
  used: u32;      // carved blocks not on the free list (user, caches, remote, outboxes)
  prev: u32;      // partial / orphan list links (SlabMeta addresses)
  next: u32;
  largeSize: u32; // large head: bytes requested
  chkA: u32;      // scratch for the heap checker
  chkB: u32;
  shift: u32;     // trailing zero bits of stride (stride == (stride >> shift) << shift, odd part)
}

// ---- the control region -------------------------------------------------------------------
//
// The memory contract: the allocator owns memory from HEAP_BASE up, and nothing below it.
// HEAP_BASE is imported (`hakmem.heap_base`, an immutable i32, a multiple of 64 KiB): every
// instance of the module, on every thread, gets the same value, so every instance finds the
// allocator's control structures without a fixed address and without a rendezvous. The
// program that links the allocator (its data, stacks, TLS) lives below HEAP_BASE and is never
// written. The control region starts at HEAP_BASE; heap chunks start at the first 1 MiB
// boundary after it. Every offset below is relative to HEAP_BASE and derived from the one
// before it, so regions cannot overlap; the compiler checks that each record
// fits its slot and no two parts overlap (layout-checks.ts).
//
//   HEAP_BASE + 0  ┌──────────────────────────────────────────────┐
//                  │ slot 0: the unattached record (THREAD_SIZE)   │  its first 16 bytes are the
//                  │                                              │  HeapStamp; its caches are
//                  │                                              │  never written (read empty)
//   + HEADER_OFF   │ GlobalHeader (HEADER_SLOT bytes)              │  config, locks, counters
//   + REGISTRY_OFF │ Registry: u32 per chunk (MAX_CHUNKS)          │  address >> 20 -> kind
//   + FAULT_OFF    │ FaultLog: FAULT_CAP x FaultRecord             │
//   + CHECK_OFF    │ CheckReport (CHECK_SLOT bytes)                │  heap checker output
//   + CLASS_MAP_OFF│ ClassMap: u8 per 8 bytes of size              │  size -> class, built at init
//   + CLASS_SIZE_OFF ClassSizes: u16 per class                    │  class -> size, built at init
//   + ORPHAN_OFF   │ OrphanLists: u32 per class                    │  slabs with no owner
//   + RETIRED_OFF  │ RetiredCounters: 2 x u32 per class            │  flows of slot-less frees 
//   + STATS_OFF    │ StatsBlock                                    │  written by stats_collect()
//   + OWNER_OFF    │ SlabOwners: u32 per 64 KiB of memory (4 GiB)  │  address >> 16 -> owner tid
//   + RING_EVENTS_OFF DebugRing: RING_CAP x 16 B                  │
//   + THREAD_TABLE_OFF ThreadTable: slots 1 .. MAX_THREADS-1      │  the attached threads' records
//   + CONTROL_SIZE └──────────────────────────────────────────────┘
//
// Everything a malloc or free reads before init (slot 0's caches, the class map, the registry,
// the slab owners) lies before the ring, in the region's first megabyte; the thread table comes
// last.
//
// SlabOwners mirrors SlabMeta.owner for free's fast path: owners[p >> 16] is the tid that owns
// the small slab holding p, and 0 for every other 64 KiB of memory (a free, large or
// unowned slab, a huge span, a free chunk, the control region, the program's memory below
// HEAP_BASE). So one load and one compare, owners[p >> 16] == selfTid, says "a small slab of
// a SuperSlab, owned by this thread", where the registry entry and then the slab's owner
// took two. Invariant, for every 64 KiB unit u (checked by check.ts):
//   owners[u] == (u is slab k of a SuperSlab chunk) ? metaAt(chunk, k).owner : 0
// kept by setting both together (owner.ts: the meta's owner first when a thread takes a slab,
// the table's entry first when it lets it go), so that owners[u] == T implies
// meta.owner == T at every point, a thread killed between the two stores included.
//   first 1 MiB boundary: heap chunks (SuperSlab | huge span | free), from memory.grow

/** The allocator's base address, imported: see the memory contract above. */
// @ts-ignore: decorator
@external("hakmem", "heap_base") export declare const HEAP_BASE: usize;

/** HEAP_BASE must be a multiple of this (a wasm page). */
// @ts-ignore: decorator
@inline export const HEAP_BASE_ALIGN: u32 = 1 << WASM_PAGE_SHIFT;

// @ts-ignore: decorator
@inline export const THREAD_SIZE: u32 = 2048;
// @ts-ignore: decorator
@inline export const TID_SLOT_BITS: u32 = 10; // a tid's low bits: its slot
/** A tid's generation bits (above the slot): the attach count, wrapping. */
// @ts-ignore: decorator
@inline export const TID_GEN_MASK: u32 = (1 << (32 - TID_SLOT_BITS)) - 1;
// @ts-ignore: decorator
@inline export const MAX_THREADS: u32 = 1 << TID_SLOT_BITS; // 1024 slots; slot 0 is the unattached record: 1023 threads at once
/** A push tag's sequence bits (above the pusher's slot; see the remote head above). */
// @ts-ignore: decorator
@inline export const PUSH_SEQ_BITS: u32 = 32 - TID_SLOT_BITS;
// @ts-ignore: decorator
@inline export const PUSH_SEQ_MASK: u32 = (1 << PUSH_SEQ_BITS) - 1;
// @ts-ignore: decorator
@inline export const THREAD_OFF: u32 = 0; // slot 0; must stay 0: tls.ts initialises `self` to HEAP_BASE
// @ts-ignore: decorator
@inline export const HEADER_OFF: u32 = THREAD_OFF + THREAD_SIZE;
// @ts-ignore: decorator
@inline export const HEADER_SLOT: u32 = 1024;
// @ts-ignore: decorator
@inline export const REGISTRY_OFF: u32 = HEADER_OFF + HEADER_SLOT;
// @ts-ignore: decorator
@inline export const REGISTRY_BYTES: u32 = MAX_CHUNKS * 4;
// @ts-ignore: decorator
@inline export const FAULT_OFF: u32 = REGISTRY_OFF + REGISTRY_BYTES;
// @ts-ignore: decorator
@inline export const FAULT_CAP: u32 = 64;
// @ts-ignore: decorator
@inline export const FAULT_RECORD_SIZE: u32 = 32;
// @ts-ignore: decorator
@inline export const CHECK_OFF: u32 = FAULT_OFF + FAULT_CAP * FAULT_RECORD_SIZE;
// @ts-ignore: decorator
@inline export const CHECK_DETAIL_CAP: u32 = 32;
/** Byte offset of the per-class totals in the CheckReport: after the head and the details. */
// @ts-ignore: decorator
@inline export const CHECK_CLASS_TOTALS_OFF: u32 = offsetof<CheckReport>() + CHECK_DETAIL_CAP * offsetof<CheckDetail>();
// @ts-ignore: decorator
@inline export const CHECK_REPORT_BYTES: u32 = CHECK_CLASS_TOTALS_OFF + NUM_CLASSES * 4;
// @ts-ignore: decorator
@inline export const CHECK_SLOT: u32 = (CHECK_REPORT_BYTES + 63) & ~63;
// @ts-ignore: decorator
@inline export const CLASS_MAP_OFF: u32 = CHECK_OFF + CHECK_SLOT;
// @ts-ignore: decorator
@inline export const CLASS_MAP_BYTES: u32 = (SMALL_MAX >> 3) + 1;
// @ts-ignore: decorator
@inline export const CLASS_SIZE_OFF: u32 = CLASS_MAP_OFF + ((CLASS_MAP_BYTES + 63) & ~63);
// @ts-ignore: decorator
@inline export const ORPHAN_OFF: u32 = CLASS_SIZE_OFF + ((NUM_CLASSES * 2 + 63) & ~63);
// @ts-ignore: decorator
@inline export const RETIRED_OFF: u32 = ORPHAN_OFF + ((NUM_CLASSES * 4 + 63) & ~63);
// @ts-ignore: decorator
@inline export const STATS_OFF: u32 = RETIRED_OFF + ((NUM_CLASSES * offsetof<RetiredCounters>() + 63) & ~63);
/** StatsBlock: a StatsGlobal, then a StatsClass per class (stats.ts writes them). */
// @ts-ignore: decorator
@inline export const STATS_BYTES: u32 = offsetof<StatsGlobal>() + NUM_CLASSES * offsetof<StatsClass>();
/** SlabOwners: one u32 per 64 KiB slab-sized unit of the 4 GiB address space (see above). */
// @ts-ignore: decorator
@inline export const OWNER_OFF: u32 = (STATS_OFF + STATS_BYTES + 4095) & ~4095;
// @ts-ignore: decorator
@inline export const OWNER_BYTES: u32 = (MAX_CHUNKS * SLABS_PER_SS) << 2;
// @ts-ignore: decorator
@inline export const RING_EVENTS_OFF: u32 = OWNER_OFF + OWNER_BYTES;
// @ts-ignore: decorator
@inline export const RING_CAP: u32 = 32768; // events, a power of two
// @ts-ignore: decorator
@inline export const RING_EVENT_SIZE: u32 = 16;
/** The records of thread slots 1 .. MAX_THREADS-1, after everything else. */
// @ts-ignore: decorator
@inline export const THREAD_TABLE_OFF: u32 = RING_EVENTS_OFF + RING_CAP * RING_EVENT_SIZE;
/** Bytes of the control region at HEAP_BASE. */
// @ts-ignore: decorator
@inline export const CONTROL_SIZE: u32 = THREAD_TABLE_OFF + (MAX_THREADS - 1) * THREAD_SIZE;

/** Absolute address of slot 0, the unattached record (where the heap stamp lives). */
// @ts-ignore: decorator
@inline export function threadBase(): usize { return HEAP_BASE + THREAD_OFF; }
/** Absolute address of thread slot `slot`'s record (1 <= slot < MAX_THREADS). */
// @ts-ignore: decorator
@inline export function threadRecord(slot: u32): usize {
  return HEAP_BASE + THREAD_TABLE_OFF + <usize>(slot - 1) * THREAD_SIZE;
}
/** Absolute address of the registry. */
// @ts-ignore: decorator
@inline export function registryBase(): usize { return HEAP_BASE + REGISTRY_OFF; }
/** Absolute address of the fault log. */
// @ts-ignore: decorator
@inline export function faultBase(): usize { return HEAP_BASE + FAULT_OFF; }
/** Absolute address of the check report. */
// @ts-ignore: decorator
@inline export function checkBase(): usize { return HEAP_BASE + CHECK_OFF; }
/** Absolute address of the size -> class map. */
// @ts-ignore: decorator
@inline export function classMapBase(): usize { return HEAP_BASE + CLASS_MAP_OFF; }
/** Absolute address of the class -> size table. */
// @ts-ignore: decorator
@inline export function classSizeBase(): usize { return HEAP_BASE + CLASS_SIZE_OFF; }
/** Absolute address of the orphan list heads. */
// @ts-ignore: decorator
@inline export function orphanBase(): usize { return HEAP_BASE + ORPHAN_OFF; }
/** Absolute address of the retired threads' per-class flow counters. */
// @ts-ignore: decorator
@inline export function retiredBase(): usize { return HEAP_BASE + RETIRED_OFF; }

/** Address of the RetiredCounters of class `cls`. */
// @ts-ignore: decorator
@inline export function retiredOf(cls: u32): usize {
  return retiredBase() + <usize>cls * offsetof<RetiredCounters>();
}
/** Absolute address of the stats block. */
// @ts-ignore: decorator
@inline export function statsBase(): usize { return HEAP_BASE + STATS_OFF; }
/** Absolute address of the debug ring. */
// @ts-ignore: decorator
@inline export function ringBase(): usize { return HEAP_BASE + RING_EVENTS_OFF; }

// @ts-ignore: decorator
@inline export const HEAP_MAGIC: u32 = 0x4D454B48; // "HKEM"
/** Bumped whenever a shared record or the control region changes shape. */
// @ts-ignore: decorator
@inline export const LAYOUT_VERSION: u32 = 10;
/**
 * What a heap's stamp records about the build that initialised it: two instances may share a
 * heap iff their HEAP_FORMATs are equal. Layout version, the SuperSlab header size (larger in
 * the debug build: its allocation bits), the control region's size, and the debug bit.
 */
// @ts-ignore: decorator
@inline export const HEAP_FORMAT: u32 = (LAYOUT_VERSION << 24) | ((SS_HEADER_SIZE >> 10) << 17)
  | (((CONTROL_SIZE >> 12) & 0xFFFF) << 1) | (DEBUG_BUILD ? 1 : 0);

/**
 * The heap stamp (16 B) at HEAP_BASE + 0: the first bytes of thread slot 0, the unattached
 * record, whose header no code reads (its caches, further on, read as empty). Every build and
 * every version of the allocator finds it at this one place, so an instance decides whether
 * the heap in this memory is one it may touch before it reads or writes anything else.
 *
 *   HEAP_BASE + 0  ┌───────────┬──────────────┬─────────────┬──────┐
 *                  │ magic     │ format       │ initState   │ _pad │
 *                  └───────────┴──────────────┴─────────────┴──────┘
 *   initState: INIT_NEW -> INIT_BUSY (one instance's CAS) -> INIT_READY or INIT_FAILED;
 *   format, magic: written by that instance before INIT_READY publishes them.
 */
@unmanaged export class HeapStamp {
  magic: u32;     // HEAP_MAGIC once initialised
  format: u32;    // HEAP_FORMAT of the build that initialised the heap
  initState: u32; // INIT_*
  _pad: u32;
}

// init's states (HeapStamp.initState).
// @ts-ignore: decorator
@inline export const INIT_NEW: u32 = 0;
// @ts-ignore: decorator
@inline export const INIT_BUSY: u32 = 1;
// @ts-ignore: decorator
@inline export const INIT_READY: u32 = 2;
// @ts-ignore: decorator
@inline export const INIT_FAILED: u32 = 3;

// What heap_status() says about the heap in this memory, for this instance.
// abi: HEAP_STATUSES names HEAP_STATUS_
// @ts-ignore: decorator
@inline export const HEAP_STATUS_NONE: u32 = 0;    // not initialised yet
// @ts-ignore: decorator
@inline export const HEAP_STATUS_OURS: u32 = 1;    // initialised by this build and version: usable
// @ts-ignore: decorator
@inline export const HEAP_STATUS_FOREIGN: u32 = 2; // initialised by another build or version: refused

/** The heap stamp. */
// @ts-ignore: decorator
@inline export function stamp(): HeapStamp { return changetype<HeapStamp>(HEAP_BASE + THREAD_OFF); }

/** A lock's words after its holder word (lock.ts; GlobalHeader's poolLock and checkLock). */
// @ts-ignore: decorator
@inline export const LOCK_WAITERS: usize = 4;  // threads asleep on the holder word
// @ts-ignore: decorator
@inline export const LOCK_TAKEN: usize = 8;    // times taken (cumulative)
// @ts-ignore: decorator
@inline export const LOCK_SLEEPS: usize = 12;  // times a thread went to sleep on it (cumulative)

/**
 * The global header at HEAP_BASE + HEADER_OFF. Contended words sit on their own 64-byte lines.
 * Fields marked (pool) change only under the pool lock.
 */
@unmanaged export class GlobalHeader {
  // configuration, fixed at init (ringMode may change at run time)
  cacheMode: u32;      // CACHE_OFF / CACHE_SMALL / CACHE_DEFAULT
  batchRefill: u32;    // 1: refill and spill in batches; 0: one block at a time
  remoteBatch: u32;    // blocks per remote push (1 = unbatched)
  faultPolicy: u32;    // POLICY_REPORT / POLICY_STRICT
  ringMode: u32;       // RING_OFF / RING_SLOW / RING_ALL
  debugBuild: u32;
  _c0: u32; _c1: u32; _c2: u32; _c3: u32; _c4: u32; _c5: u32; _c6: u32; _c7: u32; _c8: u32; _c9: u32;
  // line 1: the pool lock
  poolLock: u32;       // 0 free, else tid of the holder
  poolLockWaiters: u32; // threads asleep on poolLock (lock.ts: a lock's words, in this order)
  poolLockTaken: u32;  // times poolLock was taken (cumulative; written by the holder)
  poolLockSleeps: u32; // times a thread went to sleep on it (cumulative, atomic)
  _l4: u32; _l5: u32; _l6: u32; _l7: u32;
  _l8: u32; _l9: u32; _l10: u32; _l11: u32; _l12: u32; _l13: u32; _l14: u32; _l15: u32;
  // line 2: the ring sequence
  ringSeq: u32;
  _r1: u32; _r2: u32; _r3: u32; _r4: u32; _r5: u32; _r6: u32; _r7: u32;
  _r8: u32; _r9: u32; _r10: u32; _r11: u32; _r12: u32; _r13: u32; _r14: u32; _r15: u32;
  // line 3: faults and thread identities
  faultSeq: u32;
  threadGen: u32;      // bumped on every attach: tids are never reused
  _f2: u32;
  reliefEpoch: u32;    // bumped by a thread out of memory: every live thread gives back what it holds
  checkLock: u32;      // 0 free, else tid of the checking thread
  checkLockWaiters: u32; // threads asleep on checkLock
  checkLockTaken: u32;
  checkLockSleeps: u32;
  _f8: u32; _f9: u32; _f10: u32; _f11: u32; _f12: u32; _f13: u32; _f14: u32; _f15: u32;
  // line 4+: pool-protected state and global counters
  chunkCount: u32;     // (pool) chunk indices the registry covers: one past the highest chunk
                       // the allocator registered (foreign chunks below it are REG_NONE)
  nonfullHead: u32;    // (pool) SuperSlabs with a free slab
  superslabs: u32;     // (pool) live SuperSlabs
  hugeSpans: u32;      // (pool) live huge spans
  largeRuns: u32;      // (pool) live large runs
  largeSlabs: u32;     // (pool) 64 KiB units held by live large runs and huge spans
  grows: u32;          // (pool) successful memory.grow calls
  oomCount: u32;       // (pool) allocations that returned 0 for lack of memory
  peakChunks: u32;     // (pool) highest number of heap chunks (free + in use) at once
  firstChunk: u32;     // first heap chunk: the first 1 MiB boundary above the control region
  ownedPages: u32;     // (pool) memory size, in pages, just after the allocator's own last
                       // grow (or init): if memory.size() still equals it, nobody else grew
                       // and the pages from chunkCount's chunk up are the allocator's
  heapChunks: u32;     // (pool) chunks registered as heap (REG_FREE, SuperSlab or huge)
  orphanedSlabs: u32;  // (pool) slabs handed back by retiring threads (cumulative)
  adoptions: u32;      // (pool) orphan slabs claimed by a thread (cumulative)
  reclaims: u32;       // (pool) threads reclaimed by another thread (cumulative)
  deadHeld: u32;       // (atomic) blocks killed mallocs had taken but not returned (in use for good)
  repairs: u32;        // (atomic) multi-step updates reclaim found torn and completed or undid
  rests: u32;          // (atomic) threads that ended dormant, keeping their holdings (cumulative)
  resumes: u32;        // (atomic) dormant threads their instance resumed (cumulative)
  dormantRetired: u32; // (atomic) dormant threads another thread retired (cumulative)
  retirementsAdopted: u32; // (atomic) retirements a dead retirer left unfinished, taken over by its reclaim
}

// Configuration values.
// @ts-ignore: decorator
@inline export const CACHE_OFF: u32 = 0;
// @ts-ignore: decorator
@inline export const CACHE_SMALL: u32 = 1;
// @ts-ignore: decorator
@inline export const CACHE_DEFAULT: u32 = 2;
// @ts-ignore: decorator
@inline export const SMALL_CACHE_CAP: u32 = 4;
// @ts-ignore: decorator
@inline export const DEFAULT_REMOTE_BATCH: u32 = 16;
// @ts-ignore: decorator
@inline export const MAX_REMOTE_BATCH: u32 = 256;
// @ts-ignore: decorator
@inline export const POLICY_REPORT: u32 = 0;
// @ts-ignore: decorator
@inline export const POLICY_STRICT: u32 = 1;
// @ts-ignore: decorator
@inline export const RING_OFF: u32 = 0;
// @ts-ignore: decorator
@inline export const RING_SLOW: u32 = 1;
// @ts-ignore: decorator
@inline export const RING_ALL: u32 = 2;

// Registry entries: kind in the low byte, a payload above it.
// @ts-ignore: decorator
@inline export const REG_NONE: u32 = 0;      // not heap (control chunk or beyond memory)
// @ts-ignore: decorator
@inline export const REG_FREE: u32 = 1;      // chunk in the pool
// @ts-ignore: decorator
@inline export const REG_SUPERSLAB: u32 = 2; // exactly this value: the free fast path compares it
// @ts-ignore: decorator
@inline export const REG_HUGE: u32 = 3;      // first chunk of a huge span, payload = chunks
// @ts-ignore: decorator
@inline export const REG_HUGE_TAIL: u32 = 4; // later chunk, payload = head chunk index
// @ts-ignore: decorator
@inline export const REG_KIND_MASK: u32 = 0xFF;
// @ts-ignore: decorator
@inline export const REG_PAYLOAD_SHIFT: u32 = 8; // entry = kind | payload << REG_PAYLOAD_SHIFT

// ---- per-thread records -------------------------------------------------------------------
//
//   ThreadRecord (THREAD_SIZE = 2 KiB, at threadBase() + slot * THREAD_SIZE)
//   +0     ThreadHeader (64 B): tid, state, counters
//   +64    CacheEntry[NUM_CLASSES] (8 B): the per-class cache, read by the fast paths
//   +488   CacheFlow[NUM_CLASSES] (8 B): the caches' flow counters (slow paths only)
//   +912   ClassState[NUM_CLASSES] (8 B): current slab and partial list (slow path only)
//   +1344  OutboxEntry[OUTBOX_SIZE] (16 B): remote frees waiting to be pushed in a batch
//          (TH_OUTBOX_OFFSET: the class states' end rounded up to a 64-byte line)
//   +1856  ThreadCounters (64 B)
//   +1920  Journal (32 B): the multi-step update in progress, for reclaim (journal.ts)
//   +1952  large cache (32 B): LARGE_CACHE_SLOTS freed large runs / huge spans (large-cache.ts)
//   +1984  PushState (64 B, its own line: other threads confirm pushes here)
//
// attach zeroes what describes the occupant's holdings (caches' heads and counts, class
// states, outbox, journal) and keeps every cumulative counter: the flow counters, the
// ThreadCounters, largeBytesAsked/Given and the push sequence. So a slot's counters are the sums
// over all its occupants, and retiring a thread folds nothing anywhere (a fold torn by a kill
// would count twice).

// @ts-ignore: decorator
@inline export const TH_CACHE_OFFSET: u32 = 64;
/** 8 bytes: the fast paths' address of class c's entry is one lea (base + c * 8). */
// @ts-ignore: decorator
@inline export const CACHE_ENTRY_SIZE: u32 = 8;
/** The flow counters, apart from the entries (so an entry stays 8 bytes), with the same stride. */
// @ts-ignore: decorator
@inline export const TH_FLOW_OFFSET: u32 = TH_CACHE_OFFSET + NUM_CLASSES * CACHE_ENTRY_SIZE;
// @ts-ignore: decorator
@inline export const CACHE_FLOW_SIZE: u32 = CACHE_ENTRY_SIZE;
// @ts-ignore: decorator
@inline export const TH_CLASS_OFFSET: u32 = TH_FLOW_OFFSET + NUM_CLASSES * CACHE_FLOW_SIZE;
// @ts-ignore: decorator
@inline export const CLASS_STATE_SIZE: u32 = 8;
// @ts-ignore: decorator
@inline export const TH_OUTBOX_OFFSET: u32 = (TH_CLASS_OFFSET + NUM_CLASSES * CLASS_STATE_SIZE + 63) & ~63;
// @ts-ignore: decorator
@inline export const OUTBOX_SIZE: u32 = 32; // a power of two
// @ts-ignore: decorator
@inline export const OUTBOX_ENTRY_SIZE: u32 = 16;
// @ts-ignore: decorator
@inline export const TH_COUNTERS_OFFSET: u32 = TH_OUTBOX_OFFSET + OUTBOX_SIZE * OUTBOX_ENTRY_SIZE;
// @ts-ignore: decorator
@inline export const TH_JOURNAL_OFFSET: u32 = TH_COUNTERS_OFFSET + 64;
/**
 * The large cache: the large runs and huge spans this thread freed, kept for its next requests
 * of the same size, at most LARGE_CACHE_UNITS 64 KiB units in all; LARGE_CACHE_SLOTS list heads
 * (large-cache.ts: one bin per run of 1..LARGE_CACHE_SLOTS-1 slabs, the last for every other
 * size). An entry (a slot, or a cached run's first word, which links the next) is one u32: the
 * run's address (64 KiB aligned; a huge span's 1 MiB aligned) | its size in 64 KiB units (a
 * large run: 1..15; a huge span of n chunks: n * SLABS_PER_SS), 0 at a list's end.
 */
// @ts-ignore: decorator
@inline export const LARGE_CACHE_SLOTS: u32 = 8;
// @ts-ignore: decorator
@inline export const LARGE_CACHE_UNITS: u32 = 64; // 4 MiB
// @ts-ignore: decorator
@inline export const LARGE_UNIT_MASK: u32 = 0xFFFF;
// @ts-ignore: decorator
@inline export const JOURNAL_SLOT: u32 = 32;
// @ts-ignore: decorator
@inline export const TH_LARGE_CACHE_OFFSET: u32 = TH_JOURNAL_OFFSET + JOURNAL_SLOT;
// @ts-ignore: decorator
@inline export const TH_PUSH_OFFSET: u32 = TH_LARGE_CACHE_OFFSET + LARGE_CACHE_SLOTS * 4;


// Thread states.
// abi: THREAD_STATES names THREAD_
// @ts-ignore: decorator
@inline export const THREAD_FREE: u32 = 0;
// @ts-ignore: decorator
@inline export const THREAD_ACTIVE: u32 = 1;
// @ts-ignore: decorator
@inline export const THREAD_RETIRING: u32 = 2;
// @ts-ignore: decorator
@inline export const THREAD_DORMANT: u32 = 3;  // rested (thread.ts): tid, caches, slabs kept for its instance
/**
 * A record being retired names who retires it in the same state word: THREAD_RETIRING |
 * slot << RETIRER_SHIFT, the retiring thread's slot (0: an instance with no thread attached).
 * So one compare-and-swap elects the retirer, and if that thread dies, the reclaim of its tid
 * finds what it was retiring and finishes it (thread.ts adoptRetirements).
 */
// @ts-ignore: decorator
@inline export const RETIRER_SHIFT: u32 = 16;
/** tid of the unattached record: matches no slab owner, so its frees take the slow path. */
// @ts-ignore: decorator
@inline export const NO_TID: u32 = 0xFFFFFFFF;

/** Refills between two flushes of a thread's whole outbox (bounds how long frees wait). */
// @ts-ignore: decorator
@inline export const OUTBOX_FLUSH_REFILLS: u32 = 64;
/** How many times a thread out of memory polls for the others' relief before it gives up. */
// @ts-ignore: decorator
@inline export const RELIEF_POLLS: u32 = 256;
/** Spin iterations between two polls. */
// @ts-ignore: decorator
@inline export const RELIEF_SPIN: u32 = 2048;

@unmanaged export class ThreadHeader {
  tid: u32;          // slot | generation << TID_SLOT_BITS; 0 while the slot is free
  state: u32;        // THREAD_* (RETIRING: | the retirer's slot << RETIRER_SHIFT)
  remoteBatch: u32;  // copy of the global setting
  refillsSinceFlush: u32; // the outbox is flushed every OUTBOX_FLUSH_REFILLS refills
  attachSeq: u32;    // generation at attach
  reliefSeen: u32;   // the last GlobalHeader.reliefEpoch this thread answered (gave back for)
  largeBytesAsked: u64; // sum of sizes of requests above SMALL_MAX (cumulative; small requests
  largeBytesGiven: u64; // are counted in blocks, by the caches' flows) and their usable sizes
  pushSeq: u32;      // the last remote push's number (push-tag.ts; cumulative over occupants)
  largeCachedUnits: u32; // 64 KiB units in the large cache (the sum of its slots' sizes)
  debugFreeing: u32; // debug build: the block a free is clearing the allocation bit of (0: none),
                     // so reclaim can tell a free a kill cut short before the block was linked
}

/**
 * The per-class cache: a LIFO of free blocks from slabs this thread owns. The fast paths
 * touch only head and count.
 */
@unmanaged export class CacheEntry {
  head: u32;     // first block, link in the block's first word
  count: u16;
  cap: u16;      // 0: caching disabled for this class
}

/**
 * A cache's flow counters, at a fixed distance after its entry (TH_FLOW_OFFSET -
 * TH_CACHE_OFFSET). They change on slow paths only, and give the blocks of the class this
 * thread put into users' hands: refilled - returned - count.
 */
@unmanaged export class CacheFlow {
  refilled: u32; // blocks taken from slabs into this cache (cumulative, mod 2^32)
  returned: u32; // blocks this thread gave back to slabs: spills, frees straight to an owned
                 // slab, and remote frees into others' slabs (cumulative, mod 2^32)
}

/** The flow counters of the cache entry `e`. */
// @ts-ignore: decorator
@inline export function flowOf(e: CacheEntry): CacheFlow {
  return changetype<CacheFlow>(changetype<usize>(e) + (TH_FLOW_OFFSET - TH_CACHE_OFFSET));
}

@unmanaged export class ClassState {
  current: u32; // SlabMeta the thread refills from
  partial: u32; // other owned slabs of the class (doubly linked via SlabMeta.prev/next)
}

/** Remote frees bound for one slab, linked through the blocks. */
@unmanaged export class OutboxEntry {
  slab: u32;  // SlabMeta address, 0 = empty
  head: u32;
  tail: u32;
  count: u32;
}

/**
 * The one multi-step update of the record's thread in progress (op != 0), written before the
 * update's first store and cleared after its last, so reclaim can finish or undo an update a
 * kill tore (journal.ts has the ops and what each field means for each).
 */
@unmanaged export class Journal {
  op: u32;      // JOP_*; 0: no update in progress. Written after block and before.
  block: u32;   // its first block, or the block in transit (its slab: metaOf(block))
  before: u32;  // the flow counter it changes (CacheFlow.refilled or .returned), before it
  count: u32;   // blocks it moves (JOP_SPILL: the cache's count before it)
  tag: u32;     // JOP_FLUSH, JOP_DRAIN, JOP_RBIT: the remote head's tag it pushes or replaces
  aux: u32;     // JOP_FLUSH: the outbox slot index; JOP_CARVE: carved before; JOP_DRAIN of bits: the bits
}

/**
 * The record's confirmed pushes, alone on its line (other threads write it; the record's own
 * push numbers, ThreadHeader.pushSeq, are on the owner's line): the highest push seq another
 * thread saw on a remote head it replaced (by its own push or a drain). Whoever replaces a
 * tagged head confirms the tag first, so a push whose tag is neither on its head nor
 * confirmed never happened. Kept across occupants.
 */
@unmanaged export class PushState {
  confirmed: u32;  // (atomic, any thread: wrap-aware maximum) the highest seq seen replaced
}

@unmanaged export class ThreadCounters {
  remoteFrees: u32;   // blocks freed into slabs owned by others
  remotePushes: u32;  // atomic pushes that carried them
  drains: u32;        // remote lists drained (non-empty)
  drainedBlocks: u32;
  adoptions: u32;     // orphan slabs claimed
  refills: u32;
  spills: u32;
  carvedBlocks: u32;
  slabsAcquired: u32;
  slabsReleased: u32;
  largeAllocs: u32;
  largeFrees: u32;
  faults: u32;
  oom: u32;
  largeCacheHits: u32;  // requests above SMALL_MAX served from the large cache
  largeCacheKept: u32;  // large runs / huge spans freed into the large cache
}

// ---- faults -------------------------------------------------------------------------------

// Fault codes (FaultRecord.code).
// abi: FAULT_CODES names FAULT_ (the host decodes with the table generated from these lines)
// @ts-ignore: decorator
@inline export const FAULT_OUTSIDE_HEAP: u32 = 1;    // no SuperSlab or span covers the address
// @ts-ignore: decorator
@inline export const FAULT_FREE_SLAB: u32 = 2;       // inside a SuperSlab, in a slab not in use
// @ts-ignore: decorator
@inline export const FAULT_NOT_BLOCK_START: u32 = 3; // inside a small slab, not at a block start
// @ts-ignore: decorator
@inline export const FAULT_NOT_CARVED: u32 = 4;      // block start never handed out
// @ts-ignore: decorator
@inline export const FAULT_DOUBLE_FREE: u32 = 5;     // block is already free
// @ts-ignore: decorator
@inline export const FAULT_LARGE_INTERIOR: u32 = 6;  // inside a large run / huge span, not its start
// @ts-ignore: decorator
@inline export const FAULT_HEADER: u32 = 7;          // inside a SuperSlab header
// @ts-ignore: decorator
@inline export const FAULT_NOT_ATTACHED: u32 = 8;    // detach/reclaim misuse
// @ts-ignore: decorator
@inline export const FAULT_INTERNAL: u32 = 9;        // an allocator assertion failed (abort)
// @ts-ignore: decorator
@inline export const FAULT_CORRUPT_LIST: u32 = 10;   // a remote chain links outside its slab or holds more than can be there
// @ts-ignore: decorator
@inline export const FAULT_THREAD_LIMIT: u32 = 11;   // every thread slot is taken: this instance cannot allocate

// Internal assertion codes: FaultRecord.aux of a FAULT_INTERNAL record. The debug build checks
// these (debugAssert in fault.ts); numbers, not strings, so the module has no data segment.
// The host names each one with the table scripts/gen-abi.mjs generates from these lines.
// abi: ASSERT_MESSAGES messages ASSERT_
// @ts-ignore: decorator
@inline export const ASSERT_LAYOUT: u32 = 1;          // init: a record outgrew its slot, or static data above HEAP_BASE
// @ts-ignore: decorator
@inline export const ASSERT_HANDED_OUT_TWICE: u32 = 2; // malloc handed out a block that is already allocated
// @ts-ignore: decorator
@inline export const ASSERT_ADOPTED_OWNED: u32 = 3;   // adopted an orphan that has an owner
// @ts-ignore: decorator
@inline export const ASSERT_CACHED_NOT_OWNED: u32 = 4; // cached block from a slab this thread does not own
// @ts-ignore: decorator
@inline export const ASSERT_USED_UNDERFLOW: u32 = 5;  // slab used counter underflow
// @ts-ignore: decorator
@inline export const ASSERT_DRAIN_NOT_OWNER: u32 = 6; // drain by a thread that does not own the slab

// What a slab fault's `found` packs (the owner's low 16 bits above the class).
// @ts-ignore: decorator
@inline export const FOUND_CLASS_SHIFT: u32 = 8;
// @ts-ignore: decorator
@inline export const FOUND_OWNER_SHIFT: u32 = 16;

/** One fault (32 B): a ring of FAULT_CAP in the fault log, indexed by faultSeq. */
@unmanaged export class FaultRecord {
  seq: u32;    // 1-based sequence number, written last
  code: u32;
  ptr: u32;
  tid: u32;
  found: u32;  // what was found: a registry entry, or slab state | class << FOUND_CLASS_SHIFT
               //   | owner << FOUND_OWNER_SHIFT (fault.ts says which, by code)
  aux: u32;    // code specific: offset in slab, stride, ...; FAULT_INTERNAL: the ASSERT_* code
  ringSeq: u32;// debug ring position when the fault was recorded
  _pad: u32;
}

// ---- debug ring ---------------------------------------------------------------------------

// Event kinds.
// abi: RING_KINDS names EV_
// @ts-ignore: decorator
@inline export const EV_ALLOC: u8 = 1;        // fast-path malloc (ring mode RING_ALL)
// @ts-ignore: decorator
@inline export const EV_FREE: u8 = 2;         // fast-path free (RING_ALL)
// @ts-ignore: decorator
@inline export const EV_REFILL: u8 = 3;       // aux = blocks moved into the cache
// @ts-ignore: decorator
@inline export const EV_SPILL: u8 = 4;        // aux = blocks moved out of the cache
// @ts-ignore: decorator
@inline export const EV_CARVE: u8 = 5;        // ptr = first block, aux = blocks carved
// @ts-ignore: decorator
@inline export const EV_REMOTE_PUSH: u8 = 6;   // ptr = slab, aux = blocks in the batch
// @ts-ignore: decorator
@inline export const EV_DRAIN: u8 = 7;        // ptr = slab, aux = blocks drained
// @ts-ignore: decorator
@inline export const EV_ADOPT: u8 = 8;        // ptr = slab, aux = previous owner
// @ts-ignore: decorator
@inline export const EV_ORPHAN: u8 = 9;       // ptr = slab, aux = used blocks
// @ts-ignore: decorator
@inline export const EV_RECLAIM: u8 = 10;     // aux = tid reclaimed
// @ts-ignore: decorator
@inline export const EV_SUPERSLAB_ACQUIRE: u8 = 11;  // ptr = SuperSlab, aux = 1 if memory grew
// @ts-ignore: decorator
@inline export const EV_OOM: u8 = 12;         // aux = bytes requested
// @ts-ignore: decorator
@inline export const EV_FAULT: u8 = 13;       // ptr = address, aux = fault code
// @ts-ignore: decorator
@inline export const EV_SLAB_ACQUIRE: u8 = 14;// ptr = slab base
// @ts-ignore: decorator
@inline export const EV_SLAB_RELEASE: u8 = 15;// ptr = slab base
// @ts-ignore: decorator
@inline export const EV_LARGE_ALLOC: u8 = 16; // ptr, aux = bytes
// @ts-ignore: decorator
@inline export const EV_LARGE_FREE: u8 = 17;  // ptr, aux = bytes
// @ts-ignore: decorator
@inline export const EV_ATTACH: u8 = 18;      // aux = tid
// @ts-ignore: decorator
@inline export const EV_DETACH: u8 = 19;      // aux = tid
// @ts-ignore: decorator
@inline export const EV_SUPERSLAB_RELEASE: u8 = 20;  // ptr = SuperSlab
// @ts-ignore: decorator
@inline export const EV_REST: u8 = 21;        // aux = tid, now dormant
// @ts-ignore: decorator
@inline export const EV_RESUME: u8 = 22;      // aux = tid, dormant until now

/** One ring event (16 B). `seq` is written last: a reader trusts an event whose seq matches. */
@unmanaged export class RingEvent {
  seq: u32;
  thread: u16; // low 16 bits of the tid
  kind: u8;
  cls: u8;
  ptr: u32;
  aux: u32;
}

// ---- records of the control region ---------------------------------------------------------
//
//   CheckReport (checkBase(), CHECK_SLOT bytes), written by heap_check():
//   +0                       CheckReport head (16 B): violations, slabs
//   +16                      CheckDetail[CHECK_DETAIL_CAP] (16 B): the first violations
//   +CHECK_CLASS_TOTALS_OFF  i32[NUM_CLASSES]: in-use blocks found on each class's slabs
//
//   RetiredCounters[NUM_CLASSES] (retiredBase()): the flows of frees made without a thread slot
//
//   StatsBlock (statsBase(), STATS_BYTES), written by stats_collect():
//   +0                       StatsGlobal (132 B)
//   +offsetof<StatsGlobal>() StatsClass[NUM_CLASSES] (32 B)

/** The check report's head. violations counts all; only the first CHECK_DETAIL_CAP have details. */
@unmanaged export class CheckReport {
  violations: u32; // violations found (CHK_* codes in the details)
  slabs: u32;      // slabs visited
  _r2: u32;
  _r3: u32;
}

/** One violation the checker kept: what (CHK_*), where, and two code-specific values. */
@unmanaged export class CheckDetail {
  code: u32;
  addr: u32;
  a: u32;
  b: u32;
}

/**
 * The cache flows of frees made without a thread slot (every slot taken), per class.
 * In use of a class = retired.refilled - retired.returned + every slot's own flows.
 * Atomic adds: a slot-less free adds to `returned` without the pool lock.
 */
@unmanaged export class RetiredCounters {
  refilled: u32;
  returned: u32;
}

/** The global figures of a stats snapshot. u64 fields first, so each is 8-aligned. */
@unmanaged export class StatsGlobal {
  largeBytesAsked: u64; // sum of sizes of requests above SMALL_MAX, all threads ever
  largeBytesGiven: u64; // sum of the usable sizes of the runs and spans handed out for them
  bytesInUse: u64;   // usable bytes of blocks with users (small) plus large and huge bytes
  pages: u32;        // memory.size()
  chunks: u32;       // heap chunks (free, SuperSlab or huge)
  superslabs: u32;
  hugeSpans: u32;
  largeRuns: u32;
  largeSlabs: u32;   // 64 KiB units held by large runs and huge spans
  grows: u32;        // memory.grow calls by the allocator
  oom: u32;          // allocations that returned 0 for lack of memory
  peakChunks: u32;
  threads: u32;      // attached (active) threads
  remoteFrees: u32;
  remotePushes: u32;
  drains: u32;
  drainedBlocks: u32;
  adoptions: u32;
  orphaned: u32;     // slabs handed back by retiring threads (cumulative)
  reclaims: u32;     // dead threads reclaimed
  faults: u32;       // faults recorded
  ringSeq: u32;      // ring events recorded
  smallSlabs: u32;
  freeSlabs: u32;
  orphanSlabs: u32;  // slabs on the orphan lists now
  deadHeld: u32;     // blocks killed mallocs had taken but not returned (counted in use)
  repairs: u32;      // torn multi-step updates reclaim completed or undid
  dormant: u32;      // dormant threads now (rested, not yet resumed or retired)
  rests: u32;        // threads that ended dormant (cumulative)
  resumes: u32;      // dormant threads resumed by their instance (cumulative)
  dormantRetired: u32; // dormant threads retired by another thread (cumulative)
  retirementsAdopted: u32; // retirements a dead retirer left unfinished, finished by its reclaim (cumulative)
  poolLockTaken: u32;  // times the pool lock was taken (cumulative)
  poolLockSleeps: u32; // times a thread slept on the pool lock instead of spinning (cumulative)
  largeCacheHits: u32; // requests above SMALL_MAX served from a thread's large cache (cumulative)
  largeCacheKept: u32; // large runs / huge spans freed into a thread's large cache (cumulative)
  largeCached: u32;    // 64 KiB units in threads' large caches now (counted in largeSlabs, not in use)
  largeCachedRuns: u32; // large runs and huge spans in threads' large caches now (counted in
                        // largeRuns and hugeSpans: they are free to the program, not to the pool)
  cacheMode: u32;    // the configuration (GlobalHeader)
  remoteBatch: u32;
  ringMode: u32;
  debugBuild: u32;
}

/** The figures of one size class. pending = carved - free - cached - inUse. */
@unmanaged export class StatsClass {
  stride: u32;
  inUse: i32;     // blocks with users, from the flow counters
  cached: u32;    // blocks in thread caches
  free: u32;      // blocks on slab free lists
  pending: i32;   // blocks on remote stacks or in outboxes
  slabs: u32;
  carved: u32;
  capacity: u32;
}

// ---- small helpers ------------------------------------------------------------------------

/** The global header. */
// @ts-ignore: decorator
@inline export function hdr(): GlobalHeader {
  return changetype<GlobalHeader>(HEAP_BASE + HEADER_OFF);
}

/** Address of a field of the global header, for atomics. */
// @ts-ignore: decorator
@inline export function hdrField(offset: usize): usize {
  return HEAP_BASE + HEADER_OFF + offset;
}

/** Round `x` up to a multiple of the power of two `a`. */
// @ts-ignore: decorator
@inline export function alignUp(x: usize, a: usize): usize {
  return (x + a - 1) & ~(a - 1);
}
