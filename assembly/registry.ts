// registry.ts: pointer -> chunk kind in O(1), a flat u32 table indexed by address >> 20.
//
// With at most 4 GiB of linear memory there are 4096 chunks, so the table has no hashing,
// no probing and cannot miss (seed 002): an entry is written before its chunk's first block
// is handed out and cleared only after its last block came back. A pointer whose entry is
// not REG_SUPERSLAB / REG_HUGE is an invalid free, never a guess.

import { HEAP_BASE, REGISTRY_OFF, CHUNK_SHIFT, REG_KIND_MASK, REG_PAYLOAD_SHIFT } from "./types";

/**
 * Registry entry of the chunk holding `p` (plain load: entries change only with ownership).
 * The table's offset is the load's immediate: HEAP_BASE + index, one add (fast-path cost).
 */
// @ts-ignore: decorator
@inline export function registryOf(p: usize): u32 {
  return load<u32>(HEAP_BASE + ((p >>> CHUNK_SHIFT) << 2), REGISTRY_OFF);
}

/** Registry entry of chunk `chunk`. */
// @ts-ignore: decorator
@inline export function registryGet(chunk: u32): u32 {
  return atomic.load<u32>(HEAP_BASE + (<usize>chunk << 2), REGISTRY_OFF);
}

/** Publish a registry entry (seq-cst: the chunk's header writes are visible before it). */
// @ts-ignore: decorator
@inline export function registrySet(chunk: u32, entry: u32): void {
  atomic.store<u32>(HEAP_BASE + (<usize>chunk << 2), entry, REGISTRY_OFF);
}

/** Kind of a registry entry (REG_*). */
// @ts-ignore: decorator
@inline export function regKind(entry: u32): u32 {
  return entry & REG_KIND_MASK;
}

/** Payload of a registry entry (huge span length, or a tail's head chunk). */
// @ts-ignore: decorator
@inline export function regPayload(entry: u32): u32 {
  return entry >>> REG_PAYLOAD_SHIFT;
}

/** Build an entry. */
// @ts-ignore: decorator
@inline export function regMake(kind: u32, payload: u32): u32 {
  return kind | (payload << REG_PAYLOAD_SHIFT);
}
