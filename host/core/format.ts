// format.ts: refusing a heap this module cannot share. The allocator stamps the heap with the
// format of the build that initialised it (layout version, debug bit, header and control
// region sizes: HEAP_FORMAT, assembly/types.ts); an instance of another build or version
// refuses that heap by itself (every call returns its failure value and writes nothing). The
// host says so up front: instantiating over such a memory throws HeapFormatError naming both.

import type { Layout } from './layout.js';

/** What a heap format says, in words. */
export function describeFormat(format: number): string {
  return `${format & 1 ? 'debug' : 'release'} build, layout version ${format >>> 24}`;
}

/** This module cannot use the heap already in the memory: another build or version made it. */
export class HeapFormatError extends Error {
  constructor(readonly heapFormat: number, readonly moduleFormat: number) {
    super(`the heap in this memory was made by the ${describeFormat(heapFormat)} ` +
      `(format 0x${(heapFormat >>> 0).toString(16)}); this module is the ${describeFormat(moduleFormat)} ` +
      `(format 0x${(moduleFormat >>> 0).toString(16)}): it refuses the heap and touches none of it`);
    this.name = 'HeapFormatError';
  }
}

/** Throw HeapFormatError if the instance says the heap in its memory is not its own. */
export function assertHeapFormat(exports: { heap_status(): number; heap_format(): number }, layout: Layout): void {
  if (exports.heap_status() === layout.HEAP_STATUS_FOREIGN) {
    throw new HeapFormatError(exports.heap_format() >>> 0, layout.HEAP_FORMAT);
  }
}
