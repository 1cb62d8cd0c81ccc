// relief.ts: out-of-memory relief across threads. A thread that cannot get memory even after
// giving back everything it holds asks every other live thread to do the same: it bumps the
// heap's relief epoch, and each live thread, at its next slow path, sees an epoch it has not
// answered, gives back its cached blocks and empty slabs (giveBackAll; only a slab's owner may
// touch it, so the asker cannot take them itself), and records the epoch as answered. The
// asker polls for a bounded time until every live thread answered, then retries once. A
// thread that never reaches a slow path (idle, or blocked outside the allocator) cannot
// answer: then the retry fails as before, and that thread answers at its next call. Dormant
// threads (thread.ts, rest) cannot answer either: the asker retires them itself first.

import { GlobalHeader, ThreadHeader, MAX_THREADS, THREAD_ACTIVE, RELIEF_POLLS, RELIEF_SPIN, hdr, hdrField }
  from "./types";
import { giveBackAll, recordAt, retireDormant } from "./thread";

/** Has a thread out of memory asked for relief since `rec` last answered? One load, one compare. */
// @ts-ignore: decorator
@inline export function reliefDue(rec: usize): bool {
  return hdr().reliefEpoch != changetype<ThreadHeader>(rec).reliefSeen;
}

/** Give back everything `rec` holds for the threads out of memory, and say so. */
export function answerRelief(rec: usize, tid: u32): void {
  const epoch = atomic.load<u32>(hdrField(offsetof<GlobalHeader>("reliefEpoch")));
  giveBackAll(rec, tid);
  atomic.store<u32>(rec + offsetof<ThreadHeader>("reliefSeen"), epoch);
}

/** Did every live thread answer `epoch`? */
function allAnswered(epoch: u32): bool {
  for (let slot: u32 = 1; slot < MAX_THREADS; slot++) {
    const rec = recordAt(slot);
    if (atomic.load<u32>(rec + offsetof<ThreadHeader>("state")) != THREAD_ACTIVE) continue;
    if (<i32>(atomic.load<u32>(rec + offsetof<ThreadHeader>("reliefSeen")) - epoch) < 0) return false;
  }
  return true;
}

/**
 * `rec` is out of memory after giving back all it held: ask every live thread for relief and
 * wait (bounded: RELIEF_POLLS polls, RELIEF_SPIN spins apart) until all answered. The caller
 * retries its allocation once afterwards.
 */
export function askRelief(rec: usize): void {
  retireDormant(MAX_THREADS); // resting threads cannot answer: their holdings are taken here
  const epochAddr = hdrField(offsetof<GlobalHeader>("reliefEpoch"));
  const epoch = atomic.add<u32>(epochAddr, 1) + 1;
  atomic.store<u32>(rec + offsetof<ThreadHeader>("reliefSeen"), epoch); // it gave back already
  for (let i: u32 = 0; i < RELIEF_POLLS; i++) {
    if (allAnswered(epoch)) return;
    for (let j: u32 = 0; j < RELIEF_SPIN; j++) {
      if (atomic.load<u32>(epochAddr) != epoch) return; // another asker: its poll covers ours
    }
  }
}
