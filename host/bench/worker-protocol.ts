// worker-protocol.ts: the messages between the harness and its bench workers.

/** Run export `fn(args)`; with `gate` (a byte address), wait for the gate word first. */
export interface WorkerRequest {
  id: number;
  fn: string;
  args: number[];
  gate?: number;
}

/** "ready" (gated requests, before waiting), then the result or an error. t0/t1: absolute ms. */
export interface WorkerReply {
  id: number;
  ready?: boolean;
  result?: number;
  t0?: number;
  t1?: number;
  error?: string;
}
