/**
 * The producer's side of a `Future`, for pledge's own APIs and `Completer`:
 * create a pending future, then settle it from outside. `future.ts`
 * installs these functions when it loads (they reach the class's private
 * state), so a module that imports them imports `Future` from `future.ts`
 * too.
 *
 * @module
 */

import type { Future } from "./future.ts";

/** Creates a pending future, settled later by the functions below. */
export let pendingFuture: <T>() => Future<T>;

/**
 * Fulfils `future` with `value`, or makes it adopt `value` when it is a
 * thenable. Does nothing once the future is settled.
 */
export let resolveFuture: <T>(future: Future<T>, value: unknown) => void;

/**
 * Rejects `future` with `reason`. Does nothing once the future is settled.
 * Unless a reaction is attached in the same turn, the rejection is reported
 * as unhandled, as the host reports promises.
 */
export let rejectFuture: <T>(future: Future<T>, reason: unknown) => void;

/**
 * Rejects `future` with `reason` and marks the rejection handled: for
 * rejections the caller asked for (a cancelled task, a cleared queue).
 * Nothing is queued and nothing is reported; reactions attached later still
 * see the rejection.
 */
export let rejectHandled: <T>(future: Future<T>, reason: unknown) => void;

/**
 * Removes `reaction` (a future returned by `future.then(...)`) from the
 * reactions of a still-pending `future`, so that giving up on a long-lived
 * future keeps nothing of the wait. Does nothing once `future` is settled.
 */
export let detachReaction: <T, R>(
  future: Future<T>,
  reaction: Future<R>,
) => void;

// The values `future.ts` stores (it keeps its own copies of them).
/** {@linkcode stateOf} a pending future. */
export const PENDING = 0;
/** {@linkcode stateOf} a fulfilled future. */
export const FULFILLED = 1;
/** {@linkcode stateOf} a rejected future. */
export const REJECTED = 2;

/**
 * The state of `future` ({@linkcode PENDING}, {@linkcode FULFILLED} or
 * {@linkcode REJECTED}), read without the `state` getter (a property a
 * caller could shadow on the instance).
 */
export let stateOf: (future: Future<unknown>) => number;

/** The value or the reason of a settled `future`, read without a getter. */
export let outcomeOf: (future: Future<unknown>) => unknown;

/** Called once, by `future.ts`, with the functions above. */
export function installSettlers(settlers: {
  pendingFuture: <T>() => Future<T>;
  resolveFuture: <T>(future: Future<T>, value: unknown) => void;
  rejectFuture: <T>(future: Future<T>, reason: unknown) => void;
  rejectHandled: <T>(future: Future<T>, reason: unknown) => void;
  detachReaction: <T, R>(future: Future<T>, reaction: Future<R>) => void;
  stateOf: (future: Future<unknown>) => number;
  outcomeOf: (future: Future<unknown>) => unknown;
}): void {
  pendingFuture = settlers.pendingFuture;
  resolveFuture = settlers.resolveFuture;
  rejectFuture = settlers.rejectFuture;
  rejectHandled = settlers.rejectHandled;
  detachReaction = settlers.detachReaction;
  stateOf = settlers.stateOf;
  outcomeOf = settlers.outcomeOf;
}
