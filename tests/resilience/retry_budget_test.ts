import assert from "node:assert/strict";
import { RetryBudget, VirtualClock } from "@pledge/core";
import { BAD_NUMBERS } from "./_harness.ts";

Deno.test("RetryBudget starts full and grants one retry per token", () => {
  const budget = new RetryBudget({
    maxRetries: 3,
    refillPerSecond: 0,
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
    refillPerSecond: 2,
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
    refillPerSecond: 0,
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
    for (const option of ["refillPerSecond", "ratio"]) {
      if (value >= 0 && value !== Infinity) {
        new RetryBudget({ [option]: value });
        continue;
      }
      assert.throws(() => new RetryBudget({ [option]: value }), {
        name: "RangeError",
        message:
          `${action} '${option}' must be a finite number >= 0: current value is ${value}`,
      });
    }
  }
  assert.throws(() => new RetryBudget({ ratio: "1" as never }), TypeError);
  assert.throws(() => new RetryBudget({ clock: {} as never }), {
    name: "TypeError",
    message: `${action} 'clock' must be a Clock: current value is an object`,
  });
  assert.throws(() => new RetryBudget(7 as never), TypeError);
});
