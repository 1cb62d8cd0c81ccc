// layout.ts: the layout, exported as constants so the host decodes shared memory from the
// module itself instead of repeating offsets (every constant stays defined once, in
// types.ts). The host collects every export whose name starts with "L_". The control
// region's parts are exported as offsets from L_HEAP_BASE (the imported heap base, exported
// back), so the host finds them wherever the embedder put the heap.

import * as T from "./types";

export const L_VERSION: u32 = T.LAYOUT_VERSION;
export const L_DEBUG_BUILD: u32 = T.DEBUG_BUILD ? 1 : 0;
// geometry
export const L_CHUNK_SIZE: u32 = T.CHUNK_SIZE;
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
export const L_HEADER_OFF: u32 = T.HEADER_OFF;
export const L_REGISTRY_OFF: u32 = T.REGISTRY_OFF;
export const L_FAULT_OFF: u32 = T.FAULT_OFF;
export const L_FAULT_CAP: u32 = T.FAULT_CAP;
export const L_FAULT_RECORD_SIZE: u32 = T.FAULT_RECORD_SIZE;
export const L_CHECK_OFF: u32 = T.CHECK_OFF;
export const L_CHECK_DETAIL_CAP: u32 = T.CHECK_DETAIL_CAP;
export const L_CLASS_MAP_OFF: u32 = T.CLASS_MAP_OFF;
export const L_CLASS_SIZE_OFF: u32 = T.CLASS_SIZE_OFF;
export const L_STATS_OFF: u32 = T.STATS_OFF;
export const L_STATS_GLOBAL_WORDS: u32 = T.STATS_GLOBAL_WORDS;
export const L_STATS_CLASS_WORDS: u32 = T.STATS_CLASS_WORDS;
export const L_THREAD_SIZE: u32 = T.THREAD_SIZE;
export const L_MAX_THREADS: u32 = T.MAX_THREADS;
export const L_RING_EVENTS_OFF: u32 = T.RING_EVENTS_OFF;
export const L_RING_CAP: u32 = T.RING_CAP;
export const L_RING_EVENT_SIZE: u32 = T.RING_EVENT_SIZE;
// global header fields
export const L_GH_INIT_STATE: u32 = offsetof<T.GlobalHeader>("initState");
export const L_GH_RING_SEQ: u32 = offsetof<T.GlobalHeader>("ringSeq");
export const L_GH_RING_MODE: u32 = offsetof<T.GlobalHeader>("ringMode");
export const L_GH_FAULT_SEQ: u32 = offsetof<T.GlobalHeader>("faultSeq");
export const L_GH_FAULT_POLICY: u32 = offsetof<T.GlobalHeader>("faultPolicy");
export const L_GH_POOL_LOCK: u32 = offsetof<T.GlobalHeader>("poolLock");
export const L_GH_CHUNK_COUNT: u32 = offsetof<T.GlobalHeader>("chunkCount");
export const L_GH_FIRST_CHUNK: u32 = offsetof<T.GlobalHeader>("firstChunk");
// SuperSlab and slab metadata
export const L_SS_META_OFFSET: u32 = T.SS_META_OFFSET;
export const L_SLAB_META_SIZE: u32 = T.SLAB_META_SIZE;
export const L_SS_REMOTE_OFFSET: u32 = T.SS_REMOTE_OFFSET;
export const L_REMOTE_STRIDE: u32 = T.REMOTE_STRIDE;
export const L_SS_USED_MASK: u32 = offsetof<T.SuperSlabHeader>("usedMask");
export const L_SM_OWNER: u32 = offsetof<T.SlabMeta>("owner");
export const L_SM_STATE: u32 = offsetof<T.SlabMeta>("state");
export const L_SM_CLASS: u32 = offsetof<T.SlabMeta>("cls");
export const L_SM_LIST: u32 = offsetof<T.SlabMeta>("list");
export const L_SM_SPAN: u32 = offsetof<T.SlabMeta>("span");
export const L_SM_STRIDE: u32 = offsetof<T.SlabMeta>("stride");
export const L_SM_DATA_START: u32 = offsetof<T.SlabMeta>("dataStart");
export const L_SM_CAPACITY: u32 = offsetof<T.SlabMeta>("capacity");
export const L_SM_CARVED: u32 = offsetof<T.SlabMeta>("carved");
export const L_SM_FREE_COUNT: u32 = offsetof<T.SlabMeta>("freeCount");
export const L_SM_USED: u32 = offsetof<T.SlabMeta>("used");
export const L_SM_LARGE_SIZE: u32 = offsetof<T.SlabMeta>("largeSize");
// thread records
export const L_TH_TID: u32 = offsetof<T.ThreadHeader>("tid");
export const L_TH_STATE: u32 = offsetof<T.ThreadHeader>("state");
export const L_TH_CACHE_OFFSET: u32 = T.TH_CACHE_OFFSET;
export const L_CACHE_ENTRY_SIZE: u32 = T.CACHE_ENTRY_SIZE;
export const L_TH_COUNTERS_OFFSET: u32 = T.TH_COUNTERS_OFFSET;
export const L_TH_OUTBOX_OFFSET: u32 = T.TH_OUTBOX_OFFSET;
export const L_OUTBOX_SIZE: u32 = T.OUTBOX_SIZE;
export const L_OUTBOX_ENTRY_SIZE: u32 = T.OUTBOX_ENTRY_SIZE;
export const L_OB_SLAB: u32 = offsetof<T.OutboxEntry>("slab");
export const L_OB_HEAD: u32 = offsetof<T.OutboxEntry>("head");
export const L_OB_COUNT: u32 = offsetof<T.OutboxEntry>("count");
// registry kinds
export const L_REG_FREE: u32 = T.REG_FREE;
export const L_REG_SUPERSLAB: u32 = T.REG_SUPERSLAB;
export const L_REG_HUGE: u32 = T.REG_HUGE;
export const L_REG_HUGE_TAIL: u32 = T.REG_HUGE_TAIL;
