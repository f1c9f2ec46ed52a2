import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DeadlockError,
  Future,
  LoopLimitError,
  VirtualClock,
} from "../../mod.ts";

Deno.test("VirtualClock runs timers by deadline, then by arming order", () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  clock.setTimeout(() => order.push("b30"), 30);
  clock.setTimeout(() => order.push("a10"), 10);
  clock.setTimeout(() => order.push("c30"), 30);
  clock.setTimeout(() => order.push("d0"), 0);
  clock.runAll();
  assert.deepEqual(order, ["d0", "a10", "b30", "c30"]);
  assert.equal(clock.now(), 30);
});

Deno.test("VirtualClock.tick() runs timers scheduled by callbacks within the range", () => {
  const clock = new VirtualClock({ startMs: 100 });
  const at: number[] = [];
  clock.setTimeout(() => {
    at.push(clock.now());
    clock.setTimeout(() => at.push(clock.now()), 0);
    clock.setTimeout(() => at.push(clock.now()), 5);
    clock.setTimeout(() => at.push(clock.now()), 50);
  }, 10);
  assert.equal(clock.tick(20), 120);
  assert.deepEqual(at, [110, 110, 115]);
  assert.equal(clock.pendingTimers, 1);
  clock.tick(40);
  assert.deepEqual(at, [110, 110, 115, 160]);
});

Deno.test("VirtualClock intervals re-arm with a new arming order", () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  const h = clock.setInterval(() => order.push("interval"), 10);
  clock.setTimeout(() => order.push("timeout20"), 20);
  clock.tick(20);
  // The interval re-armed at 10 for 20, after the timeout armed at 0 for 20.
  assert.deepEqual(order, ["interval", "timeout20", "interval"]);
  clock.clearInterval(h);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("VirtualClock.setInterval() raises a period below 1 ms to 1 ms", () => {
  const clock = new VirtualClock();
  let runs = 0;
  const h = clock.setInterval(() => runs++, 0);
  clock.tick(3);
  clock.clearInterval(h);
  assert.equal(runs, 3);
});

Deno.test("VirtualClock.clearTimeout() ignores unknown and spent handles", () => {
  const clock = new VirtualClock();
  const h = clock.setTimeout(() => {}, 1);
  clock.runAll();
  clock.clearTimeout(h);
  clock.clearTimeout(undefined);
  clock.clearTimeout(42);
  clock.clearTimeout({ index: 0 });
  const other = new VirtualClock();
  const mine = clock.setTimeout(() => {}, 5);
  other.clearTimeout(mine);
  assert.equal(clock.pendingTimers, 1);
  clock.clearTimeout(mine);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("VirtualClock.next() runs one timer at a time", () => {
  const clock = new VirtualClock();
  const order: number[] = [];
  clock.setTimeout(() => order.push(1), 5);
  clock.setTimeout(() => order.push(2), 5);
  assert.equal(clock.next(), true);
  assert.deepEqual(order, [1]);
  assert.equal(clock.next(), true);
  assert.equal(clock.next(), false);
  assert.equal(clock.now(), 5);
});

Deno.test("VirtualClock.runAll() turns a runaway interval into LoopLimitError", () => {
  const clock = new VirtualClock({ loopLimit: 50 });
  clock.setInterval(() => {}, 1);
  assert.throws(() => clock.runAll(), (e: unknown) => {
    assert.ok(e instanceof LoopLimitError);
    assert.equal(e.loopLimit, 50);
    assert.match(e.message, /more than 50 timer callbacks ran/);
    return true;
  });
  clock.reset();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("VirtualClock.tick() stops a zero-delay loop at one instant", () => {
  const clock = new VirtualClock({ loopLimit: 20 });
  const again = () => clock.setTimeout(again, 0);
  again();
  assert.throws(() => clock.tick(1), LoopLimitError);
  clock.reset();
});

Deno.test("VirtualClock.tick() propagates a throwing callback at its time", () => {
  const clock = new VirtualClock();
  let later = false;
  clock.setTimeout(() => {
    throw new Error("boom");
  }, 10);
  clock.setTimeout(() => (later = true), 20);
  assert.throws(() => clock.tick(30), /boom/);
  assert.equal(clock.now(), 10);
  assert.equal(later, false);
  clock.tick(20);
  assert.equal(later, true);
});

Deno.test("VirtualClock.tickAsync() lets promise continuations run between timers", async () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  clock.setTimeout(() => {
    order.push("t1");
    Promise.resolve().then(() => order.push("micro after t1"));
    Future.resolve().then(() => order.push("future after t1"));
  }, 10);
  clock.setTimeout(() => order.push("t2"), 10);
  await clock.tickAsync(10);
  assert.deepEqual(order, ["t1", "micro after t1", "future after t1", "t2"]);
});

Deno.test("VirtualClock.tickAsync() runs timers armed by continuations inside the range", async () => {
  const clock = new VirtualClock();
  const sleep = (ms: number) =>
    new Promise<void>((r) => clock.setTimeout(r, ms));
  const at: number[] = [];
  (async () => {
    for (let i = 0; i < 3; i++) {
      await sleep(10);
      at.push(clock.now());
    }
  })();
  await clock.tickAsync(25);
  assert.deepEqual(at, [10, 20]);
  await clock.tickAsync(5);
  assert.deepEqual(at, [10, 20, 30]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("VirtualClock.runUntilSettled() advances until the promise settles", async () => {
  const clock = new VirtualClock();
  const sleep = (ms: number) =>
    new Promise<void>((r) => clock.setTimeout(r, ms));
  const work = (async () => {
    await sleep(100);
    await sleep(200);
    return "done";
  })();
  assert.equal(await clock.runUntilSettled(work), "done");
  assert.equal(clock.now(), 300);
  const failing = (async () => {
    await sleep(5);
    throw new Error("failed on virtual time");
  })();
  await assert.rejects(clock.runUntilSettled(failing), /failed on virtual/);
});

Deno.test("VirtualClock.runUntilSettled() leaves later timers alone", async () => {
  const clock = new VirtualClock();
  clock.setTimeout(() => {}, 1000);
  const p = new Promise<number>((r) => clock.setTimeout(() => r(1), 10));
  assert.equal(await clock.runUntilSettled(p), 1);
  assert.equal(clock.now(), 10);
  assert.equal(clock.pendingTimers, 1);
  clock.reset();
});

Deno.test("VirtualClock.runUntilSettled() throws DeadlockError instead of hanging", async () => {
  const clock = new VirtualClock();
  clock.setTimeout(() => {}, 50);
  await assert.rejects(
    clock.runUntilSettled(new Promise(() => {})),
    (e: unknown) => {
      assert.ok(e instanceof DeadlockError);
      assert.equal(e.pendingTimers, 0);
      assert.match(
        e.message,
        /still pending at virtual time 50 ms, no timer is scheduled, and 1 timer callbacks ran since 0 ms/,
      );
      return true;
    },
  );
});

Deno.test("VirtualClock.runUntilSettled() waits for a tickAsync that the watched code awaits", async () => {
  const clock = new VirtualClock();
  const steps: number[] = [];
  const work = (async () => {
    await new Promise<void>((r) => clock.setTimeout(r, 10));
    steps.push(clock.now());
    await clock.tickAsync(5);
    steps.push(clock.now());
    await new Promise<void>((r) => clock.setTimeout(r, 10));
    return clock.now();
  })();
  assert.equal(await clock.runUntilSettled(work), 25);
  assert.deepEqual(steps, [10, 15]);
  // Once the inner drive is over, a promise nothing settles is a deadlock.
  await assert.rejects(
    clock.runUntilSettled(new Promise(() => {})),
    DeadlockError,
  );
});

Deno.test("VirtualClock.runUntilSettled() that rejects leaves no drive counted", async () => {
  const clock = new VirtualClock();
  const failing = new Promise((_, reject) =>
    clock.setTimeout(() => reject(new Error("late")), 5)
  );
  await assert.rejects(clock.runUntilSettled(failing), /late/);
  await assert.rejects(
    clock.runUntilSettled(new Promise(() => {})),
    DeadlockError,
  );
});

Deno.test("VirtualClock.runAllAsync() runs timers armed after awaits", async () => {
  const clock = new VirtualClock();
  let steps = 0;
  (async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((r) => clock.setTimeout(r, 7));
      steps++;
    }
  })();
  assert.equal(await clock.runAllAsync(), 35);
  assert.equal(steps, 5);
});

Deno.test("VirtualClock validates its arguments", () => {
  const clock = new VirtualClock();
  for (const bad of [-1, NaN, Infinity]) {
    assert.throws(() => clock.tick(bad), {
      name: "RangeError",
      message:
        `Cannot drive the virtual clock as 'ms' must be a finite number >= 0: current value is ${bad}`,
    });
    assert.throws(() => clock.setTimeout(() => {}, bad), RangeError);
    assert.throws(() => clock.setInterval(() => {}, bad), RangeError);
  }
  assert.throws(() => clock.setTimeout("code" as never, 1), {
    name: "TypeError",
    message:
      `Cannot set a timeout as 'callback' must be a function: current value is "code"`,
  });
  for (const bad of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => new VirtualClock({ loopLimit: bad }), {
      name: "RangeError",
      message:
        `Cannot create a VirtualClock as 'loopLimit' must be an integer >= 1: current value is ${bad}`,
    });
  }
  assert.throws(
    () => new VirtualClock({ startMs: NaN }),
    /'startMs' must be finite/,
  );
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("VirtualClock runs random timers in (deadline, arming) order and skips cancelled ones", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          delay: fc.integer({ min: 0, max: 100 }),
          cancel: fc.boolean(),
        }),
        { maxLength: 60 },
      ),
      (specs) => {
        const clock = new VirtualClock();
        const ran: number[] = [];
        const handles = specs.map((s, i) =>
          clock.setTimeout(() => ran.push(i), s.delay)
        );
        specs.forEach((s, i) => s.cancel && clock.clearTimeout(handles[i]));
        clock.runAll();
        const expected = specs.map((s, i) => ({ ...s, i }))
          .filter((s) => !s.cancel)
          .sort((a, b) => a.delay - b.delay || a.i - b.i)
          .map((s) => s.i);
        assert.deepEqual(ran, expected);
        assert.equal(clock.pendingTimers, 0);
      },
    ),
  );
});

Deno.test("VirtualClock async drivers wait for deep promise chains between timers", async () => {
  const clock = new VirtualClock();
  const deep = async (n: number) => {
    for (let i = 0; i < n; i++) await null;
  };
  const work = (async () => {
    await new Promise<void>((r) => clock.setTimeout(r, 10));
    await deep(500);
    await new Promise<void>((r) => clock.setTimeout(r, 10));
    await deep(500);
    return clock.now();
  })();
  assert.equal(await clock.runUntilSettled(work), 20);
  let reached = false;
  clock.setTimeout(async () => {
    await deep(500);
    clock.setTimeout(() => (reached = true), 5);
  }, 1);
  await clock.tickAsync(6);
  assert.equal(reached, true);
});

Deno.test("VirtualClock intervals re-arm after the callback, behind the timers it armed", () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  let n = 0;
  const h = clock.setInterval(() => {
    const mine = ++n;
    order.push(`interval ${mine}`);
    assert.equal(clock.pendingTimers, 1); // itself, while it runs
    clock.setTimeout(() => order.push(`timeout ${mine}`), 10);
    if (mine === 3) clock.clearInterval(h);
  }, 10);
  clock.runAll();
  assert.deepEqual(order, [
    "interval 1",
    "timeout 1",
    "interval 2",
    "timeout 2",
    "interval 3",
    "timeout 3",
  ]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("VirtualClock intervals keep their schedule when the callback throws, and stop on reset", () => {
  const clock = new VirtualClock();
  let runs = 0;
  clock.setInterval(() => {
    runs++;
    throw new Error("interval failed");
  }, 10);
  assert.throws(() => clock.tick(10), /interval failed/);
  assert.equal(clock.pendingTimers, 1);
  assert.throws(() => clock.tick(10), /interval failed/);
  assert.equal(runs, 2);
  clock.setInterval(() => clock.reset(), 5);
  clock.tick(10);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("VirtualClock async drivers drain microtasks between every callback across batches", async () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  for (let i = 0; i < 300; i++) {
    clock.setTimeout(() => {
      order.push(`t${i}`);
      Promise.resolve().then(() => order.push(`m${i}`));
    }, Math.floor(i / 7));
  }
  await clock.runAllAsync();
  assert.equal(order.length, 600);
  for (let i = 0; i < 300; i++) {
    assert.equal(order[2 * i], `t${i}`);
    assert.equal(order[2 * i + 1], `m${i}`);
  }
});

Deno.test("VirtualClock.nextAsync() runs one timer after the microtasks that armed it", async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  Promise.resolve().then(() =>
    clock.setTimeout(() => log.push("armed late"), 5)
  );
  assert.equal(await clock.nextAsync(), true);
  assert.deepEqual(log, ["armed late"]);
  assert.equal(clock.now(), 5);
  assert.equal(await clock.nextAsync(), false);
});

Deno.test("VirtualClock.tickAsync() stops a zero-delay loop at one instant", async () => {
  const clock = new VirtualClock({ loopLimit: 30 });
  const again = () => clock.setTimeout(again, 0);
  again();
  await assert.rejects(clock.tickAsync(1), (e: unknown) => {
    assert.ok(e instanceof LoopLimitError);
    assert.match((e as Error).message, /^Cannot tickAsync as more than 30/);
    return true;
  });
  clock.reset();
});

Deno.test("VirtualClock async drivers reject bad arguments instead of throwing", async () => {
  const clock = new VirtualClock();
  await assert.rejects(clock.tickAsync(-1), RangeError);
  await assert.rejects(clock.runUntilSettled(42 as never), TypeError);
});

Deno.test("VirtualClock.dateNow() and setSystemTime() move wall time apart from virtual time", () => {
  const clock = new VirtualClock({ startMs: 100, startDate: 1_000 });
  assert.equal(clock.dateNow(), 1_000);
  clock.tick(0.5);
  assert.equal(clock.dateNow(), 1_000);
  clock.tick(9.5);
  assert.equal(clock.dateNow(), 1_010);
  clock.setSystemTime(new Date(5_000));
  assert.equal(clock.dateNow(), 5_000);
  assert.equal(clock.now(), 110);
  clock.tick(5);
  assert.equal(clock.dateNow(), 5_005);
  assert.throws(() => clock.setSystemTime("soon" as never), TypeError);
});
