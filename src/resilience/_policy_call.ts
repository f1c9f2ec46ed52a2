/**
 * What every policy of this folder does on entry: the checks of the
 * arguments of `execute` (as rejections, never throws), the context passed
 * to `fn`, and the option checks the policies share (a backoff, a
 * classifier, an optional callback).
 *
 * @module
 */

import {
  assertDuration,
  assertFunction,
  assertOptions,
  invalidMessage,
  typeError,
} from "../core/_validate.ts";
import { type Backoff, constant } from "./backoff.ts";
import { type Classifier, defaultClassifier } from "./classify.ts";
import type { PolicyContext, PolicyExecuteOptions } from "./policy.ts";

const ACTION = "execute the policy";

/** A signal that never aborts; nothing may keep a listener on it. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** The context of a call made without options. */
export const DEFAULT_CONTEXT: PolicyContext = Object.freeze({
  signal: NEVER_ABORTED,
  attempt: 1,
});

/**
 * The context a policy passes to `fn` when it changes neither the signal nor
 * the attempt: the caller's signal (or {@linkcode NEVER_ABORTED}) and the
 * caller's attempt (or 1). Reuses {@linkcode DEFAULT_CONTEXT} when it can.
 */
export function contextOf(
  options: PolicyExecuteOptions | undefined,
): PolicyContext {
  if (options === undefined) return DEFAULT_CONTEXT;
  const signal = options.signal;
  const attempt = options.attempt;
  if (signal === undefined && attempt === undefined) return DEFAULT_CONTEXT;
  return { signal: signal ?? NEVER_ABORTED, attempt: attempt ?? 1 };
}

function invalid(option: string, constraint: string, value: unknown) {
  return Promise.reject(
    new TypeError(invalidMessage(ACTION, option, constraint, value)),
  );
}

/**
 * Checks the arguments of `Policy.execute`. Returns the context to pass to
 * `fn`, or a rejected promise: for bad arguments (a `TypeError`) or an
 * already-aborted signal (its reason). A context passed on by `wrap` is
 * reused as it is, so composed policies allocate none.
 */
export function policyCall(
  fn: unknown,
  options: PolicyExecuteOptions | undefined,
): PolicyContext | Promise<never> {
  if (typeof fn !== "function") return invalid("fn", "a function", fn);
  if (options === undefined) return DEFAULT_CONTEXT;
  if (options === null || typeof options !== "object") {
    return refuseOptions(options) as Promise<never>;
  }
  const signal = options.signal;
  if (signal === undefined) {
    // An AbortSignal passed as the options has no `signal` of its own.
    if (options instanceof AbortSignal) {
      return refuseOptions(options) as Promise<never>;
    }
    return contextOf(options);
  }
  if (!(signal instanceof AbortSignal)) {
    return invalid("signal", "an AbortSignal", signal);
  }
  // A CancellationToken has a `signal`, and `register`.
  if (typeof (options as { register?: unknown }).register === "function") {
    const refused = refuseOptions(options);
    if (refused !== undefined) return refused;
  }
  if (signal.aborted) return Promise.reject(signal.reason);
  return options.attempt !== undefined
    ? options as PolicyContext
    : contextOf(options);
}

/** The rejection of `assertOptions` for `options`, if it refuses them. */
function refuseOptions(options: unknown): Promise<never> | undefined {
  try {
    assertOptions(ACTION, options);
  } catch (error) {
    return Promise.reject(error);
  }
  return undefined;
}

/**
 * Calls `fn` and returns its outcome as a promise: its own promise when it
 * returns one, a rejection when it throws. Cheaper than an `async` wrapper.
 */
export function invoke<T>(
  fn: (context: PolicyContext) => T | PromiseLike<T>,
  context: PolicyContext,
): Promise<T> {
  try {
    const result = fn(context);
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Checks an option that is a number of milliseconds or a {@linkcode Backoff}
 * (a retry's `backoff`, a breaker's `cooldownMs`); a number becomes a
 * constant backoff.
 */
export function backoffOption(
  action: string,
  option: string,
  value: unknown,
): Backoff {
  if (typeof value === "number") {
    assertDuration(action, option, value);
    return constant(value);
  }
  if (
    value === null || typeof value !== "object" ||
    typeof (value as Backoff).next !== "function"
  ) {
    typeError(action, option, "a number or a Backoff", value);
  }
  return value as Backoff;
}

/** Checks a `classifier` option; undefined gives `defaultClassifier`. */
export function classifierOption(action: string, value: unknown): Classifier {
  if (value === undefined) return defaultClassifier;
  if (
    value === null || typeof value !== "object" ||
    typeof (value as Classifier).classify !== "function"
  ) {
    typeError(action, "classifier", "a Classifier", value);
  }
  return value as Classifier;
}

/** Checks an optional callback option. */
export function optionalFunction<F>(
  action: string,
  option: string,
  value: F | undefined,
): F | undefined {
  if (value !== undefined) assertFunction(action, option, value);
  return value;
}
