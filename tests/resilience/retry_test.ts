import assert from "node:assert/strict";
import {
  type Backoff,
  BulkheadRejectedError,
  CircuitOpenError,
  classify,
  type Clock,
  constant,
  exponential,
  Future,
  linear,
  RateLimitedError,
  retry,
  RetryBudget,
  RetryError,
  type RetryEvent,
  type RetryOptions,
  retryPolicy,
  seededRandom,
  VirtualClock,
} from "@pledge/core";
import {
  abortListeners,
  BAD_NUMBERS,
  catchReported,
  catchUnhandled,
  flush,
} from "../_support.ts";

/** A function failing `failures` times (with `error`), then returning "ok". */
function flaky(
  clock: VirtualClock,
  failures: number,
  error: () => unknown = () => new Error("flaky"),
) {
  const starts: number[] = [];
  const fn = () => {
    starts.push(clock.now());
    if (starts.length <= failures) throw error();
    return "ok";
  };
  const waits = () => starts.slice(1).map((t, i) => t - starts[i]!);
  return { fn, starts, waits };
}

Deno.test("retry() waits exactly the backoff's schedule (constant, linear, exponential, each jitter and seed)", async () => {
  const backoffs: [string, () => Backoff][] = [
    ["constant", () => constant(250)],
    ["linear", () => linear({ initialMs: 100, stepMs: 50, maxMs: 200 })],
    ["exponential", () => exponential({ initialMs: 100, maxMs: 1000 })],
  ];
  for (const jitter of ["full", "equal", "decorrelated"] as const) {
    for (const seed of [1, 42, 2024]) {
      backoffs.push([
        `${jitter} seed ${seed}`,
        () =>
          exponential({
            initialMs: 100,
            maxMs: 5000,
            jitter,
            random: seededRandom(seed),
          }),
      ]);
    }
  }
  for (const [name, backoff] of backoffs) {
    const clock = new VirtualClock();
    const { fn, waits } = flaky(clock, 6);
    const result = retry(fn, { maxAttempts: 7, backoff: backoff(), clock });
    assert.equal(await clock.runUntilSettled(result), "ok", name);
    assert.deepEqual(waits(), backoff().preview(6), name);
    assert.equal(clock.pendingTimers, 0, name);
  }
});

Deno.test("retry() passes { attempt, signal } to fn and returns the first success", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const seen: [number, AbortSignal][] = [];
  const result = retry(({ attempt, signal }) => {
    seen.push([attempt, signal]);
    return attempt < 3
      ? Promise.reject(new Error("no"))
      : Promise.resolve(attempt);
  }, { backoff: constant(10), clock, signal: controller.signal });
  assert.equal(await clock.runUntilSettled(result), 3);
  assert.deepEqual(seen.map(([a]) => a), [1, 2, 3]);
  assert.ok(seen.every(([, s]) => s === controller.signal));
  assert.equal(abortListeners(controller.signal), 0);
});

Deno.test("retry() without a signal gives fn a never-aborting signal", async () => {
  const signals: AbortSignal[] = [];
  await retry(({ signal }) => void signals.push(signal));
  await retry(({ signal }) => void signals.push(signal));
  assert.equal(signals[0]!.aborted, false);
  assert.equal(signals[0], signals[1]); // shared: nothing allocated per call
  assert.equal(abortListeners(signals[0]!), 0);
});

Deno.test("retry() rejects with RetryError carrying attempts and the last error once maxAttempts are used", async () => {
  const clock = new VirtualClock();
  let n = 0;
  const result = retry(() => {
    throw new Error(`failure ${++n}`);
  }, { maxAttempts: 4, backoff: constant(5), clock });
  const error = await clock.runUntilSettled(result).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.name, "RetryError");
  assert.equal(error.attempts, 4);
  assert.equal(error.limit, "maxAttempts");
  assert.equal((error.cause as Error).message, "failure 4");
  assert.equal(
    error.message,
    "Retrying gave up after 4 attempts: no attempt is left",
  );
  assert.equal(clock.now(), 15);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("retry() with maxAttempts 1 runs once; Infinity keeps going", async () => {
  const clock = new VirtualClock();
  const once = flaky(clock, 1);
  const error = await retry(once.fn, { maxAttempts: 1, clock }).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.attempts, 1);
  assert.equal(once.starts.length, 1);
  const many = flaky(clock, 50);
  const result = retry(many.fn, {
    maxAttempts: Infinity,
    backoff: constant(1),
    clock,
  });
  assert.equal(await clock.runUntilSettled(result), "ok");
  assert.equal(many.starts.length, 51);
});

Deno.test("retry() does not retry permanent or cancelled errors, and rejects with them unchanged", async () => {
  for (
    const error of [
      new TypeError("x is not a function"),
      new Response(null, { status: 404 }),
      new DOMException("stopped elsewhere", "AbortError"),
    ]
  ) {
    let calls = 0;
    const rejected = await retry(() => {
      calls++;
      throw error;
    }).catch((e) => e);
    assert.equal(rejected, error);
    assert.equal(calls, 1);
  }
});

Deno.test("retry() retries transient, timeout, rate-limited and unknown errors by default", async () => {
  for (
    const error of [
      new TypeError("Failed to fetch"),
      new DOMException("late", "TimeoutError"),
      new Response(null, { status: 429 }),
      new Error("unknown"),
      "a string",
    ]
  ) {
    const clock = new VirtualClock();
    const { fn, starts } = flaky(clock, 1, () => error);
    const result = retry(fn, { backoff: constant(1), clock });
    assert.equal(await clock.runUntilSettled(result), "ok");
    assert.equal(starts.length, 2);
  }
});

Deno.test("retry() asks shouldHandle with the error and its classification", async () => {
  const clock = new VirtualClock();
  const calls: [unknown, string][] = [];
  const errors = [
    new Error("a"),
    new Response(null, { status: 503 }),
    new TypeError("bug"),
  ];
  let i = 0;
  const result = retry(() => {
    throw errors[i++];
  }, {
    maxAttempts: 3,
    backoff: constant(1),
    clock,
    shouldHandle: (error, classification) => {
      calls.push([error, classification]);
      return true; // even the TypeError
    },
  });
  const error = await clock.runUntilSettled(result).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.cause, errors[2]);
  assert.deepEqual(calls, [
    [errors[0], "unknown"],
    [errors[1], "transient"],
    [errors[2], "permanent"],
  ]);
  let asked = 0;
  const stopped = retry(() => Promise.reject(new Error("x")), {
    shouldHandle: () => ++asked < 2,
    backoff: constant(1),
    clock,
  });
  await assert.rejects(clock.runUntilSettled(stopped), { message: "x" });
  assert.equal(asked, 2);
});

Deno.test("retry() waits at least what a Retry-After header asks for", async () => {
  const clock = new VirtualClock();
  const responses = [
    new Response(null, { status: 429, headers: { "retry-after": "3" } }),
    new Response(null, { status: 503 }),
    Object.assign(new Error("ky-style"), {
      response: new Response(null, {
        status: 503,
        headers: { "Retry-After": "0" },
      }),
    }),
  ];
  const starts: number[] = [];
  const events: RetryEvent[] = [];
  const result = retry(() => {
    starts.push(clock.now());
    const response = responses.shift();
    if (response) throw response;
    return "done";
  }, {
    backoff: constant(100),
    maxAttempts: 5,
    clock,
    onRetry: (event) => events.push(event),
  });
  assert.equal(await clock.runUntilSettled(result), "done");
  // 3 s asked, then the backoff, then a header asking for less: the backoff.
  assert.deepEqual(starts, [0, 3000, 3100, 3200]);
  assert.deepEqual(
    events.map((e) => [e.attempt, e.classification, e.delayMs]),
    [[1, "rate-limited", 3000], [2, "transient", 100], [3, "transient", 100]],
  );
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("retry() reads an HTTP-date Retry-After against clock.dateNow()", async () => {
  const virtual = new VirtualClock();
  const epoch = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  const clock: Clock = {
    now: () => virtual.now(),
    setTimeout: (cb, ms) => virtual.setTimeout(cb, ms),
    clearTimeout: (handle) => virtual.clearTimeout(handle),
    dateNow: () => epoch + virtual.now(),
  };
  const starts: number[] = [];
  const result = retry(() => {
    starts.push(virtual.now());
    if (starts.length === 1) {
      throw new Response(null, {
        status: 503,
        headers: { "Retry-After": "Wed, 21 Oct 2015 07:28:45 GMT" },
      });
    }
    return "ok";
  }, { backoff: constant(10), clock });
  assert.equal(await virtual.runUntilSettled(result), "ok");
  assert.deepEqual(starts, [0, 45_000]);
});

Deno.test("retry() clamps delays to maxElapsedMs, then gives up with limit maxElapsedMs", async () => {
  const clock = new VirtualClock();
  const { fn, starts } = flaky(clock, 100);
  const result = retry(fn, {
    maxAttempts: Infinity,
    backoff: constant(400),
    maxElapsedMs: 1000,
    clock,
  });
  const error = await clock.runUntilSettled(result).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.limit, "maxElapsedMs");
  assert.deepEqual(starts, [0, 400, 800, 1000]); // the last wait is cut to 200
  assert.equal(error.attempts, 4);
  assert.equal(clock.pendingTimers, 0);

  const clock2 = new VirtualClock();
  const late = flaky(
    clock2,
    1,
    // A Retry-After longer than the time allowed.
    () => new Response(null, { status: 429, headers: { "Retry-After": "60" } }),
  );
  const retryAfter = retry(late.fn, {
    maxElapsedMs: 5_000,
    clock: clock2,
  });
  assert.equal(await clock2.runUntilSettled(retryAfter), "ok");
  assert.deepEqual(late.starts, [0, 5_000]);
});

Deno.test("retry() measures maxElapsedMs across slow attempts", async () => {
  const clock = new VirtualClock();
  let calls = 0;
  const result = retry(
    () =>
      new Promise((_, reject) => {
        calls++;
        clock.setTimeout(() => reject(new Error("slow failure")), 700);
      }),
    { backoff: constant(100), maxElapsedMs: 1000, maxAttempts: 10, clock },
  );
  const error = await clock.runUntilSettled(result).catch((e) => e);
  // 0-700 fails, wait 100, 800-1500 fails: 1500 > 1000, give up.
  assert.ok(error instanceof RetryError);
  assert.equal(error.limit, "maxElapsedMs");
  assert.equal(calls, 2);
  assert.equal(clock.now(), 1500);
});

Deno.test("retry() rejects with signal.reason when aborted before start, creating nothing", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const reason = new Error("cancelled by caller");
  controller.abort(reason);
  let calls = 0;
  const result = retry(() => calls++, { signal: controller.signal, clock });
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(controller.signal), 0);
  await assert.rejects(result, (e) => e === reason);
  assert.equal(calls, 0);
});

Deno.test("retry() rejects with signal.reason at once when aborted during a wait, and clears the timer", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const { fn, starts } = flaky(clock, 5);
  const result = retry(fn, {
    backoff: constant(1000),
    clock,
    signal: controller.signal,
  });
  await flush();
  assert.equal(clock.pendingTimers, 1);
  assert.equal(abortListeners(controller.signal), 1);
  clock.tick(400);
  controller.abort("stop");
  await assert.rejects(result, (e) => e === "stop");
  assert.equal(clock.now(), 400);
  await flush();
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(controller.signal), 0);
  assert.equal(starts.length, 1);
});

Deno.test("retry() rejects with signal.reason when aborted during an attempt, without retrying", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  let calls = 0;
  const result = retry(({ signal }) =>
    new Promise((_, reject) => {
      calls++;
      signal.addEventListener("abort", () =>
        reject(new Error("fn's own abort error")), {
        once: true,
      });
    }), { clock, signal: controller.signal });
  await flush();
  controller.abort("user left");
  await assert.rejects(result, (e) => e === "user left");
  assert.equal(calls, 1);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(abortListeners(controller.signal), 0);
});

Deno.test("retry() reports onRetry before each wait; a throwing observer changes nothing", async () => {
  const clock = new VirtualClock();
  const events: RetryEvent[] = [];
  const errors = await catchReported(async () => {
    const { fn } = flaky(clock, 2);
    const result = retry(fn, {
      backoff: linear({ initialMs: 10, stepMs: 10 }),
      clock,
      onRetry: (event) => {
        events.push(event);
        throw new Error("observer bug");
      },
    });
    assert.equal(await clock.runUntilSettled(result), "ok");
  });
  assert.deepEqual(
    events.map((e) => [e.attempt, e.classification, e.delayMs]),
    [
      [1, "unknown", 10],
      [2, "unknown", 20],
    ],
  );
  assert.equal(errors.length, 2);
  assert.equal((errors[0] as Error).message, "observer bug");
});

Deno.test("retry() waits on a timer even for a zero delay, never busy-looping", async () => {
  const clock = new VirtualClock();
  const { fn, starts } = flaky(clock, 3);
  const result = retry(fn, { backoff: constant(0), maxAttempts: 5, clock });
  await flush();
  assert.equal(starts.length, 1); // the second attempt waits for a timer
  assert.equal(clock.pendingTimers, 1);
  assert.equal(await clock.runUntilSettled(result), "ok");
  assert.deepEqual(starts, [0, 0, 0, 0]);
});

Deno.test("retry() gives up with limit budget when the shared RetryBudget is exhausted", async () => {
  const clock = new VirtualClock();
  const budget = new RetryBudget({
    maxRetries: 2,
    refill: { limit: 0, intervalMs: 1000 },
    ratio: 0,
    clock,
  });
  const options: RetryOptions = {
    maxAttempts: 5,
    backoff: constant(10),
    budget,
    clock,
  };
  const first = flaky(clock, 100);
  const error = await clock.runUntilSettled(retry(first.fn, options)).catch((
    e,
  ) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.limit, "budget");
  assert.equal(error.attempts, 3);
  assert.equal(first.starts.length, 3);
  // The next caller still gets its first attempt, but no retry.
  const second = flaky(clock, 1);
  const error2 = await clock.runUntilSettled(retry(second.fn, options)).catch((
    e,
  ) => e);
  assert.equal(error2.limit, "budget");
  assert.equal(second.starts.length, 1);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("retry() deposits into the budget on each call", async () => {
  const clock = new VirtualClock();
  const budget = new RetryBudget({
    maxRetries: 5,
    refill: { limit: 0, intervalMs: 1000 },
    ratio: 0.5,
    clock,
  });
  while (budget.tryWithdraw());
  for (let i = 0; i < 4; i++) await retry(() => i, { budget, clock });
  assert.equal(budget.available, 2);
});

Deno.test("retry() rejects bad input with TypeError or RangeError, before any timer", async () => {
  const clock = new VirtualClock();
  for (const value of BAD_NUMBERS) {
    const result = retry(() => 1, { maxAttempts: value, clock });
    if (value === Infinity || (Number.isInteger(value) && value >= 1)) {
      assert.equal(await result, 1);
      continue;
    }
    await assert.rejects(result, {
      name: "RangeError",
      message:
        `Cannot retry as 'maxAttempts' must be an integer >= 1 or Infinity: current value is ${value}`,
    });
  }
  for (const value of [-1, NaN]) {
    await assert.rejects(retry(() => 1, { maxElapsedMs: value }), {
      name: "RangeError",
      message:
        `Cannot retry as 'maxElapsedMs' must be a number >= 0: current value is ${value}`,
    });
  }
  const typeCases: [RetryOptions, string][] = [
    [
      { maxAttempts: "3" as never },
      `'maxAttempts' must be a number: current value is "3"`,
    ],
    [
      { backoff: "100" as never },
      `'backoff' must be a number or a Backoff: current value is "100"`,
    ],
    [
      { backoff: {} as never },
      `'backoff' must be a number or a Backoff: current value is an object`,
    ],
    [
      { shouldHandle: true as never },
      `'shouldHandle' must be a function: current value is true`,
    ],
    [
      { onRetry: {} as never },
      `'onRetry' must be a function: current value is an object`,
    ],
    [
      { budget: {} as never },
      `'budget' must be a RetryBudget: current value is an object`,
    ],
    [
      { clock: Date as never },
      `'clock' must be a Clock: current value is function Date`,
    ],
    [
      { signal: "s" as never },
      `'signal' must be an AbortSignal: current value is "s"`,
    ],
    [
      { classifier: 1 as never },
      `'classifier' must be a Classifier: current value is 1`,
    ],
  ];
  for (const [options, message] of typeCases) {
    await assert.rejects(retry(() => 1, options), {
      name: "TypeError",
      message: `Cannot retry as ${message}`,
    });
  }
  await assert.rejects(retry(null as never), {
    name: "TypeError",
    message: "Cannot retry as 'fn' must be a function: current value is null",
  });
  await assert.rejects(retry(() => 1, 3 as never), TypeError);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("retry() takes a number as a constant backoff, and rejects a bad one", async () => {
  const clock = new VirtualClock();
  const { fn, waits } = flaky(clock, 3);
  const result = retry(fn, { backoff: 250, maxAttempts: 4, clock });
  assert.equal(await clock.runUntilSettled(result), "ok");
  assert.deepEqual(waits(), [250, 250, 250]);
  for (const value of [-1, NaN, Infinity]) {
    await assert.rejects(retry(() => 1, { backoff: value }), {
      name: "RangeError",
      message:
        `Cannot retry as 'backoff' must be a finite number >= 0: current value is ${value}`,
    });
  }
});

Deno.test("retry() returns a Future and never throws: bad arguments reject it", async () => {
  const ok = retry(() => 1);
  assert.ok(ok instanceof Future);
  assert.equal(await ok, 1);
  const bad = [
    () => retry(null as never),
    () => retry(() => 1, 3 as never),
    () => retry(() => 1, { maxAttempts: -1 }),
    () => retry(() => 1, new AbortController().signal as never),
  ];
  for (const call of bad) {
    let result: Future<unknown> | undefined;
    assert.doesNotThrow(() => (result = call()));
    assert.ok(result instanceof Future);
    await assert.rejects(
      result!,
      (e) => e instanceof TypeError || e instanceof RangeError,
    );
  }
  await assert.rejects(
    retry(() => 1, new AbortController().signal as never),
    {
      name: "TypeError",
      message:
        "Cannot retry as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
    },
  );
});

Deno.test("retryPolicy() runs like retry() with the signal of execute()", async () => {
  const clock = new VirtualClock();
  const policy = retryPolicy({ maxAttempts: 3, backoff: constant(10), clock });
  const { fn, starts } = flaky(clock, 2);
  assert.equal(await clock.runUntilSettled(policy.execute(fn)), "ok");
  assert.deepEqual(starts, [0, 10, 20]);

  const controller = new AbortController();
  controller.abort("early");
  await assert.rejects(
    policy.execute(() => 1, { signal: controller.signal }),
    (e) => e === "early",
  );

  const attempts: number[] = [];
  await policy.execute(({ attempt }) => void attempts.push(attempt), {
    attempt: 7,
  });
  assert.deepEqual(attempts, [1]); // a retry numbers its own attempts
});

Deno.test("retryPolicy() validates options at creation and execute() arguments as rejections", async () => {
  for (const value of BAD_NUMBERS) {
    if (value === Infinity || Number.isInteger(value) && value >= 1) continue;
    assert.throws(() => retryPolicy({ maxAttempts: value }), {
      name: "RangeError",
      message:
        `Cannot create a retry policy as 'maxAttempts' must be an integer >= 1 or Infinity: current value is ${value}`,
    });
  }
  assert.throws(
    () => retryPolicy({ signal: new AbortController().signal } as never),
    /'signal' must be passed to execute\(\) instead/,
  );
  const policy = retryPolicy();
  await assert.rejects(policy.execute(5 as never), {
    name: "TypeError",
    message:
      "Cannot execute the policy as 'fn' must be a function: current value is 5",
  });
  await assert.rejects(
    policy.execute(() => 1, { signal: 1 as never }),
    TypeError,
  );
});

Deno.test("retry() waits at least the retryAfterMs that pledge's refusals carry", async () => {
  const clock = new VirtualClock();
  const starts: number[] = [];
  const result = retry(() => {
    starts.push(clock.now());
    if (starts.length === 1) throw new RateLimitedError(700);
    if (starts.length === 2) throw new CircuitOpenError(1500, "open");
    return "ok";
  }, { maxAttempts: 3, backoff: constant(10), clock });
  assert.equal(await clock.runUntilSettled(result), "ok");
  assert.deepEqual(starts, [0, 700, 2200]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("classify() sees pledge's refusals as worth retrying later", () => {
  assert.equal(classify(new RateLimitedError(5)), "rate-limited");
  assert.equal(classify(new CircuitOpenError(5, "open")), "rate-limited");
  assert.equal(classify(new BulkheadRejectedError(1, 0, 0)), "transient");
});

Deno.test("retry() leaves no unhandled rejection when aborted in a wait or an attempt, or giving up", async () => {
  const unhandled = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    // Aborted during the wait.
    const inWait = new AbortController();
    const waiting = retry(() => Promise.reject(new Error("down")), {
      backoff: constant(100),
      clock,
      signal: inWait.signal,
    });
    await clock.tickAsync(50);
    inWait.abort(new Error("stop"));
    await assert.rejects(waiting, { message: "stop" });
    // Aborted during an attempt that then fails late with its own error.
    const inAttempt = new AbortController();
    const attempting = retry(
      () =>
        new Promise((_, reject) =>
          clock.setTimeout(() => reject(new Error("own")), 100)
        ),
      { clock, signal: inAttempt.signal },
    );
    await clock.tickAsync(10);
    inAttempt.abort(new Error("stop"));
    await assert.rejects(clock.runUntilSettled(attempting), {
      message: "stop",
    });
    // Giving up, with a thrown error and with a rejected thenable.
    const thenable = {
      then(_: unknown, reject: (e: unknown) => void) {
        reject(new Error("thenable"));
      },
    };
    await assert.rejects(
      clock.runUntilSettled(retry(() => thenable, { backoff: 1, clock })),
      RetryError,
    );
    await assert.rejects(
      retry(() => {
        throw new TypeError("bug");
      }),
      TypeError,
    );
    await clock.runAllAsync();
    assert.equal(clock.pendingTimers, 0);
  });
  assert.deepEqual(unhandled, []);
});
