// workload.ts: a deterministic random mix of allocator calls over several instances of one
// heap, with every live block tagged so that overlapping or lost blocks are noticed.
import { expect } from 'vitest';
import { Heap, Thread, rng } from './instances.js';

export interface Live { p: number; size: number; tag: number; small: boolean }

export interface MixOptions {
  ops: number;
  maxSmall?: number;        // largest small request (default 32768)
  largeEvery?: number;      // roughly one large (> 32 KiB) request per this many mallocs (0 = none)
  collectEvery?: number;    // roughly one collect per this many ops (0 = none)
}

/** Tag words written into a block of `size` bytes (0..4). */
function tagWords(size: number): number {
  return Math.min(4, size >> 2);
}

export class Mix {
  readonly live: Live[] = [];
  private nextTag = 1;
  readonly random: () => number;
  constructor(readonly heap: Heap, public threads: Thread[], seed: number) {
    this.random = rng(seed);
  }

  private pick<T>(a: T[]): T { return a[Math.floor(this.random() * a.length)]; }

  private smallSize(max: number): number {
    const r = this.random();
    if (r < 0.6) return Math.floor(this.random() * 129);          // 0..128
    if (r < 0.85) return 129 + Math.floor(this.random() * 896);   // ..1024
    return Math.min(max, 1025 + Math.floor(this.random() * 31744)); // ..32768
  }

  private size(o: MixOptions): number {
    if (o.largeEvery && this.random() * o.largeEvery < 1) {
      return this.random() < 0.85 ? 32769 + Math.floor(this.random() * 900000) : 1000000 + Math.floor(this.random() * 1200000);
    }
    return this.smallSize(o.maxSmall ?? 32768);
  }

  private write(b: Live): void {
    const n = tagWords(b.size);
    for (let i = 0; i < n; i++) this.heap.setU32(b.p + 4 * i, (b.tag * 0x01000193 + i) >>> 0);
  }
  private verify(b: Live, p = b.p, size = b.size): void {
    const n = tagWords(size);
    for (let i = 0; i < n; i++) {
      if (this.heap.u32(p + 4 * i) !== ((b.tag * 0x01000193 + i) >>> 0)) {
        expect.fail(`block ${b.p} (size ${b.size}, tag ${b.tag}) was overwritten (word ${i})`);
      }
    }
  }

  private add(p: number, size: number): void {
    if (p === 0) expect.fail(`allocation of ${size} bytes failed`);
    const b = { p, size, tag: this.nextTag++, small: size <= 32768 };
    this.write(b);
    this.live.push(b);
  }

  private takeRandom(): Live | undefined {
    if (this.live.length === 0) return undefined;
    const i = Math.floor(this.random() * this.live.length);
    const b = this.live[i];
    this.live[i] = this.live[this.live.length - 1];
    this.live.pop();
    return b;
  }

  /** Free one random live block from a random thread (often not the one that allocated it). */
  freeOne(t: Thread = this.pick(this.threads)): void {
    const b = this.takeRandom();
    if (!b) return;
    this.verify(b);
    t.free(b.p);
  }

  run(o: MixOptions): void {
    for (let i = 0; i < o.ops; i++) {
      const t = this.pick(this.threads);
      const r = this.random();
      if (r < 0.36) {
        const size = this.size(o);
        this.add(t.malloc(size), size);
      } else if (r < 0.70) {
        this.freeOne(t);
      } else if (r < 0.80) {
        const b = this.takeRandom();
        if (!b) continue;
        this.verify(b);
        const size = this.size(o);
        const q = t.realloc(b.p, size);
        if (q === 0) expect.fail(`realloc(${b.p}, ${size}) failed`);
        // the content survives up to the smaller size
        this.verify(b, q, Math.min(size, b.size));
        // a block that stayed in place keeps its kind; a moved one is what malloc(size) gives
        const nb = { p: q, size, tag: this.nextTag++, small: q === b.p ? b.small : size <= 32768 };
        this.write(nb);
        this.live.push(nb);
      } else if (r < 0.90) {
        const n = 1 + Math.floor(this.random() * 8);
        const size = Math.floor(this.smallSize(4096) / n) + 1;
        const p = t.calloc(n, size);
        if (p !== 0 && this.heap.bytes(p, n * size).some((x) => x !== 0)) expect.fail(`calloc(${n}, ${size}) not zeroed`);
        this.add(p, n * size);
      } else if (r < 0.97) {
        const align = 2 ** Math.floor(this.random() * 13); // 1..4096: small classes
        const size = this.smallSize(8192);
        const p = t.alignedAlloc(align, size);
        if (p % align !== 0) expect.fail(`aligned_alloc(${align}, ${size}) = ${p}`);
        this.add(p, size);
        this.live[this.live.length - 1].small = true;
      } else if (o.collectEvery && this.random() * o.collectEvery * 0.03 < 1) {
        t.collect();
      }
    }
  }

  /** Assert the heap is consistent and its counters match the live blocks. */
  verifyHeap(label: string): void {
    const r = this.heap.check();
    if (r.violations !== 0) expect.fail(`${label}: heap_check ${r.violations} violations: ${JSON.stringify(r.details.slice(0, 4))}`);
    const st = this.heap.stats();
    const inUse = st.classes.reduce((a, c) => a + c.inUse, 0);
    const small = this.live.filter((b) => b.small).length;
    expect(inUse, `${label}: blocks in use`).toBe(small);
    // runs waiting in a thread's large cache are free to the program (and still counted as runs)
    expect(st.largeRuns + st.hugeSpans - st.largeCachedRuns, `${label}: large blocks`).toBe(this.live.length - small);
    for (const b of this.live) this.verify(b);
  }

  /** Free everything (from random threads), then let every thread give everything back. */
  drainAll(): void {
    while (this.live.length) this.freeOne();
    for (const t of this.threads) t.collect(); // pushes every outbox
    for (const t of this.threads) t.collect(); // drains and releases; sweeps orphans
  }
}
