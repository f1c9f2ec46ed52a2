import assert from "node:assert/strict";
import { ConsecutiveFailuresStrategy } from "../../../src/resilience/breaker/consecutive_failures_strategy.ts";
import { assertBadOptions, assertBadSnapshots } from "./_strategy_support.ts";
import { BAD_NUMBERS } from "../../_support.ts";

Deno.test("ConsecutiveFailuresStrategy opens on the threshold-th failure in a row", () => {
  const s = new ConsecutiveFailuresStrategy({ threshold: 3 });
  assert.equal(s.usesTime, false);
  assert.equal(s.recordFailure(0), false);
  assert.equal(s.recordFailure(0), false);
  s.recordSuccess(0);
  assert.deepEqual(s.window(0), { calls: 0, failures: 0 });
  assert.equal(s.recordFailure(0), false);
  assert.equal(s.recordFailure(0), false);
  assert.equal(s.recordFailure(0), true);
  assert.deepEqual(s.snapshot(0), { kind: "consecutive", failures: 3 });
  s.reset();
  assert.deepEqual(s.window(0), { calls: 0, failures: 0 });
});

Deno.test("ConsecutiveFailuresStrategy defaults to a threshold of 5", () => {
  const s = new ConsecutiveFailuresStrategy();
  assert.equal(s.threshold, 5);
  for (let i = 0; i < 4; i++) assert.equal(s.recordFailure(0), false);
  assert.equal(s.recordFailure(0), true);
});

Deno.test("ConsecutiveFailuresStrategy restores a snapshot", () => {
  const s = new ConsecutiveFailuresStrategy({ threshold: 3 });
  s.restore({ kind: "consecutive", failures: 2 }, 0);
  assert.equal(s.recordFailure(0), true);
});

Deno.test("ConsecutiveFailuresStrategy rejects bad options with the option and value named", () => {
  assertBadOptions(
    BAD_NUMBERS.map((
      v,
    ) => [
      () => new ConsecutiveFailuresStrategy({ threshold: v }),
      "threshold",
    ]),
  );
  assert.throws(
    () => new ConsecutiveFailuresStrategy({ threshold: "3" as never }),
    {
      name: "TypeError",
      message:
        "Cannot create the breaker strategy as 'threshold' must be a number: current value is \"3\"",
    },
  );
  assert.throws(
    () => new ConsecutiveFailuresStrategy(null as never),
    TypeError,
  );
});

Deno.test("ConsecutiveFailuresStrategy.restore() rejects snapshots of another kind or shape", () => {
  assertBadSnapshots(new ConsecutiveFailuresStrategy(), [
    [{ kind: "count", outcomes: [] }, TypeError],
    [null, TypeError],
    [{ kind: "consecutive", failures: -1 }, RangeError],
    [{ kind: "consecutive", failures: 1.5 }, RangeError],
  ]);
});
