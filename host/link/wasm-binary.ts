// wasm-binary.ts: the one edit the link makes on raw module bytes: raising the minimum of the
// imported memory, so an embedder that sizes the memory from the module's import gives the
// allocator room for its control region before the first call. (Binaryen's API can rename a
// memory import but cannot change its limits without dropping the data segments.)
//
//   module  = magic version section*
//   section = id:u8 size:leb128 payload      (import section: id 2)
//   import  = module:name field:name kind:u8 desc   (memory: kind 2, desc = limits)
//   limits  = flags:u8 min:leb128 [max:leb128 if flags & 1]   (flags & 2: shared)

/** Read an unsigned LEB128 at `at`; returns [value, next offset]. */
function readLeb(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++];
    v += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [v, at];
    shift += 7;
  }
}

/** Encode an unsigned LEB128. */
function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Read a name (length-prefixed UTF-8); returns [name, next offset]. */
function readName(b: Uint8Array, at: number): [string, number] {
  const [n, p] = readLeb(b, at);
  return [new TextDecoder().decode(b.subarray(p, p + n)), p + n];
}

/** Read a signed LEB128 (32-bit) at `at`; returns [value, next offset]. */
function readSleb(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = b[at++];
    v |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  if (shift < 32 && (byte & 0x40)) v |= -1 << shift;
  return [v, at];
}

/** One import entry: its kind and where its descriptor lies. */
interface ImportEntry { kind: number; descStart: number; descEnd: number }

/** Walk the import section (payload [start, end)); `visit` returning true stops the walk. */
function forEachImport(b: Uint8Array, start: number, visit: (e: ImportEntry) => boolean): void {
  let [count, p] = readLeb(b, start);
  while (count-- > 0) {
    p = skipName(b, skipName(b, p));
    const kind = b[p++];
    const descStart = p;
    if (kind === 0) p = readLeb(b, p)[1];                                  // function: type index
    else if (kind === 1) { p++; p = skipLimits(b, p); }                    // table: type, limits
    else if (kind === 2) p = skipLimits(b, p);                             // memory: limits
    else if (kind === 3) p += 2;                                           // global: type, mutability
    else if (kind === 4) { p++; p = readLeb(b, p)[1]; }                     // tag
    else throw new Error(`unknown import kind ${kind}`);
    if (visit({ kind, descStart, descEnd: p })) return;
  }
}

/** Skip limits (flags, min, max if flags & 1); returns the next offset. */
function skipLimits(b: Uint8Array, p: number): number {
  const f = b[p++];
  p = readLeb(b, p)[1];
  return f & 1 ? readLeb(b, p)[1] : p;
}

/** The sections of a module: id -> [payload start, payload end] (first of each id). */
function sections(b: Uint8Array): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  let at = 8;
  while (at < b.length) {
    const id = b[at++];
    const [size, start] = readLeb(b, at);
    if (!out.has(id)) out.set(id, [start, start + size]);
    at = start + size;
  }
  return out;
}

/**
 * The value of the global a module exports as `name`, if it is defined with an i32.const
 * initializer (wasm-ld's __heap_base is); null otherwise. Read from the bytes, so nothing is
 * instantiated.
 */
export function exportedGlobalConst(b: Uint8Array, name: string): number | null {
  const s = sections(b);
  const exp = s.get(7);
  if (!exp) return null;
  let index = -1;
  let [count, p] = readLeb(b, exp[0]);
  while (count-- > 0) {
    let n: string;
    [n, p] = readName(b, p);
    const kind = b[p++];
    let idx: number;
    [idx, p] = readLeb(b, p);
    if (kind === 3 && n === name) index = idx;
  }
  if (index < 0) return null;
  let imported = 0;
  const imp = s.get(2);
  if (imp) forEachImport(b, imp[0], (e) => { if (e.kind === 3) imported++; return false; });
  if (index < imported) return null;
  const glob = s.get(6);
  if (!glob) return null;
  let [n, q] = readLeb(b, glob[0]);
  for (let i = 0; i < n; i++) {
    q += 2; // value type, mutability
    const op = b[q++];
    let value: number | null = null;
    if (op === 0x41) [value, q] = readSleb(b, q);                 // i32.const
    else if (op === 0x23 || op === 0xd2) q = readLeb(b, q)[1];     // global.get, ref.func
    else if (op === 0x42) { while (b[q] & 0x80) q++; q++; }        // i64.const
    else if (op === 0x43) q += 4;                                  // f32.const
    else if (op === 0x44) q += 8;                                  // f64.const
    else if (op === 0xd0) q += 1;                                  // ref.null
    else return null;                                              // extended constant: give up
    if (b[q++] !== 0x0b) return null;                              // not a single-op expression
    if (i === index - imported) return value === null ? null : value >>> 0;
  }
  return null;
}

/** Skip a name (length-prefixed bytes); returns the next offset. */
function skipName(b: Uint8Array, at: number): number {
  const [n, p] = readLeb(b, at);
  return p + n;
}

/** The imported memory's limits, or null if the module does not import one. */
export function importedMemoryLimits(bytes: Uint8Array): { min: number; max: number | null; shared: boolean } | null {
  const found = findMemoryImport(bytes);
  return found && { min: found.min, max: found.max, shared: found.shared };
}

interface MemoryImport {
  sectionStart: number; // offset of the section id byte
  payloadStart: number;
  payloadEnd: number;
  limitsStart: number;
  limitsEnd: number;
  min: number;
  max: number | null;
  shared: boolean;
  flags: number;
}

function findMemoryImport(b: Uint8Array): MemoryImport | null {
  let at = 8;
  while (at < b.length) {
    const sectionStart = at;
    const id = b[at++];
    const [size, payloadStart] = readLeb(b, at);
    const payloadEnd = payloadStart + size;
    if (id === 2) {
      let found: MemoryImport | null = null;
      forEachImport(b, payloadStart, (e) => {
        if (e.kind !== 2) return false;
        const flags = b[e.descStart];
        let [min, p] = readLeb(b, e.descStart + 1);
        let max: number | null = null;
        if (flags & 1) [max, p] = readLeb(b, p);
        found = { sectionStart, payloadStart, payloadEnd, limitsStart: e.descStart, limitsEnd: e.descEnd,
          min, max, shared: (flags & 2) !== 0, flags };
        return true;
      });
      return found;
    }
    at = payloadEnd;
  }
  return null;
}

/** Return `bytes` with the imported memory's minimum raised to at least `pages`. */
export function raiseImportedMemoryMin(bytes: Uint8Array, pages: number): Uint8Array {
  const m = findMemoryImport(bytes);
  if (!m) throw new Error('the module imports no memory');
  if (m.min >= pages) return bytes;
  if (m.max !== null && m.max < pages) {
    throw new Error(`the memory's maximum (${m.max} pages) is below the ${pages} pages the heap needs`);
  }
  const limits = Uint8Array.from([m.flags, ...leb(pages), ...(m.max !== null ? leb(m.max) : [])]);
  const payloadLength = (m.limitsStart - m.payloadStart) + limits.length + (m.payloadEnd - m.limitsEnd);
  return concat([
    bytes.subarray(0, m.sectionStart), Uint8Array.from([2, ...leb(payloadLength)]),
    bytes.subarray(m.payloadStart, m.limitsStart), limits, bytes.subarray(m.limitsEnd, m.payloadEnd),
    bytes.subarray(m.payloadEnd),
  ]);
}

/** Concatenate byte arrays. */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
