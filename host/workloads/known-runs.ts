// known-runs.ts: the cross-check runs, written once: bench/WORKLOADS.md section 7 and
// bench/MIDLARGE.md. Any correct allocator on any platform gives these checksums for these
// exact commands (the workloads' random streams and sizes do not depend on addresses). Used
// by the cross-check test (test/bench/crosscheck.test.ts), the peers' cross-check
// (bench/peers/crosscheck.mjs) and the demo page (which says when its run is one of them).

import { parseParams, type Params, type RawOptions } from './params.js';

/** One cross-check run: its command line (workload first) and the checksums it must give. */
export interface KnownRun {
  readonly argv: readonly string[];
  readonly want: Readonly<Record<string, number>>;
  /** Where the run is specified. */
  readonly source: 'WORKLOADS.md section 7' | 'MIDLARGE.md';
}

const S7 = 'WORKLOADS.md section 7' as const;

/** The one-copy random_mixed runs. */
const RANDOM_MIXED_1E6: KnownRun = { source: S7, argv: ['random_mixed', '--ops', '1e6'],
  want: { ops: 1001028, mallocs: 500514, size_sum: 263718873, peak_live: 1105 } };
const RANDOM_MIXED_REPLACE: KnownRun = { source: S7, argv: ['random_mixed', '--ops', '1e6', '--mode', 'replace'],
  want: { ops: 2000000, size_sum: 526908137, peak_live: 2048 } };
const RANDOM_MIXED_REPS: KnownRun = { source: S7, argv: ['random_mixed', '--ops', '25000', '--reps', '4'],
  want: { ops: 104054, size_sum: 27449748, peak_live: 1082 } };

/**
 * `run` (a one-copy random_mixed run) with `--threads n`: n identical copies, so every checksum
 * is n times the one copy's, except peak_live, the largest copy's peak, which is the one copy's.
 */
export function randomMixedCopies(run: KnownRun, n: number): KnownRun {
  return { source: run.source, argv: [...run.argv, '--threads', `${n}`],
    want: Object.fromEntries(Object.entries(run.want).map(([k, v]) => [k, k === 'peak_live' ? v : n * v])) };
}

/** Every cross-check run. `--verify` may be added to any: the checksums stay the same. */
export const KNOWN_RUNS: readonly KnownRun[] = [
  { source: S7, argv: ['larson', '--ops', '2e6', '--threads', '1'],
    want: { size_sum: 516026856, fill_size_sum: 531462, live_bytes_end: 511684, generations: 10 } },
  { source: S7, argv: ['larson', '--ops', '2e6', '--threads', '2'],
    want: { size_sum: 516012351, fill_size_sum: 1056761, live_bytes_end: 1060564, generations: 10 } },
  RANDOM_MIXED_1E6,
  RANDOM_MIXED_REPLACE,
  RANDOM_MIXED_REPS,
  randomMixedCopies(RANDOM_MIXED_1E6, 2),
  randomMixedCopies(RANDOM_MIXED_REPLACE, 4),
  randomMixedCopies(RANDOM_MIXED_REPS, 3),
  { source: S7, argv: ['xfree', '--blocks', '1e6'], want: { size_sum: 516385007 } },
  { source: S7, argv: ['xfree', '--blocks', '1e6', '--batch', '1'], want: { size_sum: 516385007 } },
  { source: S7, argv: ['xfree', '--blocks', '1e6', '--producers', '2', '--consumers', '3'], want: { size_sum: 515933476 } },
  { source: 'MIDLARGE.md', argv: ['midlarge', '--threads', '1'],
    want: { ops: 559354, mallocs: 279677, size_sum: 4520341439, neighbour_frees: 201680, neighbour_bytes: 3260183384 } },
  { source: 'MIDLARGE.md', argv: ['midlarge'],
    want: { ops: 1116114, mallocs: 558057, size_sum: 9007105604, neighbour_frees: 402656, neighbour_bytes: 6503907535 } },
  { source: 'MIDLARGE.md', argv: ['midlarge', '--threads', '3'],
    want: { ops: 1674204, mallocs: 837102, size_sum: 13513603453, neighbour_frees: 604484, neighbour_bytes: 9753326616 } },
  { source: 'MIDLARGE.md', argv: ['midlarge', '--threads', '2', '--slots', '64', '--rounds', '50'],
    want: { ops: 7094, size_sum: 57798505, neighbour_frees: 2538, neighbour_bytes: 41938591 } },
];

/** A run's options as the CLI would give them (`--gen-steps 5` -> { genSteps: '5' }). */
export function optionsOf(argv: readonly string[]): RawOptions {
  const raw: RawOptions = {};
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) raw[key] = true;
    else { raw[key] = next; i++; }
  }
  return raw;
}

/** The full parameters of a known run (the workload's defaults filled in). */
export function paramsOf(run: KnownRun, extra: RawOptions = {}): Params {
  return parseParams(run.argv[0], { ...optionsOf(run.argv), ...extra });
}

/** The known run whose full parameters equal `p` (verify aside), or null. */
export function knownRunFor(p: Params): KnownRun | null {
  const key = (q: Params): string => JSON.stringify({ ...q, verify: undefined });
  return KNOWN_RUNS.find((r) => r.argv[0] === p.workload && key(paramsOf(r)) === key(p)) ?? null;
}

/** A run's checksums against the known run for its parameters. */
export interface CrossCheck {
  run: KnownRun;
  /** The run as a command line (`larson --ops 2e6 --threads 2`). */
  command: string;
  /** Names of the checksums that differ from the known values (empty: all match). */
  mismatches: string[];
}

/** Compare `values` (checksums by name) with the known run for `p`; null if `p` is none. */
export function crossCheck(p: Params, values: Readonly<Record<string, number>>): CrossCheck | null {
  const run = knownRunFor(p);
  if (!run) return null;
  return { run, command: run.argv.join(' '), mismatches: Object.keys(run.want).filter((k) => values[k] !== run.want[k]) };
}
