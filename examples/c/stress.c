/*
 * stress.c: a verified multi-threaded workload for hakmem-wasm linked into a C program.
 *
 * Each thread (one wasm instance) allocates blocks of random sizes across every tier (tiny,
 * mid, large runs, huge spans) through malloc, calloc, realloc, posix_memalign and
 * aligned_alloc, writes a pattern derived from a per-block tag into every word, hands some
 * blocks to other threads through lock-free mailboxes, and checks the pattern of every block
 * before it frees it. Canaries in the program's data, BSS and each thread's stack are checked
 * at the end. Any mismatch is counted; 0 errors means every byte came back as written.
 *
 * Exports: setup(threads, seed), worker(index, ops) -> errors, verify() -> errors,
 * counter(i) -> the shared counters below. Build: see include/hakmem.h.
 */
#include "hakmem.h"

#define MAX_THREADS 32
#define SLOTS 256
#define EXPORT(name) __attribute__((export_name(#name)))

/* Shared state lives in the heap (allocated by setup), so that during the run the program's
 * own memory below the heap base is only read: a test can check those bytes did not change. */
struct shared {
  uint32_t threads;
  uint32_t seed;
  uint32_t done;                   /* threads that finished their loop */
  uint32_t mailbox[MAX_THREADS];   /* lock-free stacks of blocks sent to each thread */
  uint32_t counters[8];            /* allocs, frees, sent, received, bytes (lo), errors, ... */
};
enum { C_ALLOCS, C_FREES, C_SENT, C_RECEIVED, C_BYTES, C_ERRORS, C_HUGE, C_ALIGNED };

/* Canaries: initialised data, and BSS that setup fills. */
uint32_t canary_data[16] = {
  0x11111111u, 0x22222222u, 0x33333333u, 0x44444444u, 0x55555555u, 0x66666666u, 0x77777777u,
  0x88888888u, 0x99999999u, 0xaaaaaaaau, 0xbbbbbbbbu, 0xccccccccu, 0xddddddddu, 0xeeeeeeeeu,
  0xffffffffu, 0x12345678u,
};
uint32_t canary_bss[1024];
struct shared *shared_state;

#ifdef STRESS_BALLAST
/* A program whose data fills memory up to its heap base (test/link/c-link.test.ts builds it
 * with -DSTRESS_BALLAST=bytes and a large -z stack-size): the allocator must not write a byte
 * below the heap base. */
unsigned char ballast[STRESS_BALLAST] = {1, 2, 3, 4};
EXPORT(ballast_at) uint32_t ballast_at(uint32_t i) { return ballast[i % STRESS_BALLAST]; }
#endif

static uint32_t mix(uint32_t x) {
  x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16;
  return x;
}

/* Block layout: word 0 = mailbox link, word 1 = size, word 2 = tag, words 3.. = mix(tag + i). */
static void fill(uint32_t *b, uint32_t size, uint32_t tag) {
  b[0] = 0; b[1] = size; b[2] = tag;
  for (uint32_t i = 3; i < size / 4; i++) b[i] = mix(tag + i);
}

static uint32_t check(const uint32_t *b) {
  uint32_t size = b[1], tag = b[2], bad = 0;
  if (size < 12) return 1;
  for (uint32_t i = 3; i < size / 4; i++) bad += b[i] != mix(tag + i);
  return bad != 0;
}

static uint32_t rng_next(uint32_t *s) {
  uint32_t x = *s; x ^= x << 13; x ^= x >> 17; x ^= x << 5; *s = x;
  return x;
}

/* A size: 70% tiny, 20% mid, 8% large runs, 2% huge spans (1..2 MiB). */
static uint32_t pick_size(uint32_t *s) {
  uint32_t r = rng_next(s) % 100, v = rng_next(s);
  if (r < 70) return 12 + v % 1013;
  if (r < 90) return 1025 + v % (32768 - 1025);
  if (r < 98) return 32769 + v % (900000 - 32769);
  return (1u << 20) + v % (1u << 20);
}

static void add(uint32_t i, uint32_t n) { __atomic_fetch_add(&shared_state->counters[i], n, __ATOMIC_SEQ_CST); }

/* Allocate a block of `size` bytes through one of the API's entry points. */
static uint32_t *alloc_block(uint32_t size, uint32_t *s, uint32_t *errors) {
  uint32_t how = rng_next(s) % 8;
  uint32_t *b;
  if (how == 0) {
    b = calloc(1, size);
    if (b) for (uint32_t i = 0; i < size / 4; i++) *errors += b[i] != 0;
  } else if (how == 1) {
    uint32_t align = 16u << (rng_next(s) % 9);  /* 16 .. 4096 */
    void *p = 0;
    if (posix_memalign(&p, align, size) != 0) p = 0;
    b = p;
    if (b && ((uintptr_t)b & (align - 1))) (*errors)++;
    add(C_ALIGNED, 1);
  } else if (how == 2) {
    uint32_t align = 1u << (rng_next(s) % 21);  /* 1 .. 1 MiB */
    b = aligned_alloc(align, size);
    if (b && ((uintptr_t)b & (align - 1))) (*errors)++;
    add(C_ALIGNED, 1);
  } else if (how == 3 && size > 64) {
    b = malloc(size / 2);                        /* grow by realloc: the prefix must survive */
    if (b) {
      fill(b, size / 2 & ~3u, 77);
      b = realloc(b, size);
      if (b && check(b)) (*errors)++;
    }
  } else {
    b = malloc(size);
  }
  if (!b) { (*errors)++; return 0; }
  if (malloc_usable_size(b) < size) (*errors)++;
  if (size >= 16 && ((uintptr_t)b & 15)) (*errors)++;  /* the alignment include/hakmem.h promises */
  if (size >= (1u << 20)) add(C_HUGE, 1);
  add(C_ALLOCS, 1);
  add(C_BYTES, size);
  return b;
}

static void release(uint32_t *b, uint32_t *errors) {
  *errors += check(b);
  free(b);
  add(C_FREES, 1);
}

static void send(uint32_t to, uint32_t *b) {
  uint32_t *head = &shared_state->mailbox[to];
  uint32_t old = __atomic_load_n(head, __ATOMIC_SEQ_CST);
  do { b[0] = old; } while (!__atomic_compare_exchange_n(head, &old, (uint32_t)(uintptr_t)b, 0,
                                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
  add(C_SENT, 1);
}

static uint32_t drain(uint32_t me, uint32_t *errors) {
  uint32_t p = __atomic_exchange_n(&shared_state->mailbox[me], 0, __ATOMIC_SEQ_CST);
  uint32_t n = 0;
  while (p) {
    uint32_t *b = (uint32_t *)(uintptr_t)p;
    p = b[0];
    release(b, errors);
    n++;
  }
  add(C_RECEIVED, n);
  return n;
}

/** Before the workers: allocate the shared state, fill the BSS canary. */
EXPORT(setup) uint32_t setup(uint32_t threads, uint32_t seed) {
  if (threads == 0 || threads > MAX_THREADS) return 0;
  shared_state = calloc(1, sizeof(struct shared));
  if (!shared_state) return 0;
  shared_state->threads = threads;
  shared_state->seed = seed;
  for (uint32_t i = 0; i < 1024; i++) canary_bss[i] = mix(i ^ 0xb55u);
  return 1;
}

/** Thread `index`: `ops` operations, then hand-off until every thread is done. Returns errors. */
EXPORT(worker) uint32_t worker(uint32_t index, uint32_t ops) {
  volatile uint32_t stack_canary[32];
  for (uint32_t i = 0; i < 32; i++) stack_canary[i] = mix(i + 0x5000u * (index + 1));
  uint32_t *slot[SLOTS] = {0};
  uint32_t s = mix(shared_state->seed * 977u + index + 1) | 1;
  uint32_t threads = shared_state->threads, errors = 0;
  for (uint32_t op = 0; op < ops; op++) {
    uint32_t k = rng_next(&s) % SLOTS;
    if (slot[k]) {
      if (threads > 1 && rng_next(&s) % 4 == 0) send(rng_next(&s) % threads, slot[k]);
      else release(slot[k], &errors);
      slot[k] = 0;
    } else {
      uint32_t size = pick_size(&s);
      uint32_t *b = alloc_block(size, &s, &errors);
      if (b) { fill(b, size & ~3u, mix(op ^ (index << 24))); slot[k] = b; }
    }
    if ((op & 63) == 0) drain(index, &errors);
  }
  for (uint32_t k = 0; k < SLOTS; k++) if (slot[k]) release(slot[k], &errors);
  __atomic_fetch_add(&shared_state->done, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&shared_state->done, __ATOMIC_SEQ_CST) < threads) drain(index, &errors);
  drain(index, &errors);
  for (uint32_t i = 0; i < 32; i++) errors += stack_canary[i] != mix(i + 0x5000u * (index + 1));
  add(C_ERRORS, errors);
  return errors;
}

/** After the workers: the data and BSS canaries; frees the shared state. Returns errors. */
EXPORT(verify) uint32_t verify(void) {
  uint32_t errors = 0;
  static const uint32_t want[16] = {
    0x11111111u, 0x22222222u, 0x33333333u, 0x44444444u, 0x55555555u, 0x66666666u, 0x77777777u,
    0x88888888u, 0x99999999u, 0xaaaaaaaau, 0xbbbbbbbbu, 0xccccccccu, 0xddddddddu, 0xeeeeeeeeu,
    0xffffffffu, 0x12345678u,
  };
  for (uint32_t i = 0; i < 16; i++) errors += canary_data[i] != want[i];
  for (uint32_t i = 0; i < 1024; i++) errors += canary_bss[i] != mix(i ^ 0xb55u);
  return errors;
}

/** Shared counter `i` (C_ALLOCS ...), read before verify frees the state. */
EXPORT(counter) uint32_t counter(uint32_t i) { return i < 8 ? shared_state->counters[i] : 0; }

/** Free the shared state (last). */
EXPORT(teardown) void teardown(void) { free(shared_state); shared_state = 0; }
