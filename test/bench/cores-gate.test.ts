// compare's cores gate (host/bench/cores-gate.ts): its option's refusals, its wait (with a probe
// that is a script printing chosen figures), its report line, and compare running it before
// every multi-thread run and no other.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitCores, coresGateOption, gateLine, gateText, GATE_PROBE_ARGV } from '../../dist/host/bench/cores-gate.js';
import type { GateRecord } from '../../dist/host/bench/cores-gate.js';
import type { Peer } from '../../dist/host/bench/peers.js';
import { runCompare, targetCases } from '../../dist/host/bench/compare.js';
import { targetLines } from '../../dist/host/bench/compare-report.js';
import { UsageError } from '../../dist/host/workloads/params.js';

/**
 * A probe peer that prints, on its k-th call, the k-th pair of `figures` (the last one again
 * after the list ends), as `workloads cores` prints its record; it counts calls in a file.
 */
function scriptedProbe(figures: [number, number][]): { peer: Peer; calls: () => number; argv: string[][] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hk-gate-'));
  const counter = path.join(dir, 'calls');
  writeFileSync(counter, '0');
  const script = `const fs = require('fs'); const k = Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8'));
    fs.writeFileSync(${JSON.stringify(counter)}, String(k + 1));
    const f = ${JSON.stringify(figures)}; const [l, t] = f[Math.min(k, f.length - 1)];
    console.log(JSON.stringify({ bench: 'cores', platform: 'native', latency_2t_1t: [l], throughput_2t_1t: [t] }));`;
  const argv: string[][] = [];
  const peer: Peer = {
    name: 'probe', platform: 'native',
    argvFor: (workload, args) => {
      argv.push([workload, ...args]);
      return { cmd: process.execPath, args: ['-e', script], env: process.env };
    },
  };
  return { peer, calls: () => argv.length, argv };
}

describe('--cores-gate and --cores-wait', () => {
  it('take a ratio in (0, 2] and seconds in [0, 3600]', () => {
    expect(coresGateOption('1.8', '60')).toEqual({ min: 1.8, waitSec: 60 });
    expect(coresGateOption('2', '0')).toEqual({ min: 2, waitSec: 0 });
  });
  it.each([['0', '60'], ['-1', '60'], ['2.5', '60'], ['x', '60'], ['', '60'], ['NaN', '60'],
           ['1.8', '-1'], ['1.8', '3601'], ['1.8', 'soon'], ['1.8', ''], ['1.8', 'Infinity']])(
    'refuse --cores-gate %j --cores-wait %j with a usage error', (min, wait) => {
      expect(() => coresGateOption(min, wait)).toThrow(UsageError);
    });
});

describe('awaitCores', () => {
  it('runs the short probe once when both loops reach the gate', async () => {
    const p = scriptedProbe([[1.95, 1.9]]);
    const g = await awaitCores(p.peer, { min: 1.8, waitSec: 30 });
    expect(g).toMatchObject({ passed: true, probes: 1, latency_2t_1t: 1.95, throughput_2t_1t: 1.9 });
    expect(p.argv).toEqual([[...GATE_PROBE_ARGV]]);
  });

  it('probes again, a second apart, until both loops pass: one loop passing is not enough', async () => {
    const p = scriptedProbe([[1.0, 1.0], [1.99, 1.3], [1.9, 1.85]]);
    const g = await awaitCores(p.peer, { min: 1.8, waitSec: 30 });
    expect(g).toMatchObject({ passed: true, probes: 3, latency_2t_1t: 1.9, throughput_2t_1t: 1.85 });
    expect(g.waited_ms).toBeGreaterThanOrEqual(2000);
    expect(gateLine(g)).toMatch(/^cores gate: passed after 3 probes, \d+\.\d s \(last: latency 1\.90x, throughput 1\.85x\)$/);
  }, 30_000);

  it('gives up when the wait runs out, and says so', async () => {
    const p = scriptedProbe([[1.1, 1.2]]);
    const g = await awaitCores(p.peer, { min: 1.8, waitSec: 3 });
    // A probe a second (plus its own run time, longer on a loaded machine) after the one before,
    // while the next one could still start within the 3 s.
    expect(g).toMatchObject({ passed: false, latency_2t_1t: 1.1, throughput_2t_1t: 1.2 });
    expect(g.probes).toBeGreaterThanOrEqual(2);
    expect(g.probes).toBeLessThanOrEqual(3);
    expect(g.waited_ms).toBeLessThan(10_000);
    expect(gateLine(g)).toMatch(/^cores gate: gave up after [23] probes/);
    const once = await awaitCores(scriptedProbe([[1.1, 1.2]]).peer, { min: 1.8, waitSec: 0 });
    expect(once).toMatchObject({ passed: false, probes: 1 });
  }, 30_000);

  it('records a probe that fails instead of throwing (the run goes ahead)', async () => {
    const broken: Peer = { name: 'probe', platform: 'native',
      argvFor: () => ({ cmd: process.execPath, args: ['-e', 'process.exit(3)'], env: process.env }) };
    const g = await awaitCores(broken, { min: 1.8, waitSec: 5 });
    expect(g.passed).toBe(false);
    expect(g.error).toBeTruthy();
    expect(gateLine(g)).toMatch(/probe FAILED/);
  });
});

describe('the gate in compare', () => {
  it('gateText counts what the gate did, and is absent without a gate', () => {
    const rec = (passed: boolean, probes: number, waited_ms: number): GateRecord =>
      ({ passed, probes, waited_ms, latency_2t_1t: 2, throughput_2t_1t: 2 });
    const runs = [{ gate: rec(true, 1, 900) }, { gate: rec(true, 4, 3400) }, { gate: rec(false, 61, 60_500) }, {}];
    expect(gateText(null, runs)).toBeNull();
    expect(gateText({ min: 1.8, waitSec: 60 }, runs)).toBe('the cores gate (both loops >= 1.8x, up to 60 s per run): ' +
      '3 multi-thread runs, 1 passed at once, 2 waited (64 s in all), 1 ran without passing (their records: gate.passed false)');
  });

  it('probes before each multi-thread run and no one-thread run, and reports it under the goals', async (ctx) => {
    const cases = targetCases(0.01).filter((c) => c.id === 'larson-1T-128' || c.id === 'larson-2T-128');
    // A gate every machine passes: what is tested is where it runs, not this machine's cores.
    const res = await runCompare({ cases, allocs: ['hakmem-wasm', 'glibc'], repeat: 1, warmup: 0,
      gate: { min: 0.01, waitSec: 0 }, log: () => {} });
    if (!res.allocs.includes('glibc')) ctx.skip('no native peer: gcc is missing (apt-get install gcc)');
    expect(res.gate).toEqual({ min: 0.01, waitSec: 0 });
    for (const r of res.runs) {
      if (r.case === 'larson-2T-128') expect(r.gate).toMatchObject({ passed: true, probes: 1 });
      else expect(r.gate).toBeUndefined();
    }
    expect(res.runs.filter((r) => r.gate)).toHaveLength(2);
    // Each probe takes a moment (longer on a loaded machine), but a run that passed at once did not wait.
    expect(targetLines(res)).toContain('- the cores gate (both loops >= 0.01x, up to 0 s per run): 2 multi-thread runs, ' +
      '2 passed at once, 0 waited (0 s in all), 0 ran without passing');
  }, 180_000);
});
