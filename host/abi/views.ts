// views.ts: typed views over the shared memory that survive memory growth.
//
// After any memory.grow (by any thread) `memory.buffer` is a new SharedArrayBuffer and old
// views keep their old length, so every accessor compares byteLength and rebuilds the views
// when it changed. Memory never shrinks, so a stale view is never too long, only too short.

import type { Layout } from '../core/layout.js';
import type { RecordDesc } from './abi.generated.js';

/** Shared memory + layout, with views rebuilt on growth. What every decoder reads through. */
export class MemoryView {
  private buffer: ArrayBufferLike | null = null;
  private _u8!: Uint8Array;
  private _u16!: Uint16Array;
  private _u32!: Uint32Array;
  private _i32!: Int32Array;
  private _dv!: DataView;

  /**
   * @param classSizes block size of each class, if known (used to word fault messages)
   * @param getString decoder for AssemblyScript strings (an internal fault's message)
   */
  constructor(readonly memory: WebAssembly.Memory, readonly layout: Layout,
              readonly classSizes: readonly number[] = [],
              readonly getString: (ptr: number) => string | null = () => null) {}

  /** Rebuild the views if the memory grew since they were made. */
  private refresh(): void {
    const buf = this.memory.buffer;
    if (this.buffer !== null && buf.byteLength === this.buffer.byteLength) return;
    this.buffer = buf;
    this._u8 = new Uint8Array(buf);
    this._u16 = new Uint16Array(buf);
    this._u32 = new Uint32Array(buf);
    this._i32 = new Int32Array(buf);
    this._dv = new DataView(buf);
  }

  /** Byte view of the whole memory. */
  u8(): Uint8Array { this.refresh(); return this._u8; }
  /** u16 view of the whole memory. */
  u16(): Uint16Array { this.refresh(); return this._u16; }
  /** u32 view of the whole memory. */
  u32(): Uint32Array { this.refresh(); return this._u32; }
  /** i32 view of the whole memory (for Atomics and signed fields). */
  i32(): Int32Array { this.refresh(); return this._i32; }
  /** DataView of the whole memory. */
  dataView(): DataView { this.refresh(); return this._dv; }
  /** Current size in bytes. */
  byteLength(): number { this.refresh(); return this._u8.byteLength; }

  /** Plain u32 read at a 4-aligned byte address (0 past the end). */
  word(addr: number): number { return this.u32()[addr >>> 2] ?? 0; }
  /** Atomic u32 read at a 4-aligned byte address: for words written last as a publish. */
  atomicWord(addr: number): number {
    const v = this.u32();
    return (addr >>> 2) < v.length ? Atomics.load(v, addr >>> 2) : 0;
  }
  /** i32 read at a 4-aligned byte address. */
  int(addr: number): number { return this.i32()[addr >>> 2] ?? 0; }
  /** u16 read at a 2-aligned byte address. */
  half(addr: number): number { return this.u16()[addr >>> 1] ?? 0; }
  /** u8 read. */
  byte(addr: number): number { return this.u8()[addr] ?? 0; }
  /** u64 read from two u32 words (exact below 2^53). */
  u64(addr: number): number { return this.word(addr) + this.word(addr + 4) * 0x1_0000_0000; }

  /** Field `f` of the record `rec` at `at`, read by its type (a plain read). */
  field<F extends string>(rec: RecordDesc<F>, at: number, f: F): number {
    const a = at + rec.off[f];
    switch (rec.type[f]) {
      case 'u8': return this.byte(a);
      case 'u16': return this.half(a);
      case 'i32': return this.int(a);
      case 'u64': return this.u64(a);
      default: return this.word(a);
    }
  }

  /** Every field of the record `rec` at `at` (a racy snapshot while others write it). */
  record<F extends string>(rec: RecordDesc<F>, at: number): Record<F, number> {
    const out = {} as Record<F, number>;
    for (const f of Object.keys(rec.off) as F[]) out[f] = this.field(rec, at, f);
    return out;
  }
}
