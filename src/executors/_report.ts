/**
 * Reporting errors nobody can catch: rethrown on a microtask, so the host
 * reports them as it reports any uncaught error.
 *
 * @module
 */

/** Rethrows `error` on a microtask. */
export function reportError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
