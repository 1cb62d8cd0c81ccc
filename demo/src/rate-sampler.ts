// rate-sampler.ts: ops/s per thread over time, from cumulative op counts read out of shared
// memory a few times a second.

import { now } from './workloads/types.js';

/** How many seconds of history the chart keeps. */
const WINDOW_SECS = 120;

/** Rates per thread, sampled at successive times. */
export class RateSampler {
  /** Seconds since the run started, one per sample. */
  readonly times: number[] = [];
  /** Per thread: ops/s over the interval ending at each sample. */
  readonly rates: number[][];
  private readonly t0 = now();
  private lastT = this.t0;
  private last: number[];

  constructor(readonly labels: string[], private readonly read: () => number[]) {
    this.rates = labels.map(() => []);
    this.last = read();
    this.push(0, this.last.map(() => 0));
  }

  /** Take a sample (skipped if the previous one is too recent to give a rate). */
  sample(): void {
    const t = now();
    const dt = (t - this.lastT) / 1000;
    if (dt < 0.05) return;
    const cur = this.read();
    this.push((t - this.t0) / 1000, cur.map((v, i) => Math.max(0, (v - (this.last[i] ?? 0)) / dt)));
    this.last = cur;
    this.lastT = t;
  }

  /** Append one sample and drop what fell out of the window. */
  private push(t: number, rates: number[]): void {
    this.times.push(t);
    rates.forEach((r, i) => this.rates[i]!.push(r));
    while (this.times.length > 2 && t - this.times[0]! > WINDOW_SECS) {
      this.times.shift();
      for (const s of this.rates) s.shift();
    }
  }
}
