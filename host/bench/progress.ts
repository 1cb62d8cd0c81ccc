// progress.ts: a one-line progress bar on stderr while a run is long. Nothing is drawn when
// stderr is not a terminal (logs, pipes, CI) or before the run has lasted a second.

import { nowMs } from './worker-set.js';

const WIDTH = 30;

export class Progress {
  private started = nowMs();
  private drawn = false;

  constructor(private label: string, private readonly enabled = process.stderr.isTTY === true) {}

  /** Start a new bar (the next run). */
  reset(label: string): void {
    this.clear();
    this.label = label;
    this.started = nowMs();
  }

  /** Show `fraction` (0..1) done. */
  update(fraction: number): void {
    if (!this.enabled) return;
    const secs = (nowMs() - this.started) / 1000;
    if (secs < 1) return;
    const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
    const full = Math.round(f * WIDTH);
    const bar = '#'.repeat(full) + '.'.repeat(WIDTH - full);
    process.stderr.write(`\r${this.label} [${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${secs.toFixed(1)}s `);
    this.drawn = true;
  }

  /** Remove the bar. */
  clear(): void {
    if (this.drawn) process.stderr.write('\r\x1b[2K');
    this.drawn = false;
  }
}
