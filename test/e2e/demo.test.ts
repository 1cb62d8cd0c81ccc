// demo.test.ts: the browser demo end to end, in a real browser. It builds the page with
// Vite, serves the built files with `vite preview` (which sends the cross-origin isolation
// headers) on a free localhost port, and drives Debian's Chromium through playwright-core:
// the page must be cross-origin isolated, a two-worker larson must print the same checksums
// as WORKLOADS.md section 7 and the Node harness, the chart and the memory map must draw,
// the heap check must be clean before and after a bad free, and the bad free must show a
// decoded fault. The screenshot goes to test-output/demo.png (and, with
// HAKMEM_UPDATE_SCREENSHOT=1, to the README's docs/demo-screenshot.png).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VITE_CONFIG = path.join(ROOT, 'demo', 'vite.config.ts');
const OUT = path.join(ROOT, 'test-output');
const DIST = path.join(OUT, 'demo-dist');
const BENCH_WASM = path.join(ROOT, 'build', 'bench-release.wasm');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** WORKLOADS.md section 7: `larson --ops 2e6 --threads 2`. */
const LARSON_2E6_T2 = { size_sum: 516012351, fill_size_sum: 1056761, live_bytes_end: 1060564, generations: 10 };

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

/** Click the heap check and return its report (the `n`-th check of the session). */
async function heapCheck(page: Page, n: number): Promise<{ violations: number; text: string }> {
  await page.click('#check');
  const el = page.locator(`#check-report[data-check="${n}"]`);
  await el.waitFor({ timeout: 15_000 });
  return { violations: Number(await el.getAttribute('data-violations')), text: await el.innerText() };
}

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
  });

  it('reports a clean heap, a decoded bad free, and a clean heap after it', async () => {
    const before = await heapCheck(page, 1);
    expect(before.violations, before.text).toBe(0);
    expect(before.text).toContain('clean');

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

    const after = await heapCheck(page, 2);
    expect(after.violations, after.text).toBe(0);
  });

  it('runs xfree (every free remote) with the checksum of WORKLOADS.md', async () => {
    await setControls(page, { workload: 'xfree', mode: 'ops', ops: '2e6', threads: '2' });
    const r = await runOnce(page);
    expect(r.checksums).toEqual({ size_sum: 516385007 }); // xfree --blocks 1e6
    expect(r.bad).toBe(0);
  });

  it('draws the chart and the memory map while a run goes on', async () => {
    await setControls(page, { workload: 'larson', mode: 'duration', duration: '3', threads: '4', live: '3000' });
    await page.click('#start');
    await page.locator('#status[data-state="running"]').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(2_500);
    expect(Number(await page.locator('#chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(5);
    expect(await colouredPixels(page, '#chart canvas')).toBeGreaterThan(100);
    expect(await colouredPixels(page, '#map')).toBeGreaterThan(100);
    expect(await page.locator('#ring').innerText()).toMatch(/remote_push|drain|refill|adopt/);
    const shot = await page.screenshot({ fullPage: true });
    mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    writeFileSync(path.join(OUT, 'demo.png'), shot);
    if (process.env.HAKMEM_UPDATE_SCREENSHOT === '1') {
      writeFileSync(path.join(ROOT, 'docs', 'demo-screenshot.png'), shot);
    }

    await page.locator('#status:not([data-state="running"])').waitFor({ timeout: 20_000 });
    expect(await page.locator('#result').getAttribute('data-result'), await page.locator('#result').innerText()).toBeTruthy();
    expect(await page.locator('#status').getAttribute('data-state')).toBe('idle');
    const check = await heapCheck(page, 3);
    expect(check.violations, check.text).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
