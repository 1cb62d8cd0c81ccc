// module.ts: finding, compiling and hosting the allocator module in Node.
//
// The module is compiled once and the compiled WebAssembly.Module is sent to every worker
// (compiling per worker would cost time and memory for identical code). The shared memory is
// created here, not by the module, because every instance imports the same one.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Which build of the allocator: `release` (-O3, slow-path ring) or `debug` (checked frees). */
export type BuildName = 'release' | 'debug';

/** Pages of 64 KiB the module declares as its initial memory (asconfig initialMemory). */
export const INITIAL_PAGES = 16;
/** Largest maximum the module accepts (4 GiB). */
export const MAX_PAGES = 65536;

/**
 * The package root: two levels above this file, whether it runs as dist/host/module.js or
 * was loaded from host/module.ts by a TypeScript-aware runner (then one level).
 */
export function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up1 = path.resolve(here, '..');
  return path.basename(up1) === 'dist' ? path.resolve(up1, '..') : up1;
}

/** Path of build/<build>.wasm in the package. */
export function wasmPath(build: BuildName): string {
  return path.join(packageRoot(), 'build', `${build}.wasm`);
}

/** Compile the module at `modulePath` (default: the package's build/<build>.wasm). */
export async function compileModule(build: BuildName = 'release',
                                    modulePath?: string): Promise<WebAssembly.Module> {
  const file = modulePath ?? wasmPath(build);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error(`cannot read wasm module ${file} (run \`npm run asbuild\`?): ${(e as Error).message}`);
  }
  return WebAssembly.compile(new Uint8Array(bytes));
}

/** Create the shared memory every instance imports. */
export function createSharedMemory(maxPages: number = MAX_PAGES): WebAssembly.Memory {
  if (!Number.isInteger(maxPages) || maxPages < INITIAL_PAGES || maxPages > MAX_PAGES) {
    throw new RangeError(`maxPages must be an integer in [${INITIAL_PAGES}, ${MAX_PAGES}]`);
  }
  return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: maxPages, shared: true });
}
