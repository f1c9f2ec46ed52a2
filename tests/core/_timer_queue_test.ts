import assert from "node:assert/strict";
import { systemClock, VirtualClock } from "../../mod.ts";
import { TimerQueue, timerQueueFor } from "../../src/core/_timer_queue.ts";
import { countingClock } from "../_counting_clock.ts";

Deno.test("TimerQueue runs entries in (deadline, order) with one host timer", () => {
  const { inner, clock, armed } = countingClock();
  const queue = new TimerQueue(clock);
  const order: string[] = [];
  queue.schedule(() => order.push("b"), 20);
  queue.schedule(() => order.push("c"), 20);
  queue.schedule(() => order.push("a"), 10);
  for (let i = 0; i < 1000; i++) queue.schedule(() => {}, 30 + i);
  assert.equal(inner.pendingTimers, 1);
  inner.runAll();
  assert.deepEqual(order, ["a", "b", "c"]);
  assert.equal(queue.size, 0);
  assert.equal(inner.pendingTimers, 0);
  // Armed for 20 first, re-armed for 10, then once per later deadline.
  assert.ok(armed() <= 1003);
});

Deno.test("TimerQueue.cancel() releases a virtual clock's timer at once", () => {
  const { inner, clock, armed } = countingClock();
  const queue = timerQueueFor(clock);
  assert.equal(timerQueueFor(clock), queue);
  const later = queue.schedule(() => assert.fail("cancelled ran"), 2000);
  for (let i = 0; i < 100; i++) {
    const entry = queue.schedule(() => assert.fail("cancelled ran"), 1000);
    assert.equal(queue.cancel(entry), true);
    assert.equal(queue.cancel(entry), false);
  }
  // While another entry is pending the host timer stays armed (once for
  // 2000, once re-armed for the earlier 1000).
  assert.equal(armed(), 2);
  assert.equal(inner.pendingTimers, 1);
  queue.cancel(later);
  assert.equal(inner.pendingTimers, 0);
  inner.runAll();
});

Deno.test("TimerQueue on the system clock keeps its timer across a burst, then releases it", async () => {
  const queue = timerQueueFor(systemClock);
  for (let i = 0; i < 100; i++) {
    const entry = queue.schedule(() => assert.fail("cancelled ran"), 60_000);
    queue.cancel(entry);
    await Promise.resolve();
  }
  assert.equal(queue.size, 0);
  // The sanitizer fails this test if the host timer is still armed when it
  // ends; a macrotask boundary is enough for the queue to release it.
  await new Promise((r) => setTimeout(r, 0));
});

Deno.test("TimerQueue runs entries scheduled for now by a callback and rethrows the first error", () => {
  const inner = new VirtualClock();
  const queue = new TimerQueue(inner);
  const order: string[] = [];
  queue.schedule(() => {
    order.push("first");
    queue.schedule(() => order.push("same instant"), 0);
    throw new Error("observer failed");
  }, 5);
  queue.schedule(() => order.push("second"), 5);
  assert.throws(() => inner.tick(5), /observer failed/);
  assert.deepEqual(order, ["first", "second", "same instant"]);
  assert.equal(inner.pendingTimers, 0);
});

Deno.test("TimerQueue reaches deadlines beyond what a host timer holds in hops", () => {
  const { inner, clock, armed } = countingClock();
  const queue = new TimerQueue(clock);
  let ran = false;
  queue.schedule(() => (ran = true), 2 ** 32);
  inner.tick(2 ** 31 - 1);
  assert.equal(ran, false);
  assert.equal(inner.pendingTimers, 1);
  inner.runAll();
  assert.equal(ran, true);
  assert.equal(inner.now(), 2 ** 32);
  assert.equal(armed(), 3);
});
