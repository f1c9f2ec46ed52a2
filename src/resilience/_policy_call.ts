/**
 * Shared entry checks of the policies of this folder: validates the
 * arguments of `execute` without throwing, and reports observer errors.
 *
 * @module
 */

import { invalidMessage } from "../core/_validate.ts";
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
    return invalid("options", "an object", options);
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
