// A heap refuses what it cannot trust: init stamps the heap with the initialising build's
// format (layout version, debug bit, sizes) at HEAP_BASE, where every build looks first. An
// instance of the other build then fails every call (malloc 0, free a no-op, attach 0,
// heap_check U32_MAX, init INIT_REFUSED) and writes not one byte of the heap; the host
// refuses it at instantiation with a HeapFormatError naming both formats.
import { describe, it, expect } from 'vitest';
import { createHeap, loadModule, type Build } from '../helpers/instances.js';
import { allocatorImports, instantiateAllocatorSync } from '../../dist/host/core/instance.js';
import { HeapFormatError } from '../../dist/host/core/format.js';
import { readLayout } from '../../dist/host/core/layout.js';

const other = (b: Build): Build => (b === 'release' ? 'debug' : 'release');

describe.each(['release', 'debug'] as const)('a %s heap', (build) => {
  it('is refused by the other build: every call fails and the memory is byte for byte unchanged', () => {
    const heap = createHeap({ build, threads: 1 });
    const [A] = heap.threads;
    const blocks = [A!.malloc(64), A!.malloc(5000), A!.malloc(100_000)];
    // The other build's raw instance (the host would refuse to make one: next test).
    const mod = loadModule(other(build));
    const foreign = new WebAssembly.Instance(mod, allocatorImports(mod, heap.memory)).exports as Record<string, (...a: number[]) => number>;
    const L = readLayout(foreign as unknown as WebAssembly.Exports);
    const before = new Uint8Array(heap.memory.buffer).slice();
    expect(foreign.heap_status!()).toBe(L.HEAP_STATUS_FOREIGN);
    expect(foreign.init!(2, 1, 0, 0, 1)).toBe(L.INIT_REFUSED);
    expect(foreign.attach!()).toBe(0);
    expect(foreign.malloc!(64)).toBe(0);
    expect(foreign.malloc!(1 << 20)).toBe(0);
    expect(foreign.calloc!(4, 16)).toBe(0);
    expect(foreign.aligned_alloc!(64, 64)).toBe(0);
    for (const p of blocks) foreign.free!(p);
    foreign.free!(blocks[0]! + 8); // a bad pointer is not even reported: the fault log is not its
    expect(foreign.realloc!(blocks[0]!, 10)).toBe(0);
    expect(foreign.malloc_usable_size!(blocks[0]!)).toBe(0);
    expect(foreign.heap_check!() >>> 0).toBe(0xFFFFFFFF);
    expect(foreign.stats_collect!()).toBe(0);
    expect(foreign.reclaim!(A!.tid)).toBe(0);
    foreign.collect!();
    expect(foreign.thread_count!()).toBe(0);
    expect(foreign.heap_format!() >>> 0).toBe(readLayout(A!.exports).HEAP_FORMAT);
    const after = new Uint8Array(heap.memory.buffer);
    expect(after.length).toBe(before.length);
    let changed = 0;
    for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) changed++;
    expect(changed).toBe(0);
    // and the heap is as it was: its own build frees the blocks, the checker is clean
    for (const p of blocks) A!.free(p);
    expect(heap.check().violations).toBe(0);
    expect(heap.faultSeq()).toBe(0);
  });

  it('the host refuses the other build at instantiation with a HeapFormatError naming both', () => {
    const heap = createHeap({ build, threads: 1 });
    let err: unknown;
    try {
      instantiateAllocatorSync(loadModule(other(build)), heap.memory);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HeapFormatError);
    expect((err as Error).message).toMatch(new RegExp(`made by the ${build} build, layout version \\d+ .*this module is the ${other(build)} build`));
  });

  it('the same build shares it', () => {
    const heap = createHeap({ build, threads: 1 });
    const again = instantiateAllocatorSync(loadModule(build), heap.memory);
    expect(again.exports.heap_status()).toBe(1);
    expect(again.exports.attach()).toBeGreaterThan(0);
    expect(again.exports.malloc(64)).toBeGreaterThan(0);
  });
});
