// args.ts: numbers checked at the host's boundary. The module's raw exports take wasm i32s,
// which JavaScript converts modulo 2^32 (5 GiB becomes 1 GiB, NaN becomes 0, 2^32 + 16
// becomes 16): every host API that passes a size, count, alignment, pointer or thread id
// checks it here first and throws a RangeError naming the argument instead.

/** The largest byte count any request can name: wasm32 memory ends at 4 GiB. */
export const MAX_BYTES = 2 ** 32 - 1;

/** `v` as an integer in [min, max], or a RangeError naming `what`. */
export function intIn(what: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${what} must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

/** A byte count (size of a request): an integer in [0, 2^32 - 1]. */
export function bytes(what: string, v: unknown): number {
  return intIn(what, v, 0, MAX_BYTES);
}

/** An address in linear memory (0 allowed where the C call allows NULL). */
export function address(what: string, v: unknown): number {
  return intIn(what, v, 0, MAX_BYTES);
}

/** A power-of-two alignment in [1, max]. */
export function alignment(what: string, v: unknown, max: number): number {
  const a = intIn(what, v, 1, max);
  if ((a & (a - 1)) !== 0) throw new RangeError(`${what} must be a power of two, got ${a}`);
  return a;
}

/** A u32 (thread ids, counts passed through). */
export function u32(what: string, v: unknown): number {
  return intIn(what, v, 0, 2 ** 32 - 1);
}

/** How a bad value reads in a message. */
function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return `${v}n (a bigint)`;
  return `${typeof v} ${JSON.stringify(v) ?? String(v)}`;
}

/**
 * Allocator threads a heap can have attached at once: the module's thread table has
 * L_MAX_THREADS records and record 0 is reserved for instances that have not attached.
 */
export function maxThreads(layout: { MAX_THREADS: number }): number {
  return layout.MAX_THREADS - 1;
}

/** Thrown when a pool or workload asks for more allocator threads than the heap can attach. */
export class ThreadLimitError extends RangeError {
  override name = 'ThreadLimitError';
  constructor(readonly wanted: number, readonly available: number, readonly limit: number) {
    super(`${wanted} workers requested, but only ${available} more threads can attach: a heap attaches at ` +
      `most ${limit} threads at once (its thread table's records, one reserved), and ${limit - available} are attached`);
  }
}
