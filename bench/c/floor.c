/*
 * The floor allocator, the C twin of bench/assembly/floor.ts (the design and its costs are
 * described there and in bench/README.md "The floor"): per thread, one LIFO stack of free
 * blocks per size class, the class, stamp and size in the 8 bytes before each block; once a
 * thread's frees exceed its takes by FLOOR_SPILL_BYTES it pushes every stack onto its class's
 * global stack as one chain (one CAS per class), and a thread with an empty stack takes the
 * whole global stack (one exchange) before it carves.  Memory comes from the system malloc in
 * 64 KiB pieces.  A thread that exits (a pthread key's destructor) parks its whole state,
 * stacks and all, on a list of parked states, and the state goes to the thread that frees its
 * blocks: a block's stamp names the state that last freed or carved it; a new thread whose
 * first free finds a parked state's stamp takes that state whole, and a thread that began with
 * a state of its own takes the parked state of one of its first FLOOR_ADOPT_TRIES foreign frees
 * (larson's next generation starts before its predecessor's destructor has parked), its own
 * few blocks on top.  So larson's generations hand their blocks on with one push and one pop,
 * never block by block, and never to the other lineage (see floor.ts).
 *
 *   malloc  class lookup, one load of the head, one of its next, one of its size, two stores,
 *           one add: one test.
 *   free    three loads of the header, one of the thread's stamp, three stores, one add, two
 *           compares.
 */
#include "floor.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define FLOOR_SMALL_MAX 1024u                         /* 16-byte steps up to here */
#define FLOOR_STEP_SHIFT 4u
#define FLOOR_SMALL_SHIFT 10u                         /* log2(FLOOR_SMALL_MAX) */
#define FLOOR_SMALL_CLASSES ((FLOOR_SMALL_MAX >> FLOOR_STEP_SHIFT) + 1u)
#define FLOOR_CLASSES (FLOOR_SMALL_CLASSES + (31u - FLOOR_SMALL_SHIFT)) /* then powers of two */
#define FLOOR_HEADER 8u
#define FLOOR_PIECE (64u << 10)
#define FLOOR_OWN_PIECE (FLOOR_PIECE >> 1)
#define FLOOR_SPILL_BYTES (1 << 20)
#define FLOOR_ADOPT_TRIES 4096u                       /* foreign frees that may take a parked state */
#define STAMP_NONE 0x10000u                           /* matches no stamp: a first op that is a malloc */

typedef struct floor_block { struct floor_block *next; } floor_block;

/* The 8 bytes before a block: its class and size, written when it is carved, and its stamp:
 * the low 16 bits of the id of the thread state that last carved or freed it. */
typedef struct { uint16_t cls, stamp; uint32_t size; } floor_header;
#define HEADER_OF(p) ((floor_header *)((char *)(p) - FLOOR_HEADER))

typedef struct {
    floor_block *heads[FLOOR_CLASSES];
    int64_t free_bytes;                               /* freed minus taken since the last spill */
    char *bump, *bump_end;
    uint16_t stamp;                                   /* this state's id (never 0) */
    uint32_t tries;                                   /* foreign frees left that may take a parked state */
} floor_thread;

/* One global stack head per class, each on its own 64-byte line. */
typedef struct { alignas(64) _Atomic(floor_block *) head; } floor_global;
static floor_global globals[FLOOR_CLASSES];

static _Thread_local floor_thread self;
static _Thread_local int registered;

/* A parked state: an exited thread's, waiting for a new thread (under parked_lock). */
typedef struct floor_parked { floor_thread state; struct floor_parked *next; } floor_parked;
static floor_parked *parked;
static pthread_mutex_t parked_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static _Atomic uint32_t last_id;

static inline uint32_t floor_class(size_t n) {
    if (n <= FLOOR_SMALL_MAX) return (uint32_t)((n + (1u << FLOOR_STEP_SHIFT) - 1u) >> FLOOR_STEP_SHIFT);
    return FLOOR_SMALL_CLASSES - FLOOR_SMALL_SHIFT - 1u + (32u - (uint32_t)__builtin_clz((uint32_t)(n - 1u)));
}

static size_t floor_block_size(uint32_t c) {
    if (c < FLOOR_SMALL_CLASSES) return (size_t)(c ? c : 1u) << FLOOR_STEP_SHIFT;
    return (size_t)1 << (c - FLOOR_SMALL_CLASSES + FLOOR_SMALL_SHIFT + 1u);
}

/* Push class c's stack onto the global one as one chain (pushes only: no ABA). */
static void floor_spill(floor_thread *t, uint32_t c) {
    floor_block *top = t->heads[c];
    if (top == NULL) return;
    floor_block *tail = top;
    while (tail->next != NULL) tail = tail->next;
    floor_block *old = atomic_load_explicit(&globals[c].head, memory_order_relaxed);
    do {
        tail->next = old;
    } while (!atomic_compare_exchange_weak_explicit(&globals[c].head, &old, top,
                                                    memory_order_release, memory_order_relaxed));
    t->heads[c] = NULL;
}

/* The thread exits: park a copy of its state (its TLS goes away with it). */
static void floor_thread_exit(void *unused) {
    (void)unused;
    floor_parked *p = malloc(sizeof *p);
    if (p == NULL) {                      /* no memory for the copy: hand the blocks out instead */
        for (uint32_t c = 0; c < FLOOR_CLASSES; c++) floor_spill(&self, c);
        return;
    }
    p->state = self;
    pthread_mutex_lock(&parked_lock);
    p->next = parked;
    parked = p;
    pthread_mutex_unlock(&parked_lock);
}

/* Take the parked state stamped `stamp` whole, if there is one: this thread's blocks go on
 * top of its stacks, the larger piece left to carve is kept.  Returns whether it did. */
static int floor_take_parked(floor_thread *t, uint32_t stamp) {
    pthread_mutex_lock(&parked_lock);
    floor_parked **at = &parked;
    while (*at != NULL && (*at)->state.stamp != stamp) at = &(*at)->next;
    floor_parked *p = *at;
    if (p != NULL) *at = p->next;
    pthread_mutex_unlock(&parked_lock);
    if (p == NULL) return 0;
    for (uint32_t c = 0; c < FLOOR_CLASSES; c++) {
        floor_block *mine = t->heads[c];
        if (mine != NULL) {
            floor_block *tail = mine;
            while (tail->next != NULL) tail = tail->next;
            tail->next = p->state.heads[c];
            p->state.heads[c] = mine;
        }
    }
    p->state.free_bytes += t->free_bytes;
    if (t->bump_end - t->bump > p->state.bump_end - p->state.bump) {
        p->state.bump = t->bump;
        p->state.bump_end = t->bump_end;
    }
    p->state.tries = 0;                               /* its predecessor's state: nothing more to find */
    *t = p->state;
    free(p);
    return 1;
}

static void floor_make_key(void) { pthread_key_create(&exit_key, floor_thread_exit); }

/* This thread's first op: register the exit hook, and take the parked state stamped `stamp`
 * (the first block it frees), else start a state of its own. */
static void floor_register(uint32_t stamp) {
    pthread_once(&exit_once, floor_make_key);
    pthread_setspecific(exit_key, &self);             /* non-NULL: the destructor runs at exit */
    registered = 1;
    if (floor_take_parked(&self, stamp)) return;
    uint32_t id;
    do id = atomic_fetch_add_explicit(&last_id, 1, memory_order_relaxed) + 1u; while ((uint16_t)id == 0);
    self.stamp = (uint16_t)id;
    self.tries = FLOOR_ADOPT_TRIES;
}

/* A free of a block stamped by another state (or this thread's first op): take that state if
 * this thread may, then stamp the block as this thread's. */
static void floor_foreign(floor_header *h) {
    if (!registered) {
        floor_register(h->stamp);
    } else if (self.tries != 0) {
        self.tries--;
        floor_take_parked(&self, h->stamp);
    }
    h->stamp = self.stamp;
}

/* The class's stack was empty: take the global stack, else carve a block. */
static void *floor_refill(uint32_t c) {
    floor_thread *t = &self;
    if (!registered) {
        floor_register(STAMP_NONE);
        floor_block *own = t->heads[c];           /* a parked state could have had this class */
        if (own != NULL) {
            t->heads[c] = own->next;
            t->free_bytes -= HEADER_OF(own)->size;
            return own;
        }
    }
    /* Exchange, not pop: taking the whole stack cannot suffer ABA. */
    floor_block *got = atomic_exchange_explicit(&globals[c].head, NULL, memory_order_acquire);
    if (got != NULL) {
        t->heads[c] = got->next;
        t->free_bytes -= HEADER_OF(got)->size;
        return got;
    }
    size_t bytes = floor_block_size(c) + FLOOR_HEADER;
    char *at;
    if (bytes >= FLOOR_OWN_PIECE) {
        at = malloc(bytes);
        if (at == NULL) return NULL;
    } else {
        if (t->bump == NULL || (size_t)(t->bump_end - t->bump) < bytes) {
            t->bump = malloc(FLOOR_PIECE);
            if (t->bump == NULL) return NULL;
            t->bump_end = t->bump + FLOOR_PIECE;
        }
        at = t->bump;
        t->bump += bytes;
    }
    *(floor_header *)at = (floor_header){ (uint16_t)c, t->stamp, (uint32_t)(bytes - FLOOR_HEADER) };
    return at + FLOOR_HEADER;
}

/* An `align`-aligned block of n bytes (align a power of two, at most a piece): a block of a
 * larger class, and at the aligned address inside it a header naming the largest class that
 * still fits before the block's end, so floor_free takes it as a block of that class (the
 * bytes before it are lost: the harness calls this only for its few untimed records). */
void *floor_aligned_alloc(size_t align, size_t n) {
    uint32_t c = floor_class(n + align + FLOOR_HEADER + (1u << FLOOR_STEP_SHIFT));
    char *p = floor_malloc(n + align + FLOOR_HEADER + (1u << FLOOR_STEP_SHIFT));
    if (p == NULL) return NULL;
    char *end = p + floor_block_size(c);
    char *q = (char *)(((uintptr_t)p + FLOOR_HEADER + align - 1u) & ~(uintptr_t)(align - 1u));
    size_t avail = (size_t)(end - q);
    uint32_t fits = avail <= FLOOR_SMALL_MAX ? (uint32_t)(avail >> FLOOR_STEP_SHIFT)
        : FLOOR_SMALL_CLASSES - 1u + (31u - (uint32_t)__builtin_clz((uint32_t)avail)) - FLOOR_SMALL_SHIFT;
    *HEADER_OF(q) = (floor_header){ (uint16_t)fits, self.stamp, (uint32_t)floor_block_size(fits) };
    return q;
}

void *floor_malloc(size_t n) {
    uint32_t c = floor_class(n);
    floor_block *p = self.heads[c];
    if (p == NULL) return floor_refill(c);
    self.heads[c] = p->next;
    self.free_bytes -= HEADER_OF(p)->size;
    return p;
}

void floor_free(void *p) {
    if (p == NULL) return;
    floor_header *h = HEADER_OF(p);
    if (h->stamp != self.stamp) floor_foreign(h);
    floor_block *b = p;
    b->next = self.heads[h->cls];
    self.heads[h->cls] = b;
    if ((self.free_bytes += h->size) > FLOOR_SPILL_BYTES) {
        for (uint32_t c = 0; c < FLOOR_CLASSES; c++) floor_spill(&self, c);
        self.free_bytes = 0;
    }
}
