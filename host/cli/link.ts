// link.ts: `hakmem-wasm link` (merge a program compiled to wasm with the allocator) and
// `hakmem-wasm run` (run a linked program on N threads, then check the heap).

import { Command, InvalidArgumentError } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { linkProgram, LinkError } from '../link/merge.js';
import { runProgram, type Call } from '../link/run.js';
import { wasmPath, type BuildName } from '../core/module.js';

/** Parse a non-negative integer (decimal or 0x hex). */
function uint(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new InvalidArgumentError('expected an integer in [0, 2^32)');
  return n;
}

/** Parse the build option. */
function buildName(v: string): BuildName {
  if (v !== 'release' && v !== 'debug') throw new InvalidArgumentError('expected release or debug');
  return v;
}

/** Parse "name arg arg ..." into a call. */
function callOf(v: string, prev: Call[] = []): Call[] {
  const [name, ...args] = v.trim().split(/\s+/);
  if (!name) throw new InvalidArgumentError('expected "export-name [args...]"');
  return [...prev, [name, ...args.map(uint)]];
}

/** Register `link` and `run` on the CLI. */
export function registerLinkCommands(program: Command): void {
  program.command('link')
    .description('merge a program compiled to wasm (importing malloc, free, ...) with the allocator into one module')
    .argument('<program>', 'the program (.wasm): imports its memory (shared) and the malloc family')
    .requiredOption('-o, --output <file>', 'the merged module to write')
    .option('--build <build>', 'allocator build: release, or debug (checked frees, full ring)', buildName, 'release')
    .option('--heap-base <bytes>', 'where the heap starts (default: the program\'s __heap_base, rounded up to 64 KiB)', uint)
    .option('--no-optimize', 'skip Binaryen\'s optimiser on the merged module')
    .option('--no-inline', 'keep malloc and free out of line (smaller code; a call per malloc and free)')
    .action(async (file: string, o: { output: string; build: BuildName; heapBase?: number; optimize: boolean; inline: boolean }) => {
      try {
        const { bytes, report } = await linkProgram(readFileSync(file), readFileSync(wasmPath(o.build)),
          { heapBase: o.heapBase, optimize: o.optimize, inline: o.inline });
        writeFileSync(o.output, bytes);
        console.log(`${o.output}: ${bytes.length} bytes, heap base 0x${report.heapBase.toString(16)}, ` +
          `memory >= ${report.minPages} pages`);
        console.log(`  linked: ${report.linked.join(', ')}`);
        if (report.inlinedCallSites > 0) console.log(`  inlined: malloc and free into ${report.inlinedCallSites} call sites`);
        console.log(report.threads === 'emscripten'
          ? '  threads: Emscripten pthreads (their stacks, TLS and structs now come from hakmem-wasm)'
          : `  threads: ${report.threadStack ? 'own stack' : 'NO own stack'}, ${report.threadTls ? 'own TLS' : 'no TLS'} ` +
            '(hakmem_thread_start / hakmem_thread_exit)');
        for (const n of report.notes) console.log(`  note: ${n}`);
      } catch (e) {
        if (!(e instanceof LinkError)) throw e;
        console.error(`hakmem-wasm: link: ${e.message}`);
        process.exitCode = 2;
      }
    });

  program.command('run')
    .description('run a linked program: setup calls, then ENTRY(index, ...args) on N threads, then finish calls and the heap checker')
    .argument('<program>', 'a module from `hakmem-wasm link`, or a plain program with --pair')
    .option('--threads <n>', 'worker threads', uint, 2)
    .option('--entry <name>', 'export each thread calls with (index, ...args)', 'worker')
    .option('--args <n...>', 'further arguments of the entry call')
    .option('--setup <call>', 'call on the main instance first, e.g. "setup 4 7" (repeatable)', callOf)
    .option('--finish <call>', 'call on the main instance after the threads (repeatable)', callOf)
    .option('--pair', 'link at run time: the program and an allocator instance side by side')
    .option('--build <build>', 'allocator build for --pair', buildName, 'release')
    .option('--stack <bytes>', 'stack of each worker thread', uint, 256 * 1024)
    .action(async (file: string, o: { threads: number; entry: string; args?: string[]; setup?: Call[];
                                      finish?: Call[]; pair?: boolean; build: BuildName; stack: number }) => {
      const r = await runProgram({
        program: readFileSync(file), allocator: o.pair ? readFileSync(wasmPath(o.build)) : undefined,
        threads: o.threads, entry: o.entry, args: (o.args ?? []).map(uint), setup: o.setup, finish: o.finish,
        stackBytes: o.stack,
      });
      const fmt = (v: Array<number | null>): string => v.map((x) => (x === null ? '-' : String(x))).join(' ');
      if (r.setup.length) console.log(`setup:   ${fmt(r.setup)}`);
      console.log(`threads: ${fmt(r.workers)}`);
      if (r.finish.length) console.log(`finish:  ${fmt(r.finish)}`);
      console.log(`heap check: ${r.violations === 0 ? 'clean' : `${r.violations} violation(s)`}`);
      if (r.violations !== 0) process.exitCode = 1;
    });
}
