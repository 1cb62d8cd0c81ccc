// What loading the library or the CLI loads: Binaryen (about half a second: it compiles its
// own wasm as it loads) must come only with the first link, never with the library's entry
// or the CLI's start. Checked on the built JavaScript's static imports (dynamic `import()`
// is what defers a module).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';

/** The specifiers of a module's static `import ... from` and `export ... from` statements. */
function staticImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) out.push(m[1] ?? m[2]!);
  return out;
}

/** Every package a built module reaches through static imports (relative files followed). */
function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>(), packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return packages;
}

describe('what the library and the CLI load', () => {
  it('finds static imports and leaves dynamic ones out', () => {
    const src = "import a from 'x';\nimport { b,\n  c } from './y.js';\nexport { d } from 'z';\nimport 'side';\n" +
      "const e = await import('binaryen');\nimport type { F } from 'types-only';\n";
    expect(staticImports(src)).toEqual(['x', './y.js', 'z', 'side', 'types-only']);
  });

  it('the library entry, the browser entry and the CLI reach no Binaryen before a link', () => {
    for (const entry of ['index.js', 'browser.js', 'cli/main.js']) {
      const reached = packagesReached(path.join(ROOT, 'dist', 'host', entry));
      expect([...reached].filter((p) => p.startsWith('binaryen')), entry).toEqual([]);
    }
    // The walk does reach packages (it is not vacuous): the CLI's argument parser.
    expect(packagesReached(path.join(ROOT, 'dist', 'host', 'cli', 'main.js')).has('commander')).toBe(true);
  });
});
