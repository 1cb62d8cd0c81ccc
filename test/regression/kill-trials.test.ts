// Kill trials (host/soak/kill-trial.ts) on the crash build: a victim thread trapped at crash
// points spread over three seeded scenarios (one per configuration: cache default with
// remote batch 4, cache off, small cache with unbatched remote frees), partners freeing into
// it, then reclaimed, everything freed and checked (some of the kills land while the victim
// retires a dormant thread's record). The long version is `hakmem-wasm soak --suite kill`.
// Then a reclaimer killed while it reclaims a dead thread: the reclaim of the reclaimer
// finishes both (assembly/thread.ts adoptRetirements).

import fs from 'node:fs';
import { describe, it, expect } from 'vitest';
import { wasmPath } from '../../dist/host/core/module.js';
import { killTrials, killTrial, killPoints, killTrialFailed, KILL_CONFIGS } from '../../dist/host/soak/kill-trial.js';
import { createSharedMemory } from '../../dist/host/core/memory.js';
import { instantiateAllocatorSync, type AllocatorExports } from '../../dist/host/core/instance.js';
import { initArgs } from '../../dist/host/heap/config.js';
import { MemoryView } from '../../dist/host/abi/views.js';
import { decodeCheck, decodeStats, decodeThreads } from '../../dist/host/abi/decode.js';
import { GlobalHeader } from '../../dist/host/abi/abi.generated.js';

const module = new WebAssembly.Module(fs.readFileSync(wasmPath('crash')));

describe('a thread killed at any crash point is reclaimed with nothing lost', () => {
  it('every fourth crash point of three scenarios: reclaimed, nothing damaged or handed out twice, checker clean', () => {
    const s = killTrials(module, 3, 1, 4);
    expect(s.failures, JSON.stringify(s.failures.slice(0, 3))).toEqual([]);
    expect(s.failed).toBe(0);
    expect(s.uncleanChecks).toBe(0);
    // the trials really landed everywhere: in each kind of operation, inside journaled updates
    // (repairs) and inside a malloc's pop (the one block that may stay with the dead thread)
    expect(s.trials).toBeGreaterThan(1000);
    for (const [where, n] of Object.entries(s.killedIn)) expect(n, where).toBeGreaterThan(0);
    expect(s.repairs).toBeGreaterThan(0);
    expect(s.deadHeld).toBeGreaterThan(0);
    expect(s.blocksLost).toBe(s.deadHeld); // every block left in use is one reclaim counted
  }, 120_000);

  it('the control: without reclaim, the same kills leave blocks behind and the trial fails', () => {
    const cfg = KILL_CONFIGS[0]!;
    const total = killPoints(module, cfg.config, 1);
    let failed = 0, trials = 0;
    for (let n = 1; n <= total; n += 97) {
      const t = killTrial(module, cfg.name, cfg.config, 1, n, { skipReclaim: true });
      trials++;
      if (killTrialFailed(t)) failed++;
    }
    expect(trials).toBeGreaterThan(10);
    expect(failed).toBe(trials);
  });
});

describe('a thread killed while it reclaims a dead thread', () => {
  /**
   * P reclaims the dead thread `dead` (collecting first, as a program's thread would, unless
   * the dead one held the pool lock: P would wait for it), frees every live block, collects
   * and detaches; then no thread record may be left, no block in use, no checker violation.
   * Returns the retirements the reclaims took over (stats retirementsAdopted).
   */
  const reclaimAndCheck = (h: { view: MemoryView; obs: AllocatorExports; P: AllocatorExports; dead: number; live: number[] },
                           label: string): number => {
    const { view, obs, P } = h;
    if (view.atomicWord(view.layout.HEADER_BASE + GlobalHeader.off.poolLock) !== h.dead) P.collect();
    expect(P.reclaim(h.dead), label).toBe(1);
    for (const p of h.live) P.free(p);
    P.collect();
    P.detach();
    expect(decodeThreads(view).map((t) => `${t.slot} ${t.stateName} by ${t.retirerSlot}`), label).toEqual([]);
    obs.stats_collect();
    const stats = decodeStats(view);
    expect(stats.classes.reduce((k, c) => k + c.inUse, 0), label).toBe(0);
    obs.heap_check();
    expect(decodeCheck(view).violations, label).toBe(0);
    return stats.retirementsAdopted;
  };

  /** Sizes X allocates before it dies: tiny, mid and large (> 32 KiB). */
  const SIZES = [8, 24, 64, 100, 256, 1000, 3000, 16384, 40, 100_000, 512, 64];

  /**
   * A heap where X allocated, freed every third block and died (its instance is never called
   * again), and R reclaims X with crash point `point` armed (0: none). Returns R's tid, P (who
   * goes on), what is live and R's crash points passed.
   */
  const scene = (point: number) => {
    const memory = createSharedMemory(256);
    const obs = instantiateAllocatorSync(module, memory);
    obs.exports.init(...initArgs({ faultPolicy: 'report', ring: 'off', cache: 'default', remoteBatch: 4 }));
    const view = new MemoryView(memory, obs.layout);
    const [X, R, P] = [0, 1, 2].map(() => instantiateAllocatorSync(module, memory).exports) as [AllocatorExports, AllocatorExports, AllocatorExports];
    const tidX = X.attach() >>> 0, tidR = R.attach() >>> 0;
    expect(tidX * tidR * (P.attach() >>> 0)).not.toBe(0);
    const live: number[] = [];
    SIZES.forEach((size, i) => {
      const p = X.malloc(size) >>> 0;
      expect(p).not.toBe(0);
      if (i % 3 === 2) X.free(p); else live.push(p);
    });
    for (const size of SIZES) live.push(P.malloc(size) >>> 0); // P's blocks, one of which X had freed into
    X.free(live.pop()!);
    R.crash_arm!(point);
    let died = false;
    try {
      expect(R.reclaim(tidX)).toBe(1);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      died = true;
    }
    return { view, obs: obs.exports, P, R, tidR, tidX, live, died, passed: R.crash_points_passed!() };
  };

  it('at every other crash point of the reclaim: reclaiming the reclaimer finishes the dead thread too', () => {
    const total = scene(0).passed;
    expect(total).toBeGreaterThan(10);
    let deaths = 0;
    for (let n = 1; n <= total; n += 2) { // every other point (the first is between the takeover and the work)
      const { view, obs, P, tidR, live, died } = scene(n);
      expect(died, `point ${n}`).toBe(true);
      deaths++;
      // X's record is left RETIRING by R's slot, and P's collect cannot take it
      expect(reclaimAndCheck({ view, obs, P, dead: tidR, live }, `point ${n}`)).toBe(1);
    }
    expect(deaths).toBe(Math.ceil(total / 2));
  });

  it('twice over: a thread killed retiring a dormant record, its reclaimer killed too; one reclaim finishes all three', () => {
    /** D rests with holdings; V collects (retiring D) with point `a` armed; Q reclaims V with point `b` armed. */
    const chain = (a: number, b: number) => {
      const memory = createSharedMemory(256);
      const obs = instantiateAllocatorSync(module, memory);
      obs.exports.init(...initArgs({ faultPolicy: 'report', ring: 'off', cache: 'default', remoteBatch: 4 }));
      const view = new MemoryView(memory, obs.layout);
      const [D, V, Q, P] = [0, 1, 2, 3].map(() => instantiateAllocatorSync(module, memory).exports) as AllocatorExports[];
      const tidD = D!.attach() >>> 0, tidV = V!.attach() >>> 0, tidQ = Q!.attach() >>> 0;
      expect(P!.attach()).not.toBe(0);
      const live: number[] = [];
      SIZES.forEach((size, i) => {
        const p = D!.malloc(size) >>> 0;
        if (i % 3 === 2) D!.free(p); else live.push(p);
      });
      D!.rest();
      const trap = (f: () => void): boolean => {
        try { f(); return false; } catch (e) { if (!(e instanceof WebAssembly.RuntimeError)) throw e; return true; }
      };
      V!.crash_arm!(a);
      const vDied = trap(() => V!.collect());
      Q!.crash_arm!(b);
      const qDied = trap(() => { expect(Q!.reclaim(tidV)).toBe(1); });
      return { view, obs: obs.exports, P: P!, tidD, tidV, tidQ, live, vDied, qDied, vPassed: V!.crash_points_passed!(), qPassed: Q!.crash_points_passed!() };
    };
    const a = Math.ceil(chain(0, 0).vPassed / 2); // halfway through V's retirement of D
    const first = chain(a, 0);
    expect(first.vDied).toBe(true);
    const total = first.qPassed;
    expect(total).toBeGreaterThan(10);
    let bothDied = 0;
    for (let b = 1; b <= total; b += 3) {
      const { view, obs, P, tidQ, live, vDied, qDied } = chain(a, b);
      expect(vDied && qDied, `point ${b}`).toBe(true);
      bothDied++;
      expect(reclaimAndCheck({ view, obs, P, dead: tidQ, live }, `point ${b}`)).toBeGreaterThanOrEqual(1);
    }
    expect(bothDied).toBeGreaterThan(3);
  });
});
