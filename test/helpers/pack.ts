// pack.ts: the package as a user gets it, for the tests under test/package/: `npm pack` of
// this checkout into a folder (once per test file: call it from beforeAll), and an empty
// project with that tarball installed into it.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './instances.js';

/** Run `cmd args` in `cwd`; returns its stdout, throws with stdout and stderr when it fails. */
export function sh(cmd: string, args: string[], cwd: string, timeout = 300_000): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout });
  if (r.status !== 0) {
    const why = r.error ? `: ${r.error.message}` : r.signal ? `: killed by ${r.signal}` : '';
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed${why}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** `npm pack` this checkout into `dest` (its prepack script builds what changed); the tarball's path. */
export function packTarball(dest: string): string {
  const out = sh('npm', ['pack', '--pack-destination', dest, '--silent'], ROOT).trim().split('\n').pop()!;
  return path.join(dest, out);
}

/**
 * Create the empty project `app` (a package.json only) and `npm install` the tarball there
 * with `flags` (e.g. '--prefer-offline' or '--offline', '--no-audit', ...).
 */
export function installIntoEmptyProject(app: string, tarball: string, flags: string[]): void {
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  sh('npm', ['install', tarball, ...flags], app);
}
