// program-worker.ts: the Node worker_threads entry of run.ts: one thread of a linked program.
// It instantiates the program (merged, or paired with an allocator instance), starts its
// stack and TLS, calls the entry export with (index, ...args), retires the thread, and posts
// the result. A trap is posted as an error; the memory stays readable by the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { instantiateMerged, instantiatePair, type ProgramThread } from './program.js';
import type { ThreadJob } from './run.js';

const job = workerData as ThreadJob;
let thread: ProgramThread | null = null;
try {
  thread = job.allocator
    ? instantiatePair(job.program, job.allocator, job.memory, job.heapBase)
    : instantiateMerged(job.program, job.memory);
  thread.start(job.stackBytes);
  const entry = thread.exports[job.entry];
  if (typeof entry !== 'function') throw new Error(`the program does not export ${job.entry}()`);
  const result = (entry as (...a: number[]) => number)(job.index, ...job.args);
  thread.exit();
  parentPort!.postMessage({ ok: true, result: typeof result === 'number' ? result >>> 0 : null });
} catch (e) {
  parentPort!.postMessage({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
}
