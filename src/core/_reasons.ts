/**
 * The reasons pledge creates itself, each a `DOMException` as the platform
 * creates them: `"AbortError"` when work is stopped (as
 * `AbortController.abort()`), `"TimeoutError"` when a deadline passes (as
 * `AbortSignal.timeout()`). A caller's own `signal.reason` is never replaced
 * by one of these.
 *
 * @module
 */

/** An `"AbortError"` `DOMException`; the message defaults to the platform's. */
export function abortError(
  message = "This operation was aborted",
): DOMException {
  return new DOMException(message, "AbortError");
}

/** A `"TimeoutError"` `DOMException` for a deadline of `ms` milliseconds. */
export function timeoutError(ms: number): DOMException {
  return new DOMException(
    `The operation timed out after ${ms} ms`,
    "TimeoutError",
  );
}

/**
 * An `"AbortError"` `DOMException` for work whose result is no longer
 * wanted because another task decided the outcome (a sibling failed, a rival
 * won).
 */
export function decidedError(): DOMException {
  return abortError(
    "The operation was aborted as its outcome was decided by another task",
  );
}
