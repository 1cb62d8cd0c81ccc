// spsc.ts: lock-free single-producer single-consumer queues between stress workers, in their
// own SharedArrayBuffer (never in the allocator's heap: the test traffic must not disturb
// the allocator it is testing).
//
// One queue per ordered pair (from -> to). Each entry carries a block: ptr, size, seq.
// The producer owns `tail`, the consumer owns `head`; each index sits on its own cache line.
// Entries are written with plain stores and published by the seq-cst store of the index,
// which the other side reads with a seq-cst load (JS atomics synchronise plain accesses).
//
//   Int32Array words:
//   [0, 16)                      control: done count, workers, capacity
//   [16, 16 + 32 * Q)            per queue: head at +0, tail at +16 (separate lines)
//   then Q x capacity x 4        entries {ptr, size, seq, _}

const CONTROL_WORDS = 16;
const DONE = 0;
const WORKERS = 1;
const CAPACITY = 2;
const INDEX_WORDS = 32;
const TAIL = 16;
const ENTRY_WORDS = 4;

/** A block in flight between two workers. */
export interface QueuedBlock {
  ptr: number;
  size: number;
  seq: number;
}

/** The queues of one stress run (usable from any thread that has the buffer). */
export class SpscQueues {
  private readonly w: Int32Array;
  readonly workers: number;
  readonly capacity: number;
  private readonly dataBase: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.w = new Int32Array(buffer);
    this.workers = this.w[WORKERS]!;
    this.capacity = this.w[CAPACITY]!;
    this.dataBase = CONTROL_WORDS + INDEX_WORDS * this.workers * this.workers;
  }

  /** Allocate queues for `workers` workers, `capacity` entries each (a power of two). */
  static create(workers: number, capacity = 256): SpscQueues {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError('workers must be >= 1');
    if (capacity < 1 || (capacity & (capacity - 1)) !== 0) throw new RangeError('capacity must be a power of two');
    const q = workers * workers;
    const words = CONTROL_WORDS + INDEX_WORDS * q + q * capacity * ENTRY_WORDS;
    const buffer = new SharedArrayBuffer(words * 4);
    const w = new Int32Array(buffer);
    w[WORKERS] = workers;
    w[CAPACITY] = capacity;
    return new SpscQueues(buffer);
  }

  /** Word index of queue from -> to's head. */
  private index(from: number, to: number): number {
    return CONTROL_WORDS + INDEX_WORDS * (from * this.workers + to);
  }

  /** Word index of entry `slot` of queue from -> to. */
  private entry(from: number, to: number, slot: number): number {
    return this.dataBase + ((from * this.workers + to) * this.capacity + slot) * ENTRY_WORDS;
  }

  /** Producer side: enqueue a block; false if the queue is full (never blocks). */
  push(from: number, to: number, ptr: number, size: number, seq: number): boolean {
    const ix = this.index(from, to);
    const tail = this.w[ix + TAIL]!; // only this producer writes it: a plain read is exact
    const head = Atomics.load(this.w, ix);
    if (((tail - head) | 0) >= this.capacity) return false;
    const e = this.entry(from, to, tail & (this.capacity - 1));
    this.w[e] = ptr | 0;
    this.w[e + 1] = size | 0;
    this.w[e + 2] = seq | 0;
    Atomics.store(this.w, ix + TAIL, (tail + 1) | 0); // publishes the entry
    return true;
  }

  /** Consumer side: dequeue into `out`; false if the queue is empty. */
  pop(from: number, to: number, out: QueuedBlock): boolean {
    const ix = this.index(from, to);
    const head = this.w[ix]!; // only this consumer writes it
    if (Atomics.load(this.w, ix + TAIL) === head) return false;
    const e = this.entry(from, to, head & (this.capacity - 1));
    out.ptr = this.w[e]! >>> 0;
    out.size = this.w[e + 1]! >>> 0;
    out.seq = this.w[e + 2]! >>> 0;
    Atomics.store(this.w, ix, (head + 1) | 0); // hands the slot back to the producer
    return true;
  }

  /** Entries waiting in queue from -> to (racy unless both sides are idle). */
  length(from: number, to: number): number {
    const ix = this.index(from, to);
    return (Atomics.load(this.w, ix + TAIL) - Atomics.load(this.w, ix)) | 0;
  }

  /** A worker finished producing: count it and wake waiters. */
  markDone(): void {
    Atomics.add(this.w, DONE, 1);
    Atomics.notify(this.w, DONE);
  }

  /** How many workers finished producing. */
  doneCount(): number {
    return Atomics.load(this.w, DONE);
  }

  /**
   * Sleep until the done count changes from `seen` or `ms` pass. Blocks the thread: call it
   * from workers only (Atomics.wait traps on a browser's main thread).
   */
  waitDone(seen: number, ms: number): void {
    Atomics.wait(this.w, DONE, seen, ms);
  }
}
