// Decoders on a real heap: ring events, fault records (report policy on the main thread,
// strict policy killing a worker), thread records, the slab map, the stats and check report.

import { describe, it, expect } from 'vitest';
import { Heap, WorkerPool, HeapFaultError, WorkerDiedError } from '../../dist/host/index.js';

describe('decoders', () => {
  it('ring events show attach, superslab/slab acquire, carve and refill in seq order', async () => {
    const heap = await Heap.create({ maxPages: 256, config: { ring: 'slow' } });
    const p = heap.malloc(40);
    expect(p).not.toBe(0);
    const events = heap.ring(64);
    const kinds = events.map((e) => e.kindName);
    for (const k of ['attach', 'superslab_acquire', 'slab_acquire', 'carve', 'refill']) expect(kinds).toContain(k);
    for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBe(events[i - 1]!.seq + 1);
    const attach = events.find((e) => e.kindName === 'attach')!;
    expect(attach.aux).toBe(heap.tid);
    const carve = events.find((e) => e.kindName === 'carve')!;
    expect(carve.cls).toBe(heap.exports.class_of(40));

    heap.setRingMode('off');
    const last = heap.ring(1)[0]!.seq;
    heap.free(p); heap.collect();
    expect(heap.ring(1)[0]!.seq).toBe(last); // nothing recorded while off
    expect(heap.setRingMode('slow')).toBe('off');
  });

  it('bad frees under the report policy are decoded with the right code', async () => {
    const heap = await Heap.create({ maxPages: 256, config: { faultPolicy: 'report' } });
    const p = heap.malloc(64);
    heap.free(p + 8); // interior pointer: returns normally under 'report'
    let f = heap.faults().at(-1)!;
    expect(f.codeName).toBe('not_block_start');
    expect(f.ptr).toBe(p + 8);
    expect(f.tid).toBe(heap.tid);
    expect(f.found).toMatchObject({ kind: 'slab', stateName: 'small', cls: heap.exports.class_of(64) });

    heap.free(0x7ff0_0000); // far outside the heap
    f = heap.faults().at(-1)!;
    expect(f.codeName).toBe('outside_heap');
    expect(f.found.kind).toBe('registry');

    heap.free(p);
    let err: unknown;
    try { heap.freeChecked(p); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HeapFaultError);
    const hf = err as HeapFaultError;
    expect(hf.fault.codeName).toBe('double_free');
    expect(hf.message).toMatch(new RegExp(`^double free of 0x${p.toString(16)} by thread ${heap.tid}: `));
    expect(hf.events.some((e) => e.kindName === 'fault')).toBe(true);
    expect(heap.faultCount()).toBe(3);
    expect(heap.stats().faults).toBe(3);
    expect(() => heap.freeChecked(heap.malloc(16))).not.toThrow();
    heap.collect();
    expect(heap.check().violations).toBe(0); // faults changed nothing
  });

  it('thread records, slab map and stats describe live blocks', async () => {
    const heap = await Heap.create({ maxPages: 256 });
    const ptrs = Array.from({ length: 100 }, () => heap.malloc(100));
    const big = heap.malloc(100 * 1024);
    const me = heap.threads().find((t) => t.tid === heap.tid)!;
    expect(me.stateName).toBe('active');
    const cls = heap.exports.class_of(100);
    expect(me.caches.find((c) => c.cls === cls)!.held).toBe(100);

    const map = heap.map();
    const slabs = map.chunks.flatMap((c) => (c.kind === 'superslab' ? c.slabs : []));
    const mine = slabs.filter((s) => s.stateName === 'small' && s.cls === cls);
    expect(mine.length).toBe(1);
    expect(mine[0]!.owner).toBe(heap.tid);
    expect(mine[0]!.used).toBeGreaterThanOrEqual(100);
    expect(mine[0]!.carved).toBeLessThanOrEqual(mine[0]!.capacity);
    expect(map.largeRuns).toEqual([{ addr: big, slabs: 2, bytes: 100 * 1024 }]);

    const s = heap.stats();
    expect(s.classes[cls]!.inUse).toBe(100);
    expect(s.largeRuns).toBe(1);
    expect(s.largeBytesAsked).toBe(100 * 1024); // the small ones are counted in blocks (inUse above)
    expect(s.largeBytesGiven).toBe(heap.usableSize(big));
    const r = heap.check();
    expect(r.violations).toBe(0);
    expect(r.classTotals[cls]).toBe(100);

    for (const p of ptrs) heap.free(p);
    heap.free(big);
    heap.collect();
    expect(heap.stats().smallSlabs).toBe(0);
    expect(heap.map().chunks.every((c) => c.kind === 'free')).toBe(true);
  });

  it('views survive memory growth', async () => {
    const heap = await Heap.create({ maxPages: 1024 });
    const before = heap.u8().length;
    const p = heap.malloc(8 << 20); // a huge span: the memory grows
    expect(heap.u8().length).toBeGreaterThan(before);
    heap.u8()[p + (8 << 20) - 1] = 0xab;
    expect(heap.dataView().getUint8(p + (8 << 20) - 1)).toBe(0xab);
    expect(heap.memoryPages() * 65536).toBe(heap.u32().length * 4);
    heap.free(p);
  });

  it('a strict-policy fault kills the worker; the pool reports it decoded; reclaimDead recovers', async () => {
    const heap = await Heap.create({ maxPages: 256, config: { faultPolicy: 'strict' } });
    const pool = await WorkerPool.create(heap, 2);
    try {
      const [p] = await pool.request(0, 'mallocBatch', { sizes: [64] });
      const tid = pool.tids[0]!;
      let err: unknown;
      try { await pool.call(0, 'free', p! + 8); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(WorkerDiedError);
      const wd = err as WorkerDiedError;
      expect(wd.index).toBe(0);
      expect(wd.tid).toBe(tid);
      expect(wd.exitCode).toBe(1);
      expect(wd.fault?.codeName).toBe('not_block_start');
      expect(wd.fault?.ptr).toBe(p! + 8);
      expect(wd.events.some((e) => e.kindName === 'fault' && e.ptr === p! + 8)).toBe(true);
      expect(wd.message).toContain('not block start of');
      expect(pool.dead()).toEqual([0]);
      await expect(pool.call(0, 'thread_id')).rejects.toBeInstanceOf(WorkerDiedError);

      expect(heap.threads().some((t) => t.tid === tid)).toBe(true);
      expect(pool.reclaimDead()).toEqual([tid]);
      expect(pool.reclaimDead()).toEqual([]); // once only
      expect(heap.threads().some((t) => t.tid === tid)).toBe(false);
      expect(heap.stats().reclaims).toBe(1);
      expect(heap.check().violations).toBe(0);
      // The survivor frees the dead worker's block: its memory comes back.
      await pool.request(1, 'freeBatch', { ptrs: [p!] });
      await pool.request(1, 'collect', {});
      heap.collect();
      expect(heap.check().violations).toBe(0);
      expect(heap.stats().smallSlabs).toBe(0);
    } finally {
      await pool.terminate();
    }
  });
});
