import assert from "node:assert/strict";
import { CircuitBreaker } from "../../../src/resilience/breaker/circuit_breaker.ts";
import type { CircuitBreakerOptions } from "../../../src/resilience/breaker/circuit_breaker_options.ts";
import { ConsecutiveFailuresStrategy } from "../../../src/resilience/breaker/consecutive_failures_strategy.ts";
import { exponential } from "../../../src/resilience/backoff.ts";
import { MemoryStore } from "../../../src/resilience/stores/memory_store.ts";
import { checkView } from "../../../src/resilience/breaker/_shared_circuit.ts";
import { CircuitOpenError } from "../../../src/core/errors.ts";
import { VirtualClock } from "../../../src/loop/virtual_clock.ts";
import { assertThrowsWith, BAD_NUMBERS, show } from "../../_support.ts";
import { flakyStore } from "../stores/_store_support.ts";

const down = () => Promise.reject(new Error("down"));

function fleet(options: Partial<CircuitBreakerOptions> = {}, instances = 3) {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  const changes: string[][] = Array.from({ length: instances }, () => []);
  const breakers = changes.map((log) =>
    new CircuitBreaker({
      strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
      cooldownMs: 1000,
      store,
      key: "payments",
      clock,
      onStateChange: ({ to }) => log.push(to),
      ...options,
    })
  );
  return { clock, store, breakers, changes };
}

Deno.test("CircuitBreaker on a store: a trip by one instance opens the circuit for all on their next call", async () => {
  const { clock, breakers: [a, b, c], changes } = fleet();
  assert.equal(await b!.execute(() => "up"), "up");
  await a!.execute(down).catch(() => {});
  assert.equal(a!.state, "open");
  assert.equal(b!.state, "closed"); // b has not called since
  clock.tick(300);
  const error = await b!.execute(() => "up").catch((e) => e);
  assert.ok(error instanceof CircuitOpenError);
  assert.equal(error.retryAfterMs, 700);
  await assert.rejects(c!.execute(() => "up"), CircuitOpenError);
  assert.deepEqual(changes, [["open"], ["open"], ["open"]]);
});

Deno.test("CircuitBreaker on a store: the cooldown ends for all at once and one trial runs fleet-wide", async () => {
  const { clock, breakers: [a, b, c] } = fleet();
  await a!.execute(down).catch(() => {});
  clock.tick(1000);
  const gate = Promise.withResolvers<string>();
  const trial = b!.execute(() => gate.promise);
  await Promise.resolve();
  await Promise.resolve();
  const refused = await c!.execute(() => "up").catch((e) => e);
  assert.ok(refused instanceof CircuitOpenError);
  assert.equal(refused.state, "half_open");
  assert.equal(refused.retryAfterMs, 0);
  await assert.rejects(a!.execute(() => "up"), { state: "half_open" });
  gate.resolve("probe");
  assert.equal(await trial, "probe");
  assert.equal(b!.state, "closed");
  assert.equal(await c!.execute(() => "up"), "up");
  assert.equal(await a!.execute(() => "up"), "up");
});

Deno.test("CircuitBreaker on a store: a crashed prober's slot expires after probeLeaseMs", async () => {
  const { clock, breakers: [a, b] } = fleet({ probeLeaseMs: 200 });
  await a!.execute(down).catch(() => {});
  clock.tick(1000);
  void a!.execute(() => new Promise(() => {})); // a trial that never ends
  await Promise.resolve();
  await Promise.resolve();
  await assert.rejects(b!.execute(() => "up"), { state: "half_open" });
  clock.tick(200);
  assert.equal(await b!.execute(() => "up"), "up");
  assert.equal(b!.state, "closed");
});

Deno.test("CircuitBreaker on a store: a failed trial reopens for all with the cooldown of the fleet's openings in a row", async () => {
  const cooldownMs = exponential({ initialMs: 100, factor: 2, jitter: "none" });
  const { clock, breakers: [a, b] } = fleet({ cooldownMs });
  await a!.execute(down).catch(() => {});
  clock.tick(100);
  await b!.execute(down).catch(() => {}); // b's trial fails
  assert.equal(b!.stats.consecutiveOpenings, 2);
  const error = await a!.execute(() => "up").catch((e) => e);
  assert.equal(error.retryAfterMs, 200);
  clock.tick(200);
  assert.equal(await a!.execute(() => "up"), "up");
  assert.equal(a!.stats.consecutiveOpenings, 0);
});

Deno.test("CircuitBreaker on a store: successThreshold counts the trials of every instance", async () => {
  const { clock, breakers: [a, b, c] } = fleet({
    halfOpenMaxProbes: 2,
    successThreshold: 2,
  });
  await a!.execute(down).catch(() => {});
  clock.tick(1000);
  await b!.execute(() => 1);
  assert.equal(b!.state, "half_open");
  await c!.execute(() => 2);
  assert.equal(c!.state, "closed");
});

Deno.test("CircuitBreaker on a store: isolate() and reset() act on the whole fleet and resolve once stored", async () => {
  const { clock, breakers: [a, b] } = fleet();
  await a!.isolate();
  await assert.rejects(b!.execute(() => "up"), {
    state: "isolated",
    retryAfterMs: Infinity,
  });
  await b!.reset();
  assert.equal(await a!.execute(() => "up"), "up");
  assert.equal(clock.pendingTimers, 0); // every store call's time limit is gone
});

Deno.test("CircuitBreaker on a store: calls admitted before a state change change nothing", async () => {
  const { breakers: [a, b] } = fleet();
  const gate = Promise.withResolvers<never>();
  const old = a!.execute(() => gate.promise); // admitted while closed
  await Promise.resolve();
  await Promise.resolve();
  await b!.execute(down).catch(() => {}); // opens (epoch 1)
  await b!.reset(); // closes (epoch 2)
  gate.reject(new Error("late"));
  await old.catch(() => {});
  assert.equal(await b!.execute(() => "up"), "up"); // still closed
});

Deno.test("CircuitBreaker refuses initialState with a store, and a bad probeLeaseMs", () => {
  const store = new MemoryStore();
  const action = "create the circuit breaker";
  assertThrowsWith(
    () =>
      new CircuitBreaker({
        store,
        key: "k",
        initialState: new CircuitBreaker().toJSON(),
      }),
    TypeError,
    `Cannot ${action} as 'initialState' must be undefined with a store (the store holds the state): current value is an object`,
  );
  assertThrowsWith(
    () => new CircuitBreaker({ store: {} as never, key: "k" }),
    TypeError,
    `Cannot ${action} as 'store' must be a store with a updateCircuit method: current value is an object`,
  );
  for (const value of BAD_NUMBERS) {
    if (value === 1.5) continue;
    assertThrowsWith(
      () => new CircuitBreaker({ probeLeaseMs: value }),
      RangeError,
      `Cannot ${action} as 'probeLeaseMs' must be a finite number > 0: current value is ${
        show(value)
      }`,
    );
  }
});

Deno.test("CircuitBreaker on a store checks every field of the store's reply", () => {
  const good = {
    state: "open",
    epoch: 1,
    retryAfterMs: 5,
    openings: 1,
    cooldownMs: 5,
    probe: false,
  };
  assert.deepEqual(checkView(good), good);
  const bad: [string, unknown, string][] = [
    ["state", "shut", `one of "closed", "open", "half_open", "isolated"`],
    ["epoch", -1, "an integer >= 0"],
    ["retryAfterMs", NaN, "a finite number >= 0"],
    ["openings", 1.5, "an integer >= 0"],
    ["cooldownMs", Infinity, "a finite number >= 0"],
    ["probe", 1, "a boolean"],
  ];
  for (const [field, value, constraint] of bad) {
    assertThrowsWith(
      () => checkView({ ...good, [field]: value }),
      TypeError,
      `Cannot use the store's reply as 'reply.${field}' must be ${constraint}: current value is ${
        show(value)
      }`,
    );
  }
  assertThrowsWith(
    () => checkView(null),
    TypeError,
    "Cannot use the store's reply as 'reply' must be an object: current value is null",
  );
});

Deno.test("CircuitBreaker on a store: an abort while the call waits for the store rejects with signal.reason at once, and fn never runs", async () => {
  const clock = new VirtualClock();
  const store = flakyStore(new MemoryStore({ clock }));
  const breaker = new CircuitBreaker({
    store,
    key: "payments",
    clock,
    storeTimeoutMs: 1000,
  });
  store.behaviour = "hang";
  const controller = new AbortController();
  let ran = false;
  const call = breaker.execute(() => (ran = true), {
    signal: controller.signal,
  });
  await Promise.resolve();
  const reason = new Error("caller gave up");
  controller.abort(reason);
  const seen = await call.then(() => "fulfilled", (e) => e);
  assert.equal(seen, reason);
  assert.equal(clock.now(), 0); // not after storeTimeoutMs
  store.release();
  await clock.runAllAsync();
  assert.equal(ran, false);
  assert.equal(clock.pendingTimers, 0);
});
