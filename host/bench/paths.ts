// paths.ts: where the harness finds the project's files, whether it runs compiled (from
// dist/host/bench/) or as TypeScript source under vitest (from host/bench/).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The project root: the nearest folder above this file whose package.json is hakmem-wasm's. */
export const ROOT: string = findRoot(HERE);

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'hakmem-wasm') return dir;
      } catch { /* not ours: keep looking */ }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`hakmem-wasm: project root not found above ${start}`);
    dir = up;
  }
}

/** The bench module builds (floor: the floor allocator, bench/assembly/floor.ts). */
export type BenchBuild = 'release' | 'debug' | 'asrt' | 'floor';

/** Path of a bench module build (build/bench-<build>.wasm). */
export function wasmPath(build: BenchBuild): string {
  return join(ROOT, 'build', `bench-${build}.wasm`);
}

/** Where compare writes its outputs. */
export const RESULTS_DIR: string = join(ROOT, 'bench', 'results');

/** The peers' build script (plain JavaScript, outside the TypeScript tree). */
export const PEERS_SCRIPT: string = join(ROOT, 'bench', 'peers', 'build-peers.mjs');
