// floor.ts: the floor allocator: the least work any allocator could do for the workloads, so
// that `compare` can subtract the cost of running the workload itself (the RNG, the touches,
// the slot arrays, wasm's bounds and the host) from an allocator's time per operation.
// Built with `--use BENCH_FLOOR=1` (build/bench-floor.wasm), which switches malloc.ts to it.
//
// It is not an allocator anyone should use: no checks, no return of memory, no limit on what a
// thread keeps. Per thread, one LIFO stack of free blocks per size class; a block's class and
// size sit in the 8 bytes before it, written once when the block is carved. A thread whose
// frees exceed its takes by more than FLOOR_SPILL_BYTES pushes every stack, each as one chain,
// onto its class's global stack (one CAS per class), and a thread whose own stack is empty takes
// the whole global stack (one exchange) before it carves new blocks. That is the least sharing
// that keeps the producer/consumer workload (xfree) from growing without bound; the budget is
// in bytes over all classes, not per class, because larson frees one block and takes one per
// step: its free bytes only wander (a few hundred KiB), while each class's count wanders past
// any small per-class limit, and blocks spilled by one thread and taken by another would then
// share cache lines with that thread's own. A thread that ends (detach)
// parks its whole state, stacks and all, on a list of parked states, and a new thread takes
// one whole (LIFO) before it makes a new one: handing over the blocks costs one push and one
// pop, and blocks never move one by one between threads (larson's generations end about
// together; if they emptied their stacks into the global ones, the next generations would
// share each other's blocks, cache line by cache line, and two threads would run no faster
// than one).
//
//   malloc  class lookup (small: one add and shift; large: clz), one load of the stack head, one
//           load of its next, one load of its size, two stores, one add: about 14
//           instructions, one test.
//   free    two loads of the header (class, size), three stores, one add, one compare: about
//           12 instructions.
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
//                 └──────────────────────────────┘ FLOOR_THREAD_BYTES
//
// Global state (shared by every instance): one stack head per class, each on its own 64-byte
// line, then one line with the parked states' lock and list head, in the last
// FLOOR_GLOBAL_BYTES below HEAP_BASE: memory the bench module owns (the allocator starts at
// HEAP_BASE), zero in a new memory, and covered by no data segment (the build check keeps the
// module's data below it).
//
//   HEAP_BASE - FLOOR_GLOBAL_BYTES ──► │ head[0] ... │ head[1] ... │ ... │ lock, parked │ HEAP_BASE

import { hkMalloc } from "../../assembly/alloc";
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
/** Bytes before every block: its class. */
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

// @ts-ignore: decorator
@inline const FLOOR_FREE_BYTES_OFF: usize = FLOOR_CLASSES << 2;
// @ts-ignore: decorator
@inline const FLOOR_BUMP_OFF: usize = FLOOR_FREE_BYTES_OFF + 4;
// @ts-ignore: decorator
@inline const FLOOR_NEXT_OFF: usize = FLOOR_BUMP_OFF + 8;
// @ts-ignore: decorator
@inline const FLOOR_THREAD_BYTES: usize = FLOOR_NEXT_OFF + 4;
/** One 64-byte line per global head. */
// @ts-ignore: decorator
@inline const FLOOR_LINE_SHIFT: usize = 6;
/** The class heads' lines, then one line: the parked states' lock word and list head. */
// @ts-ignore: decorator
@inline const FLOOR_GLOBAL_BYTES: usize = (FLOOR_CLASSES + 1) << FLOOR_LINE_SHIFT;
/** Address of the parked states' lock word (then, 4 bytes on, their list head). */
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
  const p = t != 0 ? load<u32>(slot) : 0;
  if (p == 0) return floorRefill(c);
  store<u32>(slot, load<u32>(p));
  store<i32>(t + FLOOR_FREE_BYTES_OFF, load<i32>(t + FLOOR_FREE_BYTES_OFF) - load<i32>(p - FLOOR_HEADER + 4));
  return p;
}

/** free: push onto this thread's stack of the block's class (about 12 instructions). */
// @ts-ignore: decorator
@inline export function floorFree(p: usize): void {
  if (p == 0) return;
  let t = floorSelf;
  if (t == 0) t = floorThread();
  const slot = t + (<usize>load<u32>(p - FLOOR_HEADER) << 2);
  store<u32>(p, load<u32>(slot));
  store<u32>(slot, <u32>p);
  const n = load<i32>(t + FLOOR_FREE_BYTES_OFF) + load<i32>(p - FLOOR_HEADER + 4);
  store<i32>(t + FLOOR_FREE_BYTES_OFF, n);
  if (n > FLOOR_SPILL_BYTES) floorSpillAll(t);
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

/** This instance's thread state, made on first use: a parked one if any, else a new one. */
function floorThread(): usize {
  let t = floorSelf;
  if (t != 0) return t;
  // The globals' lines must lie above the module's own data (the build check keeps it low).
  if (__heap_base > HEAP_BASE - FLOOR_GLOBAL_BYTES) unreachable();
  floorParkedLock();
  t = load<u32>(floorParked() + 4);
  if (t != 0) store<u32>(floorParked() + 4, load<u32>(t + FLOOR_NEXT_OFF));
  atomic.store<u32>(floorParked(), 0);
  if (t == 0) {
    t = hkMalloc(FLOOR_THREAD_BYTES);
    if (t == 0) unreachable();
    memory.fill(t, 0, FLOOR_THREAD_BYTES);
  }
  floorSelf = t;
  return t;
}

/**
 * The thread's stack of class `c` was empty (or the thread had no state yet: the parked state
 * it takes may have blocks of the class): take the global one, else carve a block.
 */
function floorRefill(c: usize): usize {
  const t = floorThread();
  const slot = t + (c << 2);
  const own = load<u32>(slot);
  if (own != 0) {
    store<u32>(slot, load<u32>(own));
    store<i32>(t + FLOOR_FREE_BYTES_OFF, load<i32>(t + FLOOR_FREE_BYTES_OFF) - load<i32>(own - FLOOR_HEADER + 4));
    return own;
  }
  // Exchange, not pop: taking the whole stack cannot suffer ABA.
  const got = atomic.xchg<u32>(floorGlobalHead(c), 0);
  if (got != 0) {
    store<u32>(slot, load<u32>(got));
    store<i32>(t + FLOOR_FREE_BYTES_OFF, load<i32>(t + FLOOR_FREE_BYTES_OFF) - load<i32>(got - FLOOR_HEADER + 4));
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
  store<u32>(at, <u32>c);
  store<u32>(at + 4, <u32>(bytes - FLOOR_HEADER));
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
