/**
 * `RateLimiter`: a token bucket, usable directly (`acquire`, `tryAcquire`)
 * or as a {@linkcode Policy} that waits for a token or rejects.
 *
 * @module
 */

import { type Clock, systemClock } from "../core/clock.ts";
import { InvalidStateError, RateLimitedError } from "../core/errors.ts";
import { RingQueue } from "../core/_ring.ts";
import { type QueuedTimer, timerQueueFor } from "../core/_timer_queue.ts";
import {
  assertClock,
  assertInteger,
  assertOptions,
  assertPositiveDuration,
  assertSignal,
  orDefault,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { onAbort } from "../cancel/signals.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import { invoke, NEVER_ABORTED, policyCall } from "./_policy_call.ts";
import type {
  RateLimiterStore,
  SharedStateOptions,
} from "./stores/store_contracts.ts";
import { storeLink } from "./stores/_store_link.ts";
import { queuedTimer, SharedBucket } from "./stores/_shared_bucket.ts";

/**
 * A rate: `limit` per `intervalMs` milliseconds (the rate of a
 * {@linkcode RateLimiter}, the refill of a {@linkcode RetryBudget}).
 */
export interface Rate {
  /** How many per interval. */
  limit: number;
  /** The interval in milliseconds, a finite number > 0. */
  intervalMs: number;
}

/**
 * Options of the {@linkcode RateLimiter} constructor: the rate (`limit`
 * tokens per `intervalMs`, `limit` an integer >= 1), the shared-state
 * options (`store`, `key`, `storeFailure`, `storeTimeoutMs`, `onStoreError`)
 * and these.
 */
export interface RateLimiterOptions
  extends Rate, SharedStateOptions<RateLimiterStore> {
  /**
   * The bucket's capacity: the most tokens that can be taken at once after
   * a quiet period, an integer >= 1. The bucket starts full.
   *
   * @default {limit}
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
   * With a `store`: the tokens taken from the store per call when it has
   * them (an integer >= 1), kept in this process for later calls for up to
   * `leaseMs`. Fewer store calls, at the cost of exactness (see the class).
   *
   * @default {1}
   */
  lease?: number;
  /**
   * With a `lease`: how long leased tokens may be used, in milliseconds. The
   * default is the time the bucket takes to earn a lease, which bounds the
   * extra grants in any span to `lease`.
   *
   * @default {lease * intervalMs / limit}
   */
  leaseMs?: number;
  /**
   * The clock the bucket refills on (the store's own clock decides for a
   * shared bucket), and of the store's time limit.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/** Options of {@linkcode RateLimiter.acquire}. */
export interface RateLimiterAcquireOptions {
  /**
   * The number of tokens to take, an integer from 1 to `burst`.
   *
   * @default {1}
   */
  weight?: number;
  /**
   * Whether to wait for the tokens or reject with a
   * {@linkcode RateLimitedError} when they are short (the limiter's `mode`
   * applies to `execute` only).
   *
   * @default {"wait"}
   */
  mode?: "wait" | "reject";
  /**
   * Stops waiting: rejects with `signal.reason` and leaves the line.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
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
 * A token bucket. It holds up to `burst` tokens and gains `limit` every
 * `intervalMs`, continuously (a token every `intervalMs / limit`). So in any
 * span of `t` milliseconds it grants at most `burst + t * limit /
 * intervalMs` tokens.
 *
 * With a `store` (and a `key`), the bucket lives in the store and every
 * limiter with the same key shares it, across processes: each decision is
 * one atomic store call, on the store's clock (GCRA), so the bound above
 * holds for the whole fleet. `tryAcquire` is then unavailable (a store
 * cannot answer synchronously): use `acquire({ mode: "reject" })`. With
 * `lease: n`, a store call takes up to `n` tokens and this process spends
 * them for up to `leaseMs` without asking again: any span then sees at most
 * `min(instances * (lease - 1), ceil(leaseMs * limit / intervalMs))` grants
 * more than the bound above (`lease` with the default `leaseMs`), and tokens
 * left unused when a lease expires are lost. When the store fails or answers
 * later than `storeTimeoutMs`, `storeFailure` decides: `"allow"`, `"deny"`
 * (a {@linkcode RateLimitedError} with the store's error as `cause`), or
 * `"local"` (this process's own bucket, with the same rate). The store is
 * tried again by the next call, one call at a time while it is failing.
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
 * const limiter = new RateLimiter({ limit: 3, intervalMs: 1000, clock });
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
  /** Tokens added per interval. */
  readonly limit: number;
  /** The interval in milliseconds. */
  readonly intervalMs: number;
  /** The bucket's capacity. */
  readonly burst: number;
  /** What `execute` does when short of a token. */
  readonly mode: "wait" | "reject";
  readonly #clock: Clock;
  readonly #capacity: number;
  // The bucket in a store, when there is one.
  readonly #shared: SharedBucket | undefined;
  // The bucket: tokens are counted in credits (tokens x intervalMs), so that
  // refilling by whole milliseconds is exact integer arithmetic; `#last` is
  // when it was last refilled.
  #credits: number;
  #last: number;
  // The line of callers waiting for tokens (this process only).
  readonly #waiters = new RingQueue<Waiter>();
  #queuedWeight = 0;
  #timer: QueuedTimer | undefined;
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#serve();
  };

  /**
   * Creates a rate limiter with a full bucket.
   *
   * @param options The rate, the burst, the mode, the clock, and the store
   *   with its key, lease and failure handling.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options: RateLimiterOptions) {
    assertOptions(CREATE, options);
    if (options === undefined) {
      typeError(CREATE, "options", "an options object", options);
    }
    const { limit, intervalMs } = options;
    assertInteger(CREATE, "limit", limit);
    assertPositiveDuration(CREATE, "intervalMs", intervalMs);
    const burst = orDefault(options.burst, limit);
    assertInteger(CREATE, "burst", burst);
    const mode = orDefault(options.mode, "wait");
    if (mode !== "wait" && mode !== "reject") {
      typeError(CREATE, "mode", `"wait" or "reject"`, mode);
    }
    const clock = orDefault(options.clock, systemClock);
    assertClock(CREATE, clock);
    const link = storeLink(
      CREATE,
      options,
      "takeTokens",
      clock,
      queuedTimer,
    );
    const lease = orDefault(options.lease, 1);
    assertInteger(CREATE, "lease", lease);
    const leaseMs = orDefault(options.leaseMs, lease * intervalMs / limit);
    assertPositiveDuration(CREATE, "leaseMs", leaseMs);
    this.limit = limit;
    this.intervalMs = intervalMs;
    this.burst = burst;
    this.mode = mode;
    this.#clock = clock;
    this.#capacity = burst * intervalMs;
    this.#credits = this.#capacity;
    this.#last = clock.now();
    this.#shared = link === undefined ? undefined : new SharedBucket(
      link,
      { limit, intervalMs, burst },
      lease,
      leaseMs,
      clock,
      (weight, signal, reject) => this.#acquireLocal(weight, signal, reject),
    );
  }

  /**
   * The whole tokens in the bucket now; with a store, the leased tokens this
   * process may still spend without asking it.
   */
  get available(): number {
    if (this.#shared !== undefined) return this.#shared.leased;
    this.#refill();
    return Math.floor(this.#credits / this.intervalMs);
  }

  /** The number of callers waiting for tokens (in this process). */
  get queued(): number {
    const shared = this.#shared === undefined ? 0 : this.#shared.queued;
    return this.#waiters.length + shared;
  }

  /**
   * Takes `weight` tokens if the bucket holds them and nobody waits.
   *
   * @param weight The number of tokens, an integer from 1 to `burst`.
   * @returns Whether the tokens were taken.
   * @throws {TypeError} If `weight` is not a number.
   * @throws {RangeError} If `weight` is out of range.
   * @throws {InvalidStateError} If the bucket is in a store.
   *
   * @example Taking tokens without waiting
   * ```ts
   * import { RateLimiter, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const limiter = new RateLimiter({ limit: 2, intervalMs: 100, clock });
   * assert.equal(limiter.tryAcquire(2), true);
   * assert.equal(limiter.tryAcquire(), false);
   * clock.tick(50);
   * assert.equal(limiter.tryAcquire(), true);
   * ```
   */
  tryAcquire(weight = 1): boolean {
    this.#checkWeight("try to acquire tokens", weight);
    if (this.#shared !== undefined) {
      throw new InvalidStateError(
        `Cannot try to acquire tokens synchronously as the bucket is in a store: use acquire({ mode: "reject" })`,
      );
    }
    return this.#take(weight);
  }

  /**
   * Waits in line until the bucket holds `weight` tokens, then takes them;
   * with `mode: "reject"`, takes them now or rejects.
   *
   * @param options The weight, the mode and the signal.
   * @returns A promise that resolves once the tokens are taken.
   * @throws {RateLimitedError} Rejects with it with `mode: "reject"` when
   *   the tokens are short.
   * @throws {TypeError} Rejects with it if an option has the wrong type.
   * @throws {RangeError} Rejects with it if `weight` is out of range.
   *
   * @example A heavy request waits for its tokens
   * ```ts
   * import { RateLimiter, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const limiter = new RateLimiter({ limit: 1, intervalMs: 10, burst: 5, clock });
   * await limiter.acquire({ weight: 5 });
   * await clock.runUntilSettled(limiter.acquire({ weight: 3 }));
   * assert.equal(clock.now(), 30);
   * ```
   */
  acquire(options?: RateLimiterAcquireOptions): Promise<void> {
    let weight = 1;
    let signal: AbortSignal | undefined;
    let mode: unknown;
    try {
      assertOptions(ACQUIRE, options);
      weight = orDefault(options?.weight, 1);
      this.#checkWeight(ACQUIRE, weight);
      mode = orDefault(options?.mode, "wait");
      if (mode !== "wait" && mode !== "reject") {
        typeError(ACQUIRE, "mode", `"wait" or "reject"`, mode);
      }
      signal = options?.signal;
      assertSignal(ACQUIRE, signal);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const reject = mode === "reject";
    if (this.#shared !== undefined) {
      return this.#shared.acquire(weight, signal, reject);
    }
    return this.#acquireLocal(weight, signal, reject);
  }

  /**
   * Runs `fn` once a token is taken: waiting for it in `"wait"` mode,
   * rejecting with a {@linkcode RateLimitedError} in `"reject"` mode.
   *
   * @typeParam T The value `fn` produces.
   * @param fn The work; receives the caller's signal and attempt.
   * @param options The caller's signal.
   * @returns What `fn` produced.
   * @throws {RateLimitedError} Rejects with it in `"reject"` mode, when no
   *   token is available.
   * @throws {TypeError} Rejects with it when `fn` or `options` is invalid.
   *
   * @example The second call waits for a token
   * ```ts
   * import { RateLimiter, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const limiter = new RateLimiter({ limit: 1, intervalMs: 100, clock });
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
    if (this.#shared !== undefined) return this.#executeShared(fn, context);
    if (this.#take(1)) return invoke(fn, context);
    if (this.mode === "reject") {
      return Promise.reject(new RateLimitedError(this.#retryAfter(1)));
    }
    const signal = context.signal;
    return this.#wait(1, signal === NEVER_ABORTED ? undefined : signal)
      .then(() => fn(context));
  }

  #executeShared<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    context: PolicyContext,
  ): Promise<T> {
    const signal = context.signal;
    return (this.#shared as SharedBucket).acquire(
      1,
      signal === NEVER_ABORTED ? undefined : signal,
      this.mode === "reject",
    ).then(() => fn(context));
  }

  #acquireLocal(
    weight: number,
    signal: AbortSignal | undefined,
    reject: boolean,
  ): Promise<void> {
    if (this.#take(weight)) return RESOLVED;
    if (reject) {
      return Promise.reject(new RateLimitedError(this.#retryAfter(weight)));
    }
    return this.#wait(weight, signal);
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
      const credits = this.#credits + elapsed * this.limit;
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
    return credits <= 0 ? 0 : Math.ceil(credits / this.limit);
  }

  #retryAfter(weight: number): number {
    this.#refill();
    const need = (this.#queuedWeight + weight) * this.intervalMs;
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
      this.#queuedWeight += weight;
      if (signal !== undefined) {
        waiter.registration = onAbort(signal, (reason) => {
          const first = this.#waiters.peek() === waiter;
          this.#waiters.remove(waiter);
          this.#queuedWeight -= weight;
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
      this.#queuedWeight -= first.weight;
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
