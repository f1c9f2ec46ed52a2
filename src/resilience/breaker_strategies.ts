/**
 * The strategies that decide when a {@linkcode CircuitBreaker} opens:
 * consecutive failures, and a failure ratio over a window of the last N calls
 * or of the last T milliseconds. Strategies are values: they take the time as
 * an argument and never read a clock, so they can be tested without one, and
 * a time window rolls lazily when it is touched (no interval timer).
 *
 * A strategy object holds the window of one breaker: create one per breaker.
 *
 * @module
 */

import {
  assertInteger,
  assertNumber,
  assertOptions,
  assertPositiveDuration,
  rangeError,
  typeError,
} from "../core/_validate.ts";

/** The calls a strategy currently counts. */
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

const CREATE = "create the breaker strategy";
const RESTORE = "restore the breaker strategy";

function assertRatio(option: string, value: unknown): asserts value is number {
  assertNumber(CREATE, option, value);
  if (!(value > 0 && value <= 1)) {
    rangeError(CREATE, option, "a number > 0 and <= 1", value);
  }
}

function snapshotOf(
  snapshot: unknown,
  kind: BreakerStrategySnapshot["kind"],
): Record<string, unknown> {
  if (
    snapshot === null || typeof snapshot !== "object" ||
    (snapshot as { kind?: unknown }).kind !== kind
  ) {
    typeError(RESTORE, "snapshot", `a snapshot of kind "${kind}"`, snapshot);
  }
  return snapshot as Record<string, unknown>;
}

function assertCount(option: string, value: unknown): number {
  assertInteger(RESTORE, option, value, 0);
  return value;
}

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
    const threshold = options?.threshold ?? 5;
    assertInteger(CREATE, "threshold", threshold);
    this.threshold = threshold;
  }

  /**
   * Records a successful call.
   *
   * @param now The time of the outcome.
   */
  recordSuccess(_now: number): void {
    this.#failures = 0;
  }

  /**
   * Records a failed call.
   *
   * @param now The time of the outcome.
   * @returns Whether the circuit should open.
   */
  recordFailure(_now: number): boolean {
    return ++this.#failures >= this.threshold;
  }

  /** Forgets every outcome. */
  reset(): void {
    this.#failures = 0;
  }

  /**
   * Reports the calls in the window.
   *
   * @param now The current time.
   * @returns The counts.
   */
  window(_now: number): BreakerWindow {
    return { calls: this.#failures, failures: this.#failures };
  }

  /**
   * Captures the window for persistence.
   *
   * @param now The current time.
   * @returns A JSON-serialisable snapshot.
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
   */
  restore(snapshot: BreakerStrategySnapshot, _now: number): void {
    const s = snapshotOf(snapshot, "consecutive");
    this.#failures = assertCount("snapshot.failures", s.failures);
  }
}

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
    const failureRatio = options?.failureRatio ?? 0.5;
    assertRatio("failureRatio", failureRatio);
    const windowSize = options?.windowSize ?? 100;
    assertInteger(CREATE, "windowSize", windowSize);
    const minimumThroughput = options?.minimumThroughput ?? windowSize;
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
   */
  recordSuccess(_now: number): void {
    this.#push(0);
  }

  /**
   * Records a failed call.
   *
   * @param now The time of the outcome.
   * @returns Whether the circuit should open.
   */
  recordFailure(_now: number): boolean {
    this.#push(1);
    return this.#calls >= this.minimumThroughput &&
      this.#failures >= this.failureRatio * this.#calls;
  }

  /** Forgets every outcome. */
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
   */
  window(_now: number): BreakerWindow {
    return { calls: this.#calls, failures: this.#failures };
  }

  /**
   * Captures the window for persistence.
   *
   * @param now The current time.
   * @returns A JSON-serialisable snapshot.
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
    const failureRatio = options?.failureRatio ?? 0.5;
    assertRatio("failureRatio", failureRatio);
    const windowMs = options?.windowMs ?? 30_000;
    assertPositiveDuration(CREATE, "windowMs", windowMs);
    const buckets = options?.buckets ?? 10;
    assertInteger(CREATE, "buckets", buckets);
    const minimumThroughput = options?.minimumThroughput ?? 20;
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

  /** Forgets every outcome. */
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
