// main.ts: the page. It boots the shared heap, starts the control worker (set-up, teardown,
// stats, heap check, bad free) and the workload workers on demand, and redraws the live views
// from shared memory on animation frames (frame-loop.ts: each view a few times a second,
// within a time budget per frame). The main thread never waits: every allocator call is a
// message to a worker, every view a read of the shared memory.

import { decodeFaults, decodeMap, decodeRing } from '../../host/abi/decode.js';
import { WorkerDiedError } from '../../host/abi/errors.js';
import { bootHeap, createAllocatorWorker, type DemoHeap } from './boot.js';
import { AllocatorWorker, WorkerPool } from '../../host/rpc/web-pool.js';
import { WORKLOADS, type LiveRun, type RunResult } from './workloads/index.js';
import { applyWorkloadDefaults, findControls, readParams, syncMode, type SizeRange } from './controls.js';
import { RANDOM_MIXED } from '../../host/workloads/index.js';
import { RateSampler } from './rate-sampler.js';
import { OpsChart } from './ops-chart.js';
import { MemoryMap } from './memory-map.js';
import { RingView } from './ring-view.js';
import { describeWorkers, StatsView, takeSnapshot, type HeapSnapshot } from './stats-view.js';
import { markCheckStale, runHeapCheck, showCheck } from './heap-check.js';
import { badFree, showBadFree, type BadFreeKind } from './bad-free.js';
import { drawLegend } from './legend.js';
import { withTimeout } from './timeout.js';
import { FrameLoop } from './frame-loop.js';
import { showMeter } from './perf-meter.js';

/**
 * How often each live view is refreshed, in ms. The frame loop runs them on animation
 * frames, a due one only while the frame's budget lasts; the map is drawn when its data
 * or the hovered cell changed.
 */
const PERIOD_MS = { chart: 200, mapDecode: 250, mapDraw: 1000, ring: 250, stats: 250 } as const;
/** How long reclaiming the threads of dead workers may take before the page gives up. */
const AFTER_DEATH_MS = 5000;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = $('status');
const controls = findControls(document);
const buttons = { start: $<HTMLButtonElement>('start'), stop: $<HTMLButtonElement>('stop'),
                  check: $<HTMLButtonElement>('check'), badFree: $<HTMLButtonElement>('badfree') };

/** The page's state: idle (anything allowed), running (a workload), busy (a check or bad free). */
type State = 'booting' | 'idle' | 'running' | 'busy' | 'error';

/** Show the state and enable what it allows. */
function setState(state: State, text: string): void {
  status.dataset.state = state;
  status.textContent = text;
  buttons.start.disabled = state !== 'idle';
  buttons.stop.disabled = state !== 'running';
  buttons.check.disabled = state !== 'idle';
  buttons.badFree.disabled = state !== 'idle' && state !== 'running';
}

/** Describe the selected workload's thread mapping (`sizes`: random_mixed's fixed block sizes). */
function workloadHint(sizes: SizeRange): string {
  switch (controls.workload.value) {
    case 'larson': return 'Each thread runs one lineage; every generation is a new allocator thread ' +
      'that frees blocks the previous ones allocated. At most one generation per core runs at once ' +
      '(the others queue), so the page stays responsive. Stop takes effect at the next generation.';
    case 'random_mixed': return 'Single-threaded: each thread runs its own copy (seed + k). Sizes are ' +
      `fixed at ${sizes.min}..${sizes.max} bytes. At most one copy per core runs at once. Stop takes effect ` +
      'when a copy finishes its current run.';
    default: return 'Half the threads allocate, the other half free: every free is a remote free. ' +
      'ops = 2 × blocks. Stop takes effect when the current run finishes.';
  }
}

/** Show a finished run and its cross-check against the known run with its parameters. */
function showResult(r: RunResult): void {
  const el = $('result');
  const sums = Object.entries(r.checksums).map(([k, v]) => `${k} ${v}`).join(', ');
  const check = r.check;
  const where = check ? `${check.run.source}: ${check.command}` : '';
  const verdict = !check ? '' : check.mismatches.length === 0
    ? `\nmatches ${where} ✓`
    : `\nDIFFERS from ${where} in ${check.mismatches.join(', ')}`;
  el.textContent = `${r.command}\n${r.ops.toLocaleString('en')} ops in ${r.secs.toFixed(2)} s = ` +
    `${(r.opsPerSec / 1e6).toFixed(2)} M ops/s${r.rounds > 1 ? ` (${r.rounds} runs)` : ''}` +
    `${r.stopped ? ' (stopped early)' : ''}\n${sums}, bad ${r.bad}${verdict}`;
  el.className = r.bad !== 0 || (check && check.mismatches.length) ? 'report bad' : check ? 'report ok' : 'report';
  el.dataset.result = JSON.stringify(r);
}

/** Show an error where the user looks. */
function showError(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  $('result').textContent = msg;
  $('result').className = 'report bad';
  console.error(e);
}

/** Everything that lives once the heap is up. */
class Demo {
  private run: { live: LiveRun; sampler: RateSampler } | null = null;
  /** Runs started so far (the number of the current or last one). */
  private runs = 0;
  private statsInFlight = false;
  /** A stats snapshot decoded but not yet shown (shown on the next frame). */
  private freshStats: HeapSnapshot | null = null;
  private readonly loop = new FrameLoop((m) => showMeter($('perf'), m));
  private readonly chart = new OpsChart($('chart'), $('chart-caption'));
  private readonly stats = new StatsView($('stats'), $('stats-run'));
  private readonly map: MemoryMap;
  private readonly ring: RingView;

  constructor(private readonly heap: DemoHeap, private readonly control: AllocatorWorker,
              private readonly pool: WorkerPool) {
    const view = heap.view;
    this.map = new MemoryMap($('map'), $('map-overlay'), $('map-info'), view, () => this.loop.wake('map draw'));
    this.ring = new RingView(view, $('ring'), $('ring-thread'), $('ring-kind'), $('ring-freeze'), $('ring-count'));
    drawLegend($('legend'), view.classSizes);
    this.chart.reset([]);
    this.loop.add('chart', PERIOD_MS.chart, () => this.sampleChart());
    this.loop.add('map decode', PERIOD_MS.mapDecode, () => { this.map.update(decodeMap(view)); this.loop.wake('map draw'); });
    this.loop.add('map draw', PERIOD_MS.mapDraw, () => this.map.draw());
    this.loop.add('ring', PERIOD_MS.ring, () => this.ring.refresh());
    this.loop.add('stats', PERIOD_MS.stats, () => this.refreshStats());
  }

  /** Sample the running run's op counts and redraw the chart. */
  private sampleChart(): void {
    if (!this.run) return;
    this.run.sampler.sample();
    this.chart.update(this.run.sampler);
  }

  /**
   * Show the snapshot that arrived since the last frame, and ask the control worker for the
   * next one (stats_collect runs there; the page only decodes what it wrote).
   */
  private refreshStats(): void {
    if (this.freshStats) {
      this.stats.show(this.freshStats);
      this.freshStats = null;
    }
    if (this.statsInFlight) return;
    this.statsInFlight = true;
    this.control.call('stats_collect')
      // Decoded at once: the next stats_collect would overwrite the block.
      .then(() => { this.freshStats = takeSnapshot(this.heap.view); })
      .catch(() => { /* a dead control worker is reported elsewhere */ })
      .finally(() => { this.statsInFlight = false; });
  }

  /** A fresh stats snapshot, collected now by the control worker (null if it cannot answer). */
  private async snapshotNow(): Promise<HeapSnapshot | null> {
    try {
      await withTimeout(this.control.call('stats_collect'), AFTER_DEATH_MS, 'the control thread');
      return takeSnapshot(this.heap.view);
    } catch {
      return null;
    }
  }

  /** The views' side of a run's start: number it, clear the chart, stamp the baseline. */
  private async beginRunViews(what: string): Promise<void> {
    const n = ++this.runs;
    this.chart.reset([], `run #${n}: ${what}`);
    markCheckStale($('check-report'), `run #${n} started`);
    const base = await this.snapshotNow();
    if (base) this.stats.beginRun(n, what, base);
  }

  /** The views' side of a run's end: freeze its per-run figures. */
  private async endRunViews(): Promise<void> {
    const final = await this.snapshotNow();
    if (final) this.stats.endRun(final);
  }

  /** Start a run with the controls' parameters; resolves when it ended. */
  async start(): Promise<void> {
    let params;
    try {
      params = readParams(controls);
    } catch (e) {
      showError(e);
      return;
    }
    setState('running', `running ${params.workload}…`);
    $('result').textContent = 'running…';
    $('result').className = 'report';
    delete $('result').dataset.result;
    await this.beginRunViews(`${params.workload}, ${params.threads} thread${params.threads === 1 ? '' : 's'}`);
    try {
      const live = await WORKLOADS[params.workload]({ heap: this.heap, control: this.control, pool: this.pool }, params);
      this.run = { live, sampler: new RateSampler(live.labels, live.progress) };
      this.chart.reset(live.labels);
      this.stats.setWorkers(describeWorkers(live.labels));
      const result = await live.done;
      this.run.sampler.sample(true);
      this.chart.update(this.run.sampler, true);
      showResult(result);
    } catch (e) {
      showError(e);
      try {
        await withTimeout(this.reportDead(e), AFTER_DEATH_MS, 'reclaiming the dead workers');
      } catch (late) {
        this.run = null;
        void this.endRunViews(); // not awaited: the control worker may not answer any more
        setState('error', `${late instanceof Error ? late.message : String(late)}: reload the page`);
        return;
      }
    } finally {
      this.run = null;
    }
    try {
      await withTimeout(this.control.request('collect', {}), AFTER_DEATH_MS, 'the control thread');
    } catch (e) {
      void this.endRunViews();
      setState('error', `${e instanceof Error ? e.message : String(e)}: reload the page`);
      return;
    }
    await this.endRunViews();
    setState('idle', 'idle: start a run, check the heap, or try a bad free');
  }

  /**
   * After a failed run: show what the allocator recorded about each worker that died (its
   * faults and the last ring events, decoded from shared memory), reclaim and replace it.
   */
  private async reportDead(cause: unknown): Promise<void> {
    const view = this.heap.view;
    const dead = await this.pool.replaceDead(this.control);
    if (dead.length === 0) return;
    const errors = dead.map((w) => new WorkerDiedError(
      w.index, w.tid, null, decodeFaults(view).filter((f) => f.tid === w.tid),
      decodeRing(view, 16), w.error ?? cause));
    showError(new Error(`${errors.map((e) => e.message).join('\n\n')}\n\nA worker trapped inside the ` +
      'allocator, so the heap may be inconsistent now: reload the page for a fresh one.'));
  }

  /** Ask the current run to stop. */
  stop(): void {
    this.run?.live.stop();
    status.textContent = 'stopping…';
  }

  /** Run the heap checker (only between runs). */
  async check(): Promise<void> {
    setState('busy', 'checking the heap…');
    try {
      showCheck($('check-report'), await runHeapCheck(this.control, this.heap.view), new Date().toLocaleTimeString());
    } catch (e) {
      showError(e);
    } finally {
      setState('idle', 'idle: start a run, check the heap, or try a bad free');
    }
  }

  /** Free an invalid pointer from the control worker and show the decoded fault. */
  async badFree(): Promise<void> {
    const wasRunning = this.run !== null;
    if (!wasRunning) setState('busy', 'freeing an invalid pointer…');
    try {
      const kind = ($('badfree-kind') as HTMLSelectElement).value as BadFreeKind;
      // Marked first: the bad free mallocs and frees, so the heap changes even if it fails.
      markCheckStale($('check-report'), `a bad free (${kind})`);
      const outcome = await badFree(this.control, this.heap.view, kind);
      showBadFree($('fault-report'), outcome, new Date().toLocaleTimeString());
    } catch (e) {
      showError(e);
    } finally {
      if (!wasRunning) setState('idle', 'idle: start a run, check the heap, or try a bad free');
    }
  }
}

/** Boot the heap and the control worker, then wire the controls. */
async function main(): Promise<void> {
  setState('booting', 'loading the allocator…');
  const heap = await bootHeap();
  const sizes = RANDOM_MIXED.sizeRange(heap.runs);
  const onWorkload = (): void => {
    applyWorkloadDefaults(controls, $('live-label'), sizes);
    $('workload-hint').textContent = workloadHint(sizes);
  };
  controls.workload.addEventListener('change', onWorkload);
  controls.mode.addEventListener('change', () => syncMode(controls));
  onWorkload();
  const control = await AllocatorWorker.spawn(0, heap.module, heap.memory, createAllocatorWorker);
  const demo = new Demo(heap, control, new WorkerPool(heap.module, heap.memory, createAllocatorWorker, 1));
  buttons.start.onclick = () => void demo.start();
  buttons.stop.onclick = () => demo.stop();
  buttons.check.onclick = () => void demo.check();
  buttons.badFree.onclick = () => void demo.badFree();
  setState('idle', `ready: ${navigator.hardwareConcurrency} cores, control thread ${control.tid}`);
}

main().catch((e: unknown) => {
  setState('error', `failed to start: ${e instanceof Error ? e.message : String(e)}`);
  console.error(e);
});
