import assert from "node:assert/strict";
import fc from "fast-check";
import { Completer, delay, Future, timeout, VirtualClock } from "@pledge/core";
import {
  assertRejectsWith,
  BAD_NUMBERS,
  catchUnhandled,
  countedSignal,
  flush,
} from "../_support.ts";
import { longLivedFuture, optionTable, settle } from "./_support.ts";
import { countingClock } from "../_counting_clock.ts";

const ACTION = "run with a timeout";

/** Counts the `DOMException`s constructed while `fn` runs. */
async function countDomExceptions(fn: () => Promise<void>): Promise<number> {
  const Original = globalThis.DOMException;
  let count = 0;
  globalThis.DOMException = class extends Original {
    constructor(message?: string, name?: string) {
      super(message, name);
      count++;
    }
  } as typeof DOMException;
  try {
    await fn();
  } finally {
    globalThis.DOMException = Original;
  }
  return count;
}

/** A virtual clock that counts the host timers armed on it. */

Deno.test("timeout() rejects with a DOMException named TimeoutError when time runs out, not before", async () => {
  const clock = new VirtualClock();
  const out = timeout(new Promise(() => {}), 100, { clock });
  clock.tick(99);
  await flush();
  assert.equal(out.state, "pending");
  clock.tick(1);
  await assert.rejects(out, (e) => {
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, "TimeoutError");
    assert.equal(e.message, "The operation timed out after 100 ms");
    return true;
  });
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeout() aborts the task's signal with the same TimeoutError", async () => {
  const clock = new VirtualClock();
  let signal: AbortSignal | undefined;
  const out = timeout(
    (s) => {
      signal = s;
      return delay(1000, { clock, signal: s });
    },
    50,
    { clock },
  );
  const outcome = await settle(clock, out);
  assert.equal(outcome.status, "rejected");
  assert.equal(signal!.aborted, true);
  assert.equal(signal!.reason, (outcome as PromiseRejectedResult).reason);
  assert.equal(clock.now(), 50);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeout() settles like work that settles first, leaving no timer and building no error", async () => {
  const clock = new VirtualClock();
  const built = await countDomExceptions(async () => {
    assert.equal(
      await timeout(Promise.resolve("fast"), 100, { clock }),
      "fast",
    );
    const boom = new Error("boom");
    await assert.rejects(
      timeout(Promise.reject(boom), 100, { clock }),
      (e) => e === boom,
    );
    const c = new Completer<number>();
    const out = timeout((_signal) => c.future, 100, { clock });
    clock.tick(60);
    c.resolve(7);
    assert.equal(await out, 7);
  });
  assert.equal(built, 0);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeout() holds no host timer per call: concurrent calls share one", async () => {
  const { clock, inner, armed } = countingClock();
  const gates = Array.from({ length: 1000 }, () => new Completer<number>());
  const outs = gates.map((g, i) => timeout(g.future, 1000 + i, { clock }));
  assert.equal(armed(), 1);
  gates.forEach((g, i) => g.resolve(i));
  const values = await Promise.all(outs);
  assert.equal(values[999], 999);
  await flush();
  assert.equal(inner.pendingTimers, 0);
  assert.equal(armed(), 1);
});

Deno.test("timeout() needs no timer at all for work that is already settled", () => {
  const clock = new VirtualClock();
  const fromValue = timeout(() => 5, 10, { clock });
  assert.equal(fromValue.value, 5);
  const fromFuture = timeout(Future.resolve("x"), 10, { clock });
  assert.equal(fromFuture.value, "x");
  const failed = timeout(Future.reject(new Error("no")), 10, { clock });
  assert.equal(failed.state, "rejected");
  failed.then(undefined, () => {});
  const thrown = timeout(
    () => {
      throw new Error("sync");
    },
    10,
    { clock },
  );
  assert.equal(thrown.state, "rejected");
  thrown.then(undefined, () => {});
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeout() settles with the fallback's value, or its failure, when time runs out", async () => {
  const clock = new VirtualClock();
  let given: unknown;
  const withFallback = timeout(new Promise<string>(() => {}), 10, {
    clock,
    fallback: (error) => ((given = error), Promise.resolve(0)),
  });
  const value: string | number = await (async () => {
    clock.tick(10);
    return await withFallback;
  })();
  assert.equal(value, 0);
  assert.equal((given as DOMException).name, "TimeoutError");
  const boom = new Error("fallback failed");
  const failing = timeout(new Promise(() => {}), 10, {
    clock,
    fallback: () => {
      throw boom;
    },
  });
  clock.tick(10);
  await assert.rejects(failing, (e) => e === boom);
});

Deno.test("timeout() with ms Infinity never times out and arms nothing", async () => {
  const clock = new VirtualClock();
  const c = new Completer<number>();
  const out = timeout(c.future, Infinity, { clock });
  assert.equal(clock.pendingTimers, 0);
  c.resolve(1);
  assert.equal(await out, 1);
});

Deno.test("timeout() with ms 0 lets settled work win and times out pending work", async () => {
  const clock = new VirtualClock();
  assert.equal(await timeout(Promise.resolve(1), 0, { clock }), 1);
  const pending = timeout(new Promise(() => {}), 0, { clock });
  clock.tick(0);
  await assert.rejects(pending, { name: "TimeoutError" });
});

Deno.test("timeout() rejects with signal.reason unchanged, aborts the task with it and leaves nothing behind", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  let signal: AbortSignal | undefined;
  const out = timeout(
    (s) => {
      signal = s;
      return delay(500, { clock, signal: s });
    },
    100,
    { clock, signal: counted.signal },
  );
  assert.equal(counted.live, 1);
  clock.tick(30);
  const reason = new Error("user cancelled");
  counted.controller.abort(reason);
  await assert.rejects(out, (e) => e === reason);
  assert.equal(signal!.reason, reason);
  assert.equal(counted.live, 0);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeout() with an aborted signal rejects at once without calling the task, a timer or a listener", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  counted.controller.abort("early");
  let called = false;
  const out = timeout(() => (called = true), 100, {
    clock,
    signal: counted.signal,
  });
  assert.equal(out.state, "rejected");
  await assert.rejects(out, (e) => e === "early");
  await assert.rejects(
    timeout(Promise.reject(new Error("handled")), 100, {
      clock,
      signal: counted.signal,
    }),
    (e) => e === "early",
  );
  assert.equal(called, false);
  assert.equal(counted.added, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("timeout() property: times out exactly when the work is slower, and leaves nothing behind", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(100),
      fc.nat(100),
      fc.boolean(),
      fc.option(fc.nat(100), { nil: undefined }),
      async (workMs, limitMs, asTask, abortAt) => {
        const clock = new VirtualClock();
        const counted = countedSignal();
        if (abortAt !== undefined) {
          clock.setTimeout(() => counted.controller.abort("abort"), abortAt);
        }
        const out = timeout(
          asTask
            ? (signal) => delay(workMs, { clock, signal }).then(() => "done")
            : delay(workMs, { clock }).then(() => "done"),
          limitMs,
          { clock, signal: counted.signal },
        );
        const outcome = await settle(clock, out);
        // The model: the first of the abort, the work and the time limit
        // decides (a tie of the work with the limit is a timeout; the
        // other ties are not checked).
        const decided = Math.min(workMs, limitMs);
        if (abortAt !== undefined && abortAt < decided) {
          assert.deepEqual(outcome, { status: "rejected", reason: "abort" });
        } else if (abortAt === undefined || abortAt > decided) {
          if (workMs < limitMs) {
            assert.deepEqual(outcome, { status: "fulfilled", value: "done" });
          } else {
            assert.equal(
              (outcome as PromiseRejectedResult).reason.name,
              "TimeoutError",
            );
          }
        }
        clock.runAll();
        await flush();
        assert.equal(clock.pendingTimers, 0);
        assert.equal(counted.live, 0);
      },
    ),
    { numRuns: 100 },
  );
});

optionTable(
  "timeout()",
  "rejects",
  ACTION,
  "ms",
  "a number >= 0 or Infinity",
  [
    // Infinity means no time limit.
    ...BAD_NUMBERS.map((ms): [number, "ok" | typeof RangeError] => [
      ms,
      ms >= 0 ? "ok" : RangeError,
    ]),
    ["5", TypeError],
  ],
  (ms) => timeout(Promise.resolve(1), ms, { clock: new VirtualClock() }),
  async (out) => assert.equal(await out, 1),
);

Deno.test("timeout() rejects, never throws, a TypeError for work that is neither a thenable nor a function, and for bad options", async () => {
  for (
    const [value, shown] of [[5, "5"], [null, "null"], [
      {},
      "an object",
    ]] as const
  ) {
    await assertRejectsWith(
      () => timeout(value as never, 10),
      TypeError,
      `Cannot ${ACTION} as 'work' must be a thenable or a function: current value is ${shown}`,
    );
  }
  await assertRejectsWith(
    () => timeout(Promise.resolve(1), 10, { fallback: 1 as never }),
    TypeError,
    `Cannot ${ACTION} as 'fallback' must be a function: current value is 1`,
  );
  await assertRejectsWith(
    () => timeout(Promise.resolve(1), 10, { signal: 1 as never }),
    TypeError,
    `Cannot ${ACTION} as 'signal' must be an AbortSignal: current value is 1`,
  );
  await assertRejectsWith(
    () => timeout(Promise.resolve(1), 10, "x" as never),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is "x"`,
  );
  await assertRejectsWith(
    () =>
      timeout(Promise.resolve(1), 10, new AbortController().signal as never),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is an AbortSignal (pass { signal })`,
  );
});

Deno.test("timeout() rejects a clock that is not a Clock before it arms anything", async () => {
  let read = 0;
  const half = {
    now: () => (read++, 0),
    setTimeout: () => (read++, 0),
  };
  await assertRejectsWith(
    () => timeout(new Promise(() => {}), 10, { clock: half as never }),
    TypeError,
    `Cannot ${ACTION} as 'clock.clearTimeout' must be a function: current value is undefined`,
  );
  await assertRejectsWith(
    () => timeout(new Promise(() => {}), 10, { clock: 5 as never }),
    TypeError,
    `Cannot ${ACTION} as 'clock' must be a Clock: current value is 5`,
  );
  assert.equal(read, 0);
});

Deno.test("timeout() handles the rejection of a thenable it refuses, and of one that fails its then", async () => {
  const reasons = await catchUnhandled(async () => {
    await assert.rejects(
      timeout(Promise.reject(new Error("work")), -1),
      RangeError,
    );
    const controller = new AbortController();
    controller.abort("early");
    await assert.rejects(
      timeout(Promise.reject(new Error("work")), 10, {
        signal: controller.signal,
      }),
      (e) => e === "early",
    );
    const boom = new Error("then");
    const broken = {
      then() {
        throw boom;
      },
    };
    let out: PromiseLike<unknown> | undefined;
    assert.doesNotThrow(
      () => (out = timeout(broken, 10, { clock: new VirtualClock() })),
    );
    await assert.rejects(Promise.resolve(out), (e) => e === boom);
  });
  assert.deepEqual(reasons, []);
});

Deno.test("timeout() reads the then of its work once", async () => {
  let reads = 0;
  const work = {
    get then() {
      reads++;
      return (resolve: (v: number) => void) => resolve(1);
    },
  };
  assert.equal(
    await timeout(work as PromiseLike<number>, 10, {
      clock: new VirtualClock(),
    }),
    1,
  );
  assert.equal(reads, 1);
});

Deno.test("timeout() leaves no unhandled rejection when time runs out, the caller aborts or the task fails", async () => {
  const reasons = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const late = timeout(
      (signal) => delay(100, { clock, signal }),
      10,
      { clock },
    );
    const lateWork = timeout(
      delay(100, { clock }).then(() => Promise.reject(new Error("after"))),
      10,
      { clock },
    );
    clock.tick(10);
    await assert.rejects(late, { name: "TimeoutError" });
    await assert.rejects(lateWork, { name: "TimeoutError" });
    const controller = new AbortController();
    const aborted = timeout(
      (signal) => delay(100, { clock, signal }),
      50,
      { clock, signal: controller.signal },
    );
    controller.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
    await assert.rejects(
      timeout(() => Promise.reject(new Error("task")), 10, { clock }),
      /task/,
    );
    clock.runAll();
  });
  assert.deepEqual(reasons, []);
});

Deno.test("timeout() timed out or aborted keeps no reaction on a long-lived Future", async () => {
  for (const keep of [true, false]) {
    // Each reaction a finished call kept would run once `longLived` settles.
    const { source, future: longLived, reactions } = longLivedFuture();
    const clock = new VirtualClock();
    const reasons = await catchUnhandled(async () => {
      // A call still waiting keeps its reaction and gets the outcome.
      const kept = keep ? timeout(longLived, 1e9, { clock }) : undefined;
      for (let i = 0; i < 10; i++) {
        const timedOut = timeout(longLived, 10, { clock });
        clock.tick(10);
        await assert.rejects(timedOut, { name: "TimeoutError" });
        const controller = new AbortController();
        const aborted = timeout(() => longLived, 1e9, {
          clock,
          signal: controller.signal,
        });
        controller.abort(i);
        await assert.rejects(aborted, (e) => e === i);
        const fellBack = timeout(longLived, 10, { clock, fallback: () => -1 });
        clock.tick(10);
        assert.equal(await fellBack, -1);
      }
      source.reject(new Error("late"));
      if (kept !== undefined) await assert.rejects(kept, { message: "late" });
    });
    assert.equal(reactions(), keep ? 1 : 0);
    // Given up on, the late rejection stays handled, as natively.
    assert.deepEqual(reasons, []);
    assert.equal(clock.pendingTimers, 0);
  }
});
