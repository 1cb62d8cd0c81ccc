// The shared worker RPC (host/rpc): the client over a fake in-memory transport (ids matched,
// errors carried, death and fatal traps turned into WorkerDiedError, gates), the pool's
// on-demand workers and replacement, and the client and the real WorkerCore over an
// in-process loopback transport (timedCall's stamps, a real trap reported as fatal).

import { describe, it, expect } from 'vitest';
import { RpcWorker } from '../../dist/host/rpc/client.js';
import { RpcPool } from '../../dist/host/rpc/pool.js';
import type { Transport, TransportEvents, TransportFactory } from '../../dist/host/rpc/transport.js';
import { Heap, WorkerCore, WorkerDiedError, type Request, type WorkerInit,
         type WorkerMessage } from '../../dist/host/index.js';

/** One fake worker: what it was started with, what it was sent, and its events to drive. */
interface FakeWorker {
  init: WorkerInit;
  events: TransportEvents;
  posted: Request[];
  terminated: boolean;
}

/** A TransportFactory whose workers are FakeWorkers, in `started` (terminate exits with code 1). */
function fakeTransport(): { open: TransportFactory; started: FakeWorker[] } {
  const started: FakeWorker[] = [];
  const open: TransportFactory = (init, events): Transport => {
    const w: FakeWorker = { init, events, posted: [], terminated: false };
    started.push(w);
    return {
      post: (req) => { w.posted.push(req); },
      terminate: () => { w.terminated = true; events.exit(1); },
    };
  };
  return { open, started };
}

/** A minimal init (the fake never instantiates anything). */
function init(index = 0): WorkerInit {
  return { kind: 'init', module: undefined as unknown as WebAssembly.Module,
           memory: undefined as unknown as WebAssembly.Memory, index };
}

/** A started client, ready as thread `tid`, and its fake worker. */
async function readyWorker(tid = 7, index = 0): Promise<{ w: RpcWorker; fake: FakeWorker }> {
  const t = fakeTransport();
  const pending = RpcWorker.spawn(t.open, init(index));
  const fake = t.started[0]!;
  fake.events.message({ kind: 'ready', index, tid });
  return { w: await pending, fake };
}

/** Settle a promise into what it resolved with or rejected with. */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

describe('the RPC client over a fake transport', () => {
  it('matches responses to requests by id, in any order', async () => {
    const { w, fake } = await readyWorker();
    expect(w.tid).toBe(7);
    const a = w.call('malloc', 16);
    const b = w.request('mallocBatch', { sizes: [8, 24] });
    const c = w.request('collect', {});
    expect(fake.posted.map((r) => r.op)).toEqual(['call', 'mallocBatch', 'collect']);
    expect(fake.posted[0]).toMatchObject({ op: 'call', name: 'malloc', args: [16] });
    const ids = fake.posted.map((r) => r.id);
    expect(new Set(ids).size).toBe(3);
    fake.events.message({ kind: 'response', id: ids[2]!, ok: true, result: null });
    fake.events.message({ kind: 'response', id: ids[0]!, ok: true, result: 1234 });
    fake.events.message({ kind: 'response', id: ids[1]!, ok: true, result: [100, 200] });
    expect(await a).toBe(1234);
    expect(await b).toEqual([100, 200]);
    expect(await c).toBe(null);
    fake.events.message({ kind: 'response', id: 999, ok: true, result: 1 }); // unknown id: ignored
  });

  it('carries an error response with its name and message, and the worker lives on', async () => {
    const { w, fake } = await readyWorker();
    const r = settle(w.call('nope'));
    fake.events.message({ kind: 'response', id: fake.posted[0]!.id, ok: false,
                          error: { name: 'RangeError', message: 'no export named nope' } });
    const s = await r;
    expect(s.ok).toBe(false);
    const e = (s as { error: Error }).error;
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('RangeError');
    expect(e.message).toBe('no export named nope');
    expect(w.alive).toBe(true);
    const next = w.call('thread_id');
    fake.events.message({ kind: 'response', id: fake.posted[1]!.id, ok: true, result: 7 });
    expect(await next).toBe(7);
  });

  it('a dying worker rejects every pending request, and every later one, with one WorkerDiedError', async () => {
    const t = fakeTransport();
    const seen: number[] = [];
    const pending = RpcWorker.spawn(t.open, init(3), (tid) => {
      seen.push(tid);
      return { faults: [], events: [] };
    });
    const fake = t.started[0]!;
    fake.events.message({ kind: 'ready', index: 3, tid: 42 });
    const w = await pending;
    const reqs = [w.call('a'), w.request('collect', {}), w.request('freeBatch', { ptrs: [1] })].map(settle);
    fake.events.error(new Error('boom'));
    fake.events.exit(5);
    const results = await Promise.all(reqs);
    const errors = results.map((r) => (r as { error: unknown }).error);
    for (const e of errors) expect(e).toBeInstanceOf(WorkerDiedError);
    expect(new Set(errors).size).toBe(1);
    const death = errors[0] as WorkerDiedError;
    expect(death).toMatchObject({ index: 3, tid: 42, exitCode: 5, request: undefined });
    expect((death.cause as Error).message).toBe('boom');
    expect(death.message).toContain('worker 3 (thread 42) died with exit code 5: boom');
    expect(seen).toEqual([42]);
    expect(w.alive).toBe(false);
    expect(w.deathError).toBe(death);
    expect(await w.died).toBe(death);
    await expect(w.call('b')).rejects.toBe(death);
    expect(fake.posted.length).toBe(3); // nothing sent to a dead worker
  });

  it('a fatal trap is reported with the request that trapped', async () => {
    const { w, fake } = await readyWorker(9, 1);
    const ok = settle(w.request('mallocBatch', { sizes: [8] }));
    const trapping = settle(w.call('free', 8));
    fake.events.message({ kind: 'fatal', id: fake.posted[1]!.id,
                          error: { name: 'RuntimeError', message: 'unreachable' } });
    fake.events.error(new Error('uncaught RuntimeError')); // the rethrow, after the report
    fake.events.exit(1);
    for (const s of [await ok, await trapping]) {
      const e = (s as { error: WorkerDiedError }).error;
      expect(e).toBeInstanceOf(WorkerDiedError);
      expect(e.request).toBe('call free');
      expect((e.cause as Error).name).toBe('RuntimeError');
      expect(e.message).toContain('worker 1 (thread 9) died with exit code 1 while serving call free: unreachable');
    }
  });

  it('a worker that dies before it is ready fails its start and its early requests', async () => {
    const t = fakeTransport();
    const w = RpcWorker.open(t.open, init());
    const early = settle(w.call('x'));
    expect(t.started[0]!.posted.length).toBe(1); // sent at once: the worker serves it once ready
    t.started[0]!.events.exit(1);
    await expect(w.ready).rejects.toBeInstanceOf(WorkerDiedError);
    expect((await early).ok).toBe(false);
  });

  it('terminate() ends the worker and names the host as the cause', async () => {
    const { w, fake } = await readyWorker();
    const r = settle(w.call('spin'));
    const death = await w.terminate();
    expect(fake.terminated).toBe(true);
    expect(death.message).toContain('terminated by the host');
    expect((await r as { error: unknown }).error).toBe(death);
    expect(await w.terminate()).toBe(death); // once only
  });

  it("a gated request's onGated fires when the worker reports its gate", async () => {
    const { w, fake } = await readyWorker();
    let gated = 0;
    const r = w.request('timedCall', { name: 'f', args: [], gate: 64 }, { onGated: () => { gated++; } });
    const id = fake.posted[0]!.id;
    expect(fake.posted[0]).toMatchObject({ op: 'timedCall', name: 'f', gate: 64 });
    fake.events.message({ kind: 'gated', id });
    expect(gated).toBe(1);
    fake.events.message({ kind: 'response', id, ok: true, result: { result: 3, t0: 1, t1: 2 } });
    expect(await r).toEqual({ result: 3, t0: 1, t1: 2 });
  });
});

describe('the RPC pool over a fake transport', () => {
  it('starts workers on demand with base-offset indices and replaces the dead ones', async () => {
    const t = fakeTransport();
    const pool = new RpcPool({ transport: t.open, module: init().module, memory: init().memory, base: 1,
                               attach: false, heapBase: 0x20000 });
    const first = pool.first(2);
    expect(t.started.map((f) => f.init)).toMatchObject([
      { index: 1, attach: false, heapBase: 0x20000 }, { index: 2, attach: false, heapBase: 0x20000 }]);
    t.started.forEach((f, k) => f.events.message({ kind: 'ready', index: f.init.index, tid: 10 + k }));
    const [a, b] = await first;
    expect(pool.size).toBe(2);
    expect(pool.worker(1)).toBe(b);
    t.started[0]!.events.exit(1);
    const retired: number[] = [];
    const replacing = pool.replaceDead((w) => { retired.push(w.tid); });
    const dead = await replacing;
    expect(dead).toEqual([a]);
    expect(retired).toEqual([10]);
    expect(t.started.length).toBe(3);
    expect(t.started[2]!.init.index).toBe(1);
    expect(pool.worker(0)).not.toBe(a);
    t.started[2]!.events.message({ kind: 'ready', index: 1, tid: 12 });
    await pool.terminate();
    expect(pool.started.every((w) => !w.alive)).toBe(true);
  });
});

/** A transport running the real WorkerCore on this thread (a trap: 'fatal', then exit 1). */
const loopback: TransportFactory = (initMsg, events) => {
  let exited = false;
  const exit = (code: number): void => { if (!exited) { exited = true; events.exit(code); } };
  const core = WorkerCore.create(initMsg).then((c) => { events.message(c.ready()); return c; });
  const post = (m: WorkerMessage): void => { if (!exited) events.message(m); };
  return {
    post: (req) => {
      void core.then((c) => {
        if (exited) return;
        try {
          post(c.handle(req, post));
        } catch (e) {
          events.error(e);
          exit(1);
        }
      });
    },
    terminate: () => exit(1),
  };
};

describe('the RPC client and the real worker core', () => {
  it('serves calls and a gated timedCall with its stamps', async () => {
    const heap = await Heap.create({ maxPages: 256 });
    const w = await RpcWorker.spawn(loopback, { kind: 'init', module: heap.module, memory: heap.memory,
                                               index: 0, heapBase: heap.heapBase });
    expect(w.tid).not.toBe(0);
    expect(await w.call('thread_id')).toBe(w.tid);
    const gate = heap.malloc(16);
    new Int32Array(heap.memory.buffer, gate, 1)[0] = 1; // already open: this thread must not block
    let gated = false;
    const r = await w.request('timedCall', { name: 'malloc', args: [32], gate },
                              { onGated: () => { gated = true; } });
    expect(gated).toBe(true);
    expect(r.result).not.toBe(0);
    expect(r.t1).toBeGreaterThanOrEqual(r.t0);
    expect(r.cpu).toBeNull(); // a core created without a thread clock (node-worker.ts passes Linux's)
    expect(Math.abs(r.t0 - (performance.timeOrigin + performance.now()))).toBeLessThan(60_000);
    await expect(w.call('no_such_export')).rejects.toThrow(/no export named no_such_export/);
    await w.terminate();
  });

  it('starts unattached when asked', async () => {
    const heap = await Heap.create({ maxPages: 256 });
    const before = heap.threads().length;
    const w = await RpcWorker.spawn(loopback, { kind: 'init', module: heap.module, memory: heap.memory,
                                               index: 0, heapBase: heap.heapBase, attach: false });
    expect(w.tid).toBe(0);
    expect(heap.threads().length).toBe(before);
    await w.terminate();
  });

  it('a real trap (strict fault policy) is reported as fatal with its request', async () => {
    const heap = await Heap.create({ maxPages: 256, config: { faultPolicy: 'strict' } });
    const w = await RpcWorker.spawn(loopback, { kind: 'init', module: heap.module, memory: heap.memory,
                                               index: 2, heapBase: heap.heapBase });
    const p = await w.call('malloc', 64);
    const err = await w.call('free', p! + 8).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerDiedError);
    const wd = err as WorkerDiedError;
    expect(wd).toMatchObject({ index: 2, tid: w.tid, exitCode: 1, request: 'call free' });
    expect((wd.cause as Error).name).toBe('RuntimeError');
  });
});
