// asrt.ts: the AssemblyScript-runtime peer: the single-thread workloads (random_mixed, and
// larson with one thread) over the runtime's own allocator (`heap.alloc`/`heap.free`, TLSF,
// `--runtime incremental`) in an ordinary memory: what an AssemblyScript user gets by default.
// Built with `--use BENCH_ASRT=1`, which switches malloc.ts.

export * from "./exports";
export { larson_setup, larson_generation, larson_lineage, larson_teardown } from "./larson";
export { random_mixed_setup, random_mixed_run, random_mixed_teardown } from "./random_mixed";
export { micro_pairs, micro_batch } from "./micro";

/** Abort handler of this build (no imports): stop. */
export function asrtAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  unreachable();
}
