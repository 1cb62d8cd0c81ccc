// merge.ts: `hakmem-wasm link`: merge a program compiled to wasm and the allocator into one
// module, so the program's malloc, free, ... are direct calls, malloc and free inlined into it.
//
//   program.wasm ──┐ 1. retarget its allocation imports (env.malloc, ..., hakmem.*) to the
//                  │    allocator's exports; export its memory
//   allocator ─────┤ 2. bake the heap base in (hakmem.heap_base becomes a constant), import
//                  │    the program's memory, prefix its exports with hakmem_
//                  ├─ 3. wasm-merge (Binaryen) the two
//                  ├─ 4. add hakmem_thread_start / hakmem_thread_exit (stack and TLS per thread)
//                  ├─ 5. mark malloc and free for Binaryen's inliner (a text round trip)
//                  └─ 6. optimise, validate, raise the memory's minimum to hold the control region
//
// The heap base is the program's `__heap_base` export rounded up to 64 KiB (or --heap-base):
// the memory contract says the allocator never writes below it. Node only (binaryen, files).

import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Binaryen from 'binaryen';
import { ENV_IMPORTS, HAKMEM_MODULE, HAKMEM_CALLS, MERGED_PREFIX, THREAD_START, THREAD_EXIT,
         PROGRAM_GLOBALS, heapBaseFor, HEAP_BASE_ALIGN } from './names.js';
import { importedMemoryLimits, raiseImportedMemoryMin } from './wasm-binary.js';

/** How to link. */
export interface LinkOptions {
  /** Where the allocator's heap starts; default: the program's __heap_base, rounded up. */
  heapBase?: number;
  /** Run Binaryen's optimiser over the merged module (default true). */
  optimize?: boolean;
  /**
   * With the optimiser: put malloc's and free's whole bodies (fast path and the call to the
   * slow path) into every call site of the program (default true; larger code, no call per
   * malloc or free).
   */
  inline?: boolean;
}

/** What the link did. */
export interface LinkReport {
  heapBase: number;
  /** Program imports the allocator now serves, as "module.name -> export". */
  linked: string[];
  /** Who starts threads: Emscripten's pthreads, or the link's hakmem_thread_start. */
  threads: 'emscripten' | 'link';
  /** Whether the merged module can give each thread its own stack and TLS. */
  threadStack: boolean;
  threadTls: boolean;
  /** Pages the memory must have at least (the control region must be addressable). */
  minPages: number;
  /** Call sites of malloc and free in the program that the optimiser was asked to inline into. */
  inlinedCallSites: number;
  notes: string[];
}

/** An error in the inputs (exit code 2 in the CLI). */
export class LinkError extends Error {
  override name = 'LinkError';
}

/**
 * Binaryen, loaded by the first link: it is a large module that compiles its own wasm as it
 * loads (about half a second), which nothing but a link needs, so neither the library's entry
 * nor the CLI loads it before then.
 */
let binaryen: typeof Binaryen;

/** Load Binaryen once. */
async function loadBinaryen(): Promise<void> {
  binaryen ??= (await import('binaryen')).default;
}

/** The value of an exported i32 global with a constant initializer, or null. */
function exportedConstGlobal(m: Binaryen.Module, name: string): number | null {
  const g = exportedGlobal(m, name);
  if (!g) return null;
  const info = binaryen.getGlobalInfo(m.getGlobal(g));
  const init = binaryen.getExpressionInfo(info.init) as { id: number; value?: number };
  return init.id === binaryen.ConstId && typeof init.value === 'number' ? init.value >>> 0 : null;
}

/** Internal name of the global exported as `name`, or null. */
function exportedGlobal(m: Binaryen.Module, name: string): string | null {
  const e = m.getExport(name);
  if (!e) return null;
  const info = binaryen.getExportInfo(e);
  return info.kind === binaryen.ExternalGlobal ? info.value : null;
}

/** Internal name of the function exported as `name`, or null. */
function exportedFunction(m: Binaryen.Module, name: string): string | null {
  const e = m.getExport(name);
  if (!e) return null;
  const info = binaryen.getExportInfo(e);
  return info.kind === binaryen.ExternalFunction ? info.value : null;
}

/** Every export of a module, as [name, kind, internal name]. */
function exportsOf(m: Binaryen.Module): Array<{ name: string; kind: number; value: string }> {
  const out = [];
  for (let i = 0; i < m.getNumExports(); i++) out.push(binaryen.getExportInfo(m.getExportByIndex(i)));
  return out;
}

/** The internal name binaryen gives a module's (single) memory. */
function memoryName(m: Binaryen.Module): string {
  const text = m.emitText();
  const match = /\((?:import "[^"]*" "[^"]*" )?\(memory \$(\S+)/.exec(text) ?? /\(memory \$(\S+)/.exec(text);
  if (!match) throw new LinkError('the program has no memory');
  return match[1];
}

/** Path of Binaryen's wasm-merge (a JavaScript program shipped in the binaryen package). */
function wasmMergePath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('binaryen/package.json')), 'bin', 'wasm-merge');
}

/**
 * Link `program` (a wasm module that imports malloc & co.) with `allocator` (build/release.wasm
 * or build/debug.wasm) into one module. Rejects with LinkError on inputs it cannot link. The first
 * call loads Binaryen.
 */
export async function linkProgram(program: Uint8Array, allocator: Uint8Array, opts: LinkOptions = {}):
    Promise<{ bytes: Uint8Array; report: LinkReport }> {
  await loadBinaryen();
  binaryen.setOptimizeLevel(3);
  binaryen.setShrinkLevel(0);
  const notes: string[] = [];
  const prog = binaryen.readBinary(program);
  prog.setFeatures(binaryen.Features.All);
  const memLimits = importedMemoryLimits(program);
  if (!memLimits) {
    throw new LinkError('the program must import its memory (wasm-ld: -Wl,--import-memory), so every thread shares it');
  }
  if (!memLimits.shared) {
    throw new LinkError('the program\'s memory is not shared (wasm-ld: -Wl,--shared-memory; objects built with -matomics -mbulk-memory)');
  }

  // 1. The heap base.
  const firstFree = exportedConstGlobal(prog, PROGRAM_GLOBALS.heapBase);
  let heapBase: number;
  if (opts.heapBase !== undefined) {
    heapBase = checkedHeapBase(opts.heapBase);
    if (firstFree !== null && heapBase < firstFree) {
      throw new LinkError(`--heap-base ${heapBase} lies below the program's __heap_base ${firstFree}: the heap would overwrite the program`);
    }
  } else if (firstFree !== null) {
    heapBase = heapBaseFor(firstFree);
  } else {
    throw new LinkError('the program does not export __heap_base (wasm-ld: -Wl,--export=__heap_base; emcc: the same), and no --heap-base was given');
  }

  // 2. Retarget the program's allocation imports to the allocator (merged under HAKMEM_MODULE).
  const alloc = binaryen.readBinary(allocator);
  alloc.setFeatures(binaryen.Features.All);
  const allocExports = new Map(exportsOf(alloc).map((e) => [e.name, e]));
  const linked: string[] = [];
  const imports: Array<Binaryen.FunctionInfo> = [];
  for (let i = 0; i < prog.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(prog.getFunctionByIndex(i));
    if (info.module) imports.push(info);
  }
  for (const info of imports) {
    const target = info.module === 'env' ? ENV_IMPORTS[info.base!]
      : info.module === HAKMEM_MODULE && HAKMEM_CALLS.includes(info.base!) ? info.base! : undefined;
    if (target === undefined) continue;
    const exp = allocExports.get(target);
    if (!exp) throw new LinkError(`the allocator module does not export ${target}`);
    const want = binaryen.getFunctionInfo(alloc.getFunction(exp.value));
    if (want.params !== info.params || want.results !== info.results) {
      throw new LinkError(`${info.module}.${info.base} has signature ${sig(info)}, the allocator's ${target} has ${sig(want)}`);
    }
    prog.removeFunction(info.name);
    prog.addFunctionImport(info.name, HAKMEM_MODULE, MERGED_PREFIX + target, info.params, info.results);
    linked.push(`${info.module}.${info.base} -> ${target}`);
  }
  if (!linked.some((l) => l.endsWith('-> malloc') || l.endsWith('-> free'))) {
    throw new LinkError('the program imports neither malloc nor free: it has no allocation to link (does it bring its own malloc?)');
  }
  const progMemory = memoryName(prog);
  const progMemoryExport = exportsOf(prog).find((e) => e.kind === binaryen.ExternalMemory)?.name;
  const memoryExport = progMemoryExport ?? '__hakmem_memory';
  if (!progMemoryExport) prog.addMemoryExport(progMemory, memoryExport);

  // 3. The allocator: constant heap base, the program's memory, prefixed exports.
  const heapBaseImport = findGlobalImport(alloc, HAKMEM_MODULE, 'heap_base');
  if (!heapBaseImport) throw new LinkError('the allocator module does not import hakmem.heap_base');
  bakeGlobalImport(alloc, heapBaseImport, heapBase);
  alloc.addMemoryImport(memoryName(alloc), 'program', memoryExport, true);
  for (const e of exportsOf(alloc)) {
    alloc.removeExport(e.name);
    if (e.kind === binaryen.ExternalMemory) continue;
    const name = e.name.startsWith('L_') ? e.name : MERGED_PREFIX + e.name;
    if (e.kind === binaryen.ExternalFunction) alloc.addFunctionExport(e.value, name);
    else if (e.kind === binaryen.ExternalGlobal) alloc.addGlobalExport(e.value, name);
  }
  const controlSize = exportedConstGlobal(alloc, 'L_CONTROL_SIZE');
  if (controlSize === null) throw new LinkError('the allocator module does not export L_CONTROL_SIZE');

  // 4. Merge.
  const dir = mkdtempSync(path.join(tmpdir(), 'hakmem-link-'));
  let merged: Binaryen.Module;
  try {
    writeFileSync(path.join(dir, 'program.wasm'), prog.emitBinary());
    writeFileSync(path.join(dir, 'hakmem.wasm'), alloc.emitBinary());
    const out = path.join(dir, 'merged.wasm');
    const r = spawnSync(process.execPath, [wasmMergePath(), path.join(dir, 'program.wasm'), 'program',
      path.join(dir, 'hakmem.wasm'), HAKMEM_MODULE, '-o', out, '--all-features', '--skip-export-conflicts'],
    { encoding: 'utf8' });
    if (r.status !== 0) throw new LinkError(`wasm-merge failed: ${r.stderr || r.stdout}`);
    merged = binaryen.readBinary(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  prog.dispose();
  alloc.dispose();
  merged.setFeatures(binaryen.Features.All);
  if (!progMemoryExport) merged.removeExport(memoryExport);

  // 5. Thread start and exit: Emscripten's pthreads set up their stacks and TLS themselves
  // (through the allocator, now), so its programs get none.
  const emscripten = exportsOf(merged).some((e) => e.name === '_emscripten_thread_init' || e.name === 'emscripten_tls_init');
  const { stack, tls } = emscripten ? { stack: true, tls: true } : addThreadFunctions(merged, notes);

  // 6. Optimise (inlining malloc and free where asked), validate.
  let inlinedCallSites = 0;
  if (opts.optimize ?? true) {
    if (opts.inline ?? true) ({ module: merged, callSites: inlinedCallSites } = markAlwaysInline(merged, INLINED_CALLS));
    merged.optimize();
  }
  // Validate with every feature on: a program built by emcc carries no features section, so
  // its own says nothing about the atomics and bulk memory it uses.
  merged.setFeatures(binaryen.Features.All);
  if (!merged.validate()) throw new LinkError('the merged module does not validate (see the messages above)');
  let bytes = merged.emitBinary();
  merged.dispose();
  const minPages = Math.ceil((heapBase + controlSize) / 65536);
  if (memLimits.min < minPages) {
    bytes = raiseImportedMemoryMin(bytes, minPages);
    notes.push(`raised the memory's initial size from ${memLimits.min} to ${minPages} pages: the allocator's control region ` +
      `(${controlSize} bytes at ${hex(heapBase)}) must be in memory before the first call` +
      ' (Emscripten: give -sINITIAL_MEMORY at least that much, or its JavaScript creates a smaller memory)');
  }
  return { bytes, report: { heapBase, linked, threads: emscripten ? 'emscripten' : 'link', threadStack: stack, threadTls: tls, minPages,
    inlinedCallSites, notes } };
}

/**
 * The allocator calls whose whole bodies the link inlines into the program: each is its fast
 * path (a few dozen instructions) and a call to its slow path. Out of line, every malloc and free
 * from the program is a call, around which V8 spills the caller's live values (all registers
 * are caller-saved in its wasm calls); Binaryen's own heuristics keep them out of line (more
 * than a few instructions, and they call). Inlined, larson 16..128 compiled by emcc ran 1.3x as
 * fast (README "Emscripten").
 */
const INLINED_CALLS = ['malloc', 'free'];

/**
 * Mark the merged module's allocator exports `calls` (hakmem_ names) always-inline for
 * Binaryen's inliner, with the toolchain hint `(@binaryen.inline "\7f")` (127: always) before
 * each function. Binaryen's JavaScript API cannot set the hint, so this goes through the text
 * format: print, insert, parse (the old module is disposed; custom sections such as DWARF do not
 * survive the round trip). Returns the new module and how many call sites the program has.
 */
function markAlwaysInline(m: Binaryen.Module, calls: readonly string[]): { module: Binaryen.Module; callSites: number } {
  let text = m.emitText();
  let callSites = 0;
  for (const call of calls) {
    const name = exportedFunction(m, MERGED_PREFIX + call);
    if (name === null) throw new LinkError(`the merged module does not export ${MERGED_PREFIX + call}`);
    // Binaryen prints a name as $name, or as $"name" when it holds characters an id cannot.
    const printed = [`$${name}`, `$"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`]
      .find((p) => new RegExp(`^[ \\t]*\\(func ${escapeRegExp(p)}(?=[\\s)])`, 'm').test(text));
    if (printed === undefined) throw new LinkError(`cannot find the function ${name} in the merged module's text`);
    const header = new RegExp(`^([ \\t]*)\\(func ${escapeRegExp(printed)}(?=[\\s)])`, 'm');
    text = text.replace(header, (line, indent: string) => `${indent}(@binaryen.inline "\\7f")\n${line}`);
    callSites += text.match(new RegExp(`\\(call ${escapeRegExp(printed)}(?=[\\s)])`, 'g'))?.length ?? 0;
  }
  m.dispose();
  const parsed = binaryen.parseText(text);
  parsed.setFeatures(binaryen.Features.All);
  return { module: parsed, callSites };
}

/** `s` with every regular-expression metacharacter escaped. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Add THREAD_START(stack bytes) -> i32 and THREAD_EXIT() to a merged module:
 *   start: TLS block = aligned_alloc(max(__tls_align, 16), __tls_size), __wasm_init_tls(it);
 *          if stack bytes != 0: stack = aligned_alloc(16, bytes), __stack_pointer = its end.
 *   exit:  free both, then detach (the thread's slabs go back to the heap).
 * Two new mutable globals remember the blocks (per instance, i.e. per thread).
 */
function addThreadFunctions(m: Binaryen.Module, notes: string[]): { stack: boolean; tls: boolean } {
  const sp = exportedGlobal(m, PROGRAM_GLOBALS.stackPointer);
  const initTls = exportedFunction(m, PROGRAM_GLOBALS.initTls);
  const tlsSize = exportedGlobal(m, PROGRAM_GLOBALS.tlsSize);
  const tlsAlign = exportedGlobal(m, PROGRAM_GLOBALS.tlsAlign);
  const alignedAlloc = exportedFunction(m, MERGED_PREFIX + 'aligned_alloc')!;
  const free = exportedFunction(m, MERGED_PREFIX + 'free')!;
  const detach = exportedFunction(m, MERGED_PREFIX + 'detach')!;
  const tls = initTls !== null && tlsSize !== null && tlsAlign !== null;
  if (!sp) notes.push('the program does not export __stack_pointer (-Wl,--export=__stack_pointer): threads cannot get their own stacks');
  if (!tls && initTls === null) notes.push('the program has no __wasm_init_tls export: no TLS set-up (fine if it has no thread-locals; else add -Wl,--export=__wasm_init_tls,--export=__tls_size,--export=__tls_align)');
  const i32 = binaryen.i32;
  m.addGlobal('hakmem$thread_stack', i32, true, m.i32.const(0));
  m.addGlobal('hakmem$thread_tls', i32, true, m.i32.const(0));
  const size = 0; // param
  const tmp = 1;  // local
  const start: Binaryen.ExpressionRef[] = [];
  if (tls) {
    const align = m.select(m.i32.gt_u(m.global.get(tlsAlign!, i32), m.i32.const(16)),
      m.global.get(tlsAlign!, i32), m.i32.const(16));
    start.push(
      m.if(m.i32.ne(m.global.get(tlsSize!, i32), m.i32.const(0)), m.block(null, [
        m.local.set(tmp, m.call(alignedAlloc, [align, m.global.get(tlsSize!, i32)], i32)),
        m.if(m.i32.eqz(m.local.get(tmp, i32)), m.return(m.i32.const(0))),
        m.global.set('hakmem$thread_tls', m.local.get(tmp, i32)),
        m.call(initTls!, [m.local.get(tmp, i32)], binaryen.none),
      ])));
  }
  if (sp) {
    start.push(
      m.if(m.i32.ne(m.local.get(size, i32), m.i32.const(0)), m.block(null, [
        m.local.set(tmp, m.call(alignedAlloc, [m.i32.const(16), m.local.get(size, i32)], i32)),
        m.if(m.i32.eqz(m.local.get(tmp, i32)), m.return(m.i32.const(0))),
        m.global.set('hakmem$thread_stack', m.local.get(tmp, i32)),
        m.global.set(sp, m.i32.add(m.local.get(tmp, i32), m.local.get(size, i32))),
      ])));
  }
  start.push(m.return(m.i32.const(1)));
  m.addFunction(THREAD_START, binaryen.createType([i32]), i32, [i32], m.block(null, start));
  m.addFunctionExport(THREAD_START, THREAD_START);
  m.addFunction(THREAD_EXIT, binaryen.none, binaryen.none, [], m.block(null, [
    m.call(free, [m.global.get('hakmem$thread_tls', i32)], binaryen.none),
    m.call(free, [m.global.get('hakmem$thread_stack', i32)], binaryen.none),
    m.global.set('hakmem$thread_tls', m.i32.const(0)),
    m.global.set('hakmem$thread_stack', m.i32.const(0)),
    m.drop(m.call(detach, [], i32)),
  ]));
  m.addFunctionExport(THREAD_EXIT, THREAD_EXIT);
  return { stack: sp !== null, tls };
}

/**
 * Replace an imported i32 global with a constant: the import becomes a defined global, and
 * every global initialised from it (tls.ts's `self`, the L_HEAP_BASE export) gets the
 * constant itself (a defined global may not appear in another global's initializer).
 */
function bakeGlobalImport(m: Binaryen.Module, name: string, value: number): void {
  const dependents: Array<{ name: string; type: number; mutable: boolean }> = [];
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
    const init = g.init ? binaryen.getExpressionInfo(g.init) as { id: number; name?: string } : null;
    if (init && init.id === binaryen.GlobalGetId && init.name === name) dependents.push(g);
  }
  const exported = exportsOf(m).filter((e) => e.kind === binaryen.ExternalGlobal);
  m.removeGlobal(name);
  m.addGlobal(name, binaryen.i32, false, m.i32.const(value | 0));
  for (const g of dependents) {
    m.removeGlobal(g.name);
    m.addGlobal(g.name, g.type, g.mutable, m.i32.const(value | 0));
  }
  for (const e of exported) {
    if (!m.getExport(e.name)) m.addGlobalExport(e.value, e.name);
  }
  m.runPasses(['simplify-globals']); // the constant into every use
}

/**
 * `module` (a module that imports hakmem.heap_base: an allocator build, or the bench module,
 * a program with the allocator compiled in) with the heap base a constant, as step 2 of a link
 * makes it: the fast paths then add a constant instead of loading the base. Nothing else
 * changes (no optimisation, the functions keep their indices). The first call loads Binaryen.
 */
export async function bakeHeapBase(module: Uint8Array, heapBase: number): Promise<Uint8Array> {
  await loadBinaryen();
  const m = binaryen.readBinary(module);
  try {
    m.setFeatures(binaryen.Features.All);
    const name = findGlobalImport(m, HAKMEM_MODULE, 'heap_base');
    if (!name) throw new LinkError('the module does not import hakmem.heap_base');
    bakeGlobalImport(m, name, checkedHeapBase(heapBase));
    if (!m.validate()) throw new LinkError('the module with its heap base baked in does not validate');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** `heapBase` if it can be a heap base (a multiple of HEAP_BASE_ALIGN below 4 GiB); else LinkError. */
function checkedHeapBase(heapBase: number): number {
  if (!Number.isInteger(heapBase) || heapBase < 0 || heapBase % HEAP_BASE_ALIGN !== 0 || heapBase >= 2 ** 32) {
    throw new LinkError(`--heap-base must be a multiple of ${HEAP_BASE_ALIGN} below 4 GiB, got ${heapBase}`);
  }
  return heapBase;
}

/** The internal name of a global imported as module.base, or null. */
function findGlobalImport(m: Binaryen.Module, module: string, base: string): string | null {
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
    if (g.module === module && g.base === base) return g.name;
  }
  return null;
}

/** A function signature, for messages. */
function sig(info: Binaryen.FunctionInfo): string {
  const names = (t: number): string => binaryen.expandType(t).map((x) => (x === binaryen.i32 ? 'i32' : x === binaryen.i64 ? 'i64' : String(x))).join(', ');
  return `(${names(info.params)}) -> (${names(info.results) || 'none'})`;
}

/** Hex for messages. */
function hex(n: number): string {
  return '0x' + n.toString(16);
}
