/**
 * Shared entry checks of the policies of this folder: validates the
 * arguments of `execute` without throwing and the `clock` option, and
 * reports observer errors.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { invalidMessage, typeError } from "../core/_validate.ts";
import { contextOf, DEFAULT_CONTEXT } from "./_context.ts";
import type { PolicyContext, PolicyExecuteOptions } from "./policy.ts";

const ACTION = "execute the policy";

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
    return invalid("options", "an options object", options);
  }
  const signal = options.signal;
  if (signal === undefined) return contextOf(options);
  if (!(signal instanceof AbortSignal)) {
    return invalid("signal", "an AbortSignal", signal);
  }
  if (signal.aborted) return Promise.reject(signal.reason);
  return options.attempt !== undefined
    ? options as PolicyContext
    : contextOf(options);
}

/** Rethrows `error` on a microtask: an observer's error nobody can catch. */
export function report(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** Calls an observer; what it throws is reported, never thrown. */
export function notify<E>(observer: (event: E) => void, event: E): void {
  try {
    observer(event);
  } catch (error) {
    report(error);
  }
}

/** Checks a `clock` option: a `Clock`, or undefined for `systemClock`. */
export function clockOption(action: string, clock: unknown): Clock {
  if (clock === undefined) return systemClock;
  if (
    clock === null || typeof clock !== "object" ||
    typeof (clock as Clock).now !== "function" ||
    typeof (clock as Clock).setTimeout !== "function"
  ) {
    typeError(action, "clock", "a Clock", clock);
  }
  return clock as Clock;
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
