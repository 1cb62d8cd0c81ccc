/*
 * hakmem.h: hakmem-wasm as the malloc of a C or C++ program compiled to WebAssembly.
 *
 * The allocation functions are imported from module "env" (what clang and Emscripten do for
 * an undefined malloc anyway), the allocator's own calls from module "hakmem". Either
 * `hakmem-wasm link program.wasm -o program+hakmem.wasm` merges the allocator in (the calls
 * become direct calls in one module), or an embedder binds the imports to an allocator
 * instance over the same shared memory (host/link/program.ts does that).
 *
 * Build (clang 14, freestanding; see README "Link into a C program"):
 *   clang-14 --target=wasm32 -O2 -nostdlib -pthread -ftls-model=local-exec -matomics \
 *     -mbulk-memory -mmutable-globals -Iinclude -Wl,--no-entry -Wl,--import-memory \
 *     -Wl,--shared-memory -Wl,--max-memory=4294967296 -Wl,--export=__heap_base \
 *     -Wl,--export=__stack_pointer -Wl,--export=__tls_base -Wl,--export=__tls_size \
 *     -Wl,--export=__tls_align -Wl,--export=__wasm_init_tls -o program.wasm program.c
 *
 * Memory contract: the allocator owns memory from the heap base (the program's __heap_base
 * rounded up to 64 KiB) and never writes below it: the program's data, BSS, stack and TLS
 * are safe. Anyone may call memory.grow; the allocator uses only the pages its own grows
 * returned. Each thread is one instance of the module; it gets an allocator identity at its
 * first call and should retire it with hakmem_detach() (or the link's hakmem_thread_exit)
 * when it ends, so its slabs are reused.
 *
 * Alignment: every block of 16 bytes or more is 16-byte aligned; smaller blocks (requests
 * of 1..8 bytes, served from the 8-byte class) are 8-byte aligned. That meets C's rule for
 * malloc: the result is aligned for any object that fits in the requested size. alignof
 * (max_align_t) is 16 on wasm32 (long double is 16 bytes), and an object needing 16-byte
 * alignment is at least 16 bytes, so it always gets a 16-aligned block. dlmalloc in
 * wasi-libc gives 16 for every size; hakmem-wasm saves the 8 bytes below 16. For more, use
 * aligned_alloc / posix_memalign / memalign (any power of two up to 1 MiB).
 */
#ifndef HAKMEM_H
#define HAKMEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HAKMEM_IMPORT_ENV(name) __attribute__((import_module("env"), import_name(#name)))
#define HAKMEM_IMPORT(name) __attribute__((import_module("hakmem"), import_name(#name)))

/* ---- the C allocation functions ----------------------------------------------------- */

#if defined(__has_include) && __has_include(<stdlib.h>) && !defined(HAKMEM_DECLARE_MALLOC)
/* A libc is present (Emscripten, wasi-libc): its declarations are the same functions, left
 * undefined at link time so they become imports from "env". */
#include <stdlib.h>
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
#else
/* Freestanding (-nostdlib, no sysroot): declare them as imports. */
/** A block of `size` bytes (0 gives a unique freeable block); NULL when memory is exhausted. */
HAKMEM_IMPORT_ENV(malloc) void *malloc(size_t size);
/** Free a block; free(NULL) does nothing; a bad pointer records a fault and changes nothing. */
HAKMEM_IMPORT_ENV(free) void free(void *ptr);
/** n * size zeroed bytes; NULL if the product overflows or memory is exhausted. */
HAKMEM_IMPORT_ENV(calloc) void *calloc(size_t n, size_t size);
/** Resize, in place when it fits; NULL on failure with `ptr` untouched. */
HAKMEM_IMPORT_ENV(realloc) void *realloc(void *ptr, size_t size);
/** `align` a power of two up to 1 MiB; NULL if it is not, or memory is exhausted. */
HAKMEM_IMPORT_ENV(aligned_alloc) void *aligned_alloc(size_t align, size_t size);
/** 0 and *out = the block; EINVAL (28) for a bad alignment, ENOMEM (48); *out untouched then. */
HAKMEM_IMPORT_ENV(posix_memalign) int posix_memalign(void **out, size_t align, size_t size);
/** aligned_alloc under its older name. */
HAKMEM_IMPORT_ENV(memalign) void *memalign(size_t align, size_t size);
/** Bytes usable at a live block (its class size, run or span); 0 for anything else. */
HAKMEM_IMPORT_ENV(malloc_usable_size) size_t malloc_usable_size(void *ptr);
#endif

/* ---- the allocator's own calls ------------------------------------------------------ */

/** Cache mode, fault policy and debug-ring mode for hakmem_init. */
enum { HAKMEM_CACHE_OFF = 0, HAKMEM_CACHE_SMALL = 1, HAKMEM_CACHE_DEFAULT = 2 };
enum { HAKMEM_FAULTS_REPORT = 0, HAKMEM_FAULTS_TRAP = 1 };
enum { HAKMEM_RING_OFF = 0, HAKMEM_RING_SLOW = 1, HAKMEM_RING_ALL = 2 };

/**
 * Configure the heap once, before the first allocation (optional: the first malloc
 * initialises with the defaults 2, 1, 0, 0, 1). remote_batch 0 = 16 blocks per remote push.
 * Returns 1 for the call that initialised, 0 if the heap already was.
 */
HAKMEM_IMPORT(init) uint32_t hakmem_init(uint32_t cache, uint32_t batch_refill,
                                         uint32_t remote_batch, uint32_t fault_policy,
                                         uint32_t ring);
/** Give this thread its allocator identity now (malloc does it on first use); 0 if none free. */
HAKMEM_IMPORT(attach) uint32_t hakmem_attach(void);
/** Retire this thread's identity: caches flushed, slabs handed back. Call as a thread ends. */
HAKMEM_IMPORT(detach) uint32_t hakmem_detach(void);
/** The thread ends but this instance will run the next one (a worker that stays): the identity
 *  rests with its caches and slabs, and this instance's next attach (or malloc) resumes it,
 *  same tid. Any thread that needs what it holds (memory, a thread slot) takes it back. */
HAKMEM_IMPORT(rest) uint32_t hakmem_rest(void);
/** Retire the identity of a thread that died without detaching (tid from hakmem_thread_id). */
HAKMEM_IMPORT(reclaim) uint32_t hakmem_reclaim(uint32_t tid);
/** Give everything this thread holds back to the shared pools. */
HAKMEM_IMPORT(collect) void hakmem_collect(void);
/** Going idle: hand back every slab, also those with blocks in use (as orphans other threads
 *  adopt, so what they free into them is reused); the thread keeps its identity. */
HAKMEM_IMPORT(park) void hakmem_park(void);
/** May this thread block (1) or not (0, the default: a browser page's main thread traps in a
 *  wait)? A thread that may sleeps on a contended pool lock after a short spin. */
HAKMEM_IMPORT(set_can_wait) void hakmem_set_can_wait(uint32_t allowed);
/** Run the heap checker (no other thread may be inside the allocator); returns violations. */
HAKMEM_IMPORT(heap_check) uint32_t hakmem_heap_check(void);
/** Write a statistics snapshot; returns its address (layout: docs/MODULE-API.md). */
HAKMEM_IMPORT(stats_collect) const uint32_t *hakmem_stats_collect(void);
/** This thread's allocator tid (0 before its first call). */
HAKMEM_IMPORT(thread_id) uint32_t hakmem_thread_id(void);
/** Threads attached now. */
HAKMEM_IMPORT(thread_count) uint32_t hakmem_thread_count(void);

#ifdef __cplusplus
}
#endif

#endif /* HAKMEM_H */
