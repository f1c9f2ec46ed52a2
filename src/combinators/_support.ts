/**
 * Small helpers shared by the combinators: thenable detection and the abort
 * reasons they create (lazily, only when something must be aborted).
 *
 * @module
 */

/** Whether `x` is an object or function with a callable `then`. */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return ((typeof x === "object" && x !== null) || typeof x === "function") &&
    typeof (x as { then?: unknown }).then === "function";
}

/** The reason given to tasks whose result is no longer needed. */
export function decidedReason(): DOMException {
  return new DOMException(
    "The operation was aborted as its outcome was decided by another task",
    "AbortError",
  );
}

/** The reason of a timeout after `ms` milliseconds. */
export function timeoutError(ms: number): DOMException {
  return new DOMException(
    `The operation timed out after ${ms} ms`,
    "TimeoutError",
  );
}

/** Does nothing; marks a rejection as handled. */
export function noop(): void {}
