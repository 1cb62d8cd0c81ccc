// program.ts: running a program compiled to wasm on hakmem-wasm, one instance per thread.
// Environment independent (Node workers, Web Workers): it gets compiled modules and the
// shared memory, never files.
//
// Two ways to link, one interface (ProgramThread):
//   merged    the output of `hakmem-wasm link`: one module; its allocator functions are
//             exported with the hakmem_ prefix, and hakmem_thread_start/exit set up and free
//             the thread's stack and TLS inside wasm.
//   pair      the program and the allocator as two instances over the same memory: the
//             program's malloc & co. imports are bound to the allocator instance's exports
//             (wasm-to-wasm calls, no JavaScript in between); stack and TLS are set up here,
//             through the program's __stack_pointer / __wasm_init_tls exports.
//
// Thread rule (both ways): the first instance over a memory keeps the program's own stack
// (the one wasm-ld placed below the heap base); every other one gets a stack from the heap.
// Every instance gets its own TLS block. exit() frees both and detaches the allocator
// identity, so the thread's slabs are reused.

import { ENV_IMPORTS, HAKMEM_MODULE, HAKMEM_CALLS, MERGED_PREFIX, THREAD_START, THREAD_EXIT,
         PROGRAM_GLOBALS } from './names.js';

/** The allocator calls a host needs from a linked program. */
export interface LinkedAllocator {
  malloc(size: number): number;
  free(ptr: number): void;
  aligned_alloc(align: number, size: number): number;
  heap_check(): number;
  stats_collect(): number;
  detach(): number;
  thread_count(): number;
  /** Every export of the allocator (unprefixed names), including its L_* layout globals. */
  readonly all: Record<string, unknown>;
}

/** One thread of a linked program. */
export interface ProgramThread {
  /** The program's exports (a merged module's own, allocator ones included). */
  readonly exports: Record<string, unknown>;
  readonly allocator: LinkedAllocator;
  /** Give this thread its stack (`stackBytes`, 0 = keep the program's) and TLS. Throws on OOM. */
  start(stackBytes: number): void;
  /** Free the stack and TLS, retire the allocator identity. The thread must not run again. */
  exit(): void;
}

/** Extra imports the program needs besides the allocator (e.g. its own env functions). */
export type ExtraImports = Record<string, Record<string, unknown>>;

function fn(x: Record<string, unknown>, name: string): (...a: number[]) => number {
  const f = x[name];
  if (typeof f !== 'function') throw new Error(`the module does not export ${name}()`);
  return f as (...a: number[]) => number;
}

function allocatorFrom(all: Record<string, unknown>): LinkedAllocator {
  return {
    malloc: fn(all, 'malloc'), free: fn(all, 'free'), aligned_alloc: fn(all, 'aligned_alloc'),
    heap_check: fn(all, 'heap_check'), stats_collect: fn(all, 'stats_collect'),
    detach: fn(all, 'detach'), thread_count: fn(all, 'thread_count'), all,
  };
}

/**
 * Instantiate a merged module (hakmem-wasm link) on this thread; `canWait` false on a browser
 * page's main thread (the allocator's contended locks then spin instead of sleeping).
 */
export function instantiateMerged(module: WebAssembly.Module, memory: WebAssembly.Memory,
                                  extra: ExtraImports = {}, canWait = true): ProgramThread {
  const inst = new WebAssembly.Instance(module, { ...extra, env: { ...(extra.env ?? {}), memory } });
  const x = inst.exports as Record<string, unknown>;
  const all: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (k.startsWith(MERGED_PREFIX)) all[k.slice(MERGED_PREFIX.length)] = v;
    else if (k.startsWith('L_')) all[k] = v;
  }
  fn(all, 'set_can_wait')(canWait ? 1 : 0);
  const start = fn(x, THREAD_START);
  const exit = fn(x, THREAD_EXIT);
  return {
    exports: x, allocator: allocatorFrom(all),
    start(stackBytes: number): void {
      if (start(stackBytes) !== 1) throw new RangeError(`no memory for a ${stackBytes}-byte thread stack and TLS`);
    },
    exit(): void { exit(); },
  };
}

/**
 * Instantiate `program` and bind its allocation imports to `allocator` (an instance of
 * build/release.wasm or debug.wasm over the same memory, with the same heap base); `canWait`
 * as for instantiateMerged.
 */
export function instantiatePair(program: WebAssembly.Module, allocatorModule: WebAssembly.Module,
                                memory: WebAssembly.Memory, heapBase: number,
                                extra: ExtraImports = {}, canWait = true): ProgramThread {
  const alloc = new WebAssembly.Instance(allocatorModule, { env: { memory }, hakmem: { heap_base: heapBase } });
  const a = alloc.exports as Record<string, unknown>;
  fn(a, 'set_can_wait')(canWait ? 1 : 0);
  const env: Record<string, unknown> = { ...(extra.env ?? {}), memory };
  const hakmem: Record<string, unknown> = { ...(extra[HAKMEM_MODULE] ?? {}) };
  for (const imp of WebAssembly.Module.imports(program)) {
    if (imp.kind !== 'function') continue;
    if (imp.module === 'env' && imp.name in ENV_IMPORTS) env[imp.name] = fn(a, ENV_IMPORTS[imp.name]);
    if (imp.module === HAKMEM_MODULE && HAKMEM_CALLS.includes(imp.name)) hakmem[imp.name] = fn(a, imp.name);
  }
  const inst = new WebAssembly.Instance(program, { ...extra, env, [HAKMEM_MODULE]: hakmem } as WebAssembly.Imports);
  const x = inst.exports as Record<string, unknown>;
  const allocator = allocatorFrom(a);
  const sp = x[PROGRAM_GLOBALS.stackPointer];
  const initTls = x[PROGRAM_GLOBALS.initTls];
  const tlsSize = x[PROGRAM_GLOBALS.tlsSize];
  const tlsAlign = x[PROGRAM_GLOBALS.tlsAlign];
  let stack = 0;
  let tls = 0;
  return {
    exports: x, allocator,
    start(stackBytes: number): void {
      if (typeof initTls === 'function' && tlsSize instanceof WebAssembly.Global && Number(tlsSize.value) > 0) {
        const align = tlsAlign instanceof WebAssembly.Global ? Math.max(16, Number(tlsAlign.value)) : 16;
        tls = allocator.aligned_alloc(align, Number(tlsSize.value)) >>> 0;
        if (tls === 0) throw new RangeError('no memory for the thread\'s TLS block');
        (initTls as (p: number) => void)(tls);
      }
      if (stackBytes > 0) {
        if (!(sp instanceof WebAssembly.Global)) {
          throw new Error('the program does not export __stack_pointer (-Wl,--export=__stack_pointer): a second thread would share the first one\'s stack');
        }
        stack = allocator.aligned_alloc(16, stackBytes) >>> 0;
        if (stack === 0) throw new RangeError(`no memory for a ${stackBytes}-byte thread stack`);
        sp.value = stack + stackBytes;
      }
    },
    exit(): void {
      if (tls) allocator.free(tls);
      if (stack) allocator.free(stack);
      tls = stack = 0;
      allocator.detach();
    },
  };
}
