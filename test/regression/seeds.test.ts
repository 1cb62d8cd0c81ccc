// Regression tests for the bug classes of the original C allocator (docs/ARCHITECTURE.md
// section 11 says what each one was and the rule it gave this project). Every allocator
// "thread" here is one instance of the module over the shared memory, driven from one
// JavaScript thread, so every interleaving is deterministic.
import { describe, it, expect } from 'vitest';
import { BUILDS, EV, CHECK_CODE, Heap, RingEvent, createHeap, tagBlock, hasTag } from '../helpers/instances.js';
import { Mix } from '../helpers/workload.js';
import { SlabMeta } from '../../dist/host/abi/abi.generated.js';

const KiB = 1024;
const MiB = 1024 * 1024;

/** The 64 KiB slab base a SlabMeta address describes. */
function slabBaseOfMeta(heap: Heap, m: number): number {
  const ss = (m & ~(MiB - 1)) >>> 0;
  return ss + ((m - ss - heap.L.SS_META_OFFSET) / heap.L.SLAB_META_SIZE) * heap.L.SLAB_SIZE;
}

/**
 * Replay slab ownership from the whole ring (from seq 1) and return the drain events whose
 * thread was not the slab's owner at that moment. Owners change with slab_acquire (ptr = slab
 * base), adopt (ptr = SlabMeta), orphan (SlabMeta) and slab_release (slab base).
 *
 * collect()'s orphan sweep claims an orphan (owner 0 -> tid, a compare-and-swap), drains it,
 * then releases or re-orphans it, WITHOUT recording adopt / slab_release / orphan events. With
 * `allowSweep`, a drain of a slab the ring says is an orphan is accepted as such a sweep (the
 * debug build's drain assertion still checks that the sweeper owned it). Tests that must see
 * only owner drains keep it false and never collect while orphans exist.
 */
function drainsByNonOwners(heap: Heap, allowSweep = false): RingEvent[] {
  const owner = new Map<number, number>();
  const bad: RingEvent[] = [];
  for (const e of heap.eventsSince(0)) {
    switch (e.kind) {
      case EV.slab_acquire: owner.set(e.ptr, e.thread); break;
      case EV.adopt: owner.set(slabBaseOfMeta(heap, e.ptr), e.thread); break;
      case EV.orphan: owner.set(slabBaseOfMeta(heap, e.ptr), -1); break;
      case EV.slab_release: owner.delete(e.ptr); break;
      case EV.drain: {
        const o = owner.get(slabBaseOfMeta(heap, e.ptr));
        if (o !== e.thread && !(allowSweep && o === -1)) bad.push(e);
        break;
      }
    }
  }
  return bad;
}

const sum = (events: RingEvent[]) => events.reduce((a, e) => a + e.aux, 0);
const low16 = (tid: number) => tid & 0xffff;

describe.each(BUILDS)('seed regressions (%s build)', (build) => {
  it('a non-owner never drains (seeds 001/003): B frees A\'s blocks, only A drains them', () => {
    // The debug build also asserts ownership inside every drain: a drain by a non-owner
    // would trap here (assert -> abort -> unreachable) instead of corrupting the free list.
    const heap = createHeap({ build, threads: 3, ringMode: 1 });
    const [A, B, C] = heap.threads;
    const seq0 = heap.ringSeq();
    const blocks: number[] = [];
    for (let i = 0; i < 3000; i++) blocks.push(A.malloc(64));
    const mine: number[] = [];
    for (let i = 0; i < 500; i++) mine.push(B.malloc(64)); // B has slabs of the same class
    for (const p of blocks.slice(0, 2000)) B.free(p);      // remote frees
    for (let i = 0; i < 300; i++) { B.free(mine.pop()!); mine.push(B.malloc(64)); } // B's own refills
    B.collect();                                            // flush B's outbox; B may only drain its own slabs
    for (const p of mine) B.free(p);
    B.collect();
    // A refills: its slabs' remote stacks are drained by A
    const again: number[] = [];
    for (let i = 0; i < 2000; i++) again.push(A.malloc(64));
    const reused = again.filter((p) => blocks.slice(0, 2000).includes(p)).length;
    expect(reused).toBeGreaterThan(1000); // the remote-freed blocks came back to A
    // A detaches with remote frees pending on its slabs; C adopts the orphans and drains them.
    // B's frees come while A still owns the slabs (a free into an orphan would make B adopt
    // it); the last of them wait in B's outbox until B detaches, after A did.
    for (const p of blocks.slice(2000, 2500)) B.free(p);
    B.collect();
    const tidA = A.tid;
    for (const p of blocks.slice(2500)) B.free(p);
    A.detach();
    // flush B's outbox without collect() (whose orphan sweep would drain A's orphans first):
    // detach pushes the outbox and hands back only B's own slabs
    const tidB = B.tid;
    B.detach();
    B.attach();
    const cBlocks: number[] = [];
    for (let i = 0; i < 1500; i++) cBlocks.push(C.malloc(64));
    expect(heap.stats().adoptions).toBeGreaterThan(0);

    const ev = heap.eventsSince(seq0);
    expect(drainsByNonOwners(heap)).toEqual([]);
    const drains = ev.filter((e) => e.kind === EV.drain);
    expect(drains.some((e) => e.thread === low16(tidA))).toBe(true);
    expect(drains.some((e) => e.thread === low16(C.tid))).toBe(true);
    // B's drains: only of its own slabs (while detaching), never of A's
    const aSlabs = new Set(blocks.map((p) => heap.slab(p).base));
    expect(drains.filter((e) => e.thread === low16(tidB) && aSlabs.has(slabBaseOfMeta(heap, e.ptr)))).toEqual([]);
    const pushes = ev.filter((e) => e.kind === EV.remote_push);
    expect(pushes.every((e) => e.thread === low16(tidB))).toBe(true);
    expect(sum(pushes)).toBe(3000);
    // every block B pushed was drained by an owner (A while alive, then C after adopting)
    expect(sum(drains.filter((e) => aSlabs.has(slabBaseOfMeta(heap, e.ptr))))).toBe(3000);
    expect(ev.some((e) => e.kind === EV.adopt && e.thread === low16(C.tid))).toBe(true);
    expect(heap.check().violations).toBe(0);
    for (const p of again) C.free(p);
    for (const p of cBlocks) C.free(p);
    C.collect();
    B.collect();
    expect(heap.stats().smallSlabs).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  describe.each([0, 1])('with cacheMode %i', (cacheMode) => {
    it('with every cache disabled every free still reaches its slab (seed 000)', () => {
      const heap = createHeap({ build, threads: 2, cacheMode });
      const [A, B] = heap.threads;
      const sizes = [24, 64, 200, 1000, 3000];
      const cap = cacheMode === 0 ? 0 : 4;
      for (const s of sizes) expect(heap.cacheEntry(A.tid, A.classOf(s)).cap).toBe(cap);
      const round = () => {
        const blocks: number[] = [];
        for (let i = 0; i < 4000; i++) blocks.push(A.malloc(sizes[i % sizes.length]));
        blocks.forEach((p, i) => tagBlock(heap, p, i, 1));
        blocks.forEach((p, i) => expect(hasTag(heap, p, i, 1)).toBe(true));
        return blocks;
      };
      const first = round();
      const chunks = heap.stats().chunks;
      first.forEach((p, i) => (i % 2 ? B : A).free(p)); // half local, half remote
      B.collect(); // B's outbox reaches the slabs' remote stacks
      let st = heap.stats();
      expect(st.classes.reduce((a, c) => a + c.inUse, 0)).toBe(0);
      expect(st.classes.reduce((a, c) => a + c.cached, 0)).toBeLessThanOrEqual(cap * sizes.length);
      expect(heap.check().violations).toBe(0);
      // A allocates the same again: the freed blocks (local and remote) are reused, memory does not grow
      const second = round();
      expect(heap.stats().chunks).toBe(chunks);
      const firstSet = new Set(first);
      expect(second.filter((p) => firstSet.has(p)).length).toBeGreaterThan(3000);
      second.forEach((p, i) => (i % 2 ? A : B).free(p));
      B.collect();
      A.collect();
      st = heap.stats();
      expect(st.classes.every((c) => c.inUse === 0 && c.pending === 0 && c.cached === 0)).toBe(true);
      expect(st.smallSlabs).toBe(0);
      expect(st.superslabs).toBe(0);
      expect(heap.faultSeq()).toBe(0);
      expect(heap.check().violations).toBe(0);
    });
  });

  it('conservation after any mix of operations (counter drift): heap_check clean after every phase', () => {
    const heap = createHeap({ build, threads: 3 });
    const mix = new Mix(heap, [...heap.threads], 0x5eed0001);
    mix.run({ ops: 6000, largeEvery: 200, collectEvery: 500 });
    mix.verifyHeap('phase 1');
    // B detaches in the middle: its slabs become orphans while blocks are still live
    const [A, B, C] = heap.threads;
    const oldB = B.tid;
    expect(B.detach()).toBe(1);
    mix.threads = [A, C];
    mix.run({ ops: 4000, largeEvery: 200 });
    mix.verifyHeap('phase 2 (B detached)');
    expect(B.attach()).not.toBe(oldB);
    mix.threads = [A, B, C];
    mix.run({ ops: 6000, largeEvery: 200, collectEvery: 500 });
    mix.verifyHeap('phase 3 (B attached again)');
    // C dies: A reclaims it; a fresh instance takes its place
    expect(A.reclaim(C.tid)).toBe(1);
    const D = heap.addThread();
    mix.threads = [A, B, D];
    mix.run({ ops: 6000, largeEvery: 200, collectEvery: 500 });
    mix.verifyHeap('phase 4 (C reclaimed, D new)');
    mix.drainAll();
    mix.verifyHeap('drained');
    const st = heap.stats();
    expect(st.smallSlabs).toBe(0);
    expect(st.orphanSlabs).toBe(0);
    expect(heap.faultSeq()).toBe(0);
  });

  it('carve bounds and stride for every class (seed 004): checks are relative to the slab, not the absolute address', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const L = heap.L;
    // class 513 -> 576: the slab data start is 4 KiB aligned, 576 is not a power of two,
    // so most blocks' absolute addresses are not multiples of 576; all are valid blocks.
    expect(A.classSize(A.classOf(513))).toBe(576);
    const blocks: number[] = [];
    for (let i = 0; i < 300; i++) blocks.push(A.malloc(513));
    let absMisaligned = 0;
    for (const p of blocks) {
      const s = heap.slab(p);
      expect(s.stride).toBe(576);
      expect((p - s.dataStart) % 576).toBe(0);
      expect(p + 576).toBeLessThanOrEqual(s.base + L.SLAB_SIZE);
      if (p % 576 !== 0) absMisaligned++;
      expect(A.usableSize(p)).toBe(576);
    }
    // within a slab every block has the same address % 576 (data start % 576); a slab whose
    // data start is not a multiple of 576 has only absolutely "misaligned" blocks
    expect(absMisaligned).toBeGreaterThan(0);
    blocks.forEach((p, i) => (i % 2 ? A : B).free(p));
    expect(heap.faultSeq()).toBe(0);
    // every class: blocks at data start + i * stride, all freeable without a fault
    for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
      const size = A.classSize(cls);
      const n = Math.min(400, Math.ceil((3 * L.SLAB_SIZE) / size));
      const bs: number[] = [];
      for (let i = 0; i < n; i++) bs.push(A.malloc(size));
      for (const p of bs) {
        const s = heap.slab(p);
        if ((p - s.dataStart) % s.stride !== 0 || p + size > s.base + L.SLAB_SIZE || s.stride !== size) {
          expect.fail(`class ${cls}: block ${p} in slab ${s.base} (data ${s.dataStart}, stride ${s.stride})`);
        }
      }
      bs.forEach((p, i) => (i % 3 ? A : B).free(p));
    }
    B.collect();
    A.collect();
    expect(heap.faultSeq()).toBe(0);
    expect(heap.stats().smallSlabs).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('a block at offset 0 of a SuperSlab is found by the registry (seed 002)', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const L = heap.L;
    // the first small block: the lowest usable address of a fresh SuperSlab
    const p = A.malloc(16);
    const ss = (p & ~(MiB - 1)) >>> 0;
    expect(p).toBe(ss + L.SS_HEADER_SIZE);
    expect(A.registryEntry(p)).toBe(L.REG_SUPERSLAB);
    expect(A.registryEntry(ss)).toBe(L.REG_SUPERSLAB);
    // a large run at the lowest address a run can have (slab 1 of a fresh SuperSlab)
    A.free(p);
    A.collect();
    expect(heap.stats().superslabs).toBe(0);
    const run = A.malloc(100 * KiB);
    expect(run % MiB).toBe(L.SLAB_SIZE);
    expect(A.registryEntry(run)).toBe(L.REG_SUPERSLAB);
    expect(A.usableSize(run)).toBeGreaterThanOrEqual(100 * KiB);
    B.free(run);
    expect(A.usableSize(run)).toBe(0); // free: kept in B's large cache
    B.collect();                       // which goes back to the pool
    expect(heap.stats().largeRuns).toBe(0);
    // a huge span at offset 0 of its chunk
    const huge = A.malloc(3 * MiB);
    expect(huge % MiB).toBe(0);
    expect(A.registryEntry(huge) & 0xff).toBe(L.REG_HUGE);
    expect(A.registryEntry(huge + MiB) & 0xff).toBe(L.REG_HUGE_TAIL);
    expect(A.usableSize(huge)).toBe(3 * MiB);
    B.free(huge);
    B.collect(); // out of B's large cache
    expect(A.registryEntry(huge)).toBe(L.REG_FREE);
    expect(heap.stats().hugeSpans).toBe(0);
    // the original symptom: lookups failing for >20K tiny objects over many SuperSlabs
    const tiny: number[] = [];
    for (let i = 0; i < 30000; i++) tiny.push(A.malloc(16 + (i % 8) * 16));
    const chunksSeen = new Set(tiny.map((q) => q >>> 20));
    expect(chunksSeen.size).toBeGreaterThan(2);
    for (const q of tiny) if (A.registryEntry(q) !== L.REG_SUPERSLAB) expect.fail(`block ${q} not found`);
    tiny.forEach((q, i) => (i % 2 ? A : B).free(q));
    B.collect();
    A.collect();
    expect(heap.faultSeq()).toBe(0);
    const st = heap.stats();
    expect(st.classes.every((c) => c.inUse === 0)).toBe(true);
    expect(st.smallSlabs).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('a new thread after a dead one starts clean', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, C] = heap.threads;
    const L = heap.L;
    const tidA = A.tid;
    const aBlocks: number[] = [];
    for (let i = 0; i < 600; i++) aBlocks.push(A.malloc([32, 100, 700, 5000][i % 4]));
    aBlocks.forEach((p, i) => tagBlock(heap, p, 0x7000 + i, 1));
    const cBlocks: number[] = [];
    for (let i = 0; i < 50; i++) cBlocks.push(C.malloc(64));
    for (const p of cBlocks.slice(0, 10)) A.free(p); // A dies with remote frees in its outbox
    for (const p of aBlocks.slice(0, 100)) A.free(p); // and blocks in its caches
    const aLive = aBlocks.slice(100);
    expect(heap.cacheEntry(tidA, A.classOf(32)).count).toBeGreaterThan(0);
    // A "dies": it is never called again; C reclaims it
    expect(C.reclaim(tidA)).toBe(1);
    expect(heap.threadState(tidA).state).toBe(0);
    expect(C.reclaim(tidA)).toBe(0); // only once
    expect(heap.stats().reclaims).toBe(1);
    // no slab names the dead tid any more; A's slabs with live blocks are orphans
    for (const p of aLive) expect(heap.slab(p).owner).not.toBe(tidA);
    expect(heap.stats().orphanSlabs).toBeGreaterThan(0);
    expect(heap.check().violations).toBe(0);
    // a new thread takes the slot: new tid, holding nothing (empty caches and outbox, no
    // slab lists); the slot's counters carry over unchanged: they are cumulative over its
    // occupants, so retiring folds nothing (a fold a kill tears would count twice)
    const flowsBefore = Array.from({ length: L.NUM_CLASSES }, (_, cls) => heap.cacheEntry(tidA, cls));
    const countersBefore = heap.counters(tidA);
    const D = heap.addThread();
    const tidD = D.tid;
    expect(tidD & (L.MAX_THREADS - 1)).toBe(tidA & (L.MAX_THREADS - 1));
    expect(tidD).not.toBe(tidA);
    for (let cls = 0; cls < L.NUM_CLASSES; cls++) {
      const e = heap.cacheEntry(tidD, cls);
      expect(e.head | e.count).toBe(0);
      expect([e.refilled, e.returned]).toEqual([flowsBefore[cls].refilled, flowsBefore[cls].returned]);
    }
    expect(heap.counters(tidD)).toEqual(countersBefore);
    const outbox = heap.threadRecordAddr(tidD) + L.TH_OUTBOX_OFFSET;
    for (let i = 0; i < L.OUTBOX_SIZE * L.OUTBOX_ENTRY_SIZE; i += 4) expect(heap.u32(outbox + i)).toBe(0);
    // D allocates two of the classes (adopting A's orphans of those) without handing out A's
    // live blocks; A's slabs of the other two classes stay orphans
    const liveSet = new Set(aLive);
    const dBlocks: number[] = [];
    for (let i = 0; i < 600; i++) {
      const p = D.malloc([32, 100][i % 2]);
      if (liveSet.has(p)) expect.fail(`D got ${p}, a live block of the dead thread`);
      dBlocks.push(p);
    }
    expect(heap.stats().adoptions).toBeGreaterThan(0);
    aLive.forEach((p, i) => expect(hasTag(heap, p, 0x7000 + 100 + i, 1)).toBe(true));
    // D frees A's old blocks: to slabs D adopted, and to orphans, which D adopts as it frees
    // into them (the thread that frees into an orphan adopts it): every free is local
    const owners = aLive.map((p) => heap.slab(p).owner);
    expect(owners.every((o) => o === tidD || o === 0)).toBe(true);
    const toOrphans = owners.filter((o) => o === 0).length;
    expect(toOrphans).toBeGreaterThan(0);
    expect(toOrphans).toBeLessThan(aLive.length);
    const remoteBefore = heap.counters(tidD).remoteFrees;
    const adoptionsBefore = heap.stats().adoptions;
    for (const p of aLive) D.free(p);
    expect(heap.counters(tidD).remoteFrees - remoteBefore).toBe(0);
    expect(heap.stats().adoptions - adoptionsBefore).toBeGreaterThan(0);
    for (const p of dBlocks) D.free(p);
    for (const p of cBlocks.slice(10)) C.free(p);
    expect(heap.faultSeq()).toBe(0);
    expect(heap.check().violations).toBe(0);
    D.collect();
    C.collect();
    D.collect();
    const st = heap.stats();
    expect(st.classes.every((c) => c.inUse === 0)).toBe(true);
    expect(st.smallSlabs).toBe(0);
    expect(st.orphanSlabs).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('steady churn causes no growth: the same mix run again reuses every chunk', () => {
    const heap = createHeap({ build, threads: 3 });
    const pages = () => heap.memory.buffer.byteLength / 65536;
    const run = () => {
      const mix = new Mix(heap, [...heap.threads], 0x5eed0042); // the same operations each time
      mix.run({ ops: 8000, largeEvery: 150, collectEvery: 1000 });
      mix.drainAll();
      mix.verifyHeap('drained');
      expect(heap.stats().smallSlabs).toBe(0);
    };
    run();
    const after1 = pages();
    expect(after1).toBeGreaterThan(16); // the first run did grow the heap
    for (let i = 0; i < 3; i++) {
      run();
      expect(pages(), `run ${i + 2}`).toBe(after1);
    }
  });

  it('no block on two lists after stress (4 threads, random mix, checked every 4000 operations)', () => {
    const heap = createHeap({ build, threads: 4 });
    const [A] = heap.threads;
    // the checker itself notices a block on two lists (so a clean check means something)
    const p = A.malloc(64);
    const q = A.malloc(64);
    A.free(q);
    A.free(p); // cache: p -> q -> ...
    const s = heap.slab(p);
    const remoteHead = s.ss + heap.L.SS_REMOTE_OFFSET + s.k * heap.L.REMOTE_STRIDE;
    expect(heap.u32(remoteHead)).toBe(0);
    heap.setU32(remoteHead, p); // p now also on its slab's remote stack
    const r = heap.check();
    expect(r.violations).toBeGreaterThan(0);
    expect(r.details.map((d) => d.code)).toContain(CHECK_CODE.duplicate);
    heap.setU32(remoteHead, 0);
    expect(heap.check().violations).toBe(0);

    const mix = new Mix(heap, [...heap.threads], 0xfeed0002);
    for (let phase = 0; phase < 6; phase++) {
      mix.run({ ops: 4000, maxSmall: 2048, largeEvery: 1000, collectEvery: 2000 });
      mix.verifyHeap(`stress phase ${phase}`);
    }
    mix.drainAll();
    mix.verifyHeap('stress drained');
    expect(heap.stats().smallSlabs).toBe(0);
    expect(heap.faultSeq()).toBe(0);
  });

  it('three or more threads freeing into one slab: the owner drains them all', () => {
    const heap = createHeap({ build, threads: 4, ringMode: 1 });
    const [A, B, C, D] = heap.threads;
    // 300 blocks of ONE slab of A
    const first = A.malloc(128);
    const slab = heap.slab(first);
    const blocks = [first];
    const others: number[] = [];
    while (blocks.length < 300) {
      const p = A.malloc(128);
      (heap.slab(p).meta === slab.meta ? blocks : others).push(p);
    }
    const seq0 = heap.ringSeq();
    blocks.forEach((p, i) => [B, C, D][i % 3].free(p)); // interleaved
    for (const t of [B, C, D]) t.collect();             // every outbox reaches the slab
    let st = heap.stats();
    const cls = A.classOf(128);
    expect(st.classes[cls].pending).toBe(300);           // on the slab's remote stack
    expect(st.classes[cls].inUse).toBe(others.length);
    expect(heap.check().violations).toBe(0);
    const pushes = heap.eventsSince(seq0).filter((e) => e.kind === EV.remote_push);
    for (const t of [B, C, D]) {
      expect(sum(pushes.filter((e) => e.thread === low16(t.tid) && slabBaseOfMeta(heap, e.ptr) === slab.base))).toBe(100);
    }
    // A drains them (refilling, then collecting)
    for (const p of others) A.free(p);
    A.collect();
    const ev = heap.eventsSince(seq0);
    const drains = ev.filter((e) => e.kind === EV.drain && slabBaseOfMeta(heap, e.ptr) === slab.base);
    expect(drains.every((e) => e.thread === low16(A.tid))).toBe(true);
    expect(sum(drains)).toBe(300);
    expect(drainsByNonOwners(heap)).toEqual([]);
    st = heap.stats();
    expect(st.classes[cls].pending).toBe(0);
    expect(st.classes[cls].inUse).toBe(0);
    expect(st.smallSlabs).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('the counters prove the allocator itself served the blocks', () => {
    const heap = createHeap({ build, threads: 2 });
    const [A, B] = heap.threads;
    const L = heap.L;
    const sizes = [0, 1, 8, 9, 100, 256, 257, 1024, 1025, 5000, 32768];
    const before = heap.stats();
    // A's own flow counters: blocks taken into its caches minus blocks returned minus cached
    const held = (c: number) => { const e = heap.cacheEntry(A.tid, c); return (e.refilled - e.returned - e.count) | 0; };
    const heldBefore = Array.from({ length: L.NUM_CLASSES }, (_, c) => held(c));
    const perClass = new Array(L.NUM_CLASSES).fill(0);
    const blocks: number[] = [];
    for (let i = 0; i < 2200; i++) {
      const s = sizes[i % sizes.length];
      blocks.push(A.malloc(s));
      perClass[A.classOf(s)]++;
    }
    // requests above the largest class are counted in bytes (small ones only in blocks)
    const big = [40 * KiB, 2 * MiB];
    for (const s of big) blocks.push(A.malloc(s));
    const after = heap.stats();
    for (let c = 0; c < L.NUM_CLASSES; c++) {
      expect(held(c) - heldBefore[c], `class ${c} blocks A handed out`).toBe(perClass[c]);
      expect(after.classes[c].inUse - before.classes[c].inUse, `class ${c} in use`).toBe(perClass[c]);
    }
    expect(after.largeBytesAsked - before.largeBytesAsked).toBe(big[0] + big[1]);
    expect(after.largeRuns - before.largeRuns).toBe(1);
    expect(after.hugeSpans - before.hugeSpans).toBe(1);
    // bytes given: the usable size of each run or span, at least what was asked
    const bigBlocks = blocks.slice(-big.length);
    const given = bigBlocks.reduce((a, p) => a + A.usableSize(p), 0);
    expect(given).toBeGreaterThanOrEqual(big[0] + big[1]);
    expect(after.largeBytesGiven - before.largeBytesGiven).toBe(given);
    // frees (local and remote) bring in_use back exactly
    blocks.forEach((p, i) => (i % 2 ? A : B).free(p));
    B.collect();
    A.collect(); // the large caches
    const end = heap.stats();
    for (let c = 0; c < L.NUM_CLASSES; c++) expect(end.classes[c].inUse).toBe(before.classes[c].inUse);
    expect(end.largeRuns + end.hugeSpans).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('remote frees are batched: 1600 remote frees take at most 200 pushes with remoteBatch 16', () => {
    const heap = createHeap({ build, threads: 2, remoteBatch: 16, ringMode: 1 });
    const [A, B] = heap.threads;
    const blocks: number[] = [];
    for (let i = 0; i < 1600; i++) blocks.push(A.malloc(64));
    const seq0 = heap.ringSeq();
    const st0 = heap.stats();
    for (const p of blocks) B.free(p);
    B.collect();
    const st = heap.stats();
    const pushes = heap.eventsSince(seq0).filter((e) => e.kind === EV.remote_push);
    expect(st.remoteFrees - st0.remoteFrees).toBe(1600);
    expect(st.remotePushes - st0.remotePushes).toBe(pushes.length);
    expect(pushes.length).toBeLessThanOrEqual(1600 / 8);
    expect(pushes.length).toBeGreaterThanOrEqual(1600 / 16);
    expect(sum(pushes)).toBe(1600);
    expect(pushes.every((e) => e.aux <= 16)).toBe(true);
    A.collect();
    expect(heap.stats().smallSlabs).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('remote frees are not batched with remoteBatch 1 (the setting is honoured)', () => {
    const heap = createHeap({ build, threads: 2, remoteBatch: 1 });
    const [A, B] = heap.threads;
    const blocks: number[] = [];
    for (let i = 0; i < 200; i++) blocks.push(A.malloc(64));
    for (const p of blocks) B.free(p);
    B.collect();
    expect(heap.stats().remotePushes).toBe(200);
    expect(heap.check().violations).toBe(0);
  });

  it('an orphan\'s frees are never lost: A detaches, B frees into the orphans, C adopts', () => {
    const heap = createHeap({ build, threads: 3, ringMode: 1 });
    const [A, B, C] = heap.threads;
    const blocks: number[] = [];
    for (let i = 0; i < 3000; i++) blocks.push(A.malloc(128));
    const cls = A.classOf(128);
    const slabs = new Set(blocks.map((p) => heap.slab(p).meta));
    expect(A.detach()).toBe(1);
    let st = heap.stats();
    expect(st.orphanSlabs).toBe(slabs.size);
    expect(st.orphaned).toBe(slabs.size);
    for (const m of slabs) expect(heap.u32(m + SlabMeta.off.owner)).toBe(0);
    expect(heap.check().violations).toBe(0);
    // B frees every block of the dead... detached thread: remote pushes onto orphan slabs
    for (const p of blocks) B.free(p);
    B.collect(); // (B sweeps the orphans here too: it may claim, drain and release them)
    st = heap.stats();
    expect(st.classes[cls].inUse).toBe(0);
    expect(heap.check().violations).toBe(0);
    // C allocates the class: it adopts what is left or takes fresh slabs
    const again: number[] = [];
    for (let i = 0; i < 3000; i++) again.push(C.malloc(128));
    for (const p of again) C.free(p);
    C.collect();
    B.collect();
    st = heap.stats();
    expect(st.classes.every((c) => c.inUse === 0 && c.pending === 0)).toBe(true);
    expect(st.smallSlabs).toBe(0);
    expect(st.orphanSlabs).toBe(0);
    expect(heap.check().violations).toBe(0);
  });

  it('an orphan adopted while frees are pending: the adopter gets every block back (adoptions > 0)', () => {
    const heap = createHeap({ build, threads: 3, ringMode: 1 });
    const [A, B, C] = heap.threads;
    const blocks: number[] = [];
    for (let i = 0; i < 3000; i++) blocks.push(A.malloc(128));
    const seq0 = heap.ringSeq();
    // B frees everything while A still owns the slabs (into an orphan, B would adopt it) and
    // does not collect: the chains reach A's slabs in batches; the last ones wait in B's
    // outbox. Then A detaches: it drains what arrived and hands its slabs back as orphans.
    for (const p of blocks) B.free(p);
    A.detach();
    // C adopts first, while part of the frees are still in B's outbox.
    const got: number[] = [];
    for (let i = 0; i < 1000; i++) got.push(C.malloc(128));
    expect(heap.stats().adoptions).toBeGreaterThan(0);
    const adopted = heap.eventsSince(seq0).filter((e) => e.kind === EV.adopt);
    expect(adopted.length).toBeGreaterThan(0);
    expect(adopted.every((e) => e.thread === low16(C.tid))).toBe(true);
    expect(heap.check().violations).toBe(0);
    B.collect(); // the rest of B's outbox goes to slabs C now owns (remote frees to C)
    for (let i = 0; i < 2500; i++) got.push(C.malloc(128));
    // C reuses the orphans' blocks: no new memory was needed for 3500 blocks after 3000 came back
    const st = heap.stats();
    expect(st.classes[A.classOf(128)].inUse).toBe(3500);
    expect(drainsByNonOwners(heap, true)).toEqual([]);
    for (const p of got) C.free(p);
    C.collect();
    B.collect();
    const end = heap.stats();
    expect(end.classes.every((c) => c.inUse === 0 && c.pending === 0)).toBe(true);
    expect(end.smallSlabs).toBe(0);
    expect(heap.check().violations).toBe(0);
  });
});
