#!/usr/bin/env node
// cli.ts: the `hakmem-wasm` command. With no arguments (npm start): the short default
// benchmark suite of hakmem-wasm alone. Subcommands: bench, compare (host/bench/), stress, and
// link / run (host/link/: hakmem-wasm as the malloc of a program compiled to wasm).

import { Command } from 'commander';
import { registerBenchCommands } from './bench/cli-bench.js';
import { runDefaultSuite } from './bench/suite.js';
import { registerStressCommand } from './cli-stress.js';
import { registerLinkCommands } from './cli-link.js';

const program = new Command('hakmem-wasm')
  .description('hakmem-wasm: a multi-threaded malloc for WebAssembly shared memory');
registerBenchCommands(program);
registerStressCommand(program);
registerLinkCommands(program);

if (process.argv.length <= 2) {
  const { ok } = await runDefaultSuite();
  if (!ok) process.exitCode = 1;
} else {
  await program.parseAsync(process.argv);
}
