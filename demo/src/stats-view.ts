// stats-view.ts: the heap's statistics (host/decode.ts decodeStats over the stats block that
// the module's stats_collect() writes; the control worker calls it).

import type { HeapStats } from '../../host/abi/decode.js';

/** "1.5 MiB" style byte counts. */
export function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** The figures shown, in order: label, value, hint. */
function rows(s: HeapStats): [string, string, string][] {
  return [
    ['bytes in use', bytes(s.bytesInUse), 'blocks held by users now, at their class size'],
    ['bytes asked for', bytes(s.bytesAsked), 'sum of all sizes passed to malloc so far (cumulative)'],
    ['memory pages', `${s.pages} (${bytes(s.pages * 65536)})`, 'linear memory, 64 KiB pages'],
    ['SuperSlabs', `${s.superslabs}`, '1 MiB chunks of 16 slabs'],
    ['threads', `${s.threads}`, 'attached allocator threads'],
    ['remote frees', s.remoteFrees.toLocaleString('en'), 'blocks freed by a non-owner'],
    ['remote pushes', s.remotePushes.toLocaleString('en'), 'atomic pushes carrying them'],
    ['drains', s.drains.toLocaleString('en'), 'remote stacks taken back by owners'],
    ['adoptions', s.adoptions.toLocaleString('en'), 'orphan slabs claimed'],
    ['orphaned', s.orphaned.toLocaleString('en'), 'slabs left by retired threads'],
    ['faults', s.faults.toLocaleString('en'), 'bad frees recorded'],
  ];
}

/** Show a stats snapshot. */
export function showStats(table: HTMLElement, s: HeapStats): void {
  table.replaceChildren(...rows(s).map(([label, value, hint]) => {
    const tr = document.createElement('tr');
    tr.title = hint;
    const th = document.createElement('th');
    th.textContent = label;
    const td = document.createElement('td');
    td.textContent = value;
    tr.append(th, td);
    return tr;
  }));
  table.dataset.faults = String(s.faults);
}
