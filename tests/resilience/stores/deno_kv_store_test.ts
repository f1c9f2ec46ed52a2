import assert from "node:assert/strict";
import {
  type DenoKv,
  DenoKvStore,
} from "../../../src/resilience/stores/deno_kv_store.ts";
import { RateLimiter } from "../../../src/resilience/rate_limiter.ts";
import type { StoreErrorEvent } from "../../../src/resilience/stores/store_contracts.ts";
import { VirtualClock } from "../../../src/loop/virtual_clock.ts";
import { RateLimitedError } from "../../../src/core/errors.ts";
import { assertThrowsWith, BAD_NUMBERS, show } from "../../_support.ts";

/** A database in a temporary file, opened `handles` times (as processes do). */
async function tempKv(handles: number) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite`;
  const kvs = await Promise.all(
    Array.from({ length: handles }, () => Deno.openKv(path)),
  );
  return {
    kvs,
    async [Symbol.asyncDispose]() {
      for (const kv of kvs) kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const bucket = {
  limit: 30,
  intervalMs: 60_000,
  burst: 30,
  weight: 1,
  maxWeight: 1,
};

Deno.test("DenoKvStore.takeTokens() never grants more than the bucket holds when many handles race (compare-and-set)", async () => {
  await using db = await tempKv(4);
  const stores = db.kvs.map((kv) => new DenoKvStore({ kv, prefix: "t" }));
  const grants = await Promise.all(
    Array.from(
      { length: 80 },
      (_, i) => stores[i % 4]!.takeTokens("api", bucket),
    ),
  );
  assert.equal(grants.filter((g) => g.granted === 1).length, 30);
  const refused = grants.filter((g) => g.granted === 0);
  assert.ok(
    refused.every((g) => g.retryAfterMs >= 1 && g.retryAfterMs <= 2_000),
  );
  const entry = await db.kvs[0]!.get(["t", "limiter", "api"]);
  assert.ok(typeof (entry.value as { tat: number }).tat === "number");
});

Deno.test("DenoKvStore decides on its clock, which never goes back for a key", async () => {
  using kv = await Deno.openKv(":memory:");
  let wall = 1_000_000;
  const clock = {
    ...new VirtualClock(),
    now: () => 0,
    setTimeout,
    clearTimeout,
    dateNow: () => wall,
  };
  const store = new DenoKvStore({ kv, clock: clock as never });
  const request = { ...bucket, limit: 1, intervalMs: 100, burst: 1 };
  assert.equal((await store.takeTokens("a", request)).at, 1_000_000);
  wall -= 5_000; // a clock that went back
  const refused = await store.takeTokens("a", request);
  assert.deepEqual(refused, { granted: 0, retryAfterMs: 100, at: 1_000_000 });
  wall = 1_000_100;
  assert.equal((await store.takeTokens("a", request)).granted, 1);
});

Deno.test("DenoKvStore.updateCircuit() and updateBudget() share one state across handles", async () => {
  await using db = await tempKv(2);
  const clock = new VirtualClock();
  const [a, b] = db.kvs.map((kv) => new DenoKvStore({ kv, clock }));
  const open = await a!.updateCircuit("db", {
    op: "trip",
    epoch: 0,
    cooldownMs: 100,
  });
  assert.equal(open.state, "open");
  const seen = await b!.updateCircuit("db", {
    op: "enter",
    probe: "p",
    maxProbes: 1,
    probeLeaseMs: 10,
  });
  assert.deepEqual([seen.state, seen.retryAfterMs], ["open", 100]);
  clock.tick(100);
  const trial = await b!.updateCircuit("db", {
    op: "enter",
    probe: "p",
    maxProbes: 1,
    probeLeaseMs: 10,
  });
  assert.deepEqual([trial.state, trial.probe], ["half_open", true]);
  const budget = {
    maxRetries: 1,
    refill: { limit: 0, intervalMs: 1000 },
    ratio: 0,
    deposits: 0,
    withdraw: true,
  };
  assert.equal((await a!.updateBudget("r", budget)).granted, true);
  assert.equal((await b!.updateBudget("r", budget)).granted, false);
});

Deno.test("DenoKvStore gives up after maxAttempts lost races, and the policy applies its storeFailure", async () => {
  let commits = 0;
  const losing: DenoKv = {
    get: (key) => Promise.resolve({ key, value: null, versionstamp: null }),
    atomic: () => {
      const op = {
        check: () => op,
        set: () => op,
        commit: () => (commits++, Promise.resolve({ ok: false })),
      };
      return op;
    },
  };
  const clock = new VirtualClock();
  const store = new DenoKvStore({ kv: losing, clock, maxAttempts: 5 });
  const events: StoreErrorEvent[] = [];
  const limiter = new RateLimiter({
    limit: 1,
    intervalMs: 100,
    store,
    key: "api",
    clock,
    storeFailure: "deny",
    storeTimeoutMs: 10_000,
    onStoreError: (e) => events.push(e),
  });
  const error = await clock.runUntilSettled(limiter.acquire().catch((e) => e));
  assert.ok(error instanceof RateLimitedError);
  assert.equal(commits, 5);
  assert.equal(
    (events[0]!.error as Error).message,
    `Cannot update the key "api" as other writers changed it during each of 5 attempts`,
  );
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DenoKvStore: a key holding something else is a store failure with a clear message", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(["pledge", "limiter", "api"], "not a bucket");
  const events: StoreErrorEvent[] = [];
  const limiter = new RateLimiter({
    limit: 1,
    intervalMs: 100,
    store: new DenoKvStore({ kv }),
    key: "api",
    storeFailure: "deny",
    onStoreError: (e) => events.push(e),
  });
  await assert.rejects(limiter.acquire(), RateLimitedError);
  assert.equal(
    (events[0]!.error as Error).message,
    `Cannot use the value at ["pledge","limiter","api"] as it must be a limiter record of pledge: current value is "not a bucket"`,
  );
});

Deno.test("DenoKvStore refuses a database without get and atomic, a prefix that is not a string, and a bad maxAttempts", async () => {
  const action = "create the Deno KV store";
  assertThrowsWith(
    () => new DenoKvStore({ kv: { get() {} } as never }),
    TypeError,
    `Cannot ${action} as 'kv' must be a Deno.Kv (get, atomic): current value is an object`,
  );
  using kv = await Deno.openKv(":memory:");
  assertThrowsWith(
    () => new DenoKvStore({ kv, prefix: ["a"] as never }),
    TypeError,
    `Cannot ${action} as 'prefix' must be a string: current value is an array of length 1`,
  );
  for (const value of BAD_NUMBERS) {
    assertThrowsWith(
      () => new DenoKvStore({ kv, maxAttempts: value }),
      RangeError,
      `Cannot ${action} as 'maxAttempts' must be an integer >= 1: current value is ${
        show(value)
      }`,
    );
  }
  assertThrowsWith(
    () => new DenoKvStore({ kv, maxAttempts: "3" as never }),
    TypeError,
    `Cannot ${action} as 'maxAttempts' must be a number: current value is "3"`,
  );
});
