// node-transport.ts: the worker RPC's transport over a Node worker_threads Worker running
// node-worker.ts. The WorkerInit goes in as workerData; 'message', 'error' and 'exit' map
// one to one onto the transport's events.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TransportFactory } from './transport.js';

/**
 * The compiled worker entry, dist/host/rpc/node-worker.js: next to this file's folder when it
 * runs compiled, else (run as TypeScript source, e.g. under vitest; Node cannot start a
 * worker from a .ts file) the project's dist/ build.
 */
export function nodeWorkerEntry(): URL {
  const sibling = new URL('./node-worker.js', import.meta.url);
  return existsSync(fileURLToPath(sibling)) ? sibling : new URL('../../dist/host/rpc/node-worker.js', import.meta.url);
}

/** A TransportFactory starting worker_threads Workers on `entry` (default nodeWorkerEntry()). */
export function nodeTransport(entry: URL | string = nodeWorkerEntry()): TransportFactory {
  return (init, events) => {
    const worker = new Worker(entry, { workerData: init });
    worker.on('message', (m) => events.message(m));
    worker.on('error', (e) => events.error(e));
    worker.on('exit', (code) => events.exit(code));
    return {
      post: (req) => worker.postMessage(req),
      terminate: () => { void worker.terminate(); },
    };
  };
}
