// The workload descriptors (host/workloads/) against the bench module they describe: every
// export a descriptor calls and every BL_* layout constant it reads exists in every bench
// build, and a descriptor's numbers follow its parameters (thread counts, set-up argument
// order). The cross-check test runs them for real; this one fails with the missing name.
import { describe, expect, it } from 'vitest';
import { loadModule } from '../../dist/host/bench/module.js';
import { DESCRIPTORS, paramsOf, KNOWN_RUNS, LARSON, RANDOM_MIXED, runMemory, crossCheck, parseParams,
         type Params } from '../../dist/host/workloads/index.js';

/** The names a descriptor touches for `p`: exports it calls, layout constants it reads. */
function namesTouched(p: Params): { fns: string[]; layout: string[] } {
  const d = (DESCRIPTORS as Record<string, any>)[p.workload];
  const layout = new Set<string>();
  // A memory that records every BL_* name asked for and reads zeros (a run record of nothing).
  const m = runMemory({ u32: () => 0, u64: () => 0 }, new Proxy({}, {
    get: (_t, name: string) => { layout.add(name); return 0; },
  }));
  const fns = [d.setup(p)?.fn, ...d.calls(p, 0).map((c: { fn: string }) => c.fn), d.teardown, d.free]
    .filter((f): f is string => typeof f === 'string');
  if (p.workload === 'larson') fns.push(LARSON.generation(0, 0, true).fn);
  d.progress(m, p, 0);
  d.fraction(m, p, 0);
  d.result(m, p, 0, 1);
  if (p.workload === 'larson') LARSON.stopFlag(m, 0);
  if (p.workload === 'random_mixed') RANDOM_MIXED.sizeRange(m);
  return { fns, layout: [...layout] };
}

describe('workload descriptors', () => {
  const samples: Params[] = [...KNOWN_RUNS.map((r) => paramsOf(r)), parseParams('micro', {}),
    parseParams('micro', { batch: '8' })];

  it.each(['release', 'debug'] as const)('call only exports and read only BL_* globals of bench-%s', async (build) => {
    const exports = new Map(WebAssembly.Module.exports(await loadModule(build)).map((e) => [e.name, e.kind]));
    for (const p of samples) {
      const { fns, layout } = namesTouched(p);
      for (const f of fns) expect(exports.get(f), `${p.workload} calls ${f}`).toBe('function');
      for (const g of layout) expect(exports.get(g), `${p.workload} reads ${g}`).toBe('global');
      expect(layout.length + fns.length).toBeGreaterThan(0);
    }
  });

  it('give one call per thread, on workers 0..threads-1', () => {
    for (const p of samples) {
      const d = (DESCRIPTORS as Record<string, any>)[p.workload];
      const calls = d.calls(p, 0) as { worker: number }[];
      expect(calls.map((c) => c.worker)).toEqual(Array.from({ length: d.threads(p) }, (_, i) => i));
    }
  });

  it('pass the set-up arguments in the export\'s order', () => {
    const p = parseParams('xfree', { producers: '2', consumers: '3', blocks: '1000', seed: '7' });
    expect(DESCRIPTORS.xfree.setup(p as never)).toEqual(
      { fn: 'xfree_setup', args: [2, 3, 1024, 64, 8, 1024, 7, 0, 1000] });
    const l = parseParams('larson', { threads: '2', ops: '2e6' });
    expect(DESCRIPTORS.larson.setup(l as never)!.args).toEqual([2, 1000, 8, 1024, 100_000, 0, 0, 4141, 500_000]);
  });

  it('a missing layout constant is an error that names it', () => {
    expect(() => runMemory({ u32: () => 0, u64: () => 0 }, {}).bl('BL_NOPE')).toThrow(/exports no BL_NOPE/);
  });

  it('crossCheck finds the known run and names the checksums that differ', () => {
    const p = parseParams('xfree', { blocks: '1e6' });
    expect(crossCheck(p, { size_sum: 516385007 })?.mismatches).toEqual([]);
    expect(crossCheck(p, { size_sum: 1 })?.mismatches).toEqual(['size_sum']);
    expect(crossCheck(parseParams('xfree', { blocks: '999' }), { size_sum: 1 })).toBeNull();
  });
});
