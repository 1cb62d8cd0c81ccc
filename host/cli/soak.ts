// soak.ts: `hakmem-wasm soak`: the long adversarial suites with their figures.
//   --suite double-free (the default): the double-free trials (host/soak/double-free.ts),
//     thousands per kind and build, each kind in a watched worker; a table of caught / trials
//     and every failure kind per row.
//   --suite stress: the verified stress soak (host/soak/stress-soak.ts), a budget of
//     operations (default 10^9) in rounds over the configuration matrix; a progress line per
//     round on stderr, then a table per configuration and the totals. A round fails on a
//     pattern failure, a checker violation, a fault, a worker that died or a round that hung.
//   --suite kill: the kill trials (host/soak/kill-trial.ts) on the crash build: a victim
//     thread trapped at every crash point of seeded scenarios (partners freeing into it),
//     then reclaimed, everything freed and checked; the trials, kills per place, blocks lost,
//     blocks a killed malloc held, repairs and checker state.
//   --suite terminate: the terminate trials (host/soak/terminate-trial.ts): a real worker,
//     churning, terminated at a random moment while partner workers free into it, then
//     reclaimed, every block it logged checked and freed, and the heap checked.
// Exit status 1 if any trial or round failed (or hung), 2 on a bad usage.

import { Command, InvalidArgumentError, Option } from 'commander';
import { wasmPath } from '../core/module.js';
import { DOUBLE_FREE_KINDS, type DoubleFreeKind } from '../soak/double-free.js';
import { kindPassed, soakDoubleFrees, type KindSoak } from '../soak/soak.js';
import { configLabel, configPassed, DEFAULT_ROUND_OPS, DEFAULT_STRESS_SOAK_AXES, roundFailure, roundPassed, roundSize,
         runStressSoak, stressSoakMatrix, type StressSoakConfigSummary, type StressSoakRound,
         type StressSoakSummary } from '../soak/stress-soak.js';
import { UsageError } from '../workloads/params.js';
import { compileFile } from '../core/module.js';
import { killTrials, KILL_CONFIGS, type KillSummary } from '../soak/kill-trial.js';
import { terminateTrials, type TerminateSummary } from '../soak/terminate-trial.js';
import type { BuildName } from '../core/memory.js';

/** The default operation budget of the stress suite. */
const DEFAULT_STRESS_SOAK_OPS = 1_000_000_000;

/** Parse a positive integer option. */
function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Parse an operation count: a positive integer, also written as 1e9 or 2.5e7. */
function opCount(v: string): number {
  const s = v.trim();
  const n = Number(s);
  if (s === '' || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a positive integer number of operations, e.g. 1e9 or 20000000');
  }
  return n;
}

/** Parse a comma-separated list of worker counts, e.g. `2,3,4`. */
function workerCounts(v: string): number[] {
  const counts = v.split(',').map((w) => Number(w.trim()));
  if (counts.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new InvalidArgumentError('expected comma-separated positive integers, e.g. 2,3,4');
  }
  return counts;
}

/** The builds `--build` names. */
function buildsOf(build: string): BuildName[] {
  return build === 'both' ? ['release', 'debug'] : [build as BuildName];
}

/** Width of the double-free table's kind column: the longest kind's name. */
const KIND_WIDTH = Math.max(...DOUBLE_FREE_KINDS.map((k) => k.length));

/** One row of the double-free table. */
function row(build: string, k: KindSoak): string {
  const cells = [build.padEnd(8), k.kind.padEnd(KIND_WIDTH), `${k.caught}/${k.trials}`.padStart(11),
    ...[k.otherFaults, k.handedOutTwice, k.damaged, k.uncleanChecks, k.crashed, k.hung.length].map((n) => String(n).padStart(7)),
    kindPassed(k) ? 'ok' : `FAILED (seeds ${k.failedSeeds.join(', ')})`];
  return cells.join('  ');
}

/** Options of `soak` (each suite reads its own). */
interface SoakOptions {
  suite: 'double-free' | 'stress' | 'kill' | 'terminate';
  trials?: number; build: string; kinds?: string; seed: number; module?: string;
  ops: number; roundOps: number; workers: number[];
  scenarios: number; stride: number;
}

/** Which options each suite reads (besides --seed). */
const SUITE_OPTIONS: Record<SoakOptions['suite'], string[]> = {
  'double-free': ['trials', 'kinds', 'module', 'build'],
  stress: ['ops', 'roundOps', 'workers', 'build'],
  kill: ['scenarios', 'stride'],
  terminate: ['trials'],
};

/** The options a suite does not read, if the user gave one: a usage error. */
function rejectOtherSuiteOptions(cmd: Command, suite: SoakOptions['suite']): void {
  const mine = SUITE_OPTIONS[suite];
  const others = [...new Set(Object.values(SUITE_OPTIONS).flat())].filter((k) => !mine.includes(k));
  const given = others.filter((k) => cmd.getOptionValueSource(k) === 'cli');
  if (given.length === 0) return;
  const flags = given.map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
  throw new UsageError(`${flags.join(', ')} ${given.length === 1 ? 'is' : 'are'} not an option of --suite ${suite}`);
}

/** Register `soak` on the CLI. */
export function registerSoakCommand(program: Command): void {
  program.command('soak')
    .description('the long adversarial suites, with figures: the double-free trials (default: thousands per kind and ' +
      'build, in watched workers: caught / trials and every failure), or --suite stress: verified multi-worker stress ' +
      'rounds over a matrix of builds, worker counts and heap configurations, or --suite kill: a thread killed at every ' +
      'crash point of seeded scenarios (the crash build), reclaimed, then everything freed and checked, or --suite ' +
      'terminate: real workers terminated mid-churn while partners free into them')
    .addOption(new Option('--suite <suite>', 'which soak').choices(['double-free', 'stress', 'kill', 'terminate']).default('double-free'))
    .option('--trials <n>', 'double-free: trials per kind and build (default 2000); terminate: trials (default 500)', positiveInt)
    .addOption(new Option('--build <build>', 'allocator build').choices(['release', 'debug', 'both']).default('both'))
    .option('--kinds <list>', `double-free: comma-separated kinds (default all: ${DOUBLE_FREE_KINDS.join(', ')})`)
    .option('--seed <n>', 'first seed', positiveInt, 1)
    .option('--module <file>', 'double-free: an allocator module to soak instead of the build (e.g. an older build/release.wasm)')
    .option('--ops <n>', 'stress: verified operations in all (1e9 allowed)', opCount, DEFAULT_STRESS_SOAK_OPS)
    .option('--round-ops <n>', 'stress: operations per round at most (rounds are smaller when the budget would not ' +
      'reach every configuration)', opCount, DEFAULT_ROUND_OPS)
    .addOption(new Option('--workers <list>', 'stress: comma-separated worker counts').argParser(workerCounts)
      .default([...DEFAULT_STRESS_SOAK_AXES.workers], DEFAULT_STRESS_SOAK_AXES.workers.join(',')))
    .option('--scenarios <n>', 'kill: seeded scenarios (each killed at every crash point it passes)', positiveInt, 30)
    .option('--stride <n>', 'kill: arm every n-th crash point only (a faster sample)', positiveInt, 1)
    .action(async (o: SoakOptions, cmd: Command) => {
      rejectOtherSuiteOptions(cmd, o.suite);
      const ok = o.suite === 'stress' ? await stressSoakCommand(o)
        : o.suite === 'kill' ? await killSoakCommand(o)
        : o.suite === 'terminate' ? await terminateSoakCommand(o) : await doubleFreeSoakCommand(o);
      process.exitCode = ok ? 0 : 1;
    });
}

/** The double-free suite; true if every trial passed. */
async function doubleFreeSoakCommand(o: SoakOptions): Promise<boolean> {
  const trials = o.trials ?? 2000;
  const kinds = (o.kinds?.split(',').map((k) => k.trim()) ?? [...DOUBLE_FREE_KINDS]) as DoubleFreeKind[];
  const unknown = kinds.filter((k) => !DOUBLE_FREE_KINDS.includes(k));
  if (unknown.length) throw new UsageError(`unknown kind(s) ${unknown.join(', ')}`);
  const builds: [string, string][] = o.module ? [[o.module, o.module]]
    : buildsOf(o.build).map((b) => [b, wasmPath(b)]);
  console.log(['build'.padEnd(8), 'kind'.padEnd(KIND_WIDTH), 'caught'.padStart(11), ...['other', 'twice', 'damaged', 'check',
    'crashed', 'hung'].map((h) => h.padStart(7)), 'verdict'].join('  '));
  let failed = false;
  const t0 = Date.now();
  for (const [name, file] of builds) {
    try {
      const res = await soakDoubleFrees(file, trials, { seed: o.seed, kinds, onKind: (k) => console.log(row(name, k)) });
      if (!res.every(kindPassed)) failed = true;
    } catch (e) {
      process.stderr.write(`hakmem-wasm: ${(e as Error).message}\n`);
      return false;
    }
  }
  const total = builds.length * kinds.length * trials;
  console.log(`\n${total} double-free trials in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
    `${failed ? 'FAILURES above' : 'every double free caught, nothing handed out twice, every heap check clean'}`);
  console.log('columns: caught = reported as one fault at its pointer (double_free, or free_slab once its first free ' +
    'emptied its slab into the pool); other = other faults; twice = a live ' +
    'block handed out again; damaged = a live block changed; check = heap check not clean at the end; ' +
    'crashed = the allocator trapped; hung = no return within 10 s');
  return !failed;
}

/** Million operations per second of `ops` in `ms`. */
function mops(ops: number, ms: number): string {
  return ms > 0 ? (ops / ms / 1000).toFixed(2) : '-';
}

/** The progress line of a finished round (stderr). */
function roundLine(r: StressSoakRound, rounds: number): string {
  const verdict = roundPassed(r) ? 'ok' : `FAILED (seed ${r.seed}: ${roundFailure(r)})`;
  return `round ${r.round}/${rounds}  ${configLabel(r.config).padEnd(43)}  ${String(r.ops).padStart(10)} ops  ` +
    `${(r.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${mops(r.ops, r.elapsedMs).padStart(6)} Mops/s  ${verdict}`;
}

/** The table's header (columns of stressRow). */
const STRESS_HEADER = ['build'.padEnd(7), 'workers', 'cache'.padEnd(7), 'batch', 'rbatch', 'rounds', 'ops'.padStart(12),
  'mallocs'.padStart(11), 'remote'.padStart(11), 'oom'.padStart(6), 'pattern', 'check', 'faults', 'crashed',
  'Mops/s', 'verdict'].join('  ');

/** One configuration's row of the stress table. */
function stressRow(c: StressSoakConfigSummary): string {
  const h = c.config.heap;
  return [c.config.build.padEnd(7), String(c.config.workers).padStart(7), h.cache.padEnd(7),
    (h.batchRefill ? 'on' : 'off').padStart(5), String(h.remoteBatch).padStart(6), String(c.rounds).padStart(6),
    String(c.ops).padStart(12), String(c.mallocs).padStart(11), String(c.remoteFrees).padStart(11),
    String(c.oom).padStart(6), String(c.patternFailures).padStart(7), String(c.checkViolations).padStart(5),
    String(c.faults).padStart(6), String(c.crashedRounds).padStart(7), mops(c.ops, c.elapsedMs).padStart(6),
    configPassed(c) ? 'ok' : `FAILED (seeds ${c.failedSeeds.join(', ')})`].join('  ');
}

/** The stress suite's table, totals and failures. */
function printStressSoak(s: StressSoakSummary): void {
  console.log(`\n${STRESS_HEADER}`);
  for (const c of s.configs) console.log(stressRow(c));
  const t = s.totals;
  console.log(`\n${t.ops} verified operations, ${t.patternFailures} pattern failures, ${t.checkViolations} checker ` +
    `violations, ${t.faults} faults, ${t.crashedRounds} crashed rounds (${t.rounds} rounds over ${s.configs.length} ` +
    `configurations, ${t.mallocs} mallocs, ${t.frees} frees, ${t.remoteFrees} remote frees, ${t.oom} OOMs, ` +
    `${(s.wallMs / 1000).toFixed(1)} s): ${s.passed ? 'ok' : 'FAILURES'}`);
  for (const c of s.configs.filter((x) => !configPassed(x))) {
    console.log(`\n${c.label}: failed`);
    for (const f of c.failures) console.log(`  ${f.replace(/\n/g, '\n  ')}`);
  }
  console.log('\ncolumns: rbatch = remote frees per atomic push (0 = module default); remote = blocks freed by ' +
    'another worker; oom = mallocs that returned 0; pattern = blocks whose pattern was wrong when freed (handed out ' +
    'twice or changed while live); check = heap-checker violations after the round; faults = faults the allocator ' +
    'recorded; crashed = rounds in which a worker died; Mops/s over the stress runs and collects');
}

/** The stress suite; true if every round passed. */
async function stressSoakCommand(o: SoakOptions): Promise<boolean> {
  const configs = stressSoakMatrix({ builds: buildsOf(o.build), workers: o.workers });
  const perRound = roundSize(o.ops, configs.length, o.roundOps);
  console.log(`hakmem-wasm soak --suite stress: ${o.ops} verified operations over ${configs.length} configurations, ` +
    `${Math.ceil(o.ops / perRound)} rounds of up to ${perRound} operations, a fresh heap and workers each`);
  let summary: StressSoakSummary;
  try {
    summary = await runStressSoak({
      totalOps: o.ops, roundOps: o.roundOps, configs, seed: o.seed,
      onRound: (r, rounds) => process.stderr.write(`${roundLine(r, rounds)}\n`),
    });
  } catch (e) {
    if (e instanceof RangeError) throw e; // a limit (e.g. too many workers): a usage error
    process.stderr.write(`hakmem-wasm: ${(e as Error).message}\n`); // a heap or pool that could not start
    return false;
  }
  printStressSoak(summary);
  return summary.passed;
}

/** The kill suite's figures. */
function printKillSoak(s: KillSummary, ms: number): void {
  const k = s.killedIn;
  console.log(`${s.trials} kill trials (${s.kills} kills: ${k.malloc} in malloc, ${k['free-own']} in a local free, ` +
    `${k['free-remote']} in a remote free, ${k.collect} in collect, ${k['retire-dormant']} retiring a dormant thread's record, ` +
    `${k.rest} in a rest, ${k.detach} in detach; ${s.poolLockKills} holding the ` +
    `pool lock) in ${(ms / 1000).toFixed(1)} s`);
  console.log(`failed trials: ${s.failed}; heap checks not clean: ${s.uncleanChecks}; blocks lost: ${s.blocksLost} ` +
    `(blocks killed mallocs had taken, counted by reclaim as deadHeld: ${s.deadHeld}); torn updates repaired: ${s.repairs}`);
  for (const f of s.failures) console.log(`  FAILED: ${JSON.stringify(f)}`);
  console.log('a trial fails if reclaim refuses, a live block changes or is handed out twice, a fault is recorded ' +
    'other than one at the block the victim was freeing, the heap check is not clean, a thread record is not free at ' +
    'the end, or more than the one block a killed malloc took stays in use');
}

/** The kill suite; true if every trial passed. */
async function killSoakCommand(o: SoakOptions): Promise<boolean> {
  const module = await compileFile(wasmPath('crash'));
  console.log(`hakmem-wasm soak --suite kill: ${o.scenarios} scenarios from seed ${o.seed} over ` +
    `${KILL_CONFIGS.length} configurations (${KILL_CONFIGS.map((c) => c.name).join('; ')}), every ` +
    `${o.stride === 1 ? '' : `${o.stride}th `}crash point armed once`);
  const t0 = Date.now();
  let done = 0;
  const s = killTrials(module, o.scenarios, o.seed, o.stride, KILL_CONFIGS, () => {
    if (++done % 5000 === 0) process.stderr.write(`${done} trials, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  });
  printKillSoak(s, Date.now() - t0);
  return s.failed === 0;
}

/** The terminate suite's figures. */
function printTerminateSoak(s: TerminateSummary): void {
  const k = Object.entries(s.killedIn).filter(([, n]) => n > 0).map(([w, n]) => `${n} in ${w}`).join(', ');
  console.log(`${s.trials} terminate trials in ${(s.elapsedMs / 1000).toFixed(1)} s (killed: ${k}; ${s.killedWithLive} ` +
    `with live blocks, ${s.killedMidFree} mid-free, ${s.killedInMalloc} in malloc, ${s.heldPoolLock} holding the pool lock)`);
  console.log(`failed trials: ${s.failed}; heap checks not clean: ${s.uncleanChecks}; blocks lost: ${s.blocksLost} ` +
    `(deadHeld ${s.deadHeld}); freed blocks stranded: ${s.stranded}; repairs: ${s.repairs}; remote frees: ` +
    `${s.remoteFrees}, ${s.freesIntoDead} of them into the dead thread; blocks freed again: ${s.refrees} ` +
    `(${s.refreeFaults} refused as already free)`);
  for (const f of s.failures) console.log(`  FAILED: seed ${f.seed}: ${JSON.stringify(f)}`);
}

/** The terminate suite; true if every trial passed. */
async function terminateSoakCommand(o: SoakOptions): Promise<boolean> {
  const trials = o.trials ?? 500;
  console.log(`hakmem-wasm soak --suite terminate: ${trials} trials from seed ${o.seed}, release build`);
  let done = 0;
  const s = await terminateTrials(trials, o.seed, {}, () => {
    if (++done % 50 === 0) process.stderr.write(`${done} trials\n`);
  });
  printTerminateSoak(s);
  return s.failed === 0;
}
