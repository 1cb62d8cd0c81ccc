// index.ts: the workloads by name.

import type { WorkloadName, WorkloadStarter } from './types.js';
import { startLarson } from './larson.js';
import { startRandomMixed } from './random-mixed.js';
import { startXfree } from './xfree.js';

/** The starter of each workload. */
export const WORKLOADS: Readonly<Record<WorkloadName, WorkloadStarter>> = {
  larson: startLarson,
  random_mixed: startRandomMixed,
  xfree: startXfree,
};

export type { DemoParams, LiveRun, RunContext, RunResult, WorkloadName } from './types.js';
