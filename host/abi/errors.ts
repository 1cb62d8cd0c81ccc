// errors.ts: typed errors carrying what the allocator recorded in shared memory, so a test
// or a page can show *why* (the decoded fault, the events just before it) and not only that
// something went wrong.

import { formatCheck, formatRingEvent, type CheckReport, type FaultRecord,
         type RingEvent } from './decode.js';

/** How many ring events an error message shows (the error object keeps all it was given). */
const EVENTS_IN_MESSAGE = 8;

/** The tail of a message listing recent ring events. */
function eventsText(events: readonly RingEvent[]): string {
  if (events.length === 0) return '';
  const shown = events.slice(-EVENTS_IN_MESSAGE).map((e) => `  ${formatRingEvent(e)}`);
  return `\nlast ring events:\n${shown.join('\n')}`;
}

/** The allocator recorded a fault (bad free, double free, failed assertion...). */
export class HeapFaultError extends Error {
  override name = 'HeapFaultError';
  /** Every fault at once: the first is the one the message names. */
  readonly faults: readonly FaultRecord[];

  /** @param events the last ring events when the fault was noticed */
  constructor(readonly fault: FaultRecord, readonly events: readonly RingEvent[] = [],
              more: readonly FaultRecord[] = []) {
    super(fault.text + eventsText(events));
    this.faults = [fault, ...more];
  }
}

/** A worker died (trapped, threw, or was terminated) while the host still expected answers. */
export class WorkerDiedError extends Error {
  override name = 'WorkerDiedError';

  /**
   * @param index the worker's index in its pool
   * @param tid its allocator thread id (0 if it never attached)
   * @param exitCode the worker's exit code (null if it had not exited yet)
   * @param faults faults recorded by this worker's tid
   * @param events the last ring events read after the death
   * @param cause the error the worker raised, if any
   * @param request the request it was serving when it trapped, e.g. `call free` (if it trapped)
   */
  constructor(readonly index: number, readonly tid: number, readonly exitCode: number | null,
              readonly faults: readonly FaultRecord[], readonly events: readonly RingEvent[],
              override readonly cause?: unknown, readonly request?: string) {
    const why = cause instanceof Error ? `: ${cause.message}` : '';
    const during = request ? ` while serving ${request}` : '';
    const faultLines = faults.map((f) => `\n  fault #${f.seq}: ${f.text}`).join('');
    super(`worker ${index} (thread ${tid}) died with exit code ${exitCode ?? '?'}${during}${why}` +
          faultLines + eventsText(events));
  }

  /** The last fault this worker recorded, if any. */
  get fault(): FaultRecord | undefined {
    return this.faults[this.faults.length - 1];
  }
}

/** The heap checker found violations. */
export class HeapCheckError extends Error {
  override name = 'HeapCheckError';

  constructor(readonly report: CheckReport) {
    super(formatCheck(report));
  }
}
