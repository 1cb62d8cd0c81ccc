// transport.ts: what the worker RPC (client.ts) needs from a worker, whatever runs it: post
// a request, and hear its messages, its errors and its end. Node's worker_threads
// (node-transport.ts) and the browser's Web Workers (web-transport.ts) are each a short
// adapter to this; a test can fake it in memory. Environment independent: types only.

import type { Request, WorkerInit, WorkerMessage } from './protocol.js';

/** What a transport reports about its worker. */
export interface TransportEvents {
  /** A message the worker posted. */
  message(m: WorkerMessage): void;
  /** The worker raised an error (an uncaught throw, a failed start). */
  error(e: unknown): void;
  /** The worker is gone (its exit code, null where the platform has none); called once. */
  exit(code: number | null): void;
}

/** One running worker, as the client sees it. */
export interface Transport {
  /** Post a request to the worker. */
  post(req: Request): void;
  /** Stop the worker; its 'exit' follows (possibly at once). */
  terminate(): void;
}

/**
 * Start a worker for `init` (delivered however the platform delivers a worker's start data)
 * and report to `events` from now on.
 */
export type TransportFactory = (init: WorkerInit, events: TransportEvents) => Transport;
