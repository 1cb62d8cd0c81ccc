/*
 * Shared pieces of the C benchmark harness: the RNG and touch/check patterns of
 * bench/WORKLOADS.md (sections 1 and 2), the parsed options, and small helpers
 * (clock, fatal malloc, JSON output).  Everything here is portable C11 + pthreads so
 * the same source builds natively (gcc) and for wasm32 (emcc).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* The floor build (-DBENCH_FLOOR): the workloads' malloc and free become the floor allocator's
 * (floor.c); it is compiled in every build, but only this one calls it.  Defined before xmalloc,
 * which must call it too. */
#ifdef BENCH_FLOOR
#include "floor.h"
#define malloc(n) floor_malloc(n)
#define free(p) floor_free(p)
#define aligned_alloc(a, n) floor_aligned_alloc(a, n)
#endif

/* ---- Section 1: random numbers (all u32 arithmetic wraps) ---- */

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16; h *= 0x85EBCA6Bu;
    h ^= h >> 13; h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

static inline uint32_t rng_init(uint32_t seed, uint32_t stream) {
    uint32_t s = fmix32(seed + 0x9E3779B9u * (stream + 1u));
    return s != 0 ? s : 0x6D2B79F5u;
}

/* Marsaglia xorshift32 (13, 17, 5); the new state is the output. */
static inline uint32_t rng_next(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    *state = x;
    return x;
}

/* Value in [0, n): one multiply, no rejection. */
static inline uint32_t bounded(uint32_t r, uint32_t n) {
    return (uint32_t)(((uint64_t)r * (uint64_t)n) >> 32);
}

/* A size in [lo, hi]: exactly one draw. */
static inline uint32_t draw_size(uint32_t *state, uint32_t lo, uint32_t hi) {
    return lo + bounded(rng_next(state), hi - lo + 1u);
}

/* ---- Section 2: touching and checking a block ---- */

static inline uint8_t pat0(uint32_t sz, uint32_t k) { return (uint8_t)(sz + k); }
static inline uint8_t pat1(uint32_t sz, uint32_t k) { return (uint8_t)((sz >> 8) ^ k ^ 0xA5u); }

/* Volatile accesses so the compiler can neither drop the stores (the block is freed
 * later without being read) nor fold the check into the store. */
static inline void touch(void *p, uint32_t sz, uint32_t k) {
    volatile uint8_t *q = (volatile uint8_t *)p;
    q[0] = pat0(sz, k);
    q[sz - 1] = pat1(sz, k);
}

static inline int check(const void *p, uint32_t sz, uint32_t k) {
    const volatile uint8_t *q = (const volatile uint8_t *)p;
    return q[0] == pat0(sz, k) && q[sz - 1] == pat1(sz, k);
}

/* ---- slot tables (larson, random_mixed, midlarge) ---- */

/* A block a workload holds and its size; ptr NULL: the slot is empty. */
typedef struct { void *ptr; uint32_t sz; } slot;

/* Free every block of s[0..n) and empty its slot, checking it against its index first under
 * --verify (a damaged block adds one to *bad); returns how many were freed.  The callers'
 * final drains: timed and counted, so an op each. */
static inline uint64_t free_slots(slot *s, uint32_t n, int verify, uint64_t *bad) {
    uint64_t freed = 0;
    for (uint32_t v = 0; v < n; v++) {
        if (s[v].ptr == NULL) continue;
        if (verify && !check(s[v].ptr, s[v].sz, v)) (*bad)++;
        free(s[v].ptr);
        s[v].ptr = NULL;
        freed++;
    }
    return freed;
}

/* ---- options (one struct for all workloads; each uses its own subset) ---- */

typedef struct {
    const char *bench;
    const char *platform;
    const char *alloc;
    uint32_t threads, chunks, min, max, rounds, gen_steps, seed;   /* random_mixed: threads = copies */
    int have_ops, have_duration, have_gen_steps, have_seed, have_min, have_max;
    int have_threads, have_slots, have_rounds;
    uint64_t ops;          /* larson: total op budget; random_mixed: iterations per rep */
    double duration;       /* larson duration mode, seconds */
    int verify;
    uint32_t slots, reps;
    int replace;           /* random_mixed: 0 = toggle, 1 = replace */
    uint64_t blocks;
    uint32_t producers, consumers, qcap, batch;
    uint32_t pairs;        /* cores: 1T/2T pairs of each loop */
    uint64_t iters;        /* cores: steps per thread and run */
    uint32_t fault_pages;  /* cores: fresh pages to time the first touch of (0: none) */
} options;

/* The most pairs `workloads cores` takes (its figures are kept in static arrays). */
#define CORES_MAX_PAIRS 1000
/* The most pages `workloads cores --fault-pages` maps (1 GiB of 4 KiB pages). */
#define CORES_MAX_FAULT_PAGES 262144

int run_larson(const options *o);
int run_random_mixed(const options *o);
int run_xfree(const options *o);
int run_midlarge(const options *o);   /* bench/MIDLARGE.md */
int run_cores(const options *o);      /* cores.c: the machine's cores, no allocator */

/* ---- helpers (workloads.c) ---- */

double now_sec(void);                       /* CLOCK_MONOTONIC in seconds */
_Noreturn void fatal(const char *fmt, ...); /* message on stderr, exit status 2 */
_Noreturn void malloc_failed(size_t n);

/* malloc whose NULL result is fatal (exit 2).  Inline so the hot loops pay for one
 * compare only; the failure path is out of line. */
static inline void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (p == NULL) malloc_failed(n);
    return p;
}

/* Minimal JSON writer for the single output record. */
void json_begin(const options *o);          /* opens the record with bench/platform/alloc */
void json_u64(const char *key, uint64_t v);
void json_f64(const char *key, double v);
void json_f64_array(const char *key, const double *v, uint32_t n);
void json_str(const char *key, const char *v);
void json_bool(const char *key, int v);
void json_null(const char *key);
/* The fields every record shares after its parameters: verify, ops, secs, ops_per_sec,
   size_sum, bad (WORKLOADS.md section 6). */
void json_totals(int verify, uint64_t ops, double secs, uint64_t size_sum, uint64_t bad);
void json_end(void);                        /* adds peak_rss_kb, closes the record, newline, flush */

#endif
