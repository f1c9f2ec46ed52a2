import assert from "node:assert/strict";
import { timeoutPolicy, VirtualClock } from "@pledge/core";
import {
  abortListeners,
  BAD_NUMBERS,
  catchUnhandled,
  flush,
} from "../_support.ts";
import { countingClock } from "../_counting_clock.ts";

const isTimeout = (ms: number) => (e: unknown) =>
  e instanceof DOMException && e.name === "TimeoutError" &&
  e.message === `The operation timed out after ${ms} ms`;

Deno.test("timeoutPolicy() aggressive rejects at the deadline and aborts fn's signal with the same reason", async () => {
  const clock = new VirtualClock();
  const policy = timeoutPolicy(250, { clock });
  let seen: AbortSignal | undefined;
  const call = policy.execute(({ signal }) => {
    seen = signal;
    return new Promise(() => {});
  });
  const error = await clock.runUntilSettled(call).catch((e) => e);
  assert.ok(isTimeout(250)(error));
  assert.equal(clock.now(), 250);
  assert.equal(seen!.aborted, true);
  assert.equal(seen!.reason, error);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeoutPolicy() cooperative waits for fn: a late value is kept, a rejection becomes the TimeoutError", async () => {
  const clock = new VirtualClock();
  const policy = timeoutPolicy(100, { mode: "cooperative", clock });
  const late = policy.execute(({ signal }) =>
    new Promise((resolve) =>
      signal.addEventListener(
        "abort",
        () => clock.setTimeout(() => resolve("late but done"), 30),
      )
    )
  );
  assert.equal(await clock.runUntilSettled(late), "late but done");
  assert.equal(clock.now(), 130);

  const start = clock.now();
  const stopped = policy.execute(({ signal }) =>
    new Promise((_, reject) =>
      signal.addEventListener(
        "abort",
        () => reject(new Error("my own cancel error")),
      )
    )
  );
  const error = await clock.runUntilSettled(stopped).catch((e) => e);
  assert.ok(isTimeout(100)(error));
  assert.equal(clock.now() - start, 100);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeoutPolicy() passes through work that settles first and releases its timer", async () => {
  const clock = new VirtualClock();
  for (const mode of ["aggressive", "cooperative"] as const) {
    const policy = timeoutPolicy(1000, { mode, clock });
    const slow = policy.execute(() =>
      new Promise((resolve) => clock.setTimeout(() => resolve("in time"), 999))
    );
    assert.equal(await clock.runUntilSettled(slow), "in time");
    await flush();
    assert.equal(clock.pendingTimers, 0);
    await assert.rejects(
      policy.execute(() => Promise.reject(new Error("own failure"))),
      { message: "own failure" },
    );
    assert.equal(await policy.execute(() => "sync value"), "sync value");
    await assert.rejects(
      policy.execute(() => {
        throw new RangeError("sync throw");
      }),
      RangeError,
    );
  }
});

Deno.test("timeoutPolicy() arms no timer for work settled within its microtask", async () => {
  const { inner, clock, armed } = countingClock();
  const policy = timeoutPolicy(1000, { clock });
  for (let i = 0; i < 100; i++) {
    // deno-lint-ignore require-await
    assert.equal(await policy.execute(async () => i), i);
  }
  assert.equal(armed(), 0);
  const pending = policy.execute(() =>
    new Promise((resolve) => inner.setTimeout(() => resolve("x"), 10))
  );
  await flush();
  assert.equal(armed(), 1); // the timeout's (the work's own is on inner)
  assert.equal(await inner.runUntilSettled(pending), "x");
  await flush();
  assert.equal(inner.pendingTimers, 0);
});

Deno.test("timeoutPolicy() counts the time allowed from the call under the async drivers", async () => {
  const clock = new VirtualClock();
  const policy = timeoutPolicy(100, { clock });
  let settled = false;
  const call = policy.execute(() => new Promise(() => {})).catch((e) => {
    settled = true;
    return e;
  });
  await clock.tickAsync(99);
  assert.equal(settled, false);
  await clock.tickAsync(1);
  assert.equal(settled, true);
  assert.ok(isTimeout(100)(await call));
  assert.equal(clock.now(), 100);
});

Deno.test("timeoutPolicy() creates fn's signal only when read, aborted if read after the end", async () => {
  const clock = new VirtualClock();
  const policy = timeoutPolicy(10, { mode: "cooperative", clock });
  let context: { signal: AbortSignal } | undefined;
  const call = policy.execute((ctx) => {
    context = ctx;
    return new Promise((_, reject) =>
      clock.setTimeout(() => reject(new Error("x")), 50)
    );
  });
  const error = await clock.runUntilSettled(call).catch((e) => e);
  assert.ok(isTimeout(10)(error));
  const signal = context!.signal;
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, error);
  assert.equal(context!.signal, signal);
});

Deno.test("timeoutPolicy() rejects with signal.reason when the caller aborts before start, creating nothing", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  controller.abort("early");
  let calls = 0;
  const call = timeoutPolicy(10, { clock }).execute(() => calls++, {
    signal: controller.signal,
  });
  await assert.rejects(call, (e) => e === "early");
  assert.equal(calls, 0);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(controller.signal), 0);
});

Deno.test("timeoutPolicy() aggressive rejects at once when the caller aborts during the call", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  let inner: AbortSignal | undefined;
  const call = timeoutPolicy(1000, { clock }).execute(({ signal }) => {
    inner = signal;
    return new Promise(() => {});
  }, { signal: controller.signal });
  await flush();
  assert.equal(abortListeners(controller.signal), 1);
  clock.tick(10);
  controller.abort("caller left");
  await assert.rejects(call, (e) => e === "caller left");
  assert.equal(inner!.reason, "caller left");
  assert.equal(clock.now(), 10);
  await flush();
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(controller.signal), 0);
});

Deno.test("timeoutPolicy() cooperative waits for fn when the caller aborts, then rejects with signal.reason", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const call = timeoutPolicy(1000, { mode: "cooperative", clock }).execute(
    ({ signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener(
          "abort",
          () => clock.setTimeout(() => reject(new Error("x")), 5),
        )
      ),
    { signal: controller.signal },
  );
  await flush();
  controller.abort("caller left");
  await assert.rejects(clock.runUntilSettled(call), (e) => e === "caller left");
  assert.equal(clock.now(), 5);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(controller.signal), 0);
});

Deno.test("timeoutPolicy() handles an abort between the call and the arming microtask", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const call = timeoutPolicy(1000, { clock }).execute(
    () => new Promise(() => {}),
    {
      signal: controller.signal,
    },
  );
  controller.abort("right away");
  await assert.rejects(call, (e) => e === "right away");
  await flush();
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(controller.signal), 0);
});

Deno.test("timeoutPolicy() leaves no listener on a long-lived signal after many calls", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const policy = timeoutPolicy(1000, { clock });
  for (let i = 0; i < 100; i++) {
    const call = policy.execute(
      () => new Promise((resolve) => clock.setTimeout(() => resolve(i), 1)),
      { signal: controller.signal },
    );
    assert.equal(await clock.runUntilSettled(call), i);
  }
  await flush();
  assert.equal(abortListeners(controller.signal), 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeoutPolicy() passes the attempt of the context it is given", async () => {
  const attempts: number[] = [];
  const policy = timeoutPolicy(10);
  await policy.execute(({ attempt }) => void attempts.push(attempt), {
    attempt: 4,
  });
  await policy.execute(({ attempt }) => void attempts.push(attempt));
  assert.deepEqual(attempts, [4, 1]);
});

Deno.test("timeoutPolicy() rejects bad options and execute() arguments", async () => {
  for (const value of BAD_NUMBERS) {
    if (value >= 0 && value !== Infinity) {
      timeoutPolicy(value); // 0 and 1.5 are valid
      continue;
    }
    assert.throws(() => timeoutPolicy(value), {
      name: "RangeError",
      message:
        `Cannot create a timeout policy as 'ms' must be a finite number >= 0: current value is ${value}`,
    });
  }
  assert.throws(() => timeoutPolicy(2 ** 31), {
    name: "RangeError",
    message:
      "Cannot create a timeout policy as 'ms' must be a finite number <= 2147483647: current value is 2147483648",
  });
  assert.throws(() => timeoutPolicy("1" as never), TypeError);
  assert.throws(() => timeoutPolicy(1, { mode: "eager" as never }), {
    name: "TypeError",
    message:
      `Cannot create a timeout policy as 'mode' must be "aggressive" or "cooperative": current value is "eager"`,
  });
  assert.throws(() => timeoutPolicy(1, { clock: {} as never }), TypeError);
  assert.throws(() => timeoutPolicy(1, null as never), TypeError);
  const policy = timeoutPolicy(1);
  await assert.rejects(policy.execute(undefined as never), TypeError);
  await assert.rejects(
    policy.execute(() => 1, { signal: "x" as never }),
    TypeError,
  );
});

Deno.test("timeoutPolicy() leaves no unhandled rejection: late, early and aborted failures, both modes", async () => {
  const unhandled = await catchUnhandled(async () => {
    for (const mode of ["aggressive", "cooperative"] as const) {
      const clock = new VirtualClock();
      const policy = timeoutPolicy(10, { mode, clock });
      const failAfter = (ms: number) => () =>
        new Promise((_, reject) =>
          clock.setTimeout(() => reject(new Error("own")), ms)
        );
      // fn fails after the deadline, ignoring the signal.
      const late = policy.execute(failAfter(50));
      await assert.rejects(clock.runUntilSettled(late), isTimeout(10));
      // fn fails before the deadline.
      await assert.rejects(
        clock.runUntilSettled(policy.execute(failAfter(5))),
        { message: "own" },
      );
      // The caller aborts; fn fails later with its own error.
      const controller = new AbortController();
      const aborted = policy.execute(failAfter(30), {
        signal: controller.signal,
      });
      await clock.tickAsync(1);
      controller.abort(new Error("caller"));
      await assert.rejects(clock.runUntilSettled(aborted), {
        message: "caller",
      });
      // fn throws, or returns a thenable whose then throws.
      await assert.rejects(
        policy.execute(() => {
          throw new Error("sync");
        }),
        { message: "sync" },
      );
      const badThenable = {
        get then(): never {
          throw new Error("then getter");
        },
      };
      await assert.rejects(policy.execute(() => badThenable), {
        message: "then getter",
      });
      await clock.runAllAsync();
      assert.equal(clock.pendingTimers, 0);
    }
  });
  assert.deepEqual(unhandled, []);
});
