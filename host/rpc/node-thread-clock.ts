// node-thread-clock.ts: the calling thread's scheduling clock on Linux, for a Node worker's
// timed calls (protocol.ts ThreadCpu): /proc/thread-self/schedstat holds the nanoseconds the
// thread has run on a CPU and has waited on a run queue. Elsewhere (no such file) there is no
// clock, and the timed call's reply says null. Precision: the kernel adds a running thread's
// time to its total at scheduler ticks and switches, so a thread reading its own total sees it
// up to one tick late (4 ms at HZ 250, 10 ms at HZ 100): a call's figure is within a tick.

import { readFileSync } from 'node:fs';

/** A reading of the calling thread's cumulative scheduling, in nanoseconds. */
export interface ThreadClockReading {
  runNs: number;
  waitNs: number;
}

/** Where Linux keeps the calling thread's scheduling totals. */
const SCHEDSTAT = '/proc/thread-self/schedstat';

/** Parse schedstat's text ("run_ns wait_ns timeslices"); null if it is not that. */
export function parseSchedstat(text: string): ThreadClockReading | null {
  const f = text.trim().split(/\s+/);
  if (f.length < 2 || !/^\d+$/.test(f[0]) || !/^\d+$/.test(f[1])) return null;
  return { runNs: Number(f[0]), waitNs: Number(f[1]) };
}

/** The calling thread's totals now, or null where the file cannot be read. */
export function readThreadClock(): ThreadClockReading | null {
  try {
    return parseSchedstat(readFileSync(SCHEDSTAT, 'utf8'));
  } catch {
    return null;
  }
}
