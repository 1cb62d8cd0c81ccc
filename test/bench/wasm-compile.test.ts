// The benchmark commands time optimized code only (bench/README.md "CLI", host/bench/module.ts
// optimizeWasmOnly): once they call it, V8 compiles each function of a bench module with its
// optimizing compiler at its first call, so no timed run shares the cores with a background
// compile. V8's own runtime functions (%IsLiftoffFunction, %IsTurboFanFunction,
// behind --allow-natives-syntax) say which tier an exported function's code is in.
import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadModule, instantiate, newSharedMemory, optimizeWasmOnly, wasmCompileMode } from '../../dist/host/bench/module.js';
import { benchRuns, DEFAULT_OPTIONS } from '../../dist/host/bench/runner.js';
import { parseParams } from '../../dist/host/workloads/params.js';
import { ROOT } from '../helpers/instances.js';

v8.setFlagsFromString('--allow-natives-syntax');
const TIER = 'return %IsTurboFanFunction(f) ? "turbofan" : %IsLiftoffFunction(f) ? "liftoff" : ' +
  '%IsUncompiledWasmFunction(f) ? "not compiled yet" : "other"';
const tierOf = new Function('f', TIER) as (f: unknown) => string;

const MODULE_JS = path.join(ROOT, 'dist', 'host', 'bench', 'module.js');

/** In a fresh node: compile the release bench module (optimizeWasmOnly first if `optimize`), call rng_next once; its tier. */
function tierInFreshProcess(optimize: boolean): string {
  const script = `
    import { loadModule, instantiate, newSharedMemory, optimizeWasmOnly } from ${JSON.stringify(MODULE_JS)};
    ${optimize ? 'optimizeWasmOnly();' : ''}
    const ex = instantiate(await loadModule('release'), newSharedMemory()).exports;
    const tier = new Function('f', ${JSON.stringify(TIER)});
    ex.rng_next(1);
    console.log(tier(ex.rng_next));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('bench modules compiled by the optimizing compiler only', () => {
  it('a function called once runs baseline code by default, optimized code after the call', () => {
    expect(tierInFreshProcess(false)).toBe('liftoff'); // the control
    expect(tierInFreshProcess(true)).toBe('turbofan');
  });

  it('after the call a run\'s functions are optimized code from their first call, and records say so', async () => {
    expect(wasmCompileMode()).toBe('tiered');
    optimizeWasmOnly();
    optimizeWasmOnly(); // a second call changes nothing
    expect(wasmCompileMode()).toBe('optimizing only');
    const ex = instantiate(await loadModule('release'), newSharedMemory()).exports;
    expect(tierOf(ex.larson_generation)).toBe('not compiled yet');
    const [r] = await benchRuns(parseParams('larson', { threads: '1', ops: '2e5' }),
      { ...DEFAULT_OPTIONS, warmup: 0, progress: false, log: () => {} });
    // The run called them on its worker; the code is the module's, shared by every instance.
    for (const name of ['larson_setup', 'larson_generation', 'larson_teardown']) {
      expect(typeof ex[name], name).toBe('function');
      expect(tierOf(ex[name]), name).toBe('turbofan');
    }
    expect(r.wasm_compile).toBe('optimizing only');
    expect(r.bad).toBe(0);
  });

  it('refuses once a module was compiled with tiers: that module would keep them', () => {
    const script = `
      import { loadModule, optimizeWasmOnly } from ${JSON.stringify(MODULE_JS)};
      await loadModule('release');
      try { optimizeWasmOnly(); console.log('no error'); } catch (e) { console.log(e.message); }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toMatch(/already compiled, with tiers/);
  });

  it('the bench command records it', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'host', 'cli', 'main.js'), 'bench', 'larson',
      '--threads', '1', '--ops', '2e5', '--warmup', '0', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).wasm_compile).toBe('optimizing only');
  });
});
