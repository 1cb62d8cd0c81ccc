// cores-gate.ts: compare's optional wait for two whole cores before a multi-thread run
// (`compare --cores-gate X`; bench/README.md "The cores gate").
//
// On a virtual machine the two vCPUs are not always two cores: for stretches of seconds to
// minutes they are hyperthreads of one physical core, or one of them loses its time to another
// guest, and then every allocator's two-thread run measures the host, not the allocator (the
// cores probe, bench/c/cores.c, read 1.0x to 1.5x for two threads over one while the same
// machine gave 2.0x minutes earlier). The gate runs a short probe right before each run of a
// case with two or more threads and, while either loop's 2T/1T is below X, waits a second and
// probes again, up to a time limit; then the run goes ahead either way, and its record says
// what the gate saw (`gate`). Every allocator's runs pass the same gate, so no allocator is
// favoured; the figures are of the machine in the state the two-thread goals assume.

import { Peer, runPeer } from './peers.js';
import { UsageError } from '../workloads/params.js';

/** The short probe: one recorded pair of each loop, 1e7 steps each (about 13 ms per loop run). */
export const GATE_PROBE_ARGV: readonly string[] = ['cores', '--pairs', '1', '--iters', '1e7'];

/** Pause between two probes of one wait. */
const GATE_RETRY_MS = 1000;

/** The gate's setting: the least 2T/1T both loops must show, and how long a run may wait for it. */
export interface CoresGate {
  min: number;
  waitSec: number;
}

/** The longest a run may wait (an hour): beyond it, a typo, not a plan. */
const GATE_WAIT_MAX_SEC = 3600;

/**
 * The gate of `--cores-gate X --cores-wait S`: X in (0, 2] (two threads over one can give at most
 * 2x on two cores), S a number of seconds in [0, GATE_WAIT_MAX_SEC]; a UsageError otherwise.
 */
export function coresGateOption(min: string, waitSec: string): CoresGate {
  const x = Number(min), w = Number(waitSec);
  if (min.trim() === '' || !(x > 0 && x <= 2)) throw new UsageError(`--cores-gate: want a ratio in (0, 2], got '${min}'`);
  if (waitSec.trim() === '' || !(w >= 0 && w <= GATE_WAIT_MAX_SEC)) {
    throw new UsageError(`--cores-wait: want seconds in [0, ${GATE_WAIT_MAX_SEC}], got '${waitSec}'`);
  }
  return { min: x, waitSec: w };
}

/** What the gate saw before one run (kept in the run's record as `gate`). */
export interface GateRecord {
  passed: boolean;       // the last probe showed both loops at `min` or more
  probes: number;        // probes made (1: passed at once)
  waited_ms: number;     // from the first probe to the run's start
  latency_2t_1t: number | null;    // the last probe's figures
  throughput_2t_1t: number | null;
  error?: string;        // the probe itself failed (the run goes ahead ungated)
}

/** The first figure of a probe record's `key` array, or null. */
const first = (rec: Record<string, unknown>, key: string): number | null => {
  const v = rec[key];
  return Array.isArray(v) && typeof v[0] === 'number' && Number.isFinite(v[0]) ? v[0] : null;
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Probe the cores with `probe` (the native build) until both loops reach `gate.min` or the wait runs out. */
export async function awaitCores(probe: Peer, gate: CoresGate): Promise<GateRecord> {
  const t0 = Date.now();
  for (let probes = 1; ; probes++) {
    let rec: Record<string, unknown>;
    try {
      rec = await runPeer(probe, [...GATE_PROBE_ARGV]);
    } catch (e) {
      return { passed: false, probes, waited_ms: Date.now() - t0, latency_2t_1t: null, throughput_2t_1t: null,
        error: (e as Error).message.slice(0, 300) };
    }
    const latency = first(rec, 'latency_2t_1t'), throughput = first(rec, 'throughput_2t_1t');
    const passed = latency !== null && throughput !== null && latency >= gate.min && throughput >= gate.min;
    const waited = Date.now() - t0;
    if (passed || waited + GATE_RETRY_MS > gate.waitSec * 1000) {
      return { passed, probes, waited_ms: waited, latency_2t_1t: latency, throughput_2t_1t: throughput };
    }
    await sleep(GATE_RETRY_MS);
  }
}

/** One gate record as a log line. */
export function gateLine(g: GateRecord): string {
  const x = (v: number | null): string => (v === null ? '?' : `${v.toFixed(2)}x`);
  return `cores gate: ${g.error ? `probe FAILED (${g.error})` : g.passed ? 'passed' : 'gave up'} after ${g.probes} ` +
    `probe${g.probes === 1 ? '' : 's'}, ${(g.waited_ms / 1000).toFixed(1)} s (last: latency ${x(g.latency_2t_1t)}, ` +
    `throughput ${x(g.throughput_2t_1t)})`;
}

/** The gate's records of `runs` (those that passed one). */
export function gateRecords(runs: readonly Record<string, unknown>[]): GateRecord[] {
  return runs.map((r) => r.gate).filter((g): g is GateRecord => typeof g === 'object' && g !== null && 'passed' in g);
}

/** One line on what the gate did over a compare's runs, or null when it was off. */
export function gateText(gate: CoresGate | null | undefined, runs: readonly Record<string, unknown>[]): string | null {
  if (!gate) return null;
  const g = gateRecords(runs);
  if (g.length === 0) return `the cores gate (${gate.min}x) gated no run`;
  const waited = g.filter((x) => x.probes > 1);
  const failed = g.filter((x) => !x.passed);
  const secs = waited.reduce((s, x) => s + x.waited_ms, 0) / 1000; // a run that passed at once did not wait
  return `the cores gate (both loops >= ${gate.min}x, up to ${gate.waitSec} s per run): ${g.length} multi-thread runs, ` +
    `${g.length - waited.length} passed at once, ${waited.length} waited (${secs.toFixed(0)} s in all), ` +
    `${failed.length} ran without passing${failed.length ? ' (their records: gate.passed false)' : ''}`;
}
