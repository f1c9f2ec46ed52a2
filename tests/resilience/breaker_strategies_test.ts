import assert from "node:assert/strict";
import {
  type BreakerStrategySnapshot,
  ConsecutiveFailuresStrategy,
  CountWindowStrategy,
  TimeWindowStrategy,
} from "../../src/resilience/breaker_strategies.ts";

const BAD = [0, -1, 1.5, NaN, Infinity];

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

Deno.test("CountWindowStrategy meets the ratio exactly at the boundary", () => {
  const s = new CountWindowStrategy({
    failureRatio: 0.75,
    windowSize: 4,
    minimumThroughput: 4,
  });
  s.recordSuccess(0);
  s.recordFailure(0);
  s.recordFailure(0);
  assert.equal(s.recordFailure(0), true); // 3 of 4 = 0.75
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

Deno.test("strategies reject bad options with the option and value named", () => {
  const cases: [() => unknown, string][] = [];
  for (const v of BAD) {
    cases.push([
      () => new ConsecutiveFailuresStrategy({ threshold: v }),
      "threshold",
    ]);
    cases.push([
      () => new CountWindowStrategy({ windowSize: v }),
      "windowSize",
    ]);
    cases.push([
      () => new CountWindowStrategy({ minimumThroughput: v, windowSize: 10 }),
      "minimumThroughput",
    ]);
    if (v !== 1.5) {
      cases.push([() => new TimeWindowStrategy({ windowMs: v }), "windowMs"]);
    }
    cases.push([() => new TimeWindowStrategy({ buckets: v }), "buckets"]);
    cases.push([
      () => new TimeWindowStrategy({ minimumThroughput: v }),
      "minimumThroughput",
    ]);
  }
  for (const v of [0, -1, 1.5, NaN, Infinity]) {
    cases.push([
      () => new CountWindowStrategy({ failureRatio: v }),
      "failureRatio",
    ]);
    cases.push([
      () => new TimeWindowStrategy({ failureRatio: v }),
      "failureRatio",
    ]);
  }
  for (const [make, option] of cases) {
    assert.throws(make, (e: unknown) => {
      assert.ok(e instanceof RangeError, String(e));
      assert.match(
        e.message,
        new RegExp(
          `^Cannot create the breaker strategy as '${option}' must be .+: current value is `,
        ),
      );
      return true;
    });
  }
  // 1.5 windows are a bad windowSize but a fine windowMs.
  assert.equal(new TimeWindowStrategy({ windowMs: 1.5 }).windowMs, 1.5);
  assert.throws(
    () => new CountWindowStrategy({ windowSize: 5, minimumThroughput: 6 }),
    {
      name: "RangeError",
      message:
        "Cannot create the breaker strategy as 'minimumThroughput' must be an integer <= windowSize (5): current value is 6",
    },
  );
  assert.throws(
    () => new ConsecutiveFailuresStrategy({ threshold: "3" as never }),
    {
      name: "TypeError",
      message:
        "Cannot create the breaker strategy as 'threshold' must be a number: current value is \"3\"",
    },
  );
  assert.throws(() => new TimeWindowStrategy(null as never), TypeError);
  assert.throws(() => new CountWindowStrategy(3 as never), TypeError);
});

Deno.test("strategies reject snapshots of another kind or shape", () => {
  const bad: [
    { restore(s: BreakerStrategySnapshot, n: number): void },
    unknown,
    ErrorConstructor,
  ][] = [
    [
      new ConsecutiveFailuresStrategy(),
      { kind: "count", outcomes: [] },
      TypeError,
    ],
    [new ConsecutiveFailuresStrategy(), null, TypeError],
    [
      new ConsecutiveFailuresStrategy(),
      { kind: "consecutive", failures: -1 },
      RangeError,
    ],
    [
      new ConsecutiveFailuresStrategy(),
      { kind: "consecutive", failures: 1.5 },
      RangeError,
    ],
    [new CountWindowStrategy(), { kind: "count", outcomes: "1" }, TypeError],
    [new CountWindowStrategy(), { kind: "count", outcomes: [0, 2] }, TypeError],
    [new TimeWindowStrategy(), { kind: "time", buckets: {} }, TypeError],
    [new TimeWindowStrategy(), { kind: "time", buckets: [[0, 1]] }, TypeError],
    [
      new TimeWindowStrategy(),
      { kind: "time", buckets: [[0, 1, 2]] },
      RangeError,
    ],
    [
      new TimeWindowStrategy(),
      { kind: "time", buckets: [[-1, 1, 0]] },
      RangeError,
    ],
    [
      new TimeWindowStrategy(),
      { kind: "time", buckets: [[0, NaN, 0]] },
      RangeError,
    ],
  ];
  for (const [strategy, snapshot, type] of bad) {
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
});
