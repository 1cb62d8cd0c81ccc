// suite.ts: the short default suite `npm start` runs: hakmem-wasm alone (no peers, nothing
// to install), every workload once at a small size, then one table. Under a minute on 2 cores.

import { parseParams, Params } from '../workloads/params.js';
import { RunRecord } from './record.js';
import { DEFAULT_OPTIONS, benchRuns, recordOk } from './runner.js';
import { count, mega, textTable } from './table.js';
import { optimizeWasmOnly } from './module.js';

const SUITE: { id: string; params: Params }[] = [
  { id: 'larson 1T', params: parseParams('larson', { threads: '1', ops: '30e6' }) },
  { id: 'larson 2T', params: parseParams('larson', { threads: '2', ops: '30e6' }) },
  { id: 'random_mixed', params: parseParams('random_mixed', { ops: '15e6' }) },
  { id: 'xfree 1P1C', params: parseParams('xfree', { blocks: '6e6' }) },
  { id: 'midlarge 2T', params: parseParams('midlarge', { threads: '2', rounds: '6000' }) },
  { id: 'micro malloc(64)+free', params: parseParams('micro', { ops: '5e7', size: '64' }) },
];

/** Run the default suite, print its table; resolves to the records (all checks passed or not). */
export async function runDefaultSuite(log: (s: string) => void = console.log,
                                      progress: (s: string) => void = (s) => process.stderr.write(`${s}\n`)):
    Promise<{ ok: boolean; records: RunRecord[] }> {
  optimizeWasmOnly();
  const records: RunRecord[] = [];
  const rows: string[][] = [];
  for (const s of SUITE) {
    const [r] = await benchRuns(s.params, { ...DEFAULT_OPTIONS, check: true, log: () => {} });
    records.push(r);
    const extra = r.bench === 'micro' ? `${(r.ns_per_pair as number).toFixed(2)} ns/pair` : `size_sum ${count(r.size_sum)}`;
    rows.push([s.id, count(r.ops), r.secs.toFixed(3), mega(r.ops_per_sec), extra, recordOk(r) ? 'ok' : 'FAILED']);
    progress(`  ${s.id}: ${mega(r.ops_per_sec)} Mops/s`);
  }
  progress('');
  log('hakmem-wasm, release build, one run of each workload (warmed up):\n');
  log(textTable(['workload', 'ops', 'secs', 'Mops/s', 'checksum', 'checks'], rows));
  log([
    '',
    'ops:      one malloc or one free is one operation (micro: each pair is two).',
    'checksum: the workload\'s checksum (size_sum: bytes requested in total), the same on every',
    '          allocator for the same parameters (bench/WORKLOADS.md).',
    'checks:   ok = no corrupted block, no allocator fault, and the heap checker found the heap',
    '          consistent after the run.',
    '',
    'Next: node dist/host/cli/main.js bench <workload> --repeat 5 (one workload, medians; --help),',
    '      node dist/host/cli/main.js compare (against glibc, mimalloc, jemalloc, dlmalloc, emmalloc).',
  ].join('\n'));
  return { ok: records.every(recordOk), records };
}
