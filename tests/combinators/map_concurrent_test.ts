import assert from "node:assert/strict";
import fc from "fast-check";
import {
  Completer,
  delay,
  Future,
  mapConcurrent,
  VirtualClock,
} from "@pledge/core";
import {
  assertRejectsWith,
  catchUnhandled,
  countedSignal,
  flush,
  show,
} from "../_support.ts";
import {
  asyncFrom,
  CONCURRENCY_TABLE,
  failingToOpen,
  longLivedFuture,
  NOT_FUNCTION,
  NOT_ITERABLE,
  optionTable,
  PRIMITIVE_STEP,
  primitiveSteps,
  settle,
  slowMapper,
  tracked,
} from "./_support.ts";

const ACTION = "map concurrently";

Deno.test("mapConcurrent() property: never more than concurrency at once, results in input order", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }),
      fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(Infinity)),
      fc.constantFrom("array", "iterable", "async"),
      async (durations, concurrency, kind) => {
        const clock = new VirtualClock();
        const counted = countedSignal();
        let running = 0;
        let peak = 0;
        const items = kind === "array"
          ? durations
          : kind === "iterable"
          ? durations.values()
          : asyncFrom(durations);
        const out = mapConcurrent(items, async (ms, index, signal) => {
          peak = Math.max(peak, ++running);
          assert.ok(running <= concurrency);
          await delay(ms, { clock, signal });
          running--;
          return `${index}:${ms}`;
        }, { concurrency, signal: counted.signal });
        const outcome = await settle(clock, out);
        assert.deepEqual(outcome, {
          status: "fulfilled",
          value: durations.map((ms, i) => `${i}:${ms}`),
        });
        assert.ok(peak <= concurrency);
        if (kind !== "async") {
          assert.equal(peak, Math.min(concurrency, durations.length));
        }
        await flush();
        assert.equal(clock.pendingTimers, 0);
        assert.equal(counted.live, 0);
      },
    ),
    { numRuns: 80 },
  );
});

Deno.test("mapConcurrent() property: every outcome settles and nothing is left behind, with failures and aborts", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({ ms: fc.integer({ min: 0, max: 30 }), ok: fc.boolean() }),
        { maxLength: 12 },
      ),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
      async (plans, concurrency, stopOnError, abortAt) => {
        const clock = new VirtualClock();
        const counted = countedSignal();
        if (abortAt !== undefined) {
          clock.setTimeout(() => counted.controller.abort("abort"), abortAt);
        }
        const { state, iterable } = tracked(plans);
        const out = mapConcurrent(iterable, async (plan, i, signal) => {
          await delay(plan.ms, { clock, signal });
          if (!plan.ok) throw new Error(String(i));
          return i;
        }, { concurrency, stopOnError, signal: counted.signal });
        const outcome = await settle(clock, out);
        if (outcome.status === "fulfilled") {
          assert.deepEqual(outcome.value, plans.map((_, i) => i));
        } else if (outcome.reason === "abort") {
          assert.ok(abortAt !== undefined);
        } else if (!stopOnError) {
          assert.ok(outcome.reason instanceof AggregateError);
          assert.deepEqual(
            outcome.reason.errors.map((e: Error) => e.message),
            plans.flatMap((p, i) => (p.ok ? [] : [String(i)])),
          );
        } else {
          // The first failure: one of the failing items.
          assert.equal(plans[Number(outcome.reason.message)]?.ok, false);
        }
        // Read to the end, or closed early.
        assert.ok(state.finished || state.closed);
        assert.equal(state.closed, true);
        clock.runAll(); // the abort timer, if it has not fired
        await flush();
        assert.equal(clock.pendingTimers, 0);
        assert.equal(counted.live, 0);
      },
    ),
    { numRuns: 80 },
  );
});

Deno.test("mapConcurrent() passes (item, index, signal) and awaits items that are thenables", async () => {
  const seen: [unknown, number, boolean][] = [];
  const out = await mapConcurrent(
    [Promise.resolve("a"), "b"],
    (item, index, signal) => {
      seen.push([item, index, signal instanceof AbortSignal]);
      return item.toUpperCase();
    },
    { concurrency: 1 },
  );
  assert.deepEqual(out, ["A", "B"]);
  assert.deepEqual(seen, [["a", 0, true], ["b", 1, true]]);
});

Deno.test("mapConcurrent() reads a generator lazily, never further than needed", async () => {
  const { state, iterable } = tracked([1, 2, 3, 4, 5]);
  const gates = [1, 2, 3, 4, 5].map(() => new Completer<number>());
  const out = mapConcurrent(iterable, (n) => gates[n - 1]!.future, {
    concurrency: 2,
  });
  assert.equal(state.read, 2);
  gates[1]!.resolve(20);
  await flush();
  assert.equal(state.read, 3);
  for (const [i, gate] of gates.entries()) gate.tryResolve((i + 1) * 10);
  assert.deepEqual(await out, [10, 20, 30, 40, 50]);
  assert.equal(state.finished, true);
});

Deno.test("mapConcurrent() reads an async iterable lazily and keeps to the limit", async () => {
  let read = 0;
  async function* source(): AsyncGenerator<number> {
    for (let i = 0; i < 6; i++) {
      read++;
      yield i;
    }
  }
  const gates = Array.from({ length: 6 }, () => new Completer<number>());
  let running = 0;
  let peak = 0;
  const out = mapConcurrent(source(), async (i) => {
    peak = Math.max(peak, ++running);
    const v = await gates[i]!.future;
    running--;
    return v;
  }, { concurrency: 3 });
  await flush();
  assert.equal(read, 3);
  gates.forEach((g, i) => g.resolve(i * 2));
  assert.deepEqual(await out, [0, 2, 4, 6, 8, 10]);
  assert.equal(peak, 3);
});

Deno.test("mapConcurrent() with concurrency Infinity (the default) starts every item at once", async () => {
  let running = 0;
  let peak = 0;
  const gate = new Completer<void>();
  const out = mapConcurrent([1, 2, 3, 4], async (n) => {
    peak = Math.max(peak, ++running);
    await gate.future;
    return n;
  });
  assert.equal(peak, 4);
  gate.resolve();
  assert.deepEqual(await out, [1, 2, 3, 4]);
});

Deno.test("mapConcurrent() maps a synchronous fn and an empty input", async () => {
  assert.deepEqual(await mapConcurrent([1, 2, 3], (n) => n * 2), [2, 4, 6]);
  assert.deepEqual(await mapConcurrent([], (n: number) => n), []);
  assert.deepEqual(await mapConcurrent(new Set<number>(), (n) => n), []);
  assert.deepEqual(await mapConcurrent(asyncFrom([]), (n: number) => n), []);
});

Deno.test("mapConcurrent() rejects with the first failure, aborts the calls running and closes the source", async () => {
  const clock = new VirtualClock();
  const { state, iterable } = tracked([30, 10, 20, 40, 50]);
  const signals: AbortSignal[] = [];
  const boom = new Error("boom");
  const out = mapConcurrent(iterable, async (ms, _i, signal) => {
    signals.push(signal);
    await delay(ms, { clock, signal });
    if (ms === 10) throw boom;
    return ms;
  }, { concurrency: 2 });
  assert.deepEqual(await settle(clock, out), {
    status: "rejected",
    reason: boom,
  });
  assert.equal(clock.now(), 10);
  assert.equal(state.read, 2);
  assert.equal(state.closed, true);
  assert.equal(signals[0]!.aborted, true);
  assert.equal(signals[0]!.reason.name, "AbortError");
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("mapConcurrent() with stopOnError false maps every item and collects the failures in input order", async () => {
  const clock = new VirtualClock();
  const out = mapConcurrent([30, 10, 20, 5], async (ms, _i, signal) => {
    await delay(ms, { clock, signal });
    if (ms !== 5) throw new Error(`failed ${ms}`);
    return ms;
  }, { concurrency: 2, stopOnError: false });
  const outcome = await settle(clock, out);
  assert.equal(outcome.status, "rejected");
  const error = (outcome as PromiseRejectedResult).reason;
  assert.ok(error instanceof AggregateError);
  assert.equal(error.message, "3 of 4 items failed");
  assert.deepEqual(error.errors.map((e: Error) => e.message), [
    "failed 30",
    "failed 10",
    "failed 20",
  ]);
});

Deno.test("mapConcurrent() rejects with what the source throws, even with stopOnError false", async () => {
  const boom = new Error("source");
  function* broken(): Generator<number> {
    yield 1;
    throw boom;
  }
  await assert.rejects(
    mapConcurrent(broken(), (n) => n, { stopOnError: false }),
    (e) => e === boom,
  );
  async function* brokenAsync(): AsyncGenerator<number> {
    yield 1;
    throw boom;
  }
  await assert.rejects(
    mapConcurrent(brokenAsync(), (n) => n),
    (e) => e === boom,
  );
});

Deno.test("mapConcurrent() rejects with signal.reason unchanged, aborts fn's signal with it and leaves nothing behind", async () => {
  for (const kind of ["array", "async"] as const) {
    const clock = new VirtualClock();
    const counted = countedSignal();
    const signals: AbortSignal[] = [];
    const items = [10, 20, 30];
    const out = mapConcurrent(
      kind === "array" ? items : asyncFrom(items),
      (ms, _i, signal) => {
        signals.push(signal);
        return delay(ms, { clock, signal });
      },
      { concurrency: 2, signal: counted.signal },
    );
    await flush();
    assert.equal(counted.live, 1);
    const reason = { reason: "shutdown" };
    counted.controller.abort(reason);
    await assert.rejects(out, (e) => e === reason);
    assert.equal(signals[0]!.reason, reason, kind);
    assert.equal(counted.live, 0, kind);
    await flush();
    assert.equal(clock.pendingTimers, 0, kind);
  }
});

Deno.test("mapConcurrent() with an aborted signal rejects at once, reads nothing and adds no listener", async () => {
  const counted = countedSignal();
  counted.controller.abort("early");
  const { state, iterable } = tracked([1, 2]);
  let called = false;
  const out = mapConcurrent(iterable, () => (called = true), {
    signal: counted.signal,
  });
  assert.equal(out.state, "rejected");
  await assert.rejects(out, (e) => e === "early");
  assert.equal(called, false);
  assert.equal(state.read, 0);
  assert.equal(counted.added, 0);
});

Deno.test("mapConcurrent() leaves no listener after success or failure", async () => {
  for (const fail of [false, true]) {
    const counted = countedSignal();
    const out = mapConcurrent([1, 2], async (n) => {
      await Promise.resolve();
      if (fail) throw new Error("x");
      return n;
    }, { signal: counted.signal });
    await Promise.resolve(out).catch(() => {});
    assert.equal(counted.live, 0);
  }
});

optionTable(
  "mapConcurrent()",
  "rejects",
  ACTION,
  "concurrency",
  "an integer >= 1 or Infinity",
  CONCURRENCY_TABLE,
  (concurrency) => mapConcurrent([1, 2], (n) => n, { concurrency }),
  async (out) => assert.deepEqual(await out, [1, 2]),
);

Deno.test("mapConcurrent() rejects, never throws, a TypeError for items that are not iterable", async () => {
  for (const value of NOT_ITERABLE) {
    await assertRejectsWith(
      () => mapConcurrent(value as never, (n) => n),
      TypeError,
      `Cannot ${ACTION} as 'items' must be an iterable or an async iterable: current value is ${
        typeof value === "function"
          ? "a function"
          : typeof value === "object" && value !== null
          ? "an object"
          : show(value)
      }`,
    );
  }
});

Deno.test("mapConcurrent() rejects, never throws, a bad fn or bad options", async () => {
  for (const value of NOT_FUNCTION) {
    await assertRejectsWith(
      () => mapConcurrent([1], value as never),
      TypeError,
      `Cannot ${ACTION} as 'fn' must be a function: current value is ${
        value === null || typeof value !== "object" ? show(value) : "an object"
      }`,
    );
  }
  await assertRejectsWith(
    () => mapConcurrent([1], (n) => n, { stopOnError: "no" as never }),
    TypeError,
    `Cannot ${ACTION} as 'stopOnError' must be a boolean: current value is "no"`,
  );
  await assertRejectsWith(
    () => mapConcurrent([1], (n) => n, { signal: {} as never }),
    TypeError,
    `Cannot ${ACTION} as 'signal' must be an AbortSignal: current value is an object`,
  );
  await assertRejectsWith(
    () => mapConcurrent([1], (n) => n, 3 as never),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is 3`,
  );
  await assertRejectsWith(
    () => mapConcurrent([1], (n) => n, new AbortController().signal as never),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is an AbortSignal (pass { signal })`,
  );
});

Deno.test("mapConcurrent() rejects with what the source throws when it is opened, or a TypeError for a step that is not an object", async () => {
  const boom = new Error("open");
  const throwing = failingToOpen(boom);
  let out: PromiseLike<unknown> | undefined;
  assert.doesNotThrow(() => (out = mapConcurrent(throwing, (n) => n)));
  await assert.rejects(Promise.resolve(out), (e) => e === boom);
  for (const source of primitiveSteps()) {
    await assert.rejects(
      mapConcurrent(source, (n) => n, { concurrency: 2 }),
      PRIMITIVE_STEP,
    );
  }
});

Deno.test("mapConcurrent() leaves no unhandled rejection on failure, abort or a broken source", async () => {
  const reasons = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const slow = slowMapper(clock, 2);
    await assert.rejects(
      clock.runUntilSettled(
        mapConcurrent([1, 2, 3, 4], slow, { concurrency: 3 }),
      ),
      /^Error: 2$/,
    );
    const controller = new AbortController();
    const aborted = mapConcurrent([1, 2, 3], slow, {
      signal: controller.signal,
    });
    controller.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
    for (const source of primitiveSteps()) {
      await assert.rejects(mapConcurrent(source, (n) => n), TypeError);
    }
    clock.runAll();
  });
  assert.deepEqual(reasons, []);
});

Deno.test("mapConcurrent() aborted or failed keeps no reaction on a long-lived Future", async () => {
  for (const keep of [true, false]) {
    // Each reaction a finished call kept would run once `longLived` settles.
    const { source, future: longLived, reactions } = longLivedFuture();
    const reasons = await catchUnhandled(async () => {
      // A call still waiting keeps its reaction and gets the outcome.
      const kept = keep ? mapConcurrent([1], () => longLived) : undefined;
      for (let i = 0; i < 10; i++) {
        for (
          const items of [
            () => [1, 2],
            () => asyncFrom([1, 2]),
            () => [longLived, 2],
          ]
        ) {
          // A task that ignores its signal, then the caller aborts.
          const controller = new AbortController();
          const aborted = mapConcurrent(items(), () => longLived, {
            signal: controller.signal,
          });
          await flush();
          controller.abort(i);
          await assert.rejects(aborted, (e) => e === i);
          // A sibling fails while a task waits on the long-lived future.
          const failed = mapConcurrent(
            items(),
            (n) => n === 2 ? Promise.reject(new Error(`${i}`)) : longLived,
          );
          await assert.rejects(failed, { message: `${i}` });
        }
        // Many futures awaited after the first waits on `longLived`: their
        // settled waits are dropped, the pending ones are still taken off.
        const controller = new AbortController();
        const long = mapConcurrent(
          Array.from({ length: 100 }, (_, n) => n),
          (n) => n % 25 === 0 ? longLived : Future.resolve(n),
          { concurrency: 4, signal: controller.signal },
        );
        await flush();
        controller.abort(i);
        await assert.rejects(long, (e) => e === i);
      }
      source.reject(new Error("late"));
      if (kept !== undefined) await assert.rejects(kept, { message: "late" });
    });
    assert.equal(reactions(), keep ? 1 : 0);
    // Given up on, the late rejection stays handled, as natively.
    assert.deepEqual(reasons, []);
  }
});
