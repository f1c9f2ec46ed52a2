/**
 * Validation shared by the breaker strategies: their options and the
 * snapshots they restore.
 *
 * @module
 */

import {
  assertInteger,
  assertNumber,
  rangeError,
  typeError,
} from "../../core/_validate.ts";
import type { BreakerStrategySnapshot } from "./breaker_strategy.ts";

/** The action of a strategy's constructor, for error messages. */
export const CREATE = "create the breaker strategy";
/** The action of `restore`, for error messages. */
export const RESTORE = "restore the breaker strategy";

/** Asserts a failure ratio: a number in (0, 1]. */
export function assertRatio(
  option: string,
  value: unknown,
): asserts value is number {
  assertNumber(CREATE, option, value);
  if (!(value > 0 && value <= 1)) {
    rangeError(CREATE, option, "a number > 0 and <= 1", value);
  }
}

/** Asserts a snapshot of `kind` and returns it as a record. */
export function snapshotOf(
  snapshot: unknown,
  kind: BreakerStrategySnapshot["kind"],
): Record<string, unknown> {
  if (
    snapshot === null || typeof snapshot !== "object" ||
    (snapshot as { kind?: unknown }).kind !== kind
  ) {
    typeError(RESTORE, "snapshot", `a snapshot of kind "${kind}"`, snapshot);
  }
  return snapshot as Record<string, unknown>;
}

/** Asserts a count in a snapshot: an integer >= 0. */
export function assertCount(option: string, value: unknown): number {
  assertInteger(RESTORE, option, value, 0);
  return value;
}
