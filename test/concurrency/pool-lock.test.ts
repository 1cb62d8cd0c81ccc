// The pool lock under contention (lock.ts): a thread that may block sleeps on a held lock and
// wakes when it is released; one that may not (set_can_wait(0), as on a browser page's main
// thread) spins; and six workers on two cores, many of them taking the lock, finish with every
// block verified and a clean heap check. Each scenario runs in a process of its own, once as
// is and once under `--liftoff-only`: Node 20's baseline compiler corrupts locals live across
// memory.atomic.wait32, and the lock's sleep must not be exposed to it.

import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pool-lock-sleep.mjs');

/** Run the fixture with `flags`; its last stdout line is what it saw. */
function runFixture(flags: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [...flags, FIXTURE], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, `exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe.each([['optimising tiers', []], ['--liftoff-only', ['--liftoff-only']]])('the pool lock (%s)', (_name, flags) => {
  it('sleeps when held and wakes on release; spins where it may not block; survives six workers on two cores', () => {
    const seen = runFixture(flags as string[]);
    // 1. slept on the held lock, did not finish while it was held, finished after release
    expect(seen.slept).toBe(true);
    expect(seen.sleeps).toBeGreaterThanOrEqual(1);
    expect(seen.doneWhileHeld).toBe(false);
    expect(seen.ptr).not.toBe(0);
    expect(seen.waitersAfter).toBe(0);
    // 2. the thread that may not block spun: never counted as a sleeper, finished after release
    expect(seen.spinWaiters).toBe(0);
    expect(seen.spinSleeps).toBe(0);
    expect(seen.spinDoneWhileHeld).toBe(false);
    expect(seen.ptr2).not.toBe(0);
    // 3. the oversubscribed stress run
    expect(seen.patternFailures, JSON.stringify(seen.failures)).toBe(0);
    expect(seen.largeAllocs).toBeGreaterThan(0);
    expect(seen.mallocs).toBe(seen.frees);
    expect(seen.lockTaken).toBeGreaterThan(0);
    expect(seen.violations).toBe(0);
    expect(seen.faults).toBe(0);
  });
});
