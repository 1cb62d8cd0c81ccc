// soak.ts: the long adversarial runs, with figures: thousands of double-free trials of every
// kind per build (double-free.ts), each kind in its own worker with a watchdog, so a trial
// that hangs (a drain walking a cycle, a malloc that never returns) is reported with its kind
// and seed instead of hanging the soak.

import { Worker } from 'node:worker_threads';
import { DOUBLE_FREE_KINDS, emptySummary, tally, trialFailed, type DoubleFreeKind, type DoubleFreeSummary,
         type DoubleFreeTrial } from './double-free.js';
import type { SoakJob } from './soak-worker.js';

/** A trial that did not finish within the watchdog's time. */
export interface HungTrial { kind: DoubleFreeKind; seed: number }

/** One kind's figures, with the hung trials (which count as failures). */
export interface KindSoak extends DoubleFreeSummary {
  hung: HungTrial[];
  /** The first seeds of failed trials (to replay one: doubleFreeTrial(module, kind, seed)). */
  failedSeeds: number[];
}

/** Did every trial of the kind pass? */
export function kindPassed(k: KindSoak): boolean {
  return k.caught === k.trials && k.otherFaults === 0 && k.handedOutTwice === 0 && k.damaged === 0 &&
    k.uncleanChecks === 0 && k.crashed === 0 && k.hung.length === 0;
}

/** Run `trials` trials of one kind on the module at `file` in a worker; a trial over `watchdogMs` is hung. */
function soakKind(file: string, kind: DoubleFreeKind, trials: number, seed: number, watchdogMs: number): Promise<KindSoak> {
  const out: KindSoak = { ...emptySummary(kind, trials), hung: [], failedSeeds: [] };
  let next = seed;
  const remaining = (): number => seed + trials - next;
  return new Promise((resolve, reject) => {
    const start = (): void => {
      if (remaining() <= 0) { resolve(out); return; }
      const job: SoakJob = { file, kind, first: next, count: remaining() };
      const w = new Worker(new URL('./soak-worker.js', import.meta.url), { workerData: job });
      let current = next;
      let timer = setTimeout(() => void hang(), watchdogMs);
      const hang = async (): Promise<void> => {
        out.hung.push({ kind, seed: current });
        out.failedSeeds.push(current);
        next = current + 1;
        await w.terminate();
        start(); // the rest of the seeds in a fresh worker
      };
      w.on('message', (m: { started?: number; trial?: DoubleFreeTrial; done?: boolean }) => {
        if (m.started !== undefined) {
          current = m.started;
          clearTimeout(timer);
          timer = setTimeout(() => void hang(), watchdogMs);
        } else if (m.trial) {
          const t = m.trial;
          next = t.seed + 1;
          tally(out, t);
          if (trialFailed(t) && out.failedSeeds.length < 10) out.failedSeeds.push(t.seed);
        } else if (m.done) {
          clearTimeout(timer);
          void w.terminate();
          resolve(out);
        }
      });
      w.on('error', (e) => { clearTimeout(timer); reject(new Error(`the soak worker for ${kind} failed: ${e.message}`)); });
    };
    start();
  });
}

/** Every kind (or `kinds`), `trials` each, on the module at `file`, two kinds at a time. */
export async function soakDoubleFrees(file: string, trials: number, opts: {
  seed?: number; kinds?: readonly DoubleFreeKind[]; watchdogMs?: number; parallel?: number;
  onKind?: (k: KindSoak) => void;
} = {}): Promise<KindSoak[]> {
  const kinds = opts.kinds ?? DOUBLE_FREE_KINDS;
  const results: KindSoak[] = new Array(kinds.length);
  let nextKind = 0;
  const lane = async (): Promise<void> => {
    while (nextKind < kinds.length) {
      const k = nextKind++;
      results[k] = await soakKind(file, kinds[k]!, trials, (opts.seed ?? 1) + k * 10_000_019, opts.watchdogMs ?? 10_000);
      opts.onKind?.(results[k]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel ?? 2) }, lane));
  return results;
}
