/*
 * hakmem-emscripten.c: compile this file into an Emscripten pthreads program that uses
 * hakmem-wasm as its malloc (-sMALLOC=none, see README "Emscripten"), and link with
 * -Wl,--wrap=__set_thread_state.
 *
 * Every exiting pthread then retires its allocator identity (hakmem_detach), so its caches
 * and slabs go back to the heap instead of staying with the worker, which Emscripten reuses
 * for later pthreads. The hook sits in __set_thread_state because Emscripten 3.1.6 calls it
 * with a NULL thread exactly once per exiting thread, on that thread, inside
 * _emscripten_thread_exit: after the thread's TLS destructors and its last own frees (its
 * TLS block and key table), and before the thread becomes joinable. Every exit path passes
 * there (return from the start routine, pthread_exit, exit() in a thread, cancellation).
 * Blocks the thread leaves behind (its stack and struct, freed later by the main thread) are
 * remote frees into slabs now orphaned, which the allocator handles.
 *
 * Why detach and not hakmem_rest() (which keeps the caches and slabs for the worker's next
 * pthread): the next pthread a worker runs is usually not the one that frees this thread's
 * blocks (a thread creates its successor before it exits, so the successor starts on another
 * worker), and slabs kept by a resting identity take those frees as remote frees, reused only
 * when this worker runs again. Orphaned, they are adopted by whoever frees into them.
 */
#include <pthread.h>
#include "hakmem.h"

void __real___set_thread_state(pthread_t self, int is_main, int is_runtime, int can_block);

void __wrap___set_thread_state(pthread_t self, int is_main, int is_runtime, int can_block) {
  if (self == NULL) hakmem_detach();
  __real___set_thread_state(self, is_main, is_runtime, can_block);
}
