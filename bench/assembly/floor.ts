// floor.ts: the floor allocator: the least work any allocator could do for the workloads, so
// that `compare` can subtract the cost of running the workload itself (the RNG, the touches,
// the slot arrays, wasm's bounds and the host) from an allocator's time per operation.
// Built with `--use BENCH_FLOOR=1` (build/bench-floor.wasm), which switches malloc.ts to it.
//
// It is not an allocator anyone should use: no checks, no return of memory, no limit on what a
// thread keeps. Per thread, one LIFO stack of free blocks per size class; a block's 8-byte
// header holds its class, its stamp (the id of the thread state that last freed or carved it)
// and its size. A thread whose frees exceed its takes by more than FLOOR_SPILL_BYTES pushes
// every stack, each as one chain, onto its class's global stack (one CAS per class), and a
// thread whose own stack is empty takes the whole global stack (one exchange) before it carves
// new blocks. That is the least sharing that keeps the producer/consumer workload (xfree) from
// growing without bound; the budget is in bytes over all classes, not per class, because
// larson frees one block and takes one per step: its free bytes only wander (a few hundred
// KiB), while each class's count wanders past any small per-class limit, and blocks spilled by
// one thread and taken by another would then share cache lines with that thread's own.
//
// A thread that ends (detach) parks its whole state, stacks and all, on a list of parked
// states; blocks never move one by one between threads. The state goes to the thread that
// frees its blocks: a new thread whose first free finds a block stamped with a parked state's
// id takes that state whole (one scan of the short list, one pop), and a thread that began
// with a state of its own takes the parked state of a later foreign free instead (its own few
// blocks go on top), for its first FLOOR_ADOPT_TRIES foreign frees. Larson's generations end
// about together: handed out in LIFO order, lineage A's state went to lineage B's next thread,
// which then carved and reused A's blocks among A's live ones, cache line by cache line, and
// two threads ran slower than one (floor-native 16..128: 2T 0.9x of 1T). The stamp costs the
// free path a load and a compare; a thread that frees another thread's blocks (xfree's
// consumer) also stores the new stamp.
//
//   malloc  class lookup (small: one add and shift; large: clz), one load of the stack head, one
//           load of its next, one load of its size, two stores, one add: about 14
//           instructions, one test.
//   free    three loads of the header (class, stamp, size), one of the thread's id, three
//           stores, one add, two compares: about 16 instructions.
//
// Memory comes from the hakmem allocator in 64 KiB pieces (blocks of 32 KiB or more one by
// one): the host drives the module's heap exactly as for the hakmem build, and the floor's
// refills are rare outside the first pass over the live set.
//
// Thread state (one per instance: module globals are per instance, i.e. per worker):
//
//   floorSelf ──► ┌──────────────────────────────┐ + 0
//                 │ heads[FLOOR_CLASSES]: u32     │ top of each class's stack (0: empty)
//                 ├──────────────────────────────┤ + FLOOR_FREE_BYTES_OFF
//                 │ freeBytes: i32                │ bytes freed minus bytes taken since the last spill
//                 ├──────────────────────────────┤ + FLOOR_BUMP_OFF
//                 │ bump: u32, bumpEnd: u32       │ the piece being carved
//                 ├──────────────────────────────┤ + FLOOR_NEXT_OFF
//                 │ next: u32                     │ the next parked state (while parked)
//                 ├──────────────────────────────┤ + FLOOR_ID_OFF
//                 │ id: u32                       │ the stamp of its blocks (low 16 bits)
//                 ├──────────────────────────────┤ + FLOOR_TRIES_OFF
//                 │ tries: u32                    │ foreign frees left that may take a parked state
//                 └──────────────────────────────┘ FLOOR_THREAD_BYTES
//
// A block:   p - 8: class u16 | stamp u16 | size u32 |  p: the block (its first word links the stack)
//
// Global state (shared by every instance): one stack head per class, each on its own 64-byte
// line, then one line with the parked states' lock, list head and id counter, in the last
// FLOOR_GLOBAL_BYTES below HEAP_BASE: memory the bench module owns (the allocator starts at
// HEAP_BASE), zero in a new memory, and covered by no data segment (the build check keeps the
// module's data below it).
//
//   HEAP_BASE - FLOOR_GLOBAL_BYTES ──► │ head[0] ... │ head[1] ... │ ... │ lock, parked, ids │ HEAP_BASE

import { hkMalloc } from "../../assembly/alloc";
import { hkFree } from "../../assembly/free";
import { HEAP_BASE } from "../../assembly/types";

/** Small classes step by 16 bytes up to this size; above it, powers of two. */
// @ts-ignore: decorator
@inline const FLOOR_SMALL_MAX: usize = 1024;
/** log2 of the small classes' step. */
// @ts-ignore: decorator
@inline const FLOOR_STEP_SHIFT: usize = 4;
/** Classes 0..FLOOR_SMALL_CLASSES-1 are small (class c holds blocks of max(c, 1) * 16 bytes). */
// @ts-ignore: decorator
@inline const FLOOR_SMALL_CLASSES: usize = (FLOOR_SMALL_MAX >> FLOOR_STEP_SHIFT) + 1;
/** log2 of FLOOR_SMALL_MAX. */
// @ts-ignore: decorator
@inline const FLOOR_SMALL_SHIFT: usize = 10;
/** Class count: the small ones, then one per power of two up to 2^31. */
// @ts-ignore: decorator
@inline const FLOOR_CLASSES: usize = FLOOR_SMALL_CLASSES + (31 - FLOOR_SMALL_SHIFT);
/** Bytes before every block: its class (u16), stamp (u16) and size (u32). */
// @ts-ignore: decorator
@inline const FLOOR_HEADER: usize = 8;
/** The pieces carved into blocks. */
// @ts-ignore: decorator
@inline const FLOOR_PIECE: usize = 64 << 10;
/** Blocks of this size or more (header included) get their own piece. */
// @ts-ignore: decorator
@inline const FLOOR_OWN_PIECE: usize = FLOOR_PIECE >> 1;
/** Bytes freed net of bytes taken after which a thread hands its stacks to the global ones. */
// @ts-ignore: decorator
@inline const FLOOR_SPILL_BYTES: i32 = 1 << 20;
/** Foreign frees of a thread that began with a state of its own that may take a parked one. */
// @ts-ignore: decorator
@inline const FLOOR_ADOPT_TRIES: u32 = 4096;
/** Header offsets, from the header's start (p - FLOOR_HEADER). */
// @ts-ignore: decorator
@inline const FLOOR_H_STAMP: usize = 2;
// @ts-ignore: decorator
@inline const FLOOR_H_SIZE: usize = 4;

// @ts-ignore: decorator
@inline const FLOOR_FREE_BYTES_OFF: usize = FLOOR_CLASSES << 2;
// @ts-ignore: decorator
@inline const FLOOR_BUMP_OFF: usize = FLOOR_FREE_BYTES_OFF + 4;
// @ts-ignore: decorator
@inline const FLOOR_NEXT_OFF: usize = FLOOR_BUMP_OFF + 8;
// @ts-ignore: decorator
@inline const FLOOR_ID_OFF: usize = FLOOR_NEXT_OFF + 4;
// @ts-ignore: decorator
@inline const FLOOR_TRIES_OFF: usize = FLOOR_ID_OFF + 4;
// @ts-ignore: decorator
@inline const FLOOR_THREAD_BYTES: usize = FLOOR_TRIES_OFF + 4;
/** One 64-byte line per global head. */
// @ts-ignore: decorator
@inline const FLOOR_LINE_SHIFT: usize = 6;
/** The class heads' lines, then one line: the parked states' lock word, list head, id counter. */
// @ts-ignore: decorator
@inline const FLOOR_GLOBAL_BYTES: usize = (FLOOR_CLASSES + 1) << FLOOR_LINE_SHIFT;
/** Address of the parked states' lock word (then, 4 bytes on, their list head; 8 on, the last id). */
// @ts-ignore: decorator
@inline function floorParked(): usize {
  return HEAP_BASE - (1 << FLOOR_LINE_SHIFT);
}

/** This instance's thread state (0 until its first malloc or free). */
let floorSelf: usize = 0;

/** The class of a request of `size` bytes. */
// @ts-ignore: decorator
@inline function floorClass(size: usize): usize {
  if (size <= FLOOR_SMALL_MAX) return (size + ((1 << FLOOR_STEP_SHIFT) - 1)) >> FLOOR_STEP_SHIFT;
  return FLOOR_SMALL_CLASSES - FLOOR_SMALL_SHIFT - 1 + (32 - <usize>clz<u32>(<u32>size - 1));
}

/** Block bytes of class `c` (header excluded). */
function floorBlockSize(c: usize): usize {
  if (c < FLOOR_SMALL_CLASSES) return max<usize>(c, 1) << FLOOR_STEP_SHIFT;
  return (<usize>1) << (c - FLOOR_SMALL_CLASSES + FLOOR_SMALL_SHIFT + 1);
}

/** Address of class `c`'s global stack head. */
// @ts-ignore: decorator
@inline function floorGlobalHead(c: usize): usize {
  return HEAP_BASE - FLOOR_GLOBAL_BYTES + (c << FLOOR_LINE_SHIFT);
}

/** malloc: pop this thread's stack of the class (about 14 instructions, one test). */
// @ts-ignore: decorator
@inline export function floorMalloc(size: usize): usize {
  const t = floorSelf;
  const c = floorClass(size);
  const slot = t + (c << 2);
  const p: usize = t != 0 ? <usize>load<u32>(slot) : 0;
  if (p == 0) return floorRefill(c);
  store<u32>(slot, load<u32>(p));
  store<i32>(t + FLOOR_FREE_BYTES_OFF, load<i32>(t + FLOOR_FREE_BYTES_OFF) - load<i32>(p - FLOOR_HEADER, FLOOR_H_SIZE));
  return p;
}

/** free: push onto this thread's stack of the block's class (about 16 instructions, two tests). */
// @ts-ignore: decorator
@inline export function floorFree(p: usize): void {
  if (p == 0) return;
  const h = p - FLOOR_HEADER;
  let t = floorSelf;
  if (t == 0 || load<u16>(h, FLOOR_H_STAMP) != load<u16>(t + FLOOR_ID_OFF)) t = floorForeign(h);
  const slot = t + (<usize>load<u16>(h) << 2);
  store<u32>(p, load<u32>(slot));
  store<u32>(slot, <u32>p);
  const n = load<i32>(t + FLOOR_FREE_BYTES_OFF) + load<i32>(h, FLOOR_H_SIZE);
  store<i32>(t + FLOOR_FREE_BYTES_OFF, n);
  if (n > FLOOR_SPILL_BYTES) floorSpillAll(t);
}

/**
 * A free of a block whose header `h` bears another state's stamp (or the thread's first op):
 * take the parked state of that stamp if this thread may (its first op, or one of its first
 * FLOOR_ADOPT_TRIES foreign frees), then stamp the block as this thread's. Returns the state.
 */
function floorForeign(h: usize): usize {
  const stamp = <u32>load<u16>(h, FLOOR_H_STAMP);
  let t = floorSelf;
  if (t == 0) {
    t = floorThread(stamp);
  } else {
    const tries = load<u32>(t + FLOOR_TRIES_OFF);
    if (tries != 0) {
      store<u32>(t + FLOOR_TRIES_OFF, tries - 1);
      const s = floorUnpark(stamp);
      if (s != 0) t = floorMerge(t, s);
    }
  }
  store<u16>(h, <u16>load<u32>(t + FLOOR_ID_OFF), FLOOR_H_STAMP);
  return t;
}
/** The thread ends (as a thread exit would): park its whole state for the next new thread. */
export function floorDetach(): void {
  const t = floorSelf;
  if (t == 0) return;
  floorSelf = 0;
  floorParkedLock();
  store<u32>(t + FLOOR_NEXT_OFF, load<u32>(floorParked() + 4));
  store<u32>(floorParked() + 4, <u32>t);
  atomic.store<u32>(floorParked(), 0); // unlock: the seq-cst store publishes the push
}

/** Take the parked states' lock (held for a push or a pop: a few instructions). */
function floorParkedLock(): void {
  while (atomic.cmpxchg<u32>(floorParked(), 0, 1) != 0) { /* spin */ }
}

/**
 * Take the parked state whose id is `stamp` off the list (0 if none is parked; STAMP_NONE
 * matches none). The list holds about one state per thread that ran: a short scan.
 */
function floorUnpark(stamp: u32): usize {
  const parked = floorParked();
  if (atomic.load<u32>(parked + 4) == 0) return 0; // nothing parked: no lock
  floorParkedLock();
  let prev = parked + 4 - FLOOR_NEXT_OFF; // so that prev + FLOOR_NEXT_OFF is the list head
  let s = <usize>load<u32>(parked + 4);
  while (s != 0 && <u32>load<u16>(s + FLOOR_ID_OFF) != stamp) {
    prev = s;
    s = <usize>load<u32>(s + FLOOR_NEXT_OFF);
  }
  if (s != 0) store<u32>(prev + FLOOR_NEXT_OFF, load<u32>(s + FLOOR_NEXT_OFF));
  atomic.store<u32>(parked, 0); // unlock: the seq-cst store publishes the unlink
  return s;
}

/**
 * This thread, with state `t`, takes parked state `s` whole: `t`'s blocks go on top of `s`'s
 * stacks, the larger piece left to carve is kept, `t`'s record is freed. Returns `s`, now the
 * thread's, with no tries left (it has its predecessor's state).
 */
function floorMerge(t: usize, s: usize): usize {
  for (let c: usize = 0; c < FLOOR_CLASSES; c++) {
    const mine = <usize>load<u32>(t + (c << 2));
    if (mine == 0) continue;
    let tail = mine;
    for (let n = <usize>load<u32>(tail); n != 0; n = <usize>load<u32>(tail)) tail = n;
    store<u32>(tail, load<u32>(s + (c << 2)));
    store<u32>(s + (c << 2), <u32>mine);
  }
  store<i32>(s + FLOOR_FREE_BYTES_OFF, load<i32>(s + FLOOR_FREE_BYTES_OFF) + load<i32>(t + FLOOR_FREE_BYTES_OFF));
  if (floorPieceLeft(t) > floorPieceLeft(s)) store<u64>(s + FLOOR_BUMP_OFF, load<u64>(t + FLOOR_BUMP_OFF));
  store<u32>(s + FLOOR_TRIES_OFF, 0);
  hkFree(t);
  floorSelf = s;
  return s;
}

/** Bytes left to carve in state `t`'s piece. */
function floorPieceLeft(t: usize): u32 {
  return load<u32>(t + FLOOR_BUMP_OFF + 4) - load<u32>(t + FLOOR_BUMP_OFF);
}

/** No stamp: a thread whose first op is a malloc takes no parked state. */
// @ts-ignore: decorator
@inline const STAMP_NONE: u32 = 0x10000;

/**
 * This instance's thread state, made on first use: the parked state of `stamp` (the id on the
 * first block it frees) if there is one, else a new one with its own id.
 */
function floorThread(stamp: u32): usize {
  let t = floorSelf;
  if (t != 0) return t;
  // The globals' lines must lie above the module's own data (the build check keeps it low).
  if (__heap_base > HEAP_BASE - FLOOR_GLOBAL_BYTES) unreachable();
  t = floorUnpark(stamp);
  if (t != 0) {
    store<u32>(t + FLOOR_TRIES_OFF, 0); // its predecessor's state: nothing more to find
  } else {
    t = hkMalloc(FLOOR_THREAD_BYTES);
    if (t == 0) unreachable();
    memory.fill(t, 0, FLOOR_THREAD_BYTES);
    store<u32>(t + FLOOR_ID_OFF, atomic.add<u32>(floorParked() + 8, 1) + 1);
    store<u32>(t + FLOOR_TRIES_OFF, FLOOR_ADOPT_TRIES);
  }
  floorSelf = t;
  return t;
}

/**
 * The thread's stack of class `c` was empty (or the thread had no state yet: the parked state
 * it takes may have blocks of the class): take the global one, else carve a block.
 */
function floorRefill(c: usize): usize {
  const t = floorThread(STAMP_NONE);
  const slot = t + (c << 2);
  const own = load<u32>(slot);
  if (own != 0) {
    store<u32>(slot, load<u32>(own));
    store<i32>(t + FLOOR_FREE_BYTES_OFF, load<i32>(t + FLOOR_FREE_BYTES_OFF) - load<i32>(<usize>own - FLOOR_HEADER, FLOOR_H_SIZE));
    return own;
  }
  // Exchange, not pop: taking the whole stack cannot suffer ABA.
  const got = atomic.xchg<u32>(floorGlobalHead(c), 0);
  if (got != 0) {
    store<u32>(slot, load<u32>(got));
    store<i32>(t + FLOOR_FREE_BYTES_OFF, load<i32>(t + FLOOR_FREE_BYTES_OFF) - load<i32>(<usize>got - FLOOR_HEADER, FLOOR_H_SIZE));
    return got;
  }
  const bytes = floorBlockSize(c) + FLOOR_HEADER;
  let at: usize;
  if (bytes >= FLOOR_OWN_PIECE) {
    at = hkMalloc(bytes);
    if (at == 0) return 0;
  } else {
    at = load<u32>(t + FLOOR_BUMP_OFF);
    if (at + bytes > load<u32>(t + FLOOR_BUMP_OFF + 4)) {
      at = hkMalloc(FLOOR_PIECE);
      if (at == 0) return 0;
      store<u32>(t + FLOOR_BUMP_OFF + 4, <u32>(at + FLOOR_PIECE));
    }
    store<u32>(t + FLOOR_BUMP_OFF, <u32>(at + bytes));
  }
  store<u16>(at, <u16>c);
  store<u16>(at, <u16>load<u32>(t + FLOOR_ID_OFF), FLOOR_H_STAMP);
  store<u32>(at, <u32>(bytes - FLOOR_HEADER), FLOOR_H_SIZE);
  return at + FLOOR_HEADER;
}

/** Push every stack of thread state `t` onto the global ones, and start the byte count again. */
function floorSpillAll(t: usize): void {
  for (let c: usize = 0; c < FLOOR_CLASSES; c++) floorSpill(t, c);
  store<i32>(t + FLOOR_FREE_BYTES_OFF, 0);
}

/** Push thread state `t`'s stack of class `c` onto the class's global stack as one chain, and empty it. */
function floorSpill(t: usize, c: usize): void {
  const slot = t + (c << 2);
  const top = load<u32>(slot);
  if (top == 0) return;
  let tail: usize = top;
  for (let n = load<u32>(tail); n != 0; n = load<u32>(tail)) tail = n;
  const head = floorGlobalHead(c);
  // Pushes only: a CAS that sees the head it read links the chain in front of it, so no ABA.
  let old = atomic.load<u32>(head);
  for (;;) {
    store<u32>(tail, old);
    const seen = atomic.cmpxchg<u32>(head, old, <u32>top);
    if (seen == old) break;
    old = seen;
  }
  store<u32>(slot, 0);
}
