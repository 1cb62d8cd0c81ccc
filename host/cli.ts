#!/usr/bin/env node
// cli.ts: `hakmem-wasm` (npm start): a short multi-worker stress run over one shared heap,
// then the stats table and the heap-check result. Exit code 1 if anything went wrong.

import { Command, InvalidArgumentError } from 'commander';
import { Heap } from './heap.js';
import { WorkerPool } from './workers.js';
import { runStress } from './stress.js';
import { formatStats, formatStressRun, formatCheckReport } from './report.js';
import type { BuildName } from './module.js';
import type { HeapStats } from './decode.js';

/** Parse a positive integer option. */
function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Parse the build option. */
function buildName(v: string): BuildName {
  if (v !== 'release' && v !== 'debug') throw new InvalidArgumentError('expected release or debug');
  return v;
}

const program = new Command()
  .name('hakmem-wasm')
  .description('Multi-threaded stress run of the hakmem-wasm allocator over shared memory')
  .option('-w, --workers <n>', 'worker threads', positiveInt, 4)
  .option('-n, --ops <n>', 'operations per worker', positiveInt, 250_000)
  .option('-b, --build <build>', 'allocator build: release or debug', buildName, 'release' as BuildName)
  .option('-s, --seed <n>', 'random seed', positiveInt, 1)
  .option('-r, --reserve <MiB>', 'memory to grow up front, before the workers start (0: none)', Number, 0)
  .parse();

const opts = program.opts<{ workers: number; ops: number; build: BuildName; seed: number; reserve: number }>();
const heap = await Heap.create({ build: opts.build });
// TODO(allocator): reserving up front avoids workers growing the memory while others run,
// which can currently trap (see test/concurrency/grow-visibility.test.ts).
if (opts.reserve > 0) heap.reserve(opts.reserve * 1024 * 1024);
const pool = await WorkerPool.create(heap, opts.workers);
let failed = false;
try {
  console.log(`hakmem-wasm: ${opts.workers} workers x ${opts.ops} ops, ${opts.build} build\n`);
  // Live snapshots while the workers run (racy but consistent enough to show the per-class
  // picture); the busiest one is printed, since at the end every block is freed.
  let busiest: HeapStats | null = null;
  const sampler = setInterval(() => {
    const s = heap.stats();
    if (!busiest || s.smallSlabs > busiest.smallSlabs) busiest = s;
  }, 25);
  const run = await runStress(pool, { ops: opts.ops, seed: opts.seed });
  clearInterval(sampler);
  console.log(formatStressRun(run));
  if (busiest) {
    console.log('\nduring the run (busiest snapshot):\n');
    console.log(formatStats(busiest));
  }
  console.log('\nafter the run:\n');
  console.log(formatStats(heap.stats()));
  console.log('');
  const report = heap.check();
  console.log(formatCheckReport(report));
  failed = report.violations > 0 || run.totals.patternFailures > 0;
} finally {
  await pool.close();
}
process.exitCode = failed ? 1 : 0;
