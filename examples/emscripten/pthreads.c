/*
 * pthreads.c: an Emscripten pthreads program whose only malloc is hakmem-wasm.
 *
 * main() (on a pthread: -sPROXY_TO_PTHREAD) starts WAVES waves of THREADS pthreads. Each
 * thread allocates verified blocks of every tier, hands a quarter of them to the next thread
 * through a lock-free mailbox, frees what it receives, and checks that its own stack, its
 * TLS block and its pthread struct are live hakmem-wasm blocks (Emscripten's libc allocates
 * them with memalign, emscripten_builtin_memalign and malloc). After each wave the exited
 * threads must have detached: the attached thread count returns to what it was.
 *
 *   usage: node pthreads.js [threads] [ops] [waves]        prints one result line
 */
#include <emscripten/stack.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include "hakmem.h"

#define MAX_THREADS 16

static unsigned ops_per_thread = 20000;
static unsigned nthreads = 4;
static _Atomic(unsigned *) mailbox[MAX_THREADS];
static _Atomic unsigned errors, allocs, handed, not_hakmem;
static _Thread_local unsigned tls_marker = 0x7115u;

static unsigned mix(unsigned x) {
  x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16;
  return x;
}

/* word 0: mailbox link; word 1: words; word 2: tag; then mix(tag + i) */
static unsigned *make(unsigned bytes, unsigned tag) {
  unsigned *b = malloc(bytes);
  if (!b) { errors++; return NULL; }
  unsigned n = bytes / 4;
  b[0] = 0; b[1] = n; b[2] = tag;
  for (unsigned i = 3; i < n; i++) b[i] = mix(tag + i);
  allocs++;
  return b;
}

static void release(unsigned *b) {
  for (unsigned i = 3; i < b[1]; i++) if (b[i] != mix(b[2] + i)) { errors++; break; }
  free(b);
}

static void drain(unsigned me) {
  unsigned *p = atomic_exchange(&mailbox[me], NULL);
  while (p) { unsigned *next = (unsigned *)(uintptr_t)p[0]; release(p); p = next; }
}

static void *run(void *arg) {
  unsigned me = (unsigned)(uintptr_t)arg, s = mix(me + 1) | 1;
  unsigned *slot[128] = {0};
  /* The thread's stack, TLS block and struct: each must be a live hakmem-wasm block. */
  if (malloc_usable_size((void *)emscripten_stack_get_end()) == 0) not_hakmem++;
  if (malloc_usable_size(__builtin_wasm_tls_base()) == 0) not_hakmem++;
  if (malloc_usable_size(pthread_self()) == 0) not_hakmem++;
  if (tls_marker != 0x7115u) errors++;
  tls_marker = me;
  for (unsigned op = 0; op < ops_per_thread; op++) {
    s ^= s << 13; s ^= s >> 17; s ^= s << 5;
    unsigned k = s % 128;
    if (slot[k]) {
      if (s % 4 == 0) {
        unsigned to = (me + 1) % nthreads, *old = atomic_load(&mailbox[to]);
        do { slot[k][0] = (unsigned)(uintptr_t)old; } while (!atomic_compare_exchange_weak(&mailbox[to], &old, slot[k]));
        handed++;
      } else {
        release(slot[k]);
      }
      slot[k] = NULL;
    } else {
      unsigned r = mix(s), bytes = r % 100 < 80 ? 12 + r % 1012 : r % 100 < 97 ? 1024 + r % 31744 : 32768 + r % 300000;
      slot[k] = make(bytes & ~3u, s);
    }
    if ((op & 31) == 0) drain(me);
  }
  for (unsigned k = 0; k < 128; k++) if (slot[k]) release(slot[k]);
  if (tls_marker != me) errors++;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) nthreads = (unsigned)atoi(argv[1]);
  if (argc > 2) ops_per_thread = (unsigned)atoi(argv[2]);
  unsigned waves = argc > 3 ? (unsigned)atoi(argv[3]) : 3;
  if (nthreads < 1 || nthreads > MAX_THREADS) { fprintf(stderr, "threads: 1..%d\n", MAX_THREADS); return 2; }
  unsigned before = hakmem_thread_count(), leaked = 0;
  for (unsigned w = 0; w < waves; w++) {
    pthread_t t[MAX_THREADS];
    for (unsigned i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, run, (void *)(uintptr_t)i);
    for (unsigned i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
    for (unsigned i = 0; i < nthreads; i++) drain(i);  /* blocks handed to a thread after its last drain */
    if (hakmem_thread_count() != before) leaked++;     /* every exited thread detached */
  }
  printf("pthreads %u waves %u allocs %u handed %u errors %u not_hakmem %u undetached_waves %u threads %u\n",
         nthreads, waves, (unsigned)allocs, (unsigned)handed, (unsigned)errors, (unsigned)not_hakmem,
         leaked, hakmem_thread_count());
  return errors || not_hakmem || leaked ? 1 : 0;
}
