/**
 * `debounce`: run a function once a burst of calls has gone quiet, and give
 * every caller the result.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import {
  type QueuedTimer,
  type TimerQueue,
  timerQueueFor,
} from "../core/_timer_queue.ts";
import {
  assertClock,
  assertDuration,
  assertFunction,
  assertOptions,
  orDefault,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import type { Future } from "../future/future.ts";
import { Calls, controlled, type Policy } from "./_calls.ts";

/** Options of {@linkcode debounce}. */
export interface DebounceOptions {
  /**
   * Run at the start of a burst, with the first call's arguments.
   *
   * @default {false}
   */
  leading?: boolean;
  /**
   * Run at the end of a burst (once no call came for `waitMs`), with the
   * latest arguments, if a call came after the leading run.
   *
   * @default {true}
   */
  trailing?: boolean;
  /**
   * The longest a burst may delay the trailing run: the run happens at most
   * this long after the burst's first call, even if calls keep coming.
   * A finite number >= `waitMs`.
   *
   * @default {undefined} (no limit)
   */
  maxWaitMs?: number;
  /**
   * The clock that measures the waits.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * A debounced (or throttled) function: call it like the original; every call
 * returns a future of the result of the invocation it was folded into.
 *
 * @typeParam A The parameter types.
 * @typeParam R The type of the result.
 */
export interface Debounced<A extends unknown[], R> extends Disposable {
  /**
   * Joins the next invocation (or runs one now, when the policy allows).
   *
   * @param args The arguments; the latest call's arguments are used.
   * @returns A future of the result of the invocation this call joined.
   */
  (...args: A): Future<R>;
  /**
   * Drops the scheduled invocation and rejects every caller whose future
   * has not settled yet (those waiting to run and those of invocations
   * still running) with `reason`. These rejections are marked handled, so a
   * caller that ignored its future is not reported as an unhandled
   * rejection; one that awaits it still sees the rejection.
   *
   * @param reason The rejection reason; without one, a `DOMException`
   *   named `"AbortError"`.
   */
  cancel(reason?: unknown): void;
  /**
   * Runs the scheduled invocation now, if callers wait for one.
   *
   * @returns Its future, or `undefined` when no caller waits.
   */
  flush(): Future<R> | undefined;
  /** The number of callers waiting for an invocation not started yet. */
  readonly queued: number;
}

const ACTION = "debounce a function";

class DebouncePolicy<A extends unknown[], R> implements Policy<A, R> {
  readonly #calls: Calls<A, R>;
  readonly #queue: TimerQueue;
  readonly #clock: Clock;
  readonly #waitMs: number;
  readonly #maxWaitMs: number;
  readonly #leading: boolean;
  readonly #trailing: boolean;
  #timer: QueuedTimer | undefined = undefined;
  #burstStart = 0;
  #lastCall = 0;
  #leadingRun: Future<R> | undefined = undefined;
  readonly #onTimer = (): void => this.#fire();

  constructor(
    fn: (...args: A) => R | PromiseLike<R>,
    waitMs: number,
    maxWaitMs: number,
    leading: boolean,
    trailing: boolean,
    clock: Clock,
  ) {
    this.#calls = new Calls(fn);
    this.#clock = clock;
    this.#queue = timerQueueFor(clock);
    this.#waitMs = waitMs;
    this.#maxWaitMs = maxWaitMs;
    this.#leading = leading;
    this.#trailing = trailing;
  }

  get queued(): number {
    return this.#calls.queued;
  }

  call(args: A): Future<R> {
    const now = this.#clock.now();
    this.#lastCall = now;
    if (this.#timer === undefined) {
      // A new burst. The timer is not pushed back on every call: when it
      // fires early, it re-arms for the remaining quiet time.
      this.#burstStart = now;
      this.#timer = this.#queue.schedule(this.#onTimer, this.#waitMs);
      if (this.#leading) return this.#leadingRun = this.#calls.invoke(args);
      return this.#calls.join(args);
    }
    if (this.#trailing) return this.#calls.join(args);
    return this.#leadingRun!;
  }

  #fire(): void {
    this.#timer = undefined;
    const due = Math.min(
      this.#lastCall + this.#waitMs,
      this.#burstStart + this.#maxWaitMs,
    );
    if (this.#clock.now() < due) {
      this.#timer = this.#queue.scheduleAt(due, this.#onTimer);
      return;
    }
    this.#leadingRun = undefined;
    this.#calls.runWaiting();
  }

  #stop(): void {
    if (this.#timer !== undefined) {
      this.#queue.cancel(this.#timer);
      this.#timer = undefined;
    }
    this.#leadingRun = undefined;
  }

  flush(): Future<R> | undefined {
    this.#stop();
    return this.#calls.runWaiting();
  }

  cancel(reason: unknown): void {
    this.#stop();
    this.#calls.cancel(reason);
  }
}

/**
 * Returns a debounced `fn`: a burst of calls, with less than `waitMs`
 * between them, makes one invocation, at its end (`trailing`, the default),
 * at its start (`leading`), or both. Unlike a fire-and-forget debounce,
 * every caller gets a future that settles: callers folded into an
 * invocation get its result (or its rejection), and `cancel(reason)` rejects
 * every caller still waiting.
 *
 * With `leading: true` and `trailing: false`, the calls of a burst after the
 * first get the leading run's result. With both, a trailing run happens only
 * if a call came after the leading one. `maxWaitMs` bounds how long a busy
 * burst can postpone the trailing run.
 *
 * The debounced function holds one timer (in the clock's shared timer heap)
 * while a burst lasts; `flush()` runs the pending invocation now, and
 * disposing it cancels.
 *
 * @typeParam A The parameter types of `fn`.
 * @typeParam R The type of what `fn` returns.
 * @param fn The function to debounce.
 * @param waitMs The quiet time that ends a burst, a finite number >= 0.
 * @param options `leading`, `trailing`, `maxWaitMs`, `clock`.
 * @returns The debounced function, with `cancel`, `flush` and `queued`.
 * @throws {TypeError} When `fn` is not a function or an option has the
 *   wrong type (an `AbortSignal` in place of the options, a `clock` that is
 *   not a `Clock`): it throws, as it returns a function.
 * @throws {RangeError} When `waitMs` is negative or not finite, `maxWaitMs`
 *   is below `waitMs` or not finite, or `leading` and `trailing` are both
 *   false.
 *
 * @example Every keystroke gets the one search result
 * ```ts
 * import { debounce, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const queries: string[] = [];
 * const search = debounce((q: string) => {
 *   queries.push(q);
 *   return Promise.resolve(`results for ${q}`);
 * }, 100, { clock });
 * const a = search("p");
 * clock.tick(50);
 * const b = search("pl");
 * assert.equal(search.queued, 2);
 * clock.tick(100);
 * assert.deepEqual(queries, ["pl"]);
 * assert.equal(await a, "results for pl");
 * assert.equal(await b, "results for pl");
 * ```
 */
export function debounce<A extends unknown[], R>(
  fn: (...args: A) => R | PromiseLike<R>,
  waitMs: number,
  options?: DebounceOptions,
): Debounced<A, Awaited<R>> {
  assertFunction(ACTION, "fn", fn);
  assertDuration(ACTION, "waitMs", waitMs);
  assertOptions(ACTION, options);
  assertClock(ACTION, options?.clock);
  const leading = orDefault(options?.leading, false);
  const trailing = orDefault(options?.trailing, true);
  if (typeof leading !== "boolean") {
    typeError(ACTION, "leading", "a boolean", leading);
  }
  if (typeof trailing !== "boolean") {
    typeError(ACTION, "trailing", "a boolean", trailing);
  }
  if (!leading && !trailing) {
    rangeError(ACTION, "trailing", "true when 'leading' is false", trailing);
  }
  const maxWaitMs = options?.maxWaitMs;
  if (maxWaitMs !== undefined) {
    assertDuration(ACTION, "maxWaitMs", maxWaitMs);
    if (maxWaitMs < waitMs) {
      rangeError(ACTION, "maxWaitMs", `>= waitMs (${waitMs})`, maxWaitMs);
    }
  }
  return controlled(
    new DebouncePolicy<A, Awaited<R>>(
      fn as (...args: A) => Awaited<R> | PromiseLike<Awaited<R>>,
      waitMs,
      maxWaitMs ?? Infinity,
      leading,
      trailing,
      options?.clock ?? systemClock,
    ),
  );
}
