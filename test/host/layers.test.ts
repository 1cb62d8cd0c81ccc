// The host's layer rule (docs/ARCHITECTURE.md section 13) as a check: every file under host/
// belongs to exactly one layer of the table there, and imports only from its own layer or the
// ones below. The table in the document is the only statement of the rule; this test parses
// it, so the document cannot drift from the code.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';

const HOST = path.join(ROOT, 'host');
/** The entry points import every layer; they sit above all of them. */
const ENTRIES = ['index.ts', 'browser.ts'];

/** Every .ts file under host/, as a path relative to it with '/' separators. */
function hostFiles(dir = HOST): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...hostFiles(p));
    else if (e.name.endsWith('.ts')) out.push(path.relative(HOST, p).split(path.sep).join('/'));
  }
  return out.sort();
}

/** The layer table: for each layer number, the file patterns (`x.ts`, `cli*.ts`, `dir/`). */
function layerTable(): { layer: number; patterns: string[] }[] {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## 13. The host'), doc.indexOf('## 14.'));
  const rows: { layer: number; patterns: string[] }[] = [];
  for (const line of section.split('\n')) {
    const m = /^\| (\d+)\. [^|]+ \| ([^|]+) \|/.exec(line);
    if (!m) continue;
    const cell = m[2].replace(/\([^)]*\)/g, ''); // parenthesised notes name no files of the layer
    const patterns = [...cell.matchAll(/`([\w.*-]+(?:\/)?)`/g)].map((x) => x[1]);
    rows.push({ layer: Number(m[1]), patterns });
  }
  return rows;
}

/** Does host file `f` match a table pattern? */
function matches(f: string, pattern: string): boolean {
  if (pattern.endsWith('/')) return f.startsWith(pattern);
  if (pattern.includes('*')) {
    const re = new RegExp('^' + pattern.replace(/\./g, '\\.').replace(/\*/g, '[^/]*') + '$');
    return re.test(f);
  }
  return f === pattern;
}

/** The layer of every host file (entries: one above the top layer). */
function layersOf(files: string[]): Map<string, number> {
  const table = layerTable();
  const top = Math.max(...table.map((r) => r.layer));
  const out = new Map<string, number>();
  for (const f of files) {
    if (ENTRIES.includes(f)) { out.set(f, top + 1); continue; }
    const hits = table.filter((r) => r.patterns.some((p) => matches(f, p)));
    if (hits.length === 1) out.set(f, hits[0].layer);
    else if (hits.length > 1) {
      // a file inside a folder the table names (link/, bench/) belongs to that folder's row,
      // unless the row lists the file by name too: that is the same row
      const rows = new Set(hits.map((h) => h.layer));
      if (rows.size === 1) out.set(f, hits[0].layer);
    }
  }
  return out;
}

/** The host files `f` imports (relative imports, resolved; `.js` specifiers name `.ts` files). */
function importsOf(f: string): string[] {
  const text = fs.readFileSync(path.join(HOST, f), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1])).replace(/\.js$/, '.ts');
    if (!target.startsWith('..')) out.push(target);
  }
  return out;
}

/** Every import of `imports` (file -> imported files) that goes to a higher layer. */
function ruleViolations(layers: Map<string, number>, imports: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [f, targets] of imports) {
    for (const t of targets) {
      const from = layers.get(f), to = layers.get(t);
      if (from === undefined || to === undefined) continue; // unplaced files are reported apart
      if (to > from) out.push(`${f} (layer ${from}) imports ${t} (layer ${to})`);
    }
  }
  return out;
}

describe('host layer rule (docs/ARCHITECTURE.md section 13)', () => {
  const files = hostFiles();
  const layers = layersOf(files);

  it('the table names seven layers, each with files', () => {
    const table = layerTable();
    expect(table.map((r) => r.layer)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const r of table) expect(r.patterns.length).toBeGreaterThan(0);
  });

  it('the tree shows the layers: one folder per layer, only the entry points at the top', () => {
    const table = layerTable();
    for (const r of table) expect(r.patterns.every((p) => p.endsWith('/')), `layer ${r.layer}: ${r.patterns}`).toBe(true);
    const folders = table.flatMap((r) => r.patterns);
    expect(new Set(folders).size).toBe(folders.length); // no folder in two layers
    expect(files.filter((f) => !f.includes('/'))).toEqual([...ENTRIES].sort());
  });

  it('puts every host file in exactly one layer', () => {
    const unplaced = files.filter((f) => !layers.has(f));
    expect(unplaced).toEqual([]);
  });

  it('has no file importing from a layer above its own', () => {
    expect(ruleViolations(layers, new Map(files.map((f) => [f, importsOf(f)])))).toEqual([]);
  });

  it('can fail: an import from a higher layer is reported', () => {
    // abi/decode.ts (layer 2) importing heap/heap.ts (layer 3) would break the rule
    expect(ruleViolations(layers, new Map([['abi/decode.ts', ['heap/heap.ts', 'abi/views.ts']]])))
      .toEqual([`abi/decode.ts (layer 2) imports heap/heap.ts (layer 3)`]);
  });
});
