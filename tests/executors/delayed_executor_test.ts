import assert from "node:assert/strict";
import {
  Completer,
  DelayedExecutor,
  Future,
  InvalidStateError,
  VirtualClock,
} from "../../mod.ts";
import {
  BAD_NUMBERS,
  catchReported,
  catchUnhandled,
  countedSignal,
  flush,
} from "../_support.ts";
import { countingClock } from "../_counting_clock.ts";

function setup() {
  const clock = new VirtualClock();
  return { clock, delayed: new DelayedExecutor({ clock }) };
}

Deno.test("new DelayedExecutor() rejects options of the wrong type", () => {
  assert.throws(() => new DelayedExecutor(5 as never), {
    name: "TypeError",
    message:
      "Cannot create the DelayedExecutor as 'options' must be an options object: current value is 5",
  });
  for (const clock of [null, {}, 3, { setTimeout() {} }]) {
    assert.throws(
      () => new DelayedExecutor({ clock: clock as never }),
      TypeError,
    );
  }
});

Deno.test("DelayedExecutor.schedule() rejects a bad delay before arming a timer", () => {
  const { clock, delayed } = setup();
  const counted = countedSignal();
  for (const value of BAD_NUMBERS) {
    if (value === 0 || value === 1.5) {
      delayed.schedule(() => {}, value).cancel();
      continue;
    }
    assert.throws(
      () => delayed.schedule(() => {}, value, { signal: counted.signal }),
      {
        name: "RangeError",
        message:
          `Cannot schedule the task as 'delayMs' must be a finite number >= 0: current value is ${value}`,
      },
    );
  }
  assert.throws(() => delayed.schedule(() => {}, "5" as never), TypeError);
  assert.throws(() => delayed.schedule(5 as never, 5), {
    name: "TypeError",
    message:
      "Cannot schedule the task as 'fn' must be a function: current value is 5",
  });
  assert.throws(() => delayed.schedule(() => {}, 5, 5 as never), TypeError);
  assert.throws(
    () => delayed.schedule(() => {}, 5, { signal: {} as never }),
    TypeError,
  );
  assert.equal(counted.added, 0);
  assert.equal(delayed.queued, 0);
  clock.runAll();
});

Deno.test("DelayedExecutor.scheduleAt() rejects a time that is not finite", () => {
  const { clock, delayed } = setup();
  for (const value of BAD_NUMBERS) {
    if (Number.isFinite(value)) {
      delayed.scheduleAt(() => {}, value);
      continue;
    }
    assert.throws(() => delayed.scheduleAt(() => {}, value), {
      name: "RangeError",
      message:
        `Cannot schedule the task as 'time' must be finite: current value is ${value}`,
    });
  }
  assert.throws(() => delayed.scheduleAt(null as never, 1), {
    name: "TypeError",
    message:
      "Cannot schedule the task as 'fn' must be a function: current value is null",
  });
  assert.equal(delayed.queued, 3);
  clock.runAll();
  assert.equal(delayed.queued, 0);
});

Deno.test("DelayedExecutor.scheduleRepeating() rejects bad options", () => {
  const { clock, delayed } = setup();
  for (const value of BAD_NUMBERS) {
    if (value === 1.5) {
      delayed.scheduleRepeating(() => {}, { periodMs: value }).cancel();
    } else {
      assert.throws(
        () => delayed.scheduleRepeating(() => {}, { periodMs: value }),
        {
          name: "RangeError",
          message:
            `Cannot schedule the repeating task as 'periodMs' must be a finite number > 0: current value is ${value}`,
        },
      );
    }
    if (value === -1 || Number.isNaN(value) || value === Infinity) {
      assert.throws(
        () =>
          delayed.scheduleRepeating(() => {}, {
            periodMs: 1,
            initialDelayMs: value,
          }),
        {
          name: "RangeError",
          message:
            `Cannot schedule the repeating task as 'initialDelayMs' must be a finite number >= 0: current value is ${value}`,
        },
      );
    }
  }
  assert.throws(
    () =>
      delayed.scheduleRepeating(() => {}, {
        periodMs: 1,
        mode: "fast" as never,
      }),
    {
      name: "TypeError",
      message:
        `Cannot schedule the repeating task as 'mode' must be "fixed-rate" or "fixed-delay": current value is "fast"`,
    },
  );
  const wrong: unknown[] = [
    undefined,
    null,
    { periodMs: "1" },
    { periodMs: 1, onError: 1 },
    { periodMs: 1, stopOnError: "yes" },
    { periodMs: 1, signal: 1 },
  ];
  for (const options of wrong) {
    assert.throws(
      () => delayed.scheduleRepeating(() => {}, options as never),
      TypeError,
    );
  }
  assert.throws(
    () => delayed.scheduleRepeating(1 as never, { periodMs: 1 }),
    TypeError,
  );
  assert.equal(delayed.queued, 0);
  clock.runAll();
});

Deno.test("DelayedExecutor runs tasks by deadline, equal deadlines in scheduling order", () => {
  const { clock, delayed } = setup();
  const order: string[] = [];
  delayed.schedule(() => order.push("b10"), 10);
  delayed.scheduleAt(() => order.push("a5"), 5);
  delayed.schedule(() => order.push("c10"), 10);
  delayed.scheduleAt(() => {
    order.push("d10");
    // Scheduled for the same instant from a task: runs after the others.
    delayed.schedule(() => order.push("f10"), 0);
  }, 10);
  delayed.schedule(() => order.push("e10"), 10);
  delayed.schedule(() => order.push("g20"), 20);
  clock.tick(10);
  assert.deepEqual(order, ["a5", "b10", "c10", "d10", "e10", "f10"]);
  clock.tick(10);
  assert.equal(order.at(-1), "g20");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor: a time in the past runs on the next turn of the heap", async () => {
  const clock = new VirtualClock({ startMs: 100 });
  const delayed = new DelayedExecutor({ clock });
  const task = delayed.scheduleAt(() => clock.now(), -1);
  assert.equal(task.future.state, "pending");
  clock.tick(0);
  assert.equal(await task.future, 100);
});

Deno.test("DelayedExecutor: 10,000 scheduled tasks hold exactly one host timer", async () => {
  const counting = countingClock();
  const delayed = new DelayedExecutor({ clock: counting.clock });
  let ran = 0;
  for (let i = 0; i < 10_000; i++) delayed.schedule(() => ran++, 1 + i % 100);
  assert.equal(counting.live(), 1);
  assert.equal(counting.armed(), 1);
  assert.equal(counting.inner.pendingTimers, 1);
  // Earlier deadlines move the one timer; they never add one.
  for (let i = 0; i < 100; i++) delayed.schedule(() => ran++, 0.5 - i / 1000);
  assert.equal(counting.live(), 1);
  assert.equal(counting.peak(), 1);
  counting.inner.runAll();
  assert.equal(ran, 10_100);
  assert.equal(counting.live(), 0);
  assert.equal(delayed.queued, 0);
  await flush();
  assert.equal(counting.inner.pendingTimers, 0);
});

Deno.test("ScheduledTask.cancel() before the run removes the timer and rejects the future", async () => {
  const { clock, delayed } = setup();
  let ran = false;
  const task = delayed.schedule(() => (ran = true), 100);
  assert.equal(delayed.queued, 1);
  assert.equal(task.cancel(), true);
  assert.equal(task.cancel(), false);
  assert.equal(delayed.queued, 0);
  assert.equal(task.signal.aborted, true);
  await assert.rejects(task.future, {
    name: "AbortError",
    message: "The scheduled task was cancelled",
  });
  await Promise.resolve();
  assert.equal(clock.pendingTimers, 0);
  clock.tick(100);
  assert.equal(ran, false);
  // A custom reason, and a cancel nobody awaits is not an unhandled rejection.
  const reason = new Error("custom");
  const other = delayed.schedule(() => {}, 5);
  other.cancel(reason);
  assert.equal(other.future.reason, reason);
  await flush();
});

Deno.test("ScheduledTask.cancel() after the run does nothing", async () => {
  const { clock, delayed } = setup();
  const task = delayed.schedule(() => "done", 1);
  clock.tick(1);
  assert.equal(task.cancel(), false);
  assert.equal(await task.future, "done");
  assert.equal(task.runs, 1);
  assert.equal(task.signal.aborted, false);
});

Deno.test("ScheduledTask[Symbol.dispose]() cancels a task that has not run", async () => {
  const { clock, delayed } = setup();
  let ran = false;
  let escaped;
  {
    using task = delayed.schedule(() => (ran = true), 10);
    escaped = task;
  }
  clock.tick(10);
  assert.equal(ran, false);
  await assert.rejects(escaped.future, { name: "AbortError" });
});

Deno.test("ScheduledTask.cancel() while running rejects at once and aborts the signal", async () => {
  const { clock, delayed } = setup();
  const finish = new Completer<string>();
  let inner: AbortSignal | undefined;
  const task = delayed.schedule(({ signal }) => {
    inner = signal;
    return finish.future;
  }, 5);
  clock.tick(5);
  assert.equal(inner!.aborted, false);
  task.cancel("stop");
  assert.equal(inner!.aborted, true);
  assert.equal(inner!.reason, "stop");
  await assert.rejects(task.future, (e) => e === "stop");
  finish.resolve("late");
  await flush();
  assert.equal(task.runs, 0);
  assert.equal(delayed.queued, 0);
});

Deno.test("DelayedExecutor.schedule() rejects with signal.reason and leaves no listener", async () => {
  const { clock, delayed } = setup();
  const counted = countedSignal();
  let ran = 0;
  const a = delayed.schedule(() => ran++, 10, { signal: counted.signal });
  const b = delayed.schedule(() => ran++, 20, { signal: counted.signal });
  clock.tick(10);
  assert.equal(await a.future, 0);
  counted.controller.abort("halt");
  await assert.rejects(b.future, (e) => e === "halt");
  assert.equal(b.signal.reason, "halt");
  clock.tick(10);
  assert.equal(ran, 1);
  assert.equal(counted.live, 0);
  assert.equal(counted.added, counted.removed);
  await Promise.resolve();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor.schedule() with an aborted signal creates no timer and no listener", async () => {
  const { clock, delayed } = setup();
  const counted = countedSignal();
  counted.controller.abort("already");
  const task = delayed.schedule(() => {}, 10, { signal: counted.signal });
  assert.equal(task.future.state, "rejected");
  await assert.rejects(task.future, (e) => e === "already");
  assert.equal(task.signal.reason, "already");
  assert.equal(task.cancel(), false);
  assert.equal(counted.added, 0);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(delayed.queued, 0);
});

Deno.test("DelayedExecutor.schedule() removes its listener after the run", async () => {
  const { clock, delayed } = setup();
  const counted = countedSignal();
  const tasks = [];
  for (let i = 0; i < 100; i++) {
    tasks.push(delayed.schedule(() => i, i, { signal: counted.signal }));
  }
  assert.equal(counted.live, 1);
  clock.runAll();
  await Promise.all(tasks.map((t) => t.future));
  assert.equal(counted.live, 0);
  assert.equal(counted.added, counted.removed);
});

Deno.test("DelayedExecutor.scheduleRepeating() fixed-rate keeps the grid, fixed-delay drifts", async () => {
  const { clock, delayed } = setup();
  const starts: Record<string, number[]> = {
    "fixed-rate": [],
    "fixed-delay": [],
  };
  const tasks = (["fixed-rate", "fixed-delay"] as const).map((mode) =>
    delayed.scheduleRepeating(async () => {
      starts[mode]!.push(clock.now());
      await new Promise<void>((r) => clock.setTimeout(r, 40));
      return mode;
    }, { periodMs: 100, mode })
  );
  await clock.tickAsync(1_000);
  assert.deepEqual(starts["fixed-rate"], [
    100,
    200,
    300,
    400,
    500,
    600,
    700,
    800,
    900,
    1000,
  ]);
  assert.deepEqual(starts["fixed-delay"], [100, 240, 380, 520, 660, 800, 940]);
  assert.equal(await tasks[0]!.future, "fixed-rate");
  assert.equal(tasks[1]!.runs, 7);
  for (const t of tasks) t.cancel();
  await clock.runAllAsync();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor.scheduleRepeating() fixed-rate never overlaps a late run", async () => {
  const { clock, delayed } = setup();
  const spans: [number, number][] = [];
  const task = delayed.scheduleRepeating(async () => {
    const start = clock.now();
    await new Promise<void>((r) => clock.setTimeout(r, 250));
    spans.push([start, clock.now()]);
  }, { periodMs: 100, initialDelayMs: 0 });
  await clock.tickAsync(1_000);
  task.cancel();
  // Due at 0, 100, 200, 300: each starts as soon as the previous ends.
  assert.deepEqual(spans, [[0, 250], [250, 500], [500, 750], [750, 1000]]);
  await clock.runAllAsync();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor.scheduleRepeating() reports failures and keeps going by default", async () => {
  const { clock, delayed } = setup();
  const errors: unknown[] = [];
  let n = 0;
  const task = delayed.scheduleRepeating(() => {
    if (++n % 2 === 1) throw new Error(`run ${n}`);
    return n;
  }, { periodMs: 10, onError: (e) => errors.push(e) });
  clock.tick(50);
  assert.equal(task.runs, 5);
  assert.deepEqual(errors.map((e) => (e as Error).message), [
    "run 1",
    "run 3",
    "run 5",
  ]);
  // The first run failed: the future says so, but is not an unhandled rejection.
  await assert.rejects(task.future, /run 1/);
  task.cancel();
  await Promise.resolve();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor.scheduleRepeating() stops on error with stopOnError", async () => {
  const { clock, delayed } = setup();
  const errors: unknown[] = [];
  const task = delayed.scheduleRepeating(async () => {
    await Promise.resolve();
    if (clock.now() === 30) throw new Error("third");
    return clock.now();
  }, { periodMs: 10, stopOnError: true, onError: (e) => errors.push(e) });
  await clock.runAllAsync();
  assert.equal(clock.now(), 30);
  assert.equal(task.runs, 3);
  assert.equal(errors.length, 1);
  assert.equal(await task.future, 10);
  assert.equal(task.cancel(), false);
  assert.equal(delayed.queued, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor.scheduleRepeating() reports on a microtask without onError", async () => {
  const { clock, delayed } = setup();
  let task;
  const caught = await catchReported(() => {
    task = delayed.scheduleRepeating(() => {
      throw new Error("unhandled run");
    }, { periodMs: 10, stopOnError: true });
    clock.tick(10);
  });
  assert.equal(caught.length, 1);
  assert.equal((caught[0] as Error).message, "unhandled run");
  assert.equal(task!.runs, 1);
  // A throwing onError is reported the same way.
  const caught2 = await catchReported(() => {
    delayed.scheduleRepeating(() => {
      throw new Error("run");
    }, {
      periodMs: 10,
      stopOnError: true,
      onError: () => {
        throw new Error("observer");
      },
    });
    clock.tick(10);
  });
  assert.deepEqual(caught2.map((e) => (e as Error).message), ["observer"]);
});

Deno.test("DelayedExecutor.scheduleRepeating() stops when its signal aborts, even mid-run", async () => {
  const { clock, delayed } = setup();
  const counted = countedSignal();
  const finish = new Completer<void>();
  let inner: AbortSignal | undefined;
  let calls = 0;
  const task = delayed.scheduleRepeating((context) => {
    inner = context.signal;
    return calls++ === 0 ? undefined : finish.future;
  }, { periodMs: 10, signal: counted.signal, initialDelayMs: 0 });
  clock.tick(10);
  assert.equal(task.runs, 1);
  counted.controller.abort("enough");
  assert.equal(inner!.reason, "enough");
  finish.resolve();
  await flush();
  clock.tick(100);
  assert.equal(task.runs, 1);
  assert.equal(counted.live, 0);
  assert.equal(delayed.queued, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor.scheduleRepeating() can be cancelled from its own run", () => {
  const { clock, delayed } = setup();
  const task = delayed.scheduleRepeating(() => {
    if (task.runs === 2) task.cancel();
  }, { periodMs: 5 });
  clock.tick(100);
  assert.equal(task.runs, 2);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor.execute() runs on the clock and reports throws", async () => {
  const { clock, delayed } = setup();
  const order: string[] = [];
  delayed.schedule(() => order.push("due"), 0);
  delayed.execute(() => order.push("executed"));
  assert.deepEqual(order, []);
  const caught = await catchReported(() => {
    delayed.execute(() => {
      throw new Error("exec");
    });
    clock.tick(0);
  });
  assert.deepEqual(order, ["due", "executed"]);
  assert.deepEqual(caught.map((e) => (e as Error).message), ["exec"]);
  assert.throws(() => delayed.execute("x" as never), TypeError);
});

Deno.test("Future.via() runs continuations on a DelayedExecutor's clock", async () => {
  const { clock, delayed } = setup();
  clock.tick(7);
  const at: number[] = [];
  const moved = Future.resolve(1).via(delayed).then((
    x,
  ) => (at.push(clock.now()), x * 2));
  await flush();
  assert.deepEqual(at, []);
  assert.equal(await clock.runUntilSettled(moved), 2);
  assert.deepEqual(at, [7]);
});

Deno.test("DelayedExecutor[Symbol.dispose]() cancels everything and refuses new tasks", async () => {
  const { clock, delayed } = setup();
  const one = delayed.schedule(() => {}, 10);
  const rep = delayed.scheduleRepeating(() => {}, { periodMs: 3 });
  clock.tick(3);
  assert.equal(delayed.queued, 2);
  delayed[Symbol.dispose]();
  assert.equal(delayed.queued, 0);
  await assert.rejects(one.future, { name: "AbortError" });
  assert.equal(rep.runs, 1);
  assert.throws(() => delayed.schedule(() => {}, 1), {
    name: "InvalidStateError",
    message: "Cannot schedule the task as the executor is disposed",
  });
  assert.throws(() => delayed.execute(() => {}), InvalidStateError);
  assert.throws(
    () => delayed.scheduleRepeating(() => {}, { periodMs: 1 }),
    InvalidStateError,
  );
  delayed[Symbol.dispose]();
  await Promise.resolve();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("DelayedExecutor.schedule() aborted through its signal, before or after it is armed, leaves no unhandled rejection", async () => {
  const unhandled = await catchUnhandled(async () => {
    for (const clock of [new VirtualClock(), undefined]) {
      const delayed = new DelayedExecutor({ clock });
      // Aborted before: never armed.
      delayed.schedule(() => {}, 1e9, { signal: AbortSignal.abort("early") });
      // Aborted after it is armed, before its run.
      const late = new AbortController();
      delayed.schedule(() => {}, 1e9, { signal: late.signal });
      late.abort("late");
      // Aborted while it runs.
      const running = new AbortController();
      const gate = new Completer<void>();
      delayed.schedule(() => gate.future, 0, { signal: running.signal });
      if (clock) clock.tick(0);
      else await flush();
      running.abort("running");
      gate.resolve();
      // A repeating task aborted, one failing, and one cancelled by dispose.
      const rep = new AbortController();
      delayed.scheduleRepeating(() => {}, {
        periodMs: 1e9,
        signal: rep.signal,
      });
      rep.abort("repeat");
      delayed.scheduleRepeating(() => {
        throw new Error("to onError");
      }, { periodMs: 1e9, initialDelayMs: 0, onError: () => {} });
      if (clock) clock.tick(0);
      else await flush();
      delayed.schedule(() => {}, 1e9);
      delayed[Symbol.dispose]();
      assert.equal(delayed.queued, 0);
    }
  });
  assert.deepEqual(unhandled, []);
});

Deno.test("ScheduledTask: a one-shot task that fails with nobody watching is reported as unhandled", async () => {
  const { clock, delayed } = setup();
  const unhandled = await catchUnhandled(() => {
    delayed.schedule(() => {
      throw new Error("nobody watches");
    }, 1);
    clock.tick(1);
  });
  assert.deepEqual(unhandled.map((e) => (e as Error).message), [
    "nobody watches",
  ]);
});
