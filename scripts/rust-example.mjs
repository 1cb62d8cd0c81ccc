// rust-example.mjs: builds examples/rust/lib.rs, a Rust program with hakmem-wasm as its global
// allocator, into a wasm32 module with shared memory, offline, with Debian's Rust packages:
//   apt-get install rustc rust-src librust-compiler-builtins-dev lld-14
//
// Debian's prebuilt wasm32 core and alloc are compiled without the atomics feature, and
// wasm-ld refuses --shared-memory for objects without it. So this first rebuilds core,
// compiler_builtins and alloc from their sources with +atomics,+bulk-memory,+mutable-globals
// into a private sysroot (<outDir>/rust-sysroot; rebuilt only when rustc's version changes),
// then compiles the example against it (RUSTC_BOOTSTRAP=1 allows the unstable flags).
//
// Usage: node scripts/rust-example.mjs [outDir]     (default build/examples)
// Module: buildRustExample({ outDir, quiet }) -> path of <outDir>/rust-example.wasm
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'examples', 'rust', 'lib.rs');

const RUSTC = '/usr/bin/rustc';
const LINKER = '/usr/bin/rust-lld';
const LIBRARY = '/usr/lib/rustlib/src/rust/library';
const REGISTRY = '/usr/share/cargo/registry';
const TARGET = 'wasm32-unknown-unknown';
const FEATURES = '+atomics,+bulk-memory,+mutable-globals';
const INSTALL = 'apt-get install rustc rust-src librust-compiler-builtins-dev lld-14';

/** The compiler_builtins sources of the Debian registry (the highest 0.1.x version). */
function compilerBuiltins() {
  const dirs = fs.existsSync(REGISTRY)
    ? fs.readdirSync(REGISTRY).filter((d) => /^compiler_builtins-\d+\.\d+\.\d+$/.test(d))
    : [];
  const version = (d) => d.slice(d.indexOf('-') + 1).split('.').map(Number);
  dirs.sort((a, b) => {
    const [x, y] = [version(a), version(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  return dirs.length ? path.join(REGISTRY, dirs[dirs.length - 1]) : null;
}

/** Fail with the packages to install when a tool or a source tree is missing. */
function requireToolchain() {
  const builtins = compilerBuiltins();
  const needed = [
    [RUSTC, 'rustc'],
    [LINKER, 'rustc and lld-14 (rust-lld links to lld-14)'],
    [path.join(LIBRARY, 'core', 'src', 'lib.rs'), 'rust-src'],
    [path.join(LIBRARY, 'alloc', 'src', 'lib.rs'), 'rust-src'],
    [builtins ? path.join(builtins, 'src', 'lib.rs') : path.join(REGISTRY, 'compiler_builtins-*'), 'librust-compiler-builtins-dev'],
  ];
  const missing = needed.filter(([file]) => !fs.existsSync(file));
  if (missing.length) {
    const list = missing.map(([file, pkg]) => `  ${file} (package ${pkg})`).join('\n');
    throw new Error(`the Rust example needs Debian's Rust toolchain; missing:\n${list}\nInstall: ${INSTALL}`);
  }
  return builtins;
}

/** Run rustc; throw with its output if it fails. */
function rustc(args, quiet) {
  if (!quiet) console.log(`rustc ${args.join(' ')}`);
  const r = spawnSync(RUSTC, args, {
    cwd: ROOT,
    encoding: 'utf8',
    // Explicit: no RUSTFLAGS, rustup or cargo variables leak in; PATH without ~/.cargo/bin.
    env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', RUSTC_BOOTSTRAP: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`cannot run ${RUSTC}: ${r.error.message}\nInstall: ${INSTALL}`);
  if (r.status !== 0) {
    throw new Error(`rustc failed (exit ${r.status ?? r.signal}): rustc ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  }
  if (!quiet && r.stderr) process.stderr.write(r.stderr);
  return r.stdout;
}

/** What the sysroot was built with: rebuilt when any of it changes. */
function stampText(builtins) {
  return `${rustc(['--version'], true).trim()}\n${TARGET} ${FEATURES}\n${builtins}\n`;
}

/** Build core, compiler_builtins and alloc with atomics into `sysroot` (cached by a stamp). */
function buildSysroot(sysroot, builtins, quiet) {
  const stamp = path.join(sysroot, 'stamp');
  const want = stampText(builtins);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) {
    if (!quiet) console.log(`sysroot up to date: ${sysroot}`);
    return;
  }
  // Build next to it and rename, so an interrupted build never looks complete.
  const tmp = `${sysroot}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const lib = path.join(tmp, 'lib', 'rustlib', TARGET, 'lib');
  fs.mkdirSync(lib, { recursive: true });
  const common = ['--target', TARGET, '--sysroot', tmp, '--crate-type', 'rlib', '--out-dir', lib,
    '-C', 'opt-level=2', '-C', 'panic=abort', '-C', `target-feature=${FEATURES}`,
    '-Z', 'force-unstable-if-unmarked'];
  try {
    rustc(['--edition', '2021', '--crate-name', 'core', path.join(LIBRARY, 'core', 'src', 'lib.rs'), ...common], quiet);
    rustc(['--crate-name', 'compiler_builtins', path.join(builtins, 'src', 'lib.rs'), ...common,
      '--cfg', 'feature="compiler-builtins"', '--cfg', 'feature="unstable"', '--cfg', 'feature="mem"',
      '-C', 'debug-assertions=no', '-C', 'overflow-checks=no', '-C', 'codegen-units=10000'], quiet);
    rustc(['--edition', '2021', '--crate-name', 'alloc', path.join(LIBRARY, 'alloc', 'src', 'lib.rs'), ...common], quiet);
    fs.writeFileSync(path.join(tmp, 'stamp'), want);
    fs.rmSync(sysroot, { recursive: true, force: true });
    fs.renameSync(tmp, sysroot);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Build the Rust example: the sysroot in `<outDir>/rust-sysroot` (if needed), then
 * `<outDir>/rust-example.wasm`. Returns the wasm path; throws if the toolchain is missing
 * (naming the packages) or a compilation fails.
 */
export async function buildRustExample({ outDir = path.join(ROOT, 'build', 'examples'), quiet = false } = {}) {
  const builtins = requireToolchain();
  outDir = path.resolve(outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const sysroot = path.join(outDir, 'rust-sysroot');
  buildSysroot(sysroot, builtins, quiet);
  const out = path.join(outDir, 'rust-example.wasm');
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    rustc(['--sysroot', sysroot, '--target', TARGET, '--crate-type', 'cdylib', '--crate-name', 'rust_example',
      '--edition', '2021', '-O', '-C', 'panic=abort', '-C', `target-feature=${FEATURES}`, '-C', `linker=${LINKER}`,
      '-C', 'link-arg=--shared-memory', '-C', 'link-arg=--import-memory',
      '-C', 'link-arg=--max-memory=4294967296', '-C', 'link-arg=--export=__stack_pointer',
      SOURCE, '-o', tmp], quiet);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  if (!quiet) console.log(`wrote ${path.relative(process.cwd(), out) || out}`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  buildRustExample({ outDir }).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
