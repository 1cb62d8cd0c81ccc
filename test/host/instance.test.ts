// instantiateAllocator's imports: env.memory always; the bench module's bench_wait and
// bench_notify only when the module declares them, with bench_wait refusing to block when
// the thread may not wait (a browser page's main thread).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { allocatorImports, instantiateAllocator } from '../../dist/host/core/instance.js';
import { instantiate as benchInstantiate } from '../../dist/host/bench/module.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const compile = (name: string): WebAssembly.Module =>
  new WebAssembly.Module(readFileSync(path.join(ROOT, 'build', name)));
const memory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 16, maximum: 1024, shared: true });

describe('instance imports', () => {
  it('gives the plain allocator only its memory', () => {
    const mem = memory();
    expect(Object.keys(allocatorImports(compile('release.wasm'), mem).env)).toEqual(['memory']);
  });

  it('gives the bench module bench_wait and bench_notify over the memory', async () => {
    const mod = compile('bench-release.wasm');
    const mem = memory();
    const env = allocatorImports(mod, mem).env as Record<string, (...a: number[]) => void>;
    expect(Object.keys(env).sort()).toEqual(['bench_notify', 'bench_wait', 'memory']);
    const i32 = new Int32Array(mem.buffer);
    i32[100] = 7;
    const t0 = Date.now();
    env.bench_wait!(400, 7, 20_000); // 20 ms timeout: the word never changes
    expect(Date.now() - t0).toBeGreaterThanOrEqual(10);
    env.bench_wait!(400, 8, -1); // not equal: returns at once
    env.bench_notify!(400);
    const inst = await instantiateAllocator(mod, mem);
    expect(typeof inst.exports.malloc).toBe('function');
  });

  it('makes bench_wait throw on a thread that must not block', () => {
    const env = allocatorImports(compile('bench-release.wasm'), memory(), { canWait: false }).env as
      Record<string, (...a: number[]) => void>;
    expect(() => env.bench_wait!(400, 0, -1)).toThrow(/must not block/);
    expect(() => env.bench_notify!(400)).not.toThrow();
  });

  it('instantiates the asrt build (no imports) through the bench harness', () => {
    const inst = benchInstantiate(compile('bench-asrt.wasm'));
    expect(Object.keys(inst.exports).length).toBeGreaterThan(0);
  });
});
