// The debug ring: modes (off / slow-path / every event), run-time switching, and the events
// the host decodes (seq written last, thread, kind, class, ptr, aux).
import { describe, it, expect } from 'vitest';
import { BUILDS, EV, FAULT, createHeap } from '../helpers/instances.js';

describe.each(BUILDS)('debug ring (%s build)', (build) => {
  it('mode 0 records nothing; set_ring_mode switches at run time and returns the previous mode', () => {
    const heap = createHeap({ build, ringMode: 0 });
    const A = heap.threads[0];
    const seq = heap.ringSeq();
    const ps = Array.from({ length: 500 }, () => A.malloc(100));
    for (const p of ps) A.free(p);
    A.free(0x100); // a fault is still recorded in the fault log
    expect(heap.ringSeq()).toBe(seq);
    expect(heap.faultsSince(0).map((f) => f.code)).toEqual([FAULT.outside_heap]);
    expect(A.raw.set_ring_mode(1)).toBe(0);
    expect(A.raw.set_ring_mode(2)).toBe(1);
    expect(A.raw.set_ring_mode(9)).toBe(2); // clamped to 2
    expect(A.raw.set_ring_mode(0)).toBe(2);
  });

  it('mode 1 records slow-path events only: carve, refill, slab acquire, faults with their code', () => {
    const heap = createHeap({ build, ringMode: 1 });
    const A = heap.threads[0];
    const seq = heap.ringSeq();
    const ps = Array.from({ length: 300 }, () => A.malloc(100));
    A.free(ps[0] + 4);
    const ev = heap.eventsSince(seq);
    const kinds = new Set(ev.map((e) => e.kind));
    expect(kinds.has(EV.carve)).toBe(true);
    expect(kinds.has(EV.refill)).toBe(true);
    expect(kinds.has(EV.slab_acquire)).toBe(true);
    expect(kinds.has(EV.alloc)).toBe(false);
    expect(kinds.has(EV.free)).toBe(false);
    expect(ev.every((e) => e.thread === (A.tid & 0xffff))).toBe(true);
    // carve events: ptr = first block, aux = blocks; together they cover every block handed out
    const carved = ev.filter((e) => e.kind === EV.carve);
    expect(carved.every((e) => e.cls === A.classOf(100))).toBe(true);
    expect(carved.reduce((a, e) => a + e.aux, 0)).toBeGreaterThanOrEqual(300);
    const f = ev.filter((e) => e.kind === EV.fault);
    expect(f.length).toBe(1);
    expect(f[0].ptr).toBe(ps[0] + 4);
    expect(f[0].aux).toBe(FAULT.not_block_start);
    expect(heap.faultsSince(0)[0].ringSeq).toBe(f[0].seq);
  });

  it('mode 2 records every malloc and free in the debug build only', () => {
    const heap = createHeap({ build, ringMode: 2 });
    const A = heap.threads[0];
    const seq = heap.ringSeq();
    const ps = Array.from({ length: 300 }, () => A.malloc(48));
    for (const p of ps) A.free(p);
    const ev = heap.eventsSince(seq);
    const allocs = ev.filter((e) => e.kind === EV.alloc);
    const frees = ev.filter((e) => e.kind === EV.free);
    if (build === 'debug') {
      expect(allocs.map((e) => e.ptr)).toEqual(ps);
      expect(frees.length).toBe(300);
      expect(new Set(frees.map((e) => e.ptr))).toEqual(new Set(ps));
    } else {
      expect(allocs.length + frees.length).toBe(0);
      expect(ev.length).toBeGreaterThan(0); // slow-path events still recorded
    }
  });
});
