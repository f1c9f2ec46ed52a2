/**
 * Watches a promise for the `runUntilSettled` drivers of `VirtualClock` and
 * `EventLoop`: they poll `settled` between virtual tasks, then `unwrap()`.
 *
 * @module
 */

import { assertFunction } from "../core/_validate.ts";

/** The outcome of a watched promise, readable synchronously. */
export class Settlement<T> {
  /** Whether the promise has settled. */
  settled = false;
  #ok = false;
  #result: unknown = undefined;

  /**
   * Starts watching `promise`.
   *
   * @throws {TypeError} When `promise` is not a thenable.
   */
  constructor(promise: PromiseLike<T>) {
    if (
      promise === null || typeof promise !== "object" ||
      typeof promise.then !== "function"
    ) {
      assertFunction("run until settled", "promise.then", promise?.then);
    }
    Promise.resolve(promise).then((v) => {
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
