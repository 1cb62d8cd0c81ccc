/*
 * cores.c: `workloads cores`, a probe of what this machine's cores give two threads, with no
 * allocator and no memory traffic (bench/README.md "The machine's cores").  `compare` runs it
 * in every round, beside the scaling goals.
 *
 * Two loops, each run on one thread and then on two threads at once (every thread the same
 * iterations), P times in turn; each figure is 2 x (one thread's time) / (two threads' time):
 *   latency     one multiply-add chain: each step waits for the one before, so a core is
 *               mostly idle and two threads scale 2x whenever each has a core's time;
 *   throughput  eight independent add/xor chains: they keep a core's integer units busy, so two
 *               threads scale 2x only on two whole cores.  Two virtual CPUs that are hyperthreads
 *               of one physical core (a hypervisor's choice the guest cannot see) share those
 *               units: this loop then gains far less than 2x while the latency loop still gains 2x.
 * An allocator workload runs at several instructions per cycle, so it feels what the
 * throughput loop feels.
 *
 * With --fault-pages N it also times the first touch of N fresh pages (one store each, into a
 * new private anonymous mapping): page_fault_us, the cost of one page fault. A run that
 * touches memory no earlier run touched (every run starts a new heap or process) pays it per
 * page; under some hypervisors it is ten times a bare machine's (bench/README.md).
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <pthread.h>
#if !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#include <unistd.h>
#endif

/* What the loops compute, kept so that the compiler cannot drop them. */
static volatile uint64_t cores_sink;

/* Keep v in a register, opaque to the compiler: no vectorising, no folding of the loop. */
#if defined(__GNUC__) && !defined(__EMSCRIPTEN__)
#define OPAQUE(v) __asm__ volatile("" : "+r"(v))
#else
#define OPAQUE(v) ((void)0)
#endif

/* One chain: about 4 cycles per step (a multiply's latency and an add's). */
static void *latency_loop(void *arg) {
    uint64_t n = *(const uint64_t *)arg, x = 1;
    for (uint64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + i;
        OPAQUE(x);
    }
    cores_sink = x;
    return NULL;
}

/* Eight chains: 16 integer operations per step, enough to fill a core's integer units. */
static void *throughput_loop(void *arg) {
    uint64_t n = *(const uint64_t *)arg;
    uint64_t a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a6 = 7, a7 = 8;
    for (uint64_t i = 0; i < n; i++) {
        a0 += a0 ^ i; a1 += a1 ^ i; a2 += a2 ^ i; a3 += a3 ^ i;
        a4 += a4 ^ i; a5 += a5 ^ i; a6 += a6 ^ i; a7 += a7 ^ i;
        OPAQUE(a0); OPAQUE(a1); OPAQUE(a2); OPAQUE(a3); OPAQUE(a4); OPAQUE(a5); OPAQUE(a6); OPAQUE(a7);
    }
    cores_sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    return NULL;
}

/* Wall seconds of `threads` threads each running `loop` for `iters` steps. */
static double timed(void *(*loop)(void *), uint32_t threads, uint64_t iters) {
    pthread_t t[2];
    double t0 = now_sec();
    for (uint32_t k = 0; k < threads; k++) {
        if (pthread_create(&t[k], NULL, loop, &iters) != 0) fatal("pthread_create failed");
    }
    for (uint32_t k = 0; k < threads; k++) pthread_join(t[k], NULL);
    return now_sec() - t0;
}

/* Microseconds per first touch of a page, over `pages` fresh pages (-1 where there is no mmap). */
static double page_fault_us(uint32_t pages) {
#if defined(__EMSCRIPTEN__)
    (void)pages;
    return -1;
#else
    size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = (size_t)pages * page;
    volatile char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == (void *)MAP_FAILED) fatal("mmap of %u pages failed", pages);
#ifdef MADV_NOHUGEPAGE
    (void)madvise((void *)p, bytes, MADV_NOHUGEPAGE); /* one fault per page, not per 2 MiB */
#endif
    double t0 = now_sec();
    for (size_t i = 0; i < bytes; i += page) p[i] = 1;
    double us = (now_sec() - t0) * 1e6 / pages;
    munmap((void *)p, bytes);
    return us;
#endif
}

int run_cores(const options *o) {
    /* No malloc: the figures must not depend on, nor disturb, the build's allocator. */
    static double lat[CORES_MAX_PAIRS], thr[CORES_MAX_PAIRS];
    uint32_t pairs = o->pairs;
    uint64_t iters = o->iters;
    /* One pair first, not recorded: a process's first pair came out at 1.1x to 1.5x on the
       latency loop where every later one gave about 2x (three runs of 20 pairs). */
    (void)timed(latency_loop, 1, iters); (void)timed(latency_loop, 2, iters);
    (void)timed(throughput_loop, 1, iters); (void)timed(throughput_loop, 2, iters);
    double t0 = now_sec();
    for (uint32_t k = 0; k < pairs; k++) {  /* interleaved: both loops see the same minutes */
        double l1 = timed(latency_loop, 1, iters), l2 = timed(latency_loop, 2, iters);
        double h1 = timed(throughput_loop, 1, iters), h2 = timed(throughput_loop, 2, iters);
        lat[k] = 2 * l1 / l2;
        thr[k] = 2 * h1 / h2;
    }
    double secs = now_sec() - t0;
    json_begin(o);
    json_u64("pairs", pairs);
    json_u64("iters", iters);
    json_f64("secs", secs);
    json_f64_array("latency_2t_1t", lat, pairs);
    json_f64_array("throughput_2t_1t", thr, pairs);
    if (o->fault_pages > 0) {
        double us = page_fault_us(o->fault_pages);
        json_u64("fault_pages", o->fault_pages);
        if (us >= 0) json_f64("page_fault_us", us);
    }
    json_end();
    return 0;
}
