// names.ts: what a program compiled to wasm imports from the allocator, and under which names
// the allocator's functions appear in a linked program. Environment independent: used by the
// merge (merge.ts) and by the run-time link of two instances (program.ts).
//
// A program imports the C allocation functions from module "env" (what clang and Emscripten
// do for an undefined `malloc`) and hakmem-wasm's own calls from module "hakmem"
// (include/hakmem.h). Emscripten's libc also imports emscripten_builtin_* for its pthread
// stacks and TLS; they are the same allocator under other names.

/** Import (module "env") -> the allocator export that serves it. */
export const ENV_IMPORTS: Readonly<Record<string, string>> = {
  malloc: 'malloc',
  free: 'free',
  calloc: 'calloc',
  realloc: 'realloc',
  aligned_alloc: 'aligned_alloc',
  posix_memalign: 'posix_memalign',
  memalign: 'memalign',
  malloc_usable_size: 'malloc_usable_size',
  emscripten_builtin_malloc: 'malloc',
  emscripten_builtin_free: 'free',
  emscripten_builtin_memalign: 'memalign',
};

/** Import module of the allocator's own calls (include/hakmem.h). */
export const HAKMEM_MODULE = 'hakmem';

/** The allocator's own calls a program may import from HAKMEM_MODULE (same names as exports). */
export const HAKMEM_CALLS: readonly string[] = [
  'init', 'attach', 'detach', 'rest', 'reclaim', 'collect', 'park', 'heap_check', 'stats_collect',
  'set_ring_mode', 'set_can_wait', 'thread_id', 'thread_count', 'sync_memory',
];

/** Prefix of the allocator's exports in a merged module (the program's names stay as they are). */
export const MERGED_PREFIX = 'hakmem_';

/**
 * Exports the link adds to a merged module: start a thread's stack and TLS (argument: stack
 * bytes, 0 to keep the program's own stack; returns 1, or 0 when memory is exhausted), and
 * retire the thread (frees them, then detaches its allocator identity).
 */
export const THREAD_START = 'hakmem_thread_start';
export const THREAD_EXIT = 'hakmem_thread_exit';

/** The program exports a thread needs (wasm-ld: -Wl,--export=NAME for each). */
export const PROGRAM_GLOBALS = {
  heapBase: '__heap_base',
  stackPointer: '__stack_pointer',
  tlsBase: '__tls_base',
  tlsSize: '__tls_size',
  tlsAlign: '__tls_align',
  initTls: '__wasm_init_tls',
} as const;

/** Default stack of a thread the link starts (the main thread keeps the program's own). */
export const DEFAULT_STACK_BYTES = 256 * 1024;

/** The memory contract's alignment of a heap base (a wasm page). */
export const HEAP_BASE_ALIGN = 65536;

/** Round a program's first free byte up to a heap base. */
export function heapBaseFor(firstFree: number): number {
  return Math.ceil(firstFree / HEAP_BASE_ALIGN) * HEAP_BASE_ALIGN;
}
