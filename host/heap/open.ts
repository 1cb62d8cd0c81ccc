// open.ts: a heap before any thread of the host is in it: the module (compiled, bytes, or a
// path / URL the entry point's loader reads), the shared memory (created, or the caller's),
// one instance over it, init(), and the MemoryView every decoder reads. Heap.create (heap.ts)
// then attaches that instance as the host's own allocator thread; a browser page's main
// thread, which must never block and allocates nothing, keeps it unattached and only reads
// (the demo does), leaving every allocator call to its Web Workers.

import { createSharedMemory, MAX_PAGES, type BuildName } from '../core/memory.js';
import { instantiateAllocator, checkHeapBase, DEFAULT_HEAP_BASE, type AllocatorInstance } from '../core/instance.js';
import { MemoryView } from '../abi/views.js';
import { initArgs, type HeapConfig } from './config.js';
import { HeapFormatError } from '../core/format.js';

/**
 * Where the allocator module comes from: compiled, as bytes, a fetch() response (or its
 * promise), or a path / URL the entry point's loader reads.
 */
export type ModuleSource = WebAssembly.Module | BufferSource | string | URL | Response | Promise<Response>;

/** Options of Heap.create and openHeap. */
export interface HeapOptions {
  build?: BuildName;
  /**
   * The allocator module (or a module exporting the same API, e.g. the bench module):
   * default, the package's build/<build>.wasm, found by the entry point ('hakmem-wasm' in
   * Node reads the file; 'hakmem-wasm/browser' fetches it next to the package).
   */
  module?: ModuleSource;
  /** Path of a module file (Node); the same as `module` given a string. */
  modulePath?: string;
  /**
   * A shared memory to build the heap in (it must be `shared`, with a maximum); default, a new
   * one of `maxPages`. Memory below `heapBase` is left alone.
   */
  memory?: WebAssembly.Memory;
  /** Maximum memory in 64 KiB pages for a new memory (default 65536 = 4 GiB). */
  maxPages?: number;
  config?: Partial<HeapConfig>;
  /** Where the allocator's control region starts (a multiple of 64 KiB); default 0x10000. */
  heapBase?: number;
}

/** Turns a module source (or the build's default file when undefined) into a Module. */
export type ModuleLoader = (build: BuildName, source?: string | URL) => Promise<WebAssembly.Module>;

let loader: ModuleLoader = () => Promise.reject(new Error(
  'no module loader: import Heap from \'hakmem-wasm\' (Node) or \'hakmem-wasm/browser\', or pass a compiled `module`'));

/** Set how Heap.create loads a module from a path or URL (the package's entry points do). */
export function setModuleLoader(f: ModuleLoader): void { loader = f; }

/** A compiled module from any source. */
export async function resolveModule(build: BuildName, source?: ModuleSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source === undefined || typeof source === 'string' || source instanceof URL) return loader(build, source);
  if (source instanceof Promise) return compileResponse(await source);
  if (typeof Response !== 'undefined' && source instanceof Response) return compileResponse(source);
  return WebAssembly.compile(source as BufferSource);
}

/** Compile a fetched module; an HTTP error is an error that names the URL. */
export async function compileResponse(response: Response): Promise<WebAssembly.Module> {
  if (!response.ok) throw new Error(`cannot fetch wasm module ${response.url}: HTTP ${response.status}`);
  // compileStreaming needs the server to say application/wasm; otherwise compile the bytes.
  const streaming = typeof WebAssembly.compileStreaming === 'function' &&
    response.headers.get('content-type')?.startsWith('application/wasm');
  return streaming ? WebAssembly.compileStreaming(response) : WebAssembly.compile(await response.arrayBuffer());
}

/** A heap opened by openHeap: initialised, with no host thread attached. */
export interface OpenedHeap {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly build: BuildName;
  /** The host's instance over the memory (not attached: attach() makes it a thread). */
  readonly instance: AllocatorInstance;
  readonly view: MemoryView;
  /** Whether this call initialised the heap (false: the memory already held one). */
  readonly initialised: boolean;
}

/**
 * Take or load the module, create (or take) the shared memory, instantiate and init(). With
 * `canWait: false` (a page's main thread) the instance never blocks in Atomics.wait.
 */
export async function openHeap(opts: HeapOptions & { canWait?: boolean } = {}): Promise<OpenedHeap> {
  const build = opts.build ?? 'release';
  const module = await resolveModule(build, opts.module ?? opts.modulePath);
  const heapBase = checkHeapBase(opts.heapBase ?? DEFAULT_HEAP_BASE);
  const memory = opts.memory ?? createSharedMemory(opts.maxPages ?? MAX_PAGES);
  const instance = await instantiateAllocator(module, memory, { heapBase, canWait: opts.canWait });
  const classSizes: number[] = [];
  for (let c = 0; c < instance.layout.NUM_CLASSES; c++) classSizes.push(instance.exports.class_size(c) >>> 0);
  const view = new MemoryView(memory, instance.layout, classSizes, instance.getString);
  // The debug build records every alloc and free in the ring unless told otherwise.
  const config: Partial<HeapConfig> = { ...opts.config };
  if (build === 'debug' && config.ring === undefined) config.ring = 'all';
  const result = instance.exports.init(...initArgs(config));
  // Another build won the race to initialise this memory (instantiation checked before).
  if (result === instance.layout.INIT_REFUSED) throw new HeapFormatError(instance.exports.heap_format() >>> 0, instance.layout.HEAP_FORMAT);
  const initialised = result === 1;
  return { module, memory, build, instance, view, initialised };
}
