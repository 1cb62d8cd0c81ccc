// peers.ts: the native C workloads binary (bench/peers, the glibc peer) for tests that run it
// directly: built on demand, or the test is skipped with the package that is missing.

import path from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { TestContext } from 'vitest';
import { expect } from 'vitest';
import { ROOT } from './instances.js';

/** One run of the native workloads binary: `argv` is the workload and its options. */
export interface NativePeer {
  /** The process's result, whatever its exit status. */
  spawn(argv: readonly string[]): SpawnSyncReturns<string>;
  /** The JSON record of a run that must succeed (its last stdout line). */
  record(argv: readonly string[]): Record<string, unknown>;
}

/** The glibc peer, built if needed; skips the calling test when gcc is missing. */
export async function nativePeer(ctx: TestContext): Promise<NativePeer> {
  const peers = await import(pathToFileURL(path.join(ROOT, 'bench', 'peers', 'build-peers.mjs')).href);
  const { peers: built } = await peers.buildPeers({ quiet: true, only: ['glibc'] });
  const glibc = built.find((p: { name: string }) => p.name === 'glibc');
  if (!glibc) ctx.skip('no native peer: gcc is missing (apt-get install gcc), see bench/peers/README.md');
  const spawn = (argv: readonly string[]): SpawnSyncReturns<string> => {
    const { cmd, args, env } = glibc.argvFor(argv[0], argv.slice(1));
    return spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 60_000 });
  };
  return {
    spawn,
    record(argv) {
      const out = spawn(argv);
      expect(out.status, out.stderr).toBe(0);
      return JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    },
  };
}
