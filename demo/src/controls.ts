// controls.ts: the run controls: reading them into DemoParams (with validation), and the
// per-workload defaults a workload change puts back (WORKLOADS.md's defaults).

import type { DemoParams, WorkloadName } from './workloads/index.js';

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

/** Defaults of each workload: seed, live blocks per thread, ops, and what "live" means. */
const DEFAULTS: Record<WorkloadName, { seed: number; live: number; ops: string; liveLabel: string }> = {
  larson: { seed: 4141, live: 1000, ops: '2e6', liveLabel: 'chunks (live blocks per lineage)' },
  random_mixed: { seed: 123, live: 2048, ops: '1e6', liveLabel: 'slots per copy' },
  xfree: { seed: 4141, live: 0, ops: '2e6', liveLabel: '(not used)' },
};

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

/** Put back the defaults of the selected workload and enable the fields it uses. */
export function applyWorkloadDefaults(f: ControlFields, liveLabel: HTMLElement): void {
  const w = f.workload.value as WorkloadName;
  const d = DEFAULTS[w];
  f.seed.value = String(d.seed);
  f.live.value = String(d.live);
  f.ops.value = d.ops;
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
