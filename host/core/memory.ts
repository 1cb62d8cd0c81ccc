// memory.ts: the shared memory every allocator instance imports, and the build names.
// Environment independent (Node, browsers): no files, no Node APIs.

/**
 * Which build of the allocator: `release` (-O3, slow-path ring), `debug` (checked frees), or
 * `crash` (release code whose crash points can be armed to trap: the kill trials' build; not
 * shipped in the package).
 */
export type BuildName = 'release' | 'debug' | 'crash';

/** Pages of 64 KiB a memory the host creates starts with (1 MiB: the control region fits). */
export const INITIAL_PAGES = 16;
/** Largest maximum the module accepts (4 GiB). */
export const MAX_PAGES = 65536;

/** Create the shared memory every instance imports. */
export function createSharedMemory(maxPages: number = MAX_PAGES): WebAssembly.Memory {
  if (!Number.isInteger(maxPages) || maxPages < INITIAL_PAGES || maxPages > MAX_PAGES) {
    throw new RangeError(`maxPages must be an integer in [${INITIAL_PAGES}, ${MAX_PAGES}]`);
  }
  return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: maxPages, shared: true });
}
