/**
 * `hedgePolicy`: a {@linkcode Policy} that starts another attempt when the
 * previous one is slow, and takes whichever succeeds first.
 *
 * @module
 */

import { type Clock, systemClock } from "../core/clock.ts";
import { abortError } from "../core/_reasons.ts";
import {
  type QueuedTimer,
  type TimerQueue,
  timerQueueFor,
} from "../core/_timer_queue.ts";
import {
  assertClock,
  assertDuration,
  assertInteger,
  assertOptions,
  orDefault,
  typeError,
} from "../core/_validate.ts";
import { onAbort } from "../cancel/signals.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import { NEVER_ABORTED, policyCall } from "./_policy_call.ts";

/** Options of {@linkcode hedgePolicy}. */
export interface HedgeOptions {
  /**
   * How long an attempt may run before the next one starts, in
   * milliseconds (a finite number >= 0). Something near the dependency's
   * 95th-percentile latency is typical.
   */
  delayMs: number;
  /**
   * The most extra attempts, an integer >= 1: at most `1 + maxHedges`
   * attempts run.
   *
   * @default {1}
   */
  maxHedges?: number;
  /**
   * The clock that measures `delayMs`.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

const CREATE = "create the hedge policy";

/**
 * Returns a hedging {@linkcode Policy}. Each call starts one attempt; when it
 * has not succeeded after `delayMs`, a second one starts alongside it, and so
 * on up to `maxHedges` extra attempts. An attempt that fails starts the next
 * one at once instead of waiting out the delay.
 *
 * The first attempt to succeed wins: the policy resolves with its value and
 * aborts the signals of the other attempts still running (with a
 * `DOMException` named `"AbortError"`), whose outcomes are then ignored. When
 * every attempt fails, it rejects with the error of the attempt that failed
 * last (not an `AggregateError`, so error classification keeps working).
 * Aborting the caller's signal aborts every attempt with its reason and
 * rejects with it.
 *
 * Each attempt gets a signal of its own, which follows the caller's, and the
 * caller's attempt number. Attempts must be safe to run more than once at
 * the same time (idempotent reads, typically).
 *
 * @param options The delay, the number of hedges and the clock.
 * @returns The policy.
 * @throws {TypeError} If an option has the wrong type.
 * @throws {RangeError} If an option is out of range.
 *
 * @example A slow replica loses to a hedged one
 * ```ts
 * import { hedgePolicy, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const hedge = hedgePolicy({ delayMs: 100, clock });
 * const latencies = [500, 50];
 * const aborted: boolean[] = [];
 * let i = 0;
 * const call = hedge.execute(({ signal }) => {
 *   const ms = latencies[i++]!;
 *   return new Promise<number>((resolve) => {
 *     clock.setTimeout(() => resolve(ms), ms);
 *     signal.addEventListener("abort", () => aborted.push(true));
 *   });
 * });
 * assert.equal(await clock.runUntilSettled(call), 50);
 * assert.equal(clock.now(), 150);
 * assert.deepEqual(aborted, [true]);
 * clock.runAll();
 * ```
 */
export function hedgePolicy(options: HedgeOptions): Policy {
  assertOptions(CREATE, options);
  if (options === undefined) {
    typeError(CREATE, "options", "an options object", options);
  }
  const delayMs = options.delayMs;
  assertDuration(CREATE, "delayMs", delayMs);
  const maxHedges = orDefault(options.maxHedges, 1);
  assertInteger(CREATE, "maxHedges", maxHedges);
  const clock = orDefault(options.clock, systemClock);
  assertClock(CREATE, clock);
  return new HedgePolicy(delayMs, maxHedges, clock);
}

class HedgePolicy implements Policy {
  readonly delayMs: number;
  readonly attempts: number;
  readonly queue: TimerQueue;

  constructor(delayMs: number, maxHedges: number, clock: Clock) {
    this.delayMs = delayMs;
    this.attempts = 1 + maxHedges;
    this.queue = timerQueueFor(clock);
  }

  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T> {
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context as Promise<never>;
    return new Promise<T>((resolve, reject) => {
      new HedgedCall(this, fn, context, resolve, reject).start();
    });
  }
}

class HedgedCall<T> {
  readonly #policy: HedgePolicy;
  readonly #fn: (context: PolicyContext) => T | PromiseLike<T>;
  readonly #context: PolicyContext;
  readonly #resolve: (value: T) => void;
  readonly #reject: (reason: unknown) => void;
  // The controllers of the attempts still running (undefined once settled).
  readonly #controllers: (AbortController | undefined)[] = [];
  #running = 0;
  #done = false;
  #timer: QueuedTimer | undefined;
  #registration: Disposable | undefined;
  readonly #onDelay = (): void => {
    this.#timer = undefined;
    this.#launch();
  };

  constructor(
    policy: HedgePolicy,
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    context: PolicyContext,
    resolve: (value: T) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#policy = policy;
    this.#fn = fn;
    this.#context = context;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    const signal = this.#context.signal;
    if (signal !== NEVER_ABORTED) {
      this.#registration = onAbort(signal, (reason) => {
        this.#finish();
        this.#reject(reason);
      });
    }
    this.#launch();
  }

  #launch(): void {
    const index = this.#controllers.length;
    const controller = new AbortController();
    this.#controllers.push(controller);
    this.#running++;
    const policy = this.#policy;
    if (index + 1 < policy.attempts) {
      this.#timer = policy.queue.schedule(this.#onDelay, policy.delayMs);
    }
    let result: T | PromiseLike<T>;
    try {
      result = this.#fn({
        signal: controller.signal,
        attempt: this.#context.attempt,
      });
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      (value) => {
        this.#settled(index);
        if (this.#done) return;
        this.#finish();
        this.#resolve(value);
      },
      (error) => {
        this.#settled(index);
        if (this.#done) return;
        if (this.#controllers.length < policy.attempts) {
          this.#cancelTimer();
          this.#launch();
        } else if (this.#running === 0) {
          this.#finish();
          this.#reject(error);
        }
      },
    );
  }

  #settled(index: number): void {
    this.#running--;
    this.#controllers[index] = undefined;
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) {
      this.#policy.queue.cancel(this.#timer);
      this.#timer = undefined;
    }
  }

  // Settles the call: no more attempts; aborts those still running.
  #finish(): void {
    this.#done = true;
    this.#cancelTimer();
    this.#registration?.[Symbol.dispose]();
    const signal = this.#context.signal;
    const controllers = this.#controllers;
    let reason: unknown = signal.aborted ? signal.reason : undefined;
    for (let i = 0; i < controllers.length; i++) {
      const controller = controllers[i];
      if (controller === undefined) continue;
      reason ??= abortError("Another hedged attempt succeeded first");
      controller.abort(reason);
    }
  }
}
