// bench-worker.ts: the worker_threads entry. It instantiates the bench module over the
// shared memory it is given (one instance = one allocator thread) and runs exports on
// request. A request may carry a start gate: the worker answers "ready", then blocks on the
// gate word until the main thread opens it, so every worker of a run starts together and
// the timed region excludes thread start-up and message latency.

import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { WorkerRequest, WorkerReply } from './worker-protocol.js';
import { instantiate } from './module.js';

const { module, memory } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory };
const instance = instantiate(module, memory);
const exportsOf = instance.exports as Record<string, unknown>;
const port = parentPort!;

/** Absolute time in ms, comparable across workers (each has its own timeOrigin). */
const now = (): number => performance.timeOrigin + performance.now();

port.on('message', (req: WorkerRequest) => {
  const fn = exportsOf[req.fn];
  if (typeof fn !== 'function') {
    port.postMessage({ id: req.id, error: `no export named ${req.fn}` } satisfies WorkerReply);
    return;
  }
  try {
    if (req.gate !== undefined) {
      port.postMessage({ id: req.id, ready: true } satisfies WorkerReply);
      // The buffer object changes after memory.grow: take a fresh view each time.
      const gate = new Int32Array(memory.buffer, req.gate, 1);
      while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0);
    }
    const t0 = now();
    const result = (fn as (...a: number[]) => number)(...req.args);
    const t1 = now();
    port.postMessage({ id: req.id, result: typeof result === 'number' ? result : 0, t0, t1 } satisfies WorkerReply);
  } catch (e) {
    const err = e as Error;
    port.postMessage({ id: req.id, error: `${req.fn}: ${err && err.stack ? err.stack : String(e)}` } satisfies WorkerReply);
  }
});
