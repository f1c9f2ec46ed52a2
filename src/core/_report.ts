/**
 * Reporting errors nobody can catch (a throwing observer, a callback run by a
 * timer): rethrown on a microtask, so the host reports them as it reports any
 * uncaught error, and the state machine that called the observer goes on.
 *
 * @module
 */

/** Rethrows `error` on a microtask. */
export function reportError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * Calls `observer(event)`; what it throws is reported, never thrown.
 *
 * @returns Nothing: observers cannot break the caller.
 */
export function notify<E>(observer: (event: E) => void, event: E): void {
  try {
    observer(event);
  } catch (error) {
    reportError(error);
  }
}
