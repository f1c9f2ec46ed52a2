/**
 * `BreakerStrategy`: what decides when a {@linkcode CircuitBreaker} opens,
 * and the simplest strategy, {@linkcode ConsecutiveFailuresStrategy}. The
 * failure-ratio strategies are {@linkcode CountWindowStrategy} and
 * {@linkcode TimeWindowStrategy}.
 *
 * Strategies are values: they take the time as an argument and never read a
 * clock, so they can be tested without one. A strategy object holds the
 * window of one breaker: create one per breaker.
 *
 * @module
 */

import { assertInteger, assertOptions } from "../core/_validate.ts";
import { assertCount, CREATE, snapshotOf } from "./_strategy_checks.ts";

/**
 * The calls a strategy currently counts.
 *
 * @example Reading a strategy's window
 * ```ts
 * import { type BreakerWindow, CountWindowStrategy } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const strategy = new CountWindowStrategy({ windowSize: 3 });
 * strategy.recordSuccess(0);
 * strategy.recordFailure(0);
 * const window: BreakerWindow = strategy.window(0);
 * assert.deepEqual(window, { calls: 2, failures: 1 });
 * ```
 */
export interface BreakerWindow {
  /** Calls recorded in the window. */
  readonly calls: number;
  /** Failures among them. */
  readonly failures: number;
}

/**
 * The serialisable state of a strategy, as produced by
 * {@linkcode BreakerStrategy.snapshot}. Times are relative, so a snapshot
 * restores correctly on another clock or in another process.
 *
 * @example Moving a window through JSON
 * ```ts
 * import {
 *   type BreakerStrategySnapshot,
 *   CountWindowStrategy,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const strategy = new CountWindowStrategy({ windowSize: 3 });
 * strategy.recordFailure(0);
 * strategy.recordSuccess(0);
 * const snapshot: BreakerStrategySnapshot = strategy.snapshot(0);
 * assert.deepEqual(snapshot, { kind: "count", outcomes: [1, 0] });
 * const copy = new CountWindowStrategy({ windowSize: 3 });
 * copy.restore(JSON.parse(JSON.stringify(snapshot)), 0);
 * assert.deepEqual(copy.window(0), { calls: 2, failures: 1 });
 * ```
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

/**
 * Options of {@linkcode ConsecutiveFailuresStrategy}.
 *
 * @example Opening on the third failure in a row
 * ```ts
 * import {
 *   CircuitBreaker,
 *   type ConsecutiveFailuresOptions,
 *   ConsecutiveFailuresStrategy,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const options: ConsecutiveFailuresOptions = { threshold: 3 };
 * const breaker = new CircuitBreaker({ strategy: new ConsecutiveFailuresStrategy(options) });
 * const down = () => Promise.reject(new Error("down"));
 * for (let i = 0; i < 2; i++) await breaker.execute(down).catch(() => {});
 * assert.equal(breaker.state, "closed");
 * await breaker.execute(down).catch(() => {});
 * assert.equal(breaker.state, "open");
 * ```
 */
export interface ConsecutiveFailuresOptions {
  /**
   * The number of failures in a row that opens the circuit.
   *
   * @default {5}
   */
  threshold?: number;
}

/**
 * Opens the circuit after `threshold` failures in a row; any success starts
 * the count again. The cheapest strategy: it needs no time.
 *
 * @example Counting without a clock
 * ```ts
 * import { ConsecutiveFailuresStrategy } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const strategy = new ConsecutiveFailuresStrategy({ threshold: 2 });
 * assert.equal(strategy.recordFailure(0), false);
 * strategy.recordSuccess(0);
 * assert.equal(strategy.recordFailure(0), false);
 * assert.equal(strategy.recordFailure(0), true);
 * ```
 */
export class ConsecutiveFailuresStrategy implements BreakerStrategy {
  /**
   * Always false: this strategy ignores time.
   *
   * @example No time needed
   * ```ts
   * import { ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new ConsecutiveFailuresStrategy({ threshold: 1 });
   * assert.equal(strategy.usesTime, false);
   * assert.equal(strategy.recordFailure(0), true); // the time passed is ignored
   * ```
   */
  readonly usesTime = false;
  /**
   * The number of failures in a row that opens the circuit.
   *
   * @example The default and a custom threshold
   * ```ts
   * import { ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ConsecutiveFailuresStrategy().threshold, 5);
   * assert.equal(new ConsecutiveFailuresStrategy({ threshold: 2 }).threshold, 2);
   * ```
   */
  readonly threshold: number;
  #failures = 0;

  /**
   * Creates the strategy.
   *
   * @param options The threshold.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If `threshold` is not an integer >= 1.
   */
  constructor(options?: ConsecutiveFailuresOptions) {
    assertOptions(CREATE, options);
    const threshold = options?.threshold ?? 5;
    assertInteger(CREATE, "threshold", threshold);
    this.threshold = threshold;
  }

  /**
   * Records a successful call.
   *
   * @param now The time of the outcome.
   *
   * @example A success starts the count again
   * ```ts
   * import { ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new ConsecutiveFailuresStrategy({ threshold: 2 });
   * strategy.recordFailure(0);
   * strategy.recordSuccess(0);
   * assert.deepEqual(strategy.window(0), { calls: 0, failures: 0 });
   * assert.equal(strategy.recordFailure(0), false);
   * ```
   */
  recordSuccess(_now: number): void {
    this.#failures = 0;
  }

  /**
   * Records a failed call.
   *
   * @param now The time of the outcome.
   * @returns Whether the circuit should open.
   *
   * @example The threshold-th failure opens
   * ```ts
   * import { ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new ConsecutiveFailuresStrategy({ threshold: 2 });
   * assert.equal(strategy.recordFailure(0), false);
   * assert.equal(strategy.recordFailure(0), true);
   * ```
   */
  recordFailure(_now: number): boolean {
    return ++this.#failures >= this.threshold;
  }

  /**
   * Forgets every outcome.
   *
   * @example Forgetting failures
   * ```ts
   * import { ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new ConsecutiveFailuresStrategy({ threshold: 2 });
   * strategy.recordFailure(0);
   * strategy.reset();
   * assert.equal(strategy.recordFailure(0), false); // counting from zero again
   * ```
   */
  reset(): void {
    this.#failures = 0;
  }

  /**
   * Reports the calls in the window.
   *
   * @param now The current time.
   * @returns The counts.
   *
   * @example Failures in a row as the window
   * ```ts
   * import { ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new ConsecutiveFailuresStrategy();
   * strategy.recordFailure(0);
   * strategy.recordFailure(0);
   * assert.deepEqual(strategy.window(0), { calls: 2, failures: 2 });
   * ```
   */
  window(_now: number): BreakerWindow {
    return { calls: this.#failures, failures: this.#failures };
  }

  /**
   * Captures the window for persistence.
   *
   * @param now The current time.
   * @returns A JSON-serialisable snapshot.
   *
   * @example Saving the count
   * ```ts
   * import { ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new ConsecutiveFailuresStrategy();
   * strategy.recordFailure(0);
   * strategy.recordFailure(0);
   * assert.deepEqual(strategy.snapshot(0), { kind: "consecutive", failures: 2 });
   * ```
   */
  snapshot(_now: number): BreakerStrategySnapshot {
    return { kind: "consecutive", failures: this.#failures };
  }

  /**
   * Replaces the window with a snapshot.
   *
   * @param snapshot A snapshot of the same kind of strategy.
   * @param now The current time.
   * @throws {TypeError} If the snapshot is of another kind or malformed.
   * @throws {RangeError} If a count in it is out of range.
   *
   * @example Restoring a saved count
   * ```ts
   * import { ConsecutiveFailuresStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new ConsecutiveFailuresStrategy({ threshold: 2 });
   * strategy.restore({ kind: "consecutive", failures: 1 }, 0);
   * assert.equal(strategy.recordFailure(0), true);
   * assert.throws(() => strategy.restore({ kind: "count", outcomes: [] }, 0), TypeError);
   * ```
   */
  restore(snapshot: BreakerStrategySnapshot, _now: number): void {
    const s = snapshotOf(snapshot, "consecutive");
    this.#failures = assertCount("snapshot.failures", s.failures);
  }
}
