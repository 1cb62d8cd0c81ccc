// known-checksums.ts: the cross-check values of WORKLOADS.md section 7. Any correct
// allocator on any platform prints them for these exact runs, so when the page's
// parameters are one of these commands it says whether its run matched.

import type { DemoParams } from './workloads/index.js';
import { xfreeSplit } from './workloads/xfree.js';

/** One row of the table: the run it applies to and its checksums. */
interface KnownRun {
  command: string;
  applies(p: DemoParams): boolean;
  expect: Record<string, number>;
}

/** larson's and xfree's defaults besides ops and threads. */
const sizesDefault = (p: DemoParams): boolean => p.min === 8 && p.max === 1024 && p.seed === 4141;
const larson = (ops: number, threads: number) => (p: DemoParams): boolean =>
  p.workload === 'larson' && p.mode === 'ops' && p.ops === ops && p.threads === threads &&
  p.live === 1000 && sizesDefault(p);
const randomMixed = (ops: number) => (p: DemoParams): boolean =>
  p.workload === 'random_mixed' && p.mode === 'ops' && p.ops === ops && p.live === 2048 && p.seed === 123;
const xfree = (blocks: number, producers: number, consumers: number) => (p: DemoParams): boolean => {
  const split = xfreeSplit(p.threads);
  return p.workload === 'xfree' && p.mode === 'ops' && Math.floor(p.ops / 2) === blocks &&
    split.producers === producers && split.consumers === consumers && sizesDefault(p);
};

const KNOWN: readonly KnownRun[] = [
  { command: 'larson --ops 2e6 --threads 1', applies: larson(2e6, 1),
    expect: { size_sum: 516026856, fill_size_sum: 531462, live_bytes_end: 511684, generations: 10 } },
  { command: 'larson --ops 2e6 --threads 2', applies: larson(2e6, 2),
    expect: { size_sum: 516012351, fill_size_sum: 1056761, live_bytes_end: 1060564, generations: 10 } },
  { command: 'random_mixed --ops 1e6', applies: randomMixed(1e6),
    expect: { ops: 1001028, mallocs: 500514, size_sum: 263718873, peak_live: 1105 } },
  { command: 'xfree --blocks 1e6', applies: xfree(1e6, 1, 1), expect: { size_sum: 516385007 } },
  { command: 'xfree --blocks 1e6 --producers 2 --consumers 3', applies: xfree(1e6, 2, 3),
    expect: { size_sum: 515933476 } },
];

/** The verdict on a run's checksums against the table. */
export interface CrossCheck {
  command: string;
  expect: Record<string, number>;
  /** Names of the checksums that differ (empty: all match). */
  mismatches: string[];
}

/** Compare a run with the section 7 row for its parameters (null if there is none). */
export function crossCheck(p: DemoParams, checksums: Record<string, number>): CrossCheck | null {
  const row = KNOWN.find((k) => k.applies(p));
  if (!row) return null;
  const mismatches = Object.keys(row.expect).filter((k) => checksums[k] !== row.expect[k]);
  return { command: row.command, expect: row.expect, mismatches };
}
