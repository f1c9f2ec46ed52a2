/**
 * `BreakerStrategy`: the contract of what decides when a
 * {@linkcode CircuitBreaker} opens. The built-in strategies each have their
 * own file: {@linkcode ConsecutiveFailuresStrategy},
 * {@linkcode CountWindowStrategy} and {@linkcode TimeWindowStrategy}.
 *
 * Strategies are values: they take the time as an argument and never read a
 * clock, so they can be tested without one. A strategy object holds the
 * window of one breaker: create one per breaker.
 *
 * @module
 */

/** The calls a strategy currently counts. */
export interface BreakerWindow {
  /** Calls recorded in the window. */
  readonly calls: number;
  /** Failures among them. */
  readonly failures: number;
}

/**
 * The serialisable state of a strategy, from
 * {@linkcode BreakerStrategy.snapshot}. Times are relative, so a snapshot
 * restores on another clock or in another process.
 */
export type BreakerStrategySnapshot =
  | {
    /** Made by {@linkcode ConsecutiveFailuresStrategy}. */
    readonly kind: "consecutive";
    /** Consecutive failures so far. */
    readonly failures: number;
  }
  | {
    /** Made by {@linkcode CountWindowStrategy}. */
    readonly kind: "count";
    /** The outcomes in the window, oldest first: 1 a failure, 0 a success. */
    readonly outcomes: readonly number[];
  }
  | {
    /** Made by {@linkcode TimeWindowStrategy}. */
    readonly kind: "time";
    /**
     * The non-empty buckets as `[bucketsAgo, calls, failures]`, where
     * `bucketsAgo` 0 is the bucket that holds the snapshot time.
     */
    readonly buckets: readonly (readonly [number, number, number])[];
  };

/**
 * Decides, from the outcomes of calls made while the circuit is closed, when
 * the breaker opens. The breaker calls `recordSuccess` and `recordFailure`
 * once per counted call (with `clock.now()` when `usesTime` is true, 0
 * otherwise) and `reset` when the circuit closes. Implement it to plug in a
 * strategy of your own.
 *
 * @example A strategy that opens on the second failure ever
 * ```ts
 * import { type BreakerStrategy, CircuitBreaker } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * let failures = 0;
 * const twice: BreakerStrategy = {
 *   usesTime: false,
 *   recordSuccess() {},
 *   recordFailure: () => ++failures >= 2,
 *   reset() { failures = 0; },
 *   window: () => ({ calls: failures, failures }),
 *   snapshot: () => ({ kind: "consecutive", failures }),
 *   restore(snapshot) { failures = snapshot.kind === "consecutive" ? snapshot.failures : 0; },
 * };
 * const breaker = new CircuitBreaker({ strategy: twice });
 * const fail = () => Promise.reject(new Error("down"));
 * await breaker.execute(fail).catch(() => {});
 * await breaker.execute(fail).catch(() => {});
 * assert.equal(breaker.state, "open");
 * ```
 */
export interface BreakerStrategy {
  /** Whether the strategy needs the time of each outcome. */
  readonly usesTime: boolean;
  /**
   * Records a successful call.
   *
   * @param now The time of the outcome (0 when `usesTime` is false).
   */
  recordSuccess(now: number): void;
  /**
   * Records a failed call.
   *
   * @param now The time of the outcome (0 when `usesTime` is false).
   * @returns Whether the circuit should open.
   */
  recordFailure(now: number): boolean;
  /** Forgets every outcome (the circuit closed or was reset). */
  reset(): void;
  /**
   * Reports the calls in the window.
   *
   * @param now The current time.
   * @returns The counts.
   */
  window(now: number): BreakerWindow;
  /**
   * Captures the state for persistence.
   *
   * @param now The current time.
   * @returns A JSON-serialisable snapshot.
   */
  snapshot(now: number): BreakerStrategySnapshot;
  /**
   * Replaces the state with a snapshot.
   *
   * @param snapshot A snapshot from the same kind of strategy.
   * @param now The current time.
   * @throws {TypeError} If the snapshot is of another kind or malformed.
   */
  restore(snapshot: BreakerStrategySnapshot, now: number): void;
}
