/**
 * `timeout`: bound a promise or a task by a time limit.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import {
  assertClock,
  assertFunction,
  assertNumber,
  assertOptions,
  assertSignal,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import {
  type QueuedTimer,
  type TimerQueue,
  timerQueueFor,
} from "../core/_timer_queue.ts";
import { onAbort } from "../cancel/signals.ts";
import { Future } from "../future/future.ts";
import {
  detachReaction,
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import { timeoutError } from "../core/_reasons.ts";
import { thenOf } from "../core/_thenable.ts";

/** Does nothing: marks a rejection as handled. */
function noop(): void {}

const futureThen = Future.prototype.then;

/**
 * Options of {@linkcode timeout}.
 *
 * @typeParam F The type of the fallback value.
 */
export interface TimeoutOptions<F = never> {
  /**
   * Rejects with `signal.reason` unchanged when aborted (and aborts the
   * task's signal with it).
   */
  signal?: AbortSignal;
  /**
   * The clock that measures the time limit.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Called when time runs out, with the `TimeoutError`; the returned future
   * settles with what it returns (or throws) instead of rejecting.
   *
   * @default {undefined} (reject with the `TimeoutError`)
   */
  fallback?: (error: DOMException) => F | PromiseLike<F>;
}

/**
 * Work bounded by {@linkcode timeout}: a thenable, or a task given a signal.
 */
export type TimeoutWork<T> =
  | PromiseLike<T>
  | ((signal: AbortSignal) => T | PromiseLike<T>);

const ACTION = "run with a timeout";

// One-entry cache: most programs use one clock, so skip the WeakMap lookup.
let lastClock: Clock | undefined;
let lastQueue: TimerQueue | undefined;

function queueOf(clock: Clock): TimerQueue {
  if (clock !== lastClock) {
    lastQueue = timerQueueFor(clock);
    lastClock = clock;
  }
  return lastQueue!;
}

/**
 * Settles like `work`, or rejects with a `DOMException` named
 * `"TimeoutError"` when `ms` milliseconds pass first (or settles with
 * `fallback(error)` when a fallback is given).
 *
 * `work` is either a thenable or a task `(signal) => value | PromiseLike`.
 * A task is called at once with a signal that is aborted, with the same
 * `TimeoutError`, when time runs out, so cooperative work stops; and with
 * `options.signal.reason` when the caller aborts. A plain thenable cannot be
 * stopped: its outcome is ignored (and handled) after the time limit.
 *
 * The timer lives in the clock's shared timer heap, not in a host timer of
 * its own, and the `TimeoutError` is created only when time runs out, so a
 * timeout on work that settles first costs a few heap operations. Nothing
 * is left behind once the returned future settles: no timer, no abort
 * listener. Work that is already settled (a plain value returned by a task,
 * a settled `Future`) takes no timer at all.
 *
 * `ms` may be `Infinity`, meaning no time limit (handy for configurable
 * limits); `0` still lets work that is already settled win.
 *
 * @typeParam T The type of the work's value.
 * @typeParam F The type of the fallback value.
 * @param work A thenable, or a task receiving an `AbortSignal`.
 * @param ms The time limit in milliseconds, a number >= 0 or `Infinity`.
 * @param options `signal`, `clock`, `fallback`.
 * @returns A future of the work's value (or the fallback's).
 * @throws Rejects with a `DOMException` named `"TimeoutError"` when time
 *   runs out without a `fallback`; with {TypeError} when `work` is neither a
 *   thenable nor a function, `ms` is not a number, or an option has the
 *   wrong type (an `AbortSignal` in place of the options, a `clock` that is
 *   not a `Clock`); with {RangeError} when `ms` is negative or `NaN`; and
 *   with `signal.reason` when the caller aborts. A thenable `work` handed to
 *   a call that rejects this way has its rejection handled.
 *
 * @example Timing out on a virtual clock
 * ```ts
 * import { timeout, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * let seen: unknown;
 * const slow = timeout((signal) =>
 *   new Promise((_, reject) => {
 *     signal.addEventListener("abort", () => {
 *       seen = signal.reason;
 *       reject(signal.reason);
 *     });
 *   }), 100, { clock });
 * clock.tick(100);
 * await assert.rejects(slow, { name: "TimeoutError" });
 * assert.equal((seen as DOMException).name, "TimeoutError");
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export function timeout<T, F = never>(
  work: TimeoutWork<T>,
  ms: number,
  options?: TimeoutOptions<F>,
): Future<Awaited<T> | Awaited<F>> {
  const isTask = typeof work === "function";
  let then: Then | undefined;
  let signal: AbortSignal | undefined;
  let clock: Clock = systemClock;
  let fallback: ((error: DOMException) => F | PromiseLike<F>) | undefined;
  try {
    if (!isTask) {
      then = thenOf(work);
      if (then === undefined) {
        typeError(ACTION, "work", "a thenable or a function", work);
      }
    }
    assertNumber(ACTION, "ms", ms);
    if (!(ms >= 0)) rangeError(ACTION, "ms", "a number >= 0 or Infinity", ms);
    assertOptions(ACTION, options);
    if (options !== undefined) {
      signal = options.signal;
      assertSignal(ACTION, signal);
      assertClock(ACTION, options.clock);
      if (options.clock !== undefined) clock = options.clock;
      fallback = options.fallback;
      if (fallback !== undefined) assertFunction(ACTION, "fallback", fallback);
    }
  } catch (error) {
    // The work was handed over: its own rejection is not left unhandled.
    if (then !== undefined) handle(work, then);
    return Future.reject(error);
  }
  if (signal !== undefined && signal.aborted) {
    if (then !== undefined) handle(work, then);
    return Future.reject(signal.reason);
  }
  type Out = Awaited<T> | Awaited<F>;
  const queue = ms === Infinity ? undefined : queueOf(clock);
  const start = queue === undefined ? 0 : clock.now();
  let controller: AbortController | undefined;
  let result: unknown = work;
  if (isTask) {
    controller = new AbortController();
    try {
      result = (work as (signal: AbortSignal) => unknown)(controller.signal);
      then = thenOf(result);
    } catch (error) {
      return Future.reject(error);
    }
    if (signal !== undefined && signal.aborted) {
      // The task aborted the caller's signal while it ran.
      if (then !== undefined) handle(result, then);
      controller.abort(signal.reason);
      return Future.reject(signal.reason);
    }
  }
  // Work that is already settled needs no timer and no listener.
  if (then === undefined) return Future.resolve(result as Out);
  if (result instanceof Future && result.isSettled) {
    if (result.state === "fulfilled") return Future.resolve(result.value);
    result.then(undefined, noop);
    return Future.reject(result.reason);
  }
  const run = new TimeoutRun<Out>(ms, fallback, controller);
  if (queue !== undefined) {
    run.queue = queue;
    run.entry = queue.scheduleAt(start + ms, () => run.expire());
  }
  if (signal !== undefined) {
    run.registration = onAbort(signal, (reason) => {
      run.registration = undefined;
      run.abort(reason);
    });
  }
  try {
    const reaction = then.call(
      result,
      (value: unknown) => run.settle(true, value),
      (error: unknown) => run.settle(false, error),
    );
    if (then === futureThen && result instanceof Future) {
      // Given up on (timed out, aborted), the wait keeps nothing on a
      // long-lived future.
      run.source = result;
      run.reaction = reaction as Future<unknown>;
    }
  } catch (error) {
    run.settle(false, error); // a foreign `then` that throws rejects
  }
  return run.out;
}

type Then = NonNullable<ReturnType<typeof thenOf>>;

/** Marks the rejection of a thenable handled; what its `then` throws too. */
function handle(thenable: unknown, then: Then): void {
  try {
    then.call(thenable, undefined, noop);
  } catch {
    // Nothing to handle: the thenable failed to subscribe.
  }
}

// The state of one call of `timeout` whose work is still pending.
class TimeoutRun<T> {
  readonly out: Future<T> = pendingFuture<T>();
  readonly ms: number;
  readonly fallback: ((error: DOMException) => unknown) | undefined;
  readonly controller: AbortController | undefined;
  queue: TimerQueue | undefined = undefined;
  entry: QueuedTimer | undefined = undefined;
  registration: Disposable | undefined = undefined;
  /** The pending `Future` waited on, and the reaction put on it. */
  source: Future<unknown> | undefined = undefined;
  reaction: Future<unknown> | undefined = undefined;
  done = false;

  constructor(
    ms: number,
    fallback: ((error: DOMException) => unknown) | undefined,
    controller: AbortController | undefined,
  ) {
    this.ms = ms;
    this.fallback = fallback;
    this.controller = controller;
  }

  // Marks the outcome decided and drops the timer and the abort listener.
  release(): boolean {
    if (this.done) return false;
    this.done = true;
    const entry = this.entry;
    if (entry !== undefined) {
      (this.entry = undefined, this.queue!.cancel(entry));
    }
    const registration = this.registration;
    if (registration !== undefined) {
      this.registration = undefined;
      registration[Symbol.dispose]();
    }
    const source = this.source;
    if (source !== undefined) {
      // Nothing to take off once it settled (what called `settle`).
      detachReaction(source, this.reaction!);
      this.source = this.reaction = undefined;
    }
    return true;
  }

  settle(ok: boolean, value: unknown): void {
    if (!this.release()) return;
    if (ok) resolveFuture(this.out, value);
    else rejectFuture(this.out, value);
  }

  abort(reason: unknown): void {
    if (!this.release()) return;
    this.controller?.abort(reason);
    rejectFuture(this.out, reason);
  }

  expire(): void {
    this.entry = undefined;
    if (!this.release()) return;
    const error = timeoutError(this.ms);
    this.controller?.abort(error);
    const fallback = this.fallback;
    if (fallback === undefined) rejectFuture(this.out, error);
    else resolveFuture(this.out, Future.try(() => fallback(error)));
  }
}
