/**
 * The producer's side of a `Future`, for pledge's own APIs and `Completer`:
 * create a pending future, then settle it from outside. Import them from
 * here. They are declared in `future.ts` (its class sets them, as they reach
 * its private state), so a bundler that keeps one of them keeps `Future`.
 *
 * - `pendingFuture()` creates a pending future.
 * - `resolveFuture(future, value)` fulfils it, or makes it adopt `value`
 *   when that is a thenable; nothing once settled.
 * - `rejectFuture(future, reason)` rejects it; unless a reaction is attached
 *   in the same turn, the rejection is reported as unhandled, as the host
 *   reports promises.
 * - `rejectHandled(future, reason)` rejects it and marks the rejection
 *   handled: for rejections the caller asked for (a cancelled task, a
 *   cleared queue). Reactions attached later still see it.
 * - `detachReaction(future, reaction)` removes `reaction` (a future returned
 *   by `future.then(...)`) from a pending `future`, so that giving up on a
 *   long-lived future keeps nothing of the wait.
 * - `stateOf(future)` is its state, `PENDING`, `FULFILLED` or `REJECTED`,
 *   and `outcomeOf(future)` the value or reason of a settled one, read
 *   without the getters (properties a caller could shadow on the instance).
 *
 * @module
 */

export {
  detachReaction,
  outcomeOf,
  pendingFuture,
  rejectFuture,
  rejectHandled,
  resolveFuture,
  stateOf,
} from "./future.ts";

// The states `stateOf` returns: the values `future.ts` stores (it keeps its
// own copies, local to its hot paths).
/** `stateOf` a pending future. */
export const PENDING = 0;
/** `stateOf` a fulfilled future. */
export const FULFILLED = 1;
/** `stateOf` a rejected future. */
export const REJECTED = 2;
