// The host's names for internal assertion codes must say what assembly/types.ts says: the
// module stores the ASSERT_* number (it has no strings), the host turns it into a sentence.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/instances.js';
import { ASSERT_MESSAGES } from '../../dist/host/abi/decode.js';

describe('assertion codes', () => {
  it('every ASSERT_* constant has the host message its comment gives', () => {
    const src = fs.readFileSync(path.join(ROOT, 'assembly', 'types.ts'), 'utf8');
    const found = [...src.matchAll(/@inline export const ASSERT_\w+: u32 = (\d+);\s*\/\/ (.+)$/gm)];
    expect(found.length).toBeGreaterThanOrEqual(6);
    for (const [, code, message] of found) expect(ASSERT_MESSAGES[Number(code)]).toBe(message.trim());
    expect(ASSERT_MESSAGES.length).toBe(found.length + 1); // code 0: abort from compiled code
  });
});
