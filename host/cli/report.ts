// report.ts: human-readable tables of a heap's stats, check report and stress runs (kept
// apart from the CLI so the benchmark CLI can print the same tables).

import { formatCheck, type CheckReport, type HeapStats } from '../abi/decode.js';
import type { StressRun } from './stress-driver.js';

/** Pad a table: the first column (or all, with `leftAll`) left-aligned, the others right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[],
                            leftAll = false): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((v, c) => (c === 0 || leftAll ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

/** Bytes as B / KiB / MiB / GiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}

/** Per-class table (classes with any slab or block) and the global figures. */
export function formatStats(s: HeapStats): string {
  const rows = s.classes
    .filter((c) => c.slabs || c.inUse || c.cached || c.free || c.pending)
    .map((c) => [`${c.cls}`, c.stride, c.inUse, c.cached, c.free, c.pending, c.slabs,
                 `${c.carved}/${c.capacity}`]);
  const table = rows.length > 0
    ? formatTable(['class', 'size', 'in use', 'cached', 'free', 'pending', 'slabs', 'carved/cap'], rows)
    : '(no small slabs in use)';
  const global = formatTable(['heap', 'value'], [
    ['memory', `${s.pages} pages (${formatBytes(s.pages * 65536)}), ${s.chunks} chunks, peak ${s.peakChunks}, ${s.grows} grows`],
    ['superslabs', s.superslabs],
    ['slabs small / free', `${s.smallSlabs} / ${s.freeSlabs}`],
    ['large runs / huge spans', `${s.largeRuns} / ${s.hugeSpans} (${s.largeSlabs} x 64 KiB)`],
    ['bytes in use', formatBytes(s.bytesInUse)],
    ['large bytes asked / given', `${formatBytes(s.largeBytesAsked)} / ${formatBytes(s.largeBytesGiven)} (requests above the largest class)`],
    ['remote frees / pushes', `${s.remoteFrees} / ${s.remotePushes}`],
    ['drains / drained blocks', `${s.drains} / ${s.drainedBlocks}`],
    ['adoptions / orphaned / orphans now', `${s.adoptions} / ${s.orphaned} / ${s.orphanSlabs}`],
    ['threads / reclaims', `${s.threads} / ${s.reclaims}`],
    ['faults / oom', `${s.faults} / ${s.oom}`],
    ['config', `cache ${['off', 'small', 'default'][s.cacheMode] ?? s.cacheMode}, remote batch ${s.remoteBatch}, ring ${['off', 'slow', 'all'][s.ringMode] ?? s.ringMode}, ${s.debugBuild ? 'debug' : 'release'} build`],
  ], true);
  return `${table}\n\n${global}`;
}

/** Per-worker table of a stress run and its totals. */
export function formatStressRun(run: StressRun): string {
  const rows = run.workers.map((w) => [`${w.index}`, w.tid, w.mallocs, w.localFrees, w.remoteFrees,
    w.sent, w.queueFull, w.largeAllocs, w.patternFailures, w.elapsedMs.toFixed(0)]);
  const t = run.totals;
  rows.push(['total', '', t.mallocs, t.frees - t.remoteFrees, t.remoteFrees, t.sent, t.queueFull,
             t.largeAllocs, t.patternFailures, run.elapsedMs.toFixed(0)]);
  const table = formatTable(['worker', 'tid', 'mallocs', 'local frees', 'remote frees', 'sent',
                             'queue full', 'large', 'bad pattern', 'ms'], rows);
  const opsPerSec = (t.mallocs + t.frees) / (run.elapsedMs / 1000);
  const failures = t.failures.length ? `\npattern failures:\n  ${t.failures.join('\n  ')}` : '';
  return `${table}\n${(opsPerSec / 1e6).toFixed(2)} M malloc+free per second${failures}`;
}

/** The check result, one line when clean. */
export function formatCheckReport(r: CheckReport): string {
  return formatCheck(r);
}
