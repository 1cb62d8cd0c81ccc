// module.ts: finding and compiling the allocator module in Node (files, paths). The
// environment-independent part (the shared memory, build names) is memory.ts.
//
// The module is compiled once and the compiled WebAssembly.Module is sent to every worker
// (compiling per worker would cost time and memory for identical code). The shared memory is
// created here, not by the module, because every instance imports the same one.

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { BuildName } from './memory.js';

export { createSharedMemory, INITIAL_PAGES, MAX_PAGES, type BuildName } from './memory.js';

/**
 * The package root: the nearest folder above this file with a package.json, whether it runs
 * as dist/host/core/module.js or was loaded from host/core/module.ts by a TypeScript-aware
 * runner (neither dist/ nor host/ has a package.json of its own).
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** Path of build/<build>.wasm in the package. */
export function wasmPath(build: BuildName): string {
  return path.join(packageRoot(), 'build', `${build}.wasm`);
}

/** Compile the wasm file at `file`; a missing file is an error that says how to build it. */
export async function compileFile(file: string, howToBuild = 'npm run build'): Promise<WebAssembly.Module> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error(`cannot read wasm module ${file} (build it with \`${howToBuild}\`): ${(e as Error).message}`);
  }
  return WebAssembly.compile(new Uint8Array(bytes));
}

/** Compile the module at `modulePath` (default: the package's build/<build>.wasm). */
export async function compileModule(build: BuildName = 'release',
                                    modulePath?: string): Promise<WebAssembly.Module> {
  return compileFile(modulePath ?? wasmPath(build));
}

