// gen-abi.mjs: generates host/abi/abi.generated.ts, the host's view of the allocator's shared
// records and code tables, from assembly/*.ts itself, so no offset, code or name is typed
// twice. Run by scripts/build.mjs before tsc.
//
// Records: every `@unmanaged export class Name {` with one `field: type;` per line (several
// `a: u32; b: u32;` on a line are fine) becomes a descriptor `Name = { size, off, type }`;
// fields named `_*` are padding: they take room but get no entry.
// Offsets follow AssemblyScript's layout: each field aligned to its own size, in order; size
// is offsetof<Name>(), the end of the last field. test/host/abi.test.ts compiles a module
// that exports offsetof for every generated field and compares.
//
// Code tables: a line `// abi: TABLE KIND PREFIX` opens a table; the constants that follow
// (`@inline [export] const PREFIXNAME: type = N;  // comment`, with their `// @ts-ignore`
// lines) are its entries, up to the first other line. KIND says what the host gets, indexed
// by the constant's value:
//   names     the name in lower case without the prefix (FAULT_DOUBLE_FREE -> 'double_free')
//   messages  the comment after the constant (index 0: 'abort called by compiled code')
// Unused indices are 'none'.
//
//   node scripts/gen-abi.mjs [--check]     --check: exit 1 if the file is not up to date

import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'host', 'abi', 'abi.generated.ts');
const CONST = /^@inline (?:export )?const ([A-Z0-9_]+): u\d+ = (\d+);\s*(?:\/\/\s*(.*))?$/;

/** Byte size (= alignment) of each field type a record may use. */
const TYPE_SIZE = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, usize: 4, isize: 4,
                    u64: 8, i64: 8, f64: 8 };

/** The allocator's source files, in a stable order. */
function sources() {
  const dir = join(ROOT, 'assembly');
  return readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()
    .map((f) => ({ file: f, lines: readFileSync(join(dir, f), 'utf8').split('\n') }));
}

/** Every @unmanaged record in the allocator's sources, with its fields' offsets. */
export function readRecords() {
  const records = [];
  for (const { file, lines } of sources()) {
    for (let i = 0; i < lines.length; i++) {
      const m = /^@unmanaged export class (\w+) \{/.exec(lines[i]);
      if (!m) continue;
      const fields = [];
      let at = 0;
      for (let j = i + 1; ; j++) {
        if (j >= lines.length) throw new Error(`${file}:${i + 1}: class ${m[1]} does not end`);
        const line = lines[j].replace(/\/\/.*$/, '').trim();
        if (line === '}') break;
        for (const decl of line.split(';').map((d) => d.trim()).filter(Boolean)) {
          const f = /^(\w+): (\w+)$/.exec(decl);
          if (!f || !(f[2] in TYPE_SIZE)) throw new Error(`${file}:${j + 1}: ${m[1]}: cannot lay out "${decl}"`);
          const size = TYPE_SIZE[f[2]];
          at = (at + size - 1) & ~(size - 1);
          if (!f[1].startsWith('_')) fields.push({ name: f[1], type: f[2], offset: at }); // _*: padding
          at += size;
        }
      }
      records.push({ name: m[1], file, fields, size: at });
    }
  }
  return records;
}

/** Every table in the allocator's sources. */
export function readTables() {
  const tables = [];
  for (const { file: f, lines } of sources()) {
    for (let i = 0; i < lines.length; i++) {
      const m = /^\/\/ abi: (\w+) (names|messages|words) (\w+)/.exec(lines[i]);
      if (!m) continue;
      const [, table, kind, prefix] = m;
      const entries = [];
      for (let j = i + 1; j < lines.length; j++) {
        const line = lines[j].trim();
        if (line.startsWith('// @ts-ignore')) continue;
        const c = CONST.exec(line);
        if (!c || !c[1].startsWith(prefix)) break;
        entries.push({ name: c[1].slice(prefix.length), value: Number(c[2]), comment: (c[3] ?? '').trim() });
      }
      if (entries.length === 0) throw new Error(`${f}:${i + 1}: table ${table} has no entries`);
      tables.push({ table, kind, prefix, file: f, entries });
    }
  }
  return tables;
}

/** The records section: a descriptor per record (padding fields, named _*, left out). */
function renderRecords(records) {
  const out = [
    '/** A field type of a shared record (AssemblyScript\'s names). */',
    `export type FieldType = ${[...new Set(records.flatMap((r) => r.fields.map((f) => f.type)))].sort().map((t) => `'${t}'`).join(' | ')};`,
    '',
    '/** A shared record: its size (offsetof<Name>()), and each field\'s byte offset and type. */',
    'export interface RecordDesc<F extends string = string> {',
    '  readonly name: string;',
    '  readonly size: number;',
    '  readonly off: Readonly<Record<F, number>>;',
    '  readonly type: Readonly<Record<F, FieldType>>;',
    '}',
    '',
  ];
  for (const r of records) {
    const names = r.fields.map((f) => `'${f.name}'`).join(' | ');
    out.push(`/** ${r.name} (assembly/${r.file}), ${r.size} bytes. */`);
    out.push(`export const ${r.name}: RecordDesc<${names}> = {`);
    out.push(`  name: '${r.name}', size: ${r.size},`);
    out.push(`  off: { ${r.fields.map((f) => `${f.name}: ${f.offset}`).join(', ')} },`);
    out.push(`  type: { ${r.fields.map((f) => `${f.name}: '${f.type}'`).join(', ')} },`);
    out.push('};', '');
  }
  out.push('/** Every record by name. */');
  out.push(`export const RECORDS = { ${records.map((r) => r.name).join(', ')} } as const;`, '');
  return out;
}

/** The code tables section. */
function renderTables(tables) {
  const out = [];
  for (const t of tables) {
    const max = Math.max(...t.entries.map((e) => e.value));
    const by = new Map(t.entries.map((e) => [e.value, e]));
    if (by.size !== t.entries.length) throw new Error(`${t.file}: table ${t.table} has two entries with one value`);
    const items = [];
    for (let v = 0; v <= max; v++) {
      const e = by.get(v);
      if (t.kind === 'names') items.push(e ? e.name.toLowerCase() : 'none');
      else items.push(e ? e.comment : v === 0 ? 'abort called by compiled code' : 'unknown');
    }
    out.push(`/** ${t.kind === 'names' ? 'Names' : 'Messages'}, indexed by value (assembly/${t.file}, ${t.prefix}*). */`);
    out.push(`export const ${t.table} = [`, ...items.map((x) => `  ${JSON.stringify(x)},`), '] as const;', '');
  }
  return out;
}

/** The whole generated file. */
export function render(records, tables) {
  return [
    '// abi.generated.ts: GENERATED by scripts/gen-abi.mjs from assembly/*.ts: the @unmanaged',
    '// records and the `// abi:` code tables. Do not edit: change the allocator\'s sources',
    '// (npm run build regenerates this).',
    '',
    '// ---- records ----------------------------------------------------------------------------',
    '',
    ...renderRecords(records),
    '// ---- code tables --------------------------------------------------------------------------',
    '',
    ...renderTables(tables),
  ].join('\n');
}

// CLI
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = render(readRecords(), readTables());
  if (process.argv.includes('--check')) {
    const cur = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
    if (cur !== text) { console.error(`${OUT} is stale: run node scripts/gen-abi.mjs`); process.exit(1); }
  } else if (!existsSync(OUT) || readFileSync(OUT, 'utf8') !== text) {
    writeFileSync(OUT, text);
    console.log(`gen-abi: wrote ${OUT}`);
  }
}
