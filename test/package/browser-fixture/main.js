// main.js: what a user of the package writes in a page bundled by Vite (browser-bundle.test.ts
// copies this folder into an empty project that installed the packed tarball). It imports
// only the package's public entries: 'hakmem-wasm/browser' (the heap, the Web Worker pool;
// the .wasm found next to the package) and 'hakmem-wasm/web-worker' (the worker script).
// The outcome goes to #result as JSON (data-state="done" or "error") and document.title.

import { Heap, WebWorkerPool } from 'hakmem-wasm/browser';

const WORKERS = 2;
const SIZES = [16, 24, 100, 512, 4000, 70000];

const out = document.getElementById('result');
function report(state, value) {
  out.textContent = JSON.stringify(value, null, 2);
  out.dataset.state = state;
  document.title = state;
}

/** A byte pattern that differs per block and per offset. */
const pattern = (block, i) => (block * 31 + i * 7 + 1) & 0xff;

async function run() {
  const r = { crossOriginIsolated: globalThis.crossOriginIsolated };
  const heap = await Heap.create({ build: 'release', config: { faultPolicy: 'report' } });
  r.mainTid = heap.tid;

  const pool = new WebWorkerPool(heap.module, heap.memory, (index) =>
    new Worker(new URL('hakmem-wasm/web-worker', import.meta.url), { type: 'module', name: `allocator-${index}` }));
  const workers = await pool.first(WORKERS);
  r.workers = pool.size;
  r.workerTids = workers.map((w) => w.tid);
  r.threadsWithWorkers = heap.threadCount();

  // Worker 0 allocates a batch; the page writes a pattern into every block through the
  // shared memory; worker 1 mallocs one block by call(), worker 0 frees it later (remote).
  const ptrs = await workers[0].request('mallocBatch', { sizes: SIZES });
  r.batch = [...ptrs];
  let u8 = heap.u8();
  ptrs.forEach((p, b) => { for (let i = 0; i < SIZES[b]; i++) u8[p + i] = pattern(b, i); });
  const q = await workers[1].call('malloc', 64);
  r.remotePtr = q;
  // Worker 1 reallocs one of worker 0's blocks to a larger class: it copies the bytes the
  // page wrote, so the pattern must show up at the new address too.
  const R = SIZES.indexOf(4000);
  r.reallocFrom = ptrs[R];
  ptrs[R] = await workers[1].call('realloc', ptrs[R], 20000);
  r.reallocTo = ptrs[R];
  r.ptrs = [...ptrs];
  r.usable = [];
  for (const p of ptrs) r.usable.push(await workers[0].call('malloc_usable_size', p));
  u8 = heap.u8(); // the memory may have grown
  r.patternErrors = 0;
  ptrs.forEach((p, b) => { for (let i = 0; i < SIZES[b]; i++) if (u8[p + i] !== pattern(b, i)) r.patternErrors++; });
  r.patternBytes = SIZES.reduce((a, s) => a + s, 0);

  const live = heap.stats();
  r.live = { threads: live.threads, bytesInUse: live.bytesInUse };

  r.freed = await workers[0].request('freeBatch', { ptrs });
  await workers[0].call('free', q);
  for (const w of workers) await w.request('collect', {});

  // Workers idle: the heap check from the page's thread.
  const check = heap.check();
  r.check = { violations: check.violations };
  r.faults = heap.faultCount();
  const after = heap.stats();
  r.after = { bytesInUse: after.bytesInUse, remoteFrees: after.remoteFrees, faults: after.faults };
  for (const w of workers) await w.request('detach', {});
  r.threadsAfterDetach = heap.threadCount();
  for (const w of workers) w.terminate();
  return r;
}

run().then((r) => report('done', r), (e) => report('error', { error: String(e), stack: e?.stack }));
