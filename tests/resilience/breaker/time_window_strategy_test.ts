import assert from "node:assert/strict";
import { TimeWindowStrategy } from "../../../src/resilience/breaker/time_window_strategy.ts";
import { assertBadOptions, assertBadSnapshots } from "./_strategy_support.ts";
import { BAD_NUMBERS } from "../../_support.ts";

Deno.test("TimeWindowStrategy drops outcomes a bucket at a time, at exact times", () => {
  const s = new TimeWindowStrategy({
    failureRatio: 0.5,
    windowMs: 1000,
    buckets: 10,
    minimumThroughput: 4,
  });
  assert.equal(s.usesTime, true);
  assert.equal(s.recordFailure(0), false);
  s.recordSuccess(500);
  s.recordSuccess(600);
  assert.deepEqual(s.window(999), { calls: 3, failures: 1 });
  // At 1000 the bucket [0, 100) leaves the window.
  assert.deepEqual(s.window(1000), { calls: 2, failures: 0 });
  assert.equal(s.recordFailure(1000), false); // 3 calls: below the minimum
  assert.equal(s.recordFailure(1001), true); // 2 of 4
  assert.deepEqual(s.window(1599), { calls: 3, failures: 2 });
  assert.deepEqual(s.window(1600), { calls: 2, failures: 2 });
  // A jump longer than the window empties it.
  assert.deepEqual(s.window(5000), { calls: 0, failures: 0 });
});

Deno.test("TimeWindowStrategy uses its defaults", () => {
  const s = new TimeWindowStrategy();
  assert.equal(s.failureRatio, 0.5);
  assert.equal(s.windowMs, 30_000);
  assert.equal(s.buckets, 10);
  assert.equal(s.minimumThroughput, 20);
  for (let i = 0; i < 19; i++) assert.equal(s.recordFailure(i * 100), false);
  assert.equal(s.recordFailure(1900), true);
});

Deno.test("TimeWindowStrategy counts a time before its newest bucket in that bucket", () => {
  const s = new TimeWindowStrategy({
    windowMs: 100,
    buckets: 2,
    minimumThroughput: 1,
  });
  s.recordSuccess(120);
  s.recordFailure(10); // the clock went back: counted in [100, 150)
  assert.deepEqual(s.window(120), { calls: 2, failures: 1 });
  assert.deepEqual(s.window(200), { calls: 0, failures: 0 });
});

Deno.test("TimeWindowStrategy snapshots relative ages and restores them at another time", () => {
  const s = new TimeWindowStrategy({
    windowMs: 1000,
    buckets: 4,
    minimumThroughput: 1,
  });
  s.recordFailure(10);
  s.recordSuccess(300);
  s.recordSuccess(310);
  s.recordFailure(800);
  const snapshot = s.snapshot(900);
  assert.deepEqual(snapshot, {
    kind: "time",
    buckets: [[0, 1, 1], [2, 2, 0], [3, 1, 1]],
  });
  const restored = new TimeWindowStrategy({
    windowMs: 1000,
    buckets: 4,
    minimumThroughput: 1,
  });
  restored.restore(JSON.parse(JSON.stringify(snapshot)), 100_050);
  assert.deepEqual(restored.window(100_050), { calls: 4, failures: 2 });
  // The oldest bucket leaves at the next bucket boundary.
  assert.deepEqual(restored.window(100_250), { calls: 3, failures: 1 });
  const shorter = new TimeWindowStrategy({
    windowMs: 500,
    buckets: 2,
    minimumThroughput: 1,
  });
  shorter.restore(snapshot, 0);
  assert.deepEqual(shorter.window(0), { calls: 1, failures: 1 });
});

Deno.test("TimeWindowStrategy rejects bad options with the option and value named", () => {
  assertBadOptions([
    ...BAD_NUMBERS.filter((v) => v !== 1.5).map((
      v,
    ): [() => unknown, string] => [
      () => new TimeWindowStrategy({ windowMs: v }),
      "windowMs",
    ]),
    ...BAD_NUMBERS.map((v): [() => unknown, string] => [
      () => new TimeWindowStrategy({ buckets: v }),
      "buckets",
    ]),
    ...BAD_NUMBERS.map((v): [() => unknown, string] => [
      () => new TimeWindowStrategy({ minimumThroughput: v }),
      "minimumThroughput",
    ]),
    ...BAD_NUMBERS.map((v): [() => unknown, string] => [
      () => new TimeWindowStrategy({ failureRatio: v }),
      "failureRatio",
    ]),
  ]);
  // A window of 1.5 ms is fine.
  assert.equal(new TimeWindowStrategy({ windowMs: 1.5 }).windowMs, 1.5);
  assert.throws(
    () => new TimeWindowStrategy({ windowMs: "1" as never }),
    TypeError,
  );
  assert.throws(() => new TimeWindowStrategy(null as never), TypeError);
});

Deno.test("TimeWindowStrategy.restore() rejects snapshots of another kind or shape", () => {
  assertBadSnapshots(new TimeWindowStrategy(), [
    [{ kind: "consecutive", failures: 0 }, TypeError],
    [{ kind: "time", buckets: {} }, TypeError],
    [{ kind: "time", buckets: [[0, 1]] }, TypeError],
    [{ kind: "time", buckets: [[0, 1, 2]] }, RangeError],
    [{ kind: "time", buckets: [[-1, 1, 0]] }, RangeError],
    [{ kind: "time", buckets: [[0, NaN, 0]] }, RangeError],
  ]);
});
