// examples.mjs: builds the C and Emscripten examples (examples/) the way README "Link into a
// C program" and "Emscripten" tell a user to, for the tests and for trying them by hand.
//
//   node scripts/examples.mjs [outDir]     default build/examples: c-stress.wasm, c-micro.wasm,
//                                          pthreads.js/.wasm
//
//   import { buildC, buildEmscripten, CLANG_FLAGS, EMCC_FLAGS } from './scripts/examples.mjs'
//
// Node's standard library only; the link step runs the project's own CLI (dist/host/cli/main.js).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const INCLUDE = join(ROOT, 'include');

/** clang 14, freestanding wasm32 with threads: the flags include/hakmem.h documents. */
export const CLANG = 'clang-14';
export const CLANG_FLAGS = [
  '--target=wasm32', '-O2', '-nostdlib', '-pthread', '-ftls-model=local-exec', '-matomics',
  '-mbulk-memory', '-mmutable-globals', `-I${INCLUDE}`,
  '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296',
  '-Wl,--export=__heap_base', '-Wl,--export=__stack_pointer', '-Wl,--export=__tls_base',
  '-Wl,--export=__tls_size', '-Wl,--export=__tls_align', '-Wl,--export=__wasm_init_tls',
];

/**
 * Debian's emcc 3.1.6 with pthreads and hakmem-wasm as the only malloc (README "Emscripten"):
 * -sMALLOC=none and ERROR_ON_UNDEFINED_SYMBOLS=0 leave malloc & co. as imports for the link,
 * the JS library forwards JavaScript's _malloc to the allocator, hakmem-emscripten.c (with
 * --wrap=__set_thread_state) detaches each exiting pthread, __heap_base tells the link where
 * the heap starts, and memory growth lets the allocator grow the heap.
 */
export const EMCC = 'emcc';
export const EMCC_FLAGS = [
  '-O2', '-pthread', '-sMALLOC=none', '-sERROR_ON_UNDEFINED_SYMBOLS=0',
  `--js-library=${join(INCLUDE, 'hakmem-emscripten.js')}`, `-I${INCLUDE}`,
  '-Wl,--wrap=__set_thread_state', '-Wl,--export=__heap_base',
  '-sPROXY_TO_PTHREAD=1', '-sEXIT_RUNTIME=1', '-sPTHREAD_POOL_SIZE=8',
  '-sINITIAL_MEMORY=64MB', '-sALLOW_MEMORY_GROWTH=1', '-sMAXIMUM_MEMORY=4GB',
  '-sENVIRONMENT=node', '-Wno-pthreads-mem-growth',
];
/** The C file every Emscripten program links in (the thread-exit hook). */
export const EMCC_HOOK = join(INCLUDE, 'hakmem-emscripten.c');

/** What to install when a tool is missing. */
const HINT = {
  [CLANG]: 'apt-get install clang-14 lld-14',
  [EMCC]: 'apt-get install emscripten',
};

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, cwd: ROOT });
  if (r.error && r.error.code === 'ENOENT') throw new Error(`${cmd} not found: ${HINT[cmd] ?? 'install it'}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}\nfailed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  return r;
}

/** Merge `wasm` with the allocator in place (`hakmem-wasm link`); returns the link's output. */
export function link(wasm, out = wasm, extra = []) {
  return run(process.execPath, [join(ROOT, 'dist', 'host', 'cli', 'main.js'), 'link', wasm, '-o', out, ...extra]).stdout;
}

/** Compile C `sources` to `out` with clang (the program, unlinked). */
export function buildC(sources, out, extraFlags = []) {
  mkdirSync(dirname(out), { recursive: true });
  run(CLANG, [...CLANG_FLAGS, ...extraFlags, '-o', out, ...sources]);
  return out;
}

/** The package.json that makes node load a folder's .js files as CommonJS. */
const COMMONJS_PACKAGE = '{ "type": "commonjs" }\n';

/**
 * Make `dir`'s .js files CommonJS for node: Emscripten 3.1.6 writes CommonJS, and the project's
 * "type": "module" must not apply to it. Written only when absent or different, and then
 * through a rename: test files build into the same folders in parallel while others run what
 * is there, and node reading a half-written package.json fails the program it starts ("Error
 * parsing .../package.json: Unexpected end of JSON input", seen in CI on 2026-12-07).
 */
export function markCommonJs(dir) {
  const file = join(dir, 'package.json');
  if (existsSync(file) && readFileSync(file, 'utf8') === COMMONJS_PACKAGE) return;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, COMMONJS_PACKAGE);
  renameSync(tmp, file);
}

/**
 * Build an Emscripten program (`out` = the .js; the .wasm and .worker.js beside it) and link
 * hakmem-wasm into its .wasm. Returns the .js path.
 */
export function buildEmscripten(sources, out, extraFlags = []) {
  mkdirSync(dirname(out), { recursive: true });
  markCommonJs(dirname(out));
  const cur = process.env.NODE_PATH;
  const env = { ...process.env, NODE_PATH: cur ? `${cur}:/usr/share/nodejs` : '/usr/share/nodejs' };
  run(EMCC, [...EMCC_FLAGS, ...extraFlags, '-o', out, ...sources, EMCC_HOOK], env);
  link(out.replace(/\.js$/, '.wasm'));
  return out;
}

// CLI
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(ROOT, 'build', 'examples'));
  if (!existsSync(join(ROOT, 'dist', 'host', 'cli', 'main.js'))) throw new Error('build the project first: npm run build');
  const c = buildC([join(ROOT, 'examples', 'c', 'stress.c')], join(outDir, 'c-stress.wasm'));
  console.log(`${c}`);
  console.log(link(c, join(outDir, 'c-stress+hakmem.wasm')).trim());
  console.log(buildC([join(ROOT, 'examples', 'c', 'micro.c')], join(outDir, 'c-micro.wasm')));
  console.log(buildEmscripten([join(ROOT, 'examples', 'emscripten', 'pthreads.c')], join(outDir, 'pthreads.js')));
}
