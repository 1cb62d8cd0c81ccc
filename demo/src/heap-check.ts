// heap-check.ts: the heap checker on demand. It runs in the control worker (the checker
// walks every list of every thread, so no other thread may be inside the allocator: the page
// only offers it between runs) and its report is decoded from shared memory.

import { decodeCheck, formatCheck, type CheckReport } from '../../host/abi/decode.js';
import type { MemoryView } from '../../host/abi/views.js';
import type { AllocatorWorker } from '../../host/rpc/web-pool.js';

let checks = 0;

/** Run heap_check() in `control` and decode the report. */
export async function runHeapCheck(control: AllocatorWorker, view: MemoryView): Promise<CheckReport> {
  await control.call('heap_check');
  return decodeCheck(view);
}

/** Show a report; `data-violations` and `data-check` (a counter) let a test read it. */
export function showCheck(el: HTMLElement, r: CheckReport, when: string): void {
  checks++;
  el.textContent = `${formatCheck(r)}\n(${when})`;
  el.className = r.violations === 0 ? 'report ok' : 'report bad';
  el.dataset.violations = String(r.violations);
  el.dataset.check = String(checks);
}
