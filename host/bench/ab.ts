// ab.ts: `bench-ab`: the same workload on two builds of the hakmem bench module (a baseline
// and the one under test), interleaved, so a change to the allocator is measured against the
// code before it on the same machine in the same minutes. Both modules are warmed up first
// (runner.ts warmCode), and every timed run gets a new heap of its build (runner.ts: a heap
// used before would carry earlier runs' layout into the next); round k runs base then head, round k+1 head then base, so a slow drift of the machine
// (thermal, other load) falls on both equally. The figure is the ratio of the medians, with
// the spread of the per-round ratios.

import type { Params } from '../workloads/params.js';
import { freshTimedRun, recordOk, warmCode, type BenchOptions } from './runner.js';
import { DEFAULT_HEAP } from './engine.js';
import type { RunRecord } from './record.js';
import { spread, type Spread } from './summary.js';
import { threadsOf } from '../workloads/params.js';
import { awaitCores, gateLine, type CoresGate, type GateRecord } from './cores-gate.js';
import type { Peer } from './peers.js';

/** What bench-ab compares. */
export interface AbOptions {
  /** The baseline bench module file. */
  base: string;
  /** The bench module under test (default: the project's build/bench-release.wasm). */
  head?: string;
  repeat: number;
  warmup: number;
  /** Wait for two whole cores before every run of a multi-thread workload (cores-gate.ts), probing with `probe`. */
  gate?: { gate: CoresGate; probe: Peer } | null;
  log?: (line: string) => void;
}

/** The outcome: every record of both, and the summary. */
export interface AbResult {
  base: RunRecord[];
  head: RunRecord[];
  baseOps: Spread;
  headOps: Spread;
  /** head median / base median (ops per second: > 1 is faster). */
  ratio: number;
  /** The per-round ratios head / base. */
  roundRatios: Spread;
  /** Every record was clean (no damaged block, no fault). */
  ok: boolean;
  /** What the cores gate saw before each run, in run order (empty without a gate or on one thread). */
  gates: GateRecord[];
}

/** Run `p` `repeat` times on each build, interleaved. */
export async function runAb(p: Params, o: AbOptions): Promise<AbResult> {
  const opts: BenchOptions = { build: 'release', repeat: 1, warmup: o.warmup, check: false, ring: 0, progress: false, log: o.log };
  const files = [o.base, o.head];
  for (const file of files) await warmCode('release', p, o.warmup, DEFAULT_HEAP, file);
  const records: RunRecord[][] = [[], []];
  const gates: GateRecord[] = [];
  const gated = o.gate && threadsOf(p) >= 2 ? o.gate : null;
  for (let k = 0; k < o.repeat; k++) {
    for (const which of k % 2 === 0 ? [0, 1] : [1, 0]) {
      if (gated) {
        const g = await awaitCores(gated.probe, gated.gate);
        gates.push(g);
        if (g.probes > 1) o.log?.(`  ${gateLine(g)}`);
      }
      const r = await freshTimedRun('release', p, opts, DEFAULT_HEAP, files[which]);
      records[which]!.push(r);
      o.log?.(`round ${k + 1}/${o.repeat} ${which === 0 ? 'base' : 'head'}: ${(r.ops_per_sec / 1e6).toFixed(2)} Mops/s`);
    }
  }
  const [base, head] = records as [RunRecord[], RunRecord[]];
  const baseOps = spread(base.map((r) => r.ops_per_sec));
  const headOps = spread(head.map((r) => r.ops_per_sec));
  return {
    base, head, baseOps, headOps, ratio: headOps.median / baseOps.median,
    roundRatios: spread(head.map((r, k) => r.ops_per_sec / base[k]!.ops_per_sec)),
    ok: [...base, ...head].every(recordOk), gates,
  };
}

/** The result as text: medians, extremes, the ratio. */
export function abReport(res: AbResult, baseName: string, headName: string): string {
  const f = (x: number): string => (x / 1e6).toFixed(2);
  const line = (name: string, s: Spread): string =>
    `${name.padEnd(5)} median ${f(s.median).padStart(8)} Mops/s  (min ${f(s.min)}, max ${f(s.max)}, n ${s.n})`;
  return [
    `base = ${baseName}`, `head = ${headName}`,
    line('base', res.baseOps), line('head', res.headOps),
    `head / base: ${res.ratio.toFixed(3)} (per-round ratios ${res.roundRatios.min.toFixed(3)}..${res.roundRatios.max.toFixed(3)}, ` +
      `median ${res.roundRatios.median.toFixed(3)})`,
    ...(res.gates.length ? [`cores gate: ${res.gates.length} runs, ${res.gates.filter((g) => g.probes > 1).length} waited, ` +
      `${res.gates.filter((g) => !g.passed).length} ran without passing`] : []),
  ].join('\n');
}
