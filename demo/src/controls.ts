// controls.ts: the run controls: reading them into DemoParams (with validation), and the
// per-workload defaults a workload change puts back (the bench CLI's, through host/workloads/).

import type { DemoParams, WorkloadName } from './workloads/index.js';
import { KNOWN_RUNS, paramsOf } from '../../host/workloads/index.js';

/** The form fields, by id. */
export interface ControlFields {
  workload: HTMLSelectElement;
  threads: HTMLInputElement;
  min: HTMLInputElement;
  max: HTMLInputElement;
  live: HTMLInputElement;
  mode: HTMLSelectElement;
  ops: HTMLInputElement;
  duration: HTMLInputElement;
  seed: HTMLInputElement;
}

/** Block sizes, smallest and largest. */
export interface SizeRange { min: number; max: number }

/**
 * What a workload change puts back: the bench CLI's defaults (host/workloads/params.ts
 * DEFAULTS) for seed, live blocks and sizes, and the op count of the workload's first known
 * run (host/workloads/known-runs.ts), so a visitor's first run is one whose checksums the
 * page can verify.
 */
function defaultsOf(w: WorkloadName, randomMixedSizes: SizeRange): { seed: number; live: number; ops: number;
                                                                    sizes: SizeRange; liveLabel: string } {
  const known = KNOWN_RUNS.find((r) => r.argv[0] === w)!;
  const p = paramsOf(known);
  switch (p.workload) {
    case 'larson':
      return { seed: p.seed, live: p.chunks, ops: p.ops!, sizes: { min: p.min, max: p.max },
               liveLabel: 'chunks (live blocks per lineage)' };
    case 'random_mixed':
      return { seed: p.seed, live: p.slots, ops: p.iters, sizes: randomMixedSizes, liveLabel: 'slots per copy' };
    case 'xfree':
      return { seed: p.seed, live: 0, ops: 2 * p.blocks, sizes: { min: p.min, max: p.max }, liveLabel: '(not used)' };
    default:
      throw new Error(`the page does not offer ${p.workload}`);
  }
}

/** Find every control by id. */
export function findControls(doc: Document): ControlFields {
  const el = <T extends HTMLElement>(id: string): T => {
    const e = doc.getElementById(id);
    if (!e) throw new Error(`the page lacks #${id}`);
    return e as T;
  };
  return {
    workload: el('workload'), threads: el('threads'), min: el('min'), max: el('max'), live: el('live'),
    mode: el('mode'), ops: el('ops'), duration: el('duration'), seed: el('seed'),
  };
}

/**
 * Put back the defaults of the selected workload and enable the fields it uses
 * (`randomMixedSizes`: random_mixed's fixed sizes, shown in its disabled size fields).
 */
export function applyWorkloadDefaults(f: ControlFields, liveLabel: HTMLElement, randomMixedSizes: SizeRange): void {
  const w = f.workload.value as WorkloadName;
  const d = defaultsOf(w, randomMixedSizes);
  f.seed.value = String(d.seed);
  f.live.value = String(d.live);
  f.ops.value = d.ops.toExponential().replace('e+', 'e');
  f.min.value = String(d.sizes.min);
  f.max.value = String(d.sizes.max);
  liveLabel.textContent = d.liveLabel;
  f.live.disabled = w === 'xfree';
  f.min.disabled = f.max.disabled = w === 'random_mixed';
  if (w === 'xfree' && Number(f.threads.value) < 2) f.threads.value = '2';
  syncMode(f);
}

/** Enable the ops or the duration field, whichever the mode uses. */
export function syncMode(f: ControlFields): void {
  f.ops.disabled = f.mode.value !== 'ops';
  f.duration.disabled = f.mode.value !== 'duration';
}

/** A whole number from a field (accepts 2e6), within [lo, hi]. */
function whole(input: HTMLInputElement, what: string, lo: number, hi: number): number {
  const n = Number(input.value.trim());
  if (!Number.isInteger(n) || n < lo || n > hi) throw new RangeError(`${what} must be a whole number in [${lo}, ${hi}]`);
  return n;
}

/** The controls as parameters; throws a RangeError naming the first bad field. */
export function readParams(f: ControlFields): DemoParams {
  const workload = f.workload.value as WorkloadName;
  const mode = f.mode.value === 'duration' ? 'duration' : 'ops';
  const p: DemoParams = {
    workload, mode,
    threads: whole(f.threads, 'threads', workload === 'xfree' ? 2 : 1, 32),
    min: whole(f.min, 'min size', 2, 32768),
    max: whole(f.max, 'max size', 2, 32768),
    live: workload === 'xfree' ? 0 : whole(f.live, 'live blocks', 1, 1_000_000),
    ops: mode === 'ops' ? whole(f.ops, 'ops', 2, 1e10) : 0,
    duration: mode === 'duration' ? Number(f.duration.value) : 0,
    seed: whole(f.seed, 'seed', 0, 0xffffffff),
  };
  if (p.max < p.min) throw new RangeError('max size must be >= min size');
  if (mode === 'duration' && !(p.duration > 0 && p.duration <= 3600)) {
    throw new RangeError('duration must be in (0, 3600] seconds');
  }
  return p;
}
