/**
 * Domain errors of pledge. Each extends `Error`, sets `name`, carries
 * structured read-only fields and passes `cause` through.
 *
 * Timeouts are not here: they reject with a `DOMException` named
 * `"TimeoutError"`, as `AbortSignal.timeout` does. Aborts reject with
 * `signal.reason` unchanged.
 *
 * @module
 */

/**
 * An operation was attempted in a state that does not allow it: reading
 * `value` of a pending future, completing a completer twice.
 *
 * @example Reading the value of a pending future
 * ```ts
 * import { Completer, InvalidStateError } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const completer = new Completer<number>();
 * assert.throws(() => completer.future.value, InvalidStateError);
 * ```
 */
export class InvalidStateError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was attempted and why it is not allowed.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidStateError";
  }
}

/**
 * A virtual clock or event loop was asked to run until something settles, but
 * nothing it holds can make progress. The message names what is pending.
 *
 * @example Running a promise that nothing will settle
 * ```ts
 * import { DeadlockError, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * await assert.rejects(
 *   clock.runUntilSettled(new Promise(() => {})),
 *   DeadlockError,
 * );
 * ```
 */
export class DeadlockError extends Error {
  /** The number of timers still pending when progress stopped. */
  readonly pendingTimers: number;
  /**
   * Creates the error.
   *
   * @param message The description of the deadlock.
   * @param pendingTimers The number of timers still pending.
   */
  constructor(message: string, pendingTimers: number) {
    super(message);
    this.name = "DeadlockError";
    this.pendingTimers = pendingTimers;
  }
}

/**
 * A virtual clock or event loop ran more callbacks than its `loopLimit` in one
 * drive: a runaway interval or a task that keeps rescheduling itself.
 *
 * @example A runaway interval
 * ```ts
 * import { LoopLimitError, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock({ loopLimit: 100 });
 * const rearm = () => clock.setTimeout(rearm, 1);
 * rearm();
 * assert.throws(() => clock.runAll(), LoopLimitError);
 * clock.reset();
 * ```
 */
export class LoopLimitError extends Error {
  /** The limit that was reached. */
  readonly loopLimit: number;
  /**
   * Creates the error.
   *
   * @param message The description of what ran away.
   * @param loopLimit The limit that was reached.
   */
  constructor(message: string, loopLimit: number) {
    super(message);
    this.name = "LoopLimitError";
    this.loopLimit = loopLimit;
  }
}

/**
 * A bounded queue refused a task: `concurrency` tasks may run at once, and
 * the queue already held `queued` of the `maxQueue` tasks it may hold. It
 * carries no `cause`: nothing failed, a limit was reached.
 *
 * @example A pool with no room to queue
 * ```ts
 * import { Completer, PooledExecutor, QueueFullError } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const pool = new PooledExecutor({ concurrency: 1, maxQueue: 1 });
 * const gate = new Completer<void>();
 * const accepted = [pool.submit(() => gate.future), pool.submit(() => 2)];
 * const error = await pool.submit(() => 3).catch((e) => e);
 * assert.ok(error instanceof QueueFullError);
 * assert.deepEqual(
 *   [error.concurrency, error.maxQueue, error.queued],
 *   [1, 1, 1],
 * );
 * gate.resolve();
 * await Promise.all(accepted);
 * ```
 */
export class QueueFullError extends Error {
  /** The most tasks that run at once. */
  readonly concurrency: number;
  /** The most tasks the queue holds. */
  readonly maxQueue: number;
  /** The number of tasks queued when the task was refused. */
  readonly queued: number;
  /**
   * Creates the error.
   *
   * @param concurrency The most tasks that run at once.
   * @param maxQueue The most tasks the queue holds.
   * @param queued The number of tasks queued.
   * @param options Standard error options (`cause`).
   */
  constructor(
    concurrency: number,
    maxQueue: number,
    queued: number,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot queue the task as the queue is full: ${queued} tasks are waiting and maxQueue is ${maxQueue}`,
      options,
    );
    this.name = "QueueFullError";
    this.concurrency = concurrency;
    this.maxQueue = maxQueue;
    this.queued = queued;
  }
}

/**
 * A bulkhead refused a call: `concurrency` calls were running and `queued`
 * (its `maxQueue`) were waiting. A {@linkcode QueueFullError}, so one
 * `instanceof` check covers every full queue of pledge.
 *
 * @example A full bulkhead
 * ```ts
 * import { Bulkhead, BulkheadRejectedError, QueueFullError } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const bulkhead = new Bulkhead({ concurrency: 1, maxQueue: 0 });
 * const gate = Promise.withResolvers<void>();
 * const running = bulkhead.execute(() => gate.promise);
 * const error = await bulkhead.execute(() => 1).catch((e) => e);
 * assert.ok(error instanceof BulkheadRejectedError);
 * assert.ok(error instanceof QueueFullError);
 * assert.deepEqual([error.concurrency, error.maxQueue, error.queued], [1, 0, 0]);
 * gate.resolve();
 * await running;
 * ```
 */
export class BulkheadRejectedError extends QueueFullError {
  /**
   * Creates the error.
   *
   * @param concurrency The most calls that run at once.
   * @param maxQueue The most calls that wait.
   * @param queued The number of calls waiting.
   * @param options Standard error options (`cause`).
   */
  constructor(
    concurrency: number,
    maxQueue: number,
    queued: number,
    options?: ErrorOptions,
  ) {
    super(concurrency, maxQueue, queued, options);
    this.name = "BulkheadRejectedError";
    this.message =
      `Cannot execute as the bulkhead is full: ${concurrency} calls running and ${queued} queued`;
  }
}

/**
 * A circuit breaker refused a call because it is open, isolated, or half-open
 * with every trial slot taken. `retryAfterMs` says how long until the breaker
 * lets a call through again: the rest of the cooldown when open, `0` when
 * half-open (a probe is running; try again when it ends), `Infinity` when
 * isolated (until `reset()`).
 *
 * @example Reading when to come back
 * ```ts
 * import {
 *   CircuitBreaker,
 *   CircuitOpenError,
 *   ConsecutiveFailuresStrategy,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const strategy = new ConsecutiveFailuresStrategy({ threshold: 1 });
 * const breaker = new CircuitBreaker({ strategy, cooldownMs: 1000, clock });
 * await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => {});
 * clock.tick(400);
 * const error = await breaker.execute(() => 1).catch((e) => e);
 * assert.ok(error instanceof CircuitOpenError);
 * assert.equal(error.state, "open");
 * assert.equal(error.retryAfterMs, 600);
 * ```
 */
export class CircuitOpenError extends Error {
  /** Milliseconds until the breaker admits a call again (see above). */
  readonly retryAfterMs: number;
  /** The state the breaker was in when it refused the call. */
  readonly state: "open" | "half_open" | "isolated";
  /**
   * Creates the error.
   *
   * @param retryAfterMs Milliseconds until a call may pass again.
   * @param state The state of the breaker.
   * @param options Standard error options (`cause`).
   */
  constructor(
    retryAfterMs: number,
    state: "open" | "half_open" | "isolated",
    options?: ErrorOptions,
  ) {
    super(
      state === "isolated"
        ? "Cannot execute as the circuit is isolated until it is reset"
        : state === "half_open"
        ? "Cannot execute as the circuit is half-open and every trial call is taken"
        : `Cannot execute as the circuit is open: retry after ${retryAfterMs} ms`,
      options,
    );
    this.name = "CircuitOpenError";
    this.retryAfterMs = retryAfterMs;
    this.state = state;
  }
}

/**
 * A rate limiter in `"reject"` mode refused a call because its bucket did not
 * hold enough tokens. `retryAfterMs` is the time until it will.
 *
 * @example An empty bucket
 * ```ts
 * import { RateLimitedError, RateLimiter, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, mode: "reject", clock });
 * await limiter.execute(() => "first");
 * const error = await limiter.execute(() => "second").catch((e) => e);
 * assert.ok(error instanceof RateLimitedError);
 * assert.equal(error.retryAfterMs, 1000);
 * ```
 */
export class RateLimitedError extends Error {
  /** Milliseconds until the bucket holds enough tokens. */
  readonly retryAfterMs: number;
  /**
   * Creates the error.
   *
   * @param retryAfterMs Milliseconds until enough tokens are available.
   * @param options Standard error options (`cause`).
   */
  constructor(retryAfterMs: number, options?: ErrorOptions) {
    super(
      `Cannot execute as the rate limit is reached: retry after ${retryAfterMs} ms`,
      options,
    );
    this.name = "RateLimitedError";
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A retry gave up: the attempts allowed by `maxAttempts` all failed, the time
 * allowed by `maxElapsedMs` ran out, or the shared retry budget had no retry
 * left. `cause` is the error of the last attempt and `limit` names what
 * stopped the retries. (Errors the retry does not handle, and aborts, reject
 * unchanged instead.)
 *
 * @example Giving up after three attempts
 * ```ts
 * import { retry, RetryError, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const failing = retry(() => Promise.reject(new Error("down")), {
 *   maxAttempts: 3,
 *   backoff: 10,
 *   clock,
 * });
 * const error = await clock.runUntilSettled(failing).catch((e) => e);
 * assert.ok(error instanceof RetryError);
 * assert.equal(error.attempts, 3);
 * assert.equal(error.limit, "maxAttempts");
 * assert.equal((error.cause as Error).message, "down");
 * ```
 */
export class RetryError extends Error {
  /** How many attempts ran, all of them failed. */
  readonly attempts: number;
  /** What stopped the retries. */
  readonly limit: "maxAttempts" | "maxElapsedMs" | "budget";
  /**
   * Creates the error.
   *
   * @param attempts How many attempts ran.
   * @param limit What stopped the retries.
   * @param options `cause`: the error of the last attempt.
   */
  constructor(
    attempts: number,
    limit: "maxAttempts" | "maxElapsedMs" | "budget",
    options?: ErrorOptions,
  ) {
    super(
      `Retrying gave up after ${attempts} attempt${
        attempts === 1 ? "" : "s"
      }: ${
        limit === "maxAttempts"
          ? "no attempt is left"
          : limit === "maxElapsedMs"
          ? "the time allowed by maxElapsedMs ran out"
          : "the retry budget is exhausted"
      }`,
      options,
    );
    this.name = "RetryError";
    this.attempts = attempts;
    this.limit = limit;
  }
}
