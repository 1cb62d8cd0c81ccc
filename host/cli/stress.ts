// stress.ts: `hakmem-wasm stress`: a multi-worker stress run over one shared heap (blocks
// cross threads and are verified), then the stats table and the heap-check result.

import { Command, InvalidArgumentError } from 'commander';
import '../heap/node-loader.js'; // registers the file loader Heap.create uses
import { Heap } from '../heap/heap.js';
import { WorkerPool } from '../rpc/workers.js';
import { runStress } from './stress-driver.js';
import { formatStats, formatStressRun, formatCheckReport } from './report.js';
import type { BuildName } from '../core/module.js';
import type { HeapStats } from '../abi/decode.js';

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

interface StressOptions { workers: number; ops: number; build: BuildName; seed: number; reserve: number }

/** Register `stress` on the CLI. */
export function registerStressCommand(program: Command): void {
  program.command('stress')
    .description('multi-worker stress run with verified blocks, then stats and a heap check')
    .option('-w, --workers <n>', 'worker threads', positiveInt, 4)
    .option('-n, --ops <n>', 'operations per worker', positiveInt, 250_000)
    .option('-b, --build <build>', 'allocator build: release or debug', buildName, 'release' as BuildName)
    .option('-s, --seed <n>', 'random seed', positiveInt, 1)
    .option('-r, --reserve <MiB>', 'memory to grow up front, before the workers start', Number, 0)
    .action(async (opts: StressOptions) => { process.exitCode = (await runStressCommand(opts)) ? 0 : 1; });
}

/** Run the stress workload and print what the heap looked like; true if all was well. */
export async function runStressCommand(opts: StressOptions): Promise<boolean> {
  const heap = await Heap.create({ build: opts.build });
  if (opts.reserve > 0) heap.reserve(opts.reserve * 1024 * 1024);
  const pool = await WorkerPool.create(heap, opts.workers);
  try {
    console.log(`hakmem-wasm stress: ${opts.workers} workers x ${opts.ops} ops, ${opts.build} build\n`);
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
    return report.violations === 0 && run.totals.patternFailures === 0;
  } finally {
    await pool.close();
  }
}
