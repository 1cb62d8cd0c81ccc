// index.ts: the hakmem bench module. The workloads are compiled into one module with the
// allocator, so malloc and free are direct calls; the allocator's whole API is re-exported so
// the host drives the heap (init, stats, checker, ring) through this same module.

export * from "../../assembly/index";
export * from "./exports";
export { larson_setup, larson_generation, larson_lineage, larson_teardown } from "./larson";
export { random_mixed_setup, random_mixed_run, random_mixed_teardown } from "./random_mixed";
export { xfree_setup, xfree_producer, xfree_consumer, xfree_teardown } from "./xfree";
export { midlarge_setup, midlarge_thread, midlarge_teardown, midlarge_free } from "./midlarge";
export { micro_pairs, micro_batch } from "./micro";
