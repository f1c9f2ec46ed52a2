import assert from "node:assert/strict";
import { RateLimiter } from "../../../src/resilience/rate_limiter.ts";
import { CircuitBreaker } from "../../../src/resilience/breaker/circuit_breaker.ts";
import { ConsecutiveFailuresStrategy } from "../../../src/resilience/breaker/consecutive_failures_strategy.ts";
import { RetryBudget } from "../../../src/resilience/retry_budget.ts";
import { MemoryStore } from "../../../src/resilience/stores/memory_store.ts";
import type {
  StoreErrorEvent,
  StoreFailureMode,
  TokenRequest,
} from "../../../src/resilience/stores/store_contracts.ts";
import {
  CircuitOpenError,
  RateLimitedError,
} from "../../../src/core/errors.ts";
import { VirtualClock } from "../../../src/loop/virtual_clock.ts";
import { catchReported, catchUnhandled, flush } from "../../_support.ts";
import { flakyStore, type StoreBehaviour } from "./_store_support.ts";

const FAILURES: StoreBehaviour[] = ["reject", "throw", "nonsense", "hang"];

function setup(storeFailure: StoreFailureMode, behaviour: StoreBehaviour) {
  const clock = new VirtualClock();
  const store = flakyStore(new MemoryStore({ clock }));
  store.behaviour = behaviour;
  const events: StoreErrorEvent[] = [];
  const shared = {
    store,
    key: "k",
    clock,
    storeFailure,
    storeTimeoutMs: 100,
    onStoreError: (event: StoreErrorEvent) => events.push(event),
  };
  return { clock, store, events, shared };
}

// Settles `promise` while driving the virtual clock (a hanging store times
// out on it).
function settle<T>(clock: VirtualClock, promise: Promise<T>) {
  return clock.runUntilSettled(
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );
}

for (const behaviour of FAILURES) {
  Deno.test(`RateLimiter on a store that fails (${behaviour}): "allow" grants, "deny" refuses with the cause, "local" uses its own bucket`, async () => {
    for (const mode of ["allow", "deny", "local"] as const) {
      const { clock, store, events, shared } = setup(mode, behaviour);
      const limiter = new RateLimiter({
        limit: 1,
        intervalMs: 1000,
        mode: "reject",
        ...shared,
      });
      const first = await settle(clock, limiter.execute(() => "one"));
      const second = await settle(clock, limiter.execute(() => "two"));
      assert.equal(events.length, 1, "one failure reported");
      assert.equal(events[0]!.fallback, mode);
      if (behaviour === "hang") {
        assert.equal((events[0]!.error as DOMException).name, "TimeoutError");
        assert.equal(clock.now(), 100); // the store's time limit
      }
      if (behaviour === "nonsense") {
        assert.equal(
          (events[0]!.error as Error).message,
          `Cannot use the store's reply as 'reply.granted' must be 0 or an integer from 1 to 1: current value is "yes"`,
        );
      }
      if (mode === "allow") {
        assert.deepEqual([first, second], [
          { ok: true, value: "one" },
          { ok: true, value: "two" },
        ]);
      } else if (mode === "deny") {
        assert.equal(first.ok, false);
        const error = (first as { error: RateLimitedError }).error;
        assert.ok(error instanceof RateLimitedError);
        assert.ok(error.cause !== undefined);
      } else {
        assert.deepEqual(first, { ok: true, value: "one" });
        assert.ok(
          !second.ok &&
            (second as { error: unknown }).error instanceof RateLimitedError,
        );
      }
      store.release();
      await flush();
    }
  });
}

Deno.test("A failing store is left alone for storeTimeoutMs, then tried by one call at a time, and used again once it answers", async () => {
  const { clock, store, events, shared } = setup("allow", "hang");
  const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, ...shared });
  const calls = Array.from({ length: 5 }, () => limiter.acquire());
  await clock.runUntilSettled(Promise.all(calls));
  assert.equal(clock.now(), 100); // the time limit
  assert.equal(store.calls, 1); // one store call for the five (a batch)
  assert.equal(events.length, 1);
  // Left alone for 100 ms: every call takes the fallback at once.
  await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
  assert.equal(store.calls, 1);
  clock.tick(100);
  // Then one call tries it; the others take the fallback meanwhile.
  const first = limiter.acquire();
  await Promise.resolve();
  const others = [limiter.acquire(), limiter.acquire()];
  await Promise.all(others); // the fallback, at once
  assert.equal(store.calls, 2);
  await clock.runUntilSettled(first);
  assert.equal(events.length, 2);
  store.behaviour = "ok";
  clock.tick(100);
  await limiter.acquire(); // the store answers: recovered
  await assert.rejects(limiter.acquire({ mode: "reject" }), RateLimitedError);
  assert.equal(store.calls, 4);
  store.release();
  await flush();
});

Deno.test("A store's late rejection, after the time limit, is never unhandled", async () => {
  const unhandled = await catchUnhandled(async () => {
    const { clock, store, shared } = setup("allow", "hang");
    const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, ...shared });
    await clock.runUntilSettled(limiter.acquire());
    store.release(); // the hanging call now rejects
    await flush();
  });
  assert.deepEqual(unhandled, []);
});

for (const behaviour of FAILURES) {
  Deno.test(`CircuitBreaker on a store that fails (${behaviour}): "allow" runs, "deny" refuses, "local" uses its own state machine`, async () => {
    for (const mode of ["allow", "deny", "local"] as const) {
      const { clock, store, events, shared } = setup(mode, behaviour);
      const breaker = new CircuitBreaker({
        strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
        ...shared,
      });
      const down = () => Promise.reject(new Error("down"));
      const first = await settle(clock, breaker.execute(down));
      const second = await settle(clock, breaker.execute(() => "up"));
      assert.equal(events[0]?.fallback, mode);
      if (mode === "allow") {
        assert.equal((first as { error: Error }).error.message, "down");
        assert.deepEqual(second, { ok: true, value: "up" });
      } else if (mode === "deny") {
        const error = (first as { error: unknown }).error;
        assert.ok(error instanceof CircuitOpenError);
        assert.ok(error.cause !== undefined);
      } else {
        assert.equal((first as { error: Error }).error.message, "down");
        assert.ok(
          (second as { error: unknown }).error instanceof CircuitOpenError,
        );
        assert.equal(breaker.state, "open");
      }
      store.release();
      await flush();
    }
  });
}

for (const behaviour of FAILURES) {
  Deno.test(`RetryBudget on a store that fails (${behaviour}): "allow" grants, "deny" refuses, "local" uses its own bucket`, async () => {
    for (const mode of ["allow", "deny", "local"] as const) {
      const { clock, store, events, shared } = setup(mode, behaviour);
      const budget = new RetryBudget({
        maxRetries: 1,
        ratio: 0,
        refill: { limit: 0, intervalMs: 1000 },
        ...shared,
      });
      const first = await settle(clock, budget.withdraw());
      const second = await settle(clock, budget.withdraw());
      assert.equal(events[0]?.fallback, mode);
      const expected = mode === "allow"
        ? [true, true]
        : mode === "deny"
        ? [false, false]
        : [true, false];
      assert.deepEqual(
        [first, second],
        expected.map((value) => ({ ok: true, value })),
      );
      store.release();
      await flush();
    }
  });
}

Deno.test("An observer that throws in onStoreError is reported and changes nothing", async () => {
  const clock = new VirtualClock();
  const store = flakyStore(new MemoryStore({ clock }));
  store.behaviour = "reject";
  const limiter = new RateLimiter({
    limit: 1,
    intervalMs: 100,
    store,
    key: "k",
    clock,
    storeFailure: "allow",
    onStoreError: () => {
      throw new Error("observer");
    },
  });
  const errors = await catchReported(() => limiter.acquire());
  assert.equal((errors[0] as Error).message, "observer");
});

Deno.test("RateLimiter on a store: calls one at a time on the system clock share one host timer for their time limits, and leave none armed", async () => {
  const inner = new MemoryStore();
  // Answers in a later macrotask, as a network client does.
  const store = {
    takeTokens: (key: string, request: TokenRequest) =>
      new Promise((resolve) => setTimeout(resolve, 0)).then(() =>
        inner.takeTokens(key, request)
      ),
  };
  const limiter = new RateLimiter({
    limit: 1e9,
    intervalMs: 1000,
    store,
    key: "k",
    storeTimeoutMs: 777,
  });
  const setTimeoutOf = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    if (ms !== undefined && ms > 700) armed++; // the time limits
    return setTimeoutOf(fn, ms);
  }) as typeof setTimeout;
  try {
    for (let i = 0; i < 20; i++) await limiter.acquire();
  } finally {
    globalThis.setTimeout = setTimeoutOf;
  }
  assert.equal(armed, 1);
  // The sanitizers check that the shared timer is cleared once idle.
});
