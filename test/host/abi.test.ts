// The host's view of the shared records is generated from the allocator's classes
// (scripts/gen-abi.mjs), by a small layout rule of its own. These tests hold that rule to the
// compiler: a module that exports offsetof<Record>(field) for every generated field must
// agree with every generated offset and size. And the compile-time layout checks
// (assembly/layout-checks.ts) must be able to fail: a copy of the allocator with a record
// slot made too small, or two control-region parts overlapping, must not build.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';
import { RECORDS, type RecordDesc } from '../../dist/host/abi/abi.generated.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hakmem-abi-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Compile `entry` with asc and the repository's compiler options; returns errors or the module. */
async function compile(entry: string, outFile: string): Promise<{ ok: boolean; stderr: string }> {
  const asc = await import('assemblyscript/asc');
  const config = path.join(path.dirname(entry), 'asconfig.json');
  if (!fs.existsSync(config)) {
    const repo = JSON.parse(fs.readFileSync(path.join(ROOT, 'asconfig.json'), 'utf8'));
    fs.writeFileSync(config, JSON.stringify({ options: { ...repo.options, use: undefined } }));
  }
  const { error, stderr } = await asc.main([entry, '--config', config, '--outFile', outFile]);
  return { ok: !error, stderr: stderr.toString() };
}

describe('generated record descriptors', () => {
  it('agree with the compiler\'s offsetof for every field and every record size', async () => {
    const dir = path.join(tmp, 'offsets');
    fs.cpSync(path.join(ROOT, 'assembly'), path.join(dir, 'assembly'), { recursive: true });
    const recs = Object.values(RECORDS) as RecordDesc[];
    const lines = ['import * as T from "./assembly/types";'];
    const expected: Record<string, number> = {};
    for (const r of recs) {
      lines.push(`export const ${r.name}__size: u32 = offsetof<T.${r.name}>();`);
      expected[`${r.name}__size`] = r.size;
      for (const [f, off] of Object.entries(r.off)) {
        lines.push(`export const ${r.name}_${f}: u32 = offsetof<T.${r.name}>("${f}");`);
        expected[`${r.name}_${f}`] = off;
      }
    }
    const entry = path.join(dir, 'offsets.ts');
    fs.writeFileSync(entry, lines.join('\n') + '\n');
    const wasm = path.join(dir, 'offsets.wasm');
    const r = await compile(entry, wasm);
    expect(r.stderr).not.toMatch(/ERROR/);
    const mod = new WebAssembly.Module(fs.readFileSync(wasm));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const inst = new WebAssembly.Instance(mod, { env: { memory }, hakmem: { heap_base: 0x10000 } });
    const got: Record<string, number> = {};
    for (const k of Object.keys(expected)) got[k] = (inst.exports[k] as WebAssembly.Global).value;
    expect(got).toEqual(expected);
    expect(recs.length).toBeGreaterThanOrEqual(15);
  }, 120_000);
});

describe('compile-time layout checks', () => {
  /** Copy the allocator, apply `edit` to types.ts, compile; returns the compiler's output. */
  async function buildWith(name: string, from: string, to: string) {
    const dir = path.join(tmp, name);
    fs.cpSync(path.join(ROOT, 'assembly'), path.join(dir, 'assembly'), { recursive: true });
    const types = path.join(dir, 'assembly', 'types.ts');
    const text = fs.readFileSync(types, 'utf8');
    expect(text).toContain(from); // the edit must apply, or the test proves nothing
    fs.writeFileSync(types, text.replace(from, to));
    return compile(path.join(dir, 'assembly', 'index.ts'), path.join(dir, 'out.wasm'));
  }

  it('accept the allocator as it is', async () => {
    const r = await buildWith('clean', 'LAYOUT_VERSION', 'LAYOUT_VERSION');
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.ok).toBe(true);
  }, 120_000);

  it('fail when a record outgrows its slot', async () => {
    const r = await buildWith('small-slot', '@inline export const RING_EVENT_SIZE: u32 = 16;',
                              '@inline export const RING_EVENT_SIZE: u32 = 8;');
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/RingEvent outgrows RING_EVENT_SIZE/);
  }, 120_000);

  it('fail when two parts of the control region overlap', async () => {
    const r = await buildWith('overlap', '@inline export const REGISTRY_OFF: u32 = HEADER_OFF + HEADER_SLOT;',
                              '@inline export const REGISTRY_OFF: u32 = HEADER_OFF + 64;');
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/header overlaps the registry|GlobalHeader outgrows/);
  }, 120_000);
});
