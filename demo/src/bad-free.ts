// bad-free.ts: the "bad free" demonstration. The control worker frees an invalid pointer;
// under the 'report' fault policy the allocator validates the pointer before changing
// anything, records a fault (and a ring event) and returns, so the heap stays intact. The
// page then decodes the fault record and the ring events before it from shared memory.

import { decodeFaults, decodeRing, faultSeq, formatRingEvent, hex, type FaultRecord,
         type RingEvent } from '../../host/abi/decode.js';
import type { MemoryView } from '../../host/abi/views.js';
import type { AllocatorWorker } from '../../host/rpc/web-pool.js';

/** The kinds of bad free offered. */
export type BadFreeKind = 'interior' | 'double' | 'outside';

/** Ring events shown before a fault. */
const EVENTS_BEFORE = 12;

/** What the demonstration did and what the allocator recorded. */
export interface BadFreeOutcome {
  what: string;
  faults: FaultRecord[];
  /** Ring events up to and including the first fault's own event. */
  events: RingEvent[];
}

/** Perform one bad free of `kind` in `control`; returns what was recorded. */
export async function badFree(control: AllocatorWorker, view: MemoryView, kind: BadFreeKind): Promise<BadFreeOutcome> {
  const before = faultSeq(view);
  let what: string;
  if (kind === 'interior') {
    const p = await control.call('malloc', 48);
    await control.call('free', p + 16);
    await control.call('free', p);
    what = `p = malloc(48) = ${hex(p)}; free(p + 16); free(p)`;
  } else if (kind === 'double') {
    const p = await control.call('malloc', 64);
    await control.call('free', p);
    await control.call('free', p);
    what = `p = malloc(64) = ${hex(p)}; free(p); free(p)`;
  } else {
    const p = 0x4000; // inside chunk 0, the allocator's control chunk: never heap
    await control.call('free', p);
    what = `free(${hex(p)}), an address in the control chunk`;
  }
  const faults = decodeFaults(view, before);
  const first = faults[0];
  const events = first
    ? decodeRing(view, view.layout.RING_CAP).filter((e) => e.seq <= first.ringSeq).slice(-EVENTS_BEFORE)
    : [];
  return { what, faults, events };
}

/**
 * Show an outcome, made at time `when`; `data-fault-code` lets a test read it. The panel is
 * narrow, so the ring events are in the compact one-line form (not the ring list's padded
 * columns) and the box wraps what is still too long (style.css): every line stays readable.
 */
export function showBadFree(el: HTMLElement, o: BadFreeOutcome, when: string): void {
  const f = o.faults[0];
  el.className = f ? 'report fault' : 'report bad';
  el.dataset.faultCode = f ? f.codeName : 'none';
  if (!f) {
    el.textContent = `${o.what} (at ${when})\nno fault was recorded!`;
    return;
  }
  const mine = f.tid & 0xffff;
  const lines = o.events.map((e) => `${e.seq === f.ringSeq ? '>' : e.thread === mine ? '*' : ' '} ${formatRingEvent(e)}`);
  el.textContent = [
    `${o.what} (at ${when})`,
    `fault #${f.seq}: ${f.text}`,
    `  code ${f.code} (${f.codeName}), ptr ${hex(f.ptr)}, thread ${f.tid}, found ${hex(f.foundRaw)}, aux ${f.aux}`,
    ...o.faults.slice(1).map((g) => `fault #${g.seq}: ${g.text}`),
    `ring events before it (> the fault's own event, * the same thread):`,
    ...lines,
    'the free returned (fault policy "report"): nothing was changed; run the heap check to see it is intact',
  ].join('\n');
}
