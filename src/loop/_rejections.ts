/**
 * Where a `SimulatedPromise` reports that it was rejected with no handler,
 * or handled later (ECMA-262's HostPromiseRejectionTracker): the tracker an
 * `EventLoop` registers for itself as a promise host. Hosts with no tracker
 * (any other `MicrotaskQueue`) track nothing.
 *
 * @module
 */

/** Receives `"reject"` (no handler yet) and `"handle"` (a handler came). */
export type RejectionTracker = (
  promise: object,
  operation: "reject" | "handle",
  reason: unknown,
) => void;

const trackers = new WeakMap<object, RejectionTracker>();

/** Registers the tracker of `host`. */
export function setRejectionTracker(
  host: object,
  tracker: RejectionTracker,
): void {
  trackers.set(host, tracker);
}

/** Reports to the tracker of `host`, if it has one. */
export function trackRejection(
  host: object,
  promise: object,
  operation: "reject" | "handle",
  reason: unknown,
): void {
  trackers.get(host)?.(promise, operation, reason);
}
