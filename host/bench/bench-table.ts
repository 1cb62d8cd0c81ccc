// bench-table.ts: the readable table `hakmem-wasm bench` prints after its runs.

import { RunRecord, WorkerTimeField } from './record.js';
import { AllocCounters } from './heap-info.js';
import { count, mega, mib, textTable } from './table.js';
import { spread } from './summary.js';

// The checksum-like extras worth a column, per workload.
const EXTRAS: Record<string, string[]> = {
  larson: ['generations', 'fill_size_sum', 'live_bytes_end'],
  random_mixed: ['mallocs', 'peak_live'],
  xfree: ['producer_full_spins', 'consumer_empty_spins'],
  midlarge: ['neighbour_frees', 'neighbour_bytes'],
  micro: ['ns_per_pair'],
};

/**
 * Each worker's on-CPU ms in the timed region, slash-separated ("72/112": the second worker ran
 * 40 ms longer for its share), or '-' without a thread clock.
 */
function workersCpu(r: RunRecord): string {
  const ws = r.worker_times as WorkerTimeField[] | undefined;
  if (!ws?.length || ws.some((w) => w.cpu_ms === null)) return '-';
  return ws.map((w) => w.cpu_ms!.toFixed(0)).join('/');
}

/** One row per run, then the median and spread when there are several. */
export function benchTable(records: RunRecord[]): string {
  if (records.length === 0) return '(no runs)';
  const extras = EXTRAS[records[0].bench] ?? [];
  const header = ['run', 'ops', 'secs', 'Mops/s', 'size_sum', 'bad', ...extras,
    'remote_frees', 'drains', 'adoptions', 'peak_MiB', 'in_use_MiB', 'cpu_ms'];
  const rows = records.map((r, i) => {
    const c = r.alloc_stats as AllocCounters | undefined;
    return [String(i + 1), count(r.ops), r.secs.toFixed(3), mega(r.ops_per_sec), count(r.size_sum), count(r.bad),
      ...extras.map((k) => (k === 'ns_per_pair' ? (r[k] as number).toFixed(2) : count(r[k]))),
      count(c?.remote_frees), count(c?.drains), count(c?.adoptions), mib(c?.peak_mem_bytes), mib(c?.bytes_in_use),
      workersCpu(r)];
  });
  let out = textTable(header, rows);
  if (records.length > 1) {
    const s = spread(records.map((r) => r.ops_per_sec));
    out += `\nmedian ${mega(s.median)} Mops/s (min ${mega(s.min)}, max ${mega(s.max)}, IQR ${mega(s.q1)}-${mega(s.q3)}) over ${s.n} runs`;
  }
  return out;
}
