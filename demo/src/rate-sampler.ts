// rate-sampler.ts: ops/s per thread over time, from cumulative op counts read out of shared
// memory a few times a second. One sampler per run: its clock and its op counts start with
// the run, so nothing of an earlier run is in its figures.

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

  /**
   * Ops done by all threads of the run, as of the latest sample (a run's counters start at
   * 0 with the run, and its threads may be under way before the sampler starts).
   */
  get ops(): number {
    return this.last.reduce((s, v) => s + v, 0);
  }

  /** Seconds from the sampler's start to its latest sample. */
  get secs(): number {
    return (this.lastT - this.t0) / 1000;
  }

  /**
   * Take a sample (skipped if the previous one is too recent to give a rate). `final`: the
   * run ended; its counts are taken even then, so that `ops` is the run's total.
   */
  sample(final = false): void {
    const t = now();
    const dt = (t - this.lastT) / 1000;
    if (dt < 0.05) {
      if (final) this.last = this.read();
      return;
    }
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
