// crash-exports.ts: the crash build's extra exports (an entry of the crash target only, so
// the release and debug modules do not carry them). See journal.ts for the crash points.

import { crashArm, crashPointsPassed } from "./journal";

/** Arm the crash points: the `n`th one passed from now traps (0 disarms). Returns the points passed since the last arm. */
export function crash_arm(n: u32): u32 { return crashArm(n); }
/** Crash points passed since the last arm. */
export function crash_points_passed(): u32 { return crashPointsPassed(); }
