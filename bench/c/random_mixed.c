/*
 * random_mixed (WORKLOADS.md section 4): one thread, W slots; each iteration picks a slot,
 * frees it if full (toggle mode: and leaves it empty), otherwise (or in replace mode,
 * also after the free) allocates 16..1039 bytes into it.  Each rep ends with a drain.
 * With --threads N, N independent copies run at once (section 4, "Copies"), each on its own
 * pthread with its own slot array and the same seed and parameters; the record sums their
 * counts, and peak_live is the largest copy's peak.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <pthread.h>
#include <string.h>


/* One copy: its slot array (filled in untimed) and its counts.  Aligned to a cache line so
 * that copies on different cores do not share lines. */
typedef struct {
    _Alignas(64) slot *s;
    uint64_t mallocs, frees, size_sum, bad, peak_live;
} rm_copy;

static const options *opt;

/* One copy of the workload: every rep and its drain. */
static void *run_copy(void *arg) {
    rm_copy *c = arg;
    const uint32_t W = opt->slots;
    const uint64_t iters = opt->ops;
    const int replace = opt->replace, verify = opt->verify;
    slot *s = c->s;

    uint32_t rng = rng_init(opt->seed, 1);
    uint64_t mallocs = 0, frees = 0, size_sum = 0, bad = 0, live = 0, peak_live = 0;
    for (uint32_t rep = 0; rep < opt->reps; rep++) {
        for (uint64_t it = 0; it < iters; it++) {
            uint32_t v = bounded(rng_next(&rng), W);
            if (s[v].ptr != NULL) {
                if (verify && !check(s[v].ptr, s[v].sz, v)) bad++;
                free(s[v].ptr);
                frees++;
                live--;
                if (!replace) { s[v].ptr = NULL; continue; }
            }
            uint32_t sz = 16u + (rng_next(&rng) & 0x3FFu);
            void *p = xmalloc(sz);
            touch(p, sz, v);
            s[v].ptr = p;
            s[v].sz = sz;
            mallocs++;
            size_sum += sz;
            if (++live > peak_live) peak_live = live;
        }
        uint64_t drained = free_slots(s, W, verify, &bad); /* drain: counted and timed */
        frees += drained;
        live -= drained;
    }
    c->mallocs = mallocs;
    c->frees = frees;
    c->size_sum = size_sum;
    c->bad = bad;
    c->peak_live = peak_live;
    return NULL;
}

int run_random_mixed(const options *o) {
    opt = o;
    const uint32_t N = o->threads, W = o->slots;

    /* Untimed: the copies' records and their empty slot arrays (ptr == NULL means empty). */
    size_t csize = ((sizeof(rm_copy) * N + 63) / 64) * 64;
    rm_copy *c = aligned_alloc(64, csize);
    if (!c) malloc_failed(csize);
    memset(c, 0, csize);
    for (uint32_t k = 0; k < N; k++) {
        c[k].s = xmalloc(sizeof(slot) * W);
        for (uint32_t v = 0; v < W; v++) { c[k].s[v].ptr = NULL; c[k].s[v].sz = 0; }
    }
    pthread_t *th = N > 1 ? xmalloc(sizeof(pthread_t) * N) : NULL;

    /* Timed: one copy runs right here, as the single-thread workload always did; N copies from
     * just before their threads are created until the last is joined. */
    double t0 = now_sec();
    if (N == 1) {
        run_copy(&c[0]);
    } else {
        for (uint32_t k = 0; k < N; k++) {
            int rc = pthread_create(&th[k], NULL, run_copy, &c[k]);
            if (rc != 0) fatal("pthread_create failed for copy %u (error %d: %s)", k, rc, strerror(rc));
        }
        for (uint32_t k = 0; k < N; k++) pthread_join(th[k], NULL);
    }
    double secs = now_sec() - t0;

    uint64_t mallocs = 0, frees = 0, size_sum = 0, bad = 0, peak_live = 0;
    for (uint32_t k = 0; k < N; k++) {
        mallocs += c[k].mallocs;
        frees += c[k].frees;
        size_sum += c[k].size_sum;
        bad += c[k].bad;
        if (c[k].peak_live > peak_live) peak_live = c[k].peak_live;
        free(c[k].s);
    }
    free(th);
    free(c);

    uint64_t ops = mallocs + frees;
    json_begin(o);
    json_u64("threads", N);
    json_u64("iters", o->ops);
    json_u64("slots", W);
    json_str("mode", o->replace ? "replace" : "toggle");
    json_u64("reps", o->reps);
    json_u64("seed", o->seed);
    json_totals(o->verify, ops, secs, size_sum, bad);
    json_u64("mallocs", mallocs);
    json_u64("frees", frees);
    json_u64("peak_live", peak_live);
    json_end();
    return bad ? 1 : 0;
}
