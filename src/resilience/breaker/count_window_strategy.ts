/**
 * `CountWindowStrategy`: a breaker strategy that opens on a failure ratio
 * over the last N calls.
 *
 * @module
 */

import {
  assertInteger,
  assertOptions,
  orDefault,
  rangeError,
  typeError,
} from "../../core/_validate.ts";
import type {
  BreakerStrategy,
  BreakerStrategySnapshot,
  BreakerWindow,
} from "./breaker_strategy.ts";
import {
  assertRatio,
  CREATE,
  RESTORE,
  snapshotOf,
} from "./_strategy_checks.ts";

/** Options of {@linkcode CountWindowStrategy}. */
export interface CountWindowOptions {
  /**
   * The share of failures in the window, in (0, 1], at or above which a
   * failure opens the circuit.
   *
   * @default {0.5}
   */
  failureRatio?: number;
  /**
   * The number of most recent calls the window holds.
   *
   * @default {100}
   */
  windowSize?: number;
  /**
   * The fewest calls the window must hold before the circuit may open, at
   * most `windowSize`.
   *
   * @default {windowSize}
   */
  minimumThroughput?: number;
}

/**
 * Opens the circuit on a failure when, among the last `windowSize` calls
 * (and at least `minimumThroughput` of them), the share of failures is at or
 * above `failureRatio`. Like cockatiel's `CountBreaker` and Resilience4j's
 * count-based sliding window; needs no time.
 *
 * @example Half of the last four calls failed
 * ```ts
 * import { CountWindowStrategy } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const strategy = new CountWindowStrategy({ failureRatio: 0.5, windowSize: 4 });
 * strategy.recordSuccess(0);
 * strategy.recordSuccess(0);
 * assert.equal(strategy.recordFailure(0), false); // only 3 calls so far
 * assert.equal(strategy.recordFailure(0), true); // 2 of 4 failed
 * ```
 */
export class CountWindowStrategy implements BreakerStrategy {
  /** Always false: the window counts calls, not time. */
  readonly usesTime = false;
  /** The failure share that opens the circuit. */
  readonly failureRatio: number;
  /** The number of calls in the window. */
  readonly windowSize: number;
  /** The fewest calls before the circuit may open. */
  readonly minimumThroughput: number;
  readonly #outcomes: Uint8Array;
  #next = 0;
  #calls = 0;
  #failures = 0;

  /**
   * Creates the strategy.
   *
   * @param options The ratio and the window.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options?: CountWindowOptions) {
    assertOptions(CREATE, options);
    const failureRatio = orDefault(options?.failureRatio, 0.5);
    assertRatio("failureRatio", failureRatio);
    const windowSize = orDefault(options?.windowSize, 100);
    assertInteger(CREATE, "windowSize", windowSize);
    const minimumThroughput = orDefault(options?.minimumThroughput, windowSize);
    assertInteger(CREATE, "minimumThroughput", minimumThroughput);
    if (minimumThroughput > windowSize) {
      rangeError(
        CREATE,
        "minimumThroughput",
        `an integer <= windowSize (${windowSize})`,
        minimumThroughput,
      );
    }
    this.failureRatio = failureRatio;
    this.windowSize = windowSize;
    this.minimumThroughput = minimumThroughput;
    this.#outcomes = new Uint8Array(windowSize);
  }

  #push(outcome: number): void {
    const outcomes = this.#outcomes;
    const i = this.#next;
    if (this.#calls === outcomes.length) this.#failures -= outcomes[i]!;
    else this.#calls++;
    outcomes[i] = outcome;
    this.#failures += outcome;
    this.#next = i + 1 === outcomes.length ? 0 : i + 1;
  }

  /**
   * Records a successful call.
   *
   * @param now The time of the outcome.
   *
   * @example Successes push old failures out
   * ```ts
   * import { CountWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new CountWindowStrategy({ windowSize: 2 });
   * strategy.recordFailure(0);
   * strategy.recordSuccess(0);
   * strategy.recordSuccess(0); // the failure leaves the window
   * assert.deepEqual(strategy.window(0), { calls: 2, failures: 0 });
   * ```
   */
  recordSuccess(_now: number): void {
    this.#push(0);
  }

  /**
   * Records a failed call.
   *
   * @param now The time of the outcome.
   * @returns Whether the circuit should open.
   *
   * @example Opening once enough calls are seen
   * ```ts
   * import { CountWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new CountWindowStrategy({ windowSize: 4, minimumThroughput: 2 });
   * assert.equal(strategy.recordFailure(0), false); // 1 call: too few
   * strategy.recordSuccess(0);
   * assert.equal(strategy.recordFailure(0), true); // 2 of 3 failed
   * ```
   */
  recordFailure(_now: number): boolean {
    this.#push(1);
    return this.#calls >= this.minimumThroughput &&
      this.#failures >= this.failureRatio * this.#calls;
  }

  /**
   * Forgets every outcome.
   *
   * @example Emptying the window
   * ```ts
   * import { CountWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new CountWindowStrategy({ windowSize: 4 });
   * strategy.recordFailure(0);
   * strategy.recordSuccess(0);
   * strategy.reset();
   * assert.deepEqual(strategy.window(0), { calls: 0, failures: 0 });
   * ```
   */
  reset(): void {
    this.#outcomes.fill(0);
    this.#next = 0;
    this.#calls = 0;
    this.#failures = 0;
  }

  /**
   * Reports the calls in the window.
   *
   * @param now The current time.
   * @returns The counts.
   *
   * @example At most windowSize calls
   * ```ts
   * import { CountWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new CountWindowStrategy({ windowSize: 3 });
   * for (let i = 0; i < 5; i++) strategy.recordFailure(0);
   * assert.deepEqual(strategy.window(0), { calls: 3, failures: 3 });
   * ```
   */
  window(_now: number): BreakerWindow {
    return { calls: this.#calls, failures: this.#failures };
  }

  /**
   * Captures the window for persistence.
   *
   * @param now The current time.
   * @returns A JSON-serialisable snapshot.
   *
   * @example Outcomes, oldest first
   * ```ts
   * import { CountWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new CountWindowStrategy({ windowSize: 3 });
   * strategy.recordSuccess(0);
   * strategy.recordFailure(0);
   * strategy.recordFailure(0);
   * strategy.recordSuccess(0); // the first success leaves the window
   * assert.deepEqual(strategy.snapshot(0), { kind: "count", outcomes: [1, 1, 0] });
   * ```
   */
  snapshot(_now: number): BreakerStrategySnapshot {
    const size = this.#outcomes.length;
    const start = (this.#next - this.#calls + size) % size;
    const outcomes: number[] = [];
    for (let i = 0; i < this.#calls; i++) {
      outcomes.push(this.#outcomes[(start + i) % size]!);
    }
    return { kind: "count", outcomes };
  }

  /**
   * Replaces the window with a snapshot.
   *
   * @param snapshot A snapshot of the same kind of strategy.
   * @param now The current time.
   * @throws {TypeError} If the snapshot is of another kind or malformed.
   * @throws {RangeError} If a count in it is out of range.
   *
   * @example Restoring into a smaller window keeps the latest outcomes
   * ```ts
   * import { CountWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new CountWindowStrategy({ windowSize: 2 });
   * strategy.restore({ kind: "count", outcomes: [1, 1, 0] }, 0);
   * assert.deepEqual(strategy.snapshot(0), { kind: "count", outcomes: [1, 0] });
   * assert.deepEqual(strategy.window(0), { calls: 2, failures: 1 });
   * ```
   */
  restore(snapshot: BreakerStrategySnapshot, _now: number): void {
    const s = snapshotOf(snapshot, "count");
    const outcomes = s.outcomes;
    if (!Array.isArray(outcomes)) {
      typeError(RESTORE, "snapshot.outcomes", "an array", outcomes);
    }
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i];
      if (o !== 0 && o !== 1) {
        typeError(RESTORE, `snapshot.outcomes[${i}]`, "0 or 1", o);
      }
    }
    this.reset();
    // Keep the most recent outcomes when the window has shrunk.
    const from = Math.max(0, outcomes.length - this.windowSize);
    for (let i = from; i < outcomes.length; i++) this.#push(outcomes[i]);
  }
}
