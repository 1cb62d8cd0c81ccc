// scripts/check-build.mjs rejects a module that uses the AssemblyScript managed runtime (one
// module in many workers may make no managed allocation) and accepts the allocator's builds.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';

const CHECK = path.join(ROOT, 'scripts', 'check-build.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hakmem-buildcheck-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function check(...files: string[]) {
  return spawnSync(process.execPath, [CHECK, ...files], { encoding: 'utf8' });
}

/**
 * Compile a tiny AssemblyScript file with the stub runtime, in process (asc's API), into the
 * temp dir. `--config` points at an empty config so the repo's asconfig.json is not merged in.
 */
async function compile(name: string, source: string): Promise<string> {
  const asc = await import('assemblyscript/asc');
  const src = path.join(tmp, `${name}.ts`);
  const wat = path.join(tmp, `${name}.wat`);
  fs.writeFileSync(src, source);
  fs.writeFileSync(path.join(tmp, 'asconfig.json'), '{}');
  const { error, stderr } = await asc.main([src, '--config', path.join(tmp, 'asconfig.json'),
    '--runtime', 'stub', '--outFile', path.join(tmp, `${name}.wasm`), '--textFile', wat]);
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  return wat;
}

/** Compile `source` as `name`, run the check with `flags`, and expect it to refuse with `why`. */
async function expectRejected(name: string, source: string, why: RegExp, ...flags: string[]): Promise<string> {
  const wat = await compile(name, source);
  const r = check(...flags, wat);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(why);
  return wat;
}

describe('build check', () => {
  it('fails on a module that allocates an Array', async () => {
    await expectRejected('array', 'export function f(n: i32): i32 { const a = new Array<i32>(); a.push(n); return a.length; }\n',
      /managed runtime/);
  }, 60_000);

  it('fails on a module that concatenates strings', async () => {
    const wat = await compile('concat', 'export function f(a: string, b: string): i32 { return (a + b).length; }\n');
    expect(check(wat).status).not.toBe(0);
  }, 60_000);

  it('passes on a module that only uses raw memory', async () => {
    const wat = await compile('raw', 'export function f(p: usize): u32 { store<u32>(p, 1); return load<u32>(p); }\n');
    expect(check(wat).status).toBe(0);
  }, 60_000);

  it('fails on an allocator module with a data segment (memory contract)', async () => {
    const wat = await expectRejected('data', 'const T = memory.data<u8>([1, 2, 3, 4]);\nexport function f(i: usize): u8 { return load<u8>(T + i); }\n',
      /no data segment/, '--allocator');
    // The same module passes as a non-allocator module whose data lies below its limit...
    expect(check('--data-below', '65536', wat).status).toBe(0);
    // ...and fails when its data reaches past it.
    expect(check('--data-below', '8', wat).stderr).toMatch(/reaches past 8/);
  }, 60_000);

  it('fails on a module with a start function', async () => {
    await expectRejected('start', 'store<u32>(64, 1);\nexport function f(): u32 { return load<u32>(64); }\n', /start function/);
  }, 60_000);

  it('passes on build/release.wat and build/debug.wat', () => {
    const r = check('--allocator', path.join(ROOT, 'build', 'release.wat'), path.join(ROOT, 'build', 'debug.wat'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
