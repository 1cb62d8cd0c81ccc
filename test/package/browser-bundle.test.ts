// browser-bundle.test.ts: the package's browser entry as a user bundles it. `npm pack`, an
// offline `npm install` of the tarball into an empty project, then a page there
// (browser-fixture/: index.html + main.js) that imports only 'hakmem-wasm/browser' and
// 'hakmem-wasm/web-worker', built with Vite's build() (this repository's vite; the project
// itself has no config and no vite). The built dist/ is served by a small node:http server
// with the cross-origin isolation headers and the right MIME types, and opened in Debian's
// Chromium through playwright-core: the page creates the heap, starts two Web Worker
// allocator threads, allocates, writes and reads a pattern, frees (one free remote), runs
// the heap check and reports everything as JSON in #result.
//
// Chromium missing is a failure (as in test/e2e/demo.test.ts), unless HAKMEM_SKIP_BROWSER=1
// says to skip the browser part on purpose.
//
// The install is offline: the package's dependencies are given as their registry tarball
// URLs at the versions installed in this checkout (npm serves them from its cache; the
// cache has no packument for some of them, so `name@range` would need the network).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Rolldown } from 'vite';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../helpers/instances.js';
import { installIntoEmptyProject, packTarball, sh } from '../helpers/pack.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'browser-fixture');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SKIP_BROWSER = process.env.HAKMEM_SKIP_BROWSER === '1';

/** What main.js requests (browser-fixture/main.js: WORKERS, SIZES). */
const WORKERS = 2;
const SIZES = [16, 24, 100, 512, 4000, 70000];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** One request the server answered. */
interface Served { path: string; status: number; type: string }

/** A static server for `dir` on 127.0.0.1 (a free port) sending the isolation headers. */
function serve(dir: string, log: Served[]): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath);
    const inside = file.startsWith(dir + path.sep);
    const type = MIME[path.extname(file)] ?? 'application/octet-stream';
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cache-Control', 'no-store');
    if (!inside || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      log.push({ path: urlPath, status: 404, type: '' });
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    log.push({ path: urlPath, status: 200, type });
    res.writeHead(200, { 'Content-Type': type });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` });
    });
  });
}

/**
 * The package's dependencies as registry tarball URLs, at the versions this checkout has
 * installed, so an `npm install --offline` takes them from npm's cache.
 */
function pinnedDependencies(): string[] {
  const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies ?? {});
  const registry = sh('npm', ['config', 'get', 'registry'], ROOT).trim().replace(/\/?$/, '/');
  return deps.map((name) => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    return `${registry}${name}/-/${name.split('/').pop()}-${version}.tgz`;
  });
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The page's report (browser-fixture/main.js). */
interface PageResult {
  crossOriginIsolated: boolean;
  mainTid: number;
  workers: number;
  workerTids: number[];
  threadsWithWorkers: number;
  batch: number[];
  reallocFrom: number;
  reallocTo: number;
  ptrs: number[];
  usable: number[];
  remotePtr: number;
  patternErrors: number;
  patternBytes: number;
  live: { threads: number; bytesInUse: number };
  freed: number;
  check: { violations: number };
  faults: number;
  after: { bytesInUse: number; remoteFrees: number; faults: number };
  threadsAfterDetach: number;
}

describe('the packed browser entry, bundled by Vite and run in Chromium', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hakmem-bundle-'));
  const app = path.join(tmp, 'app');
  const dist = path.join(app, 'dist');
  const served: Served[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const workerUrls: string[] = [];
  let output: Rolldown.RolldownOutput;
  let server: http.Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let url = '';
  let profile = '';

  beforeAll(async () => {
    if (!SKIP_BROWSER && !fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), ` +
        'or set HAKMEM_SKIP_BROWSER=1 to skip the browser part on purpose');
    }
    const tarball = packTarball(tmp);
    installIntoEmptyProject(app, tarball, ['--offline', '--no-audit', '--no-fund', '--loglevel=error',
      ...pinnedDependencies()]);
    for (const f of fs.readdirSync(FIXTURE)) fs.copyFileSync(path.join(FIXTURE, f), path.join(app, f));
    // A user's project with no vite.config: root, relative base, the output folder.
    const built = await build({ root: app, configFile: false, base: './', logLevel: 'warn',
                                build: { outDir: dist, emptyOutDir: true } });
    output = (Array.isArray(built) ? built[0] : built) as Rolldown.RolldownOutput;
    if (SKIP_BROWSER) return;

    ({ server, url } = await serve(dist, served));
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hakmem-bundle-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true,
                                                               args: CHROMIUM_ARGS });
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('requestfailed', (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('worker', (w) => workerUrls.push(w.url()));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('bundles the installed browser entry, its .wasm and the worker entry', () => {
    const pkg = path.join(app, 'node_modules', 'hakmem-wasm');
    const modules = output.output.flatMap((o) => (o.type === 'chunk' ? o.moduleIds : []));
    // The page's code came from the installed package, none from this checkout.
    expect(modules).toContain(path.join(pkg, 'dist', 'host', 'browser.js'));
    expect(modules.filter((m) => m.startsWith(ROOT + path.sep))).toEqual([]);
    const assets = fs.readdirSync(path.join(dist, 'assets'));
    // build/release.wasm (Heap.create's default) shipped as an asset, byte for byte.
    const wasm = assets.filter((a) => /^release-.*\.wasm$/.test(a));
    expect(wasm).toHaveLength(1);
    expect(sha256(path.join(dist, 'assets', wasm[0]!))).toBe(sha256(path.join(pkg, 'build', 'release.wasm')));
    // The worker entry bundled as its own script (the page's chunk names it).
    const worker = assets.filter((a) => /^web-worker-.*\.js$/.test(a));
    expect(worker).toHaveLength(1);
    const main = output.output.find((o) => o.type === 'chunk' && o.isEntry) as Rolldown.OutputChunk;
    expect(main.code).toContain(worker[0]);
    expect(main.code).toContain(wasm[0]);
    // Nothing in the bundle reaches for a Node module.
    for (const a of assets.filter((f) => f.endsWith('.js'))) {
      expect(fs.readFileSync(path.join(dist, 'assets', a), 'utf8'), a).not.toMatch(/["']node:|__vite-browser-external/);
    }
  });

  it.skipIf(SKIP_BROWSER)('runs the heap and two Web Worker allocator threads in Chromium', async () => {
    await page.goto(url);
    const result = page.locator('#result[data-state]');
    await result.waitFor({ timeout: 30_000 });
    const text = await result.innerText();
    expect(await result.getAttribute('data-state'), text).toBe('done');
    expect(await page.title()).toBe('done');
    const r = JSON.parse(text) as PageResult;

    expect(r.crossOriginIsolated).toBe(true);
    // Two Web Workers, each its own allocator thread besides the page's.
    expect(r.workers).toBe(WORKERS);
    expect(workerUrls).toHaveLength(WORKERS);
    for (const w of workerUrls) expect(w).toMatch(/\/assets\/web-worker-[^/]+\.js$/);
    expect(r.mainTid).toBeGreaterThan(0);
    expect(r.workerTids).toHaveLength(WORKERS);
    expect(new Set([r.mainTid, ...r.workerTids]).size).toBe(WORKERS + 1);
    expect(r.threadsWithWorkers).toBe(WORKERS + 1);
    expect(r.live.threads).toBe(WORKERS + 1);

    // Worker 0's mallocBatch: non-zero, distinct pointers; after worker 1's realloc of the
    // 4000-byte block to 20000 (it moved), all live blocks are big enough and do not overlap.
    expect(r.batch).toHaveLength(SIZES.length);
    for (const p of r.batch) expect(p).toBeGreaterThan(0);
    expect(new Set(r.batch).size).toBe(SIZES.length);
    const R = SIZES.indexOf(4000);
    expect(r.reallocFrom).toBe(r.batch[R]);
    expect(r.reallocTo).toBeGreaterThan(0);
    expect(r.reallocTo).not.toBe(r.reallocFrom);
    expect(r.ptrs).toEqual(r.batch.map((p, i) => (i === R ? r.reallocTo : p)));
    expect(new Set(r.ptrs).size).toBe(SIZES.length);
    expect(r.usable[R]).toBeGreaterThanOrEqual(20000);
    r.usable.forEach((u, i) => expect(u).toBeGreaterThanOrEqual(SIZES[i]!));
    const spans = r.ptrs.map((p, i) => [p, p + r.usable[i]!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(r.remotePtr).toBeGreaterThan(0);
    expect(r.ptrs).not.toContain(r.remotePtr);

    // The pattern the page wrote into worker 0's blocks read back intact (the realloc'd
    // block's at its new address: worker 1 copied what the page wrote).
    expect(r.patternBytes).toBe(SIZES.reduce((a, s) => a + s, 0));
    expect(r.patternErrors).toBe(0);
    expect(r.live.bytesInUse).toBeGreaterThanOrEqual(r.patternBytes - 4000 + 20000 + 64);

    // Everything freed (worker 1's blocks by worker 0: remote frees), the heap check clean.
    expect(r.freed).toBe(SIZES.length);
    // Three remote frees: worker 1's malloc(64) and its realloc'd block freed by worker 0,
    // and worker 0's old 4000-byte block freed inside worker 1's realloc.
    expect(r.after.remoteFrees).toBe(3);
    expect(r.after.bytesInUse).toBe(0);
    expect(r.check.violations).toBe(0);
    expect(r.faults).toBe(0);
    expect(r.after.faults).toBe(0);
    expect(r.threadsAfterDetach).toBe(1);

    // Served as a static site would: the .wasm as application/wasm, scripts as JavaScript.
    const wasmServed = served.filter((s) => s.path.endsWith('.wasm'));
    expect(wasmServed.map((s) => [s.status, s.type])).toEqual([[200, 'application/wasm']]);
    expect(served.filter((s) => s.path.endsWith('.js')).length).toBeGreaterThanOrEqual(2);
    expect(served.filter((s) => s.status !== 200)).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
