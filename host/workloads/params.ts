// params.ts: the workloads' parameters: defaults, validation and parsing exactly as
// WORKLOADS.md (and bench/MIDLARGE.md) define them, shared by the CLI, compare (which also
// turns them back into the C peers' argv) and the default suite.

export const WORKLOADS = ['larson', 'random_mixed', 'xfree', 'midlarge', 'micro'] as const;
export type WorkloadName = typeof WORKLOADS[number];

export interface LarsonParams {
  workload: 'larson';
  threads: number; chunks: number; min: number; max: number; rounds: number;
  genSteps: number; seed: number; ops: number | null; duration: number | null; verify: boolean;
  workerPerGeneration: boolean;
}
export interface RandomMixedParams {
  workload: 'random_mixed';
  iters: number; slots: number; seed: number; mode: 'toggle' | 'replace'; reps: number; verify: boolean;
  /** Independent copies run at once, one thread each (WORKLOADS.md section 4, "Copies"). */
  threads: number;
}
export interface XfreeParams {
  workload: 'xfree';
  blocks: number; min: number; max: number; producers: number; consumers: number;
  qcap: number; batch: number; seed: number; verify: boolean;
}
export interface MidlargeParams {
  workload: 'midlarge';
  threads: number; slots: number; rounds: number; seed: number; verify: boolean;
}
export interface MicroParams {
  workload: 'micro';
  pairs: number; size: number; batch: number;
}
export type Params = LarsonParams | RandomMixedParams | XfreeParams | MidlargeParams | MicroParams;

/**
 * Each workload's defaults, by option name (WORKLOADS.md, MIDLARGE.md): the one table the
 * parser, the CLI's help and the demo read. larson has no default op budget: it needs one of
 * --ops or --duration.
 */
export const DEFAULTS = {
  larson: { threads: 1, chunks: 1000, min: 8, max: 1024, rounds: 100, seed: 4141 },
  random_mixed: { ops: 10_000_000, slots: 2048, seed: 123, mode: 'toggle', reps: 1, threads: 1 },
  xfree: { blocks: 10_000_000, min: 8, max: 1024, producers: 1, consumers: 1, qcap: 1024, batch: 64, seed: 4141 },
  midlarge: { threads: 2, slots: 512, rounds: 1000, seed: 4141 },
  micro: { ops: 10_000_000, size: 64, batch: 1 },
} as const satisfies Record<WorkloadName, Record<string, number | string>>;

/** "larson 1, midlarge 2": the defaults of option `key` over the workloads that have it. */
export function defaultsText(key: string): string {
  const parts = WORKLOADS.flatMap((w) => {
    const d = (DEFAULTS[w] as Record<string, number | string>)[key];
    return d === undefined ? [] : [`${w} ${typeof d === 'number' && d >= 1e6 ? d.toExponential().replace('e+', 'e') : d}`];
  });
  return parts.length ? `default: ${parts.join(', ')}` : '';
}

/** Option values as the command line gives them (strings, or true for flags). */
export type RawOptions = Record<string, string | boolean | undefined>;

/** A usage error: the CLI prints the message and exits with status 2. */
export class UsageError extends Error {}

/** A non-negative integer; also accepts 2e6-style forms whose value is integral. */
export function parseCount(v: string | boolean | undefined, what: string): number {
  const s = String(v).trim();
  const n = Number(s);
  if (s === '' || !Number.isFinite(n) || n < 0 || !Number.isInteger(n) || n > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(`${what}: bad number '${s}' (want a non-negative integer)`);
  }
  return n;
}

function u32Of(raw: RawOptions, key: string, dflt: number, flag: string): number {
  if (raw[key] === undefined) return dflt;
  const n = parseCount(raw[key], flag);
  if (n > 0xFFFFFFFF) throw new UsageError(`${flag}: ${n} is out of range (max 4294967295)`);
  return n;
}

function seconds(v: string | boolean | undefined, what: string): number {
  const n = Number(String(v));
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what}: bad duration '${String(v)}'`);
  return n;
}

function sizes(raw: RawOptions, d: { min: number; max: number }): { min: number; max: number } {
  const min = u32Of(raw, 'min', d.min, '--min');
  const max = u32Of(raw, 'max', d.max, '--max');
  if (min < 2) throw new UsageError('--min must be >= 2 (blocks are touched at both ends)');
  if (max < min) throw new UsageError('--max must be >= --min');
  return { min, max };
}

/**
 * Parameters of `workload` from option values; `positional` is hakmem's larson vector
 * (seconds min max chunks rounds seed threads), which the options may then refine.
 */
export function parseParams(workload: string, raw0: RawOptions, positional: string[] = []): Params {
  const raw: RawOptions = { ...raw0 };
  if (positional.length > 0) {
    if (workload !== 'larson') throw new UsageError(`${workload} takes no positional arguments`);
    if (positional.length !== 7) throw new UsageError('positional larson needs: seconds min max chunks rounds seed threads');
    const [sec, min, max, chunks, rounds, seed, threads] = positional;
    Object.assign(raw, { duration: sec, min, max, chunks, rounds, seed, threads }, stripUndefined(raw0));
    if (raw0.ops !== undefined) raw.duration = undefined; // an explicit --ops wins over the vector's seconds
  }
  const verify = raw.verify === true;
  switch (workload) {
    case 'larson': {
      const d = DEFAULTS.larson;
      const { min, max } = sizes(raw, d);
      const threads = u32Of(raw, 'threads', d.threads, '--threads');
      const chunks = u32Of(raw, 'chunks', d.chunks, '--chunks');
      const rounds = u32Of(raw, 'rounds', d.rounds, '--rounds');
      const hasOps = raw.ops !== undefined, hasDur = raw.duration !== undefined;
      if (threads < 1 || chunks < 1) throw new UsageError('--threads and --chunks must be >= 1');
      if (hasOps === hasDur) throw new UsageError('larson needs exactly one of --ops or --duration');
      const genSteps = raw.genSteps !== undefined ? u32Of(raw, 'genSteps', 0, '--gen-steps') : rounds * chunks;
      if (genSteps < 1 || genSteps > 0xFFFFFFFF) throw new UsageError('--gen-steps (rounds * chunks) must be in 1..2^32-1');
      return {
        workload, threads, chunks, min, max, rounds, genSteps,
        seed: u32Of(raw, 'seed', d.seed, '--seed'),
        ops: hasOps ? parseCount(raw.ops, '--ops') : null,
        duration: hasDur ? seconds(raw.duration, '--duration') : null,
        verify, workerPerGeneration: raw.workerPerGeneration === true,
      };
    }
    case 'random_mixed': {
      if (raw.duration !== undefined) throw new UsageError('random_mixed has no --duration');
      const d = DEFAULTS.random_mixed;
      const mode = raw.mode === undefined ? d.mode : String(raw.mode);
      if (mode !== 'toggle' && mode !== 'replace') throw new UsageError(`--mode must be toggle or replace, not '${mode}'`);
      const p: RandomMixedParams = {
        workload, iters: raw.ops !== undefined ? parseCount(raw.ops, '--ops') : d.ops,
        slots: u32Of(raw, 'slots', d.slots, '--slots'), seed: u32Of(raw, 'seed', d.seed, '--seed'),
        mode, reps: u32Of(raw, 'reps', d.reps, '--reps'), verify, threads: u32Of(raw, 'threads', d.threads, '--threads'),
      };
      if (p.slots < 1 || p.reps < 1 || p.threads < 1) throw new UsageError('--slots, --reps and --threads must be >= 1');
      return p;
    }
    case 'xfree': {
      if (raw.duration !== undefined || raw.ops !== undefined) throw new UsageError('xfree takes --blocks, not --ops/--duration');
      const d = DEFAULTS.xfree;
      const { min, max } = sizes(raw, d);
      const p: XfreeParams = {
        workload, blocks: raw.blocks !== undefined ? parseCount(raw.blocks, '--blocks') : d.blocks, min, max,
        producers: u32Of(raw, 'producers', d.producers, '--producers'), consumers: u32Of(raw, 'consumers', d.consumers, '--consumers'),
        qcap: u32Of(raw, 'qcap', d.qcap, '--qcap'), batch: u32Of(raw, 'batch', d.batch, '--batch'),
        seed: u32Of(raw, 'seed', d.seed, '--seed'), verify,
      };
      if (p.producers < 1 || p.consumers < 1) throw new UsageError('--producers and --consumers must be >= 1');
      if (p.qcap < 1 || (p.qcap & (p.qcap - 1)) !== 0) throw new UsageError('--qcap must be a power of two');
      if (p.batch < 1 || p.batch > p.qcap) throw new UsageError('--batch must be in [1, qcap]');
      return p;
    }
    case 'midlarge': {
      if (raw.duration !== undefined || raw.ops !== undefined) throw new UsageError('midlarge takes --rounds, not --ops/--duration');
      const p: MidlargeParams = {
        workload, threads: u32Of(raw, 'threads', DEFAULTS.midlarge.threads, '--threads'),
        slots: u32Of(raw, 'slots', DEFAULTS.midlarge.slots, '--slots'),
        rounds: u32Of(raw, 'rounds', DEFAULTS.midlarge.rounds, '--rounds'),
        seed: u32Of(raw, 'seed', DEFAULTS.midlarge.seed, '--seed'), verify,
      };
      if (p.threads < 1 || p.slots < 1) throw new UsageError('--threads and --slots must be >= 1');
      return p;
    }
    case 'micro': {
      const p: MicroParams = {
        workload, pairs: raw.ops !== undefined ? parseCount(raw.ops, '--ops') : DEFAULTS.micro.ops,
        size: u32Of(raw, 'size', DEFAULTS.micro.size, '--size'), batch: u32Of(raw, 'batch', DEFAULTS.micro.batch, '--batch'),
      };
      if (p.pairs > 0xFFFFFFFF) throw new UsageError('--ops: at most 2^32-1 pairs');
      if (p.size < 1 || p.batch < 1) throw new UsageError('--size and --batch must be >= 1');
      return p;
    }
    default:
      throw new UsageError(`unknown workload '${workload}' (one of ${WORKLOADS.join(', ')})`);
  }
}

function stripUndefined(r: RawOptions): RawOptions {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
}

/** Threads the workload runs on (for tables and the thread-count axis of compare). */
export function threadsOf(p: Params): number {
  switch (p.workload) {
    case 'larson': case 'random_mixed': case 'midlarge': return p.threads;
    case 'xfree': return p.producers + p.consumers;
    default: return 1;
  }
}

/** The same run as the C workloads' command line (bench/c), for the peers. */
export function peerArgv(p: Params): string[] {
  const v = p.workload !== 'micro' && p.verify ? ['--verify'] : [];
  switch (p.workload) {
    case 'larson':
      return ['larson', '--threads', `${p.threads}`, '--chunks', `${p.chunks}`, '--min', `${p.min}`,
        '--max', `${p.max}`, '--rounds', `${p.rounds}`, '--gen-steps', `${p.genSteps}`, '--seed', `${p.seed}`,
        ...(p.ops !== null ? ['--ops', `${p.ops}`] : ['--duration', `${p.duration}`]), ...v];
    case 'random_mixed':
      // One copy is the command of before (the demo shows it; compare's case list keeps it).
      return ['random_mixed', '--ops', `${p.iters}`, '--slots', `${p.slots}`, '--seed', `${p.seed}`,
        '--mode', p.mode, '--reps', `${p.reps}`, ...(p.threads !== 1 ? ['--threads', `${p.threads}`] : []), ...v];
    case 'xfree':
      return ['xfree', '--blocks', `${p.blocks}`, '--min', `${p.min}`, '--max', `${p.max}`,
        '--producers', `${p.producers}`, '--consumers', `${p.consumers}`, '--qcap', `${p.qcap}`,
        '--batch', `${p.batch}`, '--seed', `${p.seed}`, ...v];
    case 'midlarge':
      return ['midlarge', '--threads', `${p.threads}`, '--slots', `${p.slots}`, '--rounds', `${p.rounds}`,
        '--seed', `${p.seed}`, ...v];
    case 'micro':
      throw new Error('micro has no C counterpart');
  }
}
