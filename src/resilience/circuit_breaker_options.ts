/**
 * What a {@linkcode CircuitBreaker} is given and what it reports: its
 * options, states, observer events, counters and persisted snapshot.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { CircuitOpenError } from "../core/errors.ts";
import type {
  BreakerStrategy,
  BreakerStrategySnapshot,
  BreakerWindow,
} from "./breaker_strategy.ts";

/**
 * The state of a {@linkcode CircuitBreaker}: `"closed"` lets calls through
 * and counts outcomes; `"open"` rejects them until the break is over;
 * `"half_open"` lets a few trial calls through; `"isolated"` rejects them
 * until `reset()`.
 *
 * @example Reading the state of a breaker
 * ```ts
 * import { CircuitBreaker, type CircuitState } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const breaker = new CircuitBreaker();
 * const before: CircuitState = breaker.state;
 * breaker.isolate();
 * assert.equal(before, "closed");
 * assert.equal(breaker.state, "isolated");
 * ```
 */
export type CircuitState = "closed" | "open" | "half_open" | "isolated";

/**
 * What {@linkcode CircuitBreakerOptions.breakDuration} is told.
 *
 * @example A break that doubles with each opening in a row
 * ```ts
 * import {
 *   type BreakDurationContext,
 *   CircuitBreaker,
 *   ConsecutiveFailuresStrategy,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const seen: number[] = [];
 * const breaker = new CircuitBreaker({
 *   strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
 *   breakDuration: ({ attempt }: BreakDurationContext) => {
 *     seen.push(attempt);
 *     return 100 * 2 ** (attempt - 1);
 *   },
 *   clock,
 * });
 * const down = () => Promise.reject(new Error("down"));
 * await breaker.execute(down).catch(() => {});
 * clock.tick(100); // half-open: the trial fails and the circuit reopens
 * await breaker.execute(down).catch(() => {});
 * assert.deepEqual(seen, [1, 2]);
 * assert.equal(breaker.stats.retryAfterMs, 200);
 * ```
 */
export interface BreakDurationContext {
  /**
   * The number of openings in a row, this one included: 1 when the circuit
   * opens from closed, 2 when the first trial after that failed, and so on.
   */
  readonly attempt: number;
  /** The strategy's window at the time of opening. */
  readonly window: BreakerWindow;
}

/**
 * What {@linkcode CircuitBreakerOptions.onStateChange} receives.
 *
 * @example Logging every transition
 * ```ts
 * import { CircuitBreaker, type CircuitStateChange } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * const breaker = new CircuitBreaker({
 *   onStateChange: ({ from, to }: CircuitStateChange) => log.push(`${from} -> ${to}`),
 * });
 * breaker.isolate();
 * breaker.reset();
 * assert.deepEqual(log, ["closed -> isolated", "isolated -> closed"]);
 * ```
 */
export interface CircuitStateChange {
  /** The state left. */
  readonly from: CircuitState;
  /** The state entered. */
  readonly to: CircuitState;
}

/**
 * What {@linkcode CircuitBreakerOptions.onSuccess} receives.
 *
 * @example Measuring successful calls
 * ```ts
 * import {
 *   CircuitBreaker,
 *   type CircuitSuccessEvent,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const durations: number[] = [];
 * const breaker = new CircuitBreaker({
 *   clock,
 *   onSuccess: (event: CircuitSuccessEvent) => durations.push(event.durationMs),
 * });
 * const call = breaker.execute(() =>
 *   new Promise<string>((resolve) => clock.setTimeout(() => resolve("ok"), 30))
 * );
 * assert.equal(await clock.runUntilSettled(call), "ok");
 * assert.deepEqual(durations, [30]);
 * ```
 */
export interface CircuitSuccessEvent {
  /** How long the call took, on the breaker's clock. */
  readonly durationMs: number;
}

/**
 * What {@linkcode CircuitBreakerOptions.onFailure} receives.
 *
 * @example A slow success and an error, both counted as failures
 * ```ts
 * import {
 *   CircuitBreaker,
 *   type CircuitFailureEvent,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const events: CircuitFailureEvent[] = [];
 * const breaker = new CircuitBreaker({ slowCallMs: 50, clock, onFailure: (e) => events.push(e) });
 * const slow = breaker.execute(() =>
 *   new Promise<string>((resolve) => clock.setTimeout(() => resolve("late"), 80))
 * );
 * assert.equal(await clock.runUntilSettled(slow), "late");
 * await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => {});
 * assert.deepEqual(events.map((e) => [e.slow, e.durationMs]), [[true, 80], [false, 0]]);
 * assert.equal(events[0]!.error, undefined);
 * ```
 */
export interface CircuitFailureEvent {
  /** The error, or `undefined` for a slow call that succeeded. */
  readonly error: unknown;
  /** Whether the call took longer than `slowCallMs`. */
  readonly slow: boolean;
  /** How long the call took, on the breaker's clock. */
  readonly durationMs: number;
}

/**
 * The persisted state of a breaker, from {@linkcode CircuitBreaker.toJSON}.
 * Times are relative (`remainingMs`), so it restores on another clock or in
 * another process.
 *
 * @example The snapshot of an open circuit
 * ```ts
 * import {
 *   CircuitBreaker,
 *   type CircuitBreakerSnapshot,
 *   ConsecutiveFailuresStrategy,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const breaker = new CircuitBreaker({
 *   strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
 *   breakDurationMs: 1000,
 *   clock,
 * });
 * await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => {});
 * clock.tick(400);
 * const snapshot: CircuitBreakerSnapshot = breaker.toJSON();
 * assert.equal(snapshot.state, "open");
 * assert.equal(snapshot.remainingMs, 600);
 * assert.equal(snapshot.consecutiveOpenings, 1);
 * assert.equal(snapshot.strategy.kind, "consecutive");
 * ```
 */
export interface CircuitBreakerSnapshot {
  /** The state. A restored `"half_open"` breaker has no trial running. */
  readonly state: CircuitState;
  /** The rest of the break when `"open"`, otherwise 0. */
  readonly remainingMs: number;
  /** Openings in a row (see {@linkcode BreakDurationContext.attempt}). */
  readonly consecutiveOpenings: number;
  /** The strategy's window. */
  readonly strategy: BreakerStrategySnapshot;
}

/**
 * A breaker's counters, from {@linkcode CircuitBreaker.stats}.
 *
 * @example Counters after a success and a failure
 * ```ts
 * import {
 *   CircuitBreaker,
 *   type CircuitBreakerStats,
 *   ConsecutiveFailuresStrategy,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const breaker = new CircuitBreaker({
 *   strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
 * });
 * await breaker.execute(() => "ok");
 * await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => {});
 * const stats: CircuitBreakerStats = breaker.stats;
 * assert.equal(stats.state, "closed");
 * assert.equal(stats.successes, 1);
 * assert.equal(stats.failures, 1);
 * assert.equal(stats.windowFailures, 1);
 * assert.equal(stats.retryAfterMs, 0);
 * ```
 */
export interface CircuitBreakerStats {
  /** The state. */
  readonly state: CircuitState;
  /** Calls in the strategy's window. */
  readonly windowCalls: number;
  /** Failures in the strategy's window. */
  readonly windowFailures: number;
  /** Openings in a row (see {@linkcode BreakDurationContext.attempt}). */
  readonly consecutiveOpenings: number;
  /** Trial calls running (half-open only). */
  readonly activeProbes: number;
  /** Trial calls that succeeded since the circuit went half-open. */
  readonly probeSuccesses: number;
  /** Milliseconds until a call may pass: 0 unless open or isolated. */
  readonly retryAfterMs: number;
  /** Calls that succeeded, in total. */
  readonly successes: number;
  /** Calls counted as failures (slow calls included), in total. */
  readonly failures: number;
  /** Calls refused while open, half-open or isolated, in total. */
  readonly rejections: number;
}

/**
 * Options of the {@linkcode CircuitBreaker} constructor.
 *
 * @example A failure-ratio breaker that ignores bad input
 * ```ts
 * import {
 *   CircuitBreaker,
 *   type CircuitBreakerOptions,
 *   CountWindowStrategy,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const options: CircuitBreakerOptions = {
 *   strategy: new CountWindowStrategy({ windowSize: 4, failureRatio: 0.5 }),
 *   breakDurationMs: 2000,
 *   isFailure: (error) => !(error instanceof RangeError),
 *   clock: new VirtualClock(),
 * };
 * const breaker = new CircuitBreaker(options);
 * const badInput = () => Promise.reject(new RangeError("bad input"));
 * for (let i = 0; i < 4; i++) await breaker.execute(badInput).catch(() => {});
 * assert.equal(breaker.stats.windowCalls, 0); // not counted at all
 * for (const ok of [true, true, false, false]) {
 *   await breaker.execute(() => ok ? "ok" : Promise.reject(new Error("down"))).catch(() => {});
 * }
 * assert.equal(breaker.state, "open"); // 2 of the last 4 calls failed
 * ```
 */
export interface CircuitBreakerOptions {
  /**
   * Decides when the closed circuit opens. One strategy object per breaker.
   *
   * @default {new ConsecutiveFailuresStrategy({ threshold: 5 })}
   */
  strategy?: BreakerStrategy;
  /**
   * How long the circuit stays open before trial calls may pass; also the
   * fallback when `breakDuration` throws or returns a bad value.
   *
   * @default {5_000}
   */
  breakDurationMs?: number;
  /**
   * Computes the break of each opening (a backoff, say); overrides
   * `breakDurationMs`. Must return a finite number >= 0.
   *
   * @default {undefined}
   */
  breakDuration?: (context: BreakDurationContext) => number;
  /**
   * The most trial calls running at once while half-open; more calls are
   * rejected with a {@linkcode CircuitOpenError} whose `retryAfterMs` is 0.
   *
   * @default {1}
   */
  halfOpenMaxProbes?: number;
  /**
   * The trial calls that must succeed (one after another or at once) to
   * close the circuit. One failed trial reopens it.
   *
   * @default {1}
   */
  successThreshold?: number;
  /**
   * Calls taking longer than this count as failures, even when they succeed
   * (the caller still gets the value).
   *
   * @default {Infinity} (no call is slow)
   */
  slowCallMs?: number;
  /**
   * Decides whether an error counts as a failure. Errors it rejects count
   * as nothing: neither failure nor success. An error equal to the reason of
   * the caller's aborted signal never counts. The default counts every error
   * (permanent ones included, as Polly does) except cancellations and the
   * refusals of local policies ({@linkcode CircuitOpenError},
   * {@linkcode BulkheadRejectedError}, {@linkcode RateLimitedError}), which
   * never reached the dependency. To spare permanent errors, pass
   * `(error) => !["cancelled", "permanent"].includes(classify(error))`.
   *
   * @default {(error) => classify(error) !== "cancelled" (see above)}
   */
  isFailure?: (error: unknown) => boolean;
  /**
   * A state to start from, from {@linkcode CircuitBreaker.toJSON}.
   *
   * @default {undefined} (closed, empty window)
   */
  initialState?: CircuitBreakerSnapshot;
  /**
   * The clock for breaks and durations.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /** Called on every state change. */
  onStateChange?: (event: CircuitStateChange) => void;
  /** Called when a call succeeds within `slowCallMs`. */
  onSuccess?: (event: CircuitSuccessEvent) => void;
  /** Called when a call counts as a failure. */
  onFailure?: (event: CircuitFailureEvent) => void;
  /** Called when a call is refused, with the error it is refused with. */
  onReject?: (error: CircuitOpenError) => void;
}
