// timeout.ts: a promise that gives up. After a worker trapped, the heap may be damaged and
// a request to another worker may never be answered; the page must then say so rather than
// wait forever.

/** `p`, or a rejection naming `what` if it takes longer than `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
