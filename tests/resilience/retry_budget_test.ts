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
