// descriptor.ts: what every user of a workload (the bench harness, the demo page, the tests)
// needs to know about it, written once per workload: which bench-module export sets a run
// up and with which arguments, which exports the threads of its timed region call, how to
// read its progress while it runs and its result once it has been torn down. The callers
// differ only in how they reach the threads (Node workers behind a gate, Web Workers, one
// call per generation) and how they time them; none of them re-types an argument order or a
// record offset.
//
// A run record lives in the shared memory; its field offsets are the bench module's `BL_*`
// exports (bench/assembly/exports.ts, each an `offsetof` of the record's class).

/** One call of a bench-module export: its name and its (i32) arguments. */
export interface ExportCall {
  readonly fn: string;
  readonly args: number[];
}

/** A call on thread `worker` of a timed region. */
export interface ThreadCall extends ExportCall {
  readonly worker: number;
}

/** What a finished run measured, before the harness adds the clock and the common fields. */
export interface Outcome {
  ops: number;
  size_sum: number;
  bad: number;
  /** The workload's extra fields (bench/WORKLOADS.md section 6), in print order. */
  extra: Record<string, number>;
}

/**
 * Reads of the shared memory a descriptor needs: words at absolute addresses, and the bench
 * module's layout constants by their export names (`BL_LR_STEPS`).
 */
export interface RunMemory {
  u32(addr: number): number;
  /** A u64 as a number (exact below 2^53). */
  u64(addr: number): number;
  /** The value of the bench module's export `name`; throws if the module has none. */
  bl(name: string): number;
}

/** A RunMemory over `read` and the bench module's exported globals (`BL_*`, any others ignored). */
export function runMemory(read: { u32(addr: number): number; u64(addr: number): number },
                          globals: Readonly<Record<string, number>>): RunMemory {
  return {
    u32: (addr) => read.u32(addr),
    u64: (addr) => read.u64(addr),
    bl(name) {
      const v = globals[name];
      if (v === undefined) throw new Error(`the bench module exports no ${name}`);
      return v;
    },
  };
}

/** Every exported i32 global of `exports` whose name starts with BL_, by its full name. */
export function benchLayoutOf(exports: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(exports)) {
    if (name.startsWith('BL_') && v instanceof WebAssembly.Global) out[name] = Number(v.value);
  }
  return out;
}

/** One workload, for parameters of type P (workloads/params.ts). */
export interface WorkloadDescriptor<P> {
  /** Threads of the timed region (one worker each). */
  threads(p: P): number;
  /** Does the run need more than one allocator thread (so a single-threaded peer cannot run it)? */
  needsThreads(p: P): boolean;
  /** The untimed set-up: returns the run record's address (0: out of memory). Null: no record. */
  setup(p: P): ExportCall | null;
  /** The timed region: one call per worker, all started together. */
  calls(p: P, run: number): ThreadCall[];
  /** Per thread, the work done so far, in `progressUnit` (read while the run goes). */
  progress(m: RunMemory, p: P, run: number): number[];
  /** What `progress` counts. */
  readonly progressUnit: string;
  /** The fraction of the run done so far, or null if only the clock knows (a duration run). */
  fraction(m: RunMemory, p: P, run: number): number | null;
  /** The untimed teardown export (frees the run's blocks, computes the end checksums). */
  readonly teardown: string | null;
  /** The result, read after the teardown. `secs` is the timed region's length. */
  result(m: RunMemory, p: P, run: number, secs: number): Outcome;
  /** The export that frees the run record itself, once the result is read. */
  readonly free: string | null;
  /** The parameters as a run's record prints them (the C peers' names and order). */
  recordParams(p: P): Record<string, unknown>;
}

/** Sum of `f(i)` for i in [0, n). */
export function sumOver(n: number, f: (i: number) => number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += f(i);
  return s;
}
