import assert from "node:assert/strict";
import fc from "fast-check";
import {
  Completer,
  Future,
  InvalidStateError,
  PooledExecutor,
  QueueFullError,
  VirtualClock,
} from "../../mod.ts";
import {
  BAD_NUMBERS,
  catchReported,
  catchUnhandled,
  countedSignal,
  flush,
} from "../_support.ts";
const tick = () => new Promise((r) => setTimeout(r, 0));

/** A task that runs until `release()` is called. */
function gated<T = void>() {
  const gate = new Completer<T>();
  return {
    fn: () => gate.future,
    release: (value: T) => gate.resolve(value),
  };
}

Deno.test("new PooledExecutor() rejects a bad concurrency and maxQueue", () => {
  for (const value of BAD_NUMBERS) {
    if (value === Infinity) {
      assert.equal(
        new PooledExecutor({ concurrency: value }).concurrency,
        value,
      );
      assert.equal(
        new PooledExecutor({ concurrency: 1, maxQueue: value }).maxQueue,
        value,
      );
      continue;
    }
    assert.throws(() => new PooledExecutor({ concurrency: value }), {
      name: "RangeError",
      message:
        `Cannot create the PooledExecutor as 'concurrency' must be an integer >= 1 or Infinity: current value is ${value}`,
    });
    if (value === 0) {
      assert.equal(
        new PooledExecutor({ concurrency: 1, maxQueue: 0 }).maxQueue,
        0,
      );
      continue;
    }
    assert.throws(
      () => new PooledExecutor({ concurrency: 1, maxQueue: value }),
      {
        name: "RangeError",
        message:
          `Cannot create the PooledExecutor as 'maxQueue' must be an integer >= 0 or Infinity: current value is ${value}`,
      },
    );
  }
});

Deno.test("new PooledExecutor() rejects options of the wrong type", () => {
  const bad: unknown[] = [
    undefined,
    null,
    4,
    { concurrency: "4" },
    { concurrency: 1, maxQueue: "1" },
    { concurrency: 1, clock: {} },
  ];
  for (const options of bad) {
    assert.throws(
      () => new PooledExecutor(options as { concurrency: number }),
      TypeError,
    );
  }
  assert.throws(() => new PooledExecutor(undefined as never), {
    message:
      "Cannot create the PooledExecutor as 'options' must be an options object: current value is undefined",
  });
});

Deno.test("PooledExecutor.submit() rejects bad input, never throws, before adding a listener", async () => {
  const pool = new PooledExecutor({ concurrency: 4 });
  const counted = countedSignal();
  const signal = counted.signal;
  for (const value of BAD_NUMBERS) {
    if (Number.isFinite(value)) {
      // 0, -1 and 1.5 are valid priorities and valid timeouts (but -1).
      await pool.submit(() => {}, { priority: value, signal });
    } else {
      await assert.rejects(pool.submit(() => {}, { priority: value, signal }), {
        name: "RangeError",
        message:
          `Cannot submit the task as 'priority' must be finite: current value is ${value}`,
      });
    }
    await assert.rejects(pool.submit(() => {}, { weight: value, signal }), {
      name: "RangeError",
      message:
        `Cannot submit the task as 'weight' must be an integer >= 1: current value is ${value}`,
    });
    if (value === -1 || Number.isNaN(value) || value === Infinity) {
      await assert.rejects(
        pool.submit(() => {}, { timeoutMs: value, signal }),
        {
          name: "RangeError",
          message:
            `Cannot submit the task as 'timeoutMs' must be a finite number >= 0: current value is ${value}`,
        },
      );
    }
  }
  await assert.rejects(pool.submit(() => {}, { weight: 5, signal }), {
    name: "RangeError",
    message:
      "Cannot submit the task as 'weight' must be an integer <= concurrency (4): current value is 5",
  });
  assert.equal(pool.submit(() => 1, { weight: 4 }).state, "fulfilled");
  const wrong: [unknown, unknown, string][] = [
    [1, undefined, "'fn' must be a function: current value is 1"],
    [() => {}, 3, "'options' must be an options object: current value is 3"],
    [
      () => {},
      null,
      "'options' must be an options object: current value is null",
    ],
    [() => {}, { priority: "1" }, `'priority' must be a number`],
    [() => {}, { weight: "1" }, `'weight' must be a number`],
    [() => {}, { signal: {} }, "'signal' must be an AbortSignal"],
    [() => {}, { timeoutMs: "5" }, `'timeoutMs' must be a number`],
    [
      () => {},
      signal,
      "'options' must be an options object: current value is an AbortSignal (pass { signal })",
    ],
  ];
  for (const [fn, options, message] of wrong) {
    let result!: Future<unknown>;
    assert.doesNotThrow(
      () => (result = pool.submit(fn as never, options as never)),
    );
    await assert.rejects(result, (e) => {
      assert.ok(e instanceof TypeError);
      assert.ok(e.message.startsWith("Cannot submit the task as "), e.message);
      assert.ok(e.message.includes(message), e.message);
      return true;
    });
  }
  // Only the valid submissions above ever listened, and they finished.
  assert.equal(counted.added, counted.removed);
  assert.equal(counted.live, 0);
  assert.equal(pool.running + pool.queued, 0);
});

Deno.test("PooledExecutor.concurrency rejects bad values", () => {
  const pool = new PooledExecutor({ concurrency: 2 });
  for (const value of [0, -1, 1.5, NaN]) {
    assert.throws(() => (pool.concurrency = value), {
      name: "RangeError",
      message:
        `Cannot set the concurrency as 'concurrency' must be an integer >= 1 or Infinity: current value is ${value}`,
    });
  }
  assert.throws(() => (pool.concurrency = "3" as never), TypeError);
  pool.concurrency = Infinity;
  assert.equal(pool.concurrency, Infinity);
});

Deno.test("PooledExecutor.submit() settles with the task's value or error", async () => {
  const pool = new PooledExecutor({ concurrency: 2 });
  assert.equal(await pool.submit(() => 1), 1);
  assert.equal(await pool.submit(() => Promise.resolve(2)), 2);
  assert.equal(await pool.submit(() => Future.resolve(3)), 3);
  const thenable = { then: (ok: (v: number) => void) => ok(4) };
  assert.equal(await pool.submit(() => thenable as PromiseLike<number>), 4);
  await assert.rejects(
    pool.submit(() => {
      throw new Error("sync");
    }),
    /sync/,
  );
  await assert.rejects(
    pool.submit(() => Promise.reject(new Error("async"))),
    /async/,
  );
  const badThen = {
    get then() {
      throw new Error("getter");
    },
  };
  await assert.rejects(pool.submit(() => badThen), /getter/);
  assert.equal(pool.running, 0);
});

Deno.test("PooledExecutor.submit() starts the task synchronously when a slot is free", () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  let started = false;
  const done = pool.submit(() => (started = true));
  assert.equal(started, true);
  assert.equal(done.state, "fulfilled");
});

Deno.test("PooledExecutor runs by priority, then in submission order", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const blocker = gated();
  const head = pool.submit(blocker.fn);
  const order: string[] = [];
  const jobs = ([
    ["a0", 0],
    ["b1", 1],
    ["c0", 0],
    ["d-1", -1],
    ["e1", 1],
    ["f0.5", 0.5],
  ] as const).map(([name, priority]) =>
    pool.submit(() => order.push(name), { priority })
  );
  assert.equal(pool.queued, 6);
  blocker.release();
  await Promise.all([head, ...jobs]);
  assert.deepEqual(order, ["b1", "e1", "f0.5", "a0", "c0", "d-1"]);
});

Deno.test("PooledExecutor: a heavy task waits for its slots and blocks those behind it", async () => {
  const pool = new PooledExecutor({ concurrency: 3 });
  const a = gated();
  const first = pool.submit(a.fn, { weight: 2 });
  assert.equal(pool.running, 1);
  const heavy = gated();
  const order: string[] = [];
  const second = pool.submit(() => (order.push("heavy"), heavy.fn()), {
    weight: 2,
  });
  const light = pool.submit(() => order.push("light"));
  // One slot is free, but the heavy task is first in line.
  assert.deepEqual(order, []);
  assert.equal(pool.queued, 2);
  a.release();
  await first;
  assert.deepEqual(order, ["heavy", "light"]);
  assert.equal(pool.running, 1);
  heavy.release();
  await Promise.all([second, light]);
});

Deno.test("PooledExecutor: a higher-priority task that fits starts past a blocked heavy head", () => {
  const pool = new PooledExecutor({ concurrency: 2 });
  const a = gated();
  pool.submit(a.fn);
  pool.submit(() => {}, { weight: 2 });
  let ran = false;
  pool.submit(() => (ran = true), { priority: 1 });
  assert.equal(ran, true);
  a.release();
});

Deno.test("PooledExecutor.submit() rejects with signal.reason when aborted while queued", async () => {
  const pool = new PooledExecutor({ concurrency: 1, maxQueue: 1 });
  const blocker = gated();
  const head = pool.submit(blocker.fn);
  const counted = countedSignal();
  let ran = false;
  const queued = pool.submit(() => (ran = true), { signal: counted.signal });
  assert.equal(counted.live, 1);
  // The queue is full.
  await assert.rejects(pool.submit(() => {}), QueueFullError);
  const reason = { why: "stop" };
  counted.controller.abort(reason);
  assert.equal(queued.state, "rejected");
  assert.equal(queued.reason, reason);
  await assert.rejects(queued, (e) => e === reason);
  assert.equal(pool.queued, 0);
  assert.equal(counted.live, 0);
  assert.equal(counted.added, counted.removed);
  // Its place is free again.
  const next = pool.submit(() => "next");
  assert.equal(pool.queued, 1);
  blocker.release();
  assert.equal(await next, "next");
  await head;
  assert.equal(ran, false);
});

Deno.test("PooledExecutor.submit() aborts the task's signal when aborted while running", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const counted = countedSignal();
  const finish = new Completer<string>();
  let inner: AbortSignal | undefined;
  const running = pool.submit(({ signal }) => {
    inner = signal;
    return finish.future;
  }, { signal: counted.signal });
  let secondStarted = false;
  const second = pool.submit(() => (secondStarted = true));
  assert.notEqual(inner, counted.signal);
  const reason = new Error("abort");
  counted.controller.abort(reason);
  assert.equal(inner!.aborted, true);
  assert.equal(inner!.reason, reason);
  await assert.rejects(running, (e) => e === reason);
  // The task still holds its slot until it settles.
  assert.equal(pool.running, 1);
  assert.equal(secondStarted, false);
  finish.resolve("late");
  await second;
  assert.equal(secondStarted, true);
  assert.equal(counted.live, 0);
  assert.equal(counted.added, counted.removed);
});

Deno.test("PooledExecutor.submit() gives a late reader of the signal an aborted signal", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const controller = new AbortController();
  const finish = new Completer<void>();
  let context: { readonly signal: AbortSignal } | undefined;
  const running = pool.submit((c) => (context = c, finish.future), {
    signal: controller.signal,
  });
  controller.abort("late");
  await assert.rejects(running, (e) => e === "late");
  assert.equal(context!.signal.aborted, true);
  assert.equal(context!.signal.reason, "late");
  assert.equal(context!.signal, context!.signal);
  finish.resolve();
  await pool.onIdle();
});

Deno.test("PooledExecutor.submit() rejects at once with an already-aborted signal", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const counted = countedSignal();
  counted.controller.abort("early");
  let ran = false;
  const f = pool.submit(() => (ran = true), { signal: counted.signal });
  assert.equal(f.state, "rejected");
  await assert.rejects(f, (e) => e === "early");
  assert.equal(ran, false);
  assert.equal(counted.added, 0);
});

Deno.test("PooledExecutor.submit() removes its abort listener once the task settles", async () => {
  const pool = new PooledExecutor({ concurrency: 2 });
  const counted = countedSignal();
  const jobs = [];
  for (let i = 0; i < 100; i++) {
    jobs.push(
      pool.submit(() => Promise.resolve(i), { signal: counted.signal }),
    );
    jobs.push(
      pool.submit(() => {
        throw i;
      }, { signal: counted.signal }).catch((e) => e),
    );
  }
  assert.ok(counted.live <= 1);
  await Promise.all(jobs);
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
  assert.equal(counted.added, counted.removed);
});

Deno.test("PooledExecutor.submit() rejects with QueueFullError carrying the limits", async () => {
  const pool = new PooledExecutor({ concurrency: 1, maxQueue: 2 });
  const blocker = gated();
  const jobs = [
    pool.submit(blocker.fn),
    pool.submit(() => 1),
    pool.submit(() => 2),
  ];
  const error = await pool.submit(() => 3).catch((e) => e);
  assert.ok(error instanceof QueueFullError);
  assert.equal(error.name, "QueueFullError");
  assert.equal(error.maxQueue, 2);
  assert.equal(error.queued, 2);
  assert.equal(error.cause, undefined);
  assert.equal(
    error.message,
    "Cannot queue the task as the queue is full: 2 tasks are waiting and maxQueue is 2",
  );
  blocker.release();
  assert.deepEqual(await Promise.all(jobs), [undefined, 1, 2]);
  // maxQueue 0: runs when a slot is free, refuses otherwise.
  const none = new PooledExecutor({ concurrency: 1, maxQueue: 0 });
  const b = gated();
  const running = none.submit(b.fn);
  await assert.rejects(none.submit(() => {}), QueueFullError);
  b.release();
  await running;
  assert.equal(await none.submit(() => "free"), "free");
});

Deno.test("PooledExecutor.pause() holds tasks back until resume()", async () => {
  const pool = new PooledExecutor({ concurrency: 2 });
  const a = gated();
  const running = pool.submit(a.fn);
  pool.pause();
  assert.equal(pool.paused, true);
  let ran = 0;
  const jobs = [pool.submit(() => ran++), pool.submit(() => ran++)];
  a.release();
  await running;
  assert.equal(ran, 0);
  assert.equal(pool.queued, 2);
  pool.resume();
  assert.equal(pool.paused, false);
  assert.equal(ran, 2);
  await Promise.all(jobs);
});

Deno.test("PooledExecutor.clear() rejects every waiting task and leaves running ones", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const blocker = gated<string>();
  const running = pool.submit(blocker.fn);
  const counted = countedSignal();
  const waiting = Array.from(
    { length: 5 },
    (_, i) => pool.submit(() => i, { signal: counted.signal, priority: i % 2 }),
  );
  assert.equal(pool.clear(), 5);
  assert.equal(pool.queued, 0);
  assert.equal(counted.live, 0);
  for (const f of waiting) {
    assert.equal(f.state, "rejected");
    assert.ok(f.reason instanceof DOMException);
    assert.equal((f.reason as DOMException).name, "AbortError");
  }
  // The same reason object for the whole batch.
  assert.equal(waiting[0]!.reason, waiting[4]!.reason);
  const custom = new Error("custom");
  const more = pool.submit(() => 0);
  assert.equal(pool.clear(custom), 1);
  await assert.rejects(more, (e) => e === custom);
  assert.equal(pool.clear(), 0);
  blocker.release("still runs");
  assert.equal(await running, "still runs");
});

Deno.test("PooledExecutor.clear() rejections are not reported as unhandled", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const blocker = gated();
  const running = pool.submit(blocker.fn);
  pool.submit(() => 1);
  pool.clear();
  // An unhandled rejection would fail this test.
  await tick();
  blocker.release();
  await running;
});

Deno.test("PooledExecutor.clear() keeps tasks given to execute()", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const blocker = gated();
  const running = pool.submit(blocker.fn);
  let executed = false;
  pool.execute(() => (executed = true));
  const submitted = pool.submit(() => 1);
  assert.equal(pool.clear(), 1);
  await assert.rejects(submitted, { name: "AbortError" });
  assert.equal(pool.queued, 1);
  blocker.release();
  await running;
  await pool.onIdle();
  assert.equal(executed, true);
});

Deno.test("PooledExecutor.onEmpty() resolves when the last waiting task starts", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  assert.equal(pool.onEmpty().state, "fulfilled");
  const a = gated();
  const b = gated();
  const first = pool.submit(a.fn);
  const second = pool.submit(b.fn);
  const empty = pool.onEmpty();
  const idle = pool.onIdle();
  await tick();
  assert.equal(empty.state, "pending");
  a.release();
  await first;
  assert.equal(empty.state, "fulfilled");
  assert.equal(idle.state, "pending");
  b.release();
  await second;
  await idle;
  assert.equal(pool.running, 0);
});

Deno.test("PooledExecutor.onEmpty() resolves when the queue empties by abort or clear", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const a = gated();
  const running = pool.submit(a.fn);
  const controller = new AbortController();
  const queued = pool.submit(() => {}, { signal: controller.signal });
  const empty = pool.onEmpty();
  controller.abort();
  await assert.rejects(queued, (e) => e === controller.signal.reason);
  await assert.rejects(queued, { name: "AbortError" });
  await empty;
  pool.submit(() => {}).catch(() => {});
  const empty2 = pool.onEmpty();
  pool.clear();
  await empty2;
  a.release();
  await running;
});

Deno.test("PooledExecutor.onIdle() waits while paused with tasks queued", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  assert.equal(pool.onIdle().state, "fulfilled");
  pool.pause();
  const job = pool.submit(() => 1);
  const idle = pool.onIdle();
  const empty = pool.onEmpty();
  await tick();
  assert.equal(idle.state, "pending");
  assert.equal(empty.state, "pending");
  pool.resume();
  await Promise.all([idle, empty, job]);
});

Deno.test("PooledExecutor.onIdle() rejects with signal.reason and leaves no listener", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const a = gated();
  const running = pool.submit(a.fn);
  const counted = countedSignal();
  const idle = pool.onIdle({ signal: counted.signal });
  const empty = pool.onEmpty({ signal: counted.signal });
  assert.equal(empty.state, "fulfilled");
  counted.controller.abort("bored");
  await assert.rejects(idle, (e) => e === "bored");
  assert.equal(counted.live, 0);
  const late = pool.onIdle({ signal: counted.signal });
  assert.equal(late.state, "rejected");
  await assert.rejects(late, (e) => e === "bored");
  await assert.rejects(pool.onIdle({ signal: 1 as never }), {
    name: "TypeError",
    message:
      "Cannot wait for an idle executor as 'signal' must be an AbortSignal: current value is 1",
  });
  await assert.rejects(pool.onEmpty(5 as never), {
    name: "TypeError",
    message:
      "Cannot wait for an empty queue as 'options' must be an options object: current value is 5",
  });
  await assert.rejects(pool.onIdle(counted.signal as never), {
    name: "TypeError",
    message:
      "Cannot wait for an idle executor as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  });
  a.release();
  await running;
  // Done waiting: no listener was left on the signal.
  const c2 = countedSignal();
  const b = gated();
  const r2 = pool.submit(b.fn);
  const idle2 = pool.onIdle({ signal: c2.signal });
  b.release();
  await Promise.all([r2, idle2]);
  assert.equal(c2.live, 0);
  assert.equal(c2.added, c2.removed);
});

Deno.test("PooledExecutor.concurrency raised starts waiting tasks at once", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const gates = Array.from({ length: 4 }, () => gated());
  const jobs = gates.map((g) => pool.submit(g.fn));
  assert.equal(pool.running, 1);
  pool.concurrency = 3;
  assert.equal(pool.running, 3);
  assert.equal(pool.queued, 1);
  for (const g of gates) g.release();
  await Promise.all(jobs);
});

Deno.test("PooledExecutor.concurrency lowered lets running tasks finish", async () => {
  const pool = new PooledExecutor({ concurrency: 3 });
  const gates = Array.from({ length: 5 }, () => gated());
  const jobs = gates.map((g) => pool.submit(g.fn));
  assert.equal(pool.running, 3);
  pool.concurrency = 1;
  assert.equal(pool.running, 3);
  gates[0]!.release();
  await jobs[0];
  // Two still run: above the new limit, nothing starts.
  assert.equal(pool.running, 2);
  assert.equal(pool.queued, 2);
  gates[1]!.release();
  gates[2]!.release();
  await Promise.all([jobs[1], jobs[2]]);
  assert.equal(pool.running, 1);
  assert.equal(pool.queued, 1);
  gates[3]!.release();
  gates[4]!.release();
  await Promise.all(jobs);
});

Deno.test("PooledExecutor: a waiting task heavier than a lowered limit runs alone", async () => {
  const pool = new PooledExecutor({ concurrency: 4 });
  const a = gated();
  const first = pool.submit(a.fn);
  let heavyActive = -1;
  const heavy = pool.submit(() => {
    heavyActive = pool.running;
  }, { weight: 4 });
  pool.concurrency = 2;
  a.release();
  await Promise.all([first, heavy]);
  assert.equal(heavyActive, 1);
});

Deno.test("PooledExecutor: a re-entrant submit with capacity does not deadlock", async () => {
  const pool = new PooledExecutor({ concurrency: 2 });
  const outer = pool.submit(async () => {
    const inner = await pool.submit(() => Promise.resolve("inner"));
    return `outer+${inner}`;
  });
  assert.equal(await outer, "outer+inner");
  // A chain deeper than the queue: each task submits the next.
  const depth = 5_000;
  let count = 0;
  const chain = (n: number): Future<number> =>
    pool.submit(() => {
      count++;
      return n === 0 ? 0 : (pool.submit(() => undefined), n);
    });
  await Promise.all(Array.from({ length: depth }, (_, i) => chain(i)));
  await pool.onIdle();
  assert.equal(count, depth);
});

Deno.test("PooledExecutor handles 10,000 synchronous tasks without deep recursion", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  pool.pause();
  let sum = 0;
  for (let i = 0; i < 10_000; i++) pool.submit(() => (sum += i));
  pool.resume();
  await pool.onIdle();
  assert.equal(sum, 49_995_000);
});

Deno.test("PooledExecutor.submit() timeoutMs rejects with a TimeoutError and aborts the task", async () => {
  const clock = new VirtualClock();
  const pool = new PooledExecutor({ concurrency: 1, clock });
  const finish = new Completer<void>();
  let inner: AbortSignal | undefined;
  const job = pool.submit(({ signal }) => (inner = signal, finish.future), {
    timeoutMs: 50,
  });
  const next = pool.submit(() => "next");
  clock.tick(49);
  assert.equal(job.state, "pending");
  clock.tick(1);
  await assert.rejects(job, {
    name: "TimeoutError",
    message: "The operation timed out after 50 ms",
  });
  assert.equal(inner!.reason, job.reason);
  assert.equal(pool.running, 1);
  finish.resolve();
  assert.equal(await next, "next");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("PooledExecutor.submit() timeoutMs leaves no timer once the task settles", async () => {
  const clock = new VirtualClock();
  const pool = new PooledExecutor({ concurrency: 2, clock });
  const jobs = [];
  for (let i = 0; i < 50; i++) {
    jobs.push(pool.submit(() => Promise.resolve(i), { timeoutMs: 1_000 }));
  }
  await Promise.all(jobs);
  await tick();
  assert.equal(clock.pendingTimers, 0);
  // A timer is armed only once the task starts.
  pool.pause();
  const later = pool.submit(() => 1, { timeoutMs: 10 });
  await tick();
  assert.equal(clock.pendingTimers, 0);
  pool.resume();
  assert.equal(await later, 1);
});

Deno.test("PooledExecutor.execute() runs on a later microtask, in a slot", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  let ran = false;
  pool.execute(() => (ran = true));
  assert.equal(ran, false);
  assert.equal(pool.running, 1);
  await Promise.resolve();
  assert.equal(ran, true);
  assert.equal(pool.running, 0);
  const blocker = gated();
  const running = pool.submit(blocker.fn);
  let second = false;
  pool.execute(() => (second = true));
  await tick();
  assert.equal(second, false);
  assert.equal(pool.queued, 1);
  blocker.release();
  await running;
  await pool.onIdle();
  assert.equal(second, true);
  assert.throws(() => pool.execute(5 as never), TypeError);
});

Deno.test("PooledExecutor.execute() reports a throwing task and keeps going", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  let after = false;
  const caught = await catchReported(() => {
    pool.execute(() => {
      throw new Error("task failed");
    });
    pool.execute(() => (after = true));
  });
  assert.equal(caught.length, 1);
  assert.equal((caught[0] as Error).message, "task failed");
  assert.equal(after, true);
  assert.equal(pool.running, 0);
});

Deno.test("PooledExecutor.execute() throws QueueFullError when it cannot queue", () => {
  const pool = new PooledExecutor({ concurrency: 1, maxQueue: 0 });
  pool.execute(() => {});
  assert.throws(() => pool.execute(() => {}), QueueFullError);
});

Deno.test("Future.via() runs continuations under a PooledExecutor", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const blocker = gated();
  const running = pool.submit(blocker.fn);
  const order: string[] = [];
  const moved = Future.resolve(1).via(pool).then((x) => {
    order.push("continuation");
    return x + 1;
  });
  await tick();
  assert.deepEqual(order, []);
  blocker.release();
  await running;
  assert.equal(await moved, 2);
  assert.deepEqual(order, ["continuation"]);
});

Deno.test("PooledExecutor[Symbol.asyncDispose]() runs what waits and refuses new work", async () => {
  const pool = new PooledExecutor({ concurrency: 1 });
  const a = gated();
  const running = pool.submit(a.fn);
  pool.pause();
  const waiting = pool.submit(() => "waited");
  const disposed = pool[Symbol.asyncDispose]();
  assert.equal(pool.paused, false);
  await assert.rejects(pool.submit(() => 1), {
    name: "InvalidStateError",
    message: "Cannot submit the task as the executor is disposed",
  });
  assert.throws(() => pool.execute(() => {}), InvalidStateError);
  await tick();
  assert.equal(disposed.state, "pending");
  a.release();
  await disposed;
  assert.equal(await waiting, "waited");
  await running;
  assert.equal(pool[Symbol.asyncDispose]().state, "fulfilled");
});

Deno.test("PooledExecutor.clear() then dispose settles every future", async () => {
  const pool = new PooledExecutor({ concurrency: 2 });
  const gates = Array.from({ length: 6 }, () => gated());
  const jobs = gates.map((g) => pool.submit(g.fn));
  pool.clear();
  const disposed = pool[Symbol.asyncDispose]();
  gates[0]!.release();
  gates[1]!.release();
  await disposed;
  const outcomes = await Promise.allSettled(jobs);
  assert.deepEqual(outcomes.map((o) => o.status), [
    "fulfilled",
    "fulfilled",
    "rejected",
    "rejected",
    "rejected",
    "rejected",
  ]);
});

interface Waiting {
  priority: number;
  seq: number;
}

Deno.test("PooledExecutor property: slots, settlement and start order hold under random load", async () => {
  const spec = fc.record({
    submitAt: fc.integer({ min: 0, max: 40 }),
    durationMs: fc.integer({ min: 0, max: 30 }),
    priority: fc.integer({ min: -2, max: 2 }),
    weight: fc.integer({ min: 1, max: 4 }),
    abortAt: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    fails: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.array(spec, { maxLength: 25 }),
      async (concurrency, specs) => {
        const clock = new VirtualClock();
        const pool = new PooledExecutor({ concurrency, clock });
        const waiting = new Set<Waiting>();
        const settled = specs.map(() => 0);
        const started = specs.map(() => false);
        const reasons: unknown[] = specs.map(() => undefined);
        const violations: string[] = [];
        let runningWeight = 0;
        let seq = 0;
        specs.forEach((s, i) => {
          const weight = Math.min(s.weight, concurrency);
          const controller = s.abortAt === undefined
            ? undefined
            : new AbortController();
          const me: Waiting = { priority: s.priority, seq: -1 };
          clock.setTimeout(() => {
            if (controller?.signal.aborted !== true) {
              me.seq = seq++;
              waiting.add(me);
            }
            pool.submit(() => {
              // A throw here would only reject the task: record instead.
              if (!waiting.has(me)) violations.push(`${i} started unqueued`);
              for (const other of waiting) {
                if (
                  other !== me && (other.priority > me.priority ||
                    (other.priority === me.priority && other.seq < me.seq))
                ) violations.push(`${i} started ahead of its turn`);
              }
              waiting.delete(me);
              started[i] = true;
              runningWeight += weight;
              if (runningWeight > concurrency) {
                violations.push(`${i} made ${runningWeight} slots busy`);
              }
              return new Promise((resolve, reject) =>
                clock.setTimeout(() => {
                  runningWeight -= weight;
                  if (s.fails) reject(new Error("failed"));
                  else resolve(i);
                }, s.durationMs)
              );
            }, { priority: s.priority, weight, signal: controller?.signal })
              .then(
                () => settled[i]!++,
                (e) => (settled[i]!++, reasons[i] = e),
              );
          }, s.submitAt);
          if (controller !== undefined) {
            clock.setTimeout(() => {
              waiting.delete(me);
              controller.abort(`abort ${i}`);
            }, s.abortAt!);
          }
        });
        await clock.runAllAsync();
        await tick();
        assert.deepEqual(violations, []);
        assert.deepEqual(settled, specs.map(() => 1));
        specs.forEach((s, i) => {
          if (!started[i]) assert.equal(reasons[i], `abort ${i}`);
          if (s.abortAt === undefined) assert.ok(started[i]);
        });
        assert.equal(pool.running, 0);
        assert.equal(pool.queued, 0);
        assert.equal(waiting.size, 0);
        assert.equal(clock.pendingTimers, 0);
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("PooledExecutor property: resizing and pausing never exceed the current limit", async () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant("submit" as const),
      weight: fc.integer({ min: 1, max: 4 }),
      durationMs: fc.integer({ min: 0, max: 20 }),
    }),
    fc.record({
      kind: fc.constant("resize" as const),
      to: fc.integer({ min: 1, max: 4 }),
    }),
    fc.record({ kind: fc.constant("pause" as const) }),
    fc.record({ kind: fc.constant("resume" as const) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
      const clock = new VirtualClock();
      const pool = new PooledExecutor({ concurrency: 4, clock });
      let runningWeight = 0;
      let peakOverLimit = 0;
      const jobs: PromiseLike<unknown>[] = [];
      ops.forEach((o, i) => {
        clock.setTimeout(() => {
          if (o.kind === "resize") pool.concurrency = o.to;
          else if (o.kind === "pause") pool.pause();
          else if (o.kind === "resume") pool.resume();
          else {
            const weight = Math.min(o.weight, pool.concurrency);
            jobs.push(pool.submit(() => {
              const held = Math.min(weight, pool.concurrency);
              // Before this start, the busy slots left room for it.
              peakOverLimit = Math.max(
                peakOverLimit,
                runningWeight + held - pool.concurrency,
              );
              runningWeight += held;
              return new Promise<void>((r) =>
                clock.setTimeout(() => {
                  runningWeight -= held;
                  r();
                }, o.durationMs)
              );
            }, { weight }));
          }
        }, i);
      });
      await clock.runAllAsync();
      pool.resume();
      await clock.runAllAsync();
      await Promise.all(jobs);
      assert.equal(peakOverLimit <= 0, true);
      assert.equal(pool.running, 0);
      assert.equal(clock.pendingTimers, 0);
    }),
    { numRuns: 100 },
  );
});

Deno.test("PooledExecutor: abort, timeout, clear, dispose and failure paths leave no unhandled rejection", async () => {
  const clock = new VirtualClock();
  const unhandled = await catchUnhandled(async () => {
    const pool = new PooledExecutor({ concurrency: 1, maxQueue: 2, clock });
    const gate = new Completer<void>();
    const caller: Promise<unknown>[] = [];
    const watch = (f: PromiseLike<unknown>) =>
      caller.push(Promise.resolve(f).catch((e) => e));
    const running = new AbortController();
    watch(pool.submit(() => gate.future, { signal: running.signal }));
    const queued = new AbortController();
    watch(pool.submit(() => {}, { signal: queued.signal }));
    watch(pool.submit(() => {}, { timeoutMs: 5 }));
    watch(pool.submit(() => {})); // QueueFullError
    const idle = new AbortController();
    watch(pool.onIdle({ signal: idle.signal }));
    watch(pool.onEmpty({ signal: idle.signal }));
    queued.abort("queued");
    running.abort("running");
    idle.abort("idle");
    // The running task's own outcome comes after its future settled early.
    gate.reject(new Error("late failure"));
    await flush();
    assert.equal(pool.clear(), 0);
    const slow = new Completer<void>();
    watch(pool.submit(() => slow.future, { timeoutMs: 5 }));
    clock.tick(5);
    slow.reject(new Error("late, after its timeout"));
    await flush();
    watch(pool.submit(() => Promise.reject(new Error("failed"))));
    pool.pause();
    pool.submit(() => {}); // cleared: rejected as handled, never watched
    assert.equal(pool.clear(), 1);
    pool.resume();
    watch(pool[Symbol.asyncDispose]());
    watch(pool.submit(() => {})); // disposed
    const outcomes = (await Promise.all(caller)).map((o) =>
      o instanceof Error || o instanceof DOMException ? o.name : o
    );
    assert.deepEqual(outcomes, [
      "running",
      "queued",
      undefined,
      "QueueFullError",
      "idle",
      "idle",
      "TimeoutError",
      "Error",
      undefined,
      "InvalidStateError",
    ]);
  });
  assert.deepEqual(unhandled, []);
});
