// allocator-worker.ts: the demo's Web Worker entry. It speaks host/protocol.ts exactly as
// host/web-worker.ts does (init message, then requests; 'ready', responses, 'fatal'), but
// instantiates through instantiate.ts, which supplies the bench module's `bench_wait` and
// `bench_notify` imports (host/worker-core.ts passes only the memory). It serves the
// operations the page uses: call, collect, attach, detach, mallocBatch, freeBatch.
//
// A wasm trap is fatal, as in host/worker-core.ts: the worker reports which request trapped
// and rethrows, so it dies and the page reclaims its thread identity.

import { toWireError, type Request, type WorkerInit, type WorkerMessage } from '../../host/protocol.js';
import type { AllocatorInstance } from '../../host/instance.js';
import { instantiateThread } from './instantiate.js';

/** The parts of DedicatedWorkerGlobalScope used here. */
interface WorkerScope {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
const post = (m: WorkerMessage): void => scope.postMessage(m);
let inst: AllocatorInstance | null = null;
const early: Request[] = [];

/** Execute one request. */
function run(req: Request): unknown {
  const exp = inst!.exports;
  switch (req.op) {
    case 'call': {
      const fn = exp[req.name];
      if (typeof fn !== 'function') throw new Error(`no export named ${req.name}`);
      const v = (fn as (...a: number[]) => unknown)(...req.args);
      return typeof v === 'number' ? v : null;
    }
    case 'mallocBatch': return req.sizes.map((s) => exp.malloc(s) >>> 0);
    case 'freeBatch':
      for (const p of req.ptrs) exp.free(p);
      return req.ptrs.length;
    case 'attach': return exp.attach() >>> 0;
    case 'detach': return exp.detach() >>> 0;
    case 'collect':
      exp.collect();
      return null;
    default:
      throw new Error(`the demo worker does not serve '${req.op}'`);
  }
}

/** Serve one request; a trap posts 'fatal' and kills the worker. */
function handle(req: Request): void {
  try {
    post({ kind: 'response', id: req.id, ok: true, result: run(req) });
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      post({ kind: 'fatal', id: req.id, error: toWireError(e) });
      throw e;
    }
    post({ kind: 'response', id: req.id, ok: false, error: toWireError(e) });
  }
}

scope.onmessage = (ev: MessageEvent) => {
  const msg = ev.data as WorkerInit | Request;
  if ('kind' in msg && msg.kind === 'init') {
    void instantiateThread(msg.module, msg.memory, true).then((i) => {
      inst = i;
      const tid = i.exports.attach() >>> 0;
      if (tid === 0) throw new Error(`worker ${msg.index}: no free allocator thread slot`);
      post({ kind: 'ready', index: msg.index, tid });
      for (const req of early.splice(0)) handle(req);
    }).catch((e: unknown) => { setTimeout(() => { throw e; }); });
    return;
  }
  if (inst) handle(msg as Request);
  else early.push(msg as Request);
};
