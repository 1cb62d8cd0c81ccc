// The bench module's RNG against WORKLOADS.md section 1 (every test vector and the first
// five sizes) and bench/MIDLARGE.md's size vector, in both bench builds.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { benchImports } from '../../dist/host/bench/module.js';

type Ex = Record<string, (...a: number[]) => number>;

function load(build: 'release' | 'asrt'): Ex {
  const bytes = readFileSync(new URL(`../../build/bench-${build}.wasm`, import.meta.url));
  const memory = build === 'asrt' ? undefined : new WebAssembly.Memory({ initial: 16, maximum: 32768, shared: true });
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), benchImports(memory)).exports as unknown as Ex;
}

const VECTORS = [
  { seed: 4141, stream: 1, init: 0x8534F0DC, out: [0x7EC0D42B, 0xECF54729, 0xC618E101, 0x9D2D2FBD, 0x2388E9D0] },
  { seed: 4141, stream: 2, init: 0xB87423CF, out: [0xBDB664E9, 0x5444F3FC, 0x8D59CAC1, 0x3437A8E1, 0xE456E6F4] },
  { seed: 123, stream: 1, init: 0xA330287D, out: [0x61C4B722, 0x13311AF2, 0x3D871A65, 0x07B17500, 0x0B3D5088] },
  { seed: 0, stream: 0, init: 0x92CA2F0E, out: [0x325B17FB, 0x442FAA89, 0x9EA494F6, 0x8B700F8B, 0xDAA473AB] },
];

for (const build of ['release', 'asrt'] as const) {
  describe(`bench RNG (${build})`, () => {
    const ex = load(build);
    for (const v of VECTORS) {
      it(`seed ${v.seed} stream ${v.stream}`, () => {
        let s = ex.rng_init(v.seed, v.stream) >>> 0;
        expect(s).toBe(v.init);
        const outs: number[] = [];
        for (let k = 0; k < 5; k++) { s = ex.rng_next(s) >>> 0; outs.push(s); }
        expect(outs).toEqual(v.out);
      });
    }

    it('first five sizes in [8, 1024] with seed 4141, stream 1', () => {
      let s = ex.rng_init(4141, 1) >>> 0;
      const sizes: number[] = [];
      for (let k = 0; k < 5; k++) { s = ex.rng_next(s) >>> 0; sizes.push(8 + ex.rng_bounded(s, 1017)); }
      expect(sizes).toEqual([511, 949, 794, 632, 149]);
    });

    it('midlarge: first five sizes of thread 0 (MIDLARGE.md)', () => {
      let s = ex.rng_init(4141, 1) >>> 0;
      const sizes: number[] = [];
      for (let k = 0; k < 5; k++) {
        s = ex.rng_next(s) >>> 0;                      // the keep/replace draw
        s = ex.rng_next(s) >>> 0;
        const lo = 1024 << ex.rng_bounded(s, 6);
        s = ex.rng_next(s) >>> 0;
        sizes.push(lo + ex.rng_bounded(s, lo + 1));
      }
      expect(sizes).toEqual([58125, 1956, 61475, 13744, 27457]);
    });
  });
}
