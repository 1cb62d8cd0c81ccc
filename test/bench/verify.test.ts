// The workloads' pattern check (bench/assembly/touch.ts `broken`, WORKLOADS.md section 2) must
// be able to fail: a block whose pattern byte was overwritten is counted in `bad`, by larson's
// loop when the run verifies (before it frees the block) and by its teardown always; a run
// that does not verify frees the same block unchecked.
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, Engine, u32, u64 } from '../../dist/host/bench/engine.js';

const CHUNKS = 64, MIN = 16, MAX = 64, STEPS = 2000, SEED = 4141;

let open: Engine | null = null;
afterEach(async () => { await open?.close(); open = null; });

/** A one-lineage larson run set up (every slot filled and patterned), not yet run. */
async function setUp(verify: boolean): Promise<{ e: Engine; run: number; slots: number }> {
  const e = await createEngine('release');
  open = e;
  const run = e.ex.larson_setup(1, CHUNKS, MIN, MAX, STEPS, 0, verify ? 1 : 0, SEED, STEPS) >>> 0;
  expect(run).not.toBe(0);
  const lineage = u32(e, run + e.g.BL_LR_LINEAGES);
  return { e, run, slots: u32(e, lineage + e.g.BL_LL_SLOTS) };
}

/** Flip every bit of the first byte of the block in slot `k`. */
function spoil(e: Engine, slots: number, k: number): void {
  const p = u32(e, slots + k * e.g.BL_SLOT_SIZE);
  const v = new Uint8Array(e.view().buffer);
  v[p] ^= 0xff;
}

/** Run the lineage's generations on a worker, then the teardown; the run's `bad`. */
async function finish(e: Engine, run: number): Promise<number> {
  while (await e.call(0, 'larson_generation', [run, 0]) !== 0) { /* next generation */ }
  e.ex.larson_teardown(run);
  const bad = u64(e, run + e.g.BL_LR_BAD);
  e.ex.bench_record_free(run);
  return bad;
}

describe('the workloads\' pattern check', () => {
  it('an untouched run has nothing bad', async () => {
    const { e, run } = await setUp(true);
    expect(await finish(e, run)).toBe(0);
  });

  it('larson\'s loop, verifying, counts a spoiled block it frees', async () => {
    const { e, run, slots } = await setUp(true);
    spoil(e, slots, 0); // 2000 steps over 64 slots: slot 0 is freed (and refilled) in the loop
    expect(await finish(e, run)).toBe(1);
  });

  it('larson\'s loop, not verifying, frees it unchecked', async () => {
    const { e, run, slots } = await setUp(false);
    spoil(e, slots, 0);
    expect(await finish(e, run)).toBe(0);
  });

  it('the teardown counts a spoiled live block, verifying or not', async () => {
    const { e, run, slots } = await setUp(false);
    while (await e.call(0, 'larson_generation', [run, 0]) !== 0) { /* every generation */ }
    spoil(e, slots, 5);
    spoil(e, slots, 9);
    e.ex.larson_teardown(run);
    expect(u64(e, run + e.g.BL_LR_BAD)).toBe(2);
    e.ex.bench_record_free(run);
  });
});
