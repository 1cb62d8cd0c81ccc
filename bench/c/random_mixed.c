/*
 * random_mixed (WORKLOADS.md section 4): one thread, W slots; each iteration picks a slot,
 * frees it if full (toggle mode: and leaves it empty), otherwise (or in replace mode,
 * also after the free) allocates 16..1039 bytes into it.  Each rep ends with a drain.
 */
#include "common.h"

typedef struct { void *ptr; uint32_t sz; } slot;

int run_random_mixed(const options *o) {
    const uint32_t W = o->slots;
    const uint64_t iters = o->ops;
    const int replace = o->replace, verify = o->verify;

    slot *s = xmalloc(sizeof(slot) * W);        /* untimed; ptr == NULL means empty */
    for (uint32_t v = 0; v < W; v++) { s[v].ptr = NULL; s[v].sz = 0; }

    uint32_t rng = rng_init(o->seed, 1);
    uint64_t mallocs = 0, frees = 0, size_sum = 0, bad = 0, live = 0, peak_live = 0;

    double t0 = now_sec();
    for (uint32_t rep = 0; rep < o->reps; rep++) {
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
        for (uint32_t v = 0; v < W; v++) {     /* drain: counted and timed */
            if (s[v].ptr == NULL) continue;
            if (verify && !check(s[v].ptr, s[v].sz, v)) bad++;
            free(s[v].ptr);
            s[v].ptr = NULL;
            frees++;
            live--;
        }
    }
    double secs = now_sec() - t0;
    free(s);

    uint64_t ops = mallocs + frees;
    json_begin(o);
    json_u64("iters", iters);
    json_u64("slots", W);
    json_str("mode", replace ? "replace" : "toggle");
    json_u64("reps", o->reps);
    json_u64("seed", o->seed);
    json_totals(verify, ops, secs, size_sum, bad);
    json_u64("mallocs", mallocs);
    json_u64("frees", frees);
    json_u64("peak_live", peak_live);
    json_end();
    return bad ? 1 : 0;
}
