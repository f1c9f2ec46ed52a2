/**
 * Watches a promise for the `runUntilSettled` drivers of `VirtualClock` and
 * `EventLoop`: they poll `settled` between virtual tasks, then `unwrap()`.
 *
 * @module
 */

import { thenOf } from "../core/_thenable.ts";
import { typeError } from "../core/_validate.ts";

/** The outcome of a watched promise, readable synchronously. */
export class Settlement<T> {
  /** Whether the promise has settled. */
  settled = false;
  #ok = false;
  #result: unknown = undefined;

  /**
   * Starts watching `promise`, reading its `then` once (as a promise
   * adopting a thenable does); a `then` that throws settles it as failed.
   * The watch handles the rejection: nothing is reported as unhandled.
   *
   * @throws {TypeError} When `promise` is not a thenable (or what its `then`
   *   getter throws).
   */
  constructor(promise: PromiseLike<T>) {
    const then = thenOf(promise);
    if (then === undefined) {
      const value = promise === null || promise === undefined
        ? undefined
        : (promise as { then?: unknown }).then;
      typeError("run until settled", "promise.then", "a function", value);
    }
    // The native resolve function adopts a thenable the value may be.
    new Promise<unknown>((resolve, reject) =>
      then.call(promise, resolve, reject)
    )
      .then((v) => {
        this.settled = this.#ok = true;
        this.#result = v;
      }, (e) => {
        this.settled = true;
        this.#result = e;
      });
  }

  /** Returns the value, or throws the reason, of the settled promise. */
  unwrap(): T {
    if (this.#ok) return this.#result as T;
    throw this.#result;
  }
}
