#!/usr/bin/env node
// cli.ts: the `hakmem-wasm` command. With no arguments (npm start): the short default
// benchmark suite of hakmem-wasm alone. Subcommands: bench, compare (host/bench/) and stress.

import { Command } from 'commander';
import { registerBenchCommands } from './bench/cli-bench.js';
import { runDefaultSuite } from './bench/suite.js';
import { registerStressCommand } from './cli-stress.js';

const program = new Command('hakmem-wasm')
  .description('hakmem-wasm: a multi-threaded malloc for WebAssembly shared memory');
registerBenchCommands(program);
registerStressCommand(program);

if (process.argv.length <= 2) {
  const { ok } = await runDefaultSuite();
  if (!ok) process.exitCode = 1;
} else {
  await program.parseAsync(process.argv);
}
