/**
 * `retry(fn, options)` and `retryPolicy(options)`: run a function again when
 * it fails with an error worth retrying, waiting a backoff (or a delay chosen
 * from the failure, such as `Retry-After`) between attempts.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { RetryError } from "../core/errors.ts";
import {
  assertDuration,
  assertFunction,
  assertIntegerOrInfinity,
  assertNumber,
  assertOptions,
  assertSignal,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { delay as wait, type DelayOptions } from "../cancel/delay.ts";
import { type Backoff, exponential } from "./backoff.ts";
import {
  type Classifier,
  defaultClassifier,
  type ErrorClass,
} from "./classify.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import type { RetryBudget } from "./retry_budget.ts";
import { DEFAULT_CONTEXT, NEVER_ABORTED } from "./_context.ts";
import { clampDelay } from "./_delay.ts";
import { policyCall, report } from "./_policy_call.ts";

/**
 * What {@linkcode RetryOptions.delay} receives after a failed attempt.
 *
 * @example Halving the backoff's proposal
 * ```ts
 * import {
 *   constant,
 *   retry,
 *   type RetryDelayContext,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const contexts: RetryDelayContext[] = [];
 * let calls = 0;
 * const result = retry(() => ++calls < 3 ? Promise.reject(new Error("flaky")) : calls, {
 *   backoff: constant(100),
 *   delay: (context) => (contexts.push(context), context.backoffMs / 2),
 *   clock,
 * });
 * assert.equal(await clock.runUntilSettled(result), 3);
 * assert.deepEqual(contexts.map((c) => [c.attempt, c.elapsedMs]), [[1, 0], [2, 50]]);
 * assert.equal(clock.now(), 100);
 * ```
 */
export interface RetryDelayContext {
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  /** Its error. */
  readonly error: unknown;
  /** The error's class. */
  readonly classification: ErrorClass;
  /** The delay the backoff proposes. */
  readonly backoffMs: number;
  /** Milliseconds since the first attempt started. */
  readonly elapsedMs: number;
  /** Milliseconds left of `maxElapsedMs` (`Infinity` without it). */
  readonly remainingMs: number;
}

/**
 * What {@linkcode RetryOptions.onRetry} receives before each wait.
 *
 * @example Logging each retry
 * ```ts
 * import { constant, retry, type RetryEvent, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const events: RetryEvent[] = [];
 * const result = retry(({ attempt }) => {
 *   if (attempt === 1) throw new Response(null, { status: 503 });
 *   return "ok";
 * }, { backoff: constant(250), onRetry: (event) => events.push(event), clock });
 * assert.equal(await clock.runUntilSettled(result), "ok");
 * assert.deepEqual(
 *   events.map((e) => [e.attempt, e.classification, e.delayMs]),
 *   [[1, "transient", 250]],
 * );
 * ```
 */
export interface RetryEvent {
  /** The attempt that failed (1-based); the next one is `attempt + 1`. */
  readonly attempt: number;
  /** Its error. */
  readonly error: unknown;
  /** The error's class. */
  readonly classification: ErrorClass;
  /** How long the retry waits before the next attempt. */
  readonly delayMs: number;
}

/**
 * Options of {@linkcode retryPolicy}: the options of a retry but `signal`.
 *
 * @example Retrying only transient failures, twice at most
 * ```ts
 * import {
 *   constant,
 *   RetryError,
 *   retryPolicy,
 *   type RetryPolicyOptions,
 *   VirtualClock,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const options: RetryPolicyOptions = {
 *   maxAttempts: 2,
 *   backoff: constant(10),
 *   retryIf: (_error, classification) => classification === "transient",
 *   clock,
 * };
 * const attempts: number[] = [];
 * const call = retryPolicy(options).execute(({ attempt }) => {
 *   attempts.push(attempt);
 *   throw new Response(null, { status: 503 });
 * });
 * await assert.rejects(clock.runUntilSettled(call), RetryError);
 * assert.deepEqual(attempts, [1, 2]);
 * ```
 */
export interface RetryPolicyOptions {
  /**
   * The most attempts, the first included: an integer >= 1, or `Infinity`.
   *
   * @default {3}
   */
  maxAttempts?: number;
  /**
   * The waits between attempts.
   *
   * @default {exponential({ initialMs: 100, factor: 2, maxMs: 30_000, jitter: "full" })}
   */
  backoff?: Backoff;
  /**
   * Decides whether a failure is retried. By default every class is retried
   * except `"permanent"` and `"cancelled"`: transient failures, timeouts,
   * rate limits and unknown errors are. An error that is not retried rejects
   * the retry unchanged.
   *
   * @default {(error, classification) => classification !== "permanent" && classification !== "cancelled"}
   */
  retryIf?: (
    error: unknown,
    classification: ErrorClass,
    attempt: number,
  ) => boolean;
  /**
   * Chooses the wait before the next attempt from the failure (for example
   * from a `Retry-After` header, see {@linkcode retryAfterMs}). Return a
   * finite number >= 0, or `undefined` to use the backoff. The result is
   * clamped to 2^31 - 1 ms and to what is left of `maxElapsedMs`.
   *
   * @default {undefined}
   */
  delay?: (context: RetryDelayContext) => number | undefined;
  /**
   * Observes each retry before its wait. What it throws is reported on a
   * microtask and does not stop the retry.
   *
   * @default {undefined}
   */
  onRetry?: (event: RetryEvent) => void;
  /**
   * The time allowed from the start of the first attempt to the start of the
   * last one: waits are shortened so that no attempt starts later, and once
   * it has passed a failure gives up with a {@linkcode RetryError} whose
   * `limit` is `"maxElapsedMs"`. It does not interrupt an attempt (wrap a
   * {@linkcode timeoutPolicy} inside for that). A finite number >= 0, or
   * `Infinity`.
   *
   * @default {Infinity}
   */
  maxElapsedMs?: number;
  /**
   * A budget of retries shared with other calls; when it is empty a failure
   * gives up with a {@linkcode RetryError} whose `limit` is `"budget"`.
   *
   * @default {undefined}
   */
  budget?: RetryBudget;
  /**
   * Classifies the errors for `retryIf`, `delay` and `onRetry`.
   *
   * @default {defaultClassifier}
   */
  classifier?: Classifier;
  /**
   * The clock of the waits and of `maxElapsedMs`.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * Options of {@linkcode retry}.
 *
 * @example Retrying until the caller gives up
 * ```ts
 * import { constant, retry, type RetryOptions, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const controller = new AbortController();
 * const options: RetryOptions = {
 *   maxAttempts: Infinity,
 *   backoff: constant(1000),
 *   signal: controller.signal,
 *   clock,
 * };
 * const result = retry(() => Promise.reject(new Error("down")), options);
 * clock.setTimeout(() => controller.abort(new Error("user left")), 2500);
 * await assert.rejects(clock.runUntilSettled(result), { message: "user left" });
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export interface RetryOptions extends RetryPolicyOptions {
  /**
   * Stops retrying: an already-aborted signal rejects at once with
   * `signal.reason` and `fn` never runs; an abort during a wait rejects at
   * once with `signal.reason` and releases the timer; an abort during an
   * attempt is passed to `fn` through its context, and the retry rejects with
   * `signal.reason` when that attempt fails.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
}

interface RetryConfig {
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly retryIf: (
    error: unknown,
    classification: ErrorClass,
    attempt: number,
  ) => boolean;
  readonly delay:
    | ((context: RetryDelayContext) => number | undefined)
    | undefined;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly maxElapsedMs: number;
  readonly budget: RetryBudget | undefined;
  readonly classifier: Classifier;
  readonly clock: Clock;
  /** Whether the start time is needed (`maxElapsedMs` or `delay`). */
  readonly timed: boolean;
}

const DEFAULT_BACKOFF: Backoff = exponential({
  initialMs: 100,
  factor: 2,
  maxMs: 30_000,
  jitter: "full",
});

const retryByDefault = (_error: unknown, classification: ErrorClass) =>
  classification !== "permanent" && classification !== "cancelled";

const DEFAULT_CONFIG: RetryConfig = Object.freeze({
  maxAttempts: 3,
  backoff: DEFAULT_BACKOFF,
  retryIf: retryByDefault,
  delay: undefined,
  onRetry: undefined,
  maxElapsedMs: Infinity,
  budget: undefined,
  classifier: defaultClassifier,
  clock: systemClock,
  timed: false,
});

/**
 * Runs `fn` until it succeeds, an error is not worth retrying, or a limit is
 * reached. `fn` receives `{ attempt, signal }`. After a failure the error is
 * classified ({@linkcode classify}); `retryIf` decides whether to go on
 * (by default everything but `"permanent"` and `"cancelled"` errors); the
 * wait comes from `delay(context)` if it returns a number, else from the
 * backoff, lengthened to the error's own `retryAfterMs` when it carries one
 * (as {@linkcode CircuitOpenError} and {@linkcode RateLimitedError} do);
 * `onRetry` observes it; then the next attempt starts.
 *
 * Outcomes: the first success fulfils; an error that is not retried rejects
 * unchanged; an abort rejects with `signal.reason`; running out of attempts,
 * of `maxElapsedMs` or of the `budget` rejects with a {@linkcode RetryError}
 * carrying `attempts`, `limit` and the last error as `cause`. No timer or
 * listener is left behind in any case.
 *
 * @typeParam T The value of `fn`.
 * @param fn The work, called with the attempt number and the signal.
 * @param options `maxAttempts`, `backoff`, `retryIf`, `delay`, `onRetry`,
 *   `maxElapsedMs`, `budget`, `classifier`, `signal`, `clock`.
 * @returns A promise of the first successful value.
 * @throws {TypeError} (as a rejection) If `fn` is not a function or an option
 *   has the wrong type.
 * @throws {RangeError} (as a rejection) If an option is out of range, or
 *   `delay` returns a negative or non-finite number.
 *
 * @example A flaky call retried with a seeded, jittered backoff
 * ```ts
 * import { exponential, retry, seededRandom, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const backoff = () =>
 *   exponential({ initialMs: 100, jitter: "full", random: seededRandom(1) });
 * const starts: number[] = [];
 * const result = retry(({ attempt }) => {
 *   starts.push(clock.now());
 *   if (attempt < 4) throw new Error(`failure ${attempt}`);
 *   return "ok";
 * }, { maxAttempts: 5, backoff: backoff(), clock });
 * assert.equal(await clock.runUntilSettled(result), "ok");
 *
 * // The waits are exactly the backoff's preview for the same seed.
 * const waits = starts.slice(1).map((t, i) => t - starts[i]!);
 * assert.deepEqual(waits, backoff().preview(3));
 * assert.equal(clock.pendingTimers, 0);
 * ```
 *
 * @example Honouring Retry-After
 * ```ts
 * import { retry, retryAfterMs, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const responses = [
 *   new Response(null, { status: 429, headers: { "Retry-After": "2" } }),
 *   new Response("done", { status: 200 }),
 * ];
 * const body = retry(async () => {
 *   const response = responses.shift()!;
 *   if (!response.ok) throw response; // classified "rate-limited"
 *   return await response.text();
 * }, {
 *   delay: ({ error }) => retryAfterMs(error as Response),
 *   clock,
 * });
 * assert.equal(await clock.runUntilSettled(body), "done");
 * assert.equal(clock.now(), 2000);
 * ```
 */
export function retry<T>(
  fn: (context: PolicyContext) => T | PromiseLike<T>,
  options?: RetryOptions,
): Promise<T> {
  let config: RetryConfig;
  let signal: AbortSignal | undefined;
  try {
    config = toConfig("retry", options);
    signal = options?.signal;
    assertSignal("retry", signal);
    assertFunction("retry", "fn", fn);
  } catch (error) {
    return Promise.reject(error);
  }
  return run(fn, config, signal);
}

/**
 * A retry as a {@linkcode Policy}, for {@linkcode wrap}: each `execute(fn,
 * { signal })` runs like {@linkcode retry} with these options and that
 * signal. Put a {@linkcode timeoutPolicy} after it in `wrap` to time out each
 * attempt, before it to time out the whole sequence.
 *
 * @param options The options of {@linkcode retry} but `signal`.
 * @returns The policy.
 * @throws {TypeError} If an option has the wrong type.
 * @throws {RangeError} If an option is out of range.
 *
 * @example Each attempt timed out, and the sequence retried
 * ```ts
 * import { constant, retryPolicy, timeoutPolicy, VirtualClock, wrap } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const policy = wrap(
 *   retryPolicy({ maxAttempts: 3, backoff: constant(50), clock }),
 *   timeoutPolicy(100, { clock }),
 * );
 * const attempts: number[] = [];
 * const result = policy.execute(({ attempt, signal }) => {
 *   attempts.push(attempt);
 *   if (attempt === 1) return new Promise(() => {}); // hangs: timed out
 *   return "second time lucky";
 * });
 * assert.equal(await clock.runUntilSettled(result), "second time lucky");
 * assert.deepEqual(attempts, [1, 2]);
 * assert.equal(clock.now(), 150);
 * ```
 */
export function retryPolicy(options?: RetryPolicyOptions): Policy {
  assertOptions("create a retry policy", options);
  if (options !== undefined && "signal" in options) {
    typeError(
      "create a retry policy",
      "signal",
      "passed to execute() instead",
      (options as { signal?: unknown }).signal,
    );
  }
  return new RetryPolicy(toConfig("create a retry policy", options));
}

class RetryPolicy implements Policy {
  readonly #config: RetryConfig;

  constructor(config: RetryConfig) {
    this.#config = config;
  }

  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T> {
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context;
    const signal = context.signal;
    return run(fn, this.#config, signal === NEVER_ABORTED ? undefined : signal);
  }
}

function toConfig(
  action: string,
  options: RetryPolicyOptions | undefined,
): RetryConfig {
  if (options === undefined) return DEFAULT_CONFIG;
  assertOptions(action, options);
  const maxAttempts = options.maxAttempts ?? 3;
  assertIntegerOrInfinity(action, "maxAttempts", maxAttempts);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  if (
    backoff === null || typeof backoff !== "object" ||
    typeof backoff.next !== "function"
  ) {
    typeError(action, "backoff", "a Backoff", backoff);
  }
  const retryIf = options.retryIf ?? retryByDefault;
  assertFunction(action, "retryIf", retryIf);
  const delay = options.delay;
  if (delay !== undefined) assertFunction(action, "delay", delay);
  const onRetry = options.onRetry;
  if (onRetry !== undefined) assertFunction(action, "onRetry", onRetry);
  const maxElapsedMs = options.maxElapsedMs ?? Infinity;
  assertNumber(action, "maxElapsedMs", maxElapsedMs);
  if (!(maxElapsedMs >= 0)) {
    rangeError(action, "maxElapsedMs", "a number >= 0", maxElapsedMs);
  }
  const budget = options.budget;
  if (
    budget !== undefined &&
    (budget === null || typeof budget !== "object" ||
      typeof budget.tryWithdraw !== "function" ||
      typeof budget.deposit !== "function")
  ) {
    typeError(action, "budget", "a RetryBudget", budget);
  }
  const classifier = options.classifier ?? defaultClassifier;
  if (
    classifier === null || typeof classifier !== "object" ||
    typeof classifier.classify !== "function"
  ) {
    typeError(action, "classifier", "a Classifier", classifier);
  }
  const clock = options.clock ?? systemClock;
  if (
    clock === null || typeof clock !== "object" ||
    typeof clock.now !== "function" || typeof clock.setTimeout !== "function"
  ) {
    typeError(action, "clock", "a Clock", clock);
  }
  return {
    maxAttempts,
    backoff,
    retryIf,
    delay,
    onRetry,
    maxElapsedMs,
    budget,
    classifier,
    clock,
    timed: maxElapsedMs !== Infinity || delay !== undefined,
  };
}

/** The first attempt, kept small: the success path pays for nothing else. */
async function run<T>(
  fn: (context: PolicyContext) => T | PromiseLike<T>,
  config: RetryConfig,
  signal: AbortSignal | undefined,
): Promise<T> {
  let context = DEFAULT_CONTEXT;
  if (signal !== undefined) {
    if (signal.aborted) throw signal.reason;
    context = { signal, attempt: 1 };
  }
  if (config.budget !== undefined) config.budget.deposit();
  const start = config.timed ? config.clock.now() : 0;
  try {
    return await fn(context);
  } catch (error) {
    return await retryAfter(fn, config, context.signal, error, start);
  }
}

/** The attempts after the first failure. */
async function retryAfter<T>(
  fn: (context: PolicyContext) => T | PromiseLike<T>,
  config: RetryConfig,
  signal: AbortSignal,
  firstError: unknown,
  start: number,
): Promise<T> {
  const waitOptions: DelayOptions = signal === NEVER_ABORTED
    ? { clock: config.clock }
    : { signal, clock: config.clock };
  let error = firstError;
  let previousMs = 0;
  for (let attempt = 1;; attempt++) {
    if (signal.aborted) throw signal.reason;
    const classification = config.classifier.classify(error);
    if (!config.retryIf(error, classification, attempt)) throw error;
    if (attempt >= config.maxAttempts) {
      throw new RetryError(attempt, "maxAttempts", { cause: error });
    }
    const backoffMs = config.backoff.next(attempt, previousMs);
    previousMs = backoffMs;
    let delayMs = clampDelay(backoffMs);
    // pledge's refusals (CircuitOpenError, RateLimitedError) say when to
    // come back: never retry sooner.
    const afterMs = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    if (typeof afterMs === "number" && afterMs > delayMs) {
      delayMs = clampDelay(afterMs);
    }
    if (config.timed) {
      const elapsedMs = config.clock.now() - start;
      const remainingMs = config.maxElapsedMs - elapsedMs;
      if (remainingMs <= 0) {
        throw new RetryError(attempt, "maxElapsedMs", { cause: error });
      }
      if (config.delay !== undefined) {
        const chosen = config.delay({
          attempt,
          error,
          classification,
          backoffMs,
          elapsedMs,
          remainingMs,
        });
        if (chosen !== undefined) {
          assertDuration("retry", "delay()", chosen);
          delayMs = clampDelay(chosen);
        }
      }
      if (delayMs > remainingMs) delayMs = remainingMs;
    }
    if (config.budget !== undefined && !config.budget.tryWithdraw()) {
      throw new RetryError(attempt, "budget", { cause: error });
    }
    if (config.onRetry !== undefined) {
      try {
        config.onRetry({ attempt, error, classification, delayMs });
      } catch (thrown) {
        report(thrown);
      }
    }
    await wait(delayMs, waitOptions);
    try {
      return await fn({ signal, attempt: attempt + 1 });
    } catch (e) {
      error = e;
    }
  }
}
