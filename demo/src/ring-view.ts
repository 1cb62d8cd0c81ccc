// ring-view.ts: the debug ring as a scrolling event list, filterable by thread and kind.
// Each refresh decodes the whole ring window from shared memory (host/decode.ts), keeps the
// events that pass the filters and shows the newest of them, newest at the bottom.

import { decodeRing, hex, RING_KINDS, type RingEvent } from '../../host/abi/decode.js';
import type { MemoryView } from '../../host/abi/views.js';

/** Rows the list shows at most. */
const SHOWN = 250;

/** One list row's text. */
export function eventRow(e: RingEvent): string {
  const cls = e.cls ? ` cls ${String(e.cls).padStart(2)}` : '       ';
  return `#${String(e.seq).padStart(8)}  t${String(e.thread).padEnd(6)} ${e.kindName.padEnd(17)}${cls}  ` +
    `ptr ${hex(e.ptr).padEnd(10)} aux ${e.aux}`;
}

/** The event list and its filters. */
export class RingView {
  private lastSeq = -1;
  private readonly threadsSeen = new Set<number>();

  constructor(private readonly view: MemoryView, private readonly list: HTMLElement,
              private readonly threadFilter: HTMLSelectElement, private readonly kindFilter: HTMLSelectElement,
              private readonly freeze: HTMLInputElement, private readonly count: HTMLElement) {
    for (const [i, name] of RING_KINDS.entries()) {
      if (i === 0) continue;
      kindFilter.add(new Option(name, String(i)));
    }
    const redraw = (): void => { this.lastSeq = -1; this.refresh(); };
    threadFilter.addEventListener('change', redraw);
    kindFilter.addEventListener('change', redraw);
  }

  /** Re-read the ring and redraw the list if anything changed. */
  refresh(): void {
    if (this.freeze.checked) return;
    const events = decodeRing(this.view, this.view.layout.RING_CAP);
    const newest = events.length ? events[events.length - 1]!.seq : 0;
    if (newest === this.lastSeq) return;
    this.lastSeq = newest;
    this.noteThreads(events);
    const thread = this.threadFilter.value === '' ? null : Number(this.threadFilter.value);
    const kind = this.kindFilter.value === '' ? null : Number(this.kindFilter.value);
    const shown = events.filter((e) => (thread === null || e.thread === thread) && (kind === null || e.kind === kind));
    this.count.textContent = `${shown.length} of ${events.length} events in the ring window ` +
      `(last seq ${newest})${shown.length > SHOWN ? `, newest ${SHOWN} shown` : ''}`;
    const atBottom = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    this.list.textContent = shown.slice(-SHOWN).map(eventRow).join('\n');
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  /** Add threads not seen before to the thread filter. */
  private noteThreads(events: RingEvent[]): void {
    let added = false;
    for (const e of events) {
      if (this.threadsSeen.has(e.thread)) continue;
      this.threadsSeen.add(e.thread);
      added = true;
    }
    if (!added) return;
    const keep = this.threadFilter.value;
    this.threadFilter.length = 1; // the "all threads" option
    for (const t of [...this.threadsSeen].sort((a, b) => a - b)) {
      this.threadFilter.add(new Option(`thread ${t} (slot ${t & (this.view.layout.MAX_THREADS - 1)})`, String(t)));
    }
    this.threadFilter.value = keep;
  }
}
