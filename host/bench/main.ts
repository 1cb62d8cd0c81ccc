// main.ts: a stand-alone entry for the bench commands until the lead wires
// registerBenchCommands into host/cli.ts (`node dist/host/bench/main.js bench larson ...`).
// With no arguments it runs the default suite, as `npm start` will.

import { Command } from 'commander';
import { registerBenchCommands } from './cli-bench.js';
import { runDefaultSuite } from './suite.js';

const program = new Command('hakmem-wasm');
registerBenchCommands(program);
if (process.argv.length <= 2) {
  const { ok } = await runDefaultSuite();
  if (!ok) process.exitCode = 1;
} else {
  await program.parseAsync(process.argv);
}
