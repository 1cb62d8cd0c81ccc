// resident.ts: how much of a heap's own WebAssembly.Memory is resident, read from Linux's
// /proc/self/smaps: the footprint figures of a hakmem-wasm or floor-wasm record (peak_rss_kb,
// base_rss_kb; bench/README.md "Footprint"). The process's RSS would not do: node, V8, the
// workers and every older heap of the same process are in it.
//
// What V8 (node 20, 64-bit) does with a shared wasm memory: it reserves the memory's maximum
// plus guard pages as one mapping and opens the first byteLength bytes read-write, so smaps
// shows an `rw-p` mapping of exactly byteLength bytes followed at once by a `---p` mapping of
// several GiB. Growing opens more of the reservation in place (the start stays), and wasm
// memory is never decommitted, so the rw mapping's Rss is every page ever touched: read after
// a run, it is the peak. Older memories of the same process (compare makes a heap per run) look
// alike, so a memory is told apart from them once, when it is new, and found by its start
// address afterwards; where that is not certain the figures are null, never a guess.

import { readFileSync } from 'node:fs';

/** One mapping of /proc/self/smaps or /proc/self/maps (the latter has no Rss). */
export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  /** Resident KiB (smaps' `Rss:` line); null when read from maps. */
  rssKb: number | null;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) /;
const RSS = /^Rss:\s+(\d+) kB/;
/** The guard reservation after a wasm memory is GiBs; nothing else that large is `---p` right after an rw mapping. */
const MIN_GUARD_BYTES = 1n << 30n;

/** The mappings of a smaps or maps text, in its (address) order. */
export function parseMappings(text: string): Mapping[] {
  const out: Mapping[] = [];
  let last: Mapping | null = null;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      last = { start: BigInt(`0x${h[1]}`), end: BigInt(`0x${h[2]}`), perms: h[3]!, rssKb: null };
      out.push(last);
      continue;
    }
    const r = last ? RSS.exec(line) : null;
    if (r) last!.rssKb = Number(r[1]);
  }
  return out;
}

/** This process's mappings (`smaps`: with Rss; `maps`: addresses only, cheaper), or null without /proc. */
export function readMappings(file: 'smaps' | 'maps' = 'smaps'): Mapping[] | null {
  try {
    return parseMappings(readFileSync(`/proc/self/${file}`, 'utf8'));
  } catch {
    return null;
  }
}

/** Every rw mapping of exactly `byteLength` bytes directly followed by a wasm guard reservation. */
function memoryShaped(maps: readonly Mapping[], byteLength: number): Mapping[] {
  return maps.filter((m, i) => {
    const next = maps[i + 1];
    return m.perms === 'rw-p' && m.end - m.start === BigInt(byteLength) && next !== undefined &&
      next.perms === '---p' && next.start === m.end && next.end - next.start >= MIN_GUARD_BYTES;
  });
}

/**
 * The mapping of a wasm memory of `byteLength` bytes among `maps`: the only memory-shaped one,
 * or else the only memory-shaped one whose start is not in `before` (the mappings before the
 * memory was created); null when neither singles one out.
 */
export function findMemoryMapping(maps: readonly Mapping[], byteLength: number,
                                  before: readonly Mapping[] | null): Mapping | null {
  const shaped = memoryShaped(maps, byteLength);
  if (shaped.length === 1) return shaped[0]!;
  if (before === null) return null;
  const old = new Set(before.map((m) => m.start));
  const fresh = shaped.filter((m) => !old.has(m.start));
  return fresh.length === 1 ? fresh[0]! : null;
}

/** A wasm memory's resident pages: found once (when new), read again by its start address. */
export class ResidentMemory {
  private constructor(private readonly memory: WebAssembly.Memory, readonly start: bigint,
                      /** Resident KiB when it was found (for an engine: right after init). */
                      readonly baseKb: number) {}

  /**
   * Find `memory`'s mapping now; `before`: the mappings before it was created (readMappings('maps')),
   * to tell it from older memories of the same size. Null without /proc or when it is not certain.
   */
  static locate(memory: WebAssembly.Memory, before: readonly Mapping[] | null): ResidentMemory | null {
    const maps = readMappings('smaps');
    const m = maps && findMemoryMapping(maps, memory.buffer.byteLength, before);
    return m && m.rssKb !== null ? new ResidentMemory(memory, m.start, m.rssKb) : null;
  }

  /**
   * Resident KiB now: the peak, since wasm memory is never decommitted. Null if the mapping at
   * the start address no longer has the memory's shape (it would not be this memory alone).
   */
  kb(): number | null {
    const maps = readMappings('smaps');
    const m = maps && memoryShaped(maps, this.memory.buffer.byteLength).find((x) => x.start === this.start);
    return m ? m.rssKb : null;
  }
}

/** A record's footprint fields: the heap memory's resident KiB now and right after init (null: unknown). */
export function residentFields(r: ResidentMemory | null): { peak_rss_kb: number | null; base_rss_kb: number | null } {
  return { peak_rss_kb: r?.kb() ?? null, base_rss_kb: r?.baseKb ?? null };
}
