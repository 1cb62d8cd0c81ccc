// ring-view.ts: the debug ring as a scrolling event list, filterable by thread and kind.
// The ring holds RING_CAP (32768) events; decoding all of them into objects on every refresh
// took tens of milliseconds, so a refresh instead scans the window's raw words (seq, thread,
// kind: typed-array reads, no objects), counting what passes the filters and which threads
// appear, and decodes into objects only the newest events that pass, newest at the bottom:
// SHOWN_LIVE of them while the ring moves (a few times a second nobody reads further back),
// SHOWN once it is frozen or a filter changed. Slots are trusted as host/decode.ts's
// decodeRing trusts them: only if their seq is the one expected for their position, before
// and after reading. The list stays at its bottom through CSS (column-reverse), so a
// refresh writes the text and reads no layout.
//
// The thread filter lists only threads that have events in the current window (larson makes
// a new allocator identity per generation, so "every thread ever seen" grew without bound),
// at most MAX_THREAD_OPTIONS of them (the most recently active), plus "all threads" and the
// current choice, which is kept even after its events left the window.

import { hex, RING_KINDS, ringSeq, type RingEvent } from '../../host/abi/decode.js';
import { RingEvent as RingEventRec } from '../../host/abi/abi.generated.js';
import type { MemoryView } from '../../host/abi/views.js';

/** Rows the list shows at most: frozen (or just filtered), and while it moves. */
const SHOWN = 250;
const SHOWN_LIVE = 120;
/** Threads the filter lists at most (besides "all threads" and the current choice). */
export const MAX_THREAD_OPTIONS = 32;
/** The filter's list is rebuilt at most this often (a rebuild disturbs an open list). */
const OPTIONS_EVERY_MS = 1000;
/** The ring's thread field is 16 bits wide: one flag per possible value. */
const THREAD_VALUES = 1 << 16;

/** One list row's text. */
export function eventRow(e: RingEvent): string {
  const cls = e.cls ? ` cls ${String(e.cls).padStart(2)}` : '       ';
  return `#${String(e.seq).padStart(8)}  t${String(e.thread).padEnd(6)} ${e.kindName.padEnd(17)}${cls}  ` +
    `ptr ${hex(e.ptr).padEnd(10)} aux ${e.aux}`;
}

/** What one scan of the ring window found. */
interface Scan {
  newest: number;
  /** Trusted events in the window. */
  total: number;
  /** Of them, those passing the filters. */
  matching: number;
  /** Seqs of the newest matching events (up to the limit), oldest first. */
  shownSeqs: number[];
  /** Threads with events in the window, most recently active first. */
  threads: number[];
}

/** The event list and its filters. */
export class RingView {
  private lastSeq = -1;
  /** Thread values seen in the current scan (scratch: all zero again after each scan). */
  private readonly seen = new Uint8Array(THREAD_VALUES);
  private optionsBuiltAt = -Infinity;
  private listed = '';
  /** The list's text node holder (the list itself is the scrolling column-reverse box). */
  private readonly rows = document.createElement('div');

  constructor(private readonly view: MemoryView, private readonly list: HTMLElement,
              private readonly threadFilter: HTMLSelectElement, private readonly kindFilter: HTMLSelectElement,
              private readonly freeze: HTMLInputElement, private readonly count: HTMLElement) {
    for (const [i, name] of RING_KINDS.entries()) {
      if (i === 0) continue;
      kindFilter.add(new Option(name, String(i)));
    }
    list.replaceChildren(this.rows);
    // A filter change or a freeze shows the full SHOWN rows at once (also while frozen).
    const redraw = (): void => { this.lastSeq = -1; this.refresh(true); };
    threadFilter.addEventListener('change', redraw);
    kindFilter.addEventListener('change', redraw);
    freeze.addEventListener('change', () => { if (freeze.checked) redraw(); });
  }

  /** Re-read the ring and redraw the list if anything changed (`now`: even while frozen). */
  refresh(now = false): void {
    if (this.freeze.checked && !now) return;
    const newest = ringSeq(this.view);
    if (newest === this.lastSeq) return;
    this.lastSeq = newest;
    const limit = now || this.freeze.checked ? SHOWN : SHOWN_LIVE;
    const thread = this.threadFilter.value === '' ? null : Number(this.threadFilter.value);
    const kind = this.kindFilter.value === '' ? null : Number(this.kindFilter.value);
    const scan = this.scan(newest, thread, kind, limit);
    this.listThreads(scan.threads);
    const shown = scan.shownSeqs.map((s) => this.decodeAt(s)).filter((e): e is RingEvent => e !== null);
    this.count.textContent = `${scan.matching} of ${scan.total} events in the ring window ` +
      `(last seq ${newest})${scan.matching > limit ? `, newest ${limit} shown` : ''}` +
      (limit < SHOWN ? `; freeze for ${SHOWN}` : '');
    this.rows.textContent = shown.map(eventRow).join('\n');
  }

  /** The byte address of the slot of event `seq`. */
  private slotOf(seq: number): number {
    const L = this.view.layout;
    return L.RING_BASE + ((seq - 1) % L.RING_CAP) * L.RING_EVENT_SIZE;
  }

  /** Scan the window ending at `newest`, newest first, with raw reads; keep `limit` seqs. */
  private scan(newest: number, thread: number | null, kind: number | null, limit: number): Scan {
    const L = this.view.layout;
    const u32 = this.view.u32(), u16 = this.view.u16(), u8 = this.view.u8();
    const oldest = Math.max(1, newest - L.RING_CAP + 1);
    const shownSeqs: number[] = [];
    const threads: number[] = [];
    let total = 0, matching = 0;
    for (let seq = newest; seq >= oldest; seq--) {
      const at = this.slotOf(seq);
      if (u32[at >>> 2] !== seq) continue; // being written, or already overwritten
      const t = u16[(at + RingEventRec.off.thread) >>> 1]!;
      const k = u8[at + RingEventRec.off.kind]!;
      total++;
      if (this.seen[t] === 0) { this.seen[t] = 1; threads.push(t); } // newest first: by recency
      if ((thread === null || t === thread) && (kind === null || k === kind)) {
        if (matching++ < limit) shownSeqs.push(seq);
      }
    }
    for (const t of threads) this.seen[t] = 0;
    shownSeqs.reverse();
    return { newest, total, matching, shownSeqs, threads };
  }

  /** Decode the event `seq` (null if its slot was overwritten meanwhile), as decodeRing does. */
  private decodeAt(seq: number): RingEvent | null {
    const at = this.slotOf(seq);
    if (this.view.atomicWord(at) !== seq) return null;
    const r = this.view.record(RingEventRec, at);
    const ev: RingEvent = { ...r, seq, kindName: RING_KINDS[r.kind] ?? `unknown(${r.kind})` };
    return this.view.atomicWord(at) === seq ? ev : null;
  }

  /**
   * Offer the threads with events in the window (the most recently active
   * MAX_THREAD_OPTIONS, by id), keeping the current choice. Rebuilt at most once a second
   * and not while the list has the focus (the user may be choosing from it).
   */
  private listThreads(byRecency: number[]): void {
    const now = performance.now();
    if (now - this.optionsBuiltAt < OPTIONS_EVERY_MS || document.activeElement === this.threadFilter) return;
    const keep = this.threadFilter.value;
    const ids = byRecency.slice(0, MAX_THREAD_OPTIONS).sort((a, b) => a - b);
    const kept = keep !== '' && !ids.includes(Number(keep)) ? Number(keep) : null;
    const key = `${ids.join(',')}|${kept ?? ''}|${byRecency.length}`;
    if (key === this.listed) return;
    this.listed = key;
    this.optionsBuiltAt = now;
    const slot = (t: number): number => t & (this.view.layout.MAX_THREADS - 1);
    const options = [new Option(byRecency.length > ids.length
      ? `all threads (${byRecency.length} in the window, newest ${ids.length} listed)`
      : `all threads (${byRecency.length} in the window)`, '')];
    for (const t of ids) options.push(new Option(`thread ${t} (slot ${slot(t)})`, String(t)));
    if (kept !== null) options.push(new Option(`thread ${kept} (slot ${slot(kept)}): no events in the window now`, String(kept)));
    this.threadFilter.replaceChildren(...options);
    this.threadFilter.value = keep;
    this.threadFilter.dataset.threadsInWindow = String(byRecency.length);
  }
}
