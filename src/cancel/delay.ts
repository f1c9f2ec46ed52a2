/**
 * `delay(ms, { signal, clock })`: a future that fulfils after a while, on an
 * injected clock, and rejects with `signal.reason` when aborted first.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { timerQueueFor } from "../core/_timer_queue.ts";
import {
  assertClock,
  assertDuration,
  assertOptions,
  assertSignal,
} from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import { onSignalAbort } from "./_signal_core.ts";

/** Options of {@linkcode delay}. */
export interface DelayOptions {
  /**
   * Rejects the delay with `signal.reason`, unchanged, when aborted.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
  /**
   * The clock that measures the delay.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

const ACTION = "delay";

/**
 * Returns a future that fulfils with `undefined` after `ms` milliseconds on
 * the clock. When `signal` aborts first, the future rejects with
 * `signal.reason` unchanged and the timer is released at once; an
 * already-aborted signal rejects at once, without creating a timer or a
 * listener. Many pending delays share one host timer per clock and one
 * `abort` listener per signal, and leave neither behind once settled.
 *
 * @param ms The delay, a finite number >= 0.
 * @param options The signal and the clock.
 * @returns The future.
 * @throws {RangeError} Rejects with it (never throws), before any timer or
 *   listener exists, when `ms` is negative or not finite.
 * @throws {TypeError} Rejects with it when `ms` is not a number, `options`
 *   is not an object (an `AbortSignal` in its place included), `signal` is
 *   not an `AbortSignal` or `clock` is not a `Clock`.
 *
 * @example Waiting on a virtual clock, or giving up
 * ```ts
 * import { delay, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const controller = new AbortController();
 * const short = delay(10, { clock });
 * const long = delay(1000, { clock, signal: controller.signal });
 * clock.tick(10);
 * await short;
 * controller.abort("stop");
 * await assert.rejects(long, (e) => e === "stop");
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export function delay(ms: number, options?: DelayOptions): Future<void> {
  let signal: AbortSignal | undefined;
  try {
    assertOptions(ACTION, options);
    assertDuration(ACTION, "ms", ms);
    signal = options?.signal;
    assertSignal(ACTION, signal);
    assertClock(ACTION, options?.clock);
  } catch (error) {
    return Future.reject(error);
  }
  if (signal !== undefined && signal.aborted) {
    return Future.reject<void>(signal.reason);
  }
  const queue = timerQueueFor(options?.clock ?? systemClock);
  const out = pendingFuture<void>();
  if (signal === undefined) {
    queue.schedule(() => resolveFuture(out, undefined), ms);
    return out;
  }
  // The timer cannot fire before `registration` is set (it fires on a later
  // turn), and the signal is not aborted, so neither callback runs early.
  const timer = queue.schedule(() => {
    registration[Symbol.dispose]();
    resolveFuture(out, undefined);
  }, ms);
  const registration = onSignalAbort(signal, (reason) => {
    queue.cancel(timer);
    rejectFuture(out, reason);
  });
  return out;
}
