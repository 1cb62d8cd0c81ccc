// link-micro.ts: `hakmem-wasm bench-link`: what a malloc(64)+free pair costs when a program
// compiled to wasm calls hakmem-wasm, in the three ways it can: inside the bench module (the
// workload in AssemblyScript, compiled with the allocator: the reference), from C merged into
// one module by `hakmem-wasm link`, and from C calling a second instance (run-time link).
// Each timed call runs all pairs inside wasm; every contender is warmed up first (V8 tiers
// up in the background), runs are interleaved, and medians are reported.

import { readFileSync } from 'node:fs';
import { linkProgram } from '../link/merge.js';
import { instantiateMerged, instantiatePair } from '../link/program.js';
import { exportedGlobalConst, importedMemoryLimits } from '../link/wasm-binary.js';
import { PROGRAM_GLOBALS, heapBaseFor } from '../link/names.js';
import { wasmPath } from '../core/module.js';
import { loadModule, instantiate, newSharedMemory } from './module.js';

/** One contender: a warmed-up `micro_pairs(n, size)`. */
interface Contender { name: string; pairs(n: number, size: number): number }

/** Median of numbers. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** What a run measured: ns per pair, median of `repeat` runs, per contender. */
export interface LinkMicroResult { name: string; nsPerPair: number; runs: number[]; ratio: number }

/** Measure (see the file header); `cMicro` is examples/c/micro.c built by scripts/examples.mjs. */
export async function measureLinkMicro(cMicro: Uint8Array, o: { pairs: number; size: number; repeat: number }):
    Promise<LinkMicroResult[]> {
  const contenders: Contender[] = [];
  // The bench module: its own micro_pairs, over its own heap.
  const bench = instantiate(await loadModule('release'), newSharedMemory()).exports as Record<string, (...a: number[]) => number>;
  contenders.push({ name: 'bench module (AssemblyScript)', pairs: (n, s) => bench.micro_pairs(n, s) });
  // C merged with the allocator.
  const { bytes, report } = await linkProgram(cMicro, readFileSync(wasmPath('release')));
  const mergedMem = new WebAssembly.Memory({ initial: report.minPages, maximum: 65536, shared: true });
  const merged = instantiateMerged(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), mergedMem);
  merged.start(0);
  contenders.push({ name: 'C, merged (hakmem-wasm link)', pairs: merged.exports.micro_pairs as Contender['pairs'] });
  // C calling a second instance.
  const heapBase = heapBaseFor(exportedGlobalConst(cMicro, PROGRAM_GLOBALS.heapBase) ?? 0);
  const limits = importedMemoryLimits(cMicro)!;
  const pairMem = new WebAssembly.Memory({ initial: Math.max(limits.min, heapBase / 65536 + 16), maximum: 65536, shared: true });
  const pair = instantiatePair(await WebAssembly.compile(cMicro as Uint8Array<ArrayBuffer>),
    await WebAssembly.compile(readFileSync(wasmPath('release'))), pairMem, heapBase);
  pair.start(0);
  contenders.push({ name: 'C, two instances (run-time link)', pairs: pair.exports.micro_pairs as Contender['pairs'] });

  for (const c of contenders) for (let i = 0; i < 3; i++) c.pairs(Math.min(o.pairs, 2_000_000), o.size); // warm up
  const runs = contenders.map(() => [] as number[]);
  for (let r = 0; r < o.repeat; r++) {
    contenders.forEach((c, i) => {
      const t = process.hrtime.bigint();
      c.pairs(o.pairs, o.size);
      runs[i].push(Number(process.hrtime.bigint() - t) / o.pairs);
    });
  }
  const ref = median(runs[0]);
  return contenders.map((c, i) => ({ name: c.name, nsPerPair: median(runs[i]), runs: runs[i], ratio: median(runs[i]) / ref }));
}
