// demo.test.ts: the browser demo end to end, in a real browser. It builds the page with
// Vite, serves the built files with `vite preview` (which sends the cross-origin isolation
// headers) on a free localhost port, and drives Debian's Chromium through playwright-core:
// the page must be cross-origin isolated, a two-worker larson must print the same checksums
// as WORKLOADS.md section 7 and the Node harness, the chart and the memory map must draw,
// the heap check must be clean before and after a bad free, and the bad free must show a
// decoded fault. What visitors reported is checked too: the Heap panel counts per run and
// over the heap's lifetime apart, and names what its thread figure counts; a heap check is
// marked stale once the heap changed; the fault report fits its box; the hovered and the
// pinned memory-map cell are outlined; the ring's thread filter stays short; and the page
// keeps drawing frames and running timers while the offered maximum of threads runs on this
// 2-core machine. The page-side concurrency gate that demo/README.md proposes for the
// workloads (demo/src/run-gate.ts) is checked first, in Node, and so is how the memory map
// finds a hovered or pinned cell whose chunk changed kind. The screenshot goes to
// test-output/demo.png (and, with HAKMEM_UPDATE_SCREENSHOT=1, to the README's
// docs/demo-screenshot.png).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { KNOWN_RUNS } from '../../dist/host/workloads/known-runs.js';
import { RunGate } from '../../demo/src/run-gate.js';
import { placeOf, type Hit } from '../../demo/src/memory-map.js';
import type { ChunkInfo } from '../../dist/host/abi/decode.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VITE_CONFIG = path.join(ROOT, 'demo', 'vite.config.ts');
const OUT = path.join(ROOT, 'test-output');
const DIST = path.join(OUT, 'demo-dist');
const BENCH_WASM = path.join(ROOT, 'build', 'bench-release.wasm');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The known checksums of a cross-check run (host/workloads/known-runs.ts), by its command. */
const known = (command: string): Readonly<Record<string, number>> => {
  const run = KNOWN_RUNS.find((k) => k.argv.join(' ') === command);
  if (!run) throw new Error(`no known run ${command}`);
  return run.want;
};
const LARSON_2E6_T2 = known('larson --ops 2e6 --threads 2');
/** The ring's thread filter lists at most this many threads, plus "all threads" and the kept choice. */
const MAX_THREAD_OPTIONS = 32;
/**
 * Responsiveness floors (the page must stay at 30 frames/s or better at any thread count it
 * offers, on 2 cores). Measured here (larson, 32 threads): before the page drew on animation
 * frames within a budget, 4.5 to 8 frames/s, timer lag p95 220 to 420 ms; with that, 30 to 49
 * frames/s on a quiet machine, 12 to 25 with another job taking a core; with the run gate
 * (one workload call per core at once, demo/src/run-gate.ts) 59 to 60 frames/s, p95 13 to 29
 * ms, also with another job taking 0.93 cores. So the floors hold whatever else runs.
 */
const MAX_THREADS_MIN_FPS = 30;
const MAX_THREADS_MAX_LAG_P95_MS = 100;
/** Other jobs' CPU is reported beside the figures (the page's share of the cores is measured). */
const FOUR_THREADS_MIN_FPS = 30;
const FOUR_THREADS_MAX_LAG_P95_MS = 100;

/** Build the bench module if this checkout has not built it yet. */
function ensureBenchWasm(): void {
  if (existsSync(BENCH_WASM)) return;
  const asc = path.join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  execFileSync(process.execPath, [asc, 'bench/assembly/index.ts', '--config', 'bench/asconfig.json',
    '--target', 'release'], { cwd: ROOT, stdio: 'inherit' });
}

/** A localhost port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The same larson run through the Node bench harness (host/bench), if this checkout has it
 * built; null otherwise (the section 7 values are then the only reference).
 */
async function nodeLarsonChecksums(): Promise<Record<string, number> | null> {
  if (!existsSync(path.join(ROOT, 'dist', 'host', 'bench', 'engine.js'))) return null;
  const { createEngine } = await import('../../host/bench/engine.js');
  const { parseParams } = await import('../../host/workloads/params.js');
  const { runWorkload } = await import('../../host/bench/runner.js');
  const engine = await createEngine('release');
  try {
    const m = await runWorkload(engine, parseParams('larson', { ops: '2e6', threads: '2' }));
    const x = m.extra as Record<string, number>;
    return { size_sum: m.size_sum, fill_size_sum: x.fill_size_sum!, live_bytes_end: x.live_bytes_end!,
             generations: x.generations! };
  } finally {
    await engine.close();
  }
}

/** Pixels of a canvas that are clearly coloured (series lines, slab cells; not grey axes). */
function colouredPixels(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement | null;
    if (!c || c.width === 0 || c.height === 0) return 0;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i]!, g = d[i + 1]!, b = d[i + 2]!, a = d[i + 3]!;
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
    return n;
  }, selector);
}

/**
 * The page's responsiveness over `ms`: animation frames per second (requestAnimationFrame
 * callbacks counted) and the lateness of a 50 ms timer re-armed each time it fires.
 */
function responsiveness(page: Page, ms: number): Promise<{ fps: number; lagP95: number; lagMax: number }> {
  return page.evaluate((ms) => new Promise((resolve) => {
    let frames = 0, done = false;
    const onFrame = (): void => { frames++; if (!done) requestAnimationFrame(onFrame); };
    requestAnimationFrame(onFrame);
    const lags: number[] = [];
    const t0 = performance.now();
    let expected = t0 + 50;
    const onTimer = (): void => {
      const t = performance.now();
      lags.push(t - expected);
      expected = t + 50;
      if (t - t0 < ms) { setTimeout(onTimer, 50); return; }
      done = true;
      lags.sort((a, b) => a - b);
      resolve({ fps: frames / ((t - t0) / 1000), lagP95: lags[Math.floor(lags.length * 0.95)]!,
                lagMax: lags[lags.length - 1]! });
    };
    setTimeout(onTimer, 50);
  }), ms);
}

/**
 * CPU time in ms: the whole machine (busy, from /proc/stat) and the processes of the
 * Chromium this test launched (every one of them names its profile directory).
 */
function cpuTimes(profile: string): { machine: number; chromium: number } | null {
  try {
    const tick = 10; // ms per clock tick (USER_HZ 100)
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const machine = (f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) * tick; // user nice system irq softirq
    let chromium = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--user-data-dir=${profile}`)) continue;
        const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = st.slice(st.lastIndexOf(')') + 2).split(' ');
        chromium += (Number(fields[11]) + Number(fields[12])) * tick; // utime stime
      } catch { /* the process ended meanwhile */ }
    }
    return { machine, chromium };
  } catch {
    return null; // not Linux: the load of others is unknown (taken as none)
  }
}

/**
 * Run `measure` and say how many cores other jobs took meanwhile: the machine's busy time
 * minus that of the Chromium using `profile` and of this test process (Vite's preview
 * server runs in it).
 */
async function withOtherLoad<T>(profile: string, measure: () => Promise<T>): Promise<{ result: T; otherCores: number }> {
  const before = cpuTimes(profile), own0 = process.cpuUsage(), t0 = Date.now();
  const result = await measure();
  const after = cpuTimes(profile), own = process.cpuUsage(own0), secs = (Date.now() - t0) / 1000;
  if (!before || !after) return { result, otherCores: 0 };
  const others = (after.machine - before.machine) - (after.chromium - before.chromium) - (own.user + own.system) / 1000;
  return { result, otherCores: Math.max(0, others / 1000 / secs) };
}

/** RGBA of the pixel at CSS position (x, y) of a canvas. */
function pixelAt(page: Page, selector: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(([sel, x, y]) => {
    const c = document.querySelector(sel as string) as HTMLCanvasElement;
    const ratio = c.width / c.getBoundingClientRect().width;
    return [...c.getContext('2d')!.getImageData(Math.floor((x as number) * ratio), Math.floor((y as number) * ratio), 1, 1).data];
  }, [selector, x, y] as const);
}

/**
 * The overlay's pixel at the middle of the top edge of outline `attr`, once `ok` holds for it
 * (or the last one read, after LOADED_WAIT_MS). The overlay is drawn on the page's next frame
 * and cleared when the map is laid out again (the heap grew), so one read right after the
 * hover can find it empty on a loaded machine (2 of 4 full runs, 2026-12-06); the box is read
 * again each time, since a new layout moves it.
 */
async function outlinePixel(page: Page, attr: 'data-hover-box' | 'data-pin-box',
                            ok: (px: number[]) => boolean): Promise<{ px: number[]; box: number[] }> {
  const deadline = Date.now() + LOADED_WAIT_MS;
  for (;;) {
    const box = (await outlineBox(page, attr))!;
    expect(box, `${attr} is set`).not.toBeNull();
    const px = await pixelAt(page, '#map-overlay', box[0]! + box[2]! / 2, box[1]!);
    if (ok(px) || Date.now() > deadline) return { px, box };
    await page.waitForTimeout(50);
  }
}

/** The memory map's outline box ("x,y,w,h" in CSS px) from a data attribute, or null. */
async function outlineBox(page: Page, attr: 'data-hover-box' | 'data-pin-box'): Promise<number[] | null> {
  const box = await page.locator('#map').getAttribute(attr);
  return box ? box.split(',').map(Number) : null;
}

/** Set the run controls. */
async function setControls(page: Page, c: Record<string, string>): Promise<void> {
  if (c.workload) await page.selectOption('#workload', c.workload);
  if (c.mode) await page.selectOption('#mode', c.mode);
  for (const id of ['threads', 'min', 'max', 'live', 'ops', 'duration', 'seed']) {
    if (c[id] !== undefined) await page.fill(`#${id}`, c[id]!);
  }
}

/**
 * Click Start and wait until the run ended; returns its result record. A run that failed
 * (e.g. a worker trapped) fails here with what the page shows: the decoded faults and ring.
 */
async function runOnce(page: Page, timeout = 30_000): Promise<{ ops: number; bad: number; checksums: Record<string, number> }> {
  await page.click('#start');
  await page.locator('#status:not([data-state="running"])').waitFor({ timeout });
  const result = page.locator('#result');
  const json = await result.getAttribute('data-result');
  if (!json) throw new Error(`the run failed: ${await page.locator('#status').innerText()}\n${await result.innerText()}`);
  expect(await page.locator('#status').getAttribute('data-state')).toBe('idle');
  return JSON.parse(json);
}

/**
 * How long a functional wait (a report, a hover) may take. Not a speed check (the frame rate
 * and timer lag have their own bounds): a full `npm test` runs two files at once on 2 cores,
 * and next to the link tests' compilers the page got so little CPU that a heap check after
 * the 32-thread run took over 15 s and a hover over 5 s (2 of 4 full runs, 2026-12-06).
 */
const LOADED_WAIT_MS = 40_000;

/** Click the heap check and return its report (the `n`-th check of the session). */
async function heapCheck(page: Page, n: number): Promise<{ violations: number; text: string }> {
  await page.click('#check');
  const el = page.locator(`#check-report[data-check="${n}"]`);
  await el.waitFor({ timeout: LOADED_WAIT_MS });
  return { violations: Number(await el.getAttribute('data-violations')), text: await el.innerText() };
}

describe('the page-side concurrency gate (demo/src/run-gate.ts)', () => {
  /** A call that records how many calls run beside it, and ends when `release` is called. */
  const tracked = (state: { now: number; max: number; order: string[] }, name: string) => {
    let release!: () => void;
    const ended = new Promise<void>((r) => { release = r; });
    const call = async (): Promise<string> => {
      state.order.push(name);
      state.now++;
      state.max = Math.max(state.max, state.now);
      await ended;
      state.now--;
      return name;
    };
    return { call, release };
  };

  it('runs at most `slots` calls at once, in arrival order, and a runAll alone', async () => {
    const gate = new RunGate(2);
    const state = { now: 0, max: 0, order: [] as string[] };
    const calls = ['a', 'b', 'c', 'd'].map((n) => tracked(state, n));
    const all = tracked(state, 'all');
    const done = calls.map((c) => gate.run(c.call));
    const wide = gate.runAll(all.call);
    const late = tracked(state, 'late');
    const lateDone = gate.run(late.call); // arrives after the wide run: waits behind it
    await new Promise((r) => setTimeout(r, 10));
    expect(state.order).toEqual(['a', 'b']);
    expect(gate.busy).toBe(2);
    for (const c of calls) { c.release(); await new Promise((r) => setTimeout(r, 5)); }
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c', 'd']);
    expect(state.order).toEqual(['a', 'b', 'c', 'd', 'all']);
    expect(state.now).toBe(1); // the wide run, alone
    all.release();
    late.release();
    expect(await wide).toBe('all');
    expect(await lateDone).toBe('late');
    expect(state.max).toBe(2);
    expect(gate.queued).toBe(4); // c, d, all, late waited
    expect(gate.busy).toBe(0);
  });

  it('gives a slot back when a call fails', async () => {
    const gate = new RunGate(1);
    await expect(gate.run(() => Promise.reject(new Error('trap')))).rejects.toThrow('trap');
    expect(await gate.run(async () => 7)).toBe(7);
  });
});

describe('the memory map keeps a hovered or pinned place when its chunk changes kind (demo/src/memory-map.ts)', () => {
  const superslab = (chunk: number): ChunkInfo => ({ chunk, addr: chunk << 20, kind: 'superslab', usedMask: 1, slabs: [] });
  const free = (chunk: number): ChunkInfo => ({ chunk, addr: chunk << 20, kind: 'free' });
  /** The hits and strips of a map whose chunk 3 is `c3` and chunk 4 a SuperSlab (slab cells 0 and 1 drawn). */
  const drawn = (c3: ChunkInfo): { hits: Hit[]; strips: Map<number, Hit> } => {
    const hits: Hit[] = [], strips = new Map<number, Hit>();
    [c3, superslab(4)].forEach((chunk, row) => {
      const strip: Hit = { x: 44, y: 4 + 20 * row, w: 255, chunk, slab: null };
      strips.set(chunk.chunk, strip);
      if (chunk.kind !== 'superslab') { hits.push(strip); return; }
      for (const index of [0, 1]) {
        hits.push({ x: 44 + 16 * index, y: strip.y, w: 15, chunk, slab: { index } as Hit['slab'] });
      }
    });
    return { hits, strips };
  };

  it('finds the cell itself while its chunk holds the same kind', () => {
    const { hits, strips } = drawn(superslab(3));
    expect(placeOf({ chunk: 3, slab: 1 }, hits, strips)).toBe(hits[1]);
    expect(placeOf({ chunk: 4, slab: 0 }, hits, strips)).toBe(hits[2]);
    const asFree = drawn(free(3));
    expect(placeOf({ chunk: 3, slab: -1 }, asFree.hits, asFree.strips)).toBe(asFree.hits[0]);
  });

  it('moves to the whole chunk when the chunk changed kind, and back', () => {
    // A slab pinned in a SuperSlab that was released (the chunk is free now): the chunk's bar.
    const released = drawn(free(3));
    const onFree = placeOf({ chunk: 3, slab: 1 }, released.hits, released.strips);
    expect(onFree).toBe(released.strips.get(3));
    expect(onFree!.chunk.kind).toBe('free');
    // A free chunk pinned that became a SuperSlab: its whole strip, not a slab of it.
    const taken = drawn(superslab(3));
    const onSs = placeOf({ chunk: 3, slab: -1 }, taken.hits, taken.strips);
    expect(onSs).toBe(taken.strips.get(3));
    expect(onSs!.slab).toBeNull();
    // The slab key finds its cell again once the chunk is a SuperSlab again.
    expect(placeOf({ chunk: 3, slab: 1 }, taken.hits, taken.strips)!.slab!.index).toBe(1);
  });

  it('finds nothing for no key or a chunk that is not drawn', () => {
    const { hits, strips } = drawn(superslab(3));
    expect(placeOf(null, hits, strips)).toBeNull();
    expect(placeOf({ chunk: 9, slab: 0 }, hits, strips)).toBeNull();
  });
});

describe('browser demo (Vite preview + Chromium)', () => {
  let server: PreviewServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let url = '';
  let profile = '';
  let nodeSums: Promise<Record<string, number> | null>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    }
    ensureBenchWasm();
    nodeSums = nodeLarsonChecksums();
    mkdirSync(OUT, { recursive: true });
    await build({ configFile: VITE_CONFIG, logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true } });
    const port = await freePort();
    server = await preview({ configFile: VITE_CONFIG, logLevel: 'warn', build: { outDir: DIST },
                             preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
    url = `http://127.0.0.1:${port}/`;
    profile = mkdtempSync(path.join(tmpdir(), 'hakmem-demo-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
      viewport: { width: 1600, height: 1050 },
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(url);
    await page.locator('#status[data-state="idle"]').waitFor({ timeout: 20_000 });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('is served cross-origin isolated', async () => {
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  });

  it('runs a two-worker larson with the checksums of the Node run', async () => {
    await setControls(page, { workload: 'larson', mode: 'ops', ops: '2e6', threads: '2', min: '8', max: '1024',
                              live: '1000', seed: '4141' });
    const r = await runOnce(page);
    expect(r.checksums).toEqual(LARSON_2E6_T2);
    expect(r.bad).toBe(0);
    expect(r.ops).toBe(2_000_000);
    const node = await nodeSums;
    if (node) expect(r.checksums).toEqual(node);
    expect(await page.locator('#result').innerText()).toContain('matches WORKLOADS.md');

    // The chart counts this run's ops only, and the Heap panel this run's figures.
    expect(Number(await page.locator('#chart').getAttribute('data-ops'))).toBe(r.ops);
    await page.locator('#stats-run[data-state="ended"]').waitFor({ timeout: 10_000 });
    const stats = page.locator('#stats');
    // larson starts a thread per generation (a fresh attach or a resume): the run's count is its generations.
    expect(Number(await stats.getAttribute('data-run-thread-starts'))).toBe(r.checksums.generations);
    // Between runs only the control thread is attached (every lineage rested at its end);
    // the run's workers are named as such, not as "threads".
    await page.waitForFunction(() => document.querySelector('#stats')?.getAttribute('data-threads-now') === '1',
      null, { timeout: 10_000 });
    const panel = await stats.innerText();
    expect(panel).toContain('threads attached now');
    expect(panel).toContain('2 lineages in 2 workers + the control worker');
    expect(panel).toMatch(/this run\s+heap lifetime/);
  });

  it('reports a clean heap, a decoded bad free, and a clean heap after it', async () => {
    const before = await heapCheck(page, 1);
    expect(before.violations, before.text).toBe(0);
    expect(before.text).toContain('clean');
    expect(await page.locator('#check-report').getAttribute('data-stale')).toBeNull();

    const faultsBefore = Number(await page.locator('#stats').getAttribute('data-faults'));
    await page.click('#badfree');
    const fault = page.locator('#fault-report[data-fault-code]');
    await fault.waitFor({ timeout: 15_000 });
    expect(await fault.getAttribute('data-fault-code')).toBe('not_block_start');
    const text = await fault.innerText();
    expect(text).toMatch(/fault #\d+: not block start of 0x[0-9a-f]+ by thread \d+/);
    expect(text).toContain('ring events before it');
    // The Heap panel counts the deliberate bad free: exactly one more fault than before.
    await page.waitForFunction((n) => Number(document.querySelector('#stats')?.getAttribute('data-faults')) > n,
      faultsBefore, { timeout: 15_000 });
    expect(Number(await page.locator('#stats').getAttribute('data-faults'))).toBe(faultsBefore + 1);
    // ... over the heap's lifetime: the last run's column (frozen when it ended) has none.
    expect(await page.locator('#stats').getAttribute('data-run-faults')).toBe('0');

    // The fault report fits its box: long lines wrap, nothing runs out on the right.
    const overflow = await page.locator('#fault-report').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // The clean check from before the bad free is not shown as current any more.
    const stale = page.locator('#check-report');
    expect(await stale.getAttribute('data-stale')).toContain('bad free');
    expect(await stale.innerText()).toMatch(/^stale: the heap changed since this check at /);
    expect(await stale.getAttribute('class')).not.toContain('ok');

    const after = await heapCheck(page, 2);
    expect(after.violations, after.text).toBe(0);
    expect(await page.locator('#check-report').getAttribute('data-stale')).toBeNull();
    expect(after.text).not.toContain('stale');
  });

  it('runs xfree (every free remote) with the checksum of WORKLOADS.md', async () => {
    await setControls(page, { workload: 'xfree', mode: 'ops', ops: '2e6', threads: '2' });
    const r = await runOnce(page);
    expect(r.checksums).toEqual(known('xfree --blocks 1e6'));
    expect(r.bad).toBe(0);
    // A run changes the heap: the check before it is stale.
    expect(await page.locator('#check-report').getAttribute('data-stale')).toMatch(/run #\d+ started/);
    // Per run vs lifetime: this run freed every block remotely (1e6 of them) and had no
    // fault; the heap's lifetime has the earlier bad free and runs' remote frees too.
    await page.locator('#stats-run[data-state="ended"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#stats').getAttribute('data-run-faults')).toBe('0');
    expect(Number(await page.locator('#stats').getAttribute('data-faults'))).toBeGreaterThanOrEqual(1);
  });

  it('draws the chart and the memory map while a run goes on', async () => {
    // 8 s: the run still goes on when a cell is pinned below. (The first chunk's SuperSlab may
    // be released and taken again meanwhile: the outlines then move to the whole chunk's strip
    // and back, placeOf above.)
    await setControls(page, { workload: 'larson', mode: 'duration', duration: '8', threads: '4', live: '3000' });
    await page.click('#start');
    await page.locator('#status[data-state="running"]').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => Number(document.querySelector('#chart')?.getAttribute('data-points')) >= 1,
      null, { timeout: 10_000 });
    const { result: live, otherCores } = await withOtherLoad(profile, () => responsiveness(page, 2_500));
    console.log(`4 larson threads on 2 cores: ${live.fps.toFixed(1)} frames/s, timer lag p95 ` +
      `${live.lagP95.toFixed(1)} ms, max ${live.lagMax.toFixed(1)} ms; other jobs took ${otherCores.toFixed(2)} cores`);
    expect(live.fps).toBeGreaterThanOrEqual(FOUR_THREADS_MIN_FPS);
    expect(live.lagP95).toBeLessThanOrEqual(FOUR_THREADS_MAX_LAG_P95_MS);
    expect(Number(await page.locator('#chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(5);
    expect(await colouredPixels(page, '#chart canvas')).toBeGreaterThan(100);
    expect(await colouredPixels(page, '#map')).toBeGreaterThan(100);
    expect(await page.locator('#ring').innerText()).toMatch(/remote_push|drain|refill|adopt|spill|orphan/);
    const shot = await page.screenshot({ fullPage: true });
    mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    writeFileSync(path.join(OUT, 'demo.png'), shot);
    if (process.env.HAKMEM_UPDATE_SCREENSHOT === '1') {
      writeFileSync(path.join(ROOT, 'docs', 'demo-screenshot.png'), shot);
    }

    // Hovering a cell outlines it (white, on the overlay canvas); clicking pins it (amber).
    // In view first: mouse coordinates are the viewport's, and the panels above the map grow
    // (the stats table has rows for dormant threads and resumes), so it may start below the fold.
    await page.locator('#map').scrollIntoViewIfNeeded();
    const map = (await page.locator('#map').boundingBox())!;
    await page.mouse.move(map.x + 44 + 7, map.y + 4 + 7); // the first cell: label, then 15 px cells
    // A cell key ("chunk:slab"), not merely not empty: the attribute is absent before the first draw.
    await page.waitForFunction(() => /^\d+:-?\d+$/.test(document.querySelector('#map')?.getAttribute('data-hovered') ?? ''),
      null, { timeout: LOADED_WAIT_MS });
    const white = (px: number[]): boolean => Math.min(px[0]!, px[1]!, px[2]!) > 200 && px[3]! > 200;
    const { px: lit, box: hover } = await outlinePixel(page, 'data-hover-box', white);
    const edge = [hover[0]! + hover[2]! / 2, hover[1]!]; // the middle of the outline's top edge
    expect(Math.min(lit[0]!, lit[1]!, lit[2]!), `hover outline pixel ${lit}`).toBeGreaterThan(200);
    expect(lit[3]).toBeGreaterThan(200);
    // The description is written on the page's next frame, like the outline.
    await expect.poll(() => page.locator('#map-info').innerText(), { timeout: LOADED_WAIT_MS }).toMatch(/^chunk \d+/);
    await page.mouse.click(map.x + 44 + 7, map.y + 4 + 7);
    await page.waitForFunction(() => /^\d+:-?\d+$/.test(document.querySelector('#map')?.getAttribute('data-pinned') ?? ''),
      null, { timeout: 5_000 });
    await page.mouse.move(map.x + map.width / 2, map.y - 30); // off the map
    await page.waitForFunction(() => document.querySelector('#map')?.getAttribute('data-hovered') === '',
      null, { timeout: 5_000 });
    const { px: amber } = await outlinePixel(page, 'data-pin-box', (px) => px[0]! > 200 && px[2]! < 150);
    expect(amber[0], `pin outline pixel ${amber}`).toBeGreaterThan(200);
    expect(amber[2]).toBeLessThan(150); // amber, not white
    // With the mouse gone the white outline went with it (the pinned one is further out).
    const unlit = await pixelAt(page, '#map-overlay', edge[0]!, edge[1]!);
    expect(unlit[3]).toBe(0);
    await expect.poll(() => page.locator('#map-info').innerText(), { timeout: LOADED_WAIT_MS }).toMatch(/^pinned: chunk \d+/);

    await page.locator('#status:not([data-state="running"])').waitFor({ timeout: 20_000 });
    expect(await page.locator('#result').getAttribute('data-result'), await page.locator('#result').innerText()).toBeTruthy();
    expect(await page.locator('#status').getAttribute('data-state')).toBe('idle');
    // Hundreds of generations, each a thread start: the filter still lists only a few threads.
    await page.waitForTimeout(1_200); // the filter is rebuilt at most once a second
    expect(await page.locator('#ring-thread option').count()).toBeLessThanOrEqual(MAX_THREAD_OPTIONS + 2);
    expect(Number(await page.locator('#stats').getAttribute('data-run-thread-starts'))).toBeGreaterThan(MAX_THREAD_OPTIONS + 2);
    const check = await heapCheck(page, 3);
    expect(check.violations, check.text).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('stays responsive at the offered maximum of threads', async () => {
    const max = await page.locator('#threads').getAttribute('max');
    await setControls(page, { workload: 'larson', mode: 'duration', duration: '8', threads: max!, live: '1000' });
    await page.click('#start');
    await page.locator('#status[data-state="running"]').waitFor({ timeout: 20_000 });
    // Past the set-up (starting the workers): the chart samples the run's threads.
    await page.waitForFunction(() => Number(document.querySelector('#chart')?.getAttribute('data-points')) >= 1,
      null, { timeout: 20_000 });
    await page.waitForTimeout(1_000);
    // A thread picked in the filter stays picked while generations come and go (by index:
    // the list is rebuilt every second, so a value read first may be gone when selected).
    await page.selectOption('#ring-thread', { index: 1 });
    const picked = await page.locator('#ring-thread').inputValue();
    expect(picked).not.toBe('');
    const opsBefore = Number(await page.locator('#chart').getAttribute('data-ops'));
    const { result: m, otherCores } = await withOtherLoad(profile, () => responsiveness(page, 3_000));
    const opsDuring = Number(await page.locator('#chart').getAttribute('data-ops')) - opsBefore;
    console.log(`${max} larson threads on 2 cores: ${m.fps.toFixed(1)} frames/s, timer lag p95 ` +
      `${m.lagP95.toFixed(1)} ms, max ${m.lagMax.toFixed(1)} ms, ${(opsDuring / 3e6).toFixed(1)} M ops/s; ` +
      `page meter: ${await page.locator('#perf').innerText()}; other jobs took ${otherCores.toFixed(2)} cores`);
    expect(opsDuring, 'the workers ran while the page was measured').toBeGreaterThan(0);
    expect(m.fps).toBeGreaterThanOrEqual(MAX_THREADS_MIN_FPS);
    expect(m.lagP95).toBeLessThanOrEqual(MAX_THREADS_MAX_LAG_P95_MS);
    expect(await page.locator('#ring-thread').inputValue()).toBe(picked);
    expect(await page.locator('#ring-thread option').count()).toBeLessThanOrEqual(MAX_THREAD_OPTIONS + 2);
    await page.selectOption('#ring-thread', '');
    await page.locator('#status:not([data-state="running"])').waitFor({ timeout: 30_000 });
    expect(await page.locator('#result').getAttribute('data-result'), await page.locator('#result').innerText()).toBeTruthy();
    const check = await heapCheck(page, 4);
    expect(check.violations, check.text).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
