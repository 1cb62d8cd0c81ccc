// vite.config.ts: the demo page's build and servers. Shared WebAssembly memory needs a
// cross-origin isolated page, so both the dev server and `vite preview` of the built files
// send the two isolation headers. The bench module (build/bench-release.wasm, which holds the
// allocator and the workloads) is imported by URL from src/boot.ts, so a build copies it into
// the output as a hashed asset.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** The headers that make the page cross-origin isolated (crossOriginIsolated === true). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

const demoRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const benchWasm = fileURLToPath(new URL('../build/bench-release.wasm', import.meta.url));

/** Fail early, with the command to run, when the bench module has not been built. */
function requireBenchWasm(): Plugin {
  return {
    name: 'hakmem-require-bench-wasm',
    buildStart() {
      if (!existsSync(benchWasm)) {
        throw new Error(`${benchWasm} is missing: run \`npm run build\` (it builds the bench module ` +
          'with the allocator; `npm run demo` does it first)');
      }
    },
  };
}

export default defineConfig({
  root: demoRoot,
  base: './',
  plugins: [requireBenchWasm()],
  server: {
    headers: ISOLATION_HEADERS,
    // The page imports host/ sources and build/bench-release.wasm from the repository.
    fs: { allow: [repoRoot] },
  },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
});
