/**
 * `RateLimiter`: a token bucket, usable directly (`acquire`, `tryAcquire`)
 * or as a {@linkcode Policy} that waits for a token or rejects.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { RateLimitedError } from "../core/errors.ts";
import { RingQueue } from "../core/_ring.ts";
import { type QueuedTimer, timerQueueFor } from "../core/_timer_queue.ts";
import {
  assertInteger,
  assertOptions,
  assertPositiveDuration,
  assertSignal,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { onAbort } from "../cancel/signals.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import { clockOption, invoke, policyCall } from "./_policy_call.ts";

/**
 * Options of the {@linkcode RateLimiter} constructor.
 *
 * @example Rejecting instead of waiting
 * ```ts
 * import {
 *   RateLimitedError,
 *   RateLimiter,
 *   type RateLimiterOptions,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const options: RateLimiterOptions = {
 *   tokensPerInterval: 1,
 *   intervalMs: 1000,
 *   mode: "reject",
 *   clock,
 * };
 * const limiter = new RateLimiter(options);
 * assert.equal(await limiter.execute(() => "first"), "first");
 * await assert.rejects(limiter.execute(() => "second"), RateLimitedError);
 * clock.tick(1000);
 * assert.equal(await limiter.execute(() => "third"), "third");
 * ```
 */
export interface RateLimiterOptions {
  /** Tokens added per interval, an integer >= 1. */
  tokensPerInterval: number;
  /** The interval in milliseconds, a finite number > 0. */
  intervalMs: number;
  /**
   * The bucket's capacity: the most tokens that can be taken at once after
   * a quiet period. The bucket starts full.
   *
   * @default {tokensPerInterval}
   */
  burst?: number;
  /**
   * What `execute` does when the bucket is short of a token: `"wait"` for
   * it, or `"reject"` with a {@linkcode RateLimitedError}.
   *
   * @default {"wait"}
   */
  mode?: "wait" | "reject";
  /**
   * The clock the bucket refills on.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * Options of {@linkcode RateLimiter.acquire}.
 *
 * @example A weighted request, and a waiter that gives up
 * ```ts
 * import {
 *   RateLimiter,
 *   type RateLimiterAcquireOptions,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const limiter = new RateLimiter({ tokensPerInterval: 2, intervalMs: 100, clock });
 * const options: RateLimiterAcquireOptions = { weight: 2 };
 * await limiter.acquire(options); // empties the bucket
 * const controller = new AbortController();
 * const waiting = limiter.acquire({ signal: controller.signal });
 * controller.abort(new Error("gave up"));
 * await assert.rejects(waiting, { message: "gave up" });
 * assert.equal(limiter.waiting, 0);
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export interface RateLimiterAcquireOptions {
  /**
   * The number of tokens to take, an integer from 1 to `burst`.
   *
   * @default {1}
   */
  weight?: number;
  /** Stops waiting: rejects with `signal.reason` and leaves the line. */
  signal?: AbortSignal;
}

interface Waiter {
  weight: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  registration: Disposable | undefined;
}

const CREATE = "create the rate limiter";
const ACQUIRE = "acquire tokens";
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A token bucket. It holds up to `burst` tokens and gains
 * `tokensPerInterval` every `intervalMs`, continuously (a token every
 * `intervalMs / tokensPerInterval`). So in any span of `t` milliseconds it
 * grants at most `burst + t * tokensPerInterval / intervalMs` tokens.
 *
 * Callers wait in line, first come first served: `acquire` waits behind
 * earlier waiters even when a lighter request would fit, and `tryAcquire`
 * fails while anyone waits. The limiter holds one timer, on its clock's
 * shared timer queue, and only while someone waits: for the moment the first
 * in line can be served. Waits are rounded up to whole milliseconds.
 *
 * @example Three calls per second
 * ```ts
 * import { RateLimiter, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const limiter = new RateLimiter({ tokensPerInterval: 3, intervalMs: 1000, clock });
 * const at: number[] = [];
 * const calls = [];
 * for (let i = 0; i < 5; i++) {
 *   calls.push(limiter.execute(() => at.push(clock.now())));
 * }
 * await clock.runUntilSettled(Promise.all(calls));
 * assert.deepEqual(at, [0, 0, 0, 334, 667]);
 * ```
 */
export class RateLimiter implements Policy {
  /**
   * Tokens added per interval.
   *
   * @example Reading the rate
   * ```ts
   * import { RateLimiter } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const limiter = new RateLimiter({ tokensPerInterval: 5, intervalMs: 1000 });
   * assert.equal(limiter.tokensPerInterval, 5);
   * ```
   */
  readonly tokensPerInterval: number;
  /**
   * The interval in milliseconds.
   *
   * @example Reading the interval
   * ```ts
   * import { RateLimiter } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const limiter = new RateLimiter({ tokensPerInterval: 5, intervalMs: 1000 });
   * assert.equal(limiter.intervalMs, 1000);
   * ```
   */
  readonly intervalMs: number;
  /**
   * The bucket's capacity.
   *
   * @example The burst defaults to the rate
   * ```ts
   * import { RateLimiter } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const plain = new RateLimiter({ tokensPerInterval: 5, intervalMs: 1000 });
   * assert.equal(plain.burst, 5);
   * const bursty = new RateLimiter({ tokensPerInterval: 5, intervalMs: 1000, burst: 20 });
   * assert.equal(bursty.burst, 20);
   * assert.equal(bursty.available, 20); // the bucket starts full
   * ```
   */
  readonly burst: number;
  /**
   * What `execute` does when short of a token.
   *
   * @example Waiting is the default
   * ```ts
   * import { RateLimiter } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const limiter = new RateLimiter({ tokensPerInterval: 1, intervalMs: 100 });
   * assert.equal(limiter.mode, "wait");
   * const strict = new RateLimiter({ tokensPerInterval: 1, intervalMs: 100, mode: "reject" });
   * assert.equal(strict.mode, "reject");
   * ```
   */
  readonly mode: "wait" | "reject";
  readonly #clock: Clock;
  // Tokens are counted in credits (tokens x intervalMs), so that refilling
  // by whole milliseconds is exact integer arithmetic.
  readonly #capacity: number;
  #credits: number;
  #last: number;
  readonly #waiters = new RingQueue<Waiter>();
  #waitingWeight = 0;
  #timer: QueuedTimer | undefined;
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#serve();
  };

  /**
   * Creates a rate limiter with a full bucket.
   *
   * @param options The rate, the burst, the mode and the clock.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options: RateLimiterOptions) {
    assertOptions(CREATE, options);
    if (options === undefined) {
      typeError(CREATE, "options", "an options object", options);
    }
    const { tokensPerInterval, intervalMs } = options;
    assertInteger(CREATE, "tokensPerInterval", tokensPerInterval);
    assertPositiveDuration(CREATE, "intervalMs", intervalMs);
    const burst = options.burst ?? tokensPerInterval;
    assertInteger(CREATE, "burst", burst);
    const mode = options.mode ?? "wait";
    if (mode !== "wait" && mode !== "reject") {
      typeError(CREATE, "mode", `"wait" or "reject"`, mode);
    }
    const clock = clockOption(CREATE, options.clock);
    this.tokensPerInterval = tokensPerInterval;
    this.intervalMs = intervalMs;
    this.burst = burst;
    this.mode = mode;
    this.#clock = clock;
    this.#capacity = burst * intervalMs;
    this.#credits = this.#capacity;
    this.#last = clock.now();
  }

  /**
   * The whole tokens in the bucket now.
   *
   * @example The bucket refills continuously
   * ```ts
   * import { RateLimiter, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const limiter = new RateLimiter({ tokensPerInterval: 10, intervalMs: 1000, clock });
   * assert.equal(limiter.available, 10);
   * assert.equal(limiter.tryAcquire(4), true);
   * assert.equal(limiter.available, 6);
   * clock.tick(200);
   * assert.equal(limiter.available, 8);
   * ```
   */
  get available(): number {
    this.#refill();
    return Math.floor(this.#credits / this.intervalMs);
  }

  /**
   * The number of callers waiting for tokens.
   *
   * @example One caller waits for the next token
   * ```ts
   * import { RateLimiter, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const limiter = new RateLimiter({ tokensPerInterval: 1, intervalMs: 100, clock });
   * await limiter.acquire();
   * const next = limiter.acquire();
   * assert.equal(limiter.waiting, 1);
   * await clock.runUntilSettled(next);
   * assert.equal(limiter.waiting, 0);
   * assert.equal(clock.now(), 100);
   * ```
   */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Takes `weight` tokens if the bucket holds them and nobody waits.
   *
   * @param weight The number of tokens, an integer from 1 to `burst`.
   * @returns Whether the tokens were taken.
   * @throws {RangeError} If `weight` is out of range.
   *
   * @example Taking tokens without waiting
   * ```ts
   * import { RateLimiter, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const limiter = new RateLimiter({ tokensPerInterval: 2, intervalMs: 100, clock });
   * assert.equal(limiter.tryAcquire(2), true);
   * assert.equal(limiter.tryAcquire(), false);
   * clock.tick(50);
   * assert.equal(limiter.tryAcquire(), true);
   * ```
   */
  tryAcquire(weight = 1): boolean {
    this.#checkWeight("try to acquire tokens", weight);
    return this.#take(weight);
  }

  /**
   * Waits in line until the bucket holds `weight` tokens, then takes them.
   *
   * @param options The weight and the signal.
   * @returns A promise that resolves once the tokens are taken.
   * @throws {TypeError} (as a rejection) If an option has the wrong type.
   * @throws {RangeError} (as a rejection) If `weight` is out of range.
   *
   * @example A heavy request waits for its tokens
   * ```ts
   * import { RateLimiter, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const limiter = new RateLimiter({ tokensPerInterval: 1, intervalMs: 10, burst: 5, clock });
   * await limiter.acquire({ weight: 5 });
   * await clock.runUntilSettled(limiter.acquire({ weight: 3 }));
   * assert.equal(clock.now(), 30);
   * ```
   */
  acquire(options?: RateLimiterAcquireOptions): Promise<void> {
    let weight = 1;
    let signal: AbortSignal | undefined;
    try {
      assertOptions(ACQUIRE, options);
      weight = options?.weight ?? 1;
      this.#checkWeight(ACQUIRE, weight);
      signal = options?.signal;
      assertSignal(ACQUIRE, signal);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#take(weight)) return RESOLVED;
    return this.#wait(weight, signal);
  }

  /**
   * Runs `fn` once a token is taken: waiting for it in `"wait"` mode,
   * rejecting with a {@linkcode RateLimitedError} in `"reject"` mode.
   *
   * @typeParam T The value `fn` produces.
   * @param fn The work; receives the caller's signal and attempt.
   * @param options The caller's signal.
   * @returns What `fn` produced.
   * @throws {RateLimitedError} (as a rejection) In `"reject"` mode, when no
   *   token is available.
   * @throws {TypeError} (as a rejection) When `fn` or `options` is invalid.
   *
   * @example The second call waits for a token
   * ```ts
   * import { RateLimiter, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const limiter = new RateLimiter({ tokensPerInterval: 1, intervalMs: 100, clock });
   * const first = await limiter.execute(() => clock.now());
   * const second = await clock.runUntilSettled(limiter.execute(() => clock.now()));
   * assert.deepEqual([first, second], [0, 100]);
   * ```
   */
  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T> {
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context as Promise<never>;
    if (this.#take(1)) return invoke(fn, context);
    if (this.mode === "reject") {
      return Promise.reject(new RateLimitedError(this.#retryAfter(1)));
    }
    const signal = context.signal;
    return this.#wait(1, signal.aborted ? undefined : signal).then(() =>
      fn(context)
    );
  }

  #checkWeight(action: string, weight: unknown): asserts weight is number {
    assertInteger(action, "weight", weight);
    if (weight > this.burst) {
      rangeError(
        action,
        "weight",
        `an integer <= burst (${this.burst})`,
        weight,
      );
    }
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      const credits = this.#credits + elapsed * this.tokensPerInterval;
      this.#credits = credits < this.#capacity ? credits : this.#capacity;
      this.#last = now;
    }
  }

  #take(weight: number): boolean {
    if (this.#waiters.length > 0) return false;
    this.#refill();
    const need = weight * this.intervalMs;
    if (this.#credits < need) return false;
    this.#credits -= need;
    return true;
  }

  // Milliseconds until the bucket holds `credits` more than it does now.
  #waitFor(credits: number): number {
    return credits <= 0 ? 0 : Math.ceil(credits / this.tokensPerInterval);
  }

  #retryAfter(weight: number): number {
    this.#refill();
    const need = (this.#waitingWeight + weight) * this.intervalMs;
    return this.#waitFor(need - this.#credits);
  }

  #wait(weight: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        weight,
        resolve,
        reject,
        registration: undefined,
      };
      this.#waiters.push(waiter);
      this.#waitingWeight += weight;
      if (signal !== undefined) {
        waiter.registration = onAbort(signal, (reason) => {
          const first = this.#waiters.peek() === waiter;
          this.#waiters.remove(waiter);
          this.#waitingWeight -= weight;
          reject(reason);
          if (first) this.#serve();
        });
      }
      if (this.#waiters.length === 1) this.#serve();
    });
  }

  // Grants tokens to waiters in order, then arms the timer for the first
  // one still short, or disarms it when nobody waits.
  #serve(): void {
    this.#refill();
    const waiters = this.#waiters;
    let first = waiters.peek();
    while (first !== undefined) {
      const need = first.weight * this.intervalMs;
      if (this.#credits < need) break;
      this.#credits -= need;
      this.#waitingWeight -= first.weight;
      waiters.shift();
      first.registration?.[Symbol.dispose]();
      first.resolve();
      first = waiters.peek();
    }
    const queue = timerQueueFor(this.#clock);
    if (this.#timer !== undefined) {
      queue.cancel(this.#timer);
      this.#timer = undefined;
    }
    if (first !== undefined) {
      const ms = this.#waitFor(first.weight * this.intervalMs - this.#credits);
      this.#timer = queue.schedule(this.#onTimer, ms);
    }
  }
}
