// Numbers are checked at the host's boundary: the raw exports would take any JavaScript
// number modulo 2^32 (5 GiB as 1 GiB, NaN as 0), so every Heap call that passes a size,
// count, alignment or pointer rejects what it cannot represent with a RangeError, and a pool
// larger than the thread table fails before any worker starts.
import { describe, it, expect, afterAll } from 'vitest';
import { Heap, WorkerPool, ThreadLimitError } from '../../dist/host/index.js';

const heap = await Heap.create({ build: 'release' });
afterAll(() => heap.assertClean());

describe('host boundary checks', () => {
  const bad = [5 * 2 ** 30, 2 ** 32 + 16, 2 ** 32, -1, 1.5, NaN, Infinity];

  it.each(bad)('malloc(%s) is a RangeError, not a wrapped size', (n) => {
    expect(() => heap.malloc(n)).toThrow(RangeError);
    expect(() => heap.calloc(1, n)).toThrow(RangeError);
    expect(() => heap.calloc(n, 1)).toThrow(RangeError);
    expect(() => heap.alignedAlloc(16, n)).toThrow(RangeError);
  });

  it('realloc, free, usableSize and reclaim check their arguments too', () => {
    const p = heap.malloc(64);
    expect(() => heap.realloc(p, 2 ** 32 + 8)).toThrow(RangeError);
    expect(() => heap.realloc(-4, 8)).toThrow(RangeError);
    expect(() => heap.free(2 ** 32 + p)).toThrow(RangeError);
    expect(() => heap.usableSize(NaN)).toThrow(RangeError);
    expect(() => heap.reclaim(-1)).toThrow(RangeError);
    expect(heap.usableSize(p)).toBe(64);   // nothing was freed by the rejected calls
    heap.free(p);
  });

  it('an alignment must be a power of two up to 1 MiB', () => {
    for (const a of [0, 3, 24, 2 ** 21, 0.5]) expect(() => heap.alignedAlloc(a, 8)).toThrow(RangeError);
    const p = heap.alignedAlloc(2 ** 20, 8);
    expect(p % 2 ** 20).toBe(0);
    heap.free(p);
  });

  it('the largest representable sizes are accepted (and fail as OOM with 0, not a trap)', () => {
    expect(heap.malloc(2 ** 32 - 1)).toBe(0);
    expect(heap.calloc(2 ** 16, 2 ** 16)).toBe(0);   // n * size overflows: 0
  });

  it('a pool beyond the thread limit fails before any worker starts', async () => {
    const before = heap.threads().length;
    const limit = heap.layout.MAX_THREADS - 1;
    const t0 = Date.now();
    await expect(WorkerPool.create(heap, limit)).rejects.toBeInstanceOf(ThreadLimitError);
    await expect(WorkerPool.create(heap, limit)).rejects.toThrow(/at most 1023 threads at once/);
    expect(Date.now() - t0).toBeLessThan(1000);   // no worker was started and waited for
    expect(heap.threads().length).toBe(before);
    await expect(WorkerPool.create(heap, 0)).rejects.toBeInstanceOf(RangeError);
  });
});
