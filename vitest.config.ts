import { defineConfig } from 'vitest/config';

// Tests spawn worker_threads over shared memory; they run in forked processes, a few at a
// time (the suite must stay within minutes on 2 cores).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
