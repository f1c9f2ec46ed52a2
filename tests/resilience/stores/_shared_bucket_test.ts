import assert from "node:assert/strict";
import fc from "fast-check";
import type { TokenRequest } from "../../../src/resilience/stores/store_contracts.ts";
import {
  RateLimiter,
  type RateLimiterOptions,
} from "../../../src/resilience/rate_limiter.ts";
import { MemoryStore } from "../../../src/resilience/stores/memory_store.ts";
import {
  InvalidStateError,
  RateLimitedError,
} from "../../../src/core/errors.ts";
import { VirtualClock } from "../../../src/loop/virtual_clock.ts";
import { delay } from "../../../src/cancel/delay.ts";
import {
  assertThrowsWith,
  BAD_NUMBERS,
  countedSignal,
  flush,
  show,
} from "../../_support.ts";
import { flakyStore } from "./_store_support.ts";

function fleet(options: Partial<RateLimiterOptions> = {}, instances = 2) {
  const clock = new VirtualClock();
  const store = flakyStore(new MemoryStore({ clock }));
  const limiters = Array.from(
    { length: instances },
    () =>
      new RateLimiter({
        limit: 1,
        intervalMs: 100,
        store,
        key: "api",
        clock,
        ...options,
      }),
  );
  return { clock, store, limiters };
}

Deno.test("RateLimiter on a store: instances share one bucket, each waiting as the store says", async () => {
  const { clock, limiters: [a, b] } = fleet({ burst: 2 });
  const at: string[] = [];
  const calls = ["a1", "b1", "a2", "b2", "a3"].map((name) =>
    (name[0] === "a" ? a! : b!).acquire().then(() =>
      at.push(`${name}@${clock.now()}`)
    )
  );
  await clock.runUntilSettled(Promise.all(calls));
  const times = at.map((s) => Number(s.split("@")[1])).sort((x, y) => x - y);
  assert.deepEqual(times, [0, 0, 100, 200, 300]); // one bucket for both
  assert.equal(a!.queued + b!.queued, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test('RateLimiter on a store: acquire({ mode: "reject" }) and execute in reject mode refuse with the store\'s retryAfterMs', async () => {
  const { clock, limiters: [a, b] } = fleet({ mode: "reject" });
  assert.equal(await a!.execute(() => "first"), "first");
  clock.tick(30);
  const error = await b!.execute(() => "second").catch((e) => e);
  assert.ok(error instanceof RateLimitedError);
  assert.equal(error.retryAfterMs, 70);
  await assert.rejects(b!.acquire({ mode: "reject" }), { retryAfterMs: 70 });
  clock.tick(70);
  await b!.acquire({ mode: "reject" });
});

Deno.test("RateLimiter on a store: a heavy request waits in line and holds back later callers of its instance", async () => {
  const { clock, limiters: [a] } = fleet({
    limit: 1,
    intervalMs: 10,
    burst: 5,
  });
  await a!.acquire({ weight: 4 });
  const at: string[] = [];
  const heavy = a!.acquire({ weight: 5 }).then(() =>
    at.push(`heavy@${clock.now()}`)
  );
  await flush();
  const light = a!.acquire().then(() => at.push(`light@${clock.now()}`));
  assert.equal(a!.queued, 2);
  await clock.runUntilSettled(Promise.all([heavy, light]));
  assert.deepEqual(at, ["heavy@40", "light@50"]);
});

Deno.test("RateLimiter on a store: an abort rejects with signal.reason, the line moves on and no listener or timer is left", async () => {
  const { clock, limiters: [a] } = fleet();
  await a!.acquire();
  const counted = countedSignal();
  const first = a!.acquire({ signal: counted.signal });
  const second = a!.acquire();
  await flush();
  assert.equal(a!.queued, 2);
  const reason = new Error("gone");
  counted.controller.abort(reason);
  await assert.rejects(first, (e) => e === reason);
  await clock.runUntilSettled(second);
  assert.equal(clock.now(), 100);
  assert.equal(counted.live, 0);
  assert.equal(clock.pendingTimers, 0);
  // Aborted while its store call is in flight.
  const { store, limiters: [b] } = fleet();
  store.behaviour = "hang";
  const controller = new AbortController();
  const inFlight = b!.acquire({ signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(inFlight, (e) => e === reason);
  store.release();
  await flush();
});

Deno.test('RateLimiter on a store: tryAcquire() throws an InvalidStateError that names acquire({ mode: "reject" })', () => {
  const { limiters: [a] } = fleet();
  assert.throws(() => a!.tryAcquire(), InvalidStateError);
  assert.throws(() => a!.tryAcquire(), /acquire\(\{ mode: "reject" \}\)/);
});

Deno.test("RateLimiter on a store with a lease: one store call per lease, leased tokens expire after leaseMs", async () => {
  const { clock, store, limiters: [a] } = fleet({
    limit: 100,
    intervalMs: 1000,
    lease: 5,
  });
  for (let i = 0; i < 20; i++) await a!.acquire();
  assert.equal(store.calls, 4);
  await Promise.all(Array.from({ length: 10 }, () => a!.acquire()));
  assert.equal(store.calls, 6); // concurrent callers share a lease
  await a!.acquire();
  assert.equal(a!.available, 4);
  clock.tick(50); // the default leaseMs: 5 tokens' time
  assert.equal(a!.available, 0);
});

Deno.test("RateLimiter on a store with a lease: any window sees at most lease grants more than the exact bound", async () => {
  const limit = 10;
  const intervalMs = 100;
  const lease = 4;
  const { clock, limiters } = fleet({ limit, intervalMs, lease, burst: 1 }, 3);
  const grants: number[] = [];
  const run = async (limiter: RateLimiter, n: number) => {
    for (let i = 0; i < n; i++) {
      await limiter.acquire();
      grants.push(clock.now());
      if (i % 3 === 0) await delay(7, { clock });
    }
  };
  await clock.runUntilSettled(Promise.all(limiters.map((l) => run(l, 30))));
  grants.sort((x, y) => x - y);
  let worst = 0;
  for (let i = 0, j = 0; i < grants.length; i++) {
    while (j < grants.length && grants[j]! < grants[i]! + intervalMs) j++;
    worst = Math.max(worst, j - i);
  }
  assert.ok(worst <= limit + lease, `${worst} grants in one window`);
});

Deno.test("RateLimiter checks its store options before anything else", () => {
  const store = new MemoryStore();
  const base = { limit: 1, intervalMs: 100 };
  const action = "create the rate limiter";
  assertThrowsWith(
    () => new RateLimiter({ ...base, store: {} as never, key: "k" }),
    TypeError,
    `Cannot ${action} as 'store' must be a store with a takeTokens method: current value is an object`,
  );
  assertThrowsWith(
    () => new RateLimiter({ ...base, store }),
    TypeError,
    `Cannot ${action} as 'key' must be a non-empty string: current value is undefined`,
  );
  assertThrowsWith(
    () => new RateLimiter({ ...base, key: "k" }),
    TypeError,
    `Cannot ${action} as 'store' must be a store when 'key' is given: current value is undefined`,
  );
  assertThrowsWith(
    () =>
      new RateLimiter({
        ...base,
        store,
        key: "k",
        storeFailure: "ignore" as never,
      }),
    TypeError,
    `Cannot ${action} as 'storeFailure' must be "allow", "deny" or "local": current value is "ignore"`,
  );
  for (const value of BAD_NUMBERS) {
    if (value === 1.5) continue;
    assertThrowsWith(
      () =>
        new RateLimiter({ ...base, store, key: "k", storeTimeoutMs: value }),
      RangeError,
      `Cannot ${action} as 'storeTimeoutMs' must be a finite number > 0: current value is ${
        show(value)
      }`,
    );
    assertThrowsWith(
      () => new RateLimiter({ ...base, store, key: "k", leaseMs: value }),
      RangeError,
      `Cannot ${action} as 'leaseMs' must be a finite number > 0: current value is ${
        show(value)
      }`,
    );
  }
  for (const value of BAD_NUMBERS) {
    assertThrowsWith(
      () => new RateLimiter({ ...base, store, key: "k", lease: value }),
      RangeError,
      `Cannot ${action} as 'lease' must be an integer >= 1: current value is ${
        show(value)
      }`,
    );
  }
});

Deno.test("RateLimiter.acquire() rejects a bad mode", async () => {
  const limiter = new RateLimiter({ limit: 1, intervalMs: 100 });
  await assert.rejects(limiter.acquire({ mode: "now" as never }), {
    name: "TypeError",
    message:
      `Cannot acquire tokens as 'mode' must be "wait" or "reject": current value is "now"`,
  });
});

Deno.test('RateLimiter.acquire({ mode: "reject" }) without a store takes at once or rejects', async () => {
  const clock = new VirtualClock();
  const limiter = new RateLimiter({ limit: 1, intervalMs: 100, clock });
  await limiter.acquire({ mode: "reject" });
  await assert.rejects(limiter.acquire({ mode: "reject" }), {
    name: "RateLimitedError",
    retryAfterMs: 100,
  });
});

Deno.test("RateLimiter on a store never grants more than the bucket allows, whatever the arrivals, weights, aborts and leases (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }), // limit per 100 ms
      fc.integer({ min: 1, max: 4 }), // burst
      fc.constantFrom(1, 1, 3), // lease
      fc.array(
        fc.record({
          instance: fc.integer({ min: 0, max: 2 }),
          weight: fc.integer({ min: 1, max: 4 }),
          delayMs: fc.constantFrom(0, 0, 0, 1, 5, 30, 60),
          reject: fc.boolean(),
          abortAfterMs: fc.option(fc.integer({ min: 0, max: 200 })),
        }),
        { maxLength: 25 },
      ),
      async (limit, burst, lease, requests) => {
        const clock = new VirtualClock();
        const inner = new MemoryStore({ clock });
        const taken: number[] = []; // the store's time of each token taken
        const store = {
          async takeTokens(key: string, request: TokenRequest) {
            // A store 1 ms away: calls made meanwhile go in one batch.
            await new Promise<void>((r) => clock.setTimeout(r, 1));
            const grant = await inner.takeTokens(key, request);
            for (let i = 0; i < grant.granted; i++) taken.push(grant.at);
            return grant;
          },
        };
        const limiters = [0, 1, 2].map(() =>
          new RateLimiter({
            limit,
            intervalMs: 100,
            burst,
            store,
            key: "k",
            clock,
            lease,
          })
        );
        const used: number[] = [];
        const calls: Promise<unknown>[] = [];
        for (const r of requests) {
          if (r.delayMs > 0) await clock.tickAsync(r.delayMs);
          const controller = new AbortController();
          if (r.abortAfterMs !== null) {
            clock.setTimeout(() => controller.abort(), r.abortAfterMs);
          }
          calls.push(
            limiters[r.instance]!.acquire({
              weight: Math.min(r.weight, burst),
              mode: r.reject ? "reject" : "wait",
              signal: controller.signal,
            }).then(() => {
              const weight = Math.min(r.weight, burst);
              for (let i = 0; i < weight; i++) used.push(clock.now());
            }, (error) => {
              // Refused in reject mode, or aborted: nothing else.
              assert.ok(
                error instanceof RateLimitedError ||
                  (error as Error).name === "AbortError",
                String(error),
              );
            }),
          );
        }
        await clock.runUntilSettled(Promise.all(calls)); // every call settles
        const cap = burst;
        used.sort((a, b) => a - b);
        assert.ok(used.length <= taken.length, "no token used twice");
        taken.sort((a, b) => a - b);
        for (let i = 0, j = 0; i < taken.length; i++) {
          while (j < taken.length && taken[j]! < taken[i]! + 100) j++;
          assert.ok(j - i <= cap - 1 + limit, `${j - i} taken in a window`);
        }
        // Exact without a lease; at most `lease` more with one.
        const extra = lease === 1 ? 0 : lease;
        for (let i = 0, j = 0; i < used.length; i++) {
          while (j < used.length && used[j]! < used[i]! + 100) j++;
          assert.ok(j - i <= cap - 1 + limit + extra, `${j - i} in a window`);
        }
      },
    ),
    { numRuns: 500 },
  );
});
