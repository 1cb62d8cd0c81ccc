/*
 * xfree (WORKLOADS.md section 5): P producers allocate, C consumers free, every free is
 * remote.  Blocks travel through one bounded SPSC ring per (producer, consumer) pair whose
 * index publication is batched by K entries.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

typedef struct { void *ptr; uint32_t sz; } entry;

/* Shared part of a ring: `tail` (written by the producer only) and `head` (written by the
 * consumer only) each on its own 64-byte line, so publishing one never invalidates the
 * other side's line; the entry pointer is read-only after setup and gets a third line. */
typedef struct {
    _Alignas(64) _Atomic uint32_t tail;
    _Alignas(64) _Atomic uint32_t head;
    _Alignas(64) entry *buf;
} ring;

/* Private per-ring state of each side, kept in the owning thread's memory. */
typedef struct { uint32_t ptail, head_cache, unpub; } prod_ring;
typedef struct { uint32_t phead, tail_cache, unpub; } cons_ring;

typedef struct {
    _Alignas(64) uint32_t index;
    uint64_t count;             /* producer: blocks to make; consumer: blocks to receive */
    void *priv;                 /* prod_ring[C] or cons_ring[P] */
    uint64_t size_sum, spins, bad;
} worker;

static const options *opt;
static ring *rings;             /* [P][C], ring (i, c) at i * C + c */
static pthread_barrier_t start_barrier;

/* Busy-wait politely: spin a little, then give the core away (threads may outnumber
 * cores, e.g. 2 producers + 3 consumers on 2 cores).  Under Emscripten sched_yield()
 * cannot give up the core (it only runs the thread's queued proxied calls); a short
 * emscripten_thread_sleep() there was tried and changed dlmalloc's 2x3 rate by < 20%,
 * so both builds keep the same plain code. */
static inline void idle(uint32_t *n) {
    if (++*n >= 16) { *n = 0; sched_yield(); }
}

static void *producer(void *arg) {
    worker *w = arg;
    const uint32_t C = opt->consumers, Q = opt->qcap, K = opt->batch, mask = Q - 1u;
    const uint32_t lo = opt->min, range = opt->max - opt->min + 1u;
    prod_ring *pr = w->priv;
    ring *my = &rings[(size_t)w->index * C];
    uint32_t rng = rng_init(opt->seed, 1u + w->index);
    uint64_t size_sum = 0, spins = 0;
    uint32_t c = w->index % C;                  /* block j goes to consumer (i + j) mod C */

    pthread_barrier_wait(&start_barrier);
    for (uint64_t j = 0; j < w->count; j++) {
        uint32_t sz = lo + bounded(rng_next(&rng), range);
        void *p = xmalloc(sz);
        touch(p, sz, 0);
        size_sum += sz;

        ring *r = &my[c];
        prod_ring *s = &pr[c];
        if (s->ptail - s->head_cache == Q) {    /* looks full against the cached head */
            if (s->unpub) {                     /* the consumer must see what is there */
                atomic_store_explicit(&r->tail, s->ptail, memory_order_release);
                s->unpub = 0;
            }
            uint32_t n = 0;
            while (s->ptail - (s->head_cache = atomic_load_explicit(&r->head, memory_order_acquire)) == Q) {
                spins++;
                idle(&n);
            }
        }
        r->buf[s->ptail & mask] = (entry){ p, sz };
        s->ptail++;
        if (++s->unpub == K) {
            atomic_store_explicit(&r->tail, s->ptail, memory_order_release);
            s->unpub = 0;
        }
        if (++c == C) c = 0;
    }
    for (uint32_t k = 0; k < C; k++)            /* publish whatever is left */
        atomic_store_explicit(&my[k].tail, pr[k].ptail, memory_order_release);
    w->size_sum = size_sum;
    w->spins = spins;
    return NULL;
}

static void *consumer(void *arg) {
    worker *w = arg;
    const uint32_t P = opt->producers, C = opt->consumers, K = opt->batch, mask = opt->qcap - 1u;
    const int verify = opt->verify;
    cons_ring *cr = w->priv;
    uint64_t left = w->count, spins = 0, bad = 0;
    uint32_t n = 0;

    pthread_barrier_wait(&start_barrier);
    while (left > 0) {
        uint64_t got = 0;
        for (uint32_t i = 0; i < P; i++) {      /* one sweep over this consumer's rings */
            ring *r = &rings[(size_t)i * C + w->index];
            cons_ring *s = &cr[i];
            for (;;) {
                if (s->phead == s->tail_cache) {
                    s->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
                    if (s->phead == s->tail_cache) {    /* empty: end of this burst */
                        if (s->unpub) {
                            atomic_store_explicit(&r->head, s->phead, memory_order_release);
                            s->unpub = 0;
                        }
                        break;
                    }
                }
                entry e = r->buf[s->phead & mask];
                s->phead++;
                if (verify && !check(e.ptr, e.sz, 0)) bad++;
                free(e.ptr);
                got++;
                if (++s->unpub == K) {
                    atomic_store_explicit(&r->head, s->phead, memory_order_release);
                    s->unpub = 0;
                }
            }
        }
        if (got == 0) { spins++; idle(&n); }
        else { left -= got; n = 0; }
    }
    w->spins = spins;
    w->bad = bad;
    return NULL;
}

int run_xfree(const options *o) {
    opt = o;
    const uint32_t P = o->producers, C = o->consumers, Q = o->qcap;
    const uint64_t B = o->blocks;

    /* Setup (untimed): rings, per-thread state, and the block counts of every thread. */
    size_t rsize = sizeof(ring) * (size_t)P * C;
    rings = aligned_alloc(64, rsize);
    if (!rings) malloc_failed(rsize);
    memset(rings, 0, rsize);
    for (size_t k = 0; k < (size_t)P * C; k++) rings[k].buf = xmalloc(sizeof(entry) * Q);

    size_t wsize = sizeof(worker) * (P + C);
    worker *w = aligned_alloc(64, wsize);
    if (!w) malloc_failed(wsize);
    memset(w, 0, wsize);
    for (uint32_t i = 0; i < P; i++) {
        w[i].index = i;
        w[i].count = B / P + (i < B % P ? 1 : 0);
        w[i].priv = xmalloc(sizeof(prod_ring) * C);
        memset(w[i].priv, 0, sizeof(prod_ring) * C);
    }
    for (uint32_t c = 0; c < C; c++) {
        worker *cw = &w[P + c];
        cw->index = c;
        cw->priv = xmalloc(sizeof(cons_ring) * P);
        memset(cw->priv, 0, sizeof(cons_ring) * P);
        /* blocks j of producer i with (i + j) mod C == c, i.e. j = (c - i) mod C + k*C */
        for (uint32_t i = 0; i < P; i++) {
            uint64_t n = w[i].count;
            uint64_t first = ((uint64_t)c + C - i % C) % C;
            if (first < n) cw->count += (n - first - 1) / C + 1;
        }
    }

    int rc = pthread_barrier_init(&start_barrier, NULL, P + C + 1);
    if (rc != 0) fatal("pthread_barrier_init failed (error %d)", rc);
    pthread_t *th = xmalloc(sizeof(pthread_t) * (P + C));
    for (uint32_t k = 0; k < P + C; k++) {
        rc = pthread_create(&th[k], NULL, k < P ? producer : consumer, &w[k]);
        if (rc != 0) fatal("pthread_create failed (error %d: %s)", rc, strerror(rc));
    }

    /* Timed region: from the main thread leaving the barrier until every thread is joined. */
    pthread_barrier_wait(&start_barrier);
    double t0 = now_sec();
    for (uint32_t k = 0; k < P + C; k++) pthread_join(th[k], NULL);
    double secs = now_sec() - t0;

    uint64_t size_sum = 0, pspins = 0, cspins = 0, bad = 0;
    for (uint32_t k = 0; k < P + C; k++) {
        size_sum += w[k].size_sum;
        if (k < P) pspins += w[k].spins; else cspins += w[k].spins;
        bad += w[k].bad;
        free(w[k].priv);
    }
    for (size_t k = 0; k < (size_t)P * C; k++) free(rings[k].buf);
    free(rings);
    free(w);
    free(th);
    pthread_barrier_destroy(&start_barrier);

    uint64_t ops = 2 * B;
    json_begin(o);
    json_u64("blocks", B);
    json_u64("min", o->min);
    json_u64("max", o->max);
    json_u64("producers", P);
    json_u64("consumers", C);
    json_u64("qcap", Q);
    json_u64("batch", o->batch);
    json_u64("seed", o->seed);
    json_totals(o->verify, ops, secs, size_sum, bad);
    json_u64("producer_full_spins", pspins);
    json_u64("consumer_empty_spins", cspins);
    json_end();
    return bad ? 1 : 0;
}
