// config.ts: the heap's start-up configuration, in words, and its encoding for init().

/** Options fixed when the heap is initialised (ring mode may change later). */
export interface HeapConfig {
  /** Per-thread caches: none, 4 blocks per class, or ~16 KiB per class. */
  cache: 'off' | 'small' | 'default';
  /** Refill and spill caches in batches (true) or one block at a time. */
  batchRefill: boolean;
  /** Remote frees carried per atomic push (0 = module default 16; 1 = unbatched). */
  remoteBatch: number;
  /** On a bad free: record and return ('report'), or record and trap ('strict'). */
  faultPolicy: 'report' | 'strict';
  /** Debug ring: off, slow-path events, or every event (fast-path events: debug build, where
   *  Heap.create defaults to 'all'). */
  ring: RingMode;
}

/** Debug ring mode. */
export type RingMode = 'off' | 'slow' | 'all';

/** The defaults (the module's own defaults). */
export const DEFAULT_CONFIG: Readonly<HeapConfig> = Object.freeze({
  cache: 'default', batchRefill: true, remoteBatch: 0, faultPolicy: 'report', ring: 'slow',
});

const CACHE_CODES = { off: 0, small: 1, default: 2 } as const;
const RING_CODES = { off: 0, slow: 1, all: 2 } as const;
const RING_NAMES: readonly RingMode[] = ['off', 'slow', 'all'];

/** The ring mode's number for set_ring_mode / init. */
export function ringCode(mode: RingMode): number {
  const code = RING_CODES[mode];
  if (code === undefined) throw new RangeError(`unknown ring mode ${String(mode)}`);
  return code;
}

/** The ring mode named by a number. */
export function ringName(code: number): RingMode {
  return RING_NAMES[code] ?? 'slow';
}

/** The arguments of init(cacheMode, batchRefill, remoteBatch, faultPolicy, ringMode). */
export function initArgs(config: Partial<HeapConfig> = {}): [number, number, number, number, number] {
  const c = { ...DEFAULT_CONFIG, ...config };
  const cache = CACHE_CODES[c.cache];
  if (cache === undefined) throw new RangeError(`unknown cache mode ${String(c.cache)}`);
  if (!Number.isInteger(c.remoteBatch) || c.remoteBatch < 0) {
    throw new RangeError('remoteBatch must be a non-negative integer');
  }
  if (c.faultPolicy !== 'report' && c.faultPolicy !== 'strict') {
    throw new RangeError(`unknown fault policy ${String(c.faultPolicy)}`);
  }
  return [cache, c.batchRefill ? 1 : 0, c.remoteBatch, c.faultPolicy === 'strict' ? 1 : 0,
          ringCode(c.ring)];
}
