// build.mjs: `npm run build`: builds what changed since the last build, in order:
//   1. the allocator modules (asc): build/release.wasm, build/debug.wasm, build/crash.wasm
//      (release code whose crash points can be armed to trap: the kill trials)
//   2. the bench modules (asc): build/bench-release.wasm, bench-debug.wasm, bench-asrt.wasm,
//      bench-floor.wasm (the floor allocator: bench/assembly/floor.ts)
//   3. the build check over the allocator and bench modules (scripts/check-build.mjs)
//   4. the host's records and code tables from the allocator's sources (scripts/gen-abi.mjs)
//   5. the host (tsc): dist/host
//   6. the heap base baked into the bench modules (with step 5's host/link/merge.ts)
// A target is rebuilt when one of its outputs is missing or older than any of its inputs
// (sources, configs, this script). `--force` rebuilds everything.
//
//   node scripts/build.mjs [--force]

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/** Every file below `dir` (relative to ROOT) whose name matches `re`. */
function files(dir, re = /\.ts$/) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  walk(join(ROOT, dir));
  return out;
}

const mtime = (f) => statSync(f).mtimeMs;
const stale = (outputs, inputs) => {
  if (force || outputs.some((o) => !existsSync(join(ROOT, o)))) return true;
  const newest = Math.max(...inputs.map(mtime));
  return outputs.some((o) => mtime(join(ROOT, o)) < newest);
};

function run(label, cmd, args) {
  process.stdout.write(`build: ${label}\n`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: ${label} failed (exit ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
}

const self = fileURLToPath(import.meta.url);
const allocatorInputs = [...files('assembly'), join(ROOT, 'asconfig.json'), self];
const benchInputs = [...allocatorInputs, ...files('bench/assembly'), join(ROOT, 'bench', 'asconfig.json')];
let built = 0;

for (const target of ['release', 'debug', 'crash']) {
  if (stale([`build/${target}.wasm`, `build/${target}.wat`], allocatorInputs)) {
    // the crash target (release code with armed crash points, for the kill trials) adds its exports' entry
    const extra = target === 'crash' ? ['assembly/crash-exports.ts'] : [];
    run(`allocator (${target})`, bin('asc'), [...extra, '--config', 'asconfig.json', '--target', target]);
    built++;
  }
}
for (const target of ['release', 'debug', 'asrt', 'floor']) {
  if (stale([`build/bench-${target}.wasm`], benchInputs)) {
    const entry = target === 'asrt' ? 'bench/assembly/asrt.ts' : 'bench/assembly/index.ts';
    run(`bench module (${target})`, bin('asc'), [entry, '--config', 'bench/asconfig.json', '--target', target]);
    built++;
  }
}
if (built > 0 || force) {
  run('build check', process.execPath, [join(ROOT, 'scripts', 'check-build.mjs'), '--allocator', 'build/release.wat',
    'build/debug.wat', 'build/crash.wat', '--data-below', '65536', 'build/bench-release.wat', 'build/bench-debug.wat', 'build/bench-floor.wat']);
}
// The host's code tables, generated from the allocator's constants (scripts/gen-abi.mjs).
run('ABI records and code tables', process.execPath, [join(ROOT, 'scripts', 'gen-abi.mjs')]);
const hostInputs = [...files('host'), join(ROOT, 'tsconfig.json'), self];
if (stale(['dist/host/cli/main.js', 'dist/host/index.js'], hostInputs)) {
  run('host (tsc)', bin('tsc'), ['-p', 'tsconfig.json']);
  built++;
}
// 6. The bench modules are programs with the allocator compiled in: like a program that
// `hakmem-wasm link` merged, they get the heap base as a constant (host/link/merge.ts
// bakeHeapBase), the host's default one. asc's .wat files keep the import.
for (const target of ['release', 'debug', 'floor']) {
  const file = join(ROOT, 'build', `bench-${target}.wasm`);
  const bytes = readFileSync(file);
  if (!WebAssembly.Module.imports(new WebAssembly.Module(bytes)).some((i) => i.module === 'hakmem' && i.name === 'heap_base')) continue;
  process.stdout.write(`build: bench module (${target}): heap base baked in\n`);
  const { bakeHeapBase } = await import(pathToFileURL(join(ROOT, 'dist', 'host', 'link', 'merge.js')).href);
  const { DEFAULT_HEAP_BASE } = await import(pathToFileURL(join(ROOT, 'dist', 'host', 'core', 'instance.js')).href);
  writeFileSync(file, await bakeHeapBase(bytes, DEFAULT_HEAP_BASE));
  built++;
}
if (built === 0) process.stdout.write('build: everything is up to date\n');
