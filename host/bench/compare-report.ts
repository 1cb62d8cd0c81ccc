// compare-report.ts: compare's outputs: a Markdown report (tables, targets, machine), an
// SVG chart (ops/s and ratio per case) and the JSON of every run, under bench/results/.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompareResult, CompareRow, coresText, faultText, perRound } from './compare.js';
import { gateText } from './cores-gate.js';
import { mega, mib, textTable } from './table.js';
import { spread } from './summary.js';
import type { WorkerTimeField } from './record.js';

const ratioText = (r: number | null | undefined): string => (r == null ? '-' : `${r.toFixed(2)}x`);

/** Column titles: allocator names, except the peers whose name says less than their title. */
const TITLES: Record<string, string> = { 'hakmem-emcc': 'hakmem-wasm (emcc)' };
export const columnTitle = (alloc: string): string => TITLES[alloc] ?? alloc;

/** A table of cases (rows) by allocators (columns). */
export interface Pivot { header: string[]; rows: string[][] }

/**
 * Rows: cases; columns: `caseColumns` (a figure of the case itself), then allocators; each
 * allocator's cell is `cell` of its row for the case, '-' where it did not run the case.
 */
function pivot(res: CompareResult, cell: (row: CompareRow) => string,
               caseColumns: { title: string; value: (rows: CompareRow[]) => string }[] = []): Pivot {
  const header = ['case', 'threads', ...caseColumns.map((k) => k.title), ...res.allocs.map(columnTitle)];
  const rows = res.cases.map((c) => {
    const mine = res.rows.filter((r) => r.case === c.id);
    return [c.id, String(c.threads), ...caseColumns.map((k) => k.value(mine)), ...res.allocs.map((a) => {
      const row = mine.find((r) => r.alloc === a);
      return row ? cell(row) : '-';
    })];
  });
  return { header, rows };
}

/** Rows: cases; columns: allocators; cells: median Mops/s and ratio to the baseline. */
export function pivotRows(res: CompareResult): Pivot {
  return pivot(res, (row) => `${mega(row.opsPerSec.median)} (${ratioText(row.ratio)})${row.failures ? ' !' : ''}`);
}

/** Rows: cases; columns: allocators; cells: own ns/op (floor subtracted) and ratio to the baseline's. */
export function ownCostRows(res: CompareResult): Pivot {
  return pivot(res, (row) => {
    if (row.nsPerOp === null) return '-';
    if (row.floor === row.alloc) return `${row.nsPerOp.toFixed(2)} (floor)`;
    if (row.ownNsPerOp === null) return `${row.nsPerOp.toFixed(2)} total`;
    return `${row.ownNsPerOp.toFixed(2)} (${ratioText(row.ownRatio)})`;
  });
}

/** The footprint table's title (terminal and Markdown). */
export const FOOTPRINT_TITLE = 'Footprint: peak resident − empty run, over peak requested live bytes';

/** Rows: cases; columns: the live bytes, then allocators; cells: footprint MiB (ratio to live bytes). */
export function footprintRows(res: CompareResult): Pivot {
  const live = { title: 'live MiB', value: (rows: CompareRow[]) => mib(rows.find((r) => r.liveBytes !== null)?.liveBytes) };
  return pivot(res, (row) => {
    if (row.footprintBytes === null) return '-';
    return row.footprintRatio === null ? mib(row.footprintBytes) : `${mib(row.footprintBytes)} (${ratioText(row.footprintRatio)})`;
  }, [live]);
}

function mdTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function median(res: CompareResult, id: string, alloc: string): number {
  return res.rows.find((r) => r.case === id && r.alloc === alloc)?.opsPerSec.median ?? NaN;
}

/** The goals of the performance issue (10), as measured here. */
export function targetLines(res: CompareResult): string[] {
  const h = (id: string): number => median(res, id, 'hakmem-wasm');
  const row = (id: string, alloc: string): CompareRow | undefined => res.rows.find((r) => r.case === id && r.alloc === alloc);
  const line = (what: string, got: number, want: number, paired: number | null = null): string =>
    Number.isFinite(got) ? `- ${what}: ${got.toFixed(2)}x (goal ${want}x) ${got >= want ? 'met' : 'MISSED'}` +
      (paired !== null ? ` (per-round ratio, median: ${paired.toFixed(2)}x)` : '') : `- ${what}: not measured`;
  const out: string[] = [];
  for (const id of ['larson-1T', 'larson-2T', 'random_mixed']) {
    const mine = row(id, 'hakmem-wasm')?.ownNsPerOp ?? null, theirs = row(id, 'mimalloc')?.ownNsPerOp ?? null;
    const pm = row(id, 'hakmem-wasm')?.pairedOwnNsPerOp ?? null, pt = row(id, 'mimalloc')?.pairedOwnNsPerOp ?? null;
    const paired = pm !== null && pt !== null ? ` (per-round: ${pm.toFixed(2)} vs ${pt.toFixed(2)})` : '';
    out.push(mine === null || theirs === null ? `- ${id} own cost vs native mimalloc: not measured`
      : `- ${id} own cost: ${mine.toFixed(2)} ns/op vs native mimalloc ${theirs.toFixed(2)} (goal: at or below) ` +
        `${mine <= theirs ? 'met' : 'MISSED'}${paired}`);
  }
  for (const id of ['larson-1T', 'larson-2T', 'larson-1T-128', 'larson-2T-128', 'random_mixed']) {
    const paired = res.baseline === 'mimalloc' ? row(id, 'hakmem-wasm')?.pairedRatio ?? null : null;
    out.push(line(`${id} vs native mimalloc`, h(id) / median(res, id, 'mimalloc'), 0.85, paired));
  }
  out.push(line('xfree-1P1C vs native mimalloc', h('xfree-1P1C') / median(res, 'xfree-1P1C', 'mimalloc'), 1.0,
    res.baseline === 'mimalloc' ? row('xfree-1P1C', 'hakmem-wasm')?.pairedRatio ?? null : null));
  // Scaling: first what the cores themselves gave two threads in this run, then the 2T case's
  // run over the 1T case's run of the same round, beside the medians' ratio.
  const faults = faultText(res.cores ?? []);
  out.push(`- the machine, for the scaling goals below: ${coresText(res.cores ?? [])} ` +
    '(bench/README.md "The machine\'s cores": a throughput-bound loop below a latency-bound one\'s 2x means ' +
    'two virtual CPUs that share one physical core)' +
    (faults === null ? '' : `; ${faults}: every run pays it for each page it touches first`));
  const gated = gateText(res.gate, res.runs);
  if (gated !== null) out.push(`- ${gated}`);
  const scaling = (two: string, one: string): number | null =>
    perRound(res.runs, { case: two, alloc: 'hakmem-wasm' }, { case: one, alloc: 'hakmem-wasm' }, (x, y) => x / y);
  out.push(line('larson 2T vs 1T (hakmem-wasm)', h('larson-2T') / h('larson-1T'), 1.9, scaling('larson-2T', 'larson-1T')));
  out.push(...scalingContext(res, 'larson-2T', 'larson-1T'));
  out.push(line('larson 2T vs 1T, 16..128 (hakmem-wasm)', h('larson-2T-128') / h('larson-1T-128'), 1.9,
    scaling('larson-2T-128', 'larson-1T-128')));
  out.push(...scalingContext(res, 'larson-2T-128', 'larson-1T-128'));
  out.push(line('midlarge 2T vs 1T (hakmem-wasm)', h('midlarge-2T') / h('midlarge-1T'), 1.0, scaling('midlarge-2T', 'midlarge-1T')));
  out.push(...scalingContext(res, 'midlarge-2T', 'midlarge-1T', false));
  out.push(oversubscriptionLine(res));
  out.push(...oversubscriptionContext(res));
  out.push(...footprintTargetLines(res));
  // What linking into a C program costs: the same workloads compiled by emcc and linked with
  // hakmem-wasm, against the bench module (workloads in AssemblyScript, in the same module).
  for (const c of res.cases) {
    const e = median(res, c.id, 'hakmem-emcc');
    if (Number.isFinite(e) && Number.isFinite(h(c.id))) {
      out.push(`- ${c.id}: hakmem-wasm (emcc) ${mega(e)} Mops/s = ${(e / h(c.id)).toFixed(2)}x the bench module's ${mega(h(c.id))}`);
    }
  }
  return out;
}

/** The allocators whose scaling in the same run says what the machine gave two threads. */
const SCALING_PEERS: readonly string[] = ['floor-wasm', 'floor-native', 'mimalloc'];

/**
 * What the machine gave two threads while a scaling goal was measured: the per-round 2T/1T of
 * the floors and mimalloc in the same run, and how unevenly hakmem-wasm's two workers were
 * served. larson's lineages do equal work, so the slower worker's on-CPU time over the faster's
 * is near 1 unless one thread was slowed while on its CPU (a hypervisor's neighbour shows up
 * here, as running time: the guest cannot see it); the run lasts as long as the slower worker.
 * `workers` false leaves that line out (midlarge's barriers make its workers' times equal).
 */
export function scalingContext(res: CompareResult, two: string, one: string, workers = true): string[] {
  const peers = SCALING_PEERS.map((alloc) => {
    const r = perRound(res.runs, { case: two, alloc }, { case: one, alloc }, (x, y) => x / y);
    return r === null ? null : `${alloc} ${r.toFixed(2)}x`;
  }).filter((s): s is string => s !== null);
  const uneven = res.runs.filter((r) => r.case === two && r.alloc === 'hakmem-wasm' && !r.error)
    .map((r) => cpuSpread(r.worker_times)).filter((x): x is number => x !== null);
  const out: string[] = [];
  if (peers.length > 0) out.push(`  - the same run's per-round 2T/1T: ${peers.join(', ')}`);
  if (workers && uneven.length > 0) {
    const s = spread(uneven);
    out.push(`  - hakmem-wasm's ${two} runs, slower worker's on-CPU time over the faster's: median ` +
      `${s.median.toFixed(2)}x, max ${s.max.toFixed(2)}x over ${s.n} runs`);
  }
  return out;
}

/** The slowest worker's on-CPU ms over the fastest's, from a record's worker_times; null if unknown. */
export function cpuSpread(field: unknown): number | null {
  if (!Array.isArray(field) || field.length < 2) return null;
  const cpu = (field as WorkerTimeField[]).map((w) => w.cpu_ms);
  if (cpu.some((c) => c === null || !(c > 0))) return null;
  return Math.max(...(cpu as number[])) / Math.min(...(cpu as number[]));
}

/** The oversubscription goal: throughput at 8 workers at least this much of the throughput at 2. */
const OVERSUBSCRIPTION_GOAL = 0.8;
/** The cases at 8 workers that the goal measures (each row's vs2Workers is 8T over 2T), by workload. */
const EIGHT_WORKER_CASES: readonly { workload: string; id: string; two: string }[] = [
  { workload: 'larson', id: 'larson-8T', two: 'larson-2T' },
  { workload: 'random_mixed', id: 'random_mixed-8T', two: 'random_mixed-2T' },
];

/**
 * The oversubscription goal (issue 10, item 5) for hakmem-wasm: met when every workload's 8T/2T
 * ratio reaches the goal, MISSED as soon as one falls short, else not (fully) measured.
 */
function oversubscriptionLine(res: CompareResult): string {
  const ratios = EIGHT_WORKER_CASES.map(({ workload, id }) =>
    ({ workload, r: res.rows.find((row) => row.case === id && row.alloc === 'hakmem-wasm')?.vs2Workers ?? null }));
  const figures = ratios.map(({ workload, r }) => `${workload} 8T/2T = ${r === null ? '-' : r.toFixed(2)}`).join('; ');
  const verdict = ratios.some(({ r }) => r !== null && r < OVERSUBSCRIPTION_GOAL) ? 'MISSED'
    : ratios.every(({ r }) => r !== null) ? 'met' : 'not measured';
  return `- hakmem-wasm: throughput at 8 workers >= ${OVERSUBSCRIPTION_GOAL}x at 2 workers (${figures}) ${verdict}`;
}

/**
 * The oversubscription goal's context: per workload, the per-round 8T/2T (each 8-worker run over
 * the 2-worker run of the same round) of hakmem-wasm and of the allocators whose scaling says
 * what the machine gave, so a miss that every allocator shares reads as one.
 */
export function oversubscriptionContext(res: CompareResult): string[] {
  return EIGHT_WORKER_CASES.flatMap(({ workload, id, two }) => {
    const figures = ['hakmem-wasm', ...SCALING_PEERS].map((alloc) => {
      const r = perRound(res.runs, { case: id, alloc }, { case: two, alloc }, (x, y) => x / y);
      return r === null ? null : `${alloc} ${r.toFixed(2)}x`;
    }).filter((f): f is string => f !== null);
    return figures.length > 0 ? [`  - per round, ${workload} 8T/2T: ${figures.join(', ')}`] : [];
  });
}

/** Live bytes (5 MB) from which the footprint ratio goal applies. */
const BIG_LIVE_BYTES = 5e6;
/** The footprint goals: at most 1.5x the live bytes on big live sets, at most 2 MiB above them on larson-1T's small one. */
const FOOTPRINT_GOAL_RATIO = 1.5;
const FOOTPRINT_GOAL_ABOVE_BYTES = 2 * 1024 * 1024;

/** The footprint goals (issue 10, item 6) for hakmem-wasm. */
function footprintTargetLines(res: CompareResult): string[] {
  const mine = res.rows.filter((r) => r.alloc === 'hakmem-wasm');
  const figures = (r: CompareRow): string => `${mib(r.footprintBytes)} MiB resident, ${mib(r.liveBytes)} MiB live`;
  const out: string[] = [];
  const bigRows = mine.filter((r) => r.liveBytes !== null && r.liveBytes >= BIG_LIVE_BYTES);
  for (const r of bigRows) {
    out.push(r.footprintRatio === null ? `- ${r.case} footprint (hakmem-wasm): not measured`
      : `- ${r.case} footprint (hakmem-wasm): ${r.footprintRatio.toFixed(2)}x live (${figures(r)}; goal <= ${FOOTPRINT_GOAL_RATIO}x) ` +
        `${r.footprintRatio <= FOOTPRINT_GOAL_RATIO ? 'met' : 'MISSED'}`);
  }
  if (bigRows.length === 0) out.push('- footprint (hakmem-wasm) on cases with >= 5 MB live: not measured');
  const small = mine.find((r) => r.case === 'larson-1T' && r.aboveLiveBytes !== null);
  out.push(!small ? '- larson-1T footprint (hakmem-wasm): not measured'
    : `- larson-1T footprint (hakmem-wasm): ${mib(small.aboveLiveBytes)} MiB above live (${figures(small)}; goal <= ` +
      `${mib(FOOTPRINT_GOAL_ABOVE_BYTES)} MiB) ` +
      `${small.aboveLiveBytes! <= FOOTPRINT_GOAL_ABOVE_BYTES ? 'met' : 'MISSED'}`);
  return out;
}

/** The Markdown report. */
export function markdownReport(res: CompareResult): string {
  const m = res.machine;
  const { header, rows } = pivotRows(res);
  const ownCost = ownCostRows(res);
  const footprint = footprintRows(res);
  const detail = res.rows.map((r: CompareRow) => [r.case, r.alloc, r.platform, mega(r.opsPerSec.median),
    mega(r.opsPerSec.min), mega(r.opsPerSec.max), `${mega(r.opsPerSec.q1)}-${mega(r.opsPerSec.q3)}`,
    ratioText(r.ratio), ratioText(r.pairedRatio), r.ownNsPerOp === null ? '-' : r.ownNsPerOp.toFixed(2),
    r.pairedOwnNsPerOp == null ? '-' : r.pairedOwnNsPerOp.toFixed(2),
    String(r.opsPerSec.n), String(r.failures)]);
  return [
    `# hakmem-wasm compare, ${m.date}`,
    '',
    `Command: \`${res.command}\`. Every cell is the median of ${res.rows[0]?.opsPerSec.n ?? 0} interleaved runs, in millions of ops/s, ` +
    `with the ratio to **${res.baseline}** in parentheses (higher is faster; \`!\` marks failed runs).`,
    '',
    mdTable(header, rows),
    '',
    '## Own cost per operation',
    '',
    'Nanoseconds per operation (wall time over all threads) minus the floor allocator\'s on the same platform ' +
    '(`floor-wasm` for the wasm32-hakmem and AssemblyScript builds, `floor-native` for native, `floor-emcc` for ' +
    `Emscripten; see bench/README.md "The floor"), with the ratio to **${res.baseline}**'s own cost (lower is cheaper). ` +
    'A floor column shows its own total ns/op. A negative own cost means the floor is not a lower bound for that ' +
    'case (xfree: its queues, not its allocator, set its pace).',
    '',
    mdTable(ownCost.header, ownCost.rows),
    '',
    `## ${FOOTPRINT_TITLE}`,
    '',
    'MiB of peak resident memory minus the same allocator\'s empty run, with its ratio to the workload\'s peak ' +
    'requested live bytes (`live MiB`; lower is leaner, 1.00x would be no overhead at all; larson only: the other ' +
    'workloads report no live bytes). hakmem-wasm and floor-wasm: the resident size of the heap\'s own ' +
    'WebAssembly.Memory after the run minus right after init; native peers: the process\'s peak RSS minus an empty ' +
    'run\'s; Emscripten peers: node\'s peak RSS minus an empty run\'s, which node\'s own memory makes noisy by MiBs. ' +
    'Medians over the runs; see bench/README.md "Footprint".',
    '',
    mdTable(footprint.header, footprint.rows),
    '',
    '## Goals (issue 10)',
    '',
    ...targetLines(res),
    '',
    '## Cases',
    '',
    ...res.cases.map((c) => `- ${c.id}: \`${c.argv.join(' ')}\``),
    '',
    '## Spread',
    '',
    `"per-round ratio" is the median over rounds of the allocator's run over **${res.baseline}**'s run of the same ` +
    'round, seconds apart, where "ratio" divides medians of runs minutes apart; "per-round own ns/op" likewise pairs ' +
    'each run with its floor\'s run of the same round. On a machine whose speed drifts, the per-round figures are the ' +
    'steadier ones (the goal lines give both; their verdict is on the medians).',
    '',
    mdTable(['case', 'alloc', 'platform', 'median', 'min', 'max', 'IQR', 'ratio', 'per-round ratio', 'own ns/op', 'per-round own ns/op', 'runs', 'failed'], detail),
    '',
    '## Checksums',
    '',
    res.checksumErrors.length === 0 ? 'Every allocator produced the same checksums on every case.' : res.checksumErrors.map((e) => `- ${e}`).join('\n'),
    '',
    ...(res.skipped.length ? ['## Skipped', '', ...res.skipped.map((s) => `- ${s}`), ''] : []),
    '## Machine',
    '',
    `- CPU: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB`,
    `- OS: ${m.os}`,
    `- Node ${m.node} (V8 ${m.v8}), AssemblyScript ${m.assemblyscript}`,
    ...Object.entries(m.tools).map(([k, v]) => `- ${k}: ${v}`),
    '',
  ].join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const COLORS = ['#d62728', '#9467bd', '#1f77b4', '#2ca02c', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];

/** A bar chart: one panel per case, one bar per allocator (median ops/s, ratio label). */
export function svgChart(res: CompareResult): string {
  const barH = 16, gap = 4, panelGap = 28, left = 140, width = 780, barMax = width - left - 170;
  let y = 40;
  const parts: string[] = [];
  for (const c of res.cases) {
    const rows = res.allocs.map((a) => res.rows.find((r) => r.case === c.id && r.alloc === a)).filter((r): r is CompareRow => !!r);
    const max = Math.max(...rows.map((r) => (Number.isFinite(r.opsPerSec.median) ? r.opsPerSec.median : 0)), 1);
    parts.push(`<text x="10" y="${y}" font-weight="bold">${esc(c.id)}</text>`);
    y += 8;
    for (const r of rows) {
      const i = res.allocs.indexOf(r.alloc);
      const v = Number.isFinite(r.opsPerSec.median) ? r.opsPerSec.median : 0;
      const w = Math.max(1, (v / max) * barMax);
      parts.push(`<text x="${left - 6}" y="${y + barH - 4}" text-anchor="end">${esc(columnTitle(r.alloc))}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[i % COLORS.length]}"/>`,
        `<text x="${left + w + 6}" y="${y + barH - 4}">${mega(v)} Mops/s (${ratioText(r.ratio)})</text>`);
      y += barH + gap;
    }
    y += panelGap;
  }
  const title = `hakmem-wasm compare: ops/s (ratio to ${res.baseline}), ${res.machine.date.slice(0, 10)}, ${res.machine.cpu}, ${res.machine.cores} cores`;
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14">${esc(title)}</text>`, ...parts, '</svg>', ''].join('\n');
}

/** Write compare-<stamp>.{json,md,svg} into `dir`; returns the paths. */
export function writeCompareFiles(res: CompareResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = res.machine.date.replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const base = join(dir, `compare-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(res, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdownReport(res));
  writeFileSync(`${base}.svg`, svgChart(res));
  return [`${base}.json`, `${base}.md`, `${base}.svg`];
}

/** The pivot tables for the terminal: throughput, own cost per operation, footprint. */
export function compareTable(res: CompareResult): string {
  const { header, rows } = pivotRows(res);
  const own = ownCostRows(res);
  const fp = footprintRows(res);
  return `${textTable(header, rows)}\n\nOwn ns/op (floor subtracted; ratio to ${res.baseline}'s)\n${textTable(own.header, own.rows)}` +
    `\n\n${FOOTPRINT_TITLE} (MiB; ratio to live)\n${textTable(fp.header, fp.rows)}`;
}
