// node-worker.ts: the worker_threads entry (run as dist/host/rpc/node-worker.js): the shared
// worker core, fed by parentPort, with Linux's per-thread scheduling clock for timed calls. A
// trap rethrown by the core escapes the listener, so the worker dies and the pool sees 'error'
// then 'exit'.

import { parentPort, workerData } from 'node:worker_threads';
import { WorkerCore } from './worker-core.js';
import { readThreadClock } from './node-thread-clock.js';
import type { Request, WorkerInit, WorkerMessage } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('node-worker.js must run as a worker_threads Worker');

const core = await WorkerCore.create(workerData as WorkerInit, readThreadClock);
const post = (m: WorkerMessage): void => port.postMessage(m);
port.on('message', (req: Request) => post(core.handle(req, post)));
post(core.ready());
