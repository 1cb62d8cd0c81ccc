#!/usr/bin/env node
// Runs the cross-check commands of WORKLOADS.md section 7 and of bench/MIDLARGE.md (and the
// RNG selftest) on every available peer and compares the checksums with the expected values.
//
//   node bench/peers/crosscheck.mjs [--peers glibc,dlmalloc] [--no-build]
//
// Exits 1 if any value differs, a run fails, or no peer is available.

import { spawnSync } from 'node:child_process';
import { buildPeers, peerCommands } from './build-peers.mjs';
import { KNOWN_RUNS } from '../../dist/host/workloads/known-runs.js';

// The cross-check runs (host/workloads/known-runs.ts, built into dist/). `--verify` is added to
// each run: the checksums are the same, and every block is then also checked before it is
// freed.
export const CROSS_CHECKS = KNOWN_RUNS.map((k) => ({ argv: [...k.argv], want: k.want }));

function run(peer, workload, args) {
  const { cmd, args: argv, env } = peer.argvFor(workload, args);
  return spawnSync(cmd, argv, { encoding: 'utf8', env, timeout: 300_000 });
}

// A failing Emscripten build can print its whole minified loader: keep the end only.
const tail = (s) => (s.length > 2000 ? `...${s.slice(-2000)}` : s);

const argv = process.argv.slice(2);
if (!argv.includes('--no-build')) await buildPeers({ quiet: true });
const pick = argv.includes('--peers') ? argv[argv.indexOf('--peers') + 1].split(',') : null;
const peers = peerCommands().filter((p) => !pick || pick.includes(p.name));
if (peers.length === 0) {
  console.error('no peer available: run node bench/peers/build-peers.mjs');
  process.exit(1);
}

let passed = 0;
let failed = 0;
for (const peer of peers) {
  const st = run(peer, 'selftest', ['--alloc', peer.name]);
  const ok = st.status === 0;
  ok ? passed++ : failed++;
  console.log(`${peer.name.padEnd(9)} selftest ${ok ? 'ok' : `FAILED\n${tail(st.stdout + st.stderr)}`}`);

  for (const c of CROSS_CHECKS) {
    const [workload, ...rest] = c.argv;
    const r = run(peer, workload, [...rest, '--verify']);
    let rec = null;
    try { rec = JSON.parse(r.stdout.trim().split('\n').pop()); } catch { /* reported below */ }
    const label = `${peer.name.padEnd(9)} ${c.argv.join(' ')}`;
    if (r.status !== 0 || !rec) {
      failed++;
      console.log(`${label}: FAILED (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})\n${tail(r.stdout + r.stderr)}`);
      continue;
    }
    const diffs = Object.entries(c.want).filter(([k, v]) => rec[k] !== v).map(([k, v]) => `${k} ${rec[k]} != ${v}`);
    if (rec.bad !== 0) diffs.push(`bad ${rec.bad}`);
    if (rec.alloc !== peer.name) diffs.push(`alloc ${rec.alloc}`);
    diffs.length ? failed++ : passed++;
    const got = Object.keys(c.want).map((k) => `${k} ${rec[k]}`).join(', ');
    const speed = `${(rec.ops_per_sec / 1e6).toFixed(1)} Mops/s`;
    console.log(`${label}: ${diffs.length ? `MISMATCH ${diffs.join('; ')}` : 'ok'} (${got}; ${speed})`);
  }
}
console.log(`crosscheck: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
