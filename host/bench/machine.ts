// machine.ts: what a results file says about where it was measured.

import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memory_gib: number;
  os: string;
  node: string;
  v8: string;
  assemblyscript: string;
  tools: Record<string, string>;
}

function firstLine(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env });
  if (r.status !== 0 || !r.stdout) return 'not found';
  return r.stdout.split('\n')[0].trim();
}

function packageVersion(pkg: string): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** The machine, the runtime and the peers' tool versions. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const dpkg = (name: string): string => {
    const v = firstLine('dpkg-query', ['-W', '-f', '${Version}', name]);
    return v === 'not found' || v === '' ? 'not found' : v;
  };
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    assemblyscript: packageVersion('assemblyscript'),
    tools: {
      gcc: firstLine('gcc', ['--version']),
      emcc: firstLine('emcc', ['--version'], { ...process.env, NODE_PATH: '/usr/share/nodejs' }),
      libmimalloc: dpkg('libmimalloc2.0'),
      libjemalloc: dpkg('libjemalloc2'),
      glibc: firstLine('ldd', ['--version']),
    },
  };
}
