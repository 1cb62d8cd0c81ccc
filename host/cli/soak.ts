// soak.ts: `hakmem-wasm soak`: the long adversarial suites with their figures. Today: the
// double-free trials (host/soak/double-free.ts), thousands per kind and build, each kind in a
// watched worker; a table of caught / trials and every failure kind per row. Exit status 1 if
// any trial failed or hung.

import { Command, InvalidArgumentError, Option } from 'commander';
import { wasmPath } from '../core/module.js';
import { DOUBLE_FREE_KINDS, type DoubleFreeKind } from '../soak/double-free.js';
import { kindPassed, soakDoubleFrees, type KindSoak } from '../soak/soak.js';
import type { BuildName } from '../core/memory.js';

/** Parse a positive integer option. */
function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** One row of the table. */
function row(build: string, k: KindSoak): string {
  const cells = [build.padEnd(8), k.kind.padEnd(19), `${k.caught}/${k.trials}`.padStart(11),
    ...[k.otherFaults, k.handedOutTwice, k.damaged, k.uncleanChecks, k.crashed, k.hung.length].map((n) => String(n).padStart(7)),
    kindPassed(k) ? 'ok' : `FAILED (seeds ${k.failedSeeds.join(', ')})`];
  return cells.join('  ');
}

/** Register `soak` on the CLI. */
export function registerSoakCommand(program: Command): void {
  program.command('soak')
    .description('the double-free trials, thousands per kind and build, in watched workers: caught / trials and every failure')
    .option('--trials <n>', 'trials per kind and build', positiveInt, 2000)
    .addOption(new Option('--build <build>', 'allocator build').choices(['release', 'debug', 'both']).default('both'))
    .option('--kinds <list>', `comma-separated kinds (default all: ${DOUBLE_FREE_KINDS.join(', ')})`)
    .option('--seed <n>', 'first seed', positiveInt, 1)
    .option('--module <file>', 'an allocator module to soak instead of the build (e.g. an older build/release.wasm)')
    .action(async (o: { trials: number; build: string; kinds?: string; seed: number; module?: string }) => {
      const kinds = (o.kinds?.split(',').map((k) => k.trim()) ?? [...DOUBLE_FREE_KINDS]) as DoubleFreeKind[];
      const unknown = kinds.filter((k) => !DOUBLE_FREE_KINDS.includes(k));
      if (unknown.length) throw new InvalidArgumentError(`unknown kind(s) ${unknown.join(', ')}`);
      const builds: [string, string][] = o.module ? [[o.module, o.module]]
        : (o.build === 'both' ? ['release', 'debug'] : [o.build]).map((b) => [b, wasmPath(b as BuildName)]);
      console.log(['build'.padEnd(8), 'kind'.padEnd(19), 'caught'.padStart(11), ...['other', 'twice', 'damaged', 'check',
        'crashed', 'hung'].map((h) => h.padStart(7)), 'verdict'].join('  '));
      let failed = false;
      const t0 = Date.now();
      for (const [name, file] of builds) {
        try {
          const res = await soakDoubleFrees(file, o.trials, { seed: o.seed, kinds, onKind: (k) => console.log(row(name, k)) });
          if (!res.every(kindPassed)) failed = true;
        } catch (e) {
          process.stderr.write(`hakmem-wasm: ${(e as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
      }
      const total = builds.length * kinds.length * o.trials;
      console.log(`\n${total} double-free trials in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
        `${failed ? 'FAILURES above' : 'every double free caught, nothing handed out twice, every heap check clean'}`);
      console.log('columns: caught = reported as one double_free at its pointer; other = other faults; twice = a live ' +
        'block handed out again; damaged = a live block changed; check = heap check not clean at the end; ' +
        'crashed = the allocator trapped; hung = no return within 10 s');
      if (failed) process.exitCode = 1;
    });
}
