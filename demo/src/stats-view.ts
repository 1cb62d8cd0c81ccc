// stats-view.ts: the Heap panel's figures. The stats block (host/decode.ts decodeStats, over
// what the module's stats_collect() writes; the control worker calls it) mixes two kinds of
// figure: gauges (bytes in use, pages, threads attached at this instant) and counters that
// only grow from the heap's init on (large bytes asked for, remote frees, drains, faults...). The
// panel shows the gauges as "now", and each counter twice: for the current (or last) run,
// as the difference from a snapshot taken when the run started (frozen when it ended), and
// over the heap's lifetime (since the page loaded it).
//
// "threads" in the stats block counts thread records that are attached at the instant of
// the snapshot, the control thread included. That is not the run's thread count: larson
// starts every generation as a new thread and ends it at the generation's end (its identity
// rests, dormant, and the worker's next generation resumes it), so between generations
// (while the page sends the next request) a lineage's worker is not attached at all. The
// panel therefore shows the attached and dormant counts as such, the run's workers as the
// run describes them, and how many threads the run started (every attach bumps the global
// thread generation counter, every resume the stats' resumes).

import type { HeapStats } from '../../host/abi/decode.js';
import { decodeStats } from '../../host/abi/decode.js';
import { GlobalHeader } from '../../host/abi/abi.generated.js';
import type { MemoryView } from '../../host/abi/views.js';

/** "1.5 MiB" style byte counts. */
export function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A stats block and the attach counter, read together. */
export interface HeapSnapshot {
  stats: HeapStats;
  /** Thread starts since init: fresh identities attached (GlobalHeader.threadGen) and dormant ones resumed. */
  starts: number;
}

/** Decode the stats block just written by stats_collect(), and the attach counter. */
export function takeSnapshot(view: MemoryView): HeapSnapshot {
  const stats = decodeStats(view);
  return { stats, starts: view.atomicWord(view.layout.HEADER_BASE + GlobalHeader.off.threadGen) + stats.resumes };
}

/** A counter shown per run and over the heap's lifetime. */
interface Counter {
  label: string;
  hint: string;
  get: (s: HeapSnapshot) => number;
  /** u32 counters wrap: their differences are taken mod 2^32. */
  wraps: boolean;
  show: (n: number) => string;
}

const count = (n: number): string => n.toLocaleString('en');

/** The gauges, in order: label, value, hint; `workers` says what the current run runs on. */
function gauges(s: HeapStats, workers: string): [string, string, string][] {
  return [
    ['workers of the run', workers, 'the Web Workers of the current or last run (each is one allocator ' +
      'thread at a time), besides the control worker, which does set-up, teardown, stats and checks'],
    ['bytes in use', bytes(s.bytesInUse), 'blocks held by users now, at their class size'],
    ['memory pages', `${s.pages} (${bytes(s.pages * 65536)})`, 'linear memory, 64 KiB pages (wasm memory never shrinks)'],
    ['SuperSlabs', `${s.superslabs}`, '1 MiB chunks of 16 slabs, in use now'],
    ['threads attached now', `${s.threads}`, 'allocator thread records attached at this instant, the control ' +
      'thread included. A larson lineage rests at the end of each generation, so it counts only while ' +
      'a generation runs'],
    ['threads dormant now', `${s.dormant}`, 'identities that rested (a generation ended) and keep their caches ' +
      'and slabs for their worker\'s next generation; any thread that needs the memory takes it back'],
  ];
}

/** The counters, in order. */
const COUNTERS: readonly Counter[] = [
  { label: 'thread starts', hint: 'attach() calls: a new thread id, or the resumed dormant one its worker ' +
    'left at its last rest (larson: one per generation)', get: (s) => s.starts, wraps: true, show: count },
  { label: 'resumed', hint: 'thread starts that resumed their worker\'s dormant identity (warm caches and ' +
    'slabs) instead of attaching a new one', get: (s) => s.stats.resumes, wraps: true, show: count },
  { label: 'large bytes asked for', hint: 'sum of the sizes passed to malloc above the largest size class ' +
    '(small requests are counted in blocks, per class)', get: (s) => s.stats.largeBytesAsked,
    wraps: false, show: bytes },
  { label: 'remote frees', hint: 'blocks freed by a thread that does not own their slab',
    get: (s) => s.stats.remoteFrees, wraps: true, show: count },
  { label: 'remote pushes', hint: 'atomic pushes carrying them (a batch each)', get: (s) => s.stats.remotePushes,
    wraps: true, show: count },
  { label: 'drains', hint: 'remote stacks taken back by their owners', get: (s) => s.stats.drains,
    wraps: true, show: count },
  { label: 'adoptions', hint: 'orphan slabs claimed by a thread', get: (s) => s.stats.adoptions,
    wraps: true, show: count },
  { label: 'orphaned', hint: 'slabs left without an owner by retiring threads', get: (s) => s.stats.orphaned,
    wraps: true, show: count },
  { label: 'reclaims', hint: 'identities of dead workers retired by another thread', get: (s) => s.stats.reclaims,
    wraps: true, show: count },
  { label: 'faults', hint: 'invalid frees recorded (bad frees)', get: (s) => s.stats.faults,
    wraps: true, show: count },
];

/** The run the per-run column is about. */
interface RunColumn {
  number: number;
  what: string;
  base: HeapSnapshot;
  started: string;
  /** The snapshot it ended with, once it ended. */
  final: HeapSnapshot | null;
  ended: string;
}

/** `a - b` for a counter (mod 2^32 if it wraps). */
function diff(c: Counter, a: HeapSnapshot, b: HeapSnapshot): number {
  return c.wraps ? (c.get(a) - c.get(b)) >>> 0 : c.get(a) - c.get(b);
}

/** The run's workers in words, from its chart labels ("lineage 0 (worker 0)", ...): "2 lineages". */
export function describeWorkers(labels: readonly string[]): string {
  const roles = new Map<string, number>();
  for (const l of labels) {
    const role = l.split(' ')[0] ?? 'thread';
    roles.set(role, (roles.get(role) ?? 0) + 1);
  }
  const plural = (role: string): string => (role.endsWith('y') ? `${role.slice(0, -1)}ies` : `${role}s`);
  const parts = [...roles].map(([role, n]) => `${n} ${n === 1 ? role : plural(role)}`);
  return `${parts.join(' + ')} in ${labels.length} worker${labels.length === 1 ? '' : 's'}`;
}

/** The Heap panel's table. */
export class StatsView {
  private run: RunColumn | null = null;
  private last: HeapSnapshot | null = null;
  /** Text last written per cell, so that only changed cells are touched. */
  private readonly cells = new Map<string, HTMLTableCellElement>();

  constructor(private readonly table: HTMLElement, private readonly caption: HTMLElement) {
    this.caption.textContent = 'this run: no run yet';
  }

  /** A run starts: `base` is the snapshot its figures are counted from. */
  beginRun(number: number, what: string, base: HeapSnapshot): void {
    this.run = { number, what, base, started: new Date().toLocaleTimeString(), final: null, ended: '' };
    this.show(base);
  }

  /** The run's workers are known (after its set-up). */
  setWorkers(what: string): void {
    if (this.run) this.run.what = what;
  }

  /** The run ended: freeze its column at `final`. */
  endRun(final: HeapSnapshot): void {
    if (!this.run || this.run.final) return;
    this.run.final = final;
    this.run.ended = new Date().toLocaleTimeString();
    this.show(final);
  }

  /** Show a snapshot. */
  show(s: HeapSnapshot): void {
    this.last = s;
    const r = this.run;
    const caption = !r ? 'this run: no run yet'
      : r.final ? `run #${r.number}, ${r.started} to ${r.ended} (ended)`
      : `run #${r.number}, since ${r.started} (running)`;
    if (this.caption.textContent !== caption) this.caption.textContent = caption;
    this.caption.dataset.run = r ? String(r.number) : '';
    this.caption.dataset.state = !r ? 'none' : r.final ? 'ended' : 'running';
    if (this.cells.size === 0) this.build();
    for (const [label, value] of gauges(s.stats, this.workers())) this.set(`now:${label}`, value);
    const runEnd = r ? (r.final ?? s) : null;
    for (const c of COUNTERS) {
      this.set(`run:${c.label}`, r && runEnd ? c.show(diff(c, runEnd, r.base)) : '–');
      this.set(`life:${c.label}`, c.show(c.get(s)));
    }
    this.table.dataset.faults = String(s.stats.faults);
    this.table.dataset.threadsNow = String(s.stats.threads);
    const faults = COUNTERS.find((c) => c.label === 'faults')!;
    const starts = COUNTERS.find((c) => c.label === 'thread starts')!;
    this.table.dataset.runFaults = r && runEnd ? String(diff(faults, runEnd, r.base)) : '';
    this.table.dataset.runThreadStarts = r && runEnd ? String(diff(starts, runEnd, r.base)) : '';
  }

  /** The current run's workers in words, with the control worker. */
  private workers(): string {
    return this.run ? `${this.run.what} + the control worker` : 'none yet (the control worker only)';
  }

  /** The latest snapshot shown (null before the first). */
  get latest(): HeapSnapshot | null { return this.last; }

  /** Build the table once: the gauges, then the counters under a "this run | lifetime" header. */
  private build(): void {
    const row = (cells: [string, string, number][], hint: string): HTMLTableRowElement => {
      const tr = document.createElement('tr');
      tr.title = hint;
      for (const [kind, text, span] of cells) {
        const cell = document.createElement(kind === 'th' ? 'th' : 'td');
        cell.textContent = text;
        if (span > 1) cell.colSpan = span;
        tr.append(cell);
      }
      return tr;
    };
    const rows: HTMLTableRowElement[] = [];
    const head = row([['th', 'now', 1], ['td', '', 2]], 'the heap at the last snapshot');
    head.className = 'section';
    rows.push(head);
    for (const [label, , hint] of gauges(this.last!.stats, '')) {
      const tr = row([['th', label, 1], ['td', '', 2]], hint);
      this.cells.set(`now:${label}`, tr.cells[1] as HTMLTableCellElement);
      rows.push(tr);
    }
    const counters = row([['th', 'counted', 1], ['td', 'this run', 1], ['td', 'heap lifetime', 1]],
      'this run: since the run started (frozen when it ended); heap lifetime: since the page loaded the heap');
    counters.className = 'section';
    rows.push(counters);
    for (const c of COUNTERS) {
      const tr = row([['th', c.label, 1], ['td', '', 1], ['td', '', 1]], c.hint);
      this.cells.set(`run:${c.label}`, tr.cells[1] as HTMLTableCellElement);
      this.cells.set(`life:${c.label}`, tr.cells[2] as HTMLTableCellElement);
      rows.push(tr);
    }
    this.table.replaceChildren(...rows);
  }

  /** Write a cell's text if it changed. */
  private set(key: string, text: string): void {
    const cell = this.cells.get(key);
    if (cell && cell.textContent !== text) cell.textContent = text;
  }
}
