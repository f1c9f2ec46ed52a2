/**
 * Test helpers for the breaker strategies: tables of bad options and of bad
 * snapshots, checked for the error class and the message template.
 *
 * @module
 */

import assert from "node:assert/strict";
import type {
  BreakerStrategy,
  BreakerStrategySnapshot,
} from "../../../src/resilience/breaker/breaker_strategy.ts";

/** Asserts that each `make` throws a RangeError naming its option. */
export function assertBadOptions(cases: [() => unknown, string][]): void {
  for (const [make, option] of cases) {
    assert.throws(make, (e: unknown) => {
      assert.ok(e instanceof RangeError, `${option}: ${e}`);
      assert.match(
        e.message,
        new RegExp(
          `^Cannot create the breaker strategy as '${option}' must be .+: current value is `,
        ),
      );
      return true;
    });
  }
}

/** Asserts that restoring each snapshot throws the given class. */
export function assertBadSnapshots(
  strategy: BreakerStrategy,
  cases: [unknown, ErrorConstructor][],
): void {
  for (const [snapshot, type] of cases) {
    assert.throws(
      () => strategy.restore(snapshot as BreakerStrategySnapshot, 0),
      (e: unknown) => {
        assert.ok(e instanceof type, `${JSON.stringify(snapshot)}: ${e}`);
        assert.match(
          (e as Error).message,
          /^Cannot restore the breaker strategy as '/,
        );
        return true;
      },
    );
  }
}
