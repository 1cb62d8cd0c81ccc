/*
 * The floor allocator (floor.c): the least work any allocator could do for the workloads, so
 * that `compare` can subtract the cost of running the workload itself from an allocator's time
 * per operation.  A build with -DBENCH_FLOOR (common.h) sends the workloads' malloc and free
 * here; the C library's own allocations (threads, stdio) still use the system malloc.
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <stddef.h>

void *floor_malloc(size_t n);
void floor_free(void *p);
void *floor_aligned_alloc(size_t align, size_t n);  /* for the untimed records; freed by floor_free */

#endif
