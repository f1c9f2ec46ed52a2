import assert from "node:assert/strict";
import {
  abortable,
  anySignal,
  CancellationTokenSource,
  Completer,
  Future,
  isAbortError,
  onAbort,
  timeoutSignal,
  VirtualClock,
} from "@pledge/core";
import {
  assertDurationError,
  catchUnhandled,
  countedSignal,
  durationTests,
  flush,
  hostTimersArmedBy,
} from "../_support.ts";

// --- onAbort

Deno.test("onAbort() runs the callback once with the reason and removes its listener", () => {
  const counted = countedSignal();
  const seen: unknown[] = [];
  const registration = onAbort(counted.signal, (r) => seen.push(r));
  assert.equal(counted.live, 1);
  counted.controller.abort("why");
  assert.deepEqual(seen, ["why"]);
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
  registration[Symbol.dispose]();
  assert.equal(counted.added, counted.removed);
});

Deno.test("onAbort() disposed before the abort never runs and leaves no listener", () => {
  const counted = countedSignal();
  let ran = false;
  {
    using _registration = onAbort(counted.signal, () => (ran = true));
  }
  assert.equal(counted.live, 0);
  counted.controller.abort();
  assert.equal(ran, false);
});

Deno.test("onAbort() on an aborted signal runs at once and adds no listener", () => {
  const counted = countedSignal();
  counted.controller.abort("already");
  let seen: unknown;
  const registration = onAbort(counted.signal, (r) => (seen = r));
  assert.equal(seen, "already");
  assert.equal(counted.added, 0);
  registration[Symbol.dispose]();
});

Deno.test("onAbort() callbacks on one signal run in registration order", () => {
  const controller = new AbortController();
  const order: number[] = [];
  for (let i = 0; i < 4; i++) onAbort(controller.signal, () => order.push(i));
  controller.abort();
  assert.deepEqual(order, [0, 1, 2, 3]);
});

Deno.test("onAbort() on a token's signal adds no event listener", () => {
  const source = new CancellationTokenSource();
  const signal = source.token.signal;
  let added = 0;
  const add = signal.addEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    added++;
    add(...args);
  }) as typeof add;
  let seen: unknown;
  onAbort(signal, (r) => (seen = r));
  source.cancel("t");
  assert.equal(seen, "t");
  assert.equal(added, 0);
});

Deno.test("onAbort() rejects a non-signal and a non-function", () => {
  assert.throws(() => onAbort({} as AbortSignal, () => {}), {
    name: "TypeError",
    message:
      "Cannot watch a signal as 'signal' must be an AbortSignal: current value is an object",
  });
  const counted = countedSignal();
  assert.throws(() => onAbort(counted.signal, 42 as never), {
    name: "TypeError",
    message:
      "Cannot watch a signal as 'callback' must be a function: current value is 42",
  });
  assert.equal(counted.added, 0);
});

Deno.test("the listener count detects a listener that is never removed (negative control)", async () => {
  const counted = countedSignal();
  // The p-timeout#42 pattern: `{ once: true }` removes nothing unless the
  // signal fires.
  const leaky = <T>(promise: Promise<T>, signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), {
        once: true,
      });
      promise.then(resolve, reject);
    });
  for (let i = 0; i < 100; i++) await leaky(Promise.resolve(i), counted.signal);
  assert.equal(counted.live, 100);
  assert.equal(counted.native, 100);
});

// --- anySignal

Deno.test("anySignal() aborts with the reason of the first parent to abort", () => {
  const a = new AbortController();
  const b = new AbortController();
  using signal = anySignal([a.signal, b.signal]);
  assert.equal(signal.aborted, false);
  b.abort("b");
  a.abort("a");
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, "b");
});

Deno.test("anySignal() removes its listener from every parent on the first abort", () => {
  const a = countedSignal();
  const b = countedSignal();
  const c = countedSignal();
  const signal = anySignal([a.signal, b.signal, c.signal]);
  assert.deepEqual([a.live, b.live, c.live], [1, 1, 1]);
  b.controller.abort("b");
  assert.deepEqual([a.live, b.live, c.live], [0, 0, 0]);
  assert.deepEqual([a.native, b.native, c.native], [0, 0, 0]);
  assert.equal(signal.reason, "b");
  signal[Symbol.dispose]();
});

Deno.test("anySignal() removes its listener from every parent when disposed", () => {
  const a = countedSignal();
  const b = countedSignal();
  {
    using signal = anySignal([a.signal, b.signal]);
    assert.equal(signal.aborted, false);
  }
  assert.deepEqual([a.live, b.live], [0, 0]);
  a.controller.abort();
  assert.equal(a.added, a.removed);
  assert.equal(b.added, b.removed);
});

Deno.test("anySignal() with an aborted parent is aborted at once and listens to no parent", () => {
  const a = countedSignal();
  const b = countedSignal();
  b.controller.abort("early");
  using signal = anySignal([a.signal, b.signal]);
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, "early");
  assert.equal(a.added + b.added, 0);
});

Deno.test("anySignal() takes tokens and signals of tokens without event listeners", () => {
  const source = new CancellationTokenSource();
  const other = new CancellationTokenSource();
  using signal = anySignal([source.token, other.token.signal]);
  other.cancel("other");
  assert.equal(signal.reason, "other");
});

Deno.test("anySignal() of nothing never aborts", () => {
  using signal = anySignal([]);
  assert.equal(signal.aborted, false);
});

Deno.test("anySignal() rejects a non-iterable and a bad element", () => {
  assert.throws(() => anySignal(5 as never), {
    name: "TypeError",
    message:
      "Cannot combine signals as 'signals' must be an iterable: current value is 5",
  });
  const counted = countedSignal();
  assert.throws(() => anySignal([counted.signal, "x" as never]), {
    name: "TypeError",
    message:
      `Cannot combine signals as 'signals[1]' must be a CancellationToken or an AbortSignal: current value is "x"`,
  });
  assert.equal(counted.added, 0);
});

Deno.test("100,000 anySignal() on a long-lived signal, disposed, leave 0 listeners", () => {
  const counted = countedSignal();
  const local = new AbortController();
  for (let i = 0; i < 100_000; i++) {
    using signal = anySignal([counted.signal, local.signal]);
    if (signal.aborted) throw new Error("unreachable");
  }
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
  assert.equal(counted.added, counted.removed);
});

// --- timeoutSignal

Deno.test("timeoutSignal() aborts with a DOMException named TimeoutError after ms", async () => {
  const clock = new VirtualClock();
  const signal = timeoutSignal(100, { clock });
  clock.tick(99);
  assert.equal(signal.aborted, false);
  clock.tick(1);
  assert.ok(signal.reason instanceof DOMException);
  assert.equal(signal.reason.name, "TimeoutError");
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeoutSignal() disposed before it fires releases its timer and never aborts", async () => {
  const clock = new VirtualClock();
  const signal = timeoutSignal(100, { clock });
  signal[Symbol.dispose]();
  await flush();
  assert.equal(clock.pendingTimers, 0);
  clock.tick(100);
  assert.equal(signal.aborted, false);
});

Deno.test("timeoutSignal() uses the system clock by default", async () => {
  const signal = timeoutSignal(0);
  await flush();
  assert.equal(signal.reason.name, "TimeoutError");
});

durationTests("timeoutSignal", async (value, expected) => {
  const clock = new VirtualClock();
  if (expected === "ok") {
    using signal = timeoutSignal(value, { clock });
    clock.tick(1);
    assert.equal(signal.aborted, value === 0);
    clock.tick(1);
    assert.equal(signal.aborted, true);
  } else {
    assertDurationError(
      () => timeoutSignal(value, { clock }),
      "create a timeout signal",
      value,
      expected,
    );
  }
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeoutSignal() throws on bad options and a non-clock, before arming", () => {
  assert.throws(() => timeoutSignal(1, 7 as never), {
    name: "TypeError",
    message:
      "Cannot create a timeout signal as 'options' must be an options object: current value is 7",
  });
  const clock = new VirtualClock();
  const partial = { now: () => clock.now(), setTimeout: () => 1 };
  assert.throws(() => timeoutSignal(1, { clock: partial as never }), {
    name: "TypeError",
    message:
      "Cannot create a timeout signal as 'clock.clearTimeout' must be a function: current value is undefined",
  });
  assert.deepEqual(
    hostTimersArmedBy(() =>
      assert.throws(() => timeoutSignal(1, { clock: null as never }), {
        message:
          "Cannot create a timeout signal as 'clock' must be a Clock: current value is null",
      })
    ),
    [],
  );
});

// --- abortable

Deno.test("abortable() settles like the promise and removes its listener either way", async () => {
  const counted = countedSignal();
  assert.equal(await abortable(Promise.resolve(7), counted.signal), 7);
  await assert.rejects(
    abortable(Promise.reject(new Error("no")), counted.signal),
    { message: "no" },
  );
  assert.equal(await abortable(42, counted.signal), 42);
  assert.equal(counted.live, 0);
  assert.equal(counted.added, 3);
});

Deno.test("abortable() rejects with signal.reason unchanged when aborted first", async () => {
  const counted = countedSignal();
  const reason = { custom: true };
  const waiting = abortable(new Promise<never>(() => {}), counted.signal);
  assert.ok(waiting instanceof Future);
  counted.controller.abort(reason);
  await assert.rejects(waiting, (e) => e === reason);
  assert.equal(counted.live, 0);
});

Deno.test("abortable() with an aborted signal rejects at once, adds no listener and handles the input", async () => {
  const counted = countedSignal();
  counted.controller.abort("gone");
  let rejectInput!: (e: unknown) => void;
  const input = new Promise<number>((_, reject) => (rejectInput = reject));
  const waiting = abortable(input, counted.signal);
  assert.equal(waiting.state, "rejected");
  assert.equal(waiting.reason, "gone");
  assert.equal(counted.added, 0);
  await assert.rejects(waiting, (e) => e === "gone");
  rejectInput(new Error("late and handled"));
  await flush();
});

Deno.test("abortable() without a signal just adopts the promise", async () => {
  assert.equal(await abortable(Promise.resolve("v"), undefined), "v");
});

Deno.test("abortable() rejects a non-signal instead of throwing", async () => {
  const waiting = abortable(Promise.resolve(1), {} as AbortSignal);
  assert.equal(waiting.state, "rejected");
  await assert.rejects(waiting, {
    name: "TypeError",
    message:
      "Cannot make a promise abortable as 'signal' must be an AbortSignal: current value is an object",
  });
});

Deno.test("abortable() aborted many times on a long-lived future keeps none of its waits", async () => {
  const longLived = new Completer<string>();
  const seen: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const controller = new AbortController();
    const waiting = abortable(longLived.future, controller.signal);
    waiting.then(() => seen.push("settled after abort"), () => {});
    controller.abort(i);
    await assert.rejects(waiting, (e) => e === i);
  }
  const kept = abortable(longLived.future, new AbortController().signal);
  longLived.resolve("done");
  assert.equal(await kept, "done");
  await flush();
  assert.deepEqual(seen, []);
});

Deno.test("100,000 abortable() on a long-lived signal, settled, leave 0 listeners", async () => {
  const counted = countedSignal();
  for (let i = 0; i < 100_000; i += 1000) {
    const batch: PromiseLike<number>[] = [];
    for (let j = 0; j < 1000; j++) {
      batch.push(abortable(Promise.resolve(j), counted.signal));
    }
    const values = await Promise.all(batch);
    assert.equal(values[999], 999);
    // The whole batch shared a single listener.
    assert.equal(counted.live, 0);
  }
  assert.equal(counted.native, 0);
  assert.equal(counted.added, counted.removed);
  assert.ok(counted.added <= 100, `added ${counted.added} listeners`);
});

// --- isAbortError

Deno.test("isAbortError() recognises AbortError and the reason of a given aborted signal", () => {
  const controller = new AbortController();
  controller.abort();
  assert.equal(isAbortError(controller.signal.reason), true);
  assert.equal(
    isAbortError(new DOMException("x", "AbortError")),
    true,
  );
  const named = new Error("x");
  named.name = "AbortError";
  assert.equal(isAbortError(named), true);
  assert.equal(isAbortError(new DOMException("x", "TimeoutError")), false);
  assert.equal(isAbortError(new Error("boom")), false);
  assert.equal(isAbortError(undefined), false);
  assert.equal(isAbortError("AbortError"), false);
  const custom = new AbortController();
  assert.equal(isAbortError("shutdown", custom.signal), false);
  custom.abort("shutdown");
  assert.equal(isAbortError("shutdown", custom.signal), true);
  assert.equal(isAbortError("other", custom.signal), false);
});

Deno.test("abortable() aborted keeps a later rejection of its input handled", async () => {
  const future = new Completer<number>();
  const native = Promise.withResolvers<number>();
  const unhandled = await catchUnhandled(async () => {
    const controller = new AbortController();
    const a = abortable(future.future, controller.signal);
    const b = abortable(native.promise, controller.signal);
    controller.abort("stop");
    await assert.rejects(a, (e) => e === "stop");
    await assert.rejects(b, (e) => e === "stop");
    future.reject(new Error("late future"));
    native.reject(new Error("late promise"));
  });
  assert.deepEqual(unhandled, []);
});
