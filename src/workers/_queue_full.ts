/**
 * The pool's `QueueFullError`, built in one place: the error's constructor
 * is changing to `{ concurrency, maxQueue, queued }`, and this is the one
 * line to adapt.
 *
 * @module
 */

import { QueueFullError } from "../core/errors.ts";

/** A `QueueFullError` for a pool of `size` workers. */
export function queueFullError(
  size: number,
  maxQueue: number,
  queued: number,
): QueueFullError {
  void size;
  return new QueueFullError(maxQueue, queued);
}
