// ops-chart.ts: the ops/s chart (uPlot): one line per thread, time on the x axis. The chart
// belongs to one run: Start clears it, and its caption names the run and counts that run's
// ops only.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { threadColor } from './colors.js';
import type { RateSampler } from './rate-sampler.js';

/** "12.3 M" style numbers for the y axis. */
function si(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(1)} G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(0)} k`;
  return v.toFixed(0);
}

/** The chart; rebuilt for each run (its series are the run's threads). */
export class OpsChart {
  private plot: uPlot | null = null;
  private run = '';

  /** @param caption where the run it shows and its op count are written */
  constructor(private readonly host: HTMLElement, private readonly caption: HTMLElement) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(host);
  }

  /** Chart size from the host element. */
  private size(): { width: number; height: number } {
    return { width: Math.max(300, this.host.clientWidth), height: 240 };
  }

  /** Start a chart for run `run` ("run #3: larson"), with one series per label. */
  reset(labels: string[], run = this.run): void {
    this.run = run;
    this.setCaption(run ? `${run}: ${labels.length ? 'running' : 'setting up…'}` : 'no run yet');
    this.host.dataset.run = run;
    this.plot?.destroy();
    const axis = { stroke: '#aab3c5', grid: { stroke: '#2a3142', width: 1 }, ticks: { stroke: '#2a3142' } };
    const opts: uPlot.Options = {
      ...this.size(),
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [
        { ...axis, label: 'seconds', values: (_u, ticks) => ticks.map((t) => `${t.toFixed(1)}`) },
        { ...axis, label: 'ops/s', size: 60, values: (_u, ticks) => ticks.map(si) },
      ],
      series: [
        { label: 't (s)', value: (_u, v) => (v == null ? '-' : v.toFixed(1)) },
        ...labels.map((label, i) => ({
          label, stroke: threadColor(i), width: 2, value: (_u: uPlot, v: number | null) => (v == null ? '-' : `${si(v)}/s`),
        })),
      ],
      legend: { live: true },
    };
    this.plot = new uPlot(opts, [[], ...labels.map(() => [])], this.host);
    this.host.dataset.points = '0';
  }

  /** Redraw from a sampler's data; `ended` once the run is over. */
  update(s: RateSampler, ended = false): void {
    if (!this.plot) return;
    const plot = this.plot;
    // batch(): drawn now, inside the frame loop's task (its time is then measured and
    // budgeted), not in a microtask after it.
    plot.batch(() => plot.setData([s.times, ...s.rates] as uPlot.AlignedData));
    this.host.dataset.points = String(s.times.length);
    this.host.dataset.ops = String(s.ops);
    this.setCaption(`${this.run}: ${s.ops.toLocaleString('en')} ops in ${s.secs.toFixed(1)} s` +
      (ended ? ' (ended)' : ' so far'));
  }

  /** Write the caption if it changed. */
  private setCaption(text: string): void {
    if (this.caption.textContent !== text) this.caption.textContent = text;
  }
}
