#!/usr/bin/env node
// Runs the cross-check commands of WORKLOADS.md section 7 and of bench/MIDLARGE.md (and the
// RNG selftest) on every available peer and compares the checksums with the expected values.
//
//   node bench/peers/crosscheck.mjs [--peers glibc,dlmalloc] [--no-build]
//
// Exits 1 if any value differs, a run fails, or no peer is available.

import { spawnSync } from 'node:child_process';
import { buildPeers, peerCommands } from './build-peers.mjs';

// The section 7 table.  `--verify` is added to each run: the checksums are the same, and
// every block is then also checked before it is freed.
export const CROSS_CHECKS = [
  { argv: ['larson', '--ops', '2e6', '--threads', '1'],
    want: { size_sum: 516026856, fill_size_sum: 531462, live_bytes_end: 511684, generations: 10 } },
  { argv: ['larson', '--ops', '2e6', '--threads', '2'],
    want: { size_sum: 516012351, fill_size_sum: 1056761, live_bytes_end: 1060564, generations: 10 } },
  { argv: ['random_mixed', '--ops', '1e6'],
    want: { ops: 1001028, mallocs: 500514, size_sum: 263718873, peak_live: 1105 } },
  { argv: ['random_mixed', '--ops', '1e6', '--mode', 'replace'],
    want: { ops: 2000000, size_sum: 526908137, peak_live: 2048 } },
  { argv: ['random_mixed', '--ops', '25000', '--reps', '4'],
    want: { ops: 104054, size_sum: 27449748, peak_live: 1082 } },
  { argv: ['xfree', '--blocks', '1e6'], want: { size_sum: 516385007 } },
  { argv: ['xfree', '--blocks', '1e6', '--batch', '1'], want: { size_sum: 516385007 } },
  { argv: ['xfree', '--blocks', '1e6', '--producers', '2', '--consumers', '3'], want: { size_sum: 515933476 } },
  // bench/MIDLARGE.md
  { argv: ['midlarge', '--threads', '1'],
    want: { ops: 559354, mallocs: 279677, size_sum: 4520341439, neighbour_frees: 201680, neighbour_bytes: 3260183384 } },
  { argv: ['midlarge'],
    want: { ops: 1116114, mallocs: 558057, size_sum: 9007105604, neighbour_frees: 402656, neighbour_bytes: 6503907535 } },
  { argv: ['midlarge', '--threads', '3'],
    want: { ops: 1674204, mallocs: 837102, size_sum: 13513603453, neighbour_frees: 604484, neighbour_bytes: 9753326616 } },
  { argv: ['midlarge', '--threads', '2', '--slots', '64', '--rounds', '50'],
    want: { ops: 7094, size_sum: 57798505, neighbour_frees: 2538, neighbour_bytes: 41938591 } },
];

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
