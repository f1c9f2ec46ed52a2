/**
 * Shared internals of the policies: the never-aborting signal used when a
 * caller passes none (so the success path allocates no `AbortController`),
 * and the conversion of execute options into a {@linkcode PolicyContext}.
 *
 * @module
 */

import type { PolicyContext, PolicyExecuteOptions } from "./policy.ts";

/** A signal that never aborts; nothing may keep a listener on it. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** The context of a call made without options. */
export const DEFAULT_CONTEXT: PolicyContext = Object.freeze({
  signal: NEVER_ABORTED,
  attempt: 1,
});

/**
 * The context a policy passes to `fn` when it neither changes the signal nor
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
