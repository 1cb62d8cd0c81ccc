// layout.ts: the layout's constants, exported so the host decodes shared memory from the
// module itself instead of repeating numbers (every constant stays defined once, in
// types.ts). The host collects every export whose name starts with "L_". The control
// region's parts are exported as offsets from L_HEAP_BASE (the heap base, imported or baked
// in by a link, exported back), so the host finds them wherever the embedder put the heap.
//
// Field offsets inside records are not exported here: the host's record descriptors are
// generated from the @unmanaged classes themselves (scripts/gen-abi.mjs), and a test checks
// them against this compiler's offsetof.

import * as T from "./types";
import { INIT_REFUSED } from "./init";

export const L_VERSION: u32 = T.LAYOUT_VERSION;
export const L_HEAP_FORMAT: u32 = T.HEAP_FORMAT;
export const L_HEAP_STATUS_FOREIGN: u32 = T.HEAP_STATUS_FOREIGN;
export const L_INIT_REFUSED: u32 = INIT_REFUSED;
export const L_DEBUG_BUILD: u32 = T.DEBUG_BUILD ? 1 : 0;
// geometry
export const L_CHUNK_SIZE: u32 = T.CHUNK_SIZE;
export const L_CHUNK_SHIFT: u32 = T.CHUNK_SHIFT;
export const L_SLAB_SIZE: u32 = T.SLAB_SIZE;
export const L_SLABS_PER_SS: u32 = T.SLABS_PER_SS;
export const L_SS_HEADER_SIZE: u32 = T.SS_HEADER_SIZE;
export const L_TINY_MAX: u32 = T.TINY_MAX;
export const L_SMALL_MAX: u32 = T.SMALL_MAX;
export const L_LARGE_MAX: u32 = T.LARGE_MAX;
export const L_NUM_CLASSES: u32 = T.NUM_CLASSES;
export const L_MAX_ALIGN: u32 = T.MAX_ALIGN;
export const L_MAX_CHUNKS: u32 = T.MAX_CHUNKS;
// the control region: HEAP_BASE, then offsets from it (the host adds them up)
export const L_HEAP_BASE: usize = T.HEAP_BASE;
export const L_CONTROL_SIZE: u32 = T.CONTROL_SIZE;
export const L_THREAD_OFF: u32 = T.THREAD_OFF;
export const L_THREAD_TABLE_OFF: u32 = T.THREAD_TABLE_OFF;
export const L_HEADER_OFF: u32 = T.HEADER_OFF;
export const L_REGISTRY_OFF: u32 = T.REGISTRY_OFF;
export const L_FAULT_OFF: u32 = T.FAULT_OFF;
export const L_FAULT_CAP: u32 = T.FAULT_CAP;
export const L_FAULT_RECORD_SIZE: u32 = T.FAULT_RECORD_SIZE;
export const L_CHECK_OFF: u32 = T.CHECK_OFF;
export const L_CHECK_DETAIL_CAP: u32 = T.CHECK_DETAIL_CAP;
export const L_CHECK_CLASS_TOTALS_OFF: u32 = T.CHECK_CLASS_TOTALS_OFF;
export const L_CLASS_MAP_OFF: u32 = T.CLASS_MAP_OFF;
export const L_CLASS_SIZE_OFF: u32 = T.CLASS_SIZE_OFF;
export const L_STATS_OFF: u32 = T.STATS_OFF;
export const L_THREAD_SIZE: u32 = T.THREAD_SIZE;
export const L_MAX_THREADS: u32 = T.MAX_THREADS;
export const L_RETIRER_SHIFT: u32 = T.RETIRER_SHIFT;
export const L_OWNER_OFF: u32 = T.OWNER_OFF;
export const L_RING_EVENTS_OFF: u32 = T.RING_EVENTS_OFF;
export const L_RING_CAP: u32 = T.RING_CAP;
export const L_RING_EVENT_SIZE: u32 = T.RING_EVENT_SIZE;
// SuperSlab and slab metadata
export const L_SS_META_OFFSET: u32 = T.SS_META_OFFSET;
export const L_SLAB_META_SIZE: u32 = T.SLAB_META_SIZE;
export const L_SS_REMOTE_OFFSET: u32 = T.SS_REMOTE_OFFSET;
export const L_REMOTE_STRIDE: u32 = T.REMOTE_STRIDE;
export const L_REMOTE_BITS_MIN_STRIDE: u32 = T.REMOTE_BITS_MIN_STRIDE;
// thread records
export const L_TH_CACHE_OFFSET: u32 = T.TH_CACHE_OFFSET;
export const L_CACHE_ENTRY_SIZE: u32 = T.CACHE_ENTRY_SIZE;
export const L_TH_FLOW_OFFSET: u32 = T.TH_FLOW_OFFSET;
export const L_CACHE_FLOW_SIZE: u32 = T.CACHE_FLOW_SIZE;
export const L_TH_COUNTERS_OFFSET: u32 = T.TH_COUNTERS_OFFSET;
export const L_TH_OUTBOX_OFFSET: u32 = T.TH_OUTBOX_OFFSET;
export const L_OUTBOX_SIZE: u32 = T.OUTBOX_SIZE;
export const L_OUTBOX_ENTRY_SIZE: u32 = T.OUTBOX_ENTRY_SIZE;
export const L_TH_LARGE_CACHE_OFFSET: u32 = T.TH_LARGE_CACHE_OFFSET;
export const L_LARGE_CACHE_SLOTS: u32 = T.LARGE_CACHE_SLOTS;
export const L_LARGE_CACHE_UNITS: u32 = T.LARGE_CACHE_UNITS;
export const L_LARGE_UNIT_MASK: u32 = T.LARGE_UNIT_MASK;
// registry kinds
export const L_REG_FREE: u32 = T.REG_FREE;
export const L_REG_SUPERSLAB: u32 = T.REG_SUPERSLAB;
export const L_REG_HUGE: u32 = T.REG_HUGE;
export const L_REG_HUGE_TAIL: u32 = T.REG_HUGE_TAIL;
// bit packing: registry entries, and what a slab fault found
export const L_REG_KIND_MASK: u32 = T.REG_KIND_MASK;
export const L_REG_PAYLOAD_SHIFT: u32 = T.REG_PAYLOAD_SHIFT;
export const L_FOUND_CLASS_SHIFT: u32 = T.FOUND_CLASS_SHIFT;
export const L_FOUND_OWNER_SHIFT: u32 = T.FOUND_OWNER_SHIFT;
