// soak-worker.ts: the worker_threads entry of the soak: runs double-free trials one by one
// and posts each result, so the main thread can tell a slow trial from a hung one (a trial
// runs on this thread: an allocator that loops never returns to post).

import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { doubleFreeTrial, type DoubleFreeKind } from './double-free.js';

/** What the soak asks of this worker. */
export interface SoakJob {
  file: string;
  kind: DoubleFreeKind;
  /** Seeds first .. first + count - 1. */
  first: number;
  count: number;
}

const job = workerData as SoakJob;
const module = new WebAssembly.Module(readFileSync(job.file));
for (let i = 0; i < job.count; i++) {
  parentPort!.postMessage({ started: job.first + i });
  parentPort!.postMessage({ trial: doubleFreeTrial(module, job.kind, job.first + i) });
}
parentPort!.postMessage({ done: true });
