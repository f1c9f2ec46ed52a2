/**
 * Domain errors of pledge. Each extends `Error`, sets `name`, carries
 * structured read-only fields and passes `cause` through.
 *
 * Timeouts are not here: they reject with a `DOMException` named
 * `"TimeoutError"`, as `AbortSignal.timeout` does. Aborts reject with
 * `signal.reason` unchanged.
 *
 * @module
 */

/**
 * An operation was attempted in a state that does not allow it: reading
 * `value` of a pending future, completing a completer twice.
 *
 * @example Reading the value of a pending future
 * ```ts
 * import { Completer, InvalidStateError } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const completer = new Completer<number>();
 * assert.throws(() => completer.future.value, InvalidStateError);
 * ```
 */
export class InvalidStateError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was attempted and why it is not allowed.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidStateError";
  }
}

/**
 * A virtual clock or event loop was asked to run until something settles, but
 * nothing it holds can make progress. The message names what is pending.
 *
 * @example Running a promise that nothing will settle
 * ```ts
 * import { DeadlockError, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * await assert.rejects(
 *   clock.runUntilSettled(new Promise(() => {})),
 *   DeadlockError,
 * );
 * ```
 */
export class DeadlockError extends Error {
  /** The number of timers still pending when progress stopped. */
  readonly pendingTimers: number;
  /**
   * Creates the error.
   *
   * @param message The description of the deadlock.
   * @param pendingTimers The number of timers still pending.
   */
  constructor(message: string, pendingTimers: number) {
    super(message);
    this.name = "DeadlockError";
    this.pendingTimers = pendingTimers;
  }
}

/**
 * A virtual clock or event loop ran more callbacks than its `loopLimit` in one
 * drive: a runaway interval or a task that keeps rescheduling itself.
 *
 * @example A runaway interval
 * ```ts
 * import { LoopLimitError, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock({ loopLimit: 100 });
 * const rearm = () => clock.setTimeout(rearm, 1);
 * rearm();
 * assert.throws(() => clock.runAll(), LoopLimitError);
 * clock.reset();
 * ```
 */
export class LoopLimitError extends Error {
  /** The limit that was reached. */
  readonly loopLimit: number;
  /**
   * Creates the error.
   *
   * @param message The description of what ran away.
   * @param loopLimit The limit that was reached.
   */
  constructor(message: string, loopLimit: number) {
    super(message);
    this.name = "LoopLimitError";
    this.loopLimit = loopLimit;
  }
}
