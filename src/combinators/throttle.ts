/**
 * `throttle`: run a function at most `limit` times per interval, folding the
 * calls in between into one later run whose result every caller gets.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { RingQueue } from "../core/_ring.ts";
import {
  type QueuedTimer,
  type TimerQueue,
  timerQueueFor,
} from "../core/_timer_queue.ts";
import {
  assertClock,
  assertFunction,
  assertInteger,
  assertOptions,
  assertPositiveDuration,
  orDefault,
  typeError,
} from "../core/_validate.ts";
import type { Future } from "../future/future.ts";
import { Calls, controlled, type Policy } from "./_calls.ts";
import type { Debounced } from "./debounce.ts";

/** Options of {@linkcode throttle}. */
export interface ThrottleOptions {
  /**
   * The most invocations in any window of `intervalMs`: an integer >= 1.
   *
   * @default {1}
   */
  limit?: number;
  /** The length of the sliding window, a finite number > 0. */
  intervalMs: number;
  /**
   * The clock that measures the window.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * A throttled function: the same callable shape as a debounced one, with
 * `cancel`, `flush` and `queued`.
 *
 * @typeParam A The parameter types.
 * @typeParam R The type of the result.
 */
export type Throttled<A extends unknown[], R> = Debounced<A, R>;

const ACTION = "throttle a function";

class ThrottlePolicy<A extends unknown[], R> implements Policy<A, R> {
  readonly #calls: Calls<A, R>;
  readonly #queue: TimerQueue;
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #intervalMs: number;
  /** Start times of the invocations in the current window, oldest first. */
  readonly #starts = new RingQueue<number>();
  #timer: QueuedTimer | undefined = undefined;
  readonly #onTimer = (): void => this.#fire();

  constructor(
    fn: (...args: A) => R | PromiseLike<R>,
    limit: number,
    intervalMs: number,
    clock: Clock,
  ) {
    this.#calls = new Calls(fn);
    this.#clock = clock;
    this.#queue = timerQueueFor(clock);
    this.#limit = limit;
    this.#intervalMs = intervalMs;
  }

  get queued(): number {
    return this.#calls.queued;
  }

  // Forgets the starts that left the window; true when one more may run.
  #free(now: number): boolean {
    const starts = this.#starts;
    while (starts.length > 0 && now - starts.peek()! >= this.#intervalMs) {
      starts.shift();
    }
    return starts.length < this.#limit;
  }

  call(args: A): Future<R> {
    const now = this.#clock.now();
    if (this.#timer === undefined && this.#free(now)) {
      this.#starts.push(now);
      return this.#calls.invoke(args);
    }
    const joined = this.#calls.join(args);
    this.#timer ??= this.#queue.scheduleAt(
      this.#starts.peek()! + this.#intervalMs,
      this.#onTimer,
    );
    return joined;
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    if (this.#free(now)) {
      this.#starts.push(now);
      this.#calls.runWaiting();
    } else {
      this.#timer = this.#queue.scheduleAt(
        this.#starts.peek()! + this.#intervalMs,
        this.#onTimer,
      );
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) {
      this.#queue.cancel(this.#timer);
      this.#timer = undefined;
    }
  }

  flush(): Future<R> | undefined {
    this.#stop();
    if (this.#calls.queued === 0) return undefined;
    this.#free(this.#clock.now());
    this.#starts.push(this.#clock.now());
    return this.#calls.runWaiting();
  }

  cancel(reason: unknown): void {
    this.#stop();
    this.#calls.cancel(reason);
  }
}

/**
 * Returns a throttled `fn`: it runs at once while fewer than `limit`
 * invocations started in the last `intervalMs` (a sliding window), and
 * otherwise the call waits. The calls that wait are folded into one run, with
 * the latest arguments, as soon as the window allows; every one of them gets
 * that run's result. So every caller gets a future that settles, and `fn`
 * never runs more than `limit` times in any `intervalMs`.
 *
 * The window is computed from the clock when needed (no interval timer); a
 * timer (in the clock's shared timer heap) exists only while callers wait.
 * `flush()` runs the waiting call now, `cancel(reason)` rejects every caller
 * still waiting, and disposing it cancels.
 *
 * @typeParam A The parameter types of `fn`.
 * @typeParam R The type of what `fn` returns.
 * @param fn The function to throttle.
 * @param options `limit`, `intervalMs`, `clock`.
 * @returns The throttled function, with `cancel`, `flush` and `queued`.
 * @throws {TypeError} When `fn` is not a function, `options` is not an
 *   object, or an option has the wrong type (an `AbortSignal` in place of
 *   the options, a `clock` that is not a `Clock`): it throws, as it returns
 *   a function.
 * @throws {RangeError} When `limit` is not an integer >= 1, or `intervalMs`
 *   is not a finite number > 0.
 *
 * @example Two saves per second; the rest fold into one
 * ```ts
 * import { throttle, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const saved: string[] = [];
 * const save = throttle((doc: string) => {
 *   saved.push(doc);
 *   return doc.length;
 * }, { limit: 2, intervalMs: 1000, clock });
 * save("a");
 * save("ab");
 * const c = save("abc");
 * const d = save("abcd");
 * assert.deepEqual(saved, ["a", "ab"]);
 * assert.equal(save.queued, 2);
 * clock.tick(1000);
 * assert.deepEqual(saved, ["a", "ab", "abcd"]);
 * assert.equal(await c, 4);
 * assert.equal(await d, 4);
 * ```
 */
export function throttle<A extends unknown[], R>(
  fn: (...args: A) => R | PromiseLike<R>,
  options: ThrottleOptions,
): Throttled<A, Awaited<R>> {
  assertFunction(ACTION, "fn", fn);
  if (options === undefined) {
    typeError(ACTION, "options", "an options object", options);
  }
  assertOptions(ACTION, options);
  const limit = orDefault(options.limit, 1);
  assertInteger(ACTION, "limit", limit);
  assertPositiveDuration(ACTION, "intervalMs", options.intervalMs);
  assertClock(ACTION, options.clock);
  return controlled(
    new ThrottlePolicy<A, Awaited<R>>(
      fn as (...args: A) => Awaited<R> | PromiseLike<Awaited<R>>,
      limit,
      options.intervalMs,
      options.clock ?? systemClock,
    ),
  );
}
