// table.ts: plain-text tables for the terminal (right-aligned numbers, left-aligned text).

/** Render rows under a header, columns padded to their widest cell. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isNum = header.map((_, i) => rows.every((r) => /^[-+]?[\d.,]+[a-zA-Z%x]*$|^-$|^$/.test(r[i] ?? '')));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (isNum[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Millions, with one decimal (ops/s and such). */
export function mega(v: number): string {
  return Number.isFinite(v) ? (v / 1e6).toFixed(1) : '-';
}

/** A count with thousands separators. */
export function count(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-';
}

/** Bytes in MiB, one decimal. */
export function mib(v: unknown): string {
  return typeof v === 'number' ? (v / (1 << 20)).toFixed(1) : '-';
}
