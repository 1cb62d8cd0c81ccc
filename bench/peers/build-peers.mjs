#!/usr/bin/env node
// Builds the C benchmark workloads (bench/c) for every peer allocator this machine can
// run, and tells other scripts how to run them.
//
//   node bench/peers/build-peers.mjs            build what the tools allow, list the peers
//   node bench/peers/build-peers.mjs --force    rebuild even if the outputs are up to date
//
//   import { buildPeers, peerCommands } from './build-peers.mjs'
//   await buildPeers({ quiet: true })
//   for (const p of peerCommands()) { const { cmd, args, env } = p.argvFor('larson', ['--ops', '2e6']) ... }
//
// Peers: glibc (the plain native binary), mimalloc and jemalloc (the same binary with
// LD_PRELOAD), dlmalloc and emmalloc (Emscripten builds run under node), and hakmem-emcc:
// the same Emscripten build with -sMALLOC=none, linked with hakmem-wasm by `hakmem-wasm link`
// (the same C program, only the malloc differs).
// Only node's standard library is used.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markCommonJs } from '../../scripts/examples.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const SRC_DIR = join(ROOT, 'bench', 'c');
export const OUT_DIR = join(HERE, 'out');

const NATIVE_BIN = join(OUT_DIR, 'workloads-native');
// The floor allocator (bench/c/floor.c, -DBENCH_FLOOR): the least work any allocator could do,
// natively and under Emscripten, which `compare` subtracts to get each allocator's own cost.
export const FLOOR_NATIVE = 'floor-native';
export const FLOOR_EMCC = 'floor-emcc';
const FLOOR_NATIVE_BIN = join(OUT_DIR, 'workloads-floor-native');
const wasmJs = (malloc) => join(OUT_DIR, `workloads-${malloc}.js`);

// Emscripten settings, and why:
// - PROXY_TO_PTHREAD: main() runs on a worker, so it may block (sleep, join, barrier) and
//   the threads it starts may themselves start threads (larson's next generations).
// - EXIT_RUNTIME: otherwise node keeps running after main() returns.
// - PTHREAD_POOL_SIZE: workers preloaded before main() so thread creation in the timed
//   region does not wait for a worker to load; when the pool is empty 3.1.6 creates a new
//   worker on demand (slow, but it works), and exited threads' workers return to the pool.
// - INITIAL_MEMORY + ALLOW_MEMORY_GROWTH: room for the usual sizes without growing inside
//   the timed region, yet large runs still work.
const EMCC_FLAGS = [
  '-std=c11', '-O2', '-pthread', '-Wall', '-Wextra',
  '-sPROXY_TO_PTHREAD=1', '-sEXIT_RUNTIME=1', '-sPTHREAD_POOL_SIZE=16',
  '-sINITIAL_MEMORY=512MB', '-sALLOW_MEMORY_GROWTH=1', '-sMAXIMUM_MEMORY=2GB',
  '-sENVIRONMENT=node', '-Wno-pthreads-mem-growth',
];
const WASM_MALLOCS = ['dlmalloc', 'emmalloc'];

// hakmem-wasm as the Emscripten build's malloc: the recipe of README "Emscripten".
// -sMALLOC=none leaves malloc & co. undefined; ERROR_ON_UNDEFINED_SYMBOLS=0 lets them become
// imports, which `hakmem-wasm link` binds to the merged-in allocator. The JS library gives
// Emscripten's JavaScript the allocator's exports under _malloc / _free; hakmem-emscripten.c
// retires each exiting pthread's allocator identity (needs --wrap=__set_thread_state);
// __heap_base tells the link where the heap may start.
export const HAKMEM_EMCC = 'hakmem-emcc';
const INCLUDE_DIR = join(ROOT, 'include');
const HAKMEM_EMCC_FLAGS = [
  '-sMALLOC=none', '-sERROR_ON_UNDEFINED_SYMBOLS=0', `--js-library=${join(INCLUDE_DIR, 'hakmem-emscripten.js')}`,
  `-I${INCLUDE_DIR}`, '-Wl,--wrap=__set_thread_state', '-Wl,--export=__heap_base',
];
const HAKMEM_EMCC_INPUTS = [
  join(INCLUDE_DIR, 'hakmem.h'), join(INCLUDE_DIR, 'hakmem-emscripten.c'), join(INCLUDE_DIR, 'hakmem-emscripten.js'),
  join(ROOT, 'build', 'release.wasm'), join(ROOT, 'dist', 'host', 'link', 'merge.js'),
];
const HAKMEM_CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');

// Debian's emcc needs Debian's acorn from /usr/share/nodejs.
function emccEnv() {
  const extra = '/usr/share/nodejs';
  const cur = process.env.NODE_PATH;
  return { ...process.env, NODE_PATH: cur ? `${cur}:${extra}` : extra };
}

function runs(cmd, args, env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  return r.status === 0 ? r.stdout : null;
}

// Shared libraries are looked up where Debian (and common source installs) put them;
// MIMALLOC_SO / JEMALLOC_SO override.
function findSharedLib(envVar, names) {
  if (process.env[envVar]) return existsSync(process.env[envVar]) ? process.env[envVar] : null;
  const multiarch = (runs('gcc', ['-print-multiarch']) || '').trim();
  const dirs = [multiarch && `/usr/lib/${multiarch}`, '/usr/lib64', '/usr/lib', '/usr/local/lib'].filter(Boolean);
  for (const d of dirs) for (const n of names) if (existsSync(join(d, n))) return join(d, n);
  return null;
}

/** Which tools exist on this machine. */
export function detectTools() {
  return {
    gcc: runs('gcc', ['--version']) !== null,
    emcc: runs('emcc', ['--version'], emccEnv()) !== null,
    mimalloc: findSharedLib('MIMALLOC_SO', ['libmimalloc.so.2', 'libmimalloc.so']),
    jemalloc: findSharedLib('JEMALLOC_SO', ['libjemalloc.so.2', 'libjemalloc.so']),
  };
}

const MISSING_HINT = {
  gcc: 'gcc not found: apt-get install gcc (needed for the glibc, mimalloc and jemalloc peers)',
  emcc: 'emcc not found: apt-get install emscripten (needed for the dlmalloc and emmalloc peers)',
  mimalloc: 'libmimalloc.so.2 not found: apt-get install libmimalloc2.0 (or set MIMALLOC_SO)',
  jemalloc: 'libjemalloc.so.2 not found: apt-get install libjemalloc2 (or set JEMALLOC_SO)',
};

function sources() {
  return readdirSync(SRC_DIR).filter((f) => /\.[ch]$/.test(f)).map((f) => join(SRC_DIR, f));
}

// An output is stale if it is missing or older than any source file or this script.
function stale(outputs, inputs) {
  const newest = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
  return outputs.some((o) => !existsSync(o) || statSync(o).mtimeMs < newest);
}

function build(label, cmd, args, env, outputs, inputs, { quiet, force }) {
  if (!force && !stale(outputs, inputs)) {
    if (!quiet) console.log(`${label}: up to date`);
    return true;
  }
  if (!quiet) console.log(`${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, cwd: ROOT });
  if (r.status !== 0) {
    console.error(`${label}: build failed (exit ${r.status})\n${r.stderr || ''}${r.error ? r.error.message : ''}`);
    return false;
  }
  if (!quiet && r.stderr.trim()) console.log(r.stderr.trim());
  return true;
}

/**
 * Builds everything the available tools allow into bench/peers/out/ (only the peers named in
 * `only`, if given). Returns { tools, missing: [hint lines], failed: [labels], peers: peerCommands() }.
 */
export async function buildPeers(options = {}) {
  mkdirSync(OUT_DIR, { recursive: true });
  return withBuildLock(() => buildPeersLocked(options));
}

/** A build lock older than this is from a process that died holding it. */
const LOCK_STALE_MS = 15 * 60_000;

/**
 * Run `fn` holding bench/peers/out/.build-lock (a directory: mkdir is atomic). Test files build
 * peers in parallel processes; without the lock two of them that both find an output stale
 * compile into it at once, or one rewrites a program another is running.
 */
function withBuildLock(fn) {
  const lock = join(OUT_DIR, '.build-lock');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let age = 0;
    try { age = Date.now() - statSync(lock).mtimeMs; } catch { continue; } // released meanwhile
    if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
    else Atomics.wait(pause, 0, 0, 200); // the holder is building: look again in 200 ms
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** buildPeers under the lock. */
function buildPeersLocked({ quiet = false, force = false, only = null }) {
  const wanted = (name) => only === null || only.includes(name);
  // Emscripten 3.1.6 emits CommonJS (.js and .worker.js); the project's package.json says
  // "type": "module", which would make node load them as ES modules and fail
  // ("__filename is not defined in ES module scope").  A package.json here overrides it.
  markCommonJs(OUT_DIR);
  const tools = detectTools();
  const missing = Object.keys(MISSING_HINT).filter((t) => !tools[t]).map((t) => MISSING_HINT[t]);
  if (!quiet) for (const line of missing) console.log(line);

  const srcs = sources();
  const cfiles = srcs.filter((f) => f.endsWith('.c'));
  const inputs = [...srcs, fileURLToPath(import.meta.url)];
  const failed = [];
  const opts = { quiet, force };

  if (tools.gcc && ['glibc', 'mimalloc', 'jemalloc'].some(wanted)) {
    const args = ['-std=c11', '-O2', '-pthread', '-Wall', '-Wextra', '-o', NATIVE_BIN, ...cfiles, '-lm'];
    if (!build('native', 'gcc', args, process.env, [NATIVE_BIN], inputs, opts)) failed.push('native');
  }
  if (tools.gcc && wanted(FLOOR_NATIVE)) {
    const args = ['-std=c11', '-O2', '-pthread', '-Wall', '-Wextra', '-DBENCH_FLOOR', `-DBENCH_ALLOC_NAME="${FLOOR_NATIVE}"`, '-o', FLOOR_NATIVE_BIN, ...cfiles, '-lm'];
    if (!build(FLOOR_NATIVE, 'gcc', args, process.env, [FLOOR_NATIVE_BIN], inputs, opts)) failed.push(FLOOR_NATIVE);
  }
  if (tools.emcc) {
    for (const m of WASM_MALLOCS.filter(wanted)) {
      const out = wasmJs(m);
      const args = [...EMCC_FLAGS, `-sMALLOC=${m}`, `-DBENCH_ALLOC_NAME="${m}"`, '-o', out, ...cfiles];
      const outs = [out, out.replace(/\.js$/, '.wasm'), out.replace(/\.js$/, '.worker.js')];
      if (!build(m, 'emcc', args, emccEnv(), outs, inputs, opts)) failed.push(m);
    }
    if (wanted(FLOOR_EMCC)) {
      // The floor's pieces come from Emscripten's default malloc (dlmalloc), rarely.
      const out = wasmJs(FLOOR_EMCC);
      const args = [...EMCC_FLAGS, '-DBENCH_FLOOR', `-DBENCH_ALLOC_NAME="${FLOOR_EMCC}"`, '-o', out, ...cfiles];
      const outs = [out, out.replace(/\.js$/, '.wasm'), out.replace(/\.js$/, '.worker.js')];
      if (!build(FLOOR_EMCC, 'emcc', args, emccEnv(), outs, inputs, opts)) failed.push(FLOOR_EMCC);
    }
    if (!wanted(HAKMEM_EMCC)) {
      // not asked for
    } else if (!existsSync(HAKMEM_CLI) || !existsSync(join(ROOT, 'build', 'release.wasm'))) {
      if (!quiet) console.log(`${HAKMEM_EMCC}: skipped: build hakmem-wasm first (npm run build)`);
    } else {
      const out = wasmJs(HAKMEM_EMCC);
      const wasm = out.replace(/\.js$/, '.wasm');
      const outs = [out, wasm, out.replace(/\.js$/, '.worker.js')];
      const hinputs = [...inputs, ...HAKMEM_EMCC_INPUTS];
      const args = [...EMCC_FLAGS, ...HAKMEM_EMCC_FLAGS, `-DBENCH_ALLOC_NAME="${HAKMEM_EMCC}"`, '-o', out,
        ...cfiles, join(INCLUDE_DIR, 'hakmem-emscripten.c')];
      const fresh = !force && !stale(outs, hinputs);
      if (!build(HAKMEM_EMCC, 'emcc', args, emccEnv(), outs, hinputs, opts)) failed.push(HAKMEM_EMCC);
      else if (!fresh && !build(`${HAKMEM_EMCC} link`, process.execPath, [HAKMEM_CLI, 'link', wasm, '-o', wasm],
        process.env, outs, hinputs, { quiet, force: true })) {
        failed.push(HAKMEM_EMCC);
        for (const o of outs) rmSync(o, { force: true }); // never leave an unlinked build that looks fresh
      }
    }
  }
  return { tools, missing, failed, peers: peerCommands() };
}

// Appends --alloc NAME unless the caller chose one (flags go last so hakmem's positional
// larson vector still directly follows the workload name).
function withAlloc(args, name) {
  return args.includes('--alloc') ? [...args] : [...args, '--alloc', name];
}

/**
 * The peers whose builds exist (and whose shared library is present), each as
 * { name, platform, argvFor(workload, args) -> { cmd, args, env } }.
 */
export function peerCommands() {
  const peers = [];
  const baseEnv = { ...process.env };
  delete baseEnv.LD_PRELOAD;               // a stray preload would silently change the peer

  if (existsSync(NATIVE_BIN)) {
    const tools = detectTools();
    const native = (name, preload) => ({
      name,
      platform: 'native',
      argvFor: (workload, args = []) => ({
        cmd: NATIVE_BIN,
        args: [workload, ...withAlloc(args, name)],
        env: preload ? { ...baseEnv, LD_PRELOAD: preload } : { ...baseEnv },
      }),
    });
    peers.push(native('glibc', null));
    if (tools.mimalloc) peers.push(native('mimalloc', tools.mimalloc));
    if (tools.jemalloc) peers.push(native('jemalloc', tools.jemalloc));
  }
  if (existsSync(FLOOR_NATIVE_BIN)) {
    peers.push({
      name: FLOOR_NATIVE,
      platform: 'native',
      argvFor: (workload, args = []) => ({
        cmd: FLOOR_NATIVE_BIN, args: [workload, ...withAlloc(args, FLOOR_NATIVE)], env: { ...baseEnv },
      }),
    });
  }
  for (const m of [...WASM_MALLOCS, HAKMEM_EMCC, FLOOR_EMCC]) {
    const js = wasmJs(m);
    if (!existsSync(js)) continue;
    peers.push({
      name: m,
      platform: 'wasm32-emscripten',
      // Emscripten 3.1.6's loader calls fetch() on a file path under node >= 18 unless
      // node's fetch is switched off.
      argvFor: (workload, args = []) => ({
        cmd: process.execPath,
        args: ['--no-experimental-fetch', js, workload, ...withAlloc(args, m)],
        env: { ...baseEnv },
      }),
    });
  }
  return peers;
}

// CLI
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  const { failed, peers } = await buildPeers({ quiet: false, force });
  console.log(`\navailable peers (${peers.length}):`);
  for (const p of peers) {
    const { cmd, args, env } = p.argvFor('larson', ['--ops', '2e6', '--threads', '2']);
    const pre = env.LD_PRELOAD ? `LD_PRELOAD=${env.LD_PRELOAD} ` : '';
    console.log(`  ${p.name.padEnd(9)} ${p.platform.padEnd(18)} e.g. ${pre}${cmd} ${args.join(' ')}`);
  }
  if (failed.length) {
    console.error(`failed builds: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}
