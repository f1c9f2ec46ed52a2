import assert from "node:assert/strict";
import { CircuitBreaker } from "../../../src/resilience/breaker/circuit_breaker.ts";
import type {
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
} from "../../../src/resilience/breaker/circuit_breaker_options.ts";
import { ConsecutiveFailuresStrategy } from "../../../src/resilience/breaker/consecutive_failures_strategy.ts";
import { CountWindowStrategy } from "../../../src/resilience/breaker/count_window_strategy.ts";
import {
  BulkheadRejectedError,
  CircuitOpenError,
  QueueFullError,
  RateLimitedError,
} from "../../../src/core/errors.ts";
import { Classifier } from "../../../src/resilience/classify.ts";
import { VirtualClock } from "../../../src/loop/virtual_clock.ts";
import { BAD_NUMBERS } from "../../_support.ts";
import { fail, refused, setup } from "./_breaker_support.ts";

Deno.test("CircuitBreaker.toJSON() restores through initialState on another clock", async () => {
  const { clock, breaker } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
  });
  await fail(breaker, 2);
  clock.tick(600);
  const saved = JSON.parse(JSON.stringify(breaker));
  assert.deepEqual(saved, {
    state: "open",
    remainingMs: 400,
    consecutiveOpenings: 1,
    strategy: { kind: "consecutive", failures: 2 },
  });
  const later = new VirtualClock({ startMs: 50_000 });
  const restored = new CircuitBreaker({
    clock: later,
    cooldownMs: 1000,
    strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
    initialState: saved as CircuitBreakerSnapshot,
  });
  await refused(restored, "open", 400);
  later.tick(400);
  assert.equal(restored.state, "half_open");
  await fail(restored);
  assert.equal(restored.stats.consecutiveOpenings, 2);
  assert.deepEqual(restored.toJSON(), {
    state: "open",
    remainingMs: 1000,
    consecutiveOpenings: 2,
    strategy: { kind: "consecutive", failures: 2 },
  });
});

Deno.test("CircuitBreaker restores half_open, isolated and a closed window", async () => {
  const clock = new VirtualClock();
  const halfOpen = new CircuitBreaker({
    clock,
    initialState: {
      state: "half_open",
      remainingMs: 0,
      consecutiveOpenings: 3,
      strategy: { kind: "consecutive", failures: 0 },
    },
  });
  assert.equal(halfOpen.state, "half_open");
  assert.equal(await halfOpen.execute(() => 1), 1);
  assert.equal(halfOpen.state, "closed");

  const isolated = new CircuitBreaker({
    clock,
    initialState: {
      state: "isolated",
      remainingMs: 0,
      consecutiveOpenings: 0,
      strategy: { kind: "consecutive", failures: 0 },
    },
  });
  await refused(isolated, "isolated", Infinity);

  const counted = new CircuitBreaker({
    clock,
    strategy: new CountWindowStrategy({ windowSize: 4 }),
    initialState: {
      state: "closed",
      remainingMs: 0,
      consecutiveOpenings: 0,
      strategy: { kind: "count", outcomes: [0, 1, 0] },
    },
  });
  await fail(counted); // S F S F: 2 of 4
  assert.equal(counted.state, "open");
});

Deno.test("CircuitBreaker never counts cancellations, and counts what shouldHandle says", async () => {
  const { breaker } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
  });
  const controller = new AbortController();
  const call = breaker.execute(
    ({ signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      ),
    { signal: controller.signal },
  );
  controller.abort(new Error("caller gave up")); // not an AbortError: still not counted
  await assert.rejects(call, { message: "caller gave up" });
  await assert.rejects(
    breaker.execute(() =>
      Promise.reject(new DOMException("stop", "AbortError"))
    ),
    { name: "AbortError" },
  );
  for (
    const local of [
      new BulkheadRejectedError(1, 0, 0),
      new RateLimitedError(5),
      new CircuitOpenError(5, "open"),
    ]
  ) {
    await assert.rejects(breaker.execute(() => Promise.reject(local)), local);
  }
  assert.equal(breaker.state, "closed");
  const permanent = Object.assign(new Error("bad request"), { status: 400 });
  await assert.rejects(
    breaker.execute(() => Promise.reject(permanent)),
    (e) => e === permanent,
  );
  assert.equal(breaker.state, "open"); // permanent errors count by default

  const picky = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
    shouldHandle: (e) => (e as Error).message === "counts",
  }).breaker;
  await assert.rejects(
    picky.execute(() => Promise.reject(new Error("ignored"))),
    { message: "ignored" },
  );
  assert.equal(picky.state, "closed");
  assert.equal(picky.stats.failures, 0);
  await assert.rejects(
    picky.execute(() => Promise.reject(new Error("counts"))),
    { message: "counts" },
  );
  assert.equal(picky.state, "open");
});

Deno.test("CircuitBreaker gives shouldHandle the error's class from its classifier", async () => {
  const seen: [unknown, string][] = [];
  const overloaded = new Error("overloaded");
  const classifier = new Classifier().use((e) =>
    e === overloaded ? "rate-limited" : undefined
  );
  const { breaker } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
    classifier,
    shouldHandle: (error, classification) => {
      seen.push([error, classification]);
      return classification === "transient";
    },
  });
  const unavailable = new Response(null, { status: 503 });
  await assert.rejects(
    breaker.execute(() => Promise.reject(overloaded)),
    (e) => e === overloaded,
  );
  assert.equal(breaker.state, "closed");
  await assert.rejects(
    breaker.execute(() => Promise.reject(unavailable)),
    (e) => e === unavailable,
  );
  assert.equal(breaker.state, "open");
  assert.deepEqual(seen, [[overloaded, "rate-limited"], [
    unavailable,
    "transient",
  ]]);
});

Deno.test("CircuitBreaker does not count a full queue of pledge's by default", async () => {
  const { breaker } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
  });
  const full = new QueueFullError(1, 0, 0);
  await assert.rejects(
    breaker.execute(() => Promise.reject(full)),
    (e) => e === full,
  );
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.stats.failures, 0);
});

Deno.test("CircuitBreaker rejects bad options with the option and value named", () => {
  const make = (options: Record<string, unknown>) => () =>
    new CircuitBreaker(options as CircuitBreakerOptions);
  for (const v of BAD_NUMBERS) {
    for (const option of ["halfOpenMaxProbes", "successThreshold"]) {
      assert.throws(make({ [option]: v }), {
        name: "RangeError",
        message:
          `Cannot create the circuit breaker as '${option}' must be an integer >= 1: current value is ${v}`,
      });
    }
  }
  for (const v of [-1, NaN, Infinity]) {
    assert.throws(make({ cooldownMs: v }), {
      name: "RangeError",
      message:
        `Cannot create the circuit breaker as 'cooldownMs' must be a finite number >= 0: current value is ${v}`,
    });
  }
  for (const v of [-1, NaN]) {
    assert.throws(make({ slowCallMs: v }), {
      name: "RangeError",
      message:
        `Cannot create the circuit breaker as 'slowCallMs' must be a number >= 0 or Infinity: current value is ${v}`,
    });
  }
  assert.ok(new CircuitBreaker({ cooldownMs: 0, slowCallMs: 0 }));
  for (
    const option of [
      "shouldHandle",
      "onStateChange",
      "onSuccess",
      "onFailure",
      "onReject",
    ]
  ) {
    assert.throws(make({ [option]: 1 }), {
      name: "TypeError",
      message:
        `Cannot create the circuit breaker as '${option}' must be a function: current value is 1`,
    });
  }
  for (
    const option of [
      "cooldownMs",
      "halfOpenMaxProbes",
      "successThreshold",
      "slowCallMs",
    ]
  ) {
    assert.throws(make({ [option]: "1" }), TypeError);
  }
  assert.throws(make({ cooldownMs: {} }), {
    name: "TypeError",
    message:
      "Cannot create the circuit breaker as 'cooldownMs' must be a number or a Backoff: current value is an object",
  });
  assert.throws(make({ classifier: 1 }), {
    name: "TypeError",
    message:
      "Cannot create the circuit breaker as 'classifier' must be a Classifier: current value is 1",
  });
  assert.throws(make({ strategy: {} }), {
    name: "TypeError",
    message:
      "Cannot create the circuit breaker as 'strategy' must be a BreakerStrategy: current value is an object",
  });
  assert.throws(make({ clock: Date }), TypeError);
  assert.throws(make({ clock: { now: () => 0 } }), {
    name: "TypeError",
    message:
      "Cannot create the circuit breaker as 'clock.setTimeout' must be a function: current value is undefined",
  });
  assert.throws(() => new CircuitBreaker(7 as never), TypeError);
  assert.throws(
    () => new CircuitBreaker(new AbortController().signal as never),
    /must be an options object: current value is an AbortSignal \(pass \{ signal \}\)$/,
  );
  const shared = new ConsecutiveFailuresStrategy();
  new CircuitBreaker({ strategy: shared });
  assert.throws(make({ strategy: shared }), {
    name: "TypeError",
    message:
      "Cannot create the circuit breaker as 'strategy' must be a strategy no other breaker uses: current value is an instance of ConsecutiveFailuresStrategy",
  });
});

Deno.test("CircuitBreaker rejects a malformed initialState", () => {
  const good = {
    state: "open",
    remainingMs: 10,
    consecutiveOpenings: 1,
    strategy: { kind: "consecutive", failures: 0 },
  };
  const cases: [Record<string, unknown> | null, ErrorConstructor, RegExp][] = [
    [null, TypeError, /'initialState' must be a snapshot object/],
    [
      { ...good, state: "ajar" },
      TypeError,
      /'initialState.state' must be one of "closed", "open", "half_open", "isolated": current value is "ajar"/,
    ],
    [{ ...good, remainingMs: -1 }, RangeError, /'initialState.remainingMs'/],
    [{ ...good, remainingMs: NaN }, RangeError, /'initialState.remainingMs'/],
    [
      { ...good, consecutiveOpenings: 1.5 },
      RangeError,
      /'initialState.consecutiveOpenings'/,
    ],
    [
      { ...good, strategy: { kind: "time", buckets: [] } },
      TypeError,
      /'snapshot' must be a snapshot of kind "consecutive"/,
    ],
  ];
  for (const [initialState, type, message] of cases) {
    assert.throws(
      () => new CircuitBreaker({ initialState: initialState as never }),
      (e: unknown) => {
        assert.ok(e instanceof type, String(e));
        assert.match((e as Error).message, message);
        return true;
      },
    );
  }
});

Deno.test("CircuitBreaker leaves its strategy free when initialState is rejected", () => {
  const strategy = new ConsecutiveFailuresStrategy();
  assert.throws(
    () => new CircuitBreaker({ strategy, initialState: null as never }),
    TypeError,
  );
  assert.ok(new CircuitBreaker({ strategy }));
});
