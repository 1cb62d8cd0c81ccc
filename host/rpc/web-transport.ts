// web-transport.ts: the worker RPC's transport over a browser Web Worker running
// web-worker.ts. No Node API here or in anything it imports. The WorkerInit is the first
// message. A Web Worker has no exit event, and an uncaught error does not end it: an 'error'
// event (a trap rethrown by the core, a failed start) is taken as its death, so the worker
// is terminated and 'exit' (code null) reported; terminate() reports 'exit' at once.

import type { TransportFactory } from './transport.js';

/** Makes the Web Worker for pool index `index` (running web-worker.ts). */
export type WorkerFactory = (index: number) => Worker;

/** A TransportFactory starting Web Workers with `createWorker`. */
export function webTransport(createWorker: WorkerFactory): TransportFactory {
  return (init, events) => {
    const worker = createWorker(init.index);
    let exited = false;
    /** Stop the worker and report its end, once. */
    const exit = (): void => {
      if (exited) return;
      exited = true;
      worker.terminate();
      events.exit(null);
    };
    worker.onmessage = (ev: MessageEvent) => events.message(ev.data);
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      events.error(new Error(`worker ${init.index}: ${ev.message || 'failed'}`));
      exit();
    };
    worker.postMessage(init);
    return {
      post: (req) => { if (!exited) worker.postMessage(req); },
      terminate: exit,
    };
  };
}
