/*
 * micro.c: the malloc+free pair of `hakmem-wasm bench micro`, written in C, to measure what
 * a call costs from a program compiled to wasm: merged with hakmem-wasm into one module, or
 * calling a second instance (`hakmem-wasm bench-link`).
 *
 * micro_pairs(n, size): n pairs of malloc(size) / free, one byte stored into each block, the
 * xor of the addresses returned (the loop stays observable, so no pair is optimised away).
 */
#include "hakmem.h"

__attribute__((export_name("micro_pairs"))) uint32_t micro_pairs(uint32_t n, uint32_t size) {
  uint32_t acc = 0;
  for (uint32_t i = 0; i < n; i++) {
    volatile uint8_t *p = malloc(size);
    *p = (uint8_t)i;
    acc ^= (uint32_t)(uintptr_t)p;
    free((void *)p);
  }
  return acc;
}
