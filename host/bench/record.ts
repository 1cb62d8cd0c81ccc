// record.ts: the JSON record of one run (WORKLOADS.md section 6): common fields first, then
// the workload's parameters and extras under the same names the C peers print, then this
// allocator's counters.

import type { Engine } from './engine.js';
import type { AllocCounters } from './heap-info.js';

/** One run's record. Key order is the print order. */
export type RunRecord = Record<string, unknown> & {
  bench: string;
  platform: string;
  alloc: string;
  ops: number;
  secs: number;
  ops_per_sec: number;
  size_sum: number;
  bad: number;
};

/** What a workload runner measured, before the common fields are added. */
export interface Measured {
  params: Record<string, unknown>;   // parameters, in the C peers' order and names
  ops: number;
  secs: number;
  size_sum: number;
  bad: number;
  extra: Record<string, unknown>;    // the workload's extra fields (section 6)
}

/** Assemble the record. */
export function makeRecord(bench: string, e: Engine, m: Measured, counters: AllocCounters | null,
                           more: Record<string, unknown> = {}): RunRecord {
  return {
    bench, platform: e.platform, alloc: e.alloc, ...m.params,
    ops: m.ops, secs: m.secs, ops_per_sec: m.secs > 0 ? m.ops / m.secs : 0,
    size_sum: m.size_sum, bad: m.bad, ...m.extra,
    build: e.build, ...more,
    ...(counters ? { alloc_stats: counters } : {}),
  };
}
