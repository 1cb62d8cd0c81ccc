// node-thread-clock.ts: the calling thread's scheduling clock on Linux, for a Node worker's
// timed calls (protocol.ts ThreadCpu): /proc/thread-self/schedstat holds the nanoseconds the
// thread has run on a CPU and has waited on a run queue, and /proc/thread-self/stat its count
// of minor page faults (pages it touched first, which the kernel then had to map). Elsewhere
// (no such file) there is no clock, and the timed call's reply says null. Precision: the kernel adds a running thread's
// time to its total at scheduler ticks and switches, so a thread reading its own total sees it
// up to one tick late (4 ms at HZ 250, 10 ms at HZ 100): a call's figure is within a tick.

import { readFileSync } from 'node:fs';

/** A reading of the calling thread's cumulative scheduling (nanoseconds) and minor faults. */
export interface ThreadClockReading {
  runNs: number;
  waitNs: number;
  minorFaults: number | null; // null where the stat file cannot be read or parsed
}

/** Where Linux keeps the calling thread's scheduling totals. */
const SCHEDSTAT = '/proc/thread-self/schedstat';
/** Where Linux keeps the calling thread's status line (proc(5): /proc/pid/stat). */
const STAT = '/proc/thread-self/stat';

/** Parse schedstat's text ("run_ns wait_ns timeslices"); null if it is not that. */
export function parseSchedstat(text: string): { runNs: number; waitNs: number } | null {
  const f = text.trim().split(/\s+/);
  if (f.length < 2 || !/^\d+$/.test(f[0]) || !/^\d+$/.test(f[1])) return null;
  return { runNs: Number(f[0]), waitNs: Number(f[1]) };
}

/**
 * The minor-fault count of a stat line ("pid (comm) state ppid ... minflt ..."): the 10th
 * field, the 7th after the command name, which is in parentheses and may itself hold spaces
 * and parentheses (so the fields are counted from its last ')'). null if it is not that.
 */
export function parseMinorFaults(text: string): number | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 1).trim().split(/\s+/);
  return f.length > 7 && /^\d+$/.test(f[7]) ? Number(f[7]) : null;
}

/** The calling thread's totals now, or null where the schedstat file cannot be read. */
export function readThreadClock(): ThreadClockReading | null {
  let sched: { runNs: number; waitNs: number } | null;
  try {
    sched = parseSchedstat(readFileSync(SCHEDSTAT, 'utf8'));
  } catch {
    return null;
  }
  if (sched === null) return null;
  let minorFaults: number | null = null;
  try {
    minorFaults = parseMinorFaults(readFileSync(STAT, 'utf8'));
  } catch { /* no fault count */ }
  return { ...sched, minorFaults };
}
