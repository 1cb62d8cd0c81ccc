// index.ts: the workloads layer's entry: every workload's descriptor by name, its parameters
// (params.ts) and the cross-check runs (known-runs.ts).

import type { Params, WorkloadName } from './params.js';
import type { Outcome, WorkloadDescriptor } from './descriptor.js';
import { LARSON } from './larson.js';
import { RANDOM_MIXED } from './random-mixed.js';
import { XFREE } from './xfree.js';
import { MIDLARGE } from './midlarge.js';
import { MICRO } from './micro.js';

/** Each workload's descriptor. */
export const DESCRIPTORS: { readonly [W in WorkloadName]: WorkloadDescriptor<Extract<Params, { workload: W }>> } = {
  larson: LARSON, random_mixed: RANDOM_MIXED, xfree: XFREE, midlarge: MIDLARGE, micro: MICRO,
};

/** The descriptor of `p`'s workload, typed for any parameters. */
export function descriptorOf(p: Params): WorkloadDescriptor<Params> {
  return DESCRIPTORS[p.workload] as WorkloadDescriptor<Params>;
}

/** An outcome's checksums as one flat record (`ops`, `size_sum`, `bad`, then the extras). */
export function checksumsOf(o: Outcome): Record<string, number> {
  return { ops: o.ops, size_sum: o.size_sum, bad: o.bad, ...o.extra };
}

export * from './descriptor.js';
export * from './params.js';
export * from './known-runs.js';
export { LARSON, larsonSteps } from './larson.js';
export { RANDOM_MIXED } from './random-mixed.js';
export { XFREE } from './xfree.js';
export { MIDLARGE } from './midlarge.js';
export { MICRO, microPairs } from './micro.js';
