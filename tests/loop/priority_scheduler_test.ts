import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Clock,
  Completer,
  type Executor,
  InvalidStateError,
  PriorityScheduler,
  type TaskPriority,
  VirtualClock,
} from "../../mod.ts";
import { EventLoop } from "../../src/loop/event_loop.ts";
import {
  BAD_NUMBERS,
  catchReported,
  catchUnhandled,
  countedSignal,
} from "../_support.ts";

const PRIORITIES: TaskPriority[] = [
  "immediate",
  "high",
  "normal",
  "low",
  "idle",
];

/** A virtual clock whose time tasks can move forward while they run. */
function steppingClock(): {
  clock: Clock;
  vc: VirtualClock;
  spend(ms: number): void;
} {
  const vc = new VirtualClock();
  let extra = 0;
  return {
    vc,
    clock: {
      now: () => vc.now() + extra,
      setTimeout: (cb, ms) => vc.setTimeout(cb, ms),
      clearTimeout: (h) => vc.clearTimeout(h),
    },
    spend: (ms) => void (extra += ms),
  };
}

Deno.test("PriorityScheduler runs tasks by priority, first in first out within one", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const order: string[] = [];
  const posts: [string, TaskPriority][] = [
    ["idle1", "idle"],
    ["low1", "low"],
    ["normal1", "normal"],
    ["high1", "high"],
    ["immediate1", "immediate"],
    ["low2", "low"],
    ["high2", "high"],
    ["idle2", "idle"],
    ["normal2", "normal"],
    ["immediate2", "immediate"],
  ];
  const handles = posts.map(([name, priority]) =>
    scheduler.post(() => (order.push(name), name), { priority })
  );
  assert.deepEqual(order, [], "nothing runs synchronously");
  assert.equal(clock.pendingTimers, 1, "one slice timer for all tasks");
  clock.runAll();
  assert.deepEqual(order, [
    "immediate1",
    "immediate2",
    "high1",
    "high2",
    "normal1",
    "normal2",
    "low1",
    "low2",
    "idle1",
    "idle2",
  ]);
  assert.deepEqual(
    await Promise.all(handles.map((h) => h.future)),
    posts.map(([n]) => n),
  );
  assert.equal(scheduler.queued, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("PriorityScheduler.post() settles with a value, an async value or an error", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const plain = scheduler.post(() => 1);
  const later = scheduler.post(() => Promise.resolve("async"));
  const failing = scheduler.post(() => {
    throw new Error("boom");
  });
  const genFailing = scheduler.post(function* () {
    yield;
    throw new Error("late boom");
  });
  clock.runAll();
  const n: number = await plain.future;
  assert.equal(n, 1);
  assert.equal(await later.future, "async");
  await assert.rejects(failing.future, { message: "boom" });
  await assert.rejects(genFailing.future, { message: "late boom" });
  assert.equal(failing.state, "done");
});

Deno.test("PriorityScheduler resumes a yielded task after higher priorities, before its own", () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const order: string[] = [];
  scheduler.post(function* () {
    order.push("A1");
    scheduler.post(() => order.push("low"), { priority: "low" });
    scheduler.post(() => order.push("B"));
    scheduler.post(() => order.push("high"), { priority: "high" });
    yield;
    order.push("A2");
    yield;
    order.push("A3");
  });
  clock.runAll();
  assert.deepEqual(order, ["A1", "high", "A2", "A3", "B", "low"]);
});

Deno.test("PriorityScheduler runs yielded continuations of one priority first in, first out", () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const order: string[] = [];
  const worker = (name: string) =>
    function* () {
      for (let i = 1; i <= 3; i++) {
        order.push(`${name}${i}`);
        if (i === 1 && name === "A") scheduler.post(worker("B"));
        yield;
      }
    };
  scheduler.post(worker("A"));
  scheduler.post(() => order.push("C"));
  clock.runAll();
  // A's continuations run before B and C start; B was posted after C.
  assert.deepEqual(order, ["A1", "A2", "A3", "C", "B1", "B2", "B3"]);
});

Deno.test("PriorityScheduler parks a task that yields a promise and resumes it with the value", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const gate = new Completer<number>();
  const fails = new Completer<number>();
  const order: string[] = [];
  const handle = scheduler.post(function* () {
    const x = (yield gate.future) as number;
    order.push(`got ${x}`);
    try {
      yield fails.future;
    } catch (e) {
      order.push(`caught ${(e as Error).message}`);
    }
    return x * 2;
  });
  scheduler.post(() => order.push("other"));
  clock.runAll();
  assert.equal(handle.state, "waiting");
  assert.deepEqual(order, ["other"]);
  assert.equal(
    clock.pendingTimers,
    0,
    "no timer while only a parked task is pending",
  );
  gate.resolve(21);
  fails.future.catch(() => {}); // handled: the task takes it later
  fails.reject(new Error("nope"));
  assert.equal(await clock.runUntilSettled(handle.future.toPromise()), 42);
  assert.deepEqual(order, ["other", "got 21", "caught nope"]);
});

Deno.test("PriorityScheduler slices end after sliceSteps steps so clock timers run between", () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock, sliceSteps: 1 });
  const order: string[] = [];
  for (const name of ["t1", "t2", "t3"]) scheduler.post(() => order.push(name));
  clock.setTimeout(() => order.push("timer"), 0);
  clock.runAll();
  assert.deepEqual(order, ["t1", "timer", "t2", "t3"]);
});

Deno.test("PriorityScheduler slices end after sliceMs of clock time", () => {
  const { clock, vc, spend } = steppingClock();
  const scheduler = new PriorityScheduler({ clock, sliceMs: 5 });
  const order: string[] = [];
  for (const name of ["t1", "t2", "t3"]) {
    scheduler.post(() => (order.push(name), spend(3)));
  }
  vc.setTimeout(() => order.push("timer"), 0);
  vc.runAll();
  assert.deepEqual(order, ["t1", "t2", "timer", "t3"]);
});

Deno.test("PriorityTaskContext.shouldYield() is true once higher-priority work is queued", () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const seen: [boolean, boolean][] = [];
  scheduler.post(function* (ctx) {
    const before = ctx.shouldYield();
    scheduler.post(() => {}, { priority: "low" });
    const afterLow = ctx.shouldYield();
    scheduler.post(() => {}, { priority: "high" });
    seen.push([before, afterLow], [
      ctx.shouldYield(),
      ctx.priority === "normal",
    ]);
    yield;
  });
  clock.runAll();
  assert.deepEqual(seen, [[false, false], [true, true]]);
});

Deno.test("PriorityScheduler aging raises a starved idle task one level per agingMs", () => {
  const run = (agingMs: number | undefined) => {
    const { clock, vc, spend } = steppingClock();
    const scheduler = new PriorityScheduler(
      agingMs === undefined ? { clock } : { clock, agingMs },
    );
    let ranAt = -1;
    let ranAs: TaskPriority | undefined;
    const idle = scheduler.post((ctx) => {
      ranAt = clock.now();
      ranAs = ctx.priority;
    }, { priority: "idle" });
    scheduler.post(function* () {
      for (let i = 0; i < 20; i++) {
        spend(2);
        yield;
      }
    });
    vc.runAll();
    return { ranAt, ranAs, final: idle.priority };
  };
  // Without aging the idle task waits for the 20 steps of 2 ms.
  assert.deepEqual(run(undefined), { ranAt: 40, ranAs: "idle", final: "idle" });
  // idle -> low at 10, low -> normal at 20, normal -> high at 30 (a normal
  // task still waits behind normal continuations), then it runs at once.
  assert.deepEqual(run(10), { ranAt: 30, ranAs: "high", final: "high" });
});

Deno.test("PriorityScheduler never ages a task into immediate", () => {
  const { clock, vc, spend } = steppingClock();
  const scheduler = new PriorityScheduler({ clock, agingMs: 1 });
  const order: string[] = [];
  scheduler.post(function* () {
    for (let i = 0; i < 5; i++) {
      spend(5);
      order.push(`imm${i}`);
      yield;
    }
  }, { priority: "immediate" });
  scheduler.post((ctx) => order.push(`high as ${ctx.priority}`), {
    priority: "high",
  });
  vc.runAll();
  assert.deepEqual(order, [
    "imm0",
    "imm1",
    "imm2",
    "imm3",
    "imm4",
    "high as high",
  ]);
});

Deno.test("PriorityTaskHandle.cancel() rejects a queued task that then never runs", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  let ran = false;
  const handle = scheduler.post(() => (ran = true));
  assert.equal(handle.cancel(), true);
  assert.equal(handle.cancel(), false);
  assert.equal(handle.state, "cancelled");
  await assert.rejects(handle.future, (e: unknown) => {
    assert.ok(e instanceof DOMException);
    assert.equal(e.name, "AbortError");
    return true;
  });
  assert.equal(clock.pendingTimers, 0, "the slice timer is cleared");
  clock.runAll();
  assert.equal(ran, false);
  assert.equal(scheduler.queued, 0);
});

Deno.test("PriorityTaskHandle.cancel() is not reported when nobody awaits the future", async () => {
  const clock = new VirtualClock();
  const cancelled = await catchUnhandled(async () => {
    const scheduler = new PriorityScheduler({ clock });
    scheduler.post(() => {}).cancel();
    scheduler.post(() => {}, { signal: AbortSignal.abort() });
    scheduler.post(() => {}, { delayMs: 5 });
    scheduler[Symbol.dispose]();
    await clock.runAllAsync();
  });
  assert.deepEqual(cancelled, []);
  const failed = await catchUnhandled(async () => {
    const scheduler = new PriorityScheduler({ clock });
    scheduler.post(() => {
      throw new Error("unobserved failure");
    });
    await clock.runAllAsync();
  });
  assert.equal(failed.length, 1, "an unobserved task error is reported");
  assert.equal((failed[0] as Error).message, "unobserved failure");
});

Deno.test("PriorityScheduler leaves no unhandled rejection when a parked task is cancelled, aborted or disposed", async () => {
  const clock = new VirtualClock();
  const rejecters: ((e: unknown) => void)[] = [];
  const park = function* () {
    yield new Promise((_, reject) => rejecters.push(reject));
  };
  const seen = await catchUnhandled(async () => {
    const scheduler = new PriorityScheduler({ clock });
    const controller = new AbortController();
    const cancelled = scheduler.post(park);
    const aborted = scheduler.post(park, { signal: controller.signal });
    const disposed = scheduler.post(park);
    const failing = scheduler.post(park);
    failing.future.catch(() => {});
    clock.tick(0);
    assert.deepEqual(
      [cancelled, aborted, disposed, failing].map((h) => h.state),
      ["waiting", "waiting", "waiting", "waiting"],
    );
    cancelled.cancel();
    controller.abort(new Error("stop"));
    rejecters[3]!(new Error("failed while parked"));
    await clock.runAllAsync();
    assert.equal(failing.state, "done");
    await assert.rejects(failing.future, { message: "failed while parked" });
    scheduler[Symbol.dispose]();
    assert.equal(disposed.state, "cancelled");
    // the promises they were parked on reject after they left
    for (const reject of rejecters) reject(new Error("late"));
    await clock.runAllAsync();
  });
  assert.deepEqual(seen, []);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("PriorityScheduler reads a yielded thenable's then once and fails the task when it throws", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  let reads = 0;
  const once = scheduler.post(function* () {
    const v: unknown = yield {
      get then() {
        reads++;
        return (resolve: (v: number) => void) => {
          resolve(1);
          resolve(2); // a second call is ignored
        };
      },
    };
    return v;
  });
  const getter = scheduler.post(function* () {
    yield {
      get then(): never {
        throw new Error("then getter");
      },
    };
  });
  const call = scheduler.post(function* () {
    yield {
      then() {
        throw new Error("then call");
      },
    };
  });
  const failures = Promise.all([
    assert.rejects(getter.future, { message: "then getter" }),
    assert.rejects(call.future, { message: "then call" }),
  ]);
  await clock.runAllAsync();
  await failures;
  assert.equal(await once.future, 1);
  assert.equal(reads, 1);
  assert.equal(scheduler.queued, 0);
});

Deno.test("PriorityTaskHandle.cancel() closes a yielded generator so its finally blocks run", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock, sliceSteps: 1 });
  const log: string[] = [];
  const reason = new Error("stop");
  const handle = scheduler.post(function* () {
    try {
      try {
        log.push("step 1");
        yield;
        log.push("step 2");
      } finally {
        log.push("inner finally");
      }
    } finally {
      log.push("outer finally");
    }
  });
  clock.next(); // one slice: one step
  assert.equal(handle.state, "queued");
  assert.equal(handle.cancel(reason), true);
  assert.deepEqual(log, ["step 1", "inner finally", "outer finally"]);
  await assert.rejects(handle.future, (e) => e === reason);
  clock.runAll();
  assert.deepEqual(log, ["step 1", "inner finally", "outer finally"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("PriorityTaskHandle.cancel() from inside the running task closes it at its next yield", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const log: string[] = [];
  let cancelled = false;
  const handle = scheduler.post(function* (ctx) {
    try {
      cancelled = handle.cancel("self");
      log.push(`aborted ${ctx.signal.aborted}`);
      yield;
      log.push("never");
    } finally {
      log.push("finally");
    }
  });
  clock.runAll();
  assert.equal(cancelled, true);
  assert.deepEqual(log, ["aborted true", "finally"]);
  await assert.rejects(handle.future, (e) => e === "self");
});

Deno.test("PriorityScheduler.post() rejects with signal.reason unchanged and removes its listener", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const counted = countedSignal();
  const { controller, signal } = counted;
  const log: string[] = [];
  const parked = new Completer<void>();
  const handle = scheduler.post(function* (ctx) {
    try {
      yield parked.future;
    } finally {
      log.push(`finally, task signal aborted: ${ctx.signal.aborted}`);
    }
  }, { signal });
  const done = scheduler.post(() => "ok", { signal });
  clock.runAll();
  assert.equal(await done.future, "ok");
  assert.deepEqual([counted.added, counted.removed], [2, 1]);
  const reason = { custom: "reason" };
  controller.abort(reason);
  await assert.rejects(handle.future, (e) => e === reason);
  assert.deepEqual(log, ["finally, task signal aborted: true"]);
  assert.deepEqual([counted.added, counted.removed, counted.native], [2, 2, 0]);
  parked.resolve();
  await clock.runAllAsync();
  assert.equal(handle.state, "cancelled");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("PriorityScheduler.post() with an aborted signal rejects at once with no timer or listener", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const counted = countedSignal();
  const { controller, signal } = counted;
  const reason = new Error("already");
  controller.abort(reason);
  let ran = false;
  const handle = scheduler.post(() => (ran = true), { signal, delayMs: 10 });
  assert.equal(handle.state, "cancelled");
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual([counted.added, counted.native], [0, 0]);
  await assert.rejects(handle.future, (e) => e === reason);
  clock.runAll();
  assert.equal(ran, false);
});

Deno.test("PriorityScheduler delays tasks by delayMs with one clock timer and clears it on cancel", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const at: [string, number][] = [];
  const a = scheduler.post(() => at.push(["a", clock.now()]), { delayMs: 30 });
  scheduler.post(() => at.push(["b", clock.now()]), {
    delayMs: 10,
    priority: "low",
  });
  scheduler.post(() => at.push(["c", clock.now()]), {
    delayMs: 10,
    priority: "high",
  });
  assert.equal(clock.pendingTimers, 1);
  clock.tick(10);
  assert.deepEqual(at, [["c", 10], ["b", 10]]);
  a.cancel();
  await assert.rejects(a.future, { name: "AbortError" });
  assert.equal(clock.pendingTimers, 0);
  assert.equal(scheduler.queued, 0);
});

Deno.test("PriorityScheduler reports an error thrown by a finally block during cancel", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock, sliceSteps: 1 });
  const caught = await catchReported(async () => {
    const handle = scheduler.post(function* () {
      try {
        yield;
      } finally {
        // deno-lint-ignore no-unsafe-finally
        throw new Error("cleanup failed");
      }
    });
    clock.next();
    handle.cancel("why");
    await assert.rejects(handle.future, (e) => e === "why");
  });
  assert.equal(caught.length, 1);
  assert.equal((caught[0] as Error).message, "cleanup failed");
});

Deno.test("PriorityScheduler[Symbol.dispose]() cancels everything and refuses new tasks", async () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  let closed = false;
  const parked = scheduler.post(function* () {
    try {
      yield new Promise(() => {});
    } finally {
      closed = true;
    }
  });
  clock.next();
  assert.equal(parked.state, "waiting");
  const queued = scheduler.post(() => 1);
  const delayed = scheduler.post(() => 2, { delayMs: 50 });
  assert.equal(scheduler.queued, 3);
  scheduler[Symbol.dispose]();
  assert.equal(closed, true);
  assert.equal(scheduler.queued, 0);
  await assert.rejects(parked.future, { name: "AbortError" });
  await assert.rejects(queued.future, { name: "AbortError" });
  await assert.rejects(delayed.future, { name: "AbortError" });
  assert.equal(clock.pendingTimers, 0);
  assert.throws(() => scheduler.post(() => 3), InvalidStateError);
});

Deno.test("PriorityScheduler runs slices through an injected executor", () => {
  const clock = new VirtualClock();
  const jobs: (() => void)[] = [];
  const executor: Executor = { execute: (job) => void jobs.push(job) };
  const scheduler = new PriorityScheduler({ clock, executor });
  const order: string[] = [];
  scheduler.post(() => order.push("a"));
  scheduler.post(() => order.push("b"), { priority: "high" });
  assert.equal(jobs.length, 1, "one slice dispatched for both");
  assert.equal(clock.pendingTimers, 0, "no clock timer for ready work");
  jobs.shift()!();
  assert.deepEqual(order, ["b", "a"]);
  assert.equal(jobs.length, 0);
});

Deno.test("PriorityScheduler runs on an EventLoop, as loop timers or in its microtask queue", () => {
  for (const viaExecutor of [false, true]) {
    const loop = new EventLoop({ profile: "node", trace: true });
    const scheduler = new PriorityScheduler(
      viaExecutor ? { clock: loop, executor: loop.executor } : { clock: loop },
    );
    const order: string[] = [];
    loop.setTimeout(
      loop.label("loop timer", () => order.push(`timer@${loop.now()}`)),
      0,
    );
    scheduler.post(() => order.push(`low@${loop.now()}`), { priority: "low" });
    scheduler.post(() => order.push(`high@${loop.now()}`), {
      priority: "high",
    });
    loop.runAll();
    // A slice is a node timer (0 ms becomes 1 ms, armed after the loop's
    // own timer), or a microtask that runs before any timer.
    assert.deepEqual(
      order,
      viaExecutor
        ? ["high@0", "low@0", "timer@1"]
        : ["timer@1", "high@1", "low@1"],
    );
    assert.deepEqual(
      loop.trace.events.map((e) => e.lane),
      viaExecutor ? ["microtask", "timer"] : ["timer", "timer"],
    );
    assert.equal(loop.pendingTimers, 0);
    assert.equal(scheduler.queued, 0);
  }
});

Deno.test("PriorityScheduler order is deterministic and follows priority (property)", () => {
  const task = fc.record({
    priority: fc.constantFrom(...PRIORITIES),
    delayMs: fc.constantFrom(0, 0, 1, 5),
    yields: fc.integer({ min: 0, max: 3 }),
  });
  fc.assert(
    fc.property(
      fc.array(task, { maxLength: 30 }),
      fc.integer({ min: 1, max: 4 }),
      (tasks, sliceSteps) => {
        const run = () => {
          const clock = new VirtualClock();
          const scheduler = new PriorityScheduler({ clock, sliceSteps });
          const log: string[] = [];
          tasks.forEach((t, i) =>
            scheduler.post(function* () {
              for (let y = 0; y <= t.yields; y++) {
                log.push(`${i}.${y}@${clock.now()}`);
                if (y < t.yields) yield;
              }
            }, t)
          );
          clock.runAll();
          assert.equal(clock.pendingTimers, 0);
          return log;
        };
        const first = run();
        assert.deepEqual(run(), first);
        // Undelayed tasks start in (priority, post order) order.
        const starts = first.filter((s) => s.includes(".0@0")).map((s) =>
          Number(s.split(".")[0])
        );
        const expected = tasks.map((t, i) => ({ t, i })).filter(({ t }) =>
          t.delayMs === 0
        )
          .sort((a, b) =>
            PRIORITIES.indexOf(a.t.priority) -
              PRIORITIES.indexOf(b.t.priority) || a.i - b.i
          )
          .map(({ i }) => i);
        assert.deepEqual(starts, expected);
      },
    ),
  );
});

Deno.test("PriorityScheduler validates sliceMs, sliceSteps and agingMs", () => {
  const expect = (option: string, constraint: string, ok: number[]) => {
    for (const value of BAD_NUMBERS) {
      const make = () =>
        new PriorityScheduler({ clock: new VirtualClock(), [option]: value });
      if (ok.includes(value)) {
        make();
        continue;
      }
      assert.throws(make, {
        name: "RangeError",
        message:
          `Cannot create a PriorityScheduler as '${option}' must be ${constraint}: current value is ${value}`,
      });
    }
    assert.throws(() => new PriorityScheduler({ [option]: "1" }), {
      name: "TypeError",
      message:
        `Cannot create a PriorityScheduler as '${option}' must be a number: current value is "1"`,
    });
  };
  expect("sliceMs", "a finite number >= 0", [0, 1.5]);
  expect("sliceSteps", "an integer >= 1 or Infinity", [Infinity]);
  expect("agingMs", "a finite number > 0", [1.5]);
  assert.throws(() => new PriorityScheduler({ clock: {} as Clock }), {
    name: "TypeError",
    message:
      "Cannot create a PriorityScheduler as 'clock.now' must be a function: current value is undefined",
  });
  assert.throws(
    () =>
      new PriorityScheduler({
        clock: { now: () => 0, setTimeout: () => 0 } as never,
      }),
    {
      name: "TypeError",
      message:
        "Cannot create a PriorityScheduler as 'clock.clearTimeout' must be a function: current value is undefined",
    },
  );
  assert.throws(() => new PriorityScheduler(AbortSignal.abort() as never), {
    name: "TypeError",
    message:
      "Cannot create a PriorityScheduler as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  });
  assert.throws(
    () => new PriorityScheduler({ executor: 1 as unknown as Executor }),
    TypeError,
  );
  assert.throws(() => new PriorityScheduler(1 as never), TypeError);
});

Deno.test("PriorityScheduler.post() validates its task and options before arming anything", () => {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock });
  const noop = () => {};
  for (const value of BAD_NUMBERS) {
    if (value === 0 || value === 1.5) continue;
    assert.throws(() => scheduler.post(noop, { delayMs: value }), {
      name: "RangeError",
      message:
        `Cannot post a task as 'delayMs' must be a finite number >= 0: current value is ${value}`,
    });
    assert.throws(() => scheduler.post(noop, { priority: value as never }), {
      name: "TypeError",
      message:
        `Cannot post a task as 'priority' must be one of "immediate", "high", "normal", "low", "idle": current value is ${value}`,
    });
  }
  assert.throws(() => scheduler.post(noop, { priority: "urgent" as never }), {
    name: "RangeError",
    message:
      `Cannot post a task as 'priority' must be one of "immediate", "high", "normal", "low", "idle": current value is "urgent"`,
  });
  assert.throws(
    () => scheduler.post(noop, { priority: "toString" as never }),
    RangeError,
  );
  assert.throws(() => scheduler.post(42 as never), {
    name: "TypeError",
    message:
      "Cannot post a task as 'task' must be a function: current value is 42",
  });
  assert.throws(
    () => scheduler.post(noop, { signal: {} as AbortSignal }),
    TypeError,
  );
  assert.throws(() => scheduler.post(noop, AbortSignal.abort() as never), {
    name: "TypeError",
    message:
      "Cannot post a task as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  });
  assert.equal(clock.pendingTimers, 0);
  assert.equal(scheduler.queued, 0);
});
