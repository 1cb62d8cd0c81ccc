// hakmem-wasm as the only malloc of Emscripten pthreads programs (Debian's emcc 3.1.6, the
// recipe of README "Emscripten"): examples/emscripten/pthreads.c checks that its threads'
// stacks, TLS blocks and pthread structs are hakmem-wasm blocks and that exited threads
// detached; bench/c's workloads built the same way print every checksum of the workload spec.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/instances.js';
import { KNOWN_RUNS } from '../../dist/host/workloads/known-runs.js';
// @ts-expect-error: a plain ES module script, no types
import { buildEmscripten } from '../../scripts/examples.mjs';

const OUT = path.join(ROOT, 'build', 'examples', 'test');
let pthreadsJs = '';

beforeAll(async () => {
  pthreadsJs = buildEmscripten([path.join(ROOT, 'examples', 'emscripten', 'pthreads.c')], path.join(OUT, 'pthreads.js'));
  const peers = await import(pathToFileURL(path.join(ROOT, 'bench', 'peers', 'build-peers.mjs')).href);
  const { failed, peers: built } = await peers.buildPeers({ quiet: true, only: [peers.HAKMEM_EMCC] });
  if (failed.length || !built.some((p: { name: string }) => p.name === peers.HAKMEM_EMCC)) {
    throw new Error(`could not build the hakmem-emcc workloads (failed: ${failed.join(', ')}; is emscripten installed?)`);
  }
}, 240_000);

/** Run the pthreads example; returns its result line's numbers by name. */
function pthreads(...args: number[]): Record<string, number> {
  const r = spawnSync(process.execPath, ['--no-experimental-fetch', pthreadsJs, ...args.map(String)],
    { encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).not.toMatch(/missing function|Aborted|RuntimeError/);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const words = line.split(/\s+/);
  const out: Record<string, number> = {};
  for (let i = 0; i + 1 < words.length; i += 2) out[words[i]] = Number(words[i + 1]);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return out;
}

describe('Emscripten pthreads with hakmem-wasm as the only malloc', () => {
  for (const threads of [1, 2, 4]) {
    it(`${threads} pthread(s) x 3 waves: verified blocks, libc's stacks/TLS/structs from hakmem-wasm, every exited thread detached`, () => {
      const r = pthreads(threads, 8000, 3);
      expect(r.pthreads).toBe(threads);
      expect(r.errors).toBe(0);
      expect(r.not_hakmem).toBe(0);          // stack, TLS block and struct are live hakmem-wasm blocks
      expect(r.undetached_waves).toBe(0);    // the attached-thread count is back after every wave
      expect(r.allocs).toBeGreaterThan(threads * 3 * 8000 / 3);
      if (threads > 1) expect(r.handed).toBeGreaterThan(0);
      expect(r.threads).toBe(2);             // the main runtime thread and main() (PROXY_TO_PTHREAD)
    }, 120_000);
  }

  it('bench/c built with emcc and linked: every checksum of the workload spec and of MIDLARGE.md', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'peers', 'crosscheck.mjs'), '--no-build', '--peers', 'hakmem-emcc'],
      { encoding: 'utf8', timeout: 300_000 });
    // every known run, plus the RNG self-test
    expect(r.stdout).toMatch(new RegExp(`crosscheck: ${KNOWN_RUNS.length + 1} passed, 0 failed`));
    expect(r.status).toBe(0);
  }, 300_000);
});
