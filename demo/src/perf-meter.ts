// perf-meter.ts: the page's own responsiveness, in the header: frames per second, the view
// work per frame the frame loop measured (frame-loop.ts) and how far it stretched the views'
// periods, with the per-view breakdown as a tooltip. The figures are also data attributes, for the end-to-end test.

import type { FrameMeter } from './frame-loop.js';

/** Show one second's measurement. */
export function showMeter(el: HTMLElement, m: FrameMeter): void {
  el.textContent = `page ${m.fps.toFixed(0)} fps, views ${m.workMs.toFixed(1)} ms/frame` +
    (m.stretch > 1.01 ? `, refreshed ${m.stretch.toFixed(1)}× less often (busy cores)` : '');
  el.title = 'view work per frame (mean) and the longest single run of each view, over the last second:\n' +
    m.tasks.map((t) => `${t.name}: ${t.msPerFrame.toFixed(2)} ms/frame, longest ${t.worstMs.toFixed(1)} ms`).join('\n');
  el.dataset.fps = m.fps.toFixed(1);
  el.dataset.workMs = m.workMs.toFixed(2);
  el.dataset.worstFrameMs = m.worstFrameMs.toFixed(1);
  el.dataset.stretch = m.stretch.toFixed(2);
  el.dataset.tasks = JSON.stringify(Object.fromEntries(m.tasks.map((t) => [t.name, +t.worstMs.toFixed(2)])));
}
