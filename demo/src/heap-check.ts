// heap-check.ts: the heap checker on demand. It runs in the control worker (the checker
// walks every list of every thread, so no other thread may be inside the allocator: the page
// only offers it between runs) and its report is decoded from shared memory. A report
// describes the heap at the moment it ran: once anything changes the heap (a run, a bad
// free) the page marks it stale, so an old "clean" is never shown as the heap's state now.

import { decodeCheck, formatCheck, type CheckReport } from '../../host/abi/decode.js';
import type { MemoryView } from '../../host/abi/views.js';
import type { AllocatorWorker } from '../../host/rpc/web-pool.js';

let checks = 0;

/** Run heap_check() in `control` and decode the report. */
export async function runHeapCheck(control: AllocatorWorker, view: MemoryView): Promise<CheckReport> {
  await control.call('heap_check');
  return decodeCheck(view);
}

/**
 * Show a report; `data-violations` and `data-check` (a counter) let a test read it, and
 * `data-stale` is cleared (this report is current).
 */
export function showCheck(el: HTMLElement, r: CheckReport, when: string): void {
  checks++;
  el.textContent = `${formatCheck(r)}\n(${when})`;
  el.className = r.violations === 0 ? 'report ok' : 'report bad';
  el.dataset.violations = String(r.violations);
  el.dataset.check = String(checks);
  el.dataset.when = when;
  el.dataset.report = el.textContent;
  delete el.dataset.stale;
}

/**
 * The heap changed (`why`: "a run started", "a bad free"): mark the shown report as stale,
 * keeping it readable below the notice (which names the latest change). Nothing to do
 * before the first check.
 */
export function markCheckStale(el: HTMLElement, why: string): void {
  if (el.dataset.check === undefined) return;
  el.dataset.stale = why;
  el.className = 'report stale';
  el.textContent = `stale: the heap changed since this check at ${el.dataset.when} (latest change: ${why}); ` +
    `run the heap check again to see its state now\n\n${el.dataset.report ?? ''}`;
}
