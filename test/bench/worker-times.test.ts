// Worker times in a run record (bench/README.md "Worker times"): every worker of a timed
// region reports when its call started and ended after the gate opened, and on Linux how long
// its thread ran on a CPU and waited for one, and how many minor page faults it took; a run on
// the main thread reports none.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { benchRuns, DEFAULT_OPTIONS } from '../../dist/host/bench/runner.js';
import { parseParams } from '../../dist/host/workloads/params.js';
import { readThreadClock } from '../../dist/host/rpc/node-thread-clock.js';
import type { WorkerTimeField } from '../../dist/host/bench/record.js';

const HAS_CLOCK = existsSync('/proc/thread-self/schedstat');
/** With transparent huge pages always on, one fault may map 512 pages: no count to check. */
const THP_ALWAYS = (() => {
  try { return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').includes('[always]'); } catch { return false; }
})();
/** A scheduler tick of the slowest common kernel setting (HZ 100): the clock's resolution bound. */
const TICK_MS = 10;
const quiet = { ...DEFAULT_OPTIONS, warmup: 0, progress: false, log: () => {} };

describe('worker times', () => {
  it.runIf(HAS_CLOCK)('the thread clock counts this thread\'s own running time', () => {
    const a = readThreadClock()!;
    let x = 0;
    for (let i = 0; i < 2e7; i++) x = (x * 31 + i) | 0;
    const b = readThreadClock()!;
    expect(x).not.toBe(0.5); // keeps the loop
    // a 2e7-step loop runs for tens of milliseconds, more than a tick the readings may lag
    expect(b.runNs - a.runNs).toBeGreaterThan(1e6);
    expect(b.waitNs).toBeGreaterThanOrEqual(a.waitNs);
  });

  it('a two-lineage larson record has one entry per worker, inside the timed region', async () => {
    const [r] = await benchRuns(parseParams('larson', { threads: '2', ops: '4e6' }), quiet);
    const ws = r.worker_times as WorkerTimeField[];
    expect(ws).toHaveLength(2);
    const secsMs = r.secs * 1000;
    for (const w of ws) {
      expect(w.start_ms).toBeGreaterThanOrEqual(0);
      expect(w.end_ms).toBeGreaterThan(w.start_ms);
      expect(w.end_ms).toBeLessThanOrEqual(secsMs + 1e-3); // the region ends with its last call
      if (!HAS_CLOCK) { expect(w.cpu_ms).toBeNull(); continue; }
      // A busy worker runs for most of its call; it cannot run longer than the call lasted, up
      // to the clock's error: a running thread's own total lags by up to one scheduler tick
      // (4 ms at this kernel's HZ 250; node-thread-clock.ts), at either reading.
      expect(w.cpu_ms!).toBeGreaterThan(0);
      expect(w.cpu_ms!).toBeLessThanOrEqual(w.end_ms - w.start_ms + TICK_MS);
      expect(w.runqueue_ms!).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(w.minor_faults)).toBe(true);
      expect(w.minor_faults!).toBeGreaterThanOrEqual(0);
    }
    expect(Math.max(...ws.map((w) => w.end_ms))).toBeCloseTo(secsMs, 3);
  });

  it.runIf(HAS_CLOCK && !THP_ALWAYS)('a worker\'s minor faults count the pages its run touched first', async () => {
    // random_mixed's copy runs on a worker from an empty slot array in a new heap: its live set
    // (W/2 blocks of 16..1039 bytes, 527 on average) is memory the run itself touches first.
    const faults = async (slots: number): Promise<number> => {
      const [r] = await benchRuns(parseParams('random_mixed', { ops: '2e5', slots: String(slots) }), quiet);
      return (r.worker_times as WorkerTimeField[])[0]!.minor_faults!;
    };
    const small = await faults(2048), big = await faults(65536);
    const pages = ((65536 - 2048) / 2) * 527 / 4096; // about 4,100 more pages of live blocks
    expect(big - small).toBeGreaterThan(pages / 2);   // measured: about 4,350
    expect(big - small).toBeLessThan(pages * 2);
  });

  it('the single-threaded AssemblyScript runtime peer runs on the main thread: no worker times', async () => {
    const [r] = await benchRuns(parseParams('larson', { threads: '1', ops: '2e5' }), { ...quiet, build: 'asrt' });
    expect(r.worker_times).toBeUndefined();
  });
});
