// Fails the build if a module breaks a rule of one module in many workers, read from its text
// output (.wat):
//   - no AssemblyScript managed runtime: each instance's runtime heap would start at the same
//     address in the shared memory;
//   - no start function: top-level code would run again in every instance;
//   - the memory contract (docs/ARCHITECTURE.md section 1): every data segment is re-applied
//     at each instantiation, so an allocator module (`--allocator`, the default) may have none
//     at all (a program it is linked into owns every address below the heap base), and any
//     other module (`--data-below N`, the bench module) must keep its data below N, the heap
//     base its host gives it.
// Usage: node scripts/check-build.mjs [--allocator | --data-below N] file.wat ...
import fs from 'node:fs';

const FORBIDDEN = ['__new', '__alloc', '__renew', '__realloc', '~lib/rt/stub/', '~lib/rt/tlsf/', '~lib/rt/itcms/'];
let dataLimit = 0; // 0: no data segment allowed
const files = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--allocator') dataLimit = 0;
  else if (args[i] === '--data-below') dataLimit = Number(args[++i]);
  else files.push([args[i], dataLimit]);
}
let bad = 0;
const fail = (msg) => { console.error(msg); bad++; };
for (const [file, limit] of files) {
  const text = fs.readFileSync(file, 'utf8');
  for (const name of FORBIDDEN) {
    if (text.includes(name)) fail(`${file}: contains ${name}: the allocator must not use the managed runtime`);
  }
  if (/^\s*\(start /m.test(text)) fail(`${file}: has a start function: it would run again in every instance`);
  for (const m of text.matchAll(/^\s*\(data (?:\$\S+ )?\(i32\.const (-?\d+)\) "((?:[^"\\]|\\.)*)"/gm)) {
    const at = Number(m[1]) >>> 0;
    const bytes = m[2].replace(/\\[0-9a-fA-F]{2}/g, 'x').replace(/\\./g, 'x').length;
    if (limit === 0) {
      fail(`${file}: data segment at ${at} (${bytes} B): an allocator module may have no data segment (memory contract)`);
    } else if (at + bytes > limit) {
      fail(`${file}: data segment [${at}, ${at + bytes}) reaches past ${limit}, the heap base its host gives it`);
    }
  }
}
if (bad) process.exit(1);
console.log(`check-build: ${files.length} module(s): no runtime allocation, no start function, data within limits`);
