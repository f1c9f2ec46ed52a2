import assert from "node:assert/strict";
import fc from "fast-check";
import { delay, sequence, VirtualClock } from "@pledge/core";
import {
  assertRejectsWith,
  catchUnhandled,
  countedSignal,
  flush,
  show,
} from "../_support.ts";
import { longLivedFuture, NOT_FUNCTION, settle } from "./_support.ts";

const ACTION = "run in sequence";

Deno.test("sequence() infers a tuple of the tasks' values", async () => {
  const [a, b] = await sequence([
    () => Promise.resolve(1),
    (_signal: AbortSignal) => "two",
  ]);
  const n: number = a;
  // @ts-expect-error the second value is a string
  const wrong: number = b;
  assert.deepEqual([n, wrong], [1, "two"]);
  const fromIterable: number[] = await sequence(new Set([() => 1]));
  assert.deepEqual(fromIterable, [1]);
});

Deno.test("sequence() runs one task at a time, in order", async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const task = (name: string, ms: number) => async (signal: AbortSignal) => {
    log.push(`start ${name} at ${clock.now()}`);
    await delay(ms, { clock, signal });
    log.push(`end ${name} at ${clock.now()}`);
    return name;
  };
  const out = sequence([task("a", 30), task("b", 10), task("c", 20)]);
  assert.deepEqual(await settle(clock, out), {
    status: "fulfilled",
    value: ["a", "b", "c"],
  });
  assert.deepEqual(log, [
    "start a at 0",
    "end a at 30",
    "start b at 30",
    "end b at 40",
    "start c at 40",
    "end c at 60",
  ]);
});

Deno.test("sequence() reads a generator lazily, so it can choose the next task", async () => {
  const values: number[] = [];
  function* tasks(): Generator<() => number> {
    let previous = 1;
    for (let i = 0; i < 4; i++) {
      yield () => (previous *= 2);
      values.push(previous);
    }
  }
  assert.deepEqual(await sequence(tasks()), [2, 4, 8, 16]);
  assert.deepEqual(values, [2, 4, 8, 16]);
});

Deno.test("sequence() rejects with the first failure and starts no later task", async () => {
  const boom = new Error("boom");
  let later = false;
  await assert.rejects(
    sequence([
      () => 1,
      () => Promise.reject(boom),
      () => (later = true),
    ]),
    (e) => e === boom,
  );
  assert.equal(later, false);
});

Deno.test("sequence() rejects with signal.reason unchanged, stops, and leaves nothing behind", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  let later = false;
  let seen: AbortSignal | undefined;
  const out = sequence([
    (signal) => (seen = signal, delay(50, { clock, signal })),
    () => (later = true),
  ], { signal: counted.signal });
  assert.equal(seen, counted.signal);
  clock.tick(20);
  const reason = new Error("stop");
  counted.controller.abort(reason);
  await assert.rejects(out, (e) => e === reason);
  await flush();
  assert.equal(later, false);
  assert.equal(counted.live, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("sequence() with an aborted signal rejects at once and calls no task", async () => {
  const counted = countedSignal();
  counted.controller.abort("early");
  let called = false;
  const out = sequence([() => (called = true)], { signal: counted.signal });
  assert.equal(out.state, "rejected");
  await assert.rejects(out, (e) => e === "early");
  assert.equal(called, false);
  assert.equal(counted.added, 0);
});

Deno.test("sequence() property: settles with every value or the first failure, leaving no listener", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ ms: fc.nat(20), ok: fc.boolean() }), {
        maxLength: 8,
      }),
      async (plans) => {
        const clock = new VirtualClock();
        const counted = countedSignal();
        const out = sequence(
          plans.map((plan, i) => async (signal: AbortSignal) => {
            await delay(plan.ms, { clock, signal });
            if (!plan.ok) throw new Error(String(i));
            return i;
          }),
          { signal: counted.signal },
        );
        const outcome = await settle(clock, out);
        const failed = plans.findIndex((p) => !p.ok);
        if (failed < 0) {
          assert.deepEqual(outcome, {
            status: "fulfilled",
            value: plans.map((_, i) => i),
          });
        } else {
          assert.equal(
            (outcome as PromiseRejectedResult).reason.message,
            String(failed),
          );
        }
        assert.equal(
          clock.now(),
          plans.slice(0, failed < 0 ? plans.length : failed + 1)
            .reduce((sum, p) => sum + p.ms, 0),
        );
        await flush();
        assert.equal(counted.live, 0);
        assert.equal(clock.pendingTimers, 0);
      },
    ),
    { numRuns: 50 },
  );
});

Deno.test("sequence() rejects, never throws, a TypeError for tasks that are not iterable or not functions", async () => {
  for (
    const [value, shown] of [[undefined, "undefined"], [null, "null"], [
      5,
      "5",
    ], [{}, "an object"]] as const
  ) {
    await assertRejectsWith(
      () => sequence(value as never),
      TypeError,
      `Cannot ${ACTION} as 'tasks' must be an iterable: current value is ${shown}`,
    );
  }
  for (const value of NOT_FUNCTION) {
    await assertRejectsWith(
      () => sequence([() => 1, value as never]),
      TypeError,
      `Cannot ${ACTION} as 'tasks[1]' must be a function: current value is ${
        value === null || typeof value !== "object" ? show(value) : "an object"
      }`,
    );
  }
  // From an iterable, a bad task is found when it is reached.
  await assert.rejects(
    sequence(new Set([() => 1, 2 as never])),
    (e) =>
      e instanceof TypeError &&
      e.message ===
        `Cannot ${ACTION} as 'tasks[1]' must be a function: current value is 2`,
  );
  await assertRejectsWith(
    () => sequence([() => 1], new AbortController().signal as never),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is an AbortSignal (pass { signal })`,
  );
});

Deno.test("sequence() leaves no unhandled rejection when a task fails or the caller aborts", async () => {
  const reasons = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    await assert.rejects(
      sequence([() => 1, () => Promise.reject(new Error("two")), () => 3]),
      /two/,
    );
    const controller = new AbortController();
    const aborted = sequence([
      (signal) => delay(10, { clock, signal }),
      (signal) => delay(10, { clock, signal }),
    ], { signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
    clock.runAll();
  });
  assert.deepEqual(reasons, []);
});

Deno.test("sequence() aborted keeps no reaction on a long-lived Future", async () => {
  for (const keep of [true, false]) {
    // Each reaction a finished call kept would run once `longLived` settles.
    const { source, future: longLived, reactions } = longLivedFuture();
    const reasons = await catchUnhandled(async () => {
      // A call still waiting keeps its reaction and gets the outcome.
      const kept = keep
        ? sequence([() => longLived], { signal: new AbortController().signal })
        : undefined;
      for (let i = 0; i < 10; i++) {
        // A task that ignores its signal, then the caller aborts.
        const controller = new AbortController();
        const aborted = sequence([() => 1, () => longLived, () => 2], {
          signal: controller.signal,
        });
        await flush();
        controller.abort(i);
        await assert.rejects(aborted, (e) => e === i);
        // A task that aborts the caller's signal, then returns the future.
        const self = new AbortController();
        const selfAborted = sequence([() => (self.abort(i), longLived)], {
          signal: self.signal,
        });
        await assert.rejects(selfAborted, (e) => e === i);
      }
      source.reject(new Error("late"));
      if (kept !== undefined) await assert.rejects(kept, { message: "late" });
    });
    assert.equal(reactions(), keep ? 1 : 0);
    // Given up on, the late rejection stays handled, as natively.
    assert.deepEqual(reasons, []);
  }
});
