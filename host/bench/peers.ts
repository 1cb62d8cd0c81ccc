// peers.ts: the peer allocators of bench/peers (the C workloads natively under glibc,
// mimalloc and jemalloc, and in wasm under Emscripten's dlmalloc and emmalloc), driven
// through bench/peers/build-peers.mjs, which builds what the machine's tools allow.

import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { PEERS_SCRIPT } from './paths.js';

/** A runnable peer (see build-peers.mjs's peerCommands). */
export interface Peer {
  name: string;
  platform: string;
  argvFor(workload: string, args: string[]): { cmd: string; args: string[]; env: NodeJS.ProcessEnv };
}

interface PeersModule {
  buildPeers(o: { quiet?: boolean; force?: boolean }): Promise<{ missing: string[]; failed: string[]; peers: Peer[] }>;
}

/** Build (if needed) and list the peers; `missing` has one line per absent tool. */
export async function loadPeers(): Promise<{ peers: Peer[]; missing: string[]; failed: string[] }> {
  const mod = (await import(pathToFileURL(PEERS_SCRIPT).href)) as PeersModule;
  return mod.buildPeers({ quiet: true });
}

/** Run a peer on C workload argv (workload first); returns its JSON record. */
export function runPeer(peer: Peer, argv: string[], timeoutMs = 600_000): Promise<Record<string, unknown>> {
  const [workload, ...rest] = argv;
  const { cmd, args, env } = peer.argvFor(workload, rest);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        const rec = JSON.parse(last) as Record<string, unknown>;
        if (code !== 0) rec.exit_status = code;
        resolve(rec);
      } catch {
        reject(new Error(`${peer.name} ${argv.join(' ')}: exit ${code}${signal ? ` (${signal})` : ''}: ${err.slice(-800)}`));
      }
    });
  });
}
