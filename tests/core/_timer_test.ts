import assert from "node:assert/strict";
import { startTimer } from "../../src/core/_timer.ts";
import { countingClock } from "../_counting_clock.ts";

Deno.test("startTimer() arms one host timer and its cancel clears it", () => {
  const { inner, clock, armed } = countingClock();
  let ran = 0;
  startTimer(clock, () => ran++, 10);
  const cancel = startTimer(clock, () => assert.fail("cancelled ran"), 10);
  assert.equal(armed(), 2);
  cancel();
  assert.equal(inner.pendingTimers, 1);
  inner.tick(9);
  assert.equal(ran, 0);
  inner.tick(1);
  assert.equal(ran, 1);
  assert.equal(inner.pendingTimers, 0);
});

Deno.test("startTimer() reaches deadlines beyond what a host timer holds in hops", () => {
  const { inner, clock, armed } = countingClock();
  let ran = false;
  const cancel = startTimer(clock, () => (ran = true), 2 ** 32);
  inner.tick(2 ** 31 - 1);
  assert.equal(ran, false);
  assert.equal(inner.pendingTimers, 1);
  inner.runAll();
  assert.equal(ran, true);
  assert.equal(inner.now(), 2 ** 32);
  assert.equal(armed(), 3);
  cancel();
  let late = false;
  const cancelLate = startTimer(clock, () => (late = true), 2 ** 32);
  inner.tick(2 ** 31);
  cancelLate();
  assert.equal(inner.pendingTimers, 0);
  inner.runAll();
  assert.equal(late, false);
});
