// Fails the build if an allocator module's text output contains the AssemblyScript runtime's
// allocation functions: one module in many workers may make no managed allocation at all
// (each instance's runtime heap would start at the same address in the shared memory).
import fs from 'node:fs';

const FORBIDDEN = ['__new', '__alloc', '__renew', '__realloc', '~lib/rt/stub/', '~lib/rt/tlsf/', '~lib/rt/itcms/'];
const files = process.argv.slice(2);
let bad = 0;
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  for (const name of FORBIDDEN) {
    if (text.includes(name)) {
      console.error(`${file}: contains ${name}: the allocator must not use the managed runtime`);
      bad++;
    }
  }
}
if (bad) process.exit(1);
console.log(`check-build: ${files.length} module(s) free of runtime allocation`);
