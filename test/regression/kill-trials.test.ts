// Kill trials (host/soak/kill-trial.ts) on the crash build: a victim thread trapped at crash
// points spread over three seeded scenarios (one per configuration: cache default with
// remote batch 4, cache off, small cache with unbatched remote frees), partners freeing into
// it, then reclaimed, everything freed and checked. The long version is
// `hakmem-wasm soak --suite kill`.

import fs from 'node:fs';
import { describe, it, expect } from 'vitest';
import { wasmPath } from '../../dist/host/core/module.js';
import { killTrials, killTrial, killPoints, killTrialFailed, KILL_CONFIGS } from '../../dist/host/soak/kill-trial.js';

const module = new WebAssembly.Module(fs.readFileSync(wasmPath('crash')));

describe('a thread killed at any crash point is reclaimed with nothing lost', () => {
  it('every fourth crash point of three scenarios: reclaimed, nothing damaged or handed out twice, checker clean', () => {
    const s = killTrials(module, 3, 1, 4);
    expect(s.failures, JSON.stringify(s.failures.slice(0, 3))).toEqual([]);
    expect(s.failed).toBe(0);
    expect(s.uncleanChecks).toBe(0);
    // the trials really landed everywhere: in each kind of operation, inside journaled updates
    // (repairs) and inside a malloc's pop (the one block that may stay with the dead thread)
    expect(s.trials).toBeGreaterThan(1000);
    for (const [where, n] of Object.entries(s.killedIn)) expect(n, where).toBeGreaterThan(0);
    expect(s.repairs).toBeGreaterThan(0);
    expect(s.deadHeld).toBeGreaterThan(0);
    expect(s.blocksLost).toBe(s.deadHeld); // every block left in use is one reclaim counted
  }, 120_000);

  it('the control: without reclaim, the same kills leave blocks behind and the trial fails', () => {
    const cfg = KILL_CONFIGS[0]!;
    const total = killPoints(module, cfg.config, 1);
    let failed = 0, trials = 0;
    for (let n = 1; n <= total; n += 97) {
      const t = killTrial(module, cfg.name, cfg.config, 1, n, { skipReclaim: true });
      trials++;
      if (killTrialFailed(t)) failed++;
    }
    expect(trials).toBeGreaterThan(10);
    expect(failed).toBe(trials);
  });
});
