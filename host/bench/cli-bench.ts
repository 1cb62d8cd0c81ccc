// cli-bench.ts: the `bench` and `compare` commands of the hakmem-wasm CLI (commander).

import { Command, Option } from 'commander';
import { BenchOptions, DEFAULT_OPTIONS, benchRuns, recordOk } from './runner.js';
import { UsageError, WORKLOADS, parseCount, parseParams, threadsOf, RawOptions, defaultsText } from '../workloads/params.js';
import { descriptorOf } from '../workloads/index.js';

/** An option's help with the workloads' defaults for it (params.ts DEFAULTS). */
const withDefaults = (help: string, key: string): string => [help, defaultsText(key)].filter(Boolean).join('; ');
import { loadModule, optimizeWasmOnly, threadLimitOf } from './module.js';
import { benchTable } from './bench-table.js';
import { ALLOCATORS, BASE_ALLOC, CompareCase, runCompare, targetCases } from './compare.js';
import { compareTable, targetLines, writeCompareFiles } from './compare-report.js';
import { BenchBuild, RESULTS_DIR } from './paths.js';
import { measureLinkMicro } from './link-micro.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { abReport, runAb } from './ab.js';
import { CoresGate, coresGateOption } from './cores-gate.js';
import { Peer, loadPeers } from './peers.js';

/** Fail with a usage message (exit status 2, as the C workloads do). */
function usage(e: unknown): never {
  process.stderr.write(`hakmem-wasm: ${(e as Error).message}\n`);
  process.exit(2);
}

/** A count that must be at least 1 (0 would silently run nothing, or once). */
function atLeastOne(v: string | boolean, what: string): number {
  const n = parseCount(v, what);
  if (n < 1) throw new UsageError(`${what} must be at least 1, got ${n}`);
  return n;
}

/** Add every workload's options (bench and bench-ab take the same). */
function workloadOptions(cmd: Command): Command {
  return cmd
    .option('--threads <n>', withDefaults('threads (larson: lineages; random_mixed: independent copies; midlarge: rows)', 'threads'))
    .option('--ops <n>', withDefaults('larson: total op budget; random_mixed: iterations per rep; micro: pairs', 'ops'))
    .option('--duration <sec>', 'larson: run for SEC seconds instead of --ops')
    .option('--min <bytes>', withDefaults('smallest block (larson, xfree)', 'min'))
    .option('--max <bytes>', withDefaults('largest block (larson, xfree)', 'max'))
    .option('--chunks <n>', withDefaults('larson: slots per lineage', 'chunks'))
    .option('--rounds <n>', withDefaults('larson: G = rounds * chunks; midlarge: rounds', 'rounds'))
    .option('--gen-steps <n>', 'larson: steps per generation (default rounds * chunks)')
    .option('--seed <n>', withDefaults('RNG seed', 'seed'))
    .option('--verify', 'check every block before it is freed')
    .option('--slots <n>', withDefaults('random_mixed: W; midlarge: N per row', 'slots'))
    .option('--mode <mode>', withDefaults('random_mixed: toggle | replace', 'mode'))
    .option('--reps <n>', withDefaults('random_mixed: repetitions', 'reps'))
    .option('--blocks <n>', withDefaults('xfree: blocks in total', 'blocks'))
    .option('--producers <n>', withDefaults('xfree: producers', 'producers'))
    .option('--consumers <n>', withDefaults('xfree: consumers', 'consumers'))
    .option('--qcap <n>', withDefaults('xfree: ring capacity (power of two)', 'qcap'))
    .option('--batch <n>', withDefaults('xfree: publication batch K; micro: blocks held at once', 'batch'))
    .option('--size <bytes>', withDefaults('micro: block size', 'size'));
}

/** Register `bench <workload>`, `bench-ab`, `compare` and `bench-link` on `program`. */
export function registerBenchCommands(program: Command): void {
  workloadOptions(program
    .command('bench')
    .description(`run a benchmark workload on hakmem-wasm (${WORKLOADS.join(', ')}); larson also takes ` +
      "hakmem's vector: larson SEC MIN MAX CHUNKS ROUNDS SEED THREADS")
    .argument('<workload>', WORKLOADS.join(' | '))
    .argument('[vector...]', "larson only: seconds min max chunks rounds seed threads"))
    .option('--repeat <n>', 'timed runs', '1')
    .option('--warmup <n>', 'warm-up runs before timing (0: none)', '2')
    .addOption(new Option('--build <build>', 'module build').choices(['release', 'debug', 'asrt', 'floor']).default('release'))
    .option('--json', 'print one JSON record per run (stdout), no table')
    .option('--check', 'run the heap checker after each run')
    .option('--ring <n>', 'print the last N debug-ring events after each run (turns the ring on)', '0')
    .option('--worker-per-generation', 'larson: every generation in a brand-new Worker')
    .option('--no-progress', 'no progress bar')
    .action(async (workload: string, vector: string[], opts: Record<string, string | boolean>) => {
      optimizeWasmOnly();
      let params, o: BenchOptions;
      try {
        params = parseParams(workload, opts as RawOptions, vector);
        o = {
          ...DEFAULT_OPTIONS, build: opts.build as BenchBuild, repeat: atLeastOne(opts.repeat, '--repeat'),
          warmup: parseCount(opts.warmup, '--warmup'), check: opts.check === true,
          ring: parseCount(opts.ring, '--ring'), progress: opts.progress !== false,
        };
        if (o.build === 'asrt' && descriptorOf(params).needsThreads(params)) {
          throw new UsageError(`--build asrt is single-threaded: it cannot run ${params.workload} with these ` +
            'parameters (larson needs --threads 1 and --ops, random_mixed --threads 1; xfree and midlarge need threads)');
        }
        if (o.build !== 'asrt') {
          // Every worker of the workload attaches, and so does the main instance.
          const limit = threadLimitOf(await loadModule(o.build)) - 1;
          if (threadsOf(params) > limit) {
            throw new UsageError(`${params.workload} with ${threadsOf(params)} threads: the heap attaches at most ` +
              `${limit} workers besides the main thread (L_MAX_THREADS ${limit + 2} records, one reserved)`);
          }
        }
      } catch (e) {
        if (e instanceof UsageError) usage(e);
        throw e;
      }
      const records = await benchRuns(params, o, (r) => {
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      });
      if (!opts.json) console.log(benchTable(records));
      if (!records.every(recordOk)) process.exitCode = 1;
    });

  workloadOptions(program
    .command('bench-ab')
    .description('one workload on two builds of the bench module, interleaved: --base OLD.wasm against ' +
      '--head (default build/bench-release.wasm); prints the ratio of the medians')
    .argument('<workload>', WORKLOADS.join(' | '))
    .argument('[vector...]', "larson only: seconds min max chunks rounds seed threads"))
    .requiredOption('--base <file>', 'the baseline bench module (e.g. a build/bench-release.wasm of an older commit)')
    .option('--head <file>', 'the bench module under test (default: this checkout\'s build/bench-release.wasm)')
    .option('--repeat <n>', 'timed runs of each (interleaved)', '5')
    .option('--warmup <n>', 'warm-up runs of each before timing', '2')
    .option('--cores-gate <x>', 'multi-thread workloads: before each run, wait until a short probe of the cores ' +
      'gives both its loops at least X times one thread\'s rate for two threads (as compare --cores-gate)')
    .option('--cores-wait <s>', 'with --cores-gate: the longest a run waits before it goes ahead anyway', '60')
    .action(async (workload: string, vector: string[], opts: Record<string, string | boolean>) => {
      optimizeWasmOnly();
      let params, repeat: number, warmup: number, gate: CoresGate | null = null;
      try {
        params = parseParams(workload, opts as RawOptions, vector);
        repeat = atLeastOne(opts.repeat, '--repeat');
        warmup = parseCount(opts.warmup, '--warmup');
        if (typeof opts.coresGate === 'string') gate = coresGateOption(opts.coresGate, String(opts.coresWait));
        for (const f of [opts.base, opts.head]) {
          if (typeof f === 'string' && !existsSync(f)) throw new UsageError(`no such module file: ${f}`);
        }
      } catch (e) {
        if (e instanceof UsageError) usage(e);
        throw e;
      }
      const head = typeof opts.head === 'string' ? opts.head : undefined;
      let probe: Peer | undefined;
      if (gate) {
        probe = (await loadPeers()).peers.find((x) => x.platform === 'native');
        if (!probe) usage(new Error('--cores-gate needs the native build of bench/c to probe with (apt-get install gcc)'));
      }
      const res = await runAb(params, { base: String(opts.base), head, repeat, warmup,
                                        gate: gate && probe ? { gate, probe } : null,
                                        log: (s) => process.stderr.write(`${s}\n`) });
      console.log(abReport(res, String(opts.base), head ?? 'build/bench-release.wasm'));
      if (!res.ok) process.exitCode = 1;
    });

  program
    .command('compare')
    .description('allocators x workloads, interleaved, with medians, spreads and ratios; writes bench/results/')
    .option('--repeat <n>', 'runs per cell (interleaved)', '5')
    .option('--allocs <list>', `comma-separated allocators (${ALLOCATORS.join(', ')}; default: all that can run here)`)
    .option('--cases <list>', 'comma-separated case ids (default: all)')
    .option('--baseline <alloc>', 'ratios are to this allocator (default mimalloc, if present)')
    .option('--scale <x>', 'multiply every op count (e.g. 0.1 for a quick look)', '1')
    .option('--warmup <n>', 'warm-up runs of hakmem-wasm before each timed run', '2')
    .option('--base <dir>', `adds ${BASE_ALLOC}: hakmem-wasm of the checkout at DIR (e.g. a git worktree of ` +
      'an older commit, built), run by its own CLI, interleaved with the rest: a before/after table')
    .option('--cores-gate <x>', 'before each multi-thread run, wait until a short probe of the cores gives both ' +
      'its loops at least X times one thread\'s rate for two threads (e.g. 1.8; default: no gate)')
    .option('--cores-wait <s>', 'with --cores-gate: the longest a run waits before it goes ahead anyway', '60')
    .option('--out <dir>', 'output folder', RESULTS_DIR)
    .option('--no-write', 'print only, write no files')
    .action(async (opts: Record<string, string | boolean>) => {
      optimizeWasmOnly();
      let cases: CompareCase[];
      try {
        const scale = Number(opts.scale);
        if (!(scale > 0)) throw new UsageError(`--scale: bad factor '${String(opts.scale)}'`);
        cases = targetCases(scale);
        if (typeof opts.cases === 'string') {
          const want = opts.cases.split(',');
          const unknown = want.filter((w) => !cases!.some((c) => c.id === w));
          if (unknown.length) throw new UsageError(`unknown case(s) ${unknown.join(', ')} (have ${cases.map((c) => c.id).join(', ')})`);
          cases = cases.filter((c) => want.includes(c.id));
        }
      } catch (e) {
        if (e instanceof UsageError) usage(e);
        throw e;
      }
      let repeat: number, allocs: string[] | undefined, gate: CoresGate | null = null;
      const baseDir = typeof opts.base === 'string' ? opts.base : undefined;
      try {
        repeat = atLeastOne(opts.repeat, '--repeat');
        if (typeof opts.coresGate === 'string') gate = coresGateOption(opts.coresGate, String(opts.coresWait));
        allocs = typeof opts.allocs === 'string' ? opts.allocs.split(',').map((a) => a.trim()) : undefined;
        const known = baseDir !== undefined ? [...ALLOCATORS, BASE_ALLOC] : ALLOCATORS;
        const unknown = (allocs ?? []).filter((a) => !known.includes(a));
        if (unknown.length) throw new UsageError(`unknown allocator(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
        if (baseDir !== undefined && !existsSync(path.join(baseDir, 'dist', 'host', 'cli', 'main.js'))) {
          throw new UsageError(`${baseDir} is not a built hakmem-wasm checkout (no dist/host/cli/main.js)`);
        }
      } catch (e) {
        if (e instanceof UsageError) usage(e);
        throw e;
      }
      const command = `hakmem-wasm compare ${process.argv.slice(3).join(' ')}`.trim();
      const res = await runCompare({
        cases, repeat, allocs, baseDir, gate,
        baseline: typeof opts.baseline === 'string' ? opts.baseline : undefined,
        warmup: parseCount(opts.warmup, '--warmup'),
        log: (s) => process.stderr.write(`${s}\n`),
      }, command);
      if (res.allocs.length === 0) usage(new Error(`none of ${allocs?.join(', ')} can run here: ${res.skipped.join('; ')}`));
      console.log(`\n${compareTable(res)}\n\nMops/s median (ratio to ${res.baseline})\n${targetLines(res).join('\n')}`);
      if (res.checksumErrors.length) console.log(`\nCHECKSUM MISMATCHES:\n${res.checksumErrors.join('\n')}`);
      if (opts.write !== false) {
        for (const f of writeCompareFiles(res, String(opts.out))) console.log(`wrote ${f}`);
      }
      if (res.checksumErrors.length || res.rows.some((r) => r.failures > 0)) process.exitCode = 1;
    });

  program
    .command('bench-link')
    .description('ns per malloc(64)+free pair: in the bench module, from C merged with the allocator, from C calling a second instance')
    .argument('<c-micro.wasm>', 'examples/c/micro.c built by `node scripts/examples.mjs` (build/examples/c-micro.wasm)')
    .option('--pairs <n>', 'pairs per timed run', '20000000')
    .option('--size <bytes>', 'block size', '64')
    .option('--repeat <n>', 'timed runs per contender (interleaved)', '7')
    .action(async (file: string, opts: Record<string, string>) => {
      let pairs: number, size: number, repeat: number;
      try {
        pairs = parseCount(opts.pairs, '--pairs');
        size = parseCount(opts.size, '--size');
        repeat = atLeastOne(opts.repeat, '--repeat');
      } catch (e) {
        if (e instanceof UsageError) usage(e);
        throw e;
      }
      const res = await measureLinkMicro(readFileSync(file), { pairs, size, repeat });
      for (const r of res) {
        console.log(`${r.name.padEnd(34)} ${r.nsPerPair.toFixed(2).padStart(7)} ns/pair  ${r.ratio.toFixed(2)}x  ` +
          `(runs ${r.runs.map((x) => x.toFixed(2)).join(' ')})`);
      }
    });
}
