/**
 * The `Policy` interface shared by every resilience policy (retry, timeout,
 * fallback, circuit breaker, bulkhead, rate limiter, hedging) and
 * {@linkcode wrap}, which composes policies outermost first.
 *
 * @module
 */

import { typeError } from "../core/_validate.ts";
import { invoke, policyCall } from "./_policy_call.ts";

/**
 * What a policy passes to the function it runs.
 *
 * A policy that does not own a signal passes its caller's signal on (a
 * never-aborting signal when the caller gave none); a policy that can cancel
 * the work (a timeout, a hedge) passes a signal of its own that follows the
 * caller's. Only a retry changes `attempt`; every other policy passes on the
 * attempt it was given.
 */
export interface PolicyContext {
  /** Aborts when the work should stop; never `undefined`. */
  readonly signal: AbortSignal;
  /** The 1-based attempt number, set by an enclosing retry (otherwise 1). */
  readonly attempt: number;
}

/** Options of {@linkcode Policy.execute}. */
export interface PolicyExecuteOptions {
  /**
   * Cancels the call: an already-aborted signal rejects at once with
   * `signal.reason` before `fn` runs, and so does an abort while the call
   * waits in the policy (a bulkhead's queue, a limiter's line, a retry's
   * backoff). While `fn` runs, cancellation is cooperative, as in Polly and
   * cockatiel: the signal reaches `fn` through its context and `fn` decides;
   * to stop waiting for work that ignores it, wrap the call in an aggressive
   * `timeoutPolicy` or use `abortable`.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
  /**
   * The attempt number to report to `fn`. {@linkcode wrap} sets it from the
   * context of the enclosing policy (so a function under
   * `wrap(retryPolicy(...), timeoutPolicy(...))` sees the retry's attempt);
   * callers rarely pass it.
   *
   * @default {1}
   */
  attempt?: number | undefined;
}

/**
 * A resilience policy: something that runs a function on the caller's behalf
 * and may retry it, time it out, replace its failure, or refuse to run it.
 *
 * `R` is what the policy may produce instead of the function's value (a
 * fallback's value); it is `never` for every policy that only passes the
 * function's value on.
 *
 * Contract for implementers: `execute` never throws synchronously (bad input
 * and failures reject the returned promise); an already-aborted
 * `options.signal` rejects with `signal.reason` without calling `fn`; every
 * listener and timer the policy creates is released once the returned promise
 * settles.
 *
 * @example A policy of your own, composed with wrap
 * ```ts
 * import { type Policy, wrap } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * const logging = (name: string): Policy => ({
 *   async execute(fn, options) {
 *     log.push(`${name} in`);
 *     try {
 *       return await fn({
 *         signal: options?.signal ?? new AbortController().signal,
 *         attempt: options?.attempt ?? 1,
 *       });
 *     } finally {
 *       log.push(`${name} out`);
 *     }
 *   },
 * });
 *
 * const policy = wrap(logging("outer"), logging("inner"));
 * assert.equal(await policy.execute(() => 42), 42);
 * assert.deepEqual(log, ["outer in", "inner in", "inner out", "outer out"]);
 * ```
 *
 * @typeParam R The type of a value the policy may substitute for the
 *   function's own (`never` unless the policy is a fallback).
 */
export interface Policy<R = never> {
  /**
   * Runs `fn` under this policy.
   *
   * @typeParam T The value `fn` produces.
   * @param fn The work; receives the signal to honour and the attempt number.
   *   It may return a value or a promise-like.
   * @param options The caller's signal (and attempt, set by {@linkcode wrap}).
   * @returns A promise of what `fn` produced, or of the policy's replacement.
   * @throws {TypeError} Rejects with it (never throws) if `fn` is not a
   *   function or `options` not an options object.
   */
  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T | R>;
}

/**
 * A policy made by {@linkcode wrap}: its policies, outermost first, each one
 * running the next.
 *
 * @typeParam R The union of what the composed policies may substitute.
 */
export interface WrappedPolicy<R = never> extends Policy<R> {
  /** The composed policies, outermost first. */
  readonly policies: readonly Policy<unknown>[];
}

/**
 * Composes policies into one: the first is the outermost, so
 * `wrap(retry, timeout).execute(fn)` retries calls that are each timed out,
 * while `wrap(timeout, retry)` times out the whole retrying sequence. Each
 * policy runs the next one with the context it would pass to `fn`: the signal
 * (a timeout's own signal, for example) and the attempt number flow inward to
 * `fn`.
 *
 * `wrap()` with no policies runs `fn` directly (a no-op policy, handy in
 * tests).
 *
 * @typeParam R The union of what the policies may substitute (fallbacks).
 * @param policies The policies, outermost first.
 * @returns The composed policy.
 * @throws {TypeError} If an argument is not a policy (an object with an
 *   `execute` method).
 *
 * @example Retrying calls that are each timed out, with a fallback outside
 * ```ts
 * import { type Policy, wrap } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * // A stand-in for fallbackPolicy("cached"): replaces any failure.
 * const fallback: Policy<string> = {
 *   async execute(fn, options) {
 *     try {
 *       return await fn({
 *         signal: options?.signal ?? new AbortController().signal,
 *         attempt: options?.attempt ?? 1,
 *       });
 *     } catch {
 *       return "cached";
 *     }
 *   },
 * };
 * const policy = wrap(fallback);
 * assert.equal(policy.policies.length, 1);
 * assert.equal(await policy.execute(() => Promise.reject(new Error("down"))), "cached");
 * assert.equal(await wrap().execute(({ attempt }) => attempt), 1);
 * ```
 */
export function wrap<R = never>(...policies: Policy<R>[]): WrappedPolicy<R> {
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i] as unknown;
    if (
      policy === null || typeof policy !== "object" ||
      typeof (policy as { execute?: unknown }).execute !== "function"
    ) {
      typeError("wrap policies", `policies[${i}]`, "a Policy", policy);
    }
  }
  return new Wrapped<R>(policies.slice());
}

class Wrapped<R> implements WrappedPolicy<R> {
  readonly #policies: Policy<R>[];
  readonly #last: number;

  constructor(policies: Policy<R>[]) {
    this.#policies = policies;
    this.#last = policies.length - 1;
  }

  get policies(): readonly Policy<unknown>[] {
    return this.#policies.slice();
  }

  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T | R> {
    // Checked once here, so that no policy runs (takes a slot, retries...)
    // for a call that cannot start.
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context;
    if (this.#last < 0) return invoke(fn, context);
    return this.#run(0, fn, options);
  }

  #run<T>(
    index: number,
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options: PolicyExecuteOptions | undefined,
  ): Promise<T | R> {
    const policy = this.#policies[index] as Policy<R>;
    try {
      if (index === this.#last) return policy.execute(fn, options);
      return policy.execute<T | R>(
        (context) => this.#run(index + 1, fn, context),
        options,
      );
    } catch (error) {
      // A policy of the user's own that throws instead of rejecting.
      return Promise.reject(error);
    }
  }
}
