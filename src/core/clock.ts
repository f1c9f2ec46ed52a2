/**
 * The `Clock` abstraction: when code runs. Every time-based API of pledge
 * takes `clock?: Clock` and defaults to {@linkcode systemClock}; tests pass a
 * `VirtualClock` (or an `EventLoop`) instead. Nothing in pledge reads
 * `Date.now()` or calls the host's `setTimeout` except `systemClock`.
 *
 * @module
 */

import { assertFunction } from "./_validate.ts";

/** An opaque handle returned by {@linkcode Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * A source of monotonic time and one-shot timers.
 *
 * @example A clock that counts the timers it arms
 * ```ts
 * import { type Clock, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const inner = new VirtualClock();
 * let armed = 0;
 * const counting: Clock = {
 *   now: () => inner.now(),
 *   setTimeout: (cb, ms) => (armed++, inner.setTimeout(cb, ms)),
 *   clearTimeout: (handle) => inner.clearTimeout(handle),
 * };
 * counting.setTimeout(() => {}, 10);
 * inner.runAll();
 * assert.equal(armed, 1);
 * ```
 */
export interface Clock {
  /** Monotonic time in milliseconds. */
  now(): number;
  /**
   * Runs `callback` once, after `ms` milliseconds.
   *
   * @param callback The function to run.
   * @param ms The delay in milliseconds.
   * @returns A handle for {@linkcode Clock.clearTimeout}.
   */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /**
   * Cancels a timer. Unknown or already-run handles are ignored.
   *
   * @param handle A handle from {@linkcode Clock.setTimeout}.
   */
  clearTimeout(handle: TimerHandle): void;
  /**
   * Wall-clock time in epoch milliseconds, for the few APIs that compare with
   * a date (an HTTP-date `Retry-After`). Optional: with a clock that lacks
   * it, those APIs use the date a response carries, else `systemClock`'s.
   *
   * @default {`Date.now()` on `systemClock`}
   */
  dateNow?(): number;
}

/**
 * The host's clock: `performance.now()`, the global `setTimeout` /
 * `clearTimeout` and `Date.now()`, looked up at call time (so nothing is
 * captured at import, and an installed virtual clock is seen). Its
 * `setTimeout` throws a `TypeError` when `callback` is not a function.
 *
 * @example Reading the time
 * ```ts
 * import { systemClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const t0 = systemClock.now();
 * assert.ok(systemClock.now() >= t0);
 * const handle = systemClock.setTimeout(() => {}, 1000);
 * systemClock.clearTimeout(handle);
 * assert.ok(Math.abs(systemClock.dateNow!() - Date.now()) < 1000);
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now(): number {
    return performance.now();
  },
  setTimeout(callback: () => void, ms: number): TimerHandle {
    assertFunction("set a timeout", "callback", callback);
    return globalThis.setTimeout(callback, ms);
  },
  clearTimeout(handle: TimerHandle): void {
    globalThis.clearTimeout(handle as number);
  },
  dateNow(): number {
    return Date.now();
  },
});
