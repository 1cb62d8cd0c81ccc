// types.ts: what the page asks of a workload run and what a run gives back while it goes
// and when it ends.

import type { DemoHeap } from '../boot.js';
import type { AllocatorWorker, WorkerPool } from '../../../host/rpc/web-pool.js';
import type { CrossCheck } from '../../../host/workloads/index.js';

/** The workloads the page offers (WORKLOADS.md sections 3, 4, 5). */
export type WorkloadName = 'larson' | 'random_mixed' | 'xfree';

/** The page's controls, as numbers. */
export interface DemoParams {
  workload: WorkloadName;
  /** larson: lineages; random_mixed: independent copies; xfree: producers + consumers. */
  threads: number;
  /** Block sizes (larson, xfree; random_mixed's sizes are fixed by the workload). */
  min: number;
  max: number;
  /** Live blocks per thread: larson --chunks, random_mixed --slots. */
  live: number;
  mode: 'ops' | 'duration';
  /** Total ops (larson: all threads; random_mixed: per copy; xfree: 2 * blocks). */
  ops: number;
  /** Seconds (duration mode). */
  duration: number;
  seed: number;
}

/** Where a run happens: the heap, the control worker (set-up, teardown), the workers. */
export interface RunContext {
  heap: DemoHeap;
  control: AllocatorWorker;
  pool: WorkerPool;
}

/** What a finished run reports. */
export interface RunResult {
  workload: WorkloadName;
  params: DemoParams;
  /** The same run as the bench CLI's (and the C peers') command line. */
  command: string;
  /** Its checksums against the known run with the same parameters (null: not one of them). */
  check: CrossCheck | null;
  ops: number;
  secs: number;
  opsPerSec: number;
  /** Checksums under WORKLOADS.md section 6's names (size_sum, generations, ...). */
  checksums: Record<string, number>;
  /** Blocks whose patterns were damaged (must be 0). */
  bad: number;
  /** Stopped before its op budget was spent. */
  stopped: boolean;
  /** Rounds run (random_mixed and xfree repeat whole runs in duration mode). */
  rounds: number;
}

/** A run in progress. */
export interface LiveRun {
  /** One label per thread (chart series). */
  labels: string[];
  /** Ops done so far by each thread (read from shared memory; frozen once the run ended). */
  progress(): number[];
  /** Ask the run to stop (at the next stop-flag check, generation or round). */
  stop(): void;
  /** Settles when the run ended and its teardown is done. */
  done: Promise<RunResult>;
}

/** Starts a workload; resolves once its set-up is done and its threads are running. */
export type WorkloadStarter = (ctx: RunContext, p: DemoParams) => Promise<LiveRun>;

/** Milliseconds since an arbitrary origin (the page's clock). */
export const now = (): number => performance.now();
