import assert from "node:assert/strict";
import { RetryBudget, VirtualClock } from "@pledge/core";
import { BAD_NUMBERS } from "../_support.ts";

Deno.test("RetryBudget starts full and grants one retry per token", () => {
  const budget = new RetryBudget({
    maxRetries: 3,
    refill: { limit: 0, intervalMs: 1000 },
    ratio: 0,
    clock: new VirtualClock(),
  });
  assert.equal(budget.available, 3);
  assert.deepEqual(
    Array.from({ length: 5 }, () => budget.tryWithdraw()),
    [true, true, true, false, false],
  );
  assert.equal(budget.available, 0);
});

Deno.test("RetryBudget refills lazily from the clock, up to maxRetries", () => {
  const clock = new VirtualClock();
  const budget = new RetryBudget({
    maxRetries: 4,
    refill: { limit: 2, intervalMs: 1000 },
    ratio: 0,
    clock,
  });
  while (budget.tryWithdraw());
  clock.tick(250);
  assert.equal(budget.available, 0.5);
  assert.equal(budget.tryWithdraw(), false);
  clock.tick(250);
  assert.equal(budget.tryWithdraw(), true);
  clock.tick(60_000);
  assert.equal(budget.available, 4);
  assert.equal(clock.pendingTimers, 0); // no timer: computed on read
});

Deno.test("RetryBudget.deposit() adds ratio per call, and fractions add up to whole retries", () => {
  const budget = new RetryBudget({
    maxRetries: 2,
    refill: { limit: 0, intervalMs: 1000 },
    ratio: 0.1,
    clock: new VirtualClock(),
  });
  while (budget.tryWithdraw());
  for (let i = 0; i < 9; i++) budget.deposit();
  assert.equal(budget.tryWithdraw(), false);
  budget.deposit(); // 10 x 0.1 is 0.9999999999999999 in floating point
  assert.equal(budget.tryWithdraw(), true);
  assert.equal(budget.available, 0);
  for (let i = 0; i < 100; i++) budget.deposit();
  assert.equal(budget.available, 2);
});

Deno.test("RetryBudget defaults: 10 retries, 1 per second, ratio 0.1", () => {
  const clock = new VirtualClock();
  const budget = new RetryBudget({ clock });
  assert.equal(budget.available, 10);
  for (let i = 0; i < 10; i++) budget.tryWithdraw();
  clock.tick(1000);
  budget.deposit();
  assert.equal(budget.available, 1.1);
});

Deno.test("RetryBudget rejects bad options with the option and value named", () => {
  const action = "Cannot create a RetryBudget as";
  for (const value of BAD_NUMBERS) {
    if (Number.isInteger(value) && value >= 0) {
      new RetryBudget({ maxRetries: value });
    } else {
      assert.throws(() => new RetryBudget({ maxRetries: value }), {
        name: "RangeError",
        message:
          `${action} 'maxRetries' must be an integer >= 0: current value is ${value}`,
      });
    }
    const cases: [string, () => RetryBudget][] = [
      [
        "refill.limit",
        () => new RetryBudget({ refill: { limit: value, intervalMs: 1000 } }),
      ],
      ["ratio", () => new RetryBudget({ ratio: value })],
    ];
    for (const [option, make] of cases) {
      if (value >= 0 && value !== Infinity) {
        make();
        continue;
      }
      assert.throws(make, {
        name: "RangeError",
        message:
          `${action} '${option}' must be a finite number >= 0: current value is ${value}`,
      });
    }
    const interval = () =>
      new RetryBudget({ refill: { limit: 1, intervalMs: value } });
    if (value > 0 && value !== Infinity) interval();
    else {
      assert.throws(interval, {
        name: "RangeError",
        message:
          `${action} 'refill.intervalMs' must be a finite number > 0: current value is ${value}`,
      });
    }
  }
  assert.throws(() => new RetryBudget({ ratio: "1" as never }), TypeError);
  assert.throws(() => new RetryBudget({ clock: {} as never }), {
    name: "TypeError",
    message:
      `${action} 'clock.now' must be a function: current value is undefined`,
  });
  assert.throws(() => new RetryBudget({ refill: 5 as never }), {
    name: "TypeError",
    message:
      `${action} 'refill' must be a rate { limit, intervalMs }: current value is 5`,
  });
  assert.throws(() => new RetryBudget(7 as never), TypeError);
});

// --- on a store --------------------------------------------------------------

import {
  constant,
  InvalidStateError,
  MemoryStore,
  retry,
  RetryError,
} from "@pledge/core";
import { countedSignal } from "../_support.ts";
import { flakyStore } from "./stores/_store_support.ts";

function sharedBudgets(ratio: number, maxRetries = 2, instances = 2) {
  const clock = new VirtualClock();
  const store = flakyStore(new MemoryStore({ clock }));
  const budgets = Array.from({ length: instances }, () =>
    new RetryBudget({
      maxRetries,
      ratio,
      refill: { limit: 0, intervalMs: 1000 },
      store,
      key: "api",
      clock,
    }));
  return { clock, store, budgets };
}

Deno.test("RetryBudget on a store: every instance draws on one bucket", async () => {
  const { clock, budgets: [a, b] } = sharedBudgets(0, 2);
  assert.equal(await a!.withdraw(), true);
  assert.equal(await b!.withdraw(), true);
  assert.equal(await a!.withdraw(), false);
  assert.equal(await b!.withdraw(), false);
  assert.equal(b!.available, 0);
  assert.throws(() => a!.tryWithdraw(), InvalidStateError);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("RetryBudget on a store: deposits go to the store once they add up to a whole retry, or with the next withdrawal", async () => {
  const { store, budgets: [a, b] } = sharedBudgets(0.25, 1);
  assert.equal(await b!.withdraw(), true);
  for (let i = 0; i < 3; i++) a!.deposit();
  assert.equal(store.calls, 1); // 0.75 of a retry: held back
  a!.deposit(); // a whole retry: sent on its own
  assert.equal(store.calls, 2);
  await Promise.resolve();
  assert.equal(await b!.withdraw(), true); // earned by a's calls
  a!.deposit();
  a!.deposit();
  assert.equal(await b!.withdraw(), false); // b cannot see a's half retry
  a!.deposit();
  a!.deposit();
  assert.equal(await a!.withdraw(), true); // the 4 calls made a retry
  assert.equal(await b!.withdraw(), false);
  a!.deposit();
  assert.equal(await a!.withdraw(), false); // a quarter, sent with it
});

Deno.test("RetryBudget on a store: retry() gives up fleet-wide when the shared budget is empty", async () => {
  const { clock, budgets } = sharedBudgets(0, 3, 2);
  const results = await clock.runUntilSettled(Promise.allSettled(
    budgets.map((budget) =>
      retry(() => Promise.reject(new Error("down")), {
        maxAttempts: 10,
        backoff: constant(10),
        budget,
        clock,
      })
    ),
  ));
  const attempts = results.map((r) =>
    r.status === "rejected" && r.reason instanceof RetryError
      ? r.reason.attempts
      : 0
  );
  assert.equal(attempts[0]! + attempts[1]!, 2 + 3);
});

Deno.test("RetryBudget.withdraw() rejects with signal.reason and leaves no listener", async () => {
  const { store, budgets: [a] } = sharedBudgets(0);
  store.behaviour = "hang";
  const counted = countedSignal();
  const pending = a!.withdraw({ signal: counted.signal });
  const reason = new Error("stop");
  counted.controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  await assert.rejects(
    a!.withdraw({ signal: counted.signal }),
    (e) => e === reason,
  );
  await assert.rejects(
    a!.withdraw(counted.signal as never),
    /pass \{ signal \}/,
  );
  store.release();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(counted.live, 0);
});
