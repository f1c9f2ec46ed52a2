/**
 * `RetryBudget`: a token bucket of retries shared by many calls, so that a
 * failing dependency sees a bounded amount of extra load instead of a retry
 * storm (each caller multiplying its traffic by `maxAttempts`).
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { InvalidStateError } from "../core/errors.ts";
import {
  assertClock,
  assertDuration,
  assertInteger,
  assertOptions,
  assertPositiveDuration,
  assertSignal,
  orDefault,
  typeError,
} from "../core/_validate.ts";
import { onAbort } from "../cancel/signals.ts";
import type { Rate } from "./rate_limiter.ts";
import type {
  BudgetReply,
  RetryBudgetStore,
  SharedStateOptions,
} from "./stores/store_contracts.ts";
import { replyField, type StoreLink, storeLink } from "./stores/_store_link.ts";

// Deposits of fractions (10 x 0.1) must add up to a whole retry.
const EPSILON = 1e-9;
const DEFAULT_REFILL: Rate = Object.freeze({ limit: 1, intervalMs: 1000 });

/**
 * Options of the {@linkcode RetryBudget} constructor, with the shared-state
 * options (`store`, `key`, `storeFailure`, `storeTimeoutMs`,
 * `onStoreError`).
 */
export interface RetryBudgetOptions
  extends SharedStateOptions<RetryBudgetStore> {
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
   * The clock that measures the refill (the store's own clock does for a
   * shared budget), and of the store's time limit.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/** Options of {@linkcode RetryBudget.withdraw}. */
export interface RetryBudgetWithdrawOptions {
  /**
   * Stops waiting for the store: rejects with `signal.reason`.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
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
 * With a `store` (and a `key`), the bucket is shared by every budget with the
 * same key, across processes, so the ratio of retries to calls holds for the
 * whole fleet: each retry takes its token with one store call
 * ({@linkcode RetryBudget.withdraw}, which retries use), carrying the calls
 * deposited since the last one. Deposits are sent on their own once they add
 * up to a whole retry, so a process holds back less than one retry's worth
 * of deposits (the fleet's budget errs low, never high). `tryWithdraw` is
 * then unavailable, and `available` is the count the store last answered.
 * When the store fails, `storeFailure` decides: `"allow"` the retry, `"deny"`
 * it, or decide on this process's own `"local"` bucket (which deposits also
 * feed).
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
  // With a store: the budget there, the calls not sent yet, and the last
  // count it answered.
  readonly #link: StoreLink<RetryBudgetStore> | undefined;
  readonly #refill: Rate;
  readonly #flushAt: number;
  #unsent = 0;
  #flushing = false;
  #shared: number;

  /**
   * Creates a full budget.
   *
   * @param options `maxRetries`, `refill`, `ratio`, `clock`, and the store
   *   with its key and failure handling.
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
    this.#link = storeLink(action, options, "updateBudget", clock);
    this.#refill = { limit: refill.limit, intervalMs: refill.intervalMs };
    this.#flushAt = ratio === 0 ? Infinity : Math.ceil(1 / ratio - EPSILON);
    this.#shared = maxRetries;
    this.#maxRetries = maxRetries;
    this.#refillPerMs = refill.limit / refill.intervalMs;
    this.#ratio = ratio;
    this.#clock = clock;
    this.#tokens = maxRetries;
    this.#updatedAt = clock.now();
  }

  /**
   * The retries available now (may be fractional; a retry needs 1); with a
   * store, as it last answered.
   */
  get available(): number {
    if (this.#link !== undefined) return this.#shared;
    this.#refillNow();
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
    if (this.#link !== undefined && ++this.#unsent >= this.#flushAt) {
      this.#flush();
    }
    this.#refillNow();
    const tokens = this.#tokens + this.#ratio;
    this.#tokens = tokens < this.#maxRetries ? tokens : this.#maxRetries;
  }

  /**
   * Takes one retry if one is available. Retries call it for you before
   * each wait.
   *
   * @returns Whether a retry was granted.
   * @throws {InvalidStateError} If the budget is in a store (use
   *   {@linkcode RetryBudget.withdraw}).
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
    if (this.#link !== undefined) {
      throw new InvalidStateError(
        "Cannot withdraw synchronously as the budget is in a store: use withdraw()",
      );
    }
    return this.#withdrawLocal();
  }

  /**
   * Takes one retry if one is available: from the store (one call), or at
   * once without one. Retries call it for you before each wait.
   *
   * @param options The signal.
   * @returns A promise of whether a retry was granted; it rejects only with
   *   `signal.reason` (a store failure applies `storeFailure`).
   * @throws {TypeError} Rejects with it if `options` is invalid.
   *
   * @example Sharing a budget between two processes (one store here)
   * ```ts
   * import { MemoryStore, RetryBudget } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const store = new MemoryStore();
   * const options = { maxRetries: 1, ratio: 0, refill: { limit: 0, intervalMs: 1000 }, store, key: "api" };
   * const a = new RetryBudget(options);
   * const b = new RetryBudget(options);
   * assert.equal(await a.withdraw(), true);
   * assert.equal(await b.withdraw(), false); // a took the fleet's one retry
   * ```
   */
  withdraw(options?: RetryBudgetWithdrawOptions): Promise<boolean> {
    let signal: AbortSignal | undefined;
    try {
      assertOptions("withdraw a retry", options);
      signal = options?.signal;
      assertSignal("withdraw a retry", signal);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#link === undefined) {
      return Promise.resolve(this.#withdrawLocal());
    }
    const reply = this.#send(true).then((granted) => {
      if (granted !== undefined) return granted;
      const failure = this.#link?.failure;
      return failure === "allow" ||
        (failure === "local" && this.#withdrawLocal());
    });
    if (signal === undefined) return reply;
    return new Promise<boolean>((resolve, reject) => {
      const registration = onAbort(signal, reject);
      reply.then((granted) => {
        registration[Symbol.dispose]();
        resolve(granted);
      });
    });
  }

  // Sends the unsent deposits, and a withdrawal if asked: whether a retry
  // was granted, or undefined when the store failed.
  #send(withdraw: boolean): Promise<boolean | undefined> {
    const link = this.#link as StoreLink<RetryBudgetStore>;
    const deposits = this.#unsent;
    this.#unsent = 0;
    const request = {
      maxRetries: this.#maxRetries,
      refill: this.#refill,
      ratio: this.#ratio,
      deposits,
      withdraw,
    };
    return link.call(
      (store, key) => store.updateBudget(key, request),
      checkReply,
    ).then((reply) => {
      if (reply === undefined) {
        this.#unsent += deposits;
        return undefined;
      }
      this.#shared = reply.available;
      return reply.granted;
    });
  }

  // Sends the deposits on their own, one send at a time.
  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    this.#send(false).then(() => {
      this.#flushing = false;
    });
  }

  #withdrawLocal(): boolean {
    this.#refillNow();
    const tokens = this.#tokens - 1;
    if (tokens < -EPSILON) return false;
    this.#tokens = tokens > 0 ? tokens : 0;
    return true;
  }

  #refillNow(): void {
    if (this.#refillPerMs === 0) return;
    const now = this.#clock.now();
    const elapsed = now - this.#updatedAt;
    if (!(elapsed > 0)) return;
    this.#updatedAt = now;
    const tokens = this.#tokens + elapsed * this.#refillPerMs;
    this.#tokens = tokens < this.#maxRetries ? tokens : this.#maxRetries;
  }
}

function checkReply(reply: unknown): BudgetReply {
  return {
    granted: replyField(
      reply,
      "granted",
      "a boolean",
      (v): v is boolean => typeof v === "boolean",
    ),
    available: replyField(
      reply,
      "available",
      "a finite number >= 0",
      (v): v is number => typeof v === "number" && v >= 0 && v !== Infinity,
    ),
  };
}
