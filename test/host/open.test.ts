// openHeap (host/heap/open.ts): a heap with no host thread in it, from every module source a
// page or a program has (compiled, bytes, a fetch() response or its promise, with or without
// the application/wasm type), initialised once; Heap.create is openHeap plus attach.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { openHeap, compileResponse, Heap } from '../../dist/host/index.js';
import { ROOT } from '../helpers/instances.js';
import { GlobalHeader } from '../../dist/host/abi/abi.generated.js';

const bytes = (): Uint8Array => readFileSync(path.join(ROOT, 'build', 'release.wasm'));
const wasmResponse = (type?: string): Response =>
  new Response(bytes(), type ? { headers: { 'content-type': type } } : {});

describe('openHeap', () => {
  it.each([
    ['a compiled Module', () => new WebAssembly.Module(bytes())],
    ['bytes', () => bytes()],
    ['a Response typed application/wasm', () => wasmResponse('application/wasm')],
    ['an untyped Response', () => wasmResponse()],
    ['a promise of a Response', () => Promise.resolve(wasmResponse('application/wasm'))],
  ])('opens a heap from %s, initialised, with no thread attached', async (_what, source) => {
    const h = await openHeap({ module: source(), maxPages: 256 });
    expect(h.initialised).toBe(true);
    const L = h.view.layout;
    // init() wrote the global header: the first chunk the heap may use lies past the control region
    expect(h.view.word(L.HEADER_BASE + GlobalHeader.off.firstChunk)).toBe(Math.ceil((L.HEAP_BASE + L.CONTROL_SIZE) / 2 ** 20));
    expect(h.instance.exports.thread_count()).toBe(0);
    expect(h.instance.exports.thread_id()).toBe(0);
  });

  it('a second open over the same memory finds the heap initialised', async () => {
    const first = await openHeap({ module: bytes(), maxPages: 256 });
    const second = await openHeap({ module: first.module, memory: first.memory });
    expect(second.initialised).toBe(false);
    const heap = await Heap.create({ module: first.module, memory: first.memory });
    expect(heap.initialised).toBe(false);
    expect(heap.tid).toBeGreaterThan(0);
  });

  it('an HTTP error names the status', async () => {
    await expect(compileResponse(new Response('nope', { status: 404 }))).rejects.toThrow(/HTTP 404/);
  });
});
