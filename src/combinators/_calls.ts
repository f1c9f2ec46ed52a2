/**
 * What `debounce` and `throttle` share: the callers waiting for the next
 * invocation (one future shared by all of them, run with the latest
 * arguments), the invocations in flight, cancellation, and the callable
 * object they return.
 *
 * @module
 */

import { Future } from "../future/future.ts";
import {
  detachReaction,
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import { abortError } from "../core/_reasons.ts";
import { thenOf } from "../core/_thenable.ts";

/** Does nothing: marks a rejection as handled. */
function noop(): void {}

const futureThen = Future.prototype.then;

/** Runs `fn` and tracks which callers wait for which invocation. */
export class Calls<A extends unknown[], R> {
  readonly #fn: (...args: A) => R | PromiseLike<R>;
  #waiting: Future<R> | undefined = undefined;
  #args: A | undefined = undefined;
  #count = 0;
  /**
   * The futures of invocations running, each with the pending `Future` its
   * `fn` returned and the reaction put on it (taken off by `cancel()`, so a
   * long-lived future keeps nothing of a cancelled call), if it returned one.
   */
  readonly #inFlight = new Map<Future<R>, Future<unknown>[] | undefined>();

  constructor(fn: (...args: A) => R | PromiseLike<R>) {
    this.#fn = fn;
  }

  /** The number of callers waiting for an invocation not started yet. */
  get queued(): number {
    return this.#count;
  }

  /** Joins the next invocation, which will run with these (latest) args. */
  join(args: A): Future<R> {
    this.#args = args;
    this.#count++;
    return this.#waiting ??= pendingFuture<R>();
  }

  /** Runs the next invocation now, if anyone waits for it. */
  runWaiting(): Future<R> | undefined {
    const waiting = this.#waiting;
    if (waiting === undefined) return undefined;
    const args = this.#args!;
    this.#waiting = this.#args = undefined;
    this.#count = 0;
    return this.invoke(args, waiting);
  }

  /** Runs `fn` now; its outcome settles `out` (a new future by default). */
  invoke(args: A, out: Future<R> = pendingFuture<R>()): Future<R> {
    let result;
    let then;
    try {
      result = this.#fn(...args);
      then = thenOf(result);
    } catch (error) {
      rejectFuture(out, error);
      return out;
    }
    if (then === undefined) {
      resolveFuture(out, result);
      return out;
    }
    // Settle `out` from callbacks rather than by adopting `result`, so that
    // `cancel()` can still reject it while `result` is pending.
    const inFlight = this.#inFlight;
    inFlight.set(out, undefined);
    try {
      const reaction = then.call(result, (value: unknown) => {
        inFlight.delete(out);
        resolveFuture(out, value);
      }, (error: unknown) => {
        inFlight.delete(out);
        rejectFuture(out, error);
      });
      if (then === futureThen && result instanceof Future) {
        inFlight.set(out, [result, reaction as Future<unknown>]);
      }
    } catch (error) {
      inFlight.delete(out);
      rejectFuture(out, error); // a foreign `then` that throws rejects
    }
    return out;
  }

  /**
   * Rejects every caller whose future has not settled yet. These rejections
   * are marked handled: a caller that ignored its future (fire and forget)
   * is not reported as an unhandled rejection because of a cancel.
   */
  cancel(reason: unknown): void {
    const waiting = this.#waiting;
    this.#waiting = this.#args = undefined;
    this.#count = 0;
    if (waiting !== undefined) cancelFuture(waiting, reason);
    for (const [out, link] of this.#inFlight) {
      if (link !== undefined) detachReaction(link[0]!, link[1]!);
      cancelFuture(out, reason);
    }
    this.#inFlight.clear();
  }
}

function cancelFuture(out: Future<unknown>, reason: unknown): void {
  out.then(undefined, noop);
  rejectFuture(out, reason);
}

/** The reason of `cancel()` without an argument. */
function cancelledReason(): DOMException {
  return abortError("The call was cancelled");
}

/** What the callable returned by `debounce` or `throttle` does. */
export interface Policy<A extends unknown[], R> {
  call(args: A): Future<R>;
  cancel(reason: unknown): void;
  flush(): Future<R> | undefined;
  readonly queued: number;
}

/** The callable returned by `debounce` and `throttle`. */
export interface Controlled<A extends unknown[], R> extends Disposable {
  (...args: A): Future<R>;
  cancel(reason?: unknown): void;
  flush(): Future<R> | undefined;
  readonly queued: number;
}

/** Builds the callable object over a policy. */
export function controlled<A extends unknown[], R>(
  policy: Policy<A, R>,
): Controlled<A, R> {
  const call = (...args: A): Future<R> => policy.call(args);
  const cancel = (reason?: unknown): void =>
    policy.cancel(reason === undefined ? cancelledReason() : reason);
  return Object.defineProperties(call, {
    cancel: { value: cancel },
    flush: { value: (): Future<R> | undefined => policy.flush() },
    queued: { get: (): number => policy.queued },
    [Symbol.dispose]: { value: (): void => policy.cancel(cancelledReason()) },
  }) as Controlled<A, R>;
}
