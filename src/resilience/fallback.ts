/**
 * `fallbackPolicy(valueOrFn, { shouldHandle })`: a policy that replaces a
 * failure with a value (a cached answer, a default, a degraded response).
 *
 * @module
 */

import { notify } from "../core/_report.ts";
import { assertOptions } from "../core/_validate.ts";
import type { Classifier, ErrorFilter } from "./classify.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import {
  classifierOption,
  optionalFunction,
  policyCall,
} from "./_policy_call.ts";

/**
 * What a fallback produces from a failure: called with the error and the
 * context of the call.
 *
 * @typeParam R The fallback value.
 */
export type FallbackFunction<R> = (
  error: unknown,
  context: PolicyContext,
) => R | PromiseLike<R>;

/** Options of {@linkcode fallbackPolicy}. */
export interface FallbackPolicyOptions {
  /**
   * Decides whether a failure is replaced; a failure it refuses rejects
   * unchanged. An abort of the caller's own signal is never replaced: it
   * rejects with `signal.reason`. A filter that throws rejects the call
   * with what it threw.
   *
   * @default {() => true}
   */
  shouldHandle?: ErrorFilter;
  /**
   * Observes each replaced failure. What it throws is reported on a
   * microtask.
   *
   * @default {undefined}
   */
  onFallback?: (error: unknown) => void;
  /**
   * Classifies the errors for `shouldHandle` (only consulted when
   * `shouldHandle` is given).
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
 * @param options `shouldHandle`, `onFallback`, `classifier`.
 * @returns The policy.
 * @throws {TypeError} If an option has the wrong type.
 *
 * @example A cached answer when the service is unavailable, not for bugs
 * ```ts
 * import { fallbackPolicy } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const policy = fallbackPolicy(["cached"], {
 *   shouldHandle: (_error, classification) => classification === "transient",
 * });
 * const unavailable = new Response(null, { status: 503 });
 * assert.deepEqual(await policy.execute(() => Promise.reject(unavailable)), ["cached"]);
 * await assert.rejects(policy.execute(() => Promise.reject(new TypeError("bug"))), TypeError);
 * ```
 */
export function fallbackPolicy<R>(
  valueOrFn: R | FallbackFunction<R>,
  options?: FallbackPolicyOptions,
): Policy<R> {
  const action = "create a fallback policy";
  assertOptions(action, options);
  return new FallbackPolicy(
    valueOrFn,
    optionalFunction(action, "shouldHandle", options?.shouldHandle),
    optionalFunction(action, "onFallback", options?.onFallback),
    classifierOption(action, options?.classifier),
  );
}

class FallbackPolicy<R> implements Policy<R> {
  readonly #valueOrFn: R | FallbackFunction<R>;
  readonly #shouldHandle: ErrorFilter | undefined;
  readonly #onFallback: ((error: unknown) => void) | undefined;
  readonly #classifier: Classifier;

  constructor(
    valueOrFn: R | FallbackFunction<R>,
    shouldHandle: ErrorFilter | undefined,
    onFallback: ((error: unknown) => void) | undefined,
    classifier: Classifier,
  ) {
    this.#valueOrFn = valueOrFn;
    this.#shouldHandle = shouldHandle;
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
      const shouldHandle = this.#shouldHandle;
      if (
        shouldHandle !== undefined &&
        !shouldHandle(error, this.#classifier.classify(error))
      ) {
        throw error;
      }
      if (this.#onFallback !== undefined) notify(this.#onFallback, error);
      const valueOrFn = this.#valueOrFn;
      return typeof valueOrFn === "function"
        ? await (valueOrFn as FallbackFunction<R>)(error, context)
        : valueOrFn;
    }
  }
}
