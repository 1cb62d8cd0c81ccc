// index.ts: the host library's public API in Node: `import { Heap } from 'hakmem-wasm'`.
// Everything of the browser entry (browser.ts) plus what needs Node: reading the module file,
// worker_threads pools, the link of programs compiled to wasm.

// Heap.create's default module: the package's build/<build>.wasm, read from the file system.
import './heap/node-loader.js';

export { Heap, setModuleLoader, resolveModule, type HeapOptions, type ModuleSource, type ModuleLoader } from './heap/heap.js';
export { openHeap, compileResponse, type OpenedHeap } from './heap/open.js';
export { WorkerPool } from './rpc/workers.js';
export { DEFAULT_CONFIG, type HeapConfig, type RingMode } from './heap/config.js';
export { compileModule, createSharedMemory, wasmPath, packageRoot, MAX_PAGES, INITIAL_PAGES,
         type BuildName } from './core/module.js';
export { instantiateAllocator, allocatorImports, waitImports, type AllocatorExports, type AllocatorInstance,
         type InstantiateOptions, type WaitImports } from './core/instance.js';
export { readLayout, LAYOUT_KEYS, type Layout, type LayoutKey } from './core/layout.js';
export { MemoryView } from './abi/views.js';
export * from './abi/decode.js';
export { HeapFaultError, WorkerDiedError, HeapCheckError } from './abi/errors.js';
export { HeapFormatError, describeFormat } from './core/format.js';
export { ThreadLimitError, maxThreads, MAX_BYTES } from './abi/args.js';
export * from './rpc/protocol.js';
export { WorkerCore } from './rpc/worker-core.js';
export { SpscQueues, type QueuedBlock } from './rpc/spsc.js';
export { runStressTask, patternTag, DEFAULT_STRESS, type StressParams,
         type StressResult } from './rpc/stress-task.js';
export { runStress, stressTotals, type StressRun, type StressTotals,
         type StressOptions } from './cli/stress-driver.js';
export { formatStats, formatStressRun, formatCheckReport, formatTable, formatBytes } from './cli/report.js';
export { checkHeapBase, DEFAULT_HEAP_BASE } from './core/instance.js';
export { linkProgram, LinkError, type LinkOptions, type LinkReport } from './link/merge.js';
export { runProgram, type RunOptions, type RunResult } from './link/run.js';
export { instantiateMerged, instantiatePair, type ProgramThread, type LinkedAllocator } from './link/program.js';
