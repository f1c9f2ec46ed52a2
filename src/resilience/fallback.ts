/**
 * `fallbackPolicy(valueOrFn, { when })`: a policy that replaces a failure
 * with a value (a cached answer, a default, a degraded response).
 *
 * @module
 */

import { assertFunction, assertOptions, typeError } from "../core/_validate.ts";
import {
  type Classifier,
  defaultClassifier,
  type ErrorClass,
} from "./classify.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import { policyCall, report } from "./_policy_call.ts";

/**
 * What a fallback produces from a failure: called with the error and the
 * context of the call.
 *
 * @typeParam R The fallback value.
 *
 * @example A fallback computed from the error and the context
 * ```ts
 * import { fallbackPolicy, type FallbackFunction } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const fromCache: FallbackFunction<string> = (error, context) =>
 *   `cached (attempt ${context.attempt}, ${(error as Error).message})`;
 * const policy = fallbackPolicy(fromCache);
 * const value = await policy.execute(() => Promise.reject(new Error("503")));
 * assert.equal(value, "cached (attempt 1, 503)");
 * ```
 */
export type FallbackFunction<R> = (
  error: unknown,
  context: PolicyContext,
) => R | PromiseLike<R>;

/**
 * Options of {@linkcode fallbackPolicy}.
 *
 * @example Replacing only transient failures, and observing them
 * ```ts
 * import { fallbackPolicy, type FallbackPolicyOptions } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const replaced: unknown[] = [];
 * const options: FallbackPolicyOptions = {
 *   when: (_error, classification) => classification === "transient",
 *   onFallback: (error) => replaced.push(error),
 * };
 * const policy = fallbackPolicy("offline", options);
 * const unavailable = new Response(null, { status: 503 });
 * assert.equal(await policy.execute(() => Promise.reject(unavailable)), "offline");
 * assert.equal(replaced[0], unavailable);
 * await assert.rejects(policy.execute(() => Promise.reject(new SyntaxError("bug"))), SyntaxError);
 * ```
 */
export interface FallbackPolicyOptions {
  /**
   * Decides whether a failure is replaced; a failure that is not rejects
   * unchanged. An abort of the caller's own signal is never replaced: it
   * rejects with `signal.reason`.
   *
   * @default {() => true}
   */
  when?: (error: unknown, classification: ErrorClass) => boolean;
  /**
   * Observes each replaced failure. What it throws is reported on a
   * microtask.
   *
   * @default {undefined}
   */
  onFallback?: (error: unknown) => void;
  /**
   * Classifies the errors for `when` (only consulted when `when` is given).
   *
   * @default {defaultClassifier}
   */
  classifier?: Classifier;
}

/**
 * A policy that runs `fn` and, when it fails, returns a fallback instead: the
 * value given, or what the function given returns for the error (a function
 * producing a rejection rejects the call with it). Put it outermost in
 * {@linkcode wrap} so that it sees the failures of the other policies: a
 * `RetryError`, a `TimeoutError`, an open circuit.
 *
 * A function is always called, never returned, so a fallback value that is
 * itself a function must be returned by a function: `() => fn`.
 *
 * @typeParam R The fallback value.
 * @param valueOrFn The fallback value, or a function of the error.
 * @param options `when`, `onFallback`, `classifier`.
 * @returns The policy.
 * @throws {TypeError} If an option has the wrong type.
 *
 * @example A cached answer when the service is down
 * ```ts
 * import { fallbackPolicy } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const policy = fallbackPolicy(["cached"]);
 * const items = await policy.execute(() => Promise.reject(new Error("503")));
 * assert.deepEqual(items, ["cached"]);
 * ```
 *
 * @example Replacing only timeouts, with a value computed from the error
 * ```ts
 * import { fallbackPolicy } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const policy = fallbackPolicy((error) => `degraded (${(error as Error).name})`, {
 *   when: (_error, classification) => classification === "timeout",
 * });
 * const late = new DOMException("late", "TimeoutError");
 * assert.equal(await policy.execute(() => Promise.reject(late)), "degraded (TimeoutError)");
 * await assert.rejects(policy.execute(() => Promise.reject(new TypeError("bug"))), TypeError);
 * ```
 */
export function fallbackPolicy<R>(
  valueOrFn: R | FallbackFunction<R>,
  options?: FallbackPolicyOptions,
): Policy<R> {
  const action = "create a fallback policy";
  assertOptions(action, options);
  const when = options?.when;
  if (when !== undefined) assertFunction(action, "when", when);
  const onFallback = options?.onFallback;
  if (onFallback !== undefined) {
    assertFunction(action, "onFallback", onFallback);
  }
  const classifier = options?.classifier ?? defaultClassifier;
  if (
    classifier === null || typeof classifier !== "object" ||
    typeof classifier.classify !== "function"
  ) {
    typeError(action, "classifier", "a Classifier", classifier);
  }
  return new FallbackPolicy(valueOrFn, when, onFallback, classifier);
}

class FallbackPolicy<R> implements Policy<R> {
  readonly #valueOrFn: R | FallbackFunction<R>;
  readonly #when:
    | ((error: unknown, classification: ErrorClass) => boolean)
    | undefined;
  readonly #onFallback: ((error: unknown) => void) | undefined;
  readonly #classifier: Classifier;

  constructor(
    valueOrFn: R | FallbackFunction<R>,
    when: ((error: unknown, classification: ErrorClass) => boolean) | undefined,
    onFallback: ((error: unknown) => void) | undefined,
    classifier: Classifier,
  ) {
    this.#valueOrFn = valueOrFn;
    this.#when = when;
    this.#onFallback = onFallback;
    this.#classifier = classifier;
  }

  async execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T | R> {
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context;
    const signal = context.signal;
    try {
      return await fn(context);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const when = this.#when;
      if (
        when !== undefined && !when(error, this.#classifier.classify(error))
      ) {
        throw error;
      }
      const onFallback = this.#onFallback;
      if (onFallback !== undefined) {
        try {
          onFallback(error);
        } catch (thrown) {
          report(thrown);
        }
      }
      const valueOrFn = this.#valueOrFn;
      return typeof valueOrFn === "function"
        ? await (valueOrFn as FallbackFunction<R>)(error, context)
        : valueOrFn;
    }
  }
}
