import assert from "node:assert/strict";
import {
  Bulkhead,
  CancellationTokenSource,
  CircuitBreaker,
  ConsecutiveFailuresStrategy,
  constant,
  fallbackPolicy,
  hedgePolicy,
  type Policy,
  type PolicyContext,
  RateLimiter,
  retry,
  retryAfterMs,
  RetryBudget,
  RetryError,
  retryPolicy,
  timeoutPolicy,
  VirtualClock,
  wrap,
} from "@pledge/core";
import {
  abortListeners,
  BAD_NUMBERS,
  catchUnhandled,
  flush,
} from "../_support.ts";

/** A policy that logs around the call and records the context it got. */
function tracing(name: string, log: string[]): Policy {
  return {
    async execute(fn, options) {
      log.push(`${name} in (attempt ${options?.attempt ?? "-"})`);
      try {
        return await fn({
          signal: options?.signal ?? new AbortController().signal,
          attempt: options?.attempt ?? 1,
        });
      } finally {
        log.push(`${name} out`);
      }
    },
  };
}

Deno.test("wrap() runs policies outermost first, passing the context inward", async () => {
  const log: string[] = [];
  const controller = new AbortController();
  const policy = wrap(tracing("a", log), tracing("b", log), tracing("c", log));
  let seen: PolicyContext | undefined;
  const result = await policy.execute((context) => {
    seen = context;
    log.push("fn");
    return "value";
  }, { signal: controller.signal, attempt: 2 });
  assert.equal(result, "value");
  assert.deepEqual(log, [
    "a in (attempt 2)",
    "b in (attempt 2)",
    "c in (attempt 2)",
    "fn",
    "c out",
    "b out",
    "a out",
  ]);
  assert.equal(seen!.signal, controller.signal);
  assert.equal(seen!.attempt, 2);
});

Deno.test("wrap() with no policies runs fn directly, honouring the signal", async () => {
  const noop = wrap();
  assert.deepEqual(noop.policies, []);
  const context = await noop.execute((ctx) => ctx);
  assert.equal(context.attempt, 1);
  assert.equal(context.signal.aborted, false);
  const controller = new AbortController();
  controller.abort("stop");
  let calls = 0;
  await assert.rejects(
    noop.execute(() => calls++, { signal: controller.signal }),
    (e) => e === "stop",
  );
  assert.equal(calls, 0);
  await assert.rejects(noop.execute(() => Promise.reject(new Error("x"))), {
    message: "x",
  });
});

Deno.test("wrap().policies lists the policies, outermost first, as a copy", () => {
  const a = retryPolicy();
  const b = timeoutPolicy(10);
  const wrapped = wrap(a, b);
  assert.deepEqual(wrapped.policies, [a, b]);
  (wrapped.policies as Policy[]).pop();
  assert.equal(wrapped.policies.length, 2);
  assert.equal(wrap(wrapped).policies[0], wrapped);
});

Deno.test("wrap(retry, timeout): each attempt is timed out, fn sees the retry's attempt and the timeout's signal", async () => {
  const clock = new VirtualClock();
  const caller = new AbortController();
  const policy = wrap(
    retryPolicy({ maxAttempts: 3, backoff: constant(50), clock }),
    timeoutPolicy(100, { clock }),
  );
  const seen: [number, number, boolean][] = [];
  const call = policy.execute(({ attempt, signal }) => {
    seen.push([attempt, clock.now(), signal === caller.signal]);
    return new Promise(() => {}); // hangs every time
  }, { signal: caller.signal });
  const error = await clock.runUntilSettled(call).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.attempts, 3);
  assert.equal((error.cause as DOMException).name, "TimeoutError");
  assert.deepEqual(seen, [[1, 0, false], [2, 150, false], [3, 300, false]]);
  assert.equal(clock.now(), 400);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(caller.signal), 0);
});

Deno.test("wrap(timeout, retry): the timeout bounds the whole sequence and stops the retry's wait", async () => {
  const clock = new VirtualClock();
  const policy = wrap(
    timeoutPolicy(250, { clock }),
    retryPolicy({ maxAttempts: 10, backoff: constant(100), clock }),
  );
  const starts: number[] = [];
  const call = policy.execute(() => {
    starts.push(clock.now());
    return Promise.reject(new Error("down"));
  });
  const error = await clock.runUntilSettled(call).catch((e) => e);
  assert.equal(error.name, "TimeoutError");
  assert.deepEqual(starts, [0, 100, 200]);
  assert.equal(clock.now(), 250);
  await flush();
  assert.equal(clock.pendingTimers, 0); // the retry's wait was cleared
});

Deno.test("wrap(fallback, retry, timeout) replaces the final failure; wrap(retry, timeout, fallback) never retries", async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const hangs = ({ attempt }: PolicyContext) => {
    log.push(`attempt ${attempt} at ${clock.now()}`);
    return new Promise<string>(() => {});
  };
  const outer = wrap(
    fallbackPolicy("cached", {
      onFallback: (e) => log.push(`fallback for ${(e as Error).name}`),
    }),
    retryPolicy({
      maxAttempts: 2,
      backoff: constant(10),
      clock,
      onRetry: ({ error }) => log.push(`retry after ${(error as Error).name}`),
    }),
    timeoutPolicy(100, { clock }),
  );
  assert.equal(await clock.runUntilSettled(outer.execute(hangs)), "cached");
  assert.deepEqual(log, [
    "attempt 1 at 0",
    "retry after TimeoutError",
    "attempt 2 at 110",
    "fallback for RetryError",
  ]);
  assert.equal(clock.now(), 210);

  log.length = 0;
  const start = clock.now();
  const inner = wrap(
    retryPolicy({
      maxAttempts: 2,
      backoff: constant(10),
      clock,
      onRetry: () => log.push("retry"),
    }),
    timeoutPolicy(100, { clock }),
    fallbackPolicy("cached", { onFallback: () => log.push("fallback") }),
  );
  const failing = ({ attempt }: PolicyContext) => {
    log.push(`attempt ${attempt}`);
    return Promise.reject(new Error("down"));
  };
  assert.equal(await clock.runUntilSettled(inner.execute(failing)), "cached");
  assert.deepEqual(log, ["attempt 1", "fallback"]);
  assert.equal(clock.now(), start);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("wrap() rejects the caller's abort with signal.reason through every layer", async () => {
  const clock = new VirtualClock();
  const caller = new AbortController();
  const policy = wrap(
    fallbackPolicy("never used"),
    retryPolicy({ backoff: constant(1000), clock }),
    timeoutPolicy(500, { clock }),
  );
  const call = policy.execute(() => Promise.reject(new Error("down")), {
    signal: caller.signal,
  });
  await flush();
  clock.tick(300); // inside the retry's wait
  caller.abort("user navigated away");
  await assert.rejects(call, (e) => e === "user navigated away");
  await flush();
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(caller.signal), 0);
});

Deno.test("wrap() rejects arguments that are not policies", () => {
  for (const value of [...BAD_NUMBERS, null, undefined, {}, { execute: 1 }]) {
    assert.throws(
      () => wrap(retryPolicy(), value as never),
      (e: Error) =>
        e instanceof TypeError &&
        e.message.startsWith(
          "Cannot wrap policies as 'policies[1]' must be a Policy: current value is",
        ),
    );
  }
});

/** One of each policy of pledge, on `clock`. */
function everyPolicy(clock: VirtualClock): [string, Policy<unknown>][] {
  return [
    ["retryPolicy", retryPolicy({ clock })],
    ["timeoutPolicy", timeoutPolicy(100, { clock })],
    ["fallbackPolicy", fallbackPolicy(0)],
    ["CircuitBreaker", new CircuitBreaker({ clock })],
    ["Bulkhead", new Bulkhead({ concurrency: 1 })],
    ["RateLimiter", new RateLimiter({ limit: 1, intervalMs: 100, clock })],
    ["hedgePolicy", hedgePolicy({ delayMs: 10, clock })],
    ["wrap", wrap(retryPolicy({ clock }), timeoutPolicy(100, { clock }))],
    ["wrap()", wrap()],
  ];
}

Deno.test("Policy.execute() of every policy rejects (never throws) bad arguments, and a signal or token in place of the options", async () => {
  const clock = new VirtualClock();
  const signal = new AbortController().signal;
  const token = new CancellationTokenSource().token;
  for (const [name, policy] of everyPolicy(clock)) {
    const calls: [() => Promise<unknown>, RegExp][] = [
      [
        () => policy.execute(() => 1, signal as never),
        /^Cannot execute the policy as 'options' must be an options object: current value is an AbortSignal \(pass \{ signal \}\)$/,
      ],
      [
        () => policy.execute(() => 1, token as never),
        /\(pass \{ signal: token\.signal \}\)$/,
      ],
      [
        () => policy.execute(() => 1, 5 as never),
        /'options' must be an options object: current value is 5$/,
      ],
      [
        () => policy.execute(() => 1, { signal: "s" as never }),
        /'signal' must be an AbortSignal: current value is "s"$/,
      ],
      [
        () => policy.execute("fn" as never),
        /'fn' must be a function: current value is "fn"$/,
      ],
    ];
    for (const [call, message] of calls) {
      let result: Promise<unknown> | undefined;
      assert.doesNotThrow(() => (result = call()), name);
      await assert.rejects(result!, (e: Error) => {
        assert.ok(e instanceof TypeError, `${name}: ${e}`);
        assert.match(e.message, message, name);
        return true;
      });
    }
  }
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("wrap() never throws, even around a policy of your own that does", async () => {
  const throwing: Policy = {
    execute() {
      throw new Error("a policy that throws");
    },
  };
  for (const policy of [wrap(throwing), wrap(throwing, retryPolicy())]) {
    let result: Promise<unknown> | undefined;
    assert.doesNotThrow(() => (result = policy.execute(() => 1)));
    await assert.rejects(result!, { message: "a policy that throws" });
  }
  // Inside another policy, its throw is a failure like any other.
  const fallback = wrap(fallbackPolicy("replaced"), throwing);
  assert.equal(await fallback.execute(() => 1), "replaced");
  // A bad fn is refused before any policy runs.
  const bulkhead = new Bulkhead({ concurrency: 1 });
  await assert.rejects(wrap(bulkhead).execute(5 as never), TypeError);
  assert.equal(bulkhead.running, 0);
});

Deno.test("catchUnhandled() sees a rejection nobody handles (the detector works)", async () => {
  const unhandled = await catchUnhandled(() => {
    Promise.reject(new Error("floating"));
  });
  assert.equal(unhandled.length, 1);
  assert.equal((unhandled[0] as Error).message, "floating");
});

Deno.test("wrap(fallback, retry, breaker, bulkhead, hedge, timeout) leaves no unhandled rejection on abort, timeout and failure", async () => {
  const unhandled = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const stack = (fallback: boolean) =>
      wrap<unknown>(
        ...(fallback ? [fallbackPolicy("cached")] : []),
        retryPolicy({ maxAttempts: 3, backoff: constant(10), clock }),
        new CircuitBreaker({
          clock,
          strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
        }),
        new Bulkhead({ concurrency: 2, maxQueue: 4 }),
        hedgePolicy({ delayMs: 20, clock }),
        timeoutPolicy(50, { clock }),
      );
    // Work that hangs until aborted, then rejects with the reason.
    const hang = ({ signal }: PolicyContext) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      );
    // Work that ignores the signal and fails late.
    const lateFailure = () =>
      new Promise((_, reject) =>
        clock.setTimeout(() => reject(new Error("late")), 200)
      );
    for (const fallback of [false, true]) {
      const policy = stack(fallback);
      const outcomes = [
        policy.execute(hang), // every attempt times out
        policy.execute(lateFailure), // times out; the late failures land later
        policy.execute(() => Promise.reject(new Error("down"))),
      ];
      const controller = new AbortController();
      const aborted = policy.execute(hang, { signal: controller.signal });
      await clock.tickAsync(30);
      controller.abort(new Error("caller"));
      await assert.rejects(aborted, { message: "caller" });
      const settled = await clock.runUntilSettled(Promise.allSettled(outcomes));
      for (const outcome of settled) {
        if (fallback) {
          assert.deepEqual(outcome, { status: "fulfilled", value: "cached" });
        } else assert.equal(outcome.status, "rejected");
      }
      await clock.runAllAsync();
      assert.equal(clock.pendingTimers, 0);
    }
  });
  assert.deepEqual(unhandled, []);
});

Deno.test("every resilience API that takes a clock checks all of it before arming anything", async () => {
  const virtual = new VirtualClock();
  const partial = { now: () => virtual.now() } as never; // no timers
  const message =
    /as 'clock\.setTimeout' must be a function: current value is undefined$/;
  const constructors: [string, () => unknown][] = [
    ["retryPolicy", () => retryPolicy({ clock: partial })],
    ["timeoutPolicy", () => timeoutPolicy(10, { clock: partial })],
    ["hedgePolicy", () => hedgePolicy({ delayMs: 10, clock: partial })],
    ["CircuitBreaker", () => new CircuitBreaker({ clock: partial })],
    ["RetryBudget", () => new RetryBudget({ clock: partial })],
    [
      "RateLimiter",
      () => new RateLimiter({ limit: 1, intervalMs: 10, clock: partial }),
    ],
    ["retryAfterMs", () => retryAfterMs("1", { clock: partial })],
  ];
  for (const [name, make] of constructors) {
    assert.throws(make, (e: Error) => {
      assert.ok(e instanceof TypeError, name);
      assert.match(e.message, message, name);
      return true;
    });
  }
  let ran = false;
  await assert.rejects(
    retry(() => (ran = true), { clock: partial }),
    (e: Error) => e instanceof TypeError && message.test(e.message),
  );
  assert.equal(ran, false);
  assert.equal(virtual.pendingTimers, 0);
});
