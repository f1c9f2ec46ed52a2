/**
 * Leak-free `AbortSignal` helpers: every listener they add has a path that
 * removes it. Any number of operations waiting on one long-lived signal share
 * a single `abort` listener on it, held only while some operation waits.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { timerQueueFor } from "../core/_timer_queue.ts";
import {
  assertClock,
  assertDuration,
  assertFunction,
  assertOptions,
  assertSignal,
  invalidMessage,
  typeError,
} from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import {
  detachReaction,
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import type { CancellationToken } from "./cancellation_token.ts";
import { onSignalAbort } from "./_signal_core.ts";
import { TokenCore } from "./_token_core.ts";
import { linkCore, parentCores } from "./_token_links.ts";

/** An `AbortSignal` that holds a timer or listeners until disposed. */
export type DisposableSignal = AbortSignal & Disposable;

/** Options of {@linkcode timeoutSignal}. */
export interface TimeoutSignalOptions {
  /**
   * The clock that measures the timeout.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

/**
 * Runs `callback` once, with the signal's reason, when `signal` aborts. When
 * the signal is already aborted, the callback runs at once, synchronously.
 * The listener is removed when the returned registration is disposed or once
 * the callback has run.
 *
 * @param signal The signal to watch.
 * @param callback Receives `signal.reason`.
 * @returns A registration; disposing it removes the callback.
 * @throws {TypeError} When `signal` is not an `AbortSignal` or `callback` is
 *   not a function.
 *
 * @example Watching a signal for the span of a block
 * ```ts
 * import { onAbort } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const seen: unknown[] = [];
 * {
 *   using _watch = onAbort(controller.signal, (r) => seen.push(r));
 * }
 * using _later = onAbort(controller.signal, (r) => seen.push(r));
 * controller.abort("now");
 * assert.deepEqual(seen, ["now"]);
 * ```
 */
export function onAbort(
  signal: AbortSignal,
  callback: (reason: unknown) => void,
): Disposable {
  if (!(signal instanceof AbortSignal)) {
    typeError("watch a signal", "signal", "an AbortSignal", signal);
  }
  assertFunction("watch a signal", "callback", callback);
  return onSignalAbort(signal, callback);
}

function makeDisposable(core: TokenCore): DisposableSignal {
  const signal = core.abortSignal() as DisposableSignal;
  signal[Symbol.dispose] = () => core.dispose();
  return signal;
}

/**
 * Returns a signal that aborts, with that parent's reason, as soon as any of
 * `signals` does. Unlike `AbortSignal.any`, it is disposable: disposing it,
 * or the first abort of a parent, removes what it added to every parent, so a
 * long-lived parent keeps nothing of it. Dispose it when the operation it
 * guards is done.
 *
 * @param signals Signals or cancellation tokens.
 * @returns The derived signal, already aborted if a parent is.
 * @throws {TypeError} When `signals` is not iterable or holds something else
 *   than a signal or a token.
 *
 * @example A request bounded by an app-wide signal and a timeout
 * ```ts
 * import { anySignal, timeoutSignal, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const app = new AbortController();
 * using timeout = timeoutSignal(100, { clock });
 * using signal = anySignal([app.signal, timeout]);
 * clock.tick(100);
 * assert.equal(signal.aborted, true);
 * assert.equal(signal.reason.name, "TimeoutError");
 * ```
 */
export function anySignal(
  signals: Iterable<AbortSignal | CancellationToken>,
): DisposableSignal {
  const cores = parentCores("combine signals", "signals", signals);
  const core = new TokenCore();
  linkCore(core, cores);
  return makeDisposable(core);
}

/**
 * Returns a signal that aborts after `ms` milliseconds on the clock, with a
 * `DOMException` named `"TimeoutError"` (as `AbortSignal.timeout` does).
 * Dispose it to release its timer early.
 *
 * @param ms The delay, a finite number >= 0.
 * @param options The clock.
 * @returns The signal.
 * @throws {RangeError} When `ms` is negative or not finite.
 * @throws {TypeError} When `ms` is not a number, `options` is not an object
 *   (an `AbortSignal` in its place included) or `clock` is not a `Clock`.
 *
 * @example Timing out on a virtual clock
 * ```ts
 * import { timeoutSignal, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const signal = timeoutSignal(50, { clock });
 * clock.tick(49);
 * assert.equal(signal.aborted, false);
 * clock.tick(1);
 * assert.equal(signal.reason.name, "TimeoutError");
 * ```
 */
export function timeoutSignal(
  ms: number,
  options?: TimeoutSignalOptions,
): DisposableSignal {
  const action = "create a timeout signal";
  assertOptions(action, options);
  assertDuration(action, "ms", ms);
  assertClock(action, options?.clock);
  const core = new TokenCore();
  const signal = makeDisposable(core);
  core.cancelAfter(timerQueueFor(options?.clock ?? systemClock), ms);
  return signal;
}

const noop = (): void => {};

/**
 * Returns a future that settles like `promise`, or rejects with
 * `signal.reason` unchanged as soon as `signal` aborts, whichever comes
 * first. The abort listener is removed as soon as either happens. An
 * already-aborted signal rejects at once without adding a listener. The
 * original promise is not cancelled (it cannot be); its outcome is handled,
 * so a late rejection is not reported as unhandled.
 *
 * @typeParam T The value type.
 * @param promise The promise or thenable to wait for.
 * @param signal The signal that stops the wait.
 * @returns The future.
 * @throws {TypeError} Rejects with it (never throws) when `signal` is
 *   neither `undefined` nor an `AbortSignal`.
 *
 * @example Giving up on a slow promise
 * ```ts
 * import { abortable } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const slow = new Promise<never>(() => {});
 * const waiting = abortable(slow, controller.signal);
 * controller.abort("enough");
 * await assert.rejects(waiting, (e) => e === "enough");
 * ```
 */
export function abortable<T>(
  promise: PromiseLike<T> | T,
  signal?: AbortSignal | undefined,
): Future<T> {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return Future.reject<T>(
      new TypeError(
        invalidMessage(
          "make a promise abortable",
          "signal",
          "an AbortSignal",
          signal,
        ),
      ),
    );
  }
  if (signal === undefined) return Future.resolve(promise) as Future<T>;
  const source = Future.resolve(promise);
  // Checked after adopting: reading a thenable's `then` may abort it.
  if (signal.aborted) {
    // The caller gave up on it: its own rejection is not reported.
    source.then(undefined, noop);
    return Future.reject<T>(signal.reason);
  }
  const out = pendingFuture<T>();
  // Handlers never run synchronously, so `registration` is set by then.
  const reaction = source.then((value) => {
    registration[Symbol.dispose]();
    resolveFuture(out, value);
  }, (error) => {
    registration[Symbol.dispose]();
    rejectFuture(out, error);
  });
  const registration = onSignalAbort(signal, (reason) => {
    // Keep nothing of this wait on a long-lived source.
    detachReaction(source, reaction);
    rejectFuture(out, reason);
  });
  return out;
}

/**
 * Tells whether `error` is an abort: an error named `"AbortError"` (what
 * `AbortController.abort()` and {@linkcode CancellationTokenSource.cancel}
 * give without a reason), or, when `signal` is given and aborted, its reason
 * whatever it is. A `"TimeoutError"` is not an abort.
 *
 * @param error The error to test.
 * @param signal A signal whose reason counts as an abort.
 * @returns Whether it is an abort.
 * @throws {TypeError} When `signal` is neither `undefined` nor an
 *   `AbortSignal`.
 *
 * @example Telling an abort from a failure
 * ```ts
 * import { isAbortError } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * controller.abort();
 * assert.equal(isAbortError(controller.signal.reason), true);
 * assert.equal(isAbortError(new Error("boom")), false);
 *
 * const custom = new AbortController();
 * custom.abort("shutdown");
 * assert.equal(isAbortError("shutdown", custom.signal), true);
 * ```
 */
export function isAbortError(error: unknown, signal?: AbortSignal): boolean {
  assertSignal("tell an abort", signal);
  if (signal !== undefined && signal.aborted && error === signal.reason) {
    return true;
  }
  return typeof error === "object" && error !== null &&
    (error as { name?: unknown }).name === "AbortError";
}
