// hakmem-wasm as the malloc of a C program compiled with clang (examples/c/stress.c, built the
// way include/hakmem.h says): merged into one module by `hakmem-wasm link`, or linked at run
// time as two instances, on 1, 2 and 4 worker threads. Blocks of every tier cross threads and
// are verified word by word; the program's data, BSS and each thread's stack canaries must be
// intact, the heap checker clean, and memory below the heap base byte-for-byte unchanged.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';
// @ts-expect-error: a plain ES module script, no types
import { buildC } from '../../scripts/examples.mjs';
import { linkProgram } from '../../dist/host/link/merge.js';
import { runProgram, type Call } from '../../dist/host/link/run.js';

const OUT = path.join(ROOT, 'build', 'examples', 'test');
const SRC = path.join(ROOT, 'examples', 'c', 'stress.c');
const release = fs.readFileSync(path.join(ROOT, 'build', 'release.wasm'));
const debug = fs.readFileSync(path.join(ROOT, 'build', 'debug.wasm'));

// Counter indices of stress.c.
const C = { allocs: 0, frees: 1, sent: 2, received: 3, bytes: 4, errors: 5, huge: 6, aligned: 7 };
const OPS = 6000;

let plain: Uint8Array;
let ballast: Uint8Array;

beforeAll(() => {
  plain = fs.readFileSync(buildC([SRC], path.join(OUT, 'stress.wasm')));
  // 3 MiB of initialised data and a 1 MiB stack: the heap base lands above 4 MiB.
  ballast = fs.readFileSync(buildC([SRC], path.join(OUT, 'stress-ballast.wasm'),
    ['-DSTRESS_BALLAST=3145728', '-Wl,-z,stack-size=1048576']));
}, 120_000);

/** Run stress.c on `threads` threads; returns counters and checks every verdict. */
type Hooks = Pick<Parameters<typeof runProgram>[0], 'beforeThreads' | 'afterThreads'>;
async function stress(program: Uint8Array, threads: number, allocator?: Uint8Array, hooks: Hooks = {}) {
  const counters: Call[] = Object.values(C).map((i) => ['counter', i]);
  const r = await runProgram({
    program, allocator, threads, entry: 'worker', args: [OPS],
    setup: [['setup', threads, 12345]], finish: [['verify'], ...counters, ['teardown']], ...hooks,
  });
  expect(r.setup).toEqual([1]);
  expect(r.workers).toEqual(new Array(threads).fill(0));   // no pattern, canary or alignment error
  expect(r.finish[0]).toBe(0);                              // data and BSS canaries intact
  expect(r.violations).toBe(0);
  const n = Object.fromEntries(Object.entries(C).map(([k, i]) => [k, r.finish[1 + i]])) as Record<keyof typeof C, number>;
  expect(n.errors).toBe(0);
  expect(n.frees).toBe(n.allocs);                           // every block came back
  return { n, r };
}

describe('a C program linked with hakmem-wasm', () => {
  let linked: Awaited<ReturnType<typeof linkProgram>>;
  const merged = () => linked;
  beforeAll(async () => { linked = await linkProgram(plain, release); }, 120_000);

  it('links: every allocation import bound, own stack and TLS per thread', () => {
    const { report } = merged();
    expect(report.linked.sort()).toEqual([
      'env.aligned_alloc -> aligned_alloc', 'env.calloc -> calloc', 'env.free -> free',
      'env.malloc -> malloc', 'env.malloc_usable_size -> malloc_usable_size',
      'env.posix_memalign -> posix_memalign', 'env.realloc -> realloc',
    ]);
    expect(report.threads).toBe('link');
    expect(report.threadStack).toBe(true);
    expect(report.threadTls).toBe(true);
    const mod = new WebAssembly.Module(merged().bytes);
    expect(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`)).toEqual(['env.memory']);
  });

  for (const threads of [1, 2, 4]) {
    it(`merged module, ${threads} thread(s): verified blocks of every tier, canaries intact, heap clean`, async () => {
      const { n } = await stress(merged().bytes, threads);
      expect(n.allocs).toBeGreaterThan(threads * OPS / 3);
      expect(n.huge).toBeGreaterThan(0);
      expect(n.aligned).toBeGreaterThan(0);
      if (threads > 1) expect(n.sent).toBeGreaterThan(0); // blocks freed by another thread
      expect(n.received).toBe(n.sent);
    }, 60_000);
  }

  it('puts malloc and free whole into the program\'s call sites; inline: false leaves them calls', async () => {
    const { default: binaryen } = await import('binaryen');
    /** Calls to the function the module exports as `exp`, counted in Binaryen's text of it. */
    const callsTo = (bytes: Uint8Array, exp: string): number => {
      const m = binaryen.readBinary(bytes);
      try {
        const name = binaryen.getExportInfo(m.getExport(exp)).value;
        const text = m.emitText();
        const quoted = (n: string) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        return (text.match(new RegExp(`\\(call \\$(?:${quoted(name)}|"${quoted(name)}")(?=[\\s)])`, 'g')) ?? []).length;
      } finally {
        m.dispose();
      }
    };
    const inlined = merged();
    const outOfLine = await linkProgram(plain, release, { inline: false });
    expect(inlined.report.inlinedCallSites).toBeGreaterThan(0);
    expect(outOfLine.report.inlinedCallSites).toBe(0);
    for (const exp of ['hakmem_malloc', 'hakmem_free']) {
      expect(callsTo(outOfLine.bytes, exp), exp).toBeGreaterThan(0);
      expect(callsTo(inlined.bytes, exp), exp).toBe(0);
    }
    expect(inlined.bytes.length).toBeGreaterThan(outOfLine.bytes.length);
    const out = await stress(outOfLine.bytes, 2);   // both forms run the same verified work
    expect(out.n.errors).toBe(0);
  }, 120_000);

  it('a merged module and a two-instance link give the same results', async () => {
    const a = await stress(merged().bytes, 2);
    const b = await stress(plain, 2, release);
    expect(b.n).toEqual(a.n);
  }, 60_000);

  it('the debug build links and runs clean too (every double free would be caught)', async () => {
    const { bytes } = await linkProgram(plain, debug);
    await stress(bytes, 2);
  }, 60_000);

  it('never writes below the heap base of a program whose data and stack fill memory up to it', async () => {
    const { bytes, report } = await linkProgram(ballast, release);
    expect(report.heapBase).toBeGreaterThan(4 << 20);
    // Between the set-up and the finishing calls only the workers run, on stacks and TLS from
    // the heap, with their shared state in the heap: nothing below the heap base may change.
    let before: Buffer | null = null;
    let changed = -1;
    const { r } = await stress(bytes, 4, undefined, {
      beforeThreads: (_main, memory) => { before = Buffer.from(new Uint8Array(memory.buffer, 0, report.heapBase)); },
      afterThreads: (_main, memory) => {
        const after = Buffer.from(new Uint8Array(memory.buffer, 0, report.heapBase));
        changed = before!.compare(after) === 0 ? -1 : after.findIndex((b, i) => b !== before![i]);
      },
    });
    expect(changed).toBe(-1);
    expect((r.main.exports.ballast_at as (i: number) => number)(2)).toBe(3);
  }, 60_000);
});
