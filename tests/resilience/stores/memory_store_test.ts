import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryStore } from "../../../src/resilience/stores/memory_store.ts";
import type { TokenRequest } from "../../../src/resilience/stores/store_contracts.ts";
import { VirtualClock } from "../../../src/loop/virtual_clock.ts";

const rate = (
  limit: number,
  intervalMs: number,
  burst = limit,
  weight = 1,
  maxWeight = weight,
): TokenRequest => ({ limit, intervalMs, burst, weight, maxWeight });

Deno.test("MemoryStore.takeTokens() is a token bucket on the store's clock (GCRA)", async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  const request = rate(2, 100);
  assert.equal((await store.takeTokens("a", request)).granted, 1);
  assert.equal((await store.takeTokens("a", request)).granted, 1);
  const refused = await store.takeTokens("a", request);
  assert.deepEqual(refused, { granted: 0, retryAfterMs: 50, at: 0 });
  clock.tick(49);
  assert.equal((await store.takeTokens("a", request)).retryAfterMs, 1);
  clock.tick(1);
  assert.deepEqual(await store.takeTokens("a", request), {
    granted: 1,
    retryAfterMs: 0,
    at: 50,
  });
  // Keys are independent.
  assert.equal((await store.takeTokens("b", request)).granted, 1);
});

Deno.test("MemoryStore.takeTokens() grants from weight up to maxWeight, never more than the bucket holds", async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  assert.equal(
    (await store.takeTokens("a", rate(10, 100, 5, 2, 8))).granted,
    5,
  );
  clock.tick(30); // 3 tokens back
  assert.equal(
    (await store.takeTokens("a", rate(10, 100, 5, 4, 8))).granted,
    0,
  );
  assert.equal(
    (await store.takeTokens("a", rate(10, 100, 5, 2, 2))).granted,
    2,
  );
  const refused = await store.takeTokens("a", rate(10, 100, 5, 5, 5));
  assert.equal(refused.retryAfterMs, 40); // 1 left, 4 more at 10 ms each
});

Deno.test("MemoryStore.takeTokens() never grants more than burst - 1 + limit in any interval (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 5 }),
      fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 40 }),
          fc.integer({ min: 1, max: 3 }),
        ),
        { maxLength: 60 },
      ),
      async (limit, burst, steps) => {
        const clock = new VirtualClock();
        const store = new MemoryStore({ clock });
        const intervalMs = 100;
        const grants: number[] = [];
        for (const [waitMs, maxWeight] of steps) {
          clock.tick(waitMs);
          const grant = await store.takeTokens(
            "k",
            rate(limit, intervalMs, burst, 1, maxWeight),
          );
          for (let i = 0; i < grant.granted; i++) grants.push(grant.at);
        }
        for (let i = 0, j = 0; i < grants.length; i++) {
          while (j < grants.length && grants[j]! < grants[i]! + intervalMs) j++;
          assert.ok(j - i <= burst - 1 + limit, `${j - i} grants in a window`);
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("MemoryStore.updateCircuit() trips once per epoch, goes half-open for all at once, and leases trial slots", async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  const enter = (probe: string) =>
    store.updateCircuit("c", {
      op: "enter",
      probe,
      maxProbes: 1,
      probeLeaseMs: 50,
    });
  const closed = await enter("p0");
  assert.deepEqual(closed, {
    state: "closed",
    epoch: 0,
    retryAfterMs: 0,
    openings: 0,
    cooldownMs: 0,
    probe: false,
  });
  const open = await store.updateCircuit("c", {
    op: "trip",
    epoch: 0,
    cooldownMs: 100,
  });
  assert.equal(open.state, "open");
  assert.equal(open.epoch, 1);
  // A second trip seen late (the same epoch) changes nothing.
  const late = await store.updateCircuit("c", {
    op: "trip",
    epoch: 0,
    cooldownMs: 999,
  });
  assert.deepEqual([late.epoch, late.cooldownMs, late.openings], [1, 100, 1]);
  clock.tick(60);
  assert.equal((await enter("p1")).retryAfterMs, 40);
  clock.tick(40);
  const first = await enter("p1");
  assert.deepEqual([first.state, first.probe, first.epoch], [
    "half_open",
    true,
    2,
  ]);
  assert.equal((await enter("p2")).probe, false); // the slot is taken
  clock.tick(50); // the lease of p1 expires: its prober crashed
  assert.equal((await enter("p3")).probe, true);
  const done = await store.updateCircuit("c", {
    op: "probe",
    epoch: 2,
    probe: "p3",
    success: true,
    successThreshold: 1,
  });
  assert.deepEqual([done.state, done.epoch, done.openings], ["closed", 3, 0]);
});

Deno.test("MemoryStore.updateCircuit() reopens on a failed trial, frees slots of trials that count as nothing, isolates and resets", async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  const enter = (probe: string, maxProbes = 2) =>
    store.updateCircuit("c", {
      op: "enter",
      probe,
      maxProbes,
      probeLeaseMs: 1000,
    });
  await store.updateCircuit("c", { op: "trip", epoch: 0, cooldownMs: 10 });
  clock.tick(10);
  assert.equal((await enter("a")).probe, true);
  assert.equal((await enter("b")).probe, true);
  assert.equal((await enter("c")).probe, false);
  const freed = await store.updateCircuit("c", {
    op: "probe",
    epoch: 2,
    probe: "a",
    success: false,
    successThreshold: 2,
  });
  assert.equal(freed.state, "half_open");
  assert.equal((await enter("c")).probe, true);
  const reopened = await store.updateCircuit("c", {
    op: "trip",
    epoch: 2,
    cooldownMs: 20,
    probe: "b",
  });
  assert.deepEqual([reopened.state, reopened.openings, reopened.retryAfterMs], [
    "open",
    2,
    20,
  ]);
  // c's late success belongs to the old epoch: nothing changes.
  const stale = await store.updateCircuit("c", {
    op: "probe",
    epoch: 2,
    probe: "c",
    success: true,
    successThreshold: 1,
  });
  assert.equal(stale.state, "open");
  assert.equal(
    (await store.updateCircuit("c", { op: "isolate" })).state,
    "isolated",
  );
  clock.tick(1000);
  assert.equal((await enter("d")).state, "isolated");
  const reset = await store.updateCircuit("c", { op: "reset" });
  assert.deepEqual([reset.state, reset.openings, reset.cooldownMs], [
    "closed",
    0,
    0,
  ]);
});

Deno.test("MemoryStore.updateBudget() refills on the store's clock, adds deposits and takes whole retries", async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  const request = (deposits: number, withdraw: boolean) => ({
    maxRetries: 2,
    refill: { limit: 1, intervalMs: 100 },
    ratio: 0.1,
    deposits,
    withdraw,
  });
  assert.deepEqual(await store.updateBudget("b", request(0, true)), {
    granted: true,
    available: 1,
  });
  assert.equal((await store.updateBudget("b", request(0, true))).granted, true);
  assert.equal(
    (await store.updateBudget("b", request(0, true))).granted,
    false,
  );
  assert.equal(
    (await store.updateBudget("b", request(10, true))).granted,
    true,
  );
  clock.tick(50);
  assert.equal(
    (await store.updateBudget("b", request(0, false))).available,
    0.5,
  );
  clock.tick(1000);
  assert.equal((await store.updateBudget("b", request(5, false))).available, 2);
});

Deno.test("MemoryStore throws a TypeError for a bad clock or options", () => {
  assert.throws(
    () => new MemoryStore({ clock: {} as never }),
    {
      name: "TypeError",
      message:
        "Cannot create the memory store as 'clock.now' must be a function: current value is undefined",
    },
  );
  assert.throws(
    () => new MemoryStore(new AbortController().signal as never),
    /pass \{ signal \}/,
  );
});
