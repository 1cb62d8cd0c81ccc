// layout.ts: the shared-memory layout, read from the module's own `L_*` global exports.
//
// The module exports every geometry constant and region offset it uses (assembly/layout.ts),
// so the host never repeats a number that could drift from the allocator: if a constant the
// host needs is missing, instantiation fails loudly here instead of decoding garbage later.
// Field offsets inside records come from abi.generated.ts (generated from the classes).

/** Every layout constant the host decodes with (names without the `L_` prefix). */
export const LAYOUT_KEYS = [
  'VERSION', 'DEBUG_BUILD', 'HEAP_FORMAT', 'HEAP_STATUS_FOREIGN', 'INIT_REFUSED',
  'CHUNK_SIZE', 'CHUNK_SHIFT', 'SLAB_SIZE', 'SLABS_PER_SS', 'SS_HEADER_SIZE', 'TINY_MAX', 'SMALL_MAX',
  'LARGE_MAX', 'NUM_CLASSES', 'MAX_ALIGN', 'MAX_CHUNKS',
  'HEAP_BASE', 'CONTROL_SIZE', 'THREAD_OFF', 'THREAD_TABLE_OFF', 'HEADER_OFF', 'REGISTRY_OFF', 'FAULT_OFF',
  'FAULT_CAP', 'FAULT_RECORD_SIZE', 'CHECK_OFF', 'CHECK_DETAIL_CAP', 'CHECK_CLASS_TOTALS_OFF',
  'CLASS_MAP_OFF', 'CLASS_SIZE_OFF', 'STATS_OFF', 'THREAD_SIZE',
  'MAX_THREADS', 'RETIRER_SHIFT', 'RING_EVENTS_OFF', 'RING_CAP', 'RING_EVENT_SIZE',
  'SS_META_OFFSET', 'SLAB_META_SIZE', 'SS_REMOTE_OFFSET', 'REMOTE_STRIDE', 'REMOTE_BITS_MIN_STRIDE',
  'TH_CACHE_OFFSET', 'CACHE_ENTRY_SIZE', 'TH_FLOW_OFFSET', 'CACHE_FLOW_SIZE', 'TH_COUNTERS_OFFSET',
  'TH_OUTBOX_OFFSET', 'OUTBOX_SIZE', 'OUTBOX_ENTRY_SIZE',
  'TH_LARGE_CACHE_OFFSET', 'LARGE_CACHE_SLOTS', 'LARGE_CACHE_UNITS', 'LARGE_UNIT_MASK',
  'REG_FREE', 'REG_SUPERSLAB', 'REG_HUGE', 'REG_HUGE_TAIL', 'REG_KIND_MASK', 'REG_PAYLOAD_SHIFT',
  'FOUND_CLASS_SHIFT', 'FOUND_OWNER_SHIFT',
] as const;

/** A layout constant's name. */
export type LayoutKey = (typeof LAYOUT_KEYS)[number];

/**
 * Absolute addresses of the control region's parts: HEAP_BASE plus the part's offset. The
 * module exports the offsets (they are constants) and the heap base it was given (an
 * import), so these are sums, never numbers of their own.
 */
const ABSOLUTE = {
  THREAD_BASE: 'THREAD_OFF', THREAD_TABLE_BASE: 'THREAD_TABLE_OFF', HEADER_BASE: 'HEADER_OFF', REGISTRY_BASE: 'REGISTRY_OFF',
  FAULT_BASE: 'FAULT_OFF', CHECK_BASE: 'CHECK_OFF', STATS_BASE: 'STATS_OFF',
  RING_BASE: 'RING_EVENTS_OFF',
} as const satisfies Record<string, LayoutKey>;

/** An absolute address the layout derives. */
export type AbsoluteKey = keyof typeof ABSOLUTE;

/**
 * The decoded layout: one number per known constant and per derived address, plus `all`
 * with every `L_*` export found (a newer module may export more than this host knows about).
 */
export type Layout = Readonly<Record<LayoutKey | AbsoluteKey, number>> & {
  readonly all: Readonly<Record<string, number>>;
};

/** Read every `L_*` global of an instance's exports into a Layout; throws if one is missing. */
export function readLayout(exports: WebAssembly.Exports): Layout {
  const all: Record<string, number> = {};
  for (const [name, value] of Object.entries(exports)) {
    if (!name.startsWith('L_') || !(value instanceof WebAssembly.Global)) continue;
    all[name.slice(2)] = Number(value.value) >>> 0;
  }
  const missing = LAYOUT_KEYS.filter((k) => !(k in all));
  if (missing.length > 0) {
    throw new Error(`wasm module lacks layout exports: ${missing.map((k) => 'L_' + k).join(', ')}`);
  }
  const layout: Record<string, unknown> = { all: Object.freeze(all) };
  for (const k of LAYOUT_KEYS) layout[k] = all[k];
  for (const [k, off] of Object.entries(ABSOLUTE)) layout[k] = all.HEAP_BASE + all[off];
  return Object.freeze(layout) as Layout;
}

/** Absolute address of thread slot `slot`'s record (slot 0: the unattached record). */
export function threadRecordAddr(layout: Layout, slot: number): number {
  return slot === 0 ? layout.THREAD_BASE : layout.THREAD_TABLE_BASE + (slot - 1) * layout.THREAD_SIZE;
}
