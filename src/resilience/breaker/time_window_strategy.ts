/**
 * `TimeWindowStrategy`: a breaker strategy that opens on a failure ratio
 * over the last T milliseconds, in buckets that roll lazily from the times
 * passed in (no interval timer).
 *
 * @module
 */

import {
  assertInteger,
  assertOptions,
  assertPositiveDuration,
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
  assertCount,
  assertRatio,
  CREATE,
  RESTORE,
  snapshotOf,
} from "./_strategy_checks.ts";

/** Options of {@linkcode TimeWindowStrategy}. */
export interface TimeWindowOptions {
  /**
   * The share of failures in the window, in (0, 1], at or above which a
   * failure opens the circuit.
   *
   * @default {0.5}
   */
  failureRatio?: number;
  /**
   * The length of the window in milliseconds.
   *
   * @default {30_000}
   */
  windowMs?: number;
  /**
   * The number of buckets the window is cut into: the window slides one
   * bucket (`windowMs / buckets`) at a time.
   *
   * @default {10}
   */
  buckets?: number;
  /**
   * The fewest calls the window must hold before the circuit may open.
   *
   * @default {20}
   */
  minimumThroughput?: number;
}

/**
 * Opens the circuit on a failure when, among the calls of the last
 * `windowMs` (and at least `minimumThroughput` of them), the share of
 * failures is at or above `failureRatio`. Like Polly's failure ratio over a
 * sampling duration and cockatiel's `SamplingBreaker`.
 *
 * The window is `buckets` buckets of `windowMs / buckets` each, aligned to
 * multiples of the bucket length: the bucket holding `now` and the
 * `buckets - 1` before it. Outcomes leave the window a bucket at a time. The
 * window rolls lazily, from the times passed in: no timer.
 *
 * @example Old failures slide out of the window
 * ```ts
 * import { TimeWindowStrategy } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const strategy = new TimeWindowStrategy({
 *   windowMs: 1000,
 *   buckets: 10,
 *   minimumThroughput: 2,
 * });
 * assert.equal(strategy.recordFailure(0), false); // 1 call: too few
 * assert.deepEqual(strategy.window(999), { calls: 1, failures: 1 });
 * assert.deepEqual(strategy.window(1000), { calls: 0, failures: 0 });
 * assert.equal(strategy.recordFailure(1000), false);
 * assert.equal(strategy.recordFailure(1050), true); // 2 of 2 failed
 * ```
 */
export class TimeWindowStrategy implements BreakerStrategy {
  /** Always true: outcomes are placed in time. */
  readonly usesTime = true;
  /** The failure share that opens the circuit. */
  readonly failureRatio: number;
  /** The window length in milliseconds. */
  readonly windowMs: number;
  /** The number of buckets. */
  readonly buckets: number;
  /** The fewest calls before the circuit may open. */
  readonly minimumThroughput: number;
  readonly #bucketMs: number;
  readonly #calls: Float64Array;
  readonly #failed: Float64Array;
  #epoch = -Infinity; // index of the newest bucket, in bucket lengths
  #totalCalls = 0;
  #totalFailures = 0;

  /**
   * Creates the strategy.
   *
   * @param options The ratio and the window.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options?: TimeWindowOptions) {
    assertOptions(CREATE, options);
    const failureRatio = orDefault(options?.failureRatio, 0.5);
    assertRatio("failureRatio", failureRatio);
    const windowMs = orDefault(options?.windowMs, 30_000);
    assertPositiveDuration(CREATE, "windowMs", windowMs);
    const buckets = orDefault(options?.buckets, 10);
    assertInteger(CREATE, "buckets", buckets);
    const minimumThroughput = orDefault(options?.minimumThroughput, 20);
    assertInteger(CREATE, "minimumThroughput", minimumThroughput);
    this.failureRatio = failureRatio;
    this.windowMs = windowMs;
    this.buckets = buckets;
    this.minimumThroughput = minimumThroughput;
    this.#bucketMs = windowMs / buckets;
    this.#calls = new Float64Array(buckets);
    this.#failed = new Float64Array(buckets);
  }

  // Moves the window to the bucket of `now`, emptying the buckets it passes.
  // Returns the slot of that bucket.
  #roll(now: number): number {
    const n = this.buckets;
    const epoch = Math.floor(now / this.#bucketMs);
    const passed = epoch - this.#epoch;
    if (passed > 0) {
      if (passed >= n) {
        this.#calls.fill(0);
        this.#failed.fill(0);
        this.#totalCalls = 0;
        this.#totalFailures = 0;
      } else {
        for (let e = this.#epoch + 1; e <= epoch; e++) {
          const slot = ((e % n) + n) % n;
          this.#totalCalls -= this.#calls[slot]!;
          this.#totalFailures -= this.#failed[slot]!;
          this.#calls[slot] = 0;
          this.#failed[slot] = 0;
        }
      }
      this.#epoch = epoch;
    }
    // A time before the newest bucket (a clock that went back) counts there.
    return ((this.#epoch % n) + n) % n;
  }

  /**
   * Records a successful call.
   *
   * @param now The time of the outcome.
   *
   * @example Successes keep the ratio down
   * ```ts
   * import { TimeWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new TimeWindowStrategy({ windowMs: 1000, minimumThroughput: 2 });
   * strategy.recordSuccess(100);
   * strategy.recordSuccess(200);
   * assert.equal(strategy.recordFailure(300), false); // 1 of 3 failed
   * assert.deepEqual(strategy.window(300), { calls: 3, failures: 1 });
   * ```
   */
  recordSuccess(now: number): void {
    const slot = this.#roll(now);
    this.#calls[slot]!++;
    this.#totalCalls++;
  }

  /**
   * Records a failed call.
   *
   * @param now The time of the outcome.
   * @returns Whether the circuit should open.
   *
   * @example Half of two calls failed
   * ```ts
   * import { TimeWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new TimeWindowStrategy({ windowMs: 1000, minimumThroughput: 2 });
   * strategy.recordSuccess(0);
   * assert.equal(strategy.recordFailure(500), true);
   * ```
   */
  recordFailure(now: number): boolean {
    const slot = this.#roll(now);
    this.#calls[slot]!++;
    this.#failed[slot]!++;
    const calls = ++this.#totalCalls;
    const failures = ++this.#totalFailures;
    return calls >= this.minimumThroughput &&
      failures >= this.failureRatio * calls;
  }

  /**
   * Forgets every outcome.
   *
   * @example Emptying the window
   * ```ts
   * import { TimeWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new TimeWindowStrategy({ windowMs: 1000 });
   * strategy.recordFailure(100);
   * strategy.reset();
   * assert.deepEqual(strategy.window(100), { calls: 0, failures: 0 });
   * ```
   */
  reset(): void {
    this.#calls.fill(0);
    this.#failed.fill(0);
    this.#totalCalls = 0;
    this.#totalFailures = 0;
  }

  /**
   * Reports the calls in the window.
   *
   * @param now The current time.
   * @returns The counts.
   *
   * @example Outcomes leave a bucket at a time
   * ```ts
   * import { TimeWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new TimeWindowStrategy({ windowMs: 1000, buckets: 10 });
   * strategy.recordFailure(50); // in the bucket [0, 100)
   * strategy.recordSuccess(150); // in the bucket [100, 200)
   * assert.deepEqual(strategy.window(999), { calls: 2, failures: 1 });
   * assert.deepEqual(strategy.window(1000), { calls: 1, failures: 0 });
   * ```
   */
  window(now: number): BreakerWindow {
    this.#roll(now);
    return { calls: this.#totalCalls, failures: this.#totalFailures };
  }

  /**
   * Captures the window for persistence.
   *
   * @param now The current time.
   * @returns A JSON-serialisable snapshot.
   *
   * @example Buckets counted back from now
   * ```ts
   * import { TimeWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const strategy = new TimeWindowStrategy({ windowMs: 1000, buckets: 10 });
   * strategy.recordSuccess(410);
   * strategy.recordFailure(450);
   * assert.deepEqual(strategy.snapshot(450), { kind: "time", buckets: [[0, 2, 1]] });
   * ```
   */
  snapshot(now: number): BreakerStrategySnapshot {
    const n = this.buckets;
    const slot = this.#roll(now);
    const buckets: [number, number, number][] = [];
    for (let ago = 0; ago < n; ago++) {
      const i = (slot - ago + n) % n;
      const calls = this.#calls[i]!;
      if (calls > 0) buckets.push([ago, calls, this.#failed[i]!]);
    }
    return { kind: "time", buckets };
  }

  /**
   * Replaces the window with a snapshot.
   *
   * @param snapshot A snapshot of the same kind of strategy.
   * @param now The current time.
   * @throws {TypeError} If the snapshot is of another kind or malformed.
   * @throws {RangeError} If a count in it is out of range.
   *
   * @example Restoring on another clock
   * ```ts
   * import { TimeWindowStrategy } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const before = new TimeWindowStrategy({ windowMs: 1000 });
   * before.recordFailure(450);
   * const saved = JSON.parse(JSON.stringify(before.snapshot(450)));
   * const after = new TimeWindowStrategy({ windowMs: 1000 });
   * after.restore(saved, 10_450); // relative times: the failure is still recent
   * assert.deepEqual(after.window(10_450), { calls: 1, failures: 1 });
   * ```
   */
  restore(snapshot: BreakerStrategySnapshot, now: number): void {
    const s = snapshotOf(snapshot, "time");
    const buckets = s.buckets;
    if (!Array.isArray(buckets)) {
      typeError(RESTORE, "snapshot.buckets", "an array", buckets);
    }
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i];
      if (!Array.isArray(b) || b.length !== 3) {
        typeError(
          RESTORE,
          `snapshot.buckets[${i}]`,
          "a [bucketsAgo, calls, failures] triple",
          b,
        );
      }
      assertCount(`snapshot.buckets[${i}][0]`, b[0]);
      const calls = assertCount(`snapshot.buckets[${i}][1]`, b[1]);
      if (assertCount(`snapshot.buckets[${i}][2]`, b[2]) > calls) {
        rangeError(
          RESTORE,
          `snapshot.buckets[${i}][2]`,
          `an integer <= calls (${calls})`,
          b[2],
        );
      }
    }
    this.reset();
    const n = this.buckets;
    const slot = this.#roll(now);
    for (
      const [ago, calls, failures] of buckets as [number, number, number][]
    ) {
      if (ago >= n) continue; // fell out of a shorter window
      const i = (slot - ago + n) % n;
      this.#calls[i] = calls;
      this.#failed[i] = failures;
      this.#totalCalls += calls;
      this.#totalFailures += failures;
    }
  }
}
