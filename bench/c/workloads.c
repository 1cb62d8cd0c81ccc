/*
 * workloads: the C implementation of the benchmark workloads of WORKLOADS.md
 * (larson, random_mixed, xfree) and of bench/MIDLARGE.md (midlarge), used to measure
 * peer allocators (glibc, mimalloc, jemalloc natively; Emscripten's dlmalloc and emmalloc
 * in wasm) on exactly the same malloc/free sequence as the project's own harness.
 *
 *   workloads <larson|random_mixed|xfree|midlarge> [--threads T] [--chunks N] [--min A]
 *       [--max B] [--rounds R] [--gen-steps G] [--seed S] [--ops OPS | --duration SEC]
 *       [--verify] [--slots W] [--mode toggle|replace] [--reps K] [--blocks B]
 *       [--producers P] [--consumers C] [--qcap Q] [--batch K] [--alloc NAME]
 *       [--platform NAME]
 *   workloads larson SEC MIN MAX CHUNKS ROUNDS SEED THREADS    (hakmem's vector)
 *   workloads cores [--pairs P] [--iters N] [--fault-pages N]
 *                                              (the machine's cores and page faults, no allocator: cores.c)
 *   workloads selftest
 *
 * Prints one JSON record on stdout.  Exit status: 0 ok, 1 if any check failed (bad > 0),
 * 2 on usage errors or when malloc returns NULL.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#else
#include <sys/resource.h>
#endif

/* ---- helpers ---- */

double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

_Noreturn void fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("workloads: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stdout);
    exit(2);
}

_Noreturn void malloc_failed(size_t n) {
    fatal("malloc(%zu) returned NULL", n);
}

/* JSON output: fields are written as they come; `json_first` decides the comma. */
static int json_first;

static void json_key(const char *key) {
    printf("%s\"%s\":", json_first ? "" : ",", key);
    json_first = 0;
}

void json_str(const char *key, const char *v) {
    json_key(key);
    putchar('"');
    for (const char *c = v; *c; c++) {          /* names are plain, but stay valid JSON */
        if (*c == '"' || *c == '\\') printf("\\%c", *c);
        else if ((unsigned char)*c < 0x20) printf("\\u%04x", (unsigned char)*c);
        else putchar(*c);
    }
    putchar('"');
}
void json_u64(const char *key, uint64_t v) { json_key(key); printf("%llu", (unsigned long long)v); }
void json_f64(const char *key, double v) {
    json_key(key);
    if (isfinite(v)) printf("%.9g", v); else printf("null");
}
void json_f64_array(const char *key, const double *v, uint32_t n) {
    json_key(key);
    putchar('[');
    for (uint32_t k = 0; k < n; k++) {
        if (k) putchar(',');
        if (isfinite(v[k])) printf("%.9g", v[k]); else printf("null");
    }
    putchar(']');
}
void json_bool(const char *key, int v) { json_key(key); printf(v ? "true" : "false"); }
void json_null(const char *key) { json_key(key); printf("null"); }

void json_totals(int verify, uint64_t ops, double secs, uint64_t size_sum, uint64_t bad) {
    json_bool("verify", verify);
    json_u64("ops", ops);
    json_f64("secs", secs);
    json_f64("ops_per_sec", secs > 0 ? (double)ops / secs : 0);
    json_u64("size_sum", size_sum);
    json_u64("bad", bad);
}

void json_begin(const options *o) {
    json_first = 1;
    putchar('{');
    json_str("bench", o->bench);
    json_str("platform", o->platform);
    json_str("alloc", o->alloc);
}

/* The process's own peak RSS is read first from Linux's /proc/self/status, VmHWM: the peak of
 * this program's address space alone.  getrusage's ru_maxrss (and node's resourceUsage().maxRSS,
 * the same call) is only the fallback: Linux carries a forking parent's peak over fork and exec
 * into it, so a workload started by a 200 MB node process reports 200 MB however little it used. */

#ifdef __EMSCRIPTEN__
/* The node process's peak resident set in KiB (process-wide, also from a pthread's worker), or
 * -1 where there is no node `process` (a browser).  No backslash may appear in an EM_JS body. */
EM_JS(double, node_peak_rss_kb, (), {
    try {
        var status = require("fs").readFileSync("/proc/self/status", "utf8");
        var at = status.indexOf("VmHWM:");
        if (at >= 0) return parseInt(status.slice(at + 6), 10);
    } catch (e) { }
    return typeof process !== "undefined" && typeof process.resourceUsage === "function"
        ? process.resourceUsage().maxRSS : -1;
});
#endif

/* The process's peak resident set so far, in KiB, or -1 if unknown: compare subtracts an empty
 * run's figure from it to get what the workload's heap cost (bench/README.md "Footprint"). */
static double peak_rss_kb(void) {
#ifdef __EMSCRIPTEN__
    return node_peak_rss_kb();
#else
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        char line[256];
        unsigned long kb = 0;
        int found = 0;
        while (!found && fgets(line, sizeof line, f) != NULL) found = sscanf(line, "VmHWM: %lu kB", &kb) == 1;
        fclose(f);
        if (found) return (double)kb;
    }
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss : -1;   /* KiB on Linux */
#endif
}

void json_end(void) {
    double rss = peak_rss_kb();
    if (rss >= 0) json_u64("peak_rss_kb", (uint64_t)rss); else json_null("peak_rss_kb");
    printf("}\n");
    fflush(stdout);
}

/* ---- number parsing: plain integers, and also 2e6 / 1e6 style ---- */

static uint64_t parse_u64(const char *s, const char *what) {
    if (s == NULL) fatal("%s needs a value", what);
    if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ') fatal("%s: bad number '%s'", what, s);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == 0 && *end == '\0') return (uint64_t)v;
    /* Not a plain integer: accept a floating form (2e6, 1.5e3) whose value is integral. */
    errno = 0;
    double d = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(d) || d < 0 || d != floor(d) || d >= 18446744073709551616.0)
        fatal("%s: bad number '%s' (want a non-negative integer)", what, s);
    return (uint64_t)d;
}

static uint32_t parse_u32(const char *s, const char *what) {
    uint64_t v = parse_u64(s, what);
    if (v > UINT32_MAX) fatal("%s: %s is out of range (max %u)", what, s, UINT32_MAX);
    return (uint32_t)v;
}

static double parse_seconds(const char *s, const char *what) {
    if (s == NULL) fatal("%s needs a value", what);
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(d) || d <= 0) fatal("%s: bad duration '%s'", what, s);
    return d;
}

/* ---- selftest: section 1 test vectors ---- */

static int selftest(void) {
    static const struct { uint32_t seed, stream, init, out[5]; } vec[] = {
        { 4141, 1, 0x8534F0DCu, { 0x7EC0D42Bu, 0xECF54729u, 0xC618E101u, 0x9D2D2FBDu, 0x2388E9D0u } },
        { 4141, 2, 0xB87423CFu, { 0xBDB664E9u, 0x5444F3FCu, 0x8D59CAC1u, 0x3437A8E1u, 0xE456E6F4u } },
        { 123, 1, 0xA330287Du, { 0x61C4B722u, 0x13311AF2u, 0x3D871A65u, 0x07B17500u, 0x0B3D5088u } },
        { 0, 0, 0x92CA2F0Eu, { 0x325B17FBu, 0x442FAA89u, 0x9EA494F6u, 0x8B700F8Bu, 0xDAA473ABu } },
    };
    static const uint32_t sizes[5] = { 511, 949, 794, 632, 149 };  /* seed 4141, stream 1, [8, 1024] */
    int passed = 0, failed = 0;

    for (size_t t = 0; t < sizeof vec / sizeof vec[0]; t++) {
        uint32_t s = rng_init(vec[t].seed, vec[t].stream);
        int ok = s == vec[t].init;
        if (!ok) printf("FAIL rng_init(%u, %u) = 0x%08X, want 0x%08X\n", vec[t].seed, vec[t].stream, s, vec[t].init);
        for (int k = 0; k < 5; k++) {
            uint32_t r = rng_next(&s);
            if (r != vec[t].out[k]) {
                ok = 0;
                printf("FAIL seed %u stream %u output %d = 0x%08X, want 0x%08X\n",
                       vec[t].seed, vec[t].stream, k, r, vec[t].out[k]);
            }
        }
        if (ok) passed++; else failed++;
    }

    uint32_t s = rng_init(4141, 1);
    int ok = 1;
    for (int k = 0; k < 5; k++) {
        uint32_t sz = draw_size(&s, 8, 1024);
        if (sz != sizes[k]) { ok = 0; printf("FAIL size %d = %u, want %u\n", k, sz, sizes[k]); }
    }
    if (ok) passed++; else failed++;

    /* The touch/check pair must agree with itself and notice a changed end byte. */
    unsigned char buf[300];
    touch(buf, sizeof buf, 7);
    ok = check(buf, sizeof buf, 7) && buf[0] == (uint8_t)(300 + 7) && buf[299] == (uint8_t)((300 >> 8) ^ 7 ^ 0xA5);
    buf[299] ^= 1;
    ok = ok && !check(buf, sizeof buf, 7);
    if (ok) passed++; else { failed++; printf("FAIL touch/check\n"); }

    printf("selftest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* ---- command line ---- */

static void usage(void) {
    fputs("usage: workloads <larson|random_mixed|xfree|midlarge> [--threads T] [--chunks N] [--min A]\n"
          "         [--max B] [--rounds R] [--gen-steps G] [--seed S] [--ops OPS | --duration SEC]\n"
          "         [--verify] [--slots W] [--mode toggle|replace] [--reps K] [--blocks B]\n"
          "         [--producers P] [--consumers C] [--qcap Q] [--batch K] [--alloc NAME]\n"
          "         [--platform NAME]\n"
          "       workloads larson SEC MIN MAX CHUNKS ROUNDS SEED THREADS\n"
          "       workloads cores [--pairs P] [--iters N] [--fault-pages N]\n"
          "       workloads selftest\n", stderr);
    exit(2);
}

/* The allocator's name when --alloc is not given: a build may fix it (-DBENCH_ALLOC_NAME),
 * natively an LD_PRELOAD'ed allocator is recognised by its file name. */
static const char *default_alloc(void) {
#ifdef BENCH_ALLOC_NAME
    return BENCH_ALLOC_NAME;
#else
    const char *pre = getenv("LD_PRELOAD");
    if (pre && strstr(pre, "mimalloc")) return "mimalloc";
    if (pre && strstr(pre, "jemalloc")) return "jemalloc";
    if (pre && strstr(pre, "tcmalloc")) return "tcmalloc";
    if (pre && *pre) return "unknown";
#if defined(__GLIBC__)
    return "glibc";
#else
    return "libc";
#endif
#endif
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    options o;
    memset(&o, 0, sizeof o);
    o.bench = argv[1];
#ifdef __EMSCRIPTEN__
    o.platform = "wasm32-emscripten";
#else
    o.platform = "native";
#endif
    o.alloc = default_alloc();
    o.threads = 1; o.chunks = 1000; o.min = 8; o.max = 1024; o.rounds = 100;
    o.slots = 2048; o.reps = 1; o.blocks = 10000000; o.producers = 1; o.consumers = 1;
    o.qcap = 1024; o.batch = 64; o.pairs = 5; o.iters = 30000000;

    if (strcmp(o.bench, "selftest") == 0) return selftest();
    if (strcmp(o.bench, "larson") && strcmp(o.bench, "random_mixed") && strcmp(o.bench, "xfree") &&
        strcmp(o.bench, "midlarge") && strcmp(o.bench, "cores")) usage();

    int i = 2;
    /* hakmem's positional larson vector: seconds min max chunks rounds seed threads */
    if (strcmp(o.bench, "larson") == 0 && argc > 2 && strncmp(argv[2], "--", 2) != 0) {
        if (argc < 9) fatal("positional larson needs: seconds min max chunks rounds seed threads");
        o.duration = parse_seconds(argv[2], "seconds"); o.have_duration = 1;
        o.min = parse_u32(argv[3], "min"); o.have_min = 1;
        o.max = parse_u32(argv[4], "max"); o.have_max = 1;
        o.chunks = parse_u32(argv[5], "chunks");
        o.rounds = parse_u32(argv[6], "rounds");
        o.seed = parse_u32(argv[7], "seed"); o.have_seed = 1;
        o.threads = parse_u32(argv[8], "threads");
        i = 9;
    }

    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0 && (v != NULL || (fatal("%s needs a value", name), 0)) && ++i)
        if (strcmp(a, "--verify") == 0) o.verify = 1;
        else if (OPT("--threads")) { o.threads = parse_u32(v, a); o.have_threads = 1; }
        else if (OPT("--chunks")) o.chunks = parse_u32(v, a);
        else if (OPT("--min")) { o.min = parse_u32(v, a); o.have_min = 1; }
        else if (OPT("--max")) { o.max = parse_u32(v, a); o.have_max = 1; }
        else if (OPT("--rounds")) { o.rounds = parse_u32(v, a); o.have_rounds = 1; }
        else if (OPT("--gen-steps")) { o.gen_steps = parse_u32(v, a); o.have_gen_steps = 1; }
        else if (OPT("--seed")) { o.seed = parse_u32(v, a); o.have_seed = 1; }
        else if (OPT("--ops")) { o.ops = parse_u64(v, a); o.have_ops = 1; }
        else if (OPT("--duration")) { o.duration = parse_seconds(v, a); o.have_duration = 1; }
        else if (OPT("--slots")) { o.slots = parse_u32(v, a); o.have_slots = 1; }
        else if (OPT("--mode")) {
            if (strcmp(v, "toggle") == 0) o.replace = 0;
            else if (strcmp(v, "replace") == 0) o.replace = 1;
            else fatal("--mode must be toggle or replace, not '%s'", v);
        }
        else if (OPT("--reps")) o.reps = parse_u32(v, a);
        else if (OPT("--blocks")) o.blocks = parse_u64(v, a);
        else if (OPT("--producers")) o.producers = parse_u32(v, a);
        else if (OPT("--consumers")) o.consumers = parse_u32(v, a);
        else if (OPT("--qcap")) o.qcap = parse_u32(v, a);
        else if (OPT("--batch")) o.batch = parse_u32(v, a);
        else if (OPT("--pairs")) o.pairs = parse_u32(v, a);
        else if (OPT("--iters")) o.iters = parse_u64(v, a);
        else if (OPT("--fault-pages")) o.fault_pages = parse_u32(v, a);
        else if (OPT("--alloc")) o.alloc = v;
        else if (OPT("--platform")) o.platform = v;
        else fatal("unknown argument '%s'", a);
#undef OPT
    }

    if (!o.have_seed) o.seed = strcmp(o.bench, "random_mixed") == 0 ? 123 : 4141;
    if (o.min < 2) fatal("--min must be >= 2 (blocks are touched at both ends)");
    if (o.max < o.min) fatal("--max must be >= --min");

    if (strcmp(o.bench, "cores") == 0) {
        if (o.pairs < 1 || o.pairs > CORES_MAX_PAIRS) fatal("--pairs must be 1..%d", CORES_MAX_PAIRS);
        if (o.iters < 1) fatal("--iters must be >= 1");
        if (o.fault_pages > CORES_MAX_FAULT_PAGES) fatal("--fault-pages must be 0..%d", CORES_MAX_FAULT_PAGES);
        return run_cores(&o);
    }
    if (strcmp(o.bench, "larson") == 0) {
        if (o.have_ops == o.have_duration) fatal("larson needs exactly one of --ops or --duration");
        if (o.threads < 1 || o.chunks < 1) fatal("--threads and --chunks must be >= 1");
        if (!o.have_gen_steps) {
            uint64_t g = (uint64_t)o.rounds * o.chunks;
            if (g > UINT32_MAX) fatal("rounds * chunks is too large for --gen-steps");
            o.gen_steps = (uint32_t)g;
        }
        if (o.gen_steps < 1) fatal("--gen-steps (rounds * chunks) must be >= 1");
        return run_larson(&o);
    }
    if (strcmp(o.bench, "random_mixed") == 0) {
        if (o.have_duration) fatal("random_mixed has no --duration");
        if (!o.have_ops) o.ops = 10000000;
        if (o.slots < 1 || o.reps < 1 || o.threads < 1) fatal("--slots, --reps and --threads must be >= 1");
        return run_random_mixed(&o);
    }
    if (strcmp(o.bench, "midlarge") == 0) {
        if (o.have_duration || o.have_ops) fatal("midlarge takes --rounds, not --ops/--duration");
        if (!o.have_threads) o.threads = 2;
        if (!o.have_slots) o.slots = 512;
        if (!o.have_rounds) o.rounds = 1000;
        if (o.threads < 1 || o.slots < 1) fatal("--threads and --slots must be >= 1");
        return run_midlarge(&o);
    }
    /* xfree */
    if (o.have_duration || o.have_ops) fatal("xfree takes --blocks, not --ops/--duration");
    if (o.producers < 1 || o.consumers < 1) fatal("--producers and --consumers must be >= 1");
    if (o.qcap < 1 || (o.qcap & (o.qcap - 1)) != 0) fatal("--qcap must be a power of two");
    if (o.batch < 1 || o.batch > o.qcap) fatal("--batch must be in [1, qcap]");
    return run_xfree(&o);
}
