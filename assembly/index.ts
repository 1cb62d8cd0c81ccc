// index.ts: the module's exports (C semantics). One instance per worker = one allocator
// thread; every instance shares one imported memory. See docs/ARCHITECTURE.md.

import { hkMalloc, hkCalloc, hkRealloc, hkAlignedAlloc, hkPosixMemalign, hkUsableSize } from "./alloc";
import { hkFree } from "./free";
import { heapInit, heapStatus, heapOurs } from "./init";
import { threadAttach, threadDetach, threadRest, threadReclaim, threadCollect, threadPark, liveThreads } from "./thread";
import { heapCheck } from "./check";
import { statsCollect } from "./stats";
import { classSizeRule, classOf } from "./classes";
import { selfTid, attached, syncMemory } from "./tls";
import { GlobalHeader, NUM_CLASSES, SMALL_MAX, RING_ALL, HEAP_STATUS_NONE, hdrField, stamp } from "./types";
import { registryOf } from "./registry";
import { lockSetCanWait } from "./lock";

export * from "./layout";

/** Allocate `size` bytes; 0 if memory is exhausted. */
export function malloc(size: usize): usize { return hkMalloc(size); }
/** Free a block (0 is a no-op; a bad pointer records a fault). */
export function free(ptr: usize): void { hkFree(ptr); }
/** Allocate n * size zeroed bytes; 0 on overflow or exhaustion. */
export function calloc(n: usize, size: usize): usize { return hkCalloc(n, size); }
/** Resize a block, in place when it fits; 0 on failure (the block is untouched). */
export function realloc(ptr: usize, size: usize): usize { return hkRealloc(ptr, size); }
/** Allocate with a power-of-two alignment up to 1 MiB; 0 if invalid or exhausted. */
export function aligned_alloc(align: usize, size: usize): usize { return hkAlignedAlloc(align, size); }
/** memalign: aligned_alloc under its older name (any power-of-two alignment up to 1 MiB). */
export function memalign(align: usize, size: usize): usize { return hkAlignedAlloc(align, size); }
/** posix_memalign: 0 and *out = block, or EINVAL (28) / ENOMEM (48) with *out untouched. */
export function posix_memalign(out: usize, align: usize, size: usize): u32 { return hkPosixMemalign(out, align, size); }
/** Bytes usable at a live block (0 for anything else). */
export function malloc_usable_size(ptr: usize): usize { return hkUsableSize(ptr); }

/**
 * Initialise the shared heap once: cacheMode 0 off / 1 small / 2 default; batchRefill 0/1;
 * remoteBatch blocks per remote push (0 = default 16); faultPolicy 0 report / 1 strict (trap);
 * ringMode 0 off / 1 slow-path events / 2 every event. Returns 1 for the initialising call.
 */
export function init(cacheMode: u32, batchRefill: u32, remoteBatch: u32, faultPolicy: u32,
                     ringMode: u32): u32 {
  return heapInit(cacheMode, batchRefill, remoteBatch, faultPolicy, ringMode);
}
/** Give this instance a new allocator-thread identity; returns its tid (0: no free slot). */
export function attach(): u32 { return threadAttach(); }
/** Retire this instance's identity: flush caches, hand back slabs. 1 if it was attached. */
export function detach(): u32 { return threadDetach(); }
/**
 * The thread ends but this instance stays: keep its identity, caches and slabs (dormant) for
 * this instance's next attach, which resumes them; any thread that needs them retires them.
 * 1 if it was attached.
 */
export function rest(): u32 { return threadRest(); }
/** Retire a dead (or dormant) thread's identity from here. 1 if `tid` was live or dormant and is now reclaimed. */
export function reclaim(tid: u32): u32 { return heapOurs() ? threadReclaim(tid) : 0; }
/** Return everything this thread holds to the pools (and sweep orphans). */
export function collect(): void { threadCollect(); } // only an attached thread collects
/** Going idle: hand back every slab (in-use ones as orphans), keep the identity. */
export function park(): void { threadPark(); }
/** This instance's tid (0 when not attached). */
export function thread_id(): u32 { return attached() ? selfTid : 0; }
/** Number of attached threads. */
export function thread_count(): u32 { return heapOurs() ? liveThreads() : 0; }

/** Run the heap checker (quiescent heap); returns the number of violations (U32_MAX: not this build's heap). */
export function heap_check(): u32 { return heapOurs() ? heapCheck() : u32.MAX_VALUE; }
/** Write a stats snapshot; returns its address (0: not this build's heap). */
export function stats_collect(): usize { return heapOurs() ? statsCollect() : 0; }
/**
 * What this instance makes of the heap in its memory: HEAP_STATUS_NONE (not initialised),
 * _OURS (usable), _FOREIGN (initialised by another build or version: every call refuses it).
 */
export function heap_status(): u32 { return heapStatus(); }
/** The format recorded in the heap's stamp (0 while not initialised); this build's is L_HEAP_FORMAT. */
export function heap_format(): u32 { return heapStatus() != HEAP_STATUS_NONE ? stamp().format : 0; }
/** Switch the debug ring: 0 off, 1 slow-path events, 2 all; returns the previous mode. */
export function set_ring_mode(mode: u32): u32 {
  if (!heapOurs()) return 0;
  return atomic.xchg<u32>(hdrField(offsetof<GlobalHeader>("ringMode")), mode > RING_ALL ? RING_ALL : mode);
}

/**
 * Make memory other threads grew usable for atomics in this instance (the allocator does this
 * itself; code that shares the memory, like the benchmark workloads, calls it before using
 * atomics on memory another worker may have grown).
 */
export function sync_memory(): void { syncMemory(); }

/**
 * Say whether this instance's thread may block (1) or not (0, the default: a browser page's
 * main thread traps in memory.atomic.wait32). A thread that may block sleeps on a contended
 * pool lock after a short spin instead of spinning on (lock.ts): with more threads than cores,
 * spinning would take the core from a preempted holder.
 */
export function set_can_wait(allowed: u32): void { lockSetCanWait(allowed != 0); }

/** Size of class `cls` (0 past the table). */
export function class_size(cls: u32): u32 { return cls < NUM_CLASSES ? classSizeRule(cls) : 0; }
/** Class serving `size` bytes (NUM_CLASSES if above the small classes). */
export function class_of(size: usize): u32 { return size <= SMALL_MAX ? classOf(size) : NUM_CLASSES; }
/** Registry entry of the chunk holding `ptr`. */
export function registry_entry(ptr: usize): u32 { return heapOurs() ? registryOf(ptr) : 0; }
