// The heap base baked into a module as a constant (host/link/merge.ts bakeHeapBase): what a
// link does to the allocator, and what `npm run build` does to the bench modules. The baked
// module must import no heap base, put its control region at the constant, and serve and
// check memory there; bad inputs are refused with a LinkError.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';
import { bakeHeapBase, LinkError } from '../../dist/host/link/merge.js';
import { instantiateAllocatorSync } from '../../dist/host/core/instance.js';
import { createSharedMemory } from '../../dist/host/core/memory.js';

const release = fs.readFileSync(path.join(ROOT, 'build', 'release.wasm'));

/** Does a module import hakmem.heap_base? */
function importsHeapBase(bytes: Uint8Array): boolean {
  return WebAssembly.Module.imports(new WebAssembly.Module(bytes))
    .some((i) => i.module === 'hakmem' && i.name === 'heap_base');
}

describe('bakeHeapBase', () => {
  it('gives the allocator a constant heap base that it then uses', async () => {
    expect(importsHeapBase(release)).toBe(true);
    const base = 0x30000;
    const baked = await bakeHeapBase(release, base);
    expect(importsHeapBase(baked)).toBe(false);

    const memory = createSharedMemory();
    new Uint8Array(memory.buffer, 0, base).fill(0xa5); // the program's memory: never written
    const inst = instantiateAllocatorSync(new WebAssembly.Module(baked), memory);
    expect(inst.layout.HEAP_BASE).toBe(base);
    const ex = inst.exports as unknown as { malloc(n: number): number; free(p: number): void; heap_check(): number };
    const blocks: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const p = ex.malloc(16 + (i % 7) * 40);
      expect(p).toBeGreaterThanOrEqual(base);
      blocks.push(p);
    }
    for (const p of blocks) ex.free(p);
    expect(ex.heap_check()).toBe(0);
    expect(new Uint8Array(memory.buffer, 0, base).every((b) => b === 0xa5)).toBe(true);
  });

  it('the build baked the host\'s default heap base into the bench modules', () => {
    for (const build of ['release', 'debug', 'floor']) {
      expect(importsHeapBase(fs.readFileSync(path.join(ROOT, 'build', `bench-${build}.wasm`))), build).toBe(false);
    }
  });

  it('refuses a heap base that is not a multiple of 64 KiB below 4 GiB, and a module without the import', async () => {
    await expect(bakeHeapBase(release, 0x18000)).rejects.toThrow(LinkError);
    await expect(bakeHeapBase(release, 2 ** 32)).rejects.toThrow(LinkError);
    await expect(bakeHeapBase(release, -65536)).rejects.toThrow(LinkError);
    const baked = await bakeHeapBase(release, 0x10000);
    await expect(bakeHeapBase(baked, 0x10000)).rejects.toThrow(/does not import hakmem.heap_base/);
  });
});
