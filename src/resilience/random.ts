/**
 * A seedable random source for jitter, so that a backoff schedule can be
 * reproduced exactly in tests, demos and bug reports.
 *
 * @module
 */

import { assertNumber, rangeError } from "../core/_validate.ts";

/**
 * A source of uniformly distributed numbers in `[0, 1)`, like `Math.random`.
 * Jittered backoffs clamp whatever it returns into `[0, 1)` (and read `NaN`
 * as 0), so a faulty source can never produce a `NaN` delay.
 */
export type RandomSource = () => number;

/**
 * Creates a deterministic random source (the mulberry32 generator: 32 bits of
 * state, period 2^32, fast and good enough for jitter; not for cryptography).
 * Two sources made from the same seed return the same sequence.
 *
 * Use it in tests and demos to pin a jittered schedule. In production keep
 * the default (`Math.random`) or give each process its own seed: clients that
 * share a seed jitter in lockstep, which is what jitter is meant to prevent.
 *
 * @param seed Any safe integer. It is folded into 32 bits of state, so
 *   distinct seeds give unrelated sequences (barring rare collisions beyond
 *   32 bits).
 * @returns A source of numbers in `[0, 1)`.
 * @throws {TypeError} If `seed` is not a number.
 * @throws {RangeError} If `seed` is not a safe integer.
 *
 * @example The same seed gives the same sequence
 * ```ts
 * import { seededRandom } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const a = seededRandom(42);
 * const b = seededRandom(42);
 * const first = [a(), a(), a()];
 * assert.deepEqual([b(), b(), b()], first);
 * assert.ok(first.every((x) => x >= 0 && x < 1));
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  assertNumber("create a random source", "seed", seed);
  if (!Number.isSafeInteger(seed)) {
    rangeError("create a random source", "seed", "a safe integer", seed);
  }
  // Fold the high 21 bits in (scrambled), so seeds beyond 32 bits, and
  // negative ones, do not collide with small seeds.
  const high = Math.floor(seed / 4294967296);
  let state = (seed >>> 0) ^ Math.imul(high ^ (high >>> 15), 0x9e3779b1);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
