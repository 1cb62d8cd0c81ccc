// record.ts: the JSON record of one run (WORKLOADS.md section 6): common fields first, then
// the workload's parameters and extras under the same names the C peers print, then this
// allocator's counters.

import type { Engine } from './engine.js';
import type { AllocCounters } from './heap-info.js';
import type { WorkerTime } from './worker-set.js';
import { wasmCompileMode } from './module.js';

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
  workers?: WorkerTime[];            // each worker's part of the timed region, if it had workers
}

/**
 * A worker's part of the timed region as the record prints it (ms after the gate opened; on-CPU
 * and run-queue ms of its thread, null without a thread clock). Equal work that took one worker
 * far more CPU time than another was slowed on the CPU (by the machine, a lock spin or shared
 * cache lines), not kept off it.
 */
export interface WorkerTimeField {
  start_ms: number;
  end_ms: number;
  cpu_ms: number | null;
  runqueue_ms: number | null;
  minor_faults: number | null;   // first touches of memory pages the kernel had to map
}

/** Round to microseconds: the record's times are not more precise than that. */
const us = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The record's `worker_times` field. */
export function workerTimesField(ws: WorkerTime[]): WorkerTimeField[] {
  return ws.map((w) => ({
    start_ms: us(w.startMs), end_ms: us(w.endMs),
    cpu_ms: w.cpu ? us(w.cpu.runMs) : null, runqueue_ms: w.cpu ? us(w.cpu.waitMs) : null,
    minor_faults: w.cpu ? w.cpu.minorFaults : null,
  }));
}

/** Assemble the record. */
export function makeRecord(bench: string, e: Engine, m: Measured, counters: AllocCounters | null,
                           more: Record<string, unknown> = {}): RunRecord {
  return {
    bench, platform: e.platform, alloc: e.alloc, ...m.params,
    ops: m.ops, secs: m.secs, ops_per_sec: m.secs > 0 ? m.ops / m.secs : 0,
    size_sum: m.size_sum, bad: m.bad, ...m.extra,
    build: e.build, wasm_compile: wasmCompileMode(), ...(m.workers?.length ? { worker_times: workerTimesField(m.workers) } : {}), ...more,
    ...(counters ? { alloc_stats: counters } : {}),
  };
}
