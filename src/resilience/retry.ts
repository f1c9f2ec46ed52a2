/**
 * `retry(fn, options)` and `retryPolicy(options)`: run a function again when
 * it fails with an error worth retrying, waiting a backoff (or longer, when
 * the failure says when to come back: `Retry-After`) between attempts.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { RetryError } from "../core/errors.ts";
import { notify } from "../core/_report.ts";
import {
  assertClock,
  assertFunction,
  assertIntegerOrInfinity,
  assertNumber,
  assertOptions,
  assertSignal,
  orDefault,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { delay as wait, type DelayOptions } from "../cancel/delay.ts";
import { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import { type Backoff, exponential } from "./backoff.ts";
import {
  type Classifier,
  defaultClassifier,
  type ErrorClass,
  type ErrorFilter,
} from "./classify.ts";
import { retryAfterMs, type RetryAfterSource } from "./retry_after.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import type { RetryBudget } from "./retry_budget.ts";
import { clampDelay } from "./_delay.ts";
import {
  backoffOption,
  classifierOption,
  DEFAULT_CONTEXT,
  NEVER_ABORTED,
  optionalFunction,
  policyCall,
} from "./_policy_call.ts";

/** What {@linkcode RetryOptions.onRetry} receives before each wait. */
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

/** Options of {@linkcode retryPolicy}: the options of a retry but `signal`. */
export interface RetryPolicyOptions {
  /**
   * The most attempts, the first included: an integer >= 1, or `Infinity`.
   *
   * @default {3}
   */
  maxAttempts?: number;
  /**
   * The waits between attempts: a number of milliseconds (the same wait
   * each time) or a {@linkcode Backoff}. A failure that says when to come
   * back (a `Retry-After` header, or the `retryAfterMs` of pledge's own
   * refusals) waits at least that long.
   *
   * @default {exponential({ initialMs: 100, factor: 2, maxMs: 30_000, jitter: "full" })}
   */
  backoff?: number | Backoff;
  /**
   * Decides whether a failure is retried; an error it refuses rejects the
   * retry unchanged. A filter that throws rejects the retry with what it
   * threw.
   *
   * @default {(error, classification) => classification !== "permanent" && classification !== "cancelled"}
   */
  shouldHandle?: ErrorFilter;
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
   * {@linkcode timeoutPolicy} inside for that). A number >= 0, or
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
   * Classifies the errors for `shouldHandle` and `onRetry`.
   *
   * @default {defaultClassifier}
   */
  classifier?: Classifier;
  /**
   * The clock of the waits, of `maxElapsedMs` and of an HTTP-date
   * `Retry-After` (through its `dateNow`).
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/** Options of {@linkcode retry}. */
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
  readonly shouldHandle: ErrorFilter;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly maxElapsedMs: number;
  readonly budget: RetryBudget | undefined;
  readonly classifier: Classifier;
  readonly clock: Clock;
  /** Whether the start time is needed (`maxElapsedMs`). */
  readonly timed: boolean;
}

const DEFAULT_BACKOFF: Backoff = exponential({
  initialMs: 100,
  factor: 2,
  maxMs: 30_000,
  jitter: "full",
});

const retryByDefault: ErrorFilter = (_error, classification) =>
  classification !== "permanent" && classification !== "cancelled";

const DEFAULT_CONFIG: RetryConfig = Object.freeze({
  maxAttempts: 3,
  backoff: DEFAULT_BACKOFF,
  shouldHandle: retryByDefault,
  onRetry: undefined,
  maxElapsedMs: Infinity,
  budget: undefined,
  classifier: defaultClassifier,
  clock: systemClock,
  timed: false,
});

/**
 * Runs `fn` until it succeeds, fails with an error not worth retrying, or a
 * limit is reached. `fn` receives `{ attempt, signal }`. After a failure the
 * error is classified ({@linkcode classify}) and `shouldHandle` decides
 * whether to go on (by default everything but `"permanent"` and
 * `"cancelled"` errors); the wait comes from the backoff, lengthened to what
 * the error asks for when it says when to come back (a `Retry-After` header
 * on a `Response` or an error's `response`, read by
 * {@linkcode retryAfterMs}, or the `retryAfterMs` of
 * {@linkcode CircuitOpenError} and {@linkcode RateLimitedError}); `onRetry`
 * observes it; then the next attempt starts.
 *
 * Outcomes: the first success fulfils; an error that is not retried rejects
 * unchanged; an abort rejects with `signal.reason`; running out of attempts,
 * of `maxElapsedMs` or of the `budget` rejects with a {@linkcode RetryError}
 * carrying `attempts`, `limit` and the last error as `cause`. No timer or
 * listener is left behind in any case.
 *
 * @typeParam T The value of `fn`.
 * @param fn The work, called with the attempt number and the signal.
 * @param options `maxAttempts`, `backoff`, `shouldHandle`, `onRetry`,
 *   `maxElapsedMs`, `budget`, `classifier`, `signal`, `clock`.
 * @returns A future of the first successful value.
 * @throws {TypeError} Rejects with it (never throws) if `fn` is not a
 *   function or an option has the wrong type.
 * @throws {RangeError} Rejects with it if an option is out of range.
 *
 * @example A 503, then a 429 with Retry-After, then success
 * ```ts
 * import { retry, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const responses = [
 *   new Response(null, { status: 503 }),
 *   new Response(null, { status: 429, headers: { "Retry-After": "2" } }),
 *   new Response("done"),
 * ];
 * const starts: number[] = [];
 * const body = retry(async () => {
 *   starts.push(clock.now());
 *   const response = responses.shift()!;
 *   if (!response.ok) throw response; // 503 is transient, 429 rate-limited
 *   return await response.text();
 * }, { backoff: 100, clock });
 * assert.equal(await clock.runUntilSettled(body), "done");
 * assert.deepEqual(starts, [0, 100, 2100]); // the backoff, then Retry-After
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export function retry<T>(
  fn: (context: PolicyContext) => T | PromiseLike<T>,
  options?: RetryOptions,
): Future<T> {
  let config: RetryConfig;
  let signal: AbortSignal | undefined;
  try {
    config = toConfig("retry", options);
    signal = options?.signal;
    assertSignal("retry", signal);
    assertFunction("retry", "fn", fn);
  } catch (error) {
    return Future.reject(error);
  }
  const out = pendingFuture<T>();
  start(fn, config, signal, out);
  return out;
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
 * import { retryPolicy, timeoutPolicy, VirtualClock, wrap } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const policy = wrap(
 *   retryPolicy({ maxAttempts: 3, backoff: 50, clock }),
 *   timeoutPolicy(100, { clock }),
 * );
 * const attempts: number[] = [];
 * const result = policy.execute(({ attempt }) => {
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
  const action = "create a retry policy";
  assertOptions(action, options);
  if (options !== undefined && "signal" in options) {
    typeError(
      action,
      "signal",
      "passed to execute() instead",
      (options as { signal?: unknown }).signal,
    );
  }
  return new RetryPolicy(toConfig(action, options));
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
  const maxAttempts = orDefault(options.maxAttempts, 3);
  assertIntegerOrInfinity(action, "maxAttempts", maxAttempts);
  const backoff = options.backoff === undefined
    ? DEFAULT_BACKOFF
    : backoffOption(action, "backoff", options.backoff);
  const shouldHandle = orDefault(options.shouldHandle, retryByDefault);
  if (shouldHandle !== retryByDefault) {
    assertFunction(action, "shouldHandle", shouldHandle);
  }
  const onRetry = optionalFunction(action, "onRetry", options.onRetry);
  const maxElapsedMs = orDefault(options.maxElapsedMs, Infinity);
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
  const classifier = classifierOption(action, options.classifier);
  const clock = orDefault(options.clock, systemClock);
  if (clock !== systemClock) assertClock(action, clock);
  return {
    maxAttempts,
    backoff,
    shouldHandle,
    onRetry,
    maxElapsedMs,
    budget,
    classifier,
    clock,
    timed: maxElapsedMs !== Infinity,
  };
}

/**
 * A policy's call: the first attempt kept small (the success path pays for
 * nothing else), then the retries.
 */
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
  const startedAt = config.timed ? config.clock.now() : 0;
  try {
    return await fn(context);
  } catch (error) {
    return await retryAfter(fn, config, context.signal, error, startedAt);
  }
}

/**
 * A retry's call, as {@linkcode run} but settling `out` (an `async`
 * function would add a promise between, and `new Future(init)` a closure
 * and a pair of resolving functions).
 */
function start<T>(
  fn: (context: PolicyContext) => T | PromiseLike<T>,
  config: RetryConfig,
  signal: AbortSignal | undefined,
  out: Future<T>,
): void {
  let context = DEFAULT_CONTEXT;
  if (signal !== undefined) {
    if (signal.aborted) {
      rejectFuture(out, signal.reason);
      return;
    }
    context = { signal, attempt: 1 };
  }
  if (config.budget !== undefined) config.budget.deposit();
  const startedAt = config.timed ? config.clock.now() : 0;
  const failed = (error: unknown): void => {
    retryAfter(fn, config, context.signal, error, startedAt).then(
      (value) => resolveFuture(out, value),
      (reason) => rejectFuture(out, reason),
    );
  };
  let result: T | PromiseLike<T>;
  try {
    result = fn(context);
  } catch (error) {
    failed(error);
    return;
  }
  if (result instanceof Promise) {
    result.then((value) => resolveFuture(out, value), failed);
  } else if (
    result !== null &&
    (typeof result === "object" || typeof result === "function")
  ) {
    // A foreign thenable (or a plain object): adopted once, by the platform.
    Promise.resolve(result).then((value) => resolveFuture(out, value), failed);
  } else {
    resolveFuture(out, result);
  }
}

/** The attempts after the first failure. */
async function retryAfter<T>(
  fn: (context: PolicyContext) => T | PromiseLike<T>,
  config: RetryConfig,
  signal: AbortSignal,
  firstError: unknown,
  startedAt: number,
): Promise<T> {
  const waitOptions: DelayOptions = signal === NEVER_ABORTED
    ? { clock: config.clock }
    : { signal, clock: config.clock };
  let error = firstError;
  let previousMs = 0;
  for (let attempt = 1;; attempt++) {
    if (signal.aborted) throw signal.reason;
    const classification = config.classifier.classify(error);
    if (!config.shouldHandle(error, classification)) throw error;
    if (attempt >= config.maxAttempts) {
      throw new RetryError(attempt, "maxAttempts", { cause: error });
    }
    const backoffMs = config.backoff.next(attempt, previousMs);
    previousMs = backoffMs;
    let delayMs = clampDelay(backoffMs);
    // A failure that says when to come back: never retry sooner.
    const afterMs = askedDelay(error, config.clock);
    if (afterMs !== undefined && afterMs > delayMs) delayMs = afterMs;
    if (config.timed) {
      const remainingMs = config.maxElapsedMs -
        (config.clock.now() - startedAt);
      if (remainingMs <= 0) {
        throw new RetryError(attempt, "maxElapsedMs", { cause: error });
      }
      if (delayMs > remainingMs) delayMs = remainingMs;
    }
    if (
      config.budget !== undefined &&
      !(await withdrawFrom(config.budget, waitOptions.signal))
    ) {
      throw new RetryError(attempt, "budget", { cause: error });
    }
    if (config.onRetry !== undefined) {
      notify(config.onRetry, { attempt, error, classification, delayMs });
    }
    await wait(delayMs, waitOptions);
    try {
      return await fn({ signal, attempt: attempt + 1 });
    } catch (e) {
      error = e;
    }
  }
}

/**
 * The delay a failure asks for: the `retryAfterMs` of pledge's refusals, or
 * a `Retry-After` header it carries; `undefined` when it asks for none.
 */
function askedDelay(error: unknown, clock: Clock): number | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const own = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof own === "number") return own >= 0 ? clampDelay(own) : undefined;
  try {
    return retryAfterMs(error as RetryAfterSource, { clock });
  } catch {
    return undefined; // a header accessor that throws: no delay asked
  }
}

/**
 * Takes a retry from a budget: through `withdraw` (a store call, for a
 * shared budget), or `tryWithdraw` for a budget object without it.
 */
function withdrawFrom(
  budget: RetryBudget,
  signal: AbortSignal | undefined,
): boolean | Promise<boolean> {
  if (typeof budget.withdraw !== "function") return budget.tryWithdraw();
  return budget.withdraw(signal === undefined ? undefined : { signal });
}
