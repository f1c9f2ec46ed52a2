import assert from "node:assert/strict";
import fc from "fast-check";
import {
  RateLimiter,
  type RateLimiterOptions,
} from "../../src/resilience/rate_limiter.ts";
import { RateLimitedError } from "../../src/core/errors.ts";
import { VirtualClock } from "../../src/loop/virtual_clock.ts";
import {
  BAD_NUMBERS,
  catchUnhandled,
  countedSignal,
  flush,
} from "../_support.ts";

function limiter(options: Partial<RateLimiterOptions> = {}) {
  const clock = new VirtualClock();
  const at: string[] = [];
  const rl = new RateLimiter({
    limit: 1,
    intervalMs: 100,
    clock,
    ...options,
  });
  const acquire = (name: string, weight = 1, signal?: AbortSignal) =>
    rl.acquire(signal ? { weight, signal } : { weight }).then(() => {
      at.push(`${name}@${clock.now()}`);
    });
  return { clock, rl, at, acquire };
}

Deno.test("RateLimiter.acquire() waits on the clock for each token, first come first served", async () => {
  const { clock, rl, at, acquire } = limiter({ burst: 2 });
  const all = Promise.all(["a", "b", "c", "d"].map((n) => acquire(n)));
  assert.equal(rl.queued, 2);
  assert.equal(clock.pendingTimers, 1); // one timer for the whole line
  await clock.runUntilSettled(all);
  assert.deepEqual(at, ["a@0", "b@0", "c@100", "d@200"]);
  assert.equal(rl.available, 0);
  clock.tick(150);
  assert.equal(rl.available, 1);
  clock.tick(1000);
  assert.equal(rl.available, 2); // capped at burst
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("RateLimiter.acquire() takes weights, and a heavy waiter holds back lighter ones behind it", async () => {
  const { clock, rl, at, acquire } = limiter({ burst: 5 });
  const all = Promise.all([
    acquire("three", 3),
    acquire("five", 5),
    acquire("one", 1),
  ]);
  await flush();
  assert.deepEqual(at, ["three@0"]);
  assert.equal(rl.tryAcquire(1), false); // tokens left, but someone waits
  await clock.runUntilSettled(all);
  // 2 tokens left at 0; five needs 3 more (300 ms); one needs 1 more after.
  assert.deepEqual(at, ["three@0", "five@300", "one@400"]);
});

Deno.test("RateLimiter rounds waits up to whole milliseconds", async () => {
  const { clock, at, acquire } = limiter({
    limit: 3,
    intervalMs: 1000,
  });
  await clock.runUntilSettled(
    Promise.all(["a", "b", "c", "d", "e", "f"].map((n) => acquire(n))),
  );
  assert.deepEqual(at, ["a@0", "b@0", "c@0", "d@334", "e@667", "f@1000"]);
});

Deno.test("RateLimiter.tryAcquire() answers at once", () => {
  const { clock, rl } = limiter({ limit: 2, burst: 4 });
  assert.equal(rl.tryAcquire(3), true);
  assert.equal(rl.tryAcquire(2), false);
  assert.equal(rl.tryAcquire(), true);
  assert.equal(rl.tryAcquire(), false);
  clock.tick(49);
  assert.equal(rl.tryAcquire(), false);
  clock.tick(1);
  assert.equal(rl.tryAcquire(), true);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("RateLimiter.acquire() rejects with signal.reason when the first in line aborts, and serves the next", async () => {
  const { clock, rl, at, acquire } = limiter({ burst: 3 });
  await acquire("first", 3);
  const counted = countedSignal();
  const heavy = acquire("heavy", 3, counted.signal);
  const light = acquire("light", 1);
  clock.tick(150);
  assert.equal(counted.live, 1);
  counted.controller.abort("gave up");
  await assert.rejects(heavy, (e) => e === "gave up");
  await flush();
  assert.deepEqual(at, ["first@0", "light@150"]); // served at once
  assert.equal(rl.queued, 0);
  assert.equal(counted.live, 0);
  assert.equal(clock.pendingTimers, 0);
  await light;
});

Deno.test("RateLimiter.acquire() lets a later waiter abort without disturbing the line", async () => {
  const { clock, rl, at, acquire } = limiter();
  await acquire("a");
  const controller = new AbortController();
  const b = acquire("b");
  const c = acquire("c", 1, controller.signal);
  const d = acquire("d");
  controller.abort("no");
  await assert.rejects(c, (e) => e === "no");
  await clock.runUntilSettled(Promise.all([b, d]));
  assert.deepEqual(at, ["a@0", "b@100", "d@200"]);
  assert.equal(rl.queued, 0);
});

Deno.test("RateLimiter.acquire() rejects with signal.reason when already aborted, adding no timer or listener", async () => {
  const { clock, rl } = limiter();
  const counted = countedSignal();
  counted.controller.abort("before");
  await assert.rejects(
    rl.acquire({ signal: counted.signal }),
    (e) => e === "before",
  );
  rl.tryAcquire();
  await assert.rejects(
    rl.acquire({ signal: counted.signal }),
    (e) => e === "before",
  );
  assert.equal(counted.added, 0);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(rl.queued, 0);
});

Deno.test("RateLimiter.execute() waits for a token in wait mode", async () => {
  const { clock, rl } = limiter({ limit: 2, intervalMs: 1000 });
  assert.equal(rl.mode, "wait");
  const at: number[] = [];
  const calls = [1, 2, 3, 4].map((i) =>
    rl.execute(({ attempt }) => (at.push(clock.now()), i * attempt))
  );
  assert.deepEqual(await clock.runUntilSettled(Promise.all(calls)), [
    1,
    2,
    3,
    4,
  ]);
  assert.deepEqual(at, [0, 0, 500, 1000]);
  const controller = new AbortController();
  let ran = false;
  const waiting = rl.execute(() => (ran = true), { signal: controller.signal });
  controller.abort("late");
  await assert.rejects(waiting, (e) => e === "late");
  assert.equal(ran, false);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("RateLimiter.execute() rejects with RateLimitedError and an exact retryAfterMs in reject mode", async () => {
  const { clock, rl } = limiter({
    limit: 2,
    intervalMs: 1000,
    mode: "reject",
  });
  assert.equal(await rl.execute(() => "a"), "a");
  assert.equal(await rl.execute(() => "b"), "b");
  let error = await rl.execute(() => "c").catch((e) => e);
  assert.ok(error instanceof RateLimitedError);
  assert.equal(error.retryAfterMs, 500);
  assert.equal(
    error.message,
    "Cannot execute as the rate limit is reached: retry after 500 ms",
  );
  clock.tick(200);
  error = await rl.execute(() => "c").catch((e) => e);
  assert.equal(error.retryAfterMs, 300);
  // Waiters from acquire() are ahead in line.
  const waiter = rl.acquire({ weight: 2 });
  error = await rl.execute(() => "c").catch((e) => e);
  assert.equal(error.retryAfterMs, 1300); // 2 tokens for the waiter, then 1
  await clock.runUntilSettled(waiter);
  assert.equal(clock.now(), 1000);
  clock.tick(500);
  assert.equal(await rl.execute(() => "c"), "c");
});

Deno.test("RateLimiter.execute() rejects bad arguments instead of throwing", async () => {
  const { rl } = limiter();
  await assert.rejects(rl.execute("x" as never), TypeError);
  await assert.rejects(rl.acquire({ weight: 0 }), RangeError);
  await assert.rejects(rl.acquire({ weight: 2 }), {
    name: "RangeError",
    message:
      "Cannot acquire tokens as 'weight' must be an integer <= burst (1): current value is 2",
  });
  await assert.rejects(rl.acquire({ signal: 1 as never }), TypeError);
  await assert.rejects(rl.acquire(5 as never), TypeError);
  const signal = new AbortController().signal;
  let misplaced: Promise<void> | undefined;
  assert.doesNotThrow(() => (misplaced = rl.acquire(signal as never)));
  await assert.rejects(misplaced!, {
    name: "TypeError",
    message:
      "Cannot acquire tokens as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  });
  assert.equal(rl.available, 1);
});

Deno.test("RateLimiter rejects bad options with the option and value named", () => {
  const make = (options: Record<string, unknown>) => () =>
    new RateLimiter(
      {
        limit: 1,
        intervalMs: 10,
        ...options,
      } as RateLimiterOptions,
    );
  for (const v of BAD_NUMBERS) {
    for (const option of ["limit", "burst"]) {
      assert.throws(make({ [option]: v }), {
        name: "RangeError",
        message:
          `Cannot create the rate limiter as '${option}' must be an integer >= 1: current value is ${v}`,
      });
    }
    assert.throws(
      () => new RateLimiter({ limit: 1, intervalMs: 10 }).tryAcquire(v),
      {
        name: "RangeError",
        message:
          `Cannot try to acquire tokens as 'weight' must be an integer >= 1: current value is ${v}`,
      },
    );
    if (v !== 1.5) {
      assert.throws(make({ intervalMs: v }), {
        name: "RangeError",
        message:
          `Cannot create the rate limiter as 'intervalMs' must be a finite number > 0: current value is ${v}`,
      });
    }
  }
  assert.throws(make({ mode: "drop" }), {
    name: "TypeError",
    message:
      `Cannot create the rate limiter as 'mode' must be "wait" or "reject": current value is "drop"`,
  });
  assert.throws(make({ clock: {} }), TypeError);
  assert.throws(make({ limit: undefined }), TypeError);
  assert.throws(() => new RateLimiter(undefined as never), TypeError);
});

Deno.test("RateLimiter never grants more than its bucket allows in any window (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 6 }),
      fc.array(
        fc.record({
          gap: fc.integer({ min: 0, max: 40 }),
          weight: fc.integer({ min: 1, max: 6 }),
          abort: fc.boolean(),
        }),
        { minLength: 1, maxLength: 30 },
      ),
      async (limit, intervalMs, burst, plan) => {
        const clock = new VirtualClock();
        const rl = new RateLimiter({
          limit,
          intervalMs,
          burst,
          clock,
        });
        const grants: [number, number][] = [];
        const calls: Promise<unknown>[] = [];
        for (const { gap, weight, abort } of plan) {
          // Lets the grants made so far record their time before it moves.
          await clock.tickAsync(gap);
          const w = Math.min(weight, burst);
          if (abort && rl.tryAcquire(w)) {
            grants.push([clock.now(), w]);
            continue;
          }
          const controller = new AbortController();
          calls.push(
            rl.acquire({ weight: w, signal: controller.signal }).then(
              () => grants.push([clock.now(), w]),
              () => {},
            ),
          );
          if (abort) clock.setTimeout(() => controller.abort(), gap);
        }
        await clock.runUntilSettled(Promise.all(calls));
        await clock.runAllAsync();
        for (const [from] of grants) {
          for (const [to] of grants) {
            if (to < from) continue;
            const taken = grants
              .filter(([t]) => t >= from && t <= to)
              .reduce((sum, [, w]) => sum + w, 0);
            const allowed = burst +
              (to - from) * limit / intervalMs;
            if (taken > allowed) {
              throw new Error(
                `${taken} tokens in [${from}, ${to}] > ${allowed}`,
              );
            }
          }
        }
        assert.equal(rl.queued, 0);
        await flush();
        assert.equal(clock.pendingTimers, 0);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("RateLimiter leaves no unhandled rejection when waiters abort or calls are refused", async () => {
  const unhandled = await catchUnhandled(async () => {
    const { clock, rl } = limiter();
    await rl.acquire();
    const controller = new AbortController();
    const waiting = [
      rl.acquire({ signal: controller.signal }),
      rl.execute(() => "never", { signal: controller.signal }),
    ];
    controller.abort(new Error("gave up"));
    for (const call of waiting) {
      await assert.rejects(call, { message: "gave up" });
    }
    const strict = new RateLimiter({
      limit: 1,
      intervalMs: 100,
      mode: "reject",
      clock,
    });
    await strict.execute(() => 1);
    await assert.rejects(strict.execute(() => 2), RateLimitedError);
    // A call that waited, then failed.
    const failed = rl.execute(() => Promise.reject(new Error("down")));
    await assert.rejects(clock.runUntilSettled(failed), { message: "down" });
    assert.equal(clock.pendingTimers, 0);
  });
  assert.deepEqual(unhandled, []);
});
