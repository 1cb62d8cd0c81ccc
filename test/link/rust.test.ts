// hakmem-wasm as the global allocator of a Rust program (examples/rust/lib.rs, built by
// scripts/rust-example.mjs with Debian's rustc and a sysroot rebuilt with atomics): merged by
// `hakmem-wasm link` and run on 1, 2 and 4 worker threads, or linked at run time as two
// instances. Vec growth, boxed slices, strings, 16-, 64- and 4096-byte-aligned allocations,
// zeroed vectors past 1 MiB and boxes freed by another thread all read back as written: every
// thread returns the single-thread checksum, Rust's atomic counter saw every call, and the
// heap checker is clean. The same checksum from a trivially correct allocator in JavaScript,
// and errors from a deliberately misaligning one, show the checksum is a real oracle.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';
// @ts-expect-error: a plain ES module script, no types
import { buildRustExample } from '../../scripts/rust-example.mjs';
import { linkProgram } from '../../dist/host/link/merge.js';
import { runProgram } from '../../dist/host/link/run.js';

const release = fs.readFileSync(path.join(ROOT, 'build', 'release.wasm'));
const ROUNDS = 200;
/** work()'s error code: this pattern | the number of mismatches. */
const BAD = 0xbad0_0000;

let plain: Uint8Array;
let linked: Awaited<ReturnType<typeof linkProgram>>;
/** work(0, ROUNDS) on one thread: what every thread of every run must return. */
let reference: number;

beforeAll(async () => {
  const wasm: string = await buildRustExample({ outDir: path.join(ROOT, 'build', 'examples'), quiet: true });
  plain = fs.readFileSync(wasm);
  linked = await linkProgram(plain, release);
  const r = await runProgram({ program: linked.bytes, threads: 1, entry: 'work', args: [ROUNDS] });
  reference = r.workers[0]!;
}, 180_000);

/**
 * work(0, rounds) on one instance whose allocator is a bump allocator in JavaScript (nothing
 * is ever reused). `misalign`: every block is 8 mod 16, whatever alignment was asked for.
 */
function workOnBump(rounds: number, misalign: boolean): number {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const sizes = new Map<number, number>();
  let top = 0;
  const bump = (size: number, align = 16): number => {
    const p = misalign ? ((top + 15) & ~15) + 8 : Math.ceil(top / align) * align;
    top = p + Math.max(size, 1);
    if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
    sizes.set(p, size);
    return p;
  };
  const env = {
    memory,
    malloc: (size: number) => bump(size),
    calloc: (n: number, size: number) => bump(n * size),   // fresh memory is zero
    aligned_alloc: (align: number, size: number) => bump(size, align),
    free: (p: number) => { sizes.delete(p); },
    realloc: (p: number, size: number) => {
      const q = bump(size);
      if (p) new Uint8Array(memory.buffer).copyWithin(q, p, p + Math.min(sizes.get(p)!, size));
      sizes.delete(p);
      return q;
    },
  };
  const inst = new WebAssembly.Instance(new WebAssembly.Module(plain as Uint8Array<ArrayBuffer>), { env });
  const ex = inst.exports as { work(index: number, rounds: number): number; __heap_base: WebAssembly.Global };
  top = ex.__heap_base.value as number;
  return ex.work(0, rounds) >>> 0;
}

/** Every thread returned the reference, calls() counted each, the heap is clean. */
function expectAgreement(r: Awaited<ReturnType<typeof runProgram>>, threads: number): void {
  expect(r.workers).toEqual(new Array(threads).fill(reference));
  expect(r.finish).toEqual([threads]);
  expect(r.violations).toBe(0);
}

describe('a Rust program with hakmem-wasm as its global allocator', () => {
  it('builds a shared-memory module that imports only the C allocation functions', () => {
    const mod = new WebAssembly.Module(plain as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`).sort()).toEqual([
      'env.aligned_alloc:function', 'env.calloc:function', 'env.free:function', 'env.malloc:function',
      'env.memory:memory', 'env.realloc:function',
    ]);
    const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
    for (const name of ['work', 'calls', '__heap_base', '__stack_pointer', '__tls_base', '__wasm_init_tls']) {
      expect(exports).toContain(name);
    }
    // The single-thread reference is a checksum, not the error code.
    expect(reference).toBeLessThan(0x8000_0000);
    expect((reference & 0xfff0_0000) >>> 0).not.toBe(BAD);
  });

  it('links: every import bound, own stack and TLS per thread', () => {
    const { bytes, report } = linked;
    expect(report.linked.sort()).toEqual([
      'env.aligned_alloc -> aligned_alloc', 'env.calloc -> calloc', 'env.free -> free',
      'env.malloc -> malloc', 'env.realloc -> realloc',
    ]);
    expect(report.threads).toBe('link');
    expect(report.threadStack).toBe(true);
    expect(report.threadTls).toBe(true);
    const mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`)).toEqual(['env.memory']);
  });

  for (const threads of [1, 2, 4]) {
    it(`merged module, ${threads} thread(s): every thread returns the reference checksum, heap clean`, async () => {
      const r = await runProgram({
        program: linked.bytes, threads, entry: 'work', args: [ROUNDS], finish: [['calls']],
      });
      expectAgreement(r, threads);
    }, 60_000);
  }

  it('two instances linked at run time, 2 threads: the same checksum, heap clean', async () => {
    const r = await runProgram({
      program: plain, allocator: release, threads: 2, entry: 'work', args: [ROUNDS], finish: [['calls']],
    });
    expectAgreement(r, 2);
  }, 60_000);

  it('a trivially correct allocator in JavaScript gives the same checksum; a misaligning one, errors', () => {
    // The checksum depends on what the program wrote and read back, not on where blocks are.
    expect(workOnBump(ROUNDS, false)).toBe(reference);
    // aligned_alloc ignoring the alignment must be caught, so the checks are not vacuous.
    const r = workOnBump(8, true);
    expect((r & 0xfff0_0000) >>> 0).toBe(BAD);
    expect(r & 0xf_ffff).toBeGreaterThan(8 * 3); // per round: Box, Vec and raw 4096-aligned blocks
  });
});
