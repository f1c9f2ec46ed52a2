/**
 * Thenable detection, as the promise specification does it.
 *
 * @module
 */

/**
 * Whether `x` is an object or function with a callable `then`. Reads `then`
 * once; use {@linkcode thenOf} where the function itself is needed, so that
 * `then` is read exactly once (a getter may count, throw or change).
 */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return ((typeof x === "object" && x !== null) || typeof x === "function") &&
    typeof (x as { then?: unknown }).then === "function";
}

/**
 * The `then` method of `x` when it is callable, else `undefined`. Reads
 * `then` exactly once; a throwing getter throws to the caller, which must
 * turn it into a rejection.
 */
export function thenOf(
  x: unknown,
): ((onFulfilled?: unknown, onRejected?: unknown) => unknown) | undefined {
  if ((typeof x !== "object" || x === null) && typeof x !== "function") {
    return undefined;
  }
  const then = (x as { then?: unknown }).then;
  return typeof then === "function"
    ? then as (onFulfilled?: unknown, onRejected?: unknown) => unknown
    : undefined;
}
