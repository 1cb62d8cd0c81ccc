// xfree.ts: WORKLOADS.md section 5. P producers allocate, C consumers free: every free is
// remote. One bounded SPSC ring per (producer, consumer) pair, publication batched by K.
// Each side keeps its ring positions in its private records (PRIV_STRIDE each: own index,
// cached copy of the other side's index, unpublished count) and publishes with atomics.

import { XfreeRun, XfreeWorker, XWORKER_STRIDE, RING_TAIL, RING_HEAD, RING_BUF, RING_STRIDE,
         PRIV_STRIDE } from "./structs";
import { rngInit, rngNext, bounded } from "./rng";
import { touch, broken } from "./touch";
import { bFree, xMalloc, bAttach } from "./malloc";
import { recordAlloc, recordFree } from "./alloc-records";
import { idle } from "./idle";

// @ts-ignore: decorator
@inline const PROGRESS_EVERY: u64 = 1024;
// Fields of a private ring record.
// @ts-ignore: decorator
@inline const P_POS: u32 = 0;   // ptail (producer) / phead (consumer)
// @ts-ignore: decorator
@inline const P_CACHE: u32 = 4; // cached head (producer) / cached tail (consumer)
// @ts-ignore: decorator
@inline const P_UNPUB: u32 = 8;
// @ts-ignore: decorator
@inline const P_SLEEP: u32 = 12; // a word that stays 0: the idle sleep waits on it

/** Worker record k (producers 0..P-1, then consumers). */
// @ts-ignore: decorator
@inline function workerOf(run: XfreeRun, k: u32): XfreeWorker {
  return changetype<XfreeWorker>(<usize>run.workers + <usize>k * XWORKER_STRIDE);
}

/** Ring of the pair (i, c). */
// @ts-ignore: decorator
@inline function ringOf(run: XfreeRun, i: u32, c: u32): usize {
  return <usize>run.rings + (<usize>i * run.consumers + c) * RING_STRIDE;
}

/** Untimed setup: rings, worker records and every thread's block count. Returns the run, or 0. */
export function xfree_setup(producers: u32, consumers: u32, qcap: u32, batch: u32, min: u32,
                            max: u32, seed: u32, verify: u32, blocks: f64): usize {
  const runPtr = recordAlloc(offsetof<XfreeRun>());
  if (runPtr == 0) return 0;
  const run = changetype<XfreeRun>(runPtr);
  const P = producers, C = consumers, B = <u64>blocks;
  run.producers = P; run.consumers = C; run.qcap = qcap; run.batch = batch;
  run.min = min; run.max = max; run.seed = seed; run.verify = verify; run.blocks = B;
  run.rings = <u32>recordAlloc(<usize>P * C * RING_STRIDE);
  run.workers = <u32>recordAlloc(<usize>(P + C) * XWORKER_STRIDE);
  if (run.rings == 0 || run.workers == 0) return 0;
  for (let i: u32 = 0; i < P; i++) {
    for (let c: u32 = 0; c < C; c++) {
      const buf = recordAlloc(<usize>qcap * 8);
      if (buf == 0) return 0;
      store<u32>(ringOf(run, i, c) + RING_BUF, <u32>buf);
    }
  }
  for (let i: u32 = 0; i < P; i++) {
    const w = workerOf(run, i);
    w.index = i;
    w.count = B / P + (<u64>i < B % P ? 1 : 0);
    w.priv = <u32>recordAlloc(<usize>C * PRIV_STRIDE);
    if (w.priv == 0) return 0;
  }
  for (let c: u32 = 0; c < C; c++) {
    const w = workerOf(run, P + c);
    w.index = c;
    w.priv = <u32>recordAlloc(<usize>P * PRIV_STRIDE);
    if (w.priv == 0) return 0;
    // Producer i's blocks j with (i + j) mod C == c: j = (c - i) mod C, then every C-th.
    let count: u64 = 0;
    for (let i: u32 = 0; i < P; i++) {
      const n = workerOf(run, i).count;
      const first = <u64>((c + C - i % C) % C);
      if (first < n) count += (n - first - 1) / C + 1;
    }
    w.count = count;
  }
  return runPtr;
}

/** Producer `i`: make its blocks and push each to consumer (i + j) mod C's ring. */
export function xfree_producer(runPtr: usize, i: u32): void {
  bAttach();
  const run = changetype<XfreeRun>(runPtr);
  const w = workerOf(run, i);
  const C = run.consumers, Q = run.qcap, K = run.batch, mask = Q - 1;
  const lo = run.min, range = run.max - run.min + 1;
  const priv = <usize>w.priv;
  const count = w.count;
  const progressAddr = changetype<usize>(w) + offsetof<XfreeWorker>("progress");
  let rng = rngInit(run.seed, 1 + i);
  let sizeSum: u64 = 0, spins: u64 = 0;
  let c = i % C;
  for (let j: u64 = 0; j < count; j++) {
    rng = rngNext(rng);
    const sz = lo + bounded(rng, range);
    const p = xMalloc(sz);
    touch(p, sz, 0);
    sizeSum += sz;

    const r = ringOf(run, i, c);
    const s = priv + <usize>c * PRIV_STRIDE;
    let ptail = load<u32>(s, P_POS);
    if (ptail - load<u32>(s, P_CACHE) == Q) { // looks full against the cached head
      if (load<u32>(s, P_UNPUB) != 0) {       // the consumer must see what is there
        atomic.store<u32>(r + RING_TAIL, ptail);
        store<u32>(s, 0, P_UNPUB);
      }
      let n: u32 = 0;
      let head = atomic.load<u32>(r + RING_HEAD);
      while (ptail - head == Q) {
        spins++;
        n = idle(n, s + P_SLEEP);
        head = atomic.load<u32>(r + RING_HEAD);
      }
      store<u32>(s, head, P_CACHE);
    }
    const e = <usize>load<u32>(r + RING_BUF) + ((<usize>(ptail & mask)) << 3);
    store<u32>(e, <u32>p);
    store<u32>(e, sz, 4);
    ptail++;
    store<u32>(s, ptail, P_POS);
    const unpub = load<u32>(s, P_UNPUB) + 1;
    if (unpub == K) {
      atomic.store<u32>(r + RING_TAIL, ptail);
      store<u32>(s, 0, P_UNPUB);
    } else {
      store<u32>(s, unpub, P_UNPUB);
    }
    if (++c == C) c = 0;
    if ((j & (PROGRESS_EVERY - 1)) == 0) atomic.store<u64>(progressAddr, j);
  }
  for (let k: u32 = 0; k < C; k++) { // publish whatever is left
    atomic.store<u32>(ringOf(run, i, k) + RING_TAIL, load<u32>(priv + <usize>k * PRIV_STRIDE, P_POS));
  }
  atomic.store<u64>(progressAddr, count);
  w.sizeSum = sizeSum;
  w.spins = spins;
}

/** Consumer `c`: sweep its P rings, free every block popped, until all its blocks came. */
export function xfree_consumer(runPtr: usize, c: u32): void {
  bAttach();
  const run = changetype<XfreeRun>(runPtr);
  const P = run.producers, K = run.batch, mask = run.qcap - 1;
  const verify = run.verify != 0;
  const w = workerOf(run, P + c);
  const priv = <usize>w.priv;
  const progressAddr = changetype<usize>(w) + offsetof<XfreeWorker>("progress");
  const total = w.count;
  let left = total, spins: u64 = 0, bad: u64 = 0;
  let n: u32 = 0;
  while (left > 0) {
    let got: u64 = 0;
    for (let i: u32 = 0; i < P; i++) { // one sweep over this consumer's rings
      const r = ringOf(run, i, c);
      const s = priv + <usize>i * PRIV_STRIDE;
      const buf = <usize>load<u32>(r + RING_BUF);
      let phead = load<u32>(s, P_POS);
      let tail = load<u32>(s, P_CACHE);
      let unpub = load<u32>(s, P_UNPUB);
      while (true) {
        if (phead == tail) {
          tail = atomic.load<u32>(r + RING_TAIL);
          if (phead == tail) { // empty: end of this burst
            if (unpub != 0) {
              atomic.store<u32>(r + RING_HEAD, phead);
              unpub = 0;
            }
            break;
          }
        }
        const e = buf + ((<usize>(phead & mask)) << 3);
        const p = <usize>load<u32>(e);
        phead++;
        if (verify) bad += broken(p, load<u32>(e, 4), 0);
        bFree(p);
        got++;
        if (++unpub == K) {
          atomic.store<u32>(r + RING_HEAD, phead);
          unpub = 0;
        }
      }
      store<u32>(s, phead, P_POS);
      store<u32>(s, tail, P_CACHE);
      store<u32>(s, unpub, P_UNPUB);
    }
    if (got == 0) {
      spins++;
      n = idle(n, priv + P_SLEEP);
    } else {
      left -= got;
      n = 0;
      atomic.store<u64>(progressAddr, total - left);
    }
  }
  w.spins = spins;
  w.bad = bad;
}

/** Untimed teardown: totals into the run record; rings, buffers and worker records freed. */
export function xfree_teardown(runPtr: usize): void {
  const run = changetype<XfreeRun>(runPtr);
  const P = run.producers, C = run.consumers;
  let sizeSum: u64 = 0, pspins: u64 = 0, cspins: u64 = 0, bad: u64 = 0;
  for (let k: u32 = 0; k < P + C; k++) {
    const w = workerOf(run, k);
    sizeSum += w.sizeSum;
    if (k < P) pspins += w.spins; else cspins += w.spins;
    bad += w.bad;
    recordFree(<usize>w.priv);
  }
  for (let i: u32 = 0; i < P; i++) {
    for (let c: u32 = 0; c < C; c++) recordFree(<usize>load<u32>(ringOf(run, i, c) + RING_BUF));
  }
  recordFree(<usize>run.rings);
  recordFree(<usize>run.workers);
  run.rings = 0;
  run.workers = 0;
  run.sizeSum = sizeSum;
  run.producerSpins = pspins;
  run.consumerSpins = cspins;
  run.bad = bad;
}
