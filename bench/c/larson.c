/*
 * larson (WORKLOADS.md section 3): T lineages, each a slot array of N blocks and an RNG.
 * Each generation of a lineage runs on a brand-new detached thread that frees random
 * victims (allocated by earlier, now dead threads) and replaces them; at its end the
 * thread starts the next generation's thread and returns.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

/* One lineage.  Only the thread running the current generation touches it (the hand-off
 * to the next thread is ordered by pthread_create), so plain fields suffice.  Aligned to
 * a cache line so that lineages on different cores do not share lines. */
typedef struct {
    _Alignas(64) uint32_t rng;
    uint32_t index;
    slot *slots;
    uint64_t steps_left;        /* ops mode only */
    uint64_t steps_done;
    uint64_t generations;
    uint64_t size_sum;          /* sizes of the timed mallocs */
    uint64_t bad;
} lineage;

/* Run-wide state shared by all generations. */
static const options *opt;
static lineage *lineages;
static pthread_attr_t detached;
static atomic_int stop_flag;            /* duration mode: set by main after SEC seconds */
static atomic_uint lineages_done;
static double t_end;                    /* written by the last lineage to finish */
static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int all_done;                    /* under done_mu */

static void *generation(void *arg);

static void start_generation(lineage *L) {
    pthread_t th;
    int rc = pthread_create(&th, &detached, generation, L);
    if (rc != 0) fatal("pthread_create failed for lineage %u (error %d: %s)", L->index, rc, strerror(rc));
}

static void *generation(void *arg) {
    lineage *L = arg;
    const uint32_t n = opt->chunks, lo = opt->min, range = opt->max - opt->min + 1u;
    const int duration_mode = opt->have_duration, verify = opt->verify;
    uint64_t todo = opt->gen_steps;
    if (!duration_mode && L->steps_left < todo) todo = L->steps_left;

    uint32_t rng = L->rng;              /* the hot loop keeps the RNG in a register */
    slot *s = L->slots;
    uint64_t size_sum = 0, bad = 0, done = 0;
    int stopped = 0;
    for (uint64_t step = 0; step < todo; step++) {
        if (duration_mode && (step & 1023) == 0 &&
            atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
            stopped = 1;
            break;
        }
        uint32_t v = bounded(rng_next(&rng), n);
        if (verify && !check(s[v].ptr, s[v].sz, v)) bad++;
        free(s[v].ptr);
        uint32_t sz = lo + bounded(rng_next(&rng), range);
        void *p = xmalloc(sz);
        touch(p, sz, v);
        s[v].ptr = p;
        s[v].sz = sz;
        size_sum += sz;
        done++;
    }
    L->rng = rng;
    L->size_sum += size_sum;
    L->bad += bad;
    L->steps_done += done;
    L->generations++;
    if (!duration_mode) L->steps_left -= done;

    int more = duration_mode ? !stopped && !atomic_load_explicit(&stop_flag, memory_order_relaxed)
                             : L->steps_left > 0;
    if (more) {
        start_generation(L);            /* the lineage now belongs to the new thread */
        return NULL;
    }
    /* Lineage finished.  The last one takes the end time itself, so the timed region ends
     * when the work ends, not when the main thread happens to wake up. */
    if (atomic_fetch_add(&lineages_done, 1) + 1 == opt->threads) {
        t_end = now_sec();
        pthread_mutex_lock(&done_mu);
        all_done = 1;
        pthread_cond_signal(&done_cv);
        pthread_mutex_unlock(&done_mu);
    }
    return NULL;
}

int run_larson(const options *o) {
    opt = o;
    const uint32_t T = o->threads, N = o->chunks;
    const uint32_t range = o->max - o->min + 1u;

    size_t lsize = ((sizeof(lineage) * T + 63) / 64) * 64;
    lineages = aligned_alloc(64, lsize);
    if (!lineages) malloc_failed(lsize);
    memset(lineages, 0, lsize);

    /* Setup (untimed): the main thread allocates every initial block, lineage by lineage. */
    uint64_t fill_size_sum = 0;
    for (uint32_t i = 0; i < T; i++) {
        lineage *L = &lineages[i];
        L->index = i;
        L->rng = rng_init(o->seed, 1u + i);
        L->steps_left = o->have_duration ? UINT64_MAX : o->ops / (2u * (uint64_t)T);
        L->slots = xmalloc(sizeof(slot) * N);
        for (uint32_t j = 0; j < N; j++) {
            uint32_t sz = o->min + bounded(rng_next(&L->rng), range);
            void *p = xmalloc(sz);
            touch(p, sz, j);
            L->slots[j].ptr = p;
            L->slots[j].sz = sz;
            fill_size_sum += sz;
        }
    }

    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    /* The generation threads need little stack; a fixed 256 KiB keeps thread creation
     * cheap and equal across platforms (Emscripten allocates thread stacks with malloc). */
    pthread_attr_setstacksize(&detached, 256 * 1024);

    /* Timed region: from just before the generation-0 threads are created until the last
     * lineage has finished. */
    double t0 = now_sec();
    for (uint32_t i = 0; i < T; i++) start_generation(&lineages[i]);

    if (o->have_duration) {
        double whole = (double)(time_t)o->duration;
        struct timespec ts = { (time_t)o->duration, (long)((o->duration - whole) * 1e9) };
        while (nanosleep(&ts, &ts) != 0) { }   /* resume after signals */
        atomic_store(&stop_flag, 1);
    }
    pthread_mutex_lock(&done_mu);
    while (!all_done) pthread_cond_wait(&done_cv, &done_mu);
    pthread_mutex_unlock(&done_mu);
    double secs = t_end - t0;

    /* Teardown (untimed): check and free every live block. */
    uint64_t steps = 0, generations = 0, size_sum = 0, bad = 0, live = 0;
    for (uint32_t i = 0; i < T; i++) {
        lineage *L = &lineages[i];
        steps += L->steps_done;
        generations += L->generations;
        size_sum += L->size_sum;
        bad += L->bad;
        for (uint32_t j = 0; j < N; j++) {
            if (!check(L->slots[j].ptr, L->slots[j].sz, j)) bad++;
            live += L->slots[j].sz;
            free(L->slots[j].ptr);
        }
        free(L->slots);
    }
    free(lineages);
    pthread_attr_destroy(&detached);

    uint64_t ops = 2 * steps;
    json_begin(o);
    json_u64("threads", T);
    json_u64("chunks", N);
    json_u64("min", o->min);
    json_u64("max", o->max);
    json_u64("rounds", o->rounds);
    json_u64("gen_steps", o->gen_steps);
    json_u64("seed", o->seed);
    if (o->have_ops) json_u64("ops_budget", o->ops); else json_null("ops_budget");
    if (o->have_duration) json_f64("duration", o->duration); else json_null("duration");
    json_totals(o->verify, ops, secs, size_sum, bad);
    json_u64("generations", generations);
    json_u64("fill_size_sum", fill_size_sum);
    json_u64("live_bytes_end", live);
    json_end();
    return bad ? 1 : 0;
}
