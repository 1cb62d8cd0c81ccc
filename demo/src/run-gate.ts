// run-gate.ts: a page-side concurrency gate for workload calls. With more busy workers than
// cores, the operating system shares the cores among all of them and the page's main
// thread (which draws every frame) gets only its 1/(workers + 1) share: at 32 workers on
// 2 cores that is about 60 ms of CPU a second, roughly what Chromium needs to produce 60
// frames with nothing else to do, so any view work costs frames. The gate lets at most
// `slots` workload calls run at once (by default one per core) and queues the others in
// FIFO order; a queued worker sleeps in its message loop and takes no CPU. Then there are
// never more busy workers than cores, and the main thread gets a core's fair share.
//
// It fits workloads whose threads make independent calls: larson (one call per generation:
// a queued lineage simply starts its next generation later; its checksums do not depend on
// the interleaving) and random_mixed (one call per copy's run). It must not gate calls
// that wait for each other: an xfree consumer holding a slot while the producer it waits
// for is queued would never finish. Such a run is admitted whole (`runAll`), or not gated.
//
// larson and random_mixed run their calls through a gate; xfree does not (its producers and
// consumers spin on each other, and its run already leaves the page its share).

/** The number of calls that may run at once by default: one per core the browser reports. */
export function defaultSlots(): number {
  return Math.max(1, (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 2);
}

/** A call waiting for slots: how many it needs, and how to let it go. */
interface Waiter {
  need: number;
  admit: () => void;
}

/** A FIFO counting semaphore around promise-returning calls. */
export class RunGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** Calls that had to wait for a slot so far (for the page's meter and tests). */
  queued = 0;

  /** @param slots calls allowed to run at once (at least 1) */
  constructor(readonly slots = defaultSlots()) {
    if (!(slots >= 1)) throw new RangeError('a gate needs at least one slot');
  }

  /** Calls running now. */
  get busy(): number { return this.running; }

  /** Run `call` once a slot is free; the slot is given back when its promise settles. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.acquire(1);
    try {
      return await call();
    } finally {
      this.release(1);
    }
  }

  /**
   * Run calls that must all run at once (xfree's producers and consumers): they wait until
   * the gate is idle, then hold every slot together (a run wider than the gate still runs,
   * only nothing else runs beside it).
   */
  async runAll<T>(calls: () => Promise<T>): Promise<T> {
    await this.acquire(this.slots);
    try {
      return await calls();
    } finally {
      this.release(this.slots);
    }
  }

  /** Wait until `n` slots are free, in arrival order, and take them. */
  private acquire(n: number): Promise<void> {
    if (this.waiting.length === 0 && this.running + n <= this.slots) {
      this.running += n;
      return Promise.resolve();
    }
    this.queued++;
    return new Promise((resolve) => {
      this.waiting.push({ need: n, admit: () => { this.running += n; resolve(); } });
    });
  }

  /** Give back `n` slots and admit waiters, in order, while they fit. */
  private release(n: number): void {
    this.running -= n;
    // In order: a wide waiter at the head holds back narrower ones behind it (no starvation).
    while (this.waiting.length > 0 && this.running + this.waiting[0]!.need <= this.slots) {
      this.waiting.shift()!.admit();
    }
  }
}
