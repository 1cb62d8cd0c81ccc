// instantiate.ts: one allocator thread = one instance of the bench module over the shared
// memory, with the imports the bench module needs besides the memory: `bench_wait` and
// `bench_notify` (bench/assembly/host-wait.ts: its blocking waits go through JavaScript's
// Atomics). host/instance.ts's instantiateAllocator() passes only the memory, so the demo
// instantiates here; the result has the same shape (AllocatorInstance).

import { instantiate } from '@assemblyscript/loader';
import type { AllocatorExports, AllocatorInstance } from '../../host/instance.js';
import { readLayout } from '../../host/layout.js';

/** Imports of the bench module besides `env.memory`, for a thread that may (`canWait`) block. */
function benchImports(memory: WebAssembly.Memory, canWait: boolean): Record<string, unknown> {
  const word = (addr: number): Int32Array => new Int32Array(memory.buffer, addr >>> 0, 1);
  return {
    bench_wait: (addr: number, expected: number, timeoutUs: number): void => {
      // The page's main thread must never block (Atomics.wait throws there anyway).
      if (!canWait) throw new Error('bench_wait called on a thread that must not block');
      Atomics.wait(word(addr), 0, expected, timeoutUs < 0 ? Infinity : timeoutUs / 1000);
    },
    bench_notify: (addr: number): void => { Atomics.notify(word(addr), 0); },
  };
}

/**
 * Instantiate `module` over `memory`, supplying only the imports the module declares.
 * `canWait`: false on the page's main thread.
 */
export async function instantiateThread(module: WebAssembly.Module, memory: WebAssembly.Memory,
                                        canWait: boolean): Promise<AllocatorInstance> {
  const wanted = new Set(WebAssembly.Module.imports(module).map((i) => i.name));
  const extra = Object.fromEntries(Object.entries(benchImports(memory, canWait)).filter(([k]) => wanted.has(k)));
  const result = await instantiate<Record<string, unknown>>(module, { env: { memory, ...extra } });
  const raw = result.instance.exports as Record<string, unknown>;
  const loaderExports = result.exports as { __getString(ptr: number): string };
  return {
    exports: raw as AllocatorExports & Record<string, unknown>,
    layout: readLayout(result.instance.exports),
    memory,
    getString(ptr: number): string | null {
      if (ptr === 0) return null;
      try {
        return loaderExports.__getString(ptr >>> 0);
      } catch {
        return null;
      }
    },
  };
}
