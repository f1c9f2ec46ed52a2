import assert from "node:assert/strict";
import fc from "fast-check";
import { delay, Future, VirtualClock } from "@pledge/core";
import {
  assertDurationRejection,
  countedSignal,
  durationRejectionTests,
  flush,
  hostTimersArmedBy,
} from "../_support.ts";

Deno.test("delay() fulfils after ms on the injected clock, not before", async () => {
  const clock = new VirtualClock();
  const waited = delay(100, { clock });
  assert.ok(waited instanceof Future);
  clock.tick(99);
  await flush();
  assert.equal(waited.state, "pending");
  clock.tick(1);
  assert.equal(await waited, undefined);
  assert.equal(clock.now(), 100);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("delay() rejects with signal.reason unchanged and releases its timer and listener", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const reason = new Error("stop");
  const waited = delay(100, { clock, signal: counted.signal });
  assert.equal(counted.live, 1);
  clock.tick(50);
  counted.controller.abort(reason);
  await assert.rejects(waited, (e) => e === reason);
  assert.equal(counted.live, 0);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(clock.now(), 50);
});

Deno.test("delay() with an aborted signal rejects at once without a timer or a listener", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  counted.controller.abort("before");
  const waited = delay(100, { clock, signal: counted.signal });
  assert.equal(waited.state, "rejected");
  assert.equal(clock.pendingTimers, 0);
  assert.equal(counted.added, 0);
  await assert.rejects(waited, (e) => e === "before");
});

Deno.test("delay() removes its listener when it fulfils", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const waited = delay(10, { clock, signal: counted.signal });
  clock.tick(10);
  await waited;
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
  counted.controller.abort();
});

Deno.test("delay() uses the system clock by default", async () => {
  for (const options of [undefined, {}]) {
    let waited!: Future<void>;
    // One host timer, armed through systemClock for the delay given.
    assert.deepEqual(hostTimersArmedBy(() => (waited = delay(0, options))), [
      0,
    ]);
    // A host timer, not a microtask: pending until a macrotask runs.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    assert.equal(waited.state, "pending");
    await flush();
    assert.equal(waited.state, "fulfilled");
  }
});

Deno.test("delay() calls pending together share one clock timer and one listener", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const waits = Array.from(
    { length: 1000 },
    (_, i) => delay(i, { clock, signal: counted.signal }),
  );
  assert.equal(clock.pendingTimers, 1);
  assert.equal(counted.live, 1);
  clock.tick(500);
  counted.controller.abort("half");
  const outcomes = await Promise.allSettled(waits);
  assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 501);
  assert.ok(
    outcomes.slice(501).every((o) =>
      o.status === "rejected" && o.reason === "half"
    ),
  );
  assert.equal(clock.pendingTimers, 0);
  assert.equal(counted.live, 0);
});

durationRejectionTests("delay", async (value, expected) => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  if (expected === "ok") {
    const waited = delay(value, {
      clock,
      signal: counted.signal,
    });
    clock.tick(2);
    await waited;
  } else {
    await assertDurationRejection(
      delay(value, { clock, signal: counted.signal }),
      "delay",
      value,
      expected,
    );
  }
  assert.equal(clock.pendingTimers, 0);
  assert.equal(counted.live, 0);
});

Deno.test("delay() rejects bad options, a non-signal and a non-clock before arming a timer", async () => {
  const clock = new VirtualClock();
  await assert.rejects(delay(1, 3 as never), {
    name: "TypeError",
    message:
      "Cannot delay as 'options' must be an options object: current value is 3",
  });
  await assert.rejects(delay(1, { clock, signal: "s" as never }), {
    name: "TypeError",
    message:
      `Cannot delay as 'signal' must be an AbortSignal: current value is "s"`,
  });
  await assert.rejects(delay(1, new AbortController().signal as never), {
    name: "TypeError",
    message:
      "Cannot delay as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  });
  await assert.rejects(delay(1, { clock: { now: () => 0 } as never }), {
    name: "TypeError",
    message:
      "Cannot delay as 'clock.setTimeout' must be a function: current value is undefined",
  });
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("100,000 delay() on a long-lived signal, completed, leave 0 listeners and 0 timers", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  for (let i = 0; i < 100; i++) {
    const batch: PromiseLike<void>[] = [];
    for (let j = 0; j < 1000; j++) {
      batch.push(delay(j % 7, { clock, signal: counted.signal }));
    }
    clock.tick(7);
    await Promise.all(batch);
  }
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
  assert.equal(counted.added, counted.removed);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("property: every delay settles, fulfilled exactly when due before the abort", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat(100), { minLength: 1, maxLength: 30 }),
      fc.nat(120),
      async (delays, abortAt) => {
        const clock = new VirtualClock();
        const controller = new AbortController();
        const waits = delays.map((ms) =>
          delay(ms, { clock, signal: controller.signal })
        );
        clock.tick(abortAt);
        controller.abort("stop");
        clock.runAll();
        const outcomes = await Promise.allSettled(waits);
        outcomes.forEach((o, i) => {
          if (delays[i]! <= abortAt) assert.equal(o.status, "fulfilled");
          else {
            assert.equal(o.status, "rejected");
            assert.equal((o as PromiseRejectedResult).reason, "stop");
          }
        });
        await flush();
        assert.equal(clock.pendingTimers, 0);
      },
    ),
    { numRuns: 100 },
  );
});
