/*
 * midlarge (bench/MIDLARGE.md): T threads, each with a row of N slots holding blocks of
 * 1 KiB..64 KiB.  Each round a thread refreshes its own row (phase A), then, after a
 * barrier, frees random blocks of its neighbour's row (phase B: cross-thread frees of mid
 * and large blocks); a second barrier closes the round.  At the end each thread frees its
 * own row.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>


typedef struct {
    _Alignas(64) uint32_t index;
    uint64_t mallocs, frees, size_sum, neighbour_frees, neighbour_bytes, bad;
} mthread;

static const options *opt;
static slot *rows;                      /* T rows of N slots; ptr == NULL means empty */
/* The round barrier: the last thread to arrive bumps the generation; the others spin on it for
 * up to ROUND_SPINS reads, then sleep on a condition variable.  The same rule as the wasm
 * harness's (bench/assembly/barrier.ts): a round is about a hundred microseconds of work per
 * thread, so a barrier that slept at once (pthread_barrier_wait) would cost a wake-up per
 * round and make any allocator slower on two threads than on one. */
#define ROUND_SPINS (1u << 18)
static struct {
    _Atomic uint32_t count, gen;
    uint32_t n;
    pthread_mutex_t lock;
    pthread_cond_t moved;
} round_barrier = { 0, 0, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

/* Wait until the round's T workers have all arrived. */
static void round_wait(void) {
    uint32_t g = atomic_load(&round_barrier.gen);
    if (atomic_fetch_add(&round_barrier.count, 1) + 1 == round_barrier.n) {
        atomic_store(&round_barrier.count, 0);  /* before the generation moves: nobody re-enters yet */
        pthread_mutex_lock(&round_barrier.lock);
        atomic_fetch_add(&round_barrier.gen, 1);
        pthread_cond_broadcast(&round_barrier.moved);
        pthread_mutex_unlock(&round_barrier.lock);
        return;
    }
    for (uint32_t i = 0; i < ROUND_SPINS; i++) if (atomic_load(&round_barrier.gen) != g) return;
    pthread_mutex_lock(&round_barrier.lock);
    while (atomic_load(&round_barrier.gen) == g) pthread_cond_wait(&round_barrier.moved, &round_barrier.lock);
    pthread_mutex_unlock(&round_barrier.lock);
}
static pthread_barrier_t start_barrier; /* the T workers and the main thread */

/* A size in [1 KiB, 64 KiB]: an octave 1024 << e (e in 0..5), then a point in [lo, 2 lo]. */
static inline uint32_t ml_size(uint32_t *rng) {
    uint32_t lo = 1024u << bounded(rng_next(rng), 6);
    return lo + bounded(rng_next(rng), lo + 1u);
}

static void *worker(void *arg) {
    mthread *w = arg;
    const uint32_t T = opt->threads, N = opt->slots, R = opt->rounds, i = w->index;
    const int verify = opt->verify;
    slot *mine = &rows[(size_t)i * N];
    slot *next = &rows[(size_t)((i + 1) % T) * N];
    uint32_t rng = rng_init(opt->seed, 1u + i);
    uint64_t mallocs = 0, frees = 0, size_sum = 0, nfrees = 0, nbytes = 0, bad = 0;

    pthread_barrier_wait(&start_barrier);
    for (uint32_t r = 0; r < R; r++) {
        /* Phase A: keep 3 in 4 of the full slots, replace the others, fill the empty ones. */
        for (uint32_t j = 0; j < N; j++) {
            uint32_t x = rng_next(&rng);
            if (mine[j].ptr != NULL) {
                if ((x & 3u) != 0) continue;
                if (verify && !check(mine[j].ptr, mine[j].sz, j)) bad++;
                free(mine[j].ptr);
                frees++;
            }
            uint32_t sz = ml_size(&rng);
            void *p = xmalloc(sz);
            touch(p, sz, j);
            mine[j].ptr = p;
            mine[j].sz = sz;
            mallocs++;
            size_sum += sz;
        }
        round_wait();
        /* Phase B: N/2 random victims in the neighbour's row. */
        for (uint32_t k = 0; k < N / 2; k++) {
            uint32_t v = bounded(rng_next(&rng), N);
            if (next[v].ptr == NULL) continue;
            if (verify && !check(next[v].ptr, next[v].sz, v)) bad++;
            free(next[v].ptr);
            next[v].ptr = NULL;
            frees++;
            nfrees++;
            nbytes += next[v].sz;
        }
        round_wait();
    }
    frees += free_slots(mine, N, verify, &bad); /* end: free the own row (timed, counted) */
    w->mallocs = mallocs;
    w->frees = frees;
    w->size_sum = size_sum;
    w->neighbour_frees = nfrees;
    w->neighbour_bytes = nbytes;
    w->bad = bad;
    return NULL;
}

int run_midlarge(const options *o) {
    opt = o;
    const uint32_t T = o->threads, N = o->slots;

    rows = xmalloc(sizeof(slot) * (size_t)T * N);       /* untimed setup */
    memset(rows, 0, sizeof(slot) * (size_t)T * N);
    size_t wsize = sizeof(mthread) * T;
    mthread *w = aligned_alloc(64, ((wsize + 63) / 64) * 64);
    if (!w) malloc_failed(wsize);
    memset(w, 0, wsize);

    round_barrier.n = T;
    int rc = pthread_barrier_init(&start_barrier, NULL, T + 1);
    if (rc != 0) fatal("pthread_barrier_init failed (error %d)", rc);
    pthread_t *th = xmalloc(sizeof(pthread_t) * T);
    for (uint32_t i = 0; i < T; i++) {
        w[i].index = i;
        rc = pthread_create(&th[i], NULL, worker, &w[i]);
        if (rc != 0) fatal("pthread_create failed (error %d: %s)", rc, strerror(rc));
    }

    /* Timed region: from the main thread leaving the start barrier until all are joined. */
    pthread_barrier_wait(&start_barrier);
    double t0 = now_sec();
    for (uint32_t i = 0; i < T; i++) pthread_join(th[i], NULL);
    double secs = now_sec() - t0;

    uint64_t mallocs = 0, frees = 0, size_sum = 0, nfrees = 0, nbytes = 0, bad = 0;
    for (uint32_t i = 0; i < T; i++) {
        mallocs += w[i].mallocs;
        frees += w[i].frees;
        size_sum += w[i].size_sum;
        nfrees += w[i].neighbour_frees;
        nbytes += w[i].neighbour_bytes;
        bad += w[i].bad;
    }
    free(th);
    free(w);
    free(rows);
    pthread_barrier_destroy(&start_barrier);

    uint64_t ops = mallocs + frees;
    json_begin(o);
    json_u64("threads", T);
    json_u64("slots", N);
    json_u64("rounds", o->rounds);
    json_u64("seed", o->seed);
    json_totals(o->verify, ops, secs, size_sum, bad);
    json_u64("mallocs", mallocs);
    json_u64("frees", frees);
    json_u64("neighbour_frees", nfrees);
    json_u64("neighbour_bytes", nbytes);
    json_end();
    return bad ? 1 : 0;
}
