// index.ts: the host library's public API.

export { Heap, type HeapOptions } from './heap.js';
export { WorkerPool } from './workers.js';
export { DEFAULT_CONFIG, type HeapConfig, type RingMode } from './config.js';
export { compileModule, createSharedMemory, wasmPath, packageRoot, MAX_PAGES, INITIAL_PAGES,
         type BuildName } from './module.js';
export { instantiateAllocator, allocatorImports, waitImports, type AllocatorExports, type AllocatorInstance,
         type InstantiateOptions, type WaitImports } from './instance.js';
export { readLayout, LAYOUT_KEYS, type Layout, type LayoutKey } from './layout.js';
export { MemoryView } from './views.js';
export * from './decode.js';
export { HeapFaultError, WorkerDiedError, HeapCheckError } from './errors.js';
export { ThreadLimitError, maxThreads, MAX_BYTES } from './args.js';
export * from './protocol.js';
export { WorkerCore } from './worker-core.js';
export { SpscQueues, type QueuedBlock } from './spsc.js';
export { runStressTask, patternTag, DEFAULT_STRESS, type StressParams,
         type StressResult } from './stress-task.js';
export { runStress, stressTotals, type StressRun, type StressTotals,
         type StressOptions } from './stress.js';
export { formatStats, formatStressRun, formatCheckReport, formatTable, formatBytes } from './report.js';
