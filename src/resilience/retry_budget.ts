/**
 * `RetryBudget`: a token bucket of retries shared by many calls, so that a
 * failing dependency sees a bounded amount of extra load instead of a retry
 * storm (each caller multiplying its traffic by `maxAttempts`).
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import {
  assertClock,
  assertDuration,
  assertInteger,
  assertOptions,
  assertPositiveDuration,
  orDefault,
  typeError,
} from "../core/_validate.ts";
import type { Rate } from "./rate_limiter.ts";

// Deposits of fractions (10 x 0.1) must add up to a whole retry.
const EPSILON = 1e-9;
const DEFAULT_REFILL: Rate = Object.freeze({ limit: 1, intervalMs: 1000 });

/** Options of the {@linkcode RetryBudget} constructor. */
export interface RetryBudgetOptions {
  /**
   * The bucket's capacity: the largest burst of retries, an integer >= 0. The
   * bucket starts full.
   *
   * @default {10}
   */
  maxRetries?: number;
  /**
   * Retries earned with time, whatever the traffic: `limit` (a finite number
   * >= 0; 0 turns the refill off) every `intervalMs`, continuously.
   *
   * @default {{ limit: 1, intervalMs: 1000 }}
   */
  refill?: Rate;
  /**
   * Retries earned per call (per first attempt): a finite number >= 0. With
   * 0.1, retries add at most about 10% to the load, as in Finagle's budget.
   *
   * @default {0.1}
   */
  ratio?: number;
  /**
   * The clock that measures the refill.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * A token bucket of retries, shared by every retry that is given it (as the
 * `budget` option of {@linkcode retry} and {@linkcode retryPolicy}). Each
 * call deposits `ratio` tokens, time adds `refill.limit` tokens every
 * `refill.intervalMs`, the bucket holds at most `maxRetries`, and each retry
 * takes one whole token. When none is left, retries give up with a
 * {@linkcode RetryError} whose `limit` is `"budget"`: the first attempts of
 * calls still run, only the extra load of retries is capped.
 *
 * It holds no timer: the refill is computed from the clock when tokens are
 * read.
 *
 * @example Two callers sharing a budget of three retries
 * ```ts
 * import { constant, retry, RetryBudget, RetryError, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const budget = new RetryBudget({ maxRetries: 3, refill: { limit: 0, intervalMs: 1000 }, ratio: 0, clock });
 * const options = { maxAttempts: 10, backoff: constant(10), budget, clock };
 * const down = () => Promise.reject(new Error("down"));
 * const results = await clock.runUntilSettled(Promise.allSettled([
 *   retry(down, options),
 *   retry(down, options),
 * ]));
 * const attempts = results.map((r) =>
 *   r.status === "rejected" && r.reason instanceof RetryError ? r.reason.attempts : 0
 * );
 * assert.equal(attempts[0]! + attempts[1]!, 2 + 3); // two first attempts, three retries
 * assert.equal(budget.available, 0);
 * ```
 */
export class RetryBudget {
  readonly #maxRetries: number;
  readonly #refillPerMs: number;
  readonly #ratio: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;

  /**
   * Creates a full budget.
   *
   * @param options `maxRetries`, `refill`, `ratio`, `clock`.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options?: RetryBudgetOptions) {
    const action = "create a RetryBudget";
    assertOptions(action, options);
    const maxRetries = orDefault(options?.maxRetries, 10);
    assertInteger(action, "maxRetries", maxRetries, 0);
    const refill = orDefault(options?.refill, DEFAULT_REFILL);
    if (refill === null || typeof refill !== "object") {
      typeError(action, "refill", "a rate { limit, intervalMs }", refill);
    }
    assertDuration(action, "refill.limit", refill.limit);
    assertPositiveDuration(action, "refill.intervalMs", refill.intervalMs);
    const ratio = orDefault(options?.ratio, 0.1);
    assertDuration(action, "ratio", ratio);
    const clock = orDefault(options?.clock, systemClock);
    assertClock(action, clock);
    this.#maxRetries = maxRetries;
    this.#refillPerMs = refill.limit / refill.intervalMs;
    this.#ratio = ratio;
    this.#clock = clock;
    this.#tokens = maxRetries;
    this.#updatedAt = clock.now();
  }

  /** The retries available now (may be fractional; a retry needs 1). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /**
   * Records a call (a first attempt): adds `ratio` tokens. Retries call it
   * for you.
   *
   * @example Earning retries from traffic
   * ```ts
   * import { RetryBudget, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const budget = new RetryBudget({ maxRetries: 1, refill: { limit: 0, intervalMs: 1000 }, ratio: 0.5, clock: new VirtualClock() });
   * assert.equal(budget.tryWithdraw(), true);
   * budget.deposit();
   * budget.deposit();
   * assert.equal(budget.tryWithdraw(), true);
   * ```
   */
  deposit(): void {
    if (this.#ratio === 0) return;
    this.#refill();
    const tokens = this.#tokens + this.#ratio;
    this.#tokens = tokens < this.#maxRetries ? tokens : this.#maxRetries;
  }

  /**
   * Takes one retry if one is available. Retries call it for you before
   * each wait.
   *
   * @returns Whether a retry was granted.
   *
   * @example An empty budget
   * ```ts
   * import { RetryBudget } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const budget = new RetryBudget({ maxRetries: 0 });
   * assert.equal(budget.tryWithdraw(), false);
   * ```
   */
  tryWithdraw(): boolean {
    this.#refill();
    const tokens = this.#tokens - 1;
    if (tokens < -EPSILON) return false;
    this.#tokens = tokens > 0 ? tokens : 0;
    return true;
  }

  #refill(): void {
    if (this.#refillPerMs === 0) return;
    const now = this.#clock.now();
    const elapsed = now - this.#updatedAt;
    if (!(elapsed > 0)) return;
    this.#updatedAt = now;
    const tokens = this.#tokens + elapsed * this.#refillPerMs;
    this.#tokens = tokens < this.#maxRetries ? tokens : this.#maxRetries;
  }
}
