// bench/profile.mjs's two pure parts: the function names of a module's text format in wasm's
// index order, and perf's report summed by function under those names.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';
// @ts-expect-error: a JavaScript script without types
import { watFunctionNames, summarize } from '../../bench/profile.mjs';

describe('bench/profile.mjs', () => {
  it('numbers a module\'s functions as wasm does: imports first, then its own', () => {
    const wat = [
      '(module',
      ' (type $0 (func (param i32)))',
      ' (import "env" "abort" (func $~lib/builtins/abort (param i32 i32 i32 i32)))',
      ' (import "hakmem" "heap_base" (global $assembly/types/HEAP_BASE i32))',
      ' (import "bench" "wait" (func $bench/assembly/host-wait/hostWait (param i32 i32 i32)))',
      ' (global $assembly/tls/self (mut i32) (i32.const 0))',
      ' (func $assembly/free/freeSlow (param $0 i32)',
      '  (call $assembly/alloc/mallocSlow (local.get $0))',
      ' )',
      ' (func $assembly/alloc/mallocSlow (param $0 i32) (result i32)',
      ' )',
      ')',
    ].join('\n');
    expect(watFunctionNames(wat)).toEqual(['~lib/builtins/abort', 'bench/assembly/host-wait/hostWait',
      'assembly/free/freeSlow', 'assembly/alloc/mallocSlow']);
  });

  it('finds the bench module\'s workload and allocator functions in the real build', () => {
    const names: string[] = watFunctionNames(readFileSync(path.join(ROOT, 'build', 'bench-release.wat'), 'utf8'));
    expect(names).toContain('bench/assembly/larson/larson_generation');
    expect(names).toContain('assembly/free/freeSlow');
    expect(new Set(names).size).toBe(names.length);
  });

  it('sums every code object of a wasm function under its name, and keeps the rest as perf names it', () => {
    const report = [
      '# Samples: 1K of event \'cpu-clock\'',
      '#',
      '    14.09%  [.] JS:wasm-function[2]-2-turbofan',
      '     7.13%  [.] JS:wasm-function[1]-1-turbofan',
      '     6.00%  [.] JS:wasm-function[2]-2-turbofan',
      '     1.50%  [k] _raw_spin_unlock_irqrestore',
      '     0.50%  [.] JS:wasm-function[9]-9-liftoff',
      '     0.40%  [.] v8::internal::Scanner::Next',
      '',
    ].join('\n');
    const rows = summarize(report, ['abort', 'hostWait', 'freeSlow']);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['wasm freeSlow', 'wasm hostWait',
      'kernel _raw_spin_unlock_irqrestore', 'wasm function 9 (not in the module)', 'v8::internal::Scanner::Next']);
    expect(rows[0].percent).toBeCloseTo(20.09, 6);
    expect(rows.filter((r: { wasm: boolean }) => r.wasm)).toHaveLength(3);
  });
});
