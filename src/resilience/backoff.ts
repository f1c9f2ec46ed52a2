/**
 * Backoffs: how long a retry waits before each new attempt (and how long a
 * circuit breaker stays open). They are
 * immutable, clock-free values: `next(retry, previousMs)` is a pure function
 * of its arguments and the random source, so a schedule can be unit-tested
 * and previewed without a clock.
 *
 * Every delay is clamped to what a timer can hold, `[0, 2^31 - 1]` ms, and is
 * never `NaN`, whatever the parameters or the number of steps.
 *
 * @module
 */

import {
  assertDuration,
  assertFunction,
  assertInteger,
  assertNumber,
  assertOptions,
  orDefault,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { clampDelay, MAX_DELAY_MS } from "./_delay.ts";
import type { RandomSource } from "./random.ts";

/**
 * A schedule of waits: the `backoff` of a retry, the `cooldownMs` of a
 * circuit breaker. `next(n, previousMs)` is the wait before the n-th retry
 * (for a breaker, the cooldown of its n-th opening in a row).
 *
 * @example A backoff of your own: a fixed list, then its last value
 * ```ts
 * import { type Backoff, retry, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const steps = [10, 50, 250];
 * const listed: Backoff = {
 *   next: (retry) => steps[Math.min(retry, steps.length) - 1]!,
 *   preview: (n) => Array.from({ length: n }, (_, i) => listed.next(i + 1, 0)),
 * };
 * assert.deepEqual(listed.preview(4), [10, 50, 250, 250]);
 *
 * const clock = new VirtualClock();
 * let calls = 0;
 * const done = retry(() => ++calls < 3 ? Promise.reject(new Error("x")) : calls, {
 *   backoff: listed,
 *   clock,
 * });
 * assert.equal(await clock.runUntilSettled(done), 3);
 * assert.equal(clock.now(), 60);
 * ```
 */
export interface Backoff {
  /**
   * The delay before retry number `retry`: 1 is the wait after the first
   * failed attempt.
   *
   * @param retry The 1-based retry number.
   * @param previousMs What this backoff returned for the previous retry (0
   *   before the first); only decorrelated jitter reads it.
   * @returns The delay in milliseconds, within `[0, 2^31 - 1]`.
   * @throws {TypeError} If `retry` or `previousMs` is not a number.
   * @throws {RangeError} If `retry` is not an integer >= 1 or `previousMs`
   *   is negative or not finite.
   */
  next(retry: number, previousMs: number): number;
  /**
   * The first `n` delays, in order: exactly what a retry using this backoff
   * would wait if started now. A jittered backoff draws from its random
   * source, so a fresh `seededRandom(seed)` reproduces the same schedule.
   *
   * @param n How many delays, an integer from 0 to 1,000,000.
   * @returns The delays in milliseconds.
   * @throws {TypeError} If `n` is not a number.
   * @throws {RangeError} If `n` is not an integer from 0 to 1,000,000.
   */
  preview(n: number): number[];
}

/**
 * How a jittered exponential backoff spreads its delays (AWS's "Exponential
 * Backoff and Jitter"), with `d = min(maxMs, initialMs * factor^(retry - 1))`
 * and `r` drawn from the random source:
 * - `"none"`: `d`;
 * - `"full"`: `r * d` (from 0 to `d`);
 * - `"equal"`: `d / 2 + r * d / 2` (from `d / 2` to `d`);
 * - `"decorrelated"`: `min(maxMs, initialMs + r * (3 * previous - initialMs))`
 *   where `previous` is the last delay (`initialMs` at first): it grows by
 *   about 2x a step on average and ignores `factor`.
 *
 * Jittered delays are rounded to whole milliseconds.
 */
export type Jitter = "none" | "full" | "equal" | "decorrelated";

/** Options of {@linkcode exponential}. */
export interface ExponentialBackoffOptions {
  /**
   * The delay before the first retry, a finite number >= 0.
   *
   * @default {100}
   */
  initialMs?: number;
  /**
   * The growth per retry, a finite number >= 1.
   *
   * @default {2}
   */
  factor?: number;
  /**
   * The cap on every delay, a number >= 0 (`Infinity` leaves only the timer
   * limit of 2^31 - 1 ms).
   *
   * @default {30_000}
   */
  maxMs?: number;
  /**
   * How to randomise the delays.
   *
   * @default {"none"}
   */
  jitter?: Jitter;
  /**
   * The random source of the jitter: a function returning numbers in
   * `[0, 1)`; values outside are clamped into it and `NaN` reads as 0.
   *
   * @default {Math.random}
   */
  random?: RandomSource;
}

/** Options of {@linkcode linear}. */
export interface LinearBackoffOptions {
  /**
   * The delay before the first retry, a finite number >= 0.
   *
   * @default {100}
   */
  initialMs?: number;
  /**
   * What each retry adds, a finite number >= 0.
   *
   * @default {initialMs}
   */
  stepMs?: number;
  /**
   * The cap on every delay, a number >= 0 (`Infinity` leaves only the timer
   * limit).
   *
   * @default {30_000}
   */
  maxMs?: number;
}

/**
 * A backoff that always waits `ms`.
 *
 * @param ms The delay, a finite number >= 0 (clamped to 2^31 - 1).
 * @returns The backoff.
 * @throws {TypeError} If `ms` is not a number.
 * @throws {RangeError} If `ms` is negative or not finite.
 *
 * @example One second, every time
 * ```ts
 * import { constant } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(constant(1000).preview(3), [1000, 1000, 1000]);
 * ```
 */
export function constant(ms: number): Backoff {
  assertDuration("create a constant backoff", "ms", ms);
  const delay = clampDelay(ms);
  return freeze((retry, previousMs) => {
    checkStep(retry, previousMs);
    return delay;
  });
}

/**
 * A backoff growing by a fixed step: `min(maxMs, initialMs + stepMs *
 * (retry - 1))`.
 *
 * @param options `initialMs`, `stepMs`, `maxMs`.
 * @returns The backoff.
 * @throws {TypeError} If an option has the wrong type.
 * @throws {RangeError} If an option is out of range.
 *
 * @example 100, 300, 500, then capped
 * ```ts
 * import { linear } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const backoff = linear({ initialMs: 100, stepMs: 200, maxMs: 600 });
 * assert.deepEqual(backoff.preview(5), [100, 300, 500, 600, 600]);
 * ```
 */
export function linear(options?: LinearBackoffOptions): Backoff {
  const action = "create a linear backoff";
  assertOptions(action, options);
  const initialMs = orDefault(options?.initialMs, 100);
  assertDuration(action, "initialMs", initialMs);
  const stepMs = orDefault(options?.stepMs, initialMs);
  assertDuration(action, "stepMs", stepMs);
  const cap = capOf(action, options?.maxMs);
  return freeze((retry, previousMs) => {
    checkStep(retry, previousMs);
    const d = initialMs + stepMs * (retry - 1);
    return d < cap ? d : cap;
  });
}

/**
 * An exponential backoff, `min(maxMs, initialMs * factor^(retry - 1))`, with
 * optional jitter (see {@linkcode Jitter}) drawn from a random source that
 * {@linkcode seededRandom} makes reproducible.
 *
 * @param options `initialMs`, `factor`, `maxMs`, `jitter`, `random`.
 * @returns The backoff.
 * @throws {TypeError} If an option has the wrong type or `jitter` is not one
 *   of the four names.
 * @throws {RangeError} If an option is out of range.
 *
 * @example Doubling, capped; and full jitter from a seed
 * ```ts
 * import { exponential, seededRandom } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const plain = exponential({ initialMs: 100, factor: 2, maxMs: 1000 });
 * assert.deepEqual(plain.preview(6), [100, 200, 400, 800, 1000, 1000]);
 *
 * const jittered = () =>
 *   exponential({ initialMs: 100, jitter: "full", random: seededRandom(7) });
 * const schedule = jittered().preview(5);
 * assert.deepEqual(jittered().preview(5), schedule); // same seed, same delays
 * schedule.forEach((d, i) => assert.ok(d >= 0 && d <= 100 * 2 ** i));
 * ```
 */
export function exponential(options?: ExponentialBackoffOptions): Backoff {
  const action = "create an exponential backoff";
  assertOptions(action, options);
  const initialMs = orDefault(options?.initialMs, 100);
  assertDuration(action, "initialMs", initialMs);
  const factor = orDefault(options?.factor, 2);
  assertNumber(action, "factor", factor);
  if (!(factor >= 1) || factor === Infinity) {
    rangeError(action, "factor", "a finite number >= 1", factor);
  }
  const cap = capOf(action, options?.maxMs);
  const jitter = orDefault(options?.jitter, "none");
  if (
    jitter !== "none" && jitter !== "full" && jitter !== "equal" &&
    jitter !== "decorrelated"
  ) {
    typeError(
      action,
      "jitter",
      `one of "none", "full", "equal", "decorrelated"`,
      jitter,
    );
  }
  const random = orDefault(options?.random, Math.random);
  assertFunction(action, "random", random);
  const base = (retry: number): number => {
    if (initialMs === 0) return 0;
    const d = initialMs * factor ** (retry - 1);
    return d < cap ? d : cap; // Infinity (overflow) lands on the cap
  };
  const draw = (): number => {
    const r = random();
    return r >= 0 ? (r <= 1 ? r : 1) : 0; // NaN reads as 0
  };
  switch (jitter) {
    case "none":
      return freeze((retry, previousMs) => {
        checkStep(retry, previousMs);
        return base(retry);
      });
    case "full":
      return freeze((retry, previousMs) => {
        checkStep(retry, previousMs);
        const b = base(retry);
        const d = Math.round(draw() * b);
        return d < b ? d : b; // rounding must not pass a fractional cap
      });
    case "equal":
      return freeze((retry, previousMs) => {
        checkStep(retry, previousMs);
        const b = base(retry);
        const d = Math.round(b / 2 + draw() * (b / 2));
        return d < b ? d : b;
      });
    default:
      return freeze((retry, previousMs) => {
        checkStep(retry, previousMs);
        const low = initialMs < cap ? initialMs : cap;
        const previous = previousMs > low ? previousMs : low;
        const high = previous * 3; // previous <= 2^31 - 1: no overflow
        const d = Math.round(low + draw() * (high - low));
        return d < cap ? d : cap;
      });
  }
}

function capOf(action: string, maxMs: number | undefined): number {
  if (maxMs === undefined) return 30_000;
  assertNumber(action, "maxMs", maxMs);
  if (!(maxMs >= 0)) rangeError(action, "maxMs", "a number >= 0", maxMs);
  return maxMs < MAX_DELAY_MS ? maxMs : MAX_DELAY_MS;
}

function checkStep(retry: number, previousMs: number): void {
  assertInteger("compute a backoff delay", "retry", retry);
  assertDuration("compute a backoff delay", "previousMs", previousMs);
}

/** The longest schedule `preview` returns: far more retries than any use. */
const MAX_PREVIEW = 1_000_000;

/** Makes a frozen backoff from its step function. */
function freeze(
  next: (retry: number, previousMs: number) => number,
): Backoff {
  const step = (retry: number, previousMs: number): number =>
    clampDelay(next(retry, previousMs));
  return Object.freeze({
    next: step,
    preview(n: number): number[] {
      assertNumber("preview a backoff", "n", n);
      if (!Number.isInteger(n) || n < 0 || n > MAX_PREVIEW) {
        rangeError(
          "preview a backoff",
          "n",
          `an integer from 0 to ${MAX_PREVIEW}`,
          n,
        );
      }
      const delays: number[] = [];
      let previous = 0;
      for (let retry = 1; retry <= n; retry++) {
        previous = step(retry, previous);
        delays.push(previous);
      }
      return delays;
    },
  });
}
