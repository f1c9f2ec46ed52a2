import assert from "node:assert/strict";
import { CountWindowStrategy } from "../../../src/resilience/breaker/count_window_strategy.ts";
import { assertBadOptions, assertBadSnapshots } from "./_strategy_support.ts";
import { BAD_NUMBERS } from "../../_support.ts";

Deno.test("CountWindowStrategy opens once the window holds minimumThroughput calls at the ratio", () => {
  const s = new CountWindowStrategy({
    failureRatio: 0.5,
    windowSize: 4,
    minimumThroughput: 4,
  });
  assert.equal(s.usesTime, false);
  s.recordSuccess(0);
  s.recordSuccess(0);
  assert.equal(s.recordFailure(0), false); // 3 calls: below the minimum
  assert.equal(s.recordFailure(0), true); // 2 of 4
  assert.deepEqual(s.window(0), { calls: 4, failures: 2 });
});

Deno.test("CountWindowStrategy slides: the oldest outcome leaves the window", () => {
  const s = new CountWindowStrategy({ failureRatio: 0.75, windowSize: 4 });
  assert.equal(s.minimumThroughput, 4);
  assert.equal(s.recordFailure(0), false);
  s.recordSuccess(0);
  s.recordSuccess(0);
  assert.equal(s.recordFailure(0), false); // F S S F: 2 of 4
  assert.equal(s.recordFailure(0), false); // S S F F: 2 of 4
  assert.equal(s.recordFailure(0), true); // S F F F: 3 of 4 = 0.75
  assert.deepEqual(s.snapshot(0), { kind: "count", outcomes: [0, 1, 1, 1] });
});

Deno.test("CountWindowStrategy snapshots oldest first and restores into a smaller window", () => {
  const s = new CountWindowStrategy({ windowSize: 3, minimumThroughput: 1 });
  s.recordSuccess(0);
  s.recordFailure(0);
  s.recordSuccess(0);
  s.recordSuccess(0);
  const snapshot = s.snapshot(0);
  assert.deepEqual(snapshot, { kind: "count", outcomes: [1, 0, 0] });
  const small = new CountWindowStrategy({
    windowSize: 2,
    minimumThroughput: 1,
  });
  small.restore(snapshot, 0);
  assert.deepEqual(small.window(0), { calls: 2, failures: 0 });
  const large = new CountWindowStrategy({
    windowSize: 5,
    minimumThroughput: 5,
  });
  large.restore(snapshot, 0);
  assert.deepEqual(large.window(0), { calls: 3, failures: 1 });
  large.recordSuccess(0);
  assert.equal(large.recordFailure(0), false); // 2 of 5 < 0.5
  large.reset();
  assert.deepEqual(large.window(0), { calls: 0, failures: 0 });
});

Deno.test("CountWindowStrategy rejects bad options with the option and value named", () => {
  assertBadOptions([
    ...BAD_NUMBERS.map((v): [() => unknown, string] => [
      () => new CountWindowStrategy({ windowSize: v }),
      "windowSize",
    ]),
    ...BAD_NUMBERS.map((v): [() => unknown, string] => [
      () => new CountWindowStrategy({ minimumThroughput: v, windowSize: 10 }),
      "minimumThroughput",
    ]),
    ...BAD_NUMBERS.map((v): [() => unknown, string] => [
      () => new CountWindowStrategy({ failureRatio: v }),
      "failureRatio",
    ]),
  ]);
  assert.throws(
    () => new CountWindowStrategy({ windowSize: 5, minimumThroughput: 6 }),
    {
      name: "RangeError",
      message:
        "Cannot create the breaker strategy as 'minimumThroughput' must be an integer <= windowSize (5): current value is 6",
    },
  );
  assert.throws(
    () => new CountWindowStrategy({ failureRatio: "1" as never }),
    TypeError,
  );
  assert.throws(() => new CountWindowStrategy(3 as never), TypeError);
});

Deno.test("CountWindowStrategy.restore() rejects snapshots of another kind or shape", () => {
  assertBadSnapshots(new CountWindowStrategy(), [
    [{ kind: "time", buckets: [] }, TypeError],
    [{ kind: "count", outcomes: "1" }, TypeError],
    [{ kind: "count", outcomes: [0, 2] }, TypeError],
  ]);
});
