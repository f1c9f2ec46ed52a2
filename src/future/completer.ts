/**
 * `Completer<T>`: the producer side of a {@linkcode Future}.
 *
 * @module
 */

import { InvalidStateError } from "../core/errors.ts";
// Loads the class, which installs the settlers below.
import type { Future } from "./future.ts";
import "./future.ts";
import { pendingFuture, rejectFuture, resolveFuture } from "./_settle.ts";

// Completes `c` with `settle(c.future, outcome)` unless already completed
// (set by the class's static block: it reads private state).
let complete: <T>(
  c: Completer<T>,
  settle: (future: Future<T>, outcome: unknown) => void,
  outcome: unknown,
) => boolean;

/**
 * Creates a {@linkcode Future} and settles it later, like .NET's
 * `TaskCompletionSource`: the producer keeps the completer, consumers get
 * `completer.future`.
 *
 * `resolve` and `reject` throw {@linkcode InvalidStateError} on a second
 * completion; `tryResolve` and `tryReject` report it instead. Resolving with
 * a thenable completes the completer at once and lets the future adopt it.
 *
 * @typeParam T The type of the value.
 *
 * @example Completing once
 * ```ts
 * import { Completer, InvalidStateError } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const c = new Completer<string>();
 * c.resolve("a");
 * assert.equal(c.isCompleted, true);
 * assert.throws(() => c.resolve("b"), InvalidStateError);
 * assert.equal(c.tryReject(new Error("late")), false);
 * assert.equal(await c.future, "a");
 * ```
 */
export class Completer<T> {
  /** The future this completer settles. */
  readonly future: Future<T> = pendingFuture<T>();
  #completed = false;

  /**
   * Whether `resolve` or `reject` has been called (the future may still be
   * pending while it adopts a thenable).
   */
  get isCompleted(): boolean {
    return this.#completed;
  }

  /**
   * Fulfils the future with `value`, or makes it adopt `value` when it is a
   * thenable.
   *
   * @param value The value or thenable.
   * @throws {InvalidStateError} When already completed.
   *
   * @example Resolving
   * ```ts
   * import { Completer } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const c = new Completer<number>();
   * c.resolve(Promise.resolve(4));
   * assert.equal(await c.future, 4);
   * ```
   */
  resolve(value: T | PromiseLike<T>): void {
    if (!this.tryResolve(value)) {
      throw completed("resolve");
    }
  }

  /**
   * Rejects the future with `reason`.
   *
   * @param reason The reason.
   * @throws {InvalidStateError} When already completed.
   *
   * @example Rejecting
   * ```ts
   * import { Completer } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const c = new Completer<number>();
   * c.reject(new Error("nope"));
   * await assert.rejects(c.future, /nope/);
   * ```
   */
  reject(reason?: unknown): void {
    if (!this.tryReject(reason)) {
      throw completed("reject");
    }
  }

  /**
   * Like {@linkcode Completer.resolve}, but returns `false` instead of
   * throwing when already completed.
   *
   * @param value The value or thenable.
   * @returns Whether this call completed the completer.
   *
   * @example Racing producers
   * ```ts
   * import { Completer } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const c = new Completer<number>();
   * assert.equal(c.tryResolve(1), true);
   * assert.equal(c.tryResolve(2), false);
   * ```
   */
  tryResolve(value: T | PromiseLike<T>): boolean {
    return complete(this, resolveFuture, value);
  }

  /**
   * Like {@linkcode Completer.reject}, but returns `false` instead of
   * throwing when already completed.
   *
   * @param reason The reason.
   * @returns Whether this call completed the completer.
   *
   * @example Racing producers
   * ```ts
   * import { Completer } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const c = new Completer<number>();
   * c.resolve(1);
   * assert.equal(c.tryReject(new Error("late")), false);
   * ```
   */
  tryReject(reason?: unknown): boolean {
    return complete(this, rejectFuture, reason);
  }

  static {
    complete = (c, settle, outcome) => {
      if (c.#completed) return false;
      c.#completed = true;
      settle(c.future, outcome);
      return true;
    };
  }
}

// The error of a second completion.
function completed(verb: string): InvalidStateError {
  return new InvalidStateError(
    `Cannot ${verb} the completer as it is already completed`,
  );
}
