// web-worker.ts: the browser Web Worker entry, the same worker core as Node's
// (worker-core.ts; node-worker.ts is the Node entry). No Node API here. The first message
// is the WorkerInit (module + shared memory); requests follow. Requests that arrive before
// the core is ready are queued, not dropped. The page side is web-pool.ts (the shared RPC
// client over rpc/web-transport.ts), which spawns this file through a page-supplied
// WorkerFactory (the browser demo lets Vite bundle it).
//
// Waiting (Atomics.wait in the stress task, the bench module's bench_wait in its workloads)
// is legal in a Web Worker; the page's main thread must never wait, and nothing it calls
// here does.

import { WorkerCore } from './worker-core.js';
import type { Request, WorkerInit, WorkerMessage } from './protocol.js';

/** The parts of DedicatedWorkerGlobalScope used here (the DOM lib has no worker scope). */
interface WorkerScope {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
const post = (m: WorkerMessage): void => scope.postMessage(m);
let core: WorkerCore | null = null;
const early: Request[] = [];

scope.onmessage = (ev: MessageEvent) => {
  const msg = ev.data as WorkerInit | Request;
  if ('kind' in msg && msg.kind === 'init') {
    void WorkerCore.create(msg as WorkerInit).then((c) => {
      core = c;
      post(c.ready());
      for (const req of early.splice(0)) post(c.handle(req, post));
    }, (e: unknown) => {
      // Surface a failed start as the worker's 'error' event, as an uncaught throw would.
      setTimeout(() => { throw e; });
    });
    return;
  }
  const req = msg as Request;
  if (core) post(core.handle(req, post));
  else early.push(req);
};
