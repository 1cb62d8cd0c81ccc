#!/usr/bin/env node
// main.ts: the `hakmem-wasm` command. With no arguments (npm start): the short default
// benchmark suite of hakmem-wasm alone. Subcommands: bench, bench-ab, compare, bench-link (host/bench/),
// stress, soak (the adversarial suites), and link / run (host/link/: hakmem-wasm as the malloc
// of a program compiled to wasm).
//
// One error style for every bad usage: `hakmem-wasm: <what is wrong>` on stderr, exit status
// 2 (as the C workloads do), whether commander, an option parser or a host API's range check
// found it. Other failures are errors of the run: exit status 1.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerBenchCommands } from '../bench/cli-bench.js';
import { runDefaultSuite } from '../bench/suite.js';
import { UsageError } from '../workloads/params.js';
import { registerStressCommand } from './stress.js';
import { registerLinkCommands } from './link.js';
import { registerSoakCommand } from './soak.js';
import { packageRoot } from '../core/module.js';

const version = (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

const program = new Command('hakmem-wasm')
  .description('hakmem-wasm: a multi-threaded malloc for WebAssembly shared memory')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (s, write) => write(s.replace(/^error: /, 'hakmem-wasm: ')) })
  .exitOverride();
registerBenchCommands(program);
registerStressCommand(program);
registerLinkCommands(program);
registerSoakCommand(program);

if (process.argv.length <= 2) {
  const { ok } = await runDefaultSuite();
  if (!ok) process.exitCode = 1;
} else {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2; // help and --version exit 0; usage errors 2
    } else if (e instanceof UsageError || e instanceof RangeError) {
      process.stderr.write(`hakmem-wasm: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      throw e;
    }
  }
}
