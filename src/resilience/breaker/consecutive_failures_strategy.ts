/**
 * `ConsecutiveFailuresStrategy`: a breaker strategy that opens after a
 * number of failures in a row. The cheapest strategy: it needs no time.
 *
 * @module
 */

import {
  assertInteger,
  assertOptions,
  orDefault,
} from "../../core/_validate.ts";
import type {
  BreakerStrategy,
  BreakerStrategySnapshot,
  BreakerWindow,
} from "./breaker_strategy.ts";
import { assertCount, CREATE, snapshotOf } from "./_strategy_checks.ts";

/** Options of {@linkcode ConsecutiveFailuresStrategy}. */
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
  /** Always false: this strategy ignores time. */
  readonly usesTime = false;
  /** The number of failures in a row that opens the circuit. */
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
    const threshold = orDefault(options?.threshold, 5);
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
