// The package as a user installs it: `npm pack`, `npm install` of the tarball into an empty
// project, then the README's JavaScript example run there with `import ... from 'hakmem-wasm'`,
// the browser entry's import graph checked for Node modules, and `npx hakmem-wasm --version`.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';
import { installIntoEmptyProject, packTarball, sh } from '../helpers/pack.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hakmem-pack-'));
const app = path.join(tmp, 'app');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The README's first ```js block after "Using it from JavaScript". */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it from JavaScript'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README has no ```js example under "Using it from JavaScript"');
  return m[1];
}

let tarball = '';

beforeAll(() => {
  tarball = packTarball(tmp);
  installIntoEmptyProject(app, tarball, ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
}, 300_000);

describe('the npm package', () => {
  it('carries the host, the wasm builds, the C headers and the licence, and no tests, bench or demo', () => {
    const listing = sh('tar', ['-tzf', tarball], tmp).split('\n');
    for (const f of ['dist/host/index.js', 'dist/host/index.d.ts', 'dist/host/browser.js', 'build/release.wasm',
      'build/debug.wasm', 'include/hakmem.h', 'LICENSE', 'README.md']) {
      expect(listing).toContain(`package/${f}`);
    }
    expect(listing.some((f) => /^package\/(test|demo|bench|assembly)\//.test(f))).toBe(false);
  });

  it('runs the README example from an empty project with import ... from \'hakmem-wasm\'', () => {
    fs.writeFileSync(path.join(app, 'example.mjs'), readmeExample());
    const out = sh(process.execPath, ['example.mjs'], app).trim().split('\n');
    expect(out[0]).toMatch(/^double free of 0x[0-9a-f]+ by thread \d+/); // freeChecked of a freed block
    expect(out).toContain('last ring events:');                          // ...with the events before it
    const [check, threads, checkAfter] = out.slice(-3);
    expect(check).toBe('0');                  // heap check
    expect(Number(threads)).toBe(1);          // the main thread
    expect(checkAfter).toBe('0');             // heap check after the workers
  }, 60_000);

  it('resolves the browser entry to a file whose whole import graph has no node: module', () => {
    const pkg = path.join(app, 'node_modules', 'hakmem-wasm');
    const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
    expect(manifest.exports['.'].browser).toBe('./dist/host/browser.js');
    const seen = new Set<string>();
    const external: string[] = [];
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = fs.readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
      for (const m of src.matchAll(/(?:import|export)[^'"]*from\s*'([^']+)'/g)) {
        if (m[1].startsWith('.')) walk(path.resolve(path.dirname(file), m[1]));
        else external.push(m[1]);
      }
    };
    walk(path.join(pkg, 'dist', 'host', 'browser.js'));
    expect(seen.size).toBeGreaterThan(5);
    expect(external.filter((e) => e.startsWith('node:'))).toEqual([]);
    expect(external).toEqual(['@assemblyscript/loader']);
  });

  it('npx hakmem-wasm --version works in the installed project', () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    expect(sh('npx', ['--no-install', 'hakmem-wasm', '--version'], app).trim()).toBe(version);
  }, 60_000);
});
