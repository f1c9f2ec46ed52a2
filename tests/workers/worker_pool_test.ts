import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CircuitBreaker,
  constant,
  InvalidStateError,
  mapConcurrent,
  QueueFullError,
  retry,
  timeout,
  VirtualClock,
  WorkerCrashedError,
  WorkerLoadError,
  WorkerPool,
} from "../../mod.ts";
import { countingClock } from "../_counting_clock.ts";
import { BAD_NUMBERS, catchReported, countedSignal } from "../_support.ts";
import {
  BROKEN,
  poolTest,
  TASKS,
  type Tasks,
  until,
  workerThreads,
} from "./_pools.ts";

const CREATE = "Cannot create the WorkerPool as";
const RUN = "Cannot run the task as";

// ------------------------------------------------------------ validation

Deno.test("new WorkerPool() refuses bad numbers with the option named", () => {
  const table: [string, string, (v: number) => unknown][] = [
    ["size", "an integer >= 1", (size) => ({ size })],
    ["minSize", "an integer >= 0", (minSize) => ({ size: 4, minSize })],
    ["idleTimeoutMs", "a finite number >= 0", (idleTimeoutMs) => ({
      idleTimeoutMs,
    })],
    ["maxQueue", "an integer >= 0 or Infinity", (maxQueue) => ({ maxQueue })],
  ];
  for (const [option, constraint, make] of table) {
    for (const value of BAD_NUMBERS) {
      const options = { module: TASKS, ...make(value) as object };
      const valid = (option === "minSize" && value === 0) ||
        (option === "idleTimeoutMs" && (value === 0 || value === 1.5)) ||
        (option === "maxQueue" && (value === 0 || value === Infinity));
      if (valid) {
        new WorkerPool(options);
        continue;
      }
      assert.throws(() => new WorkerPool(options), {
        name: "RangeError",
        message:
          `${CREATE} '${option}' must be ${constraint}: current value is ${value}`,
      });
    }
  }
  assert.throws(() => new WorkerPool({ module: TASKS, size: 2, minSize: 3 }), {
    name: "RangeError",
    message:
      `${CREATE} 'minSize' must be an integer <= size (2): current value is 3`,
  });
});

Deno.test("new WorkerPool() takes an absolute file path for module, as piscina's filename", async () => {
  const cases: [string, string][] = [
    ["/app/tasks.js", "file:///app/tasks.js"],
    ["/app/my tasks#1?.js", "file:///app/my%20tasks%231%3F.js"],
    ["/app/100%.js", "file:///app/100%25.js"],
    ["C:\\app\\tasks.js", "file:///C:/app/tasks.js"],
    ["d:/app/tasks.js", "file:///d:/app/tasks.js"],
    ["\\\\server\\share\\tasks.js", "file://server/share/tasks.js"],
    ["file:///app/tasks.js", "file:///app/tasks.js"],
  ];
  for (const [module, href] of cases) {
    await using pool = new WorkerPool({ module });
    assert.equal(pool.module, href, module);
  }
  const path = decodeURIComponent(TASKS.pathname);
  await using pool = new WorkerPool<Tasks>({ module: path, size: 1 });
  assert.equal(pool.module, TASKS.href);
  assert.equal(await pool.run("add1", 1), 2);
});

Deno.test("new WorkerPool() refuses options of the wrong type", () => {
  const cases: [unknown, string][] = [
    [
      undefined,
      `'options' must be an options object: current value is undefined`,
    ],
    [{}, `'module' must be a URL or a string: current value is undefined`],
    [
      { module: "./tasks.ts" },
      `'module' must be an absolute URL or file path: current value is "./tasks.ts"`,
    ],
    [
      { module: TASKS, size: "2" },
      `'size' must be a number: current value is "2"`,
    ],
    [
      { module: TASKS, abort: "kill" },
      `'abort' must be "signal" or "terminate": current value is "kill"`,
    ],
    [
      { module: TASKS, clock: {} },
      `'clock.now' must be a function: current value is undefined`,
    ],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new WorkerPool(options as never), {
      name: "TypeError",
      message: `${CREATE} ${message}`,
    });
  }
  assert.throws(
    () => new WorkerPool(new AbortController().signal as never),
    /pass \{ signal \}/,
  );
});

poolTest(
  "WorkerPool.run() rejects bad arguments, never throws, starts nothing",
  async (open) => {
    const pool = open();
    const bad: [unknown[], string, string][] = [
      [[42], "TypeError", `'name' must be a string: current value is 42`],
      [
        ["add1", 1, { priority: NaN }],
        "RangeError",
        `'priority' must be finite: current value is NaN`,
      ],
      [
        ["add1", 1, { timeoutMs: -1 }],
        "RangeError",
        `'timeoutMs' must be a finite number >= 0: current value is -1`,
      ],
      [
        ["add1", 1, { transfer: "x" }],
        "TypeError",
        `'transfer' must be an array: current value is "x"`,
      ],
      [
        ["add1", 1, { abort: "now" }],
        "TypeError",
        `'abort' must be "signal" or "terminate": current value is "now"`,
      ],
      [
        ["add1", 1, { signal: "s" }],
        "TypeError",
        `'signal' must be an AbortSignal: current value is "s"`,
      ],
      [
        ["add1", 1, 7],
        "TypeError",
        `'options' must be an options object: current value is 7`,
      ],
    ];
    for (const [args, name, message] of bad) {
      const call = () =>
        (pool.run as (...a: unknown[]) => Promise<unknown>)(...args);
      let result: Promise<unknown> | undefined;
      assert.doesNotThrow(() => (result = call()));
      await assert.rejects(result!, { name, message: `${RUN} ${message}` });
    }
    await assert.rejects(
      pool.run("add1", 1, new AbortController().signal as never),
      /pass \{ signal \}/,
    );
    assert.equal(pool.stats.workers, 0);
    assert.equal(pool.stats.failed, 0);
  },
);

poolTest(
  "WorkerPool.run() rejects with the reason of an aborted signal, starting no worker",
  async (open) => {
    const pool = open();
    const reason = new Error("not wanted");
    const result = pool.run("add1", 1, { signal: AbortSignal.abort(reason) });
    await assert.rejects(result, (e) => e === reason);
    assert.equal(pool.stats.workers, 0);
  },
);

Deno.test("WorkerPool.resize() refuses a bad size", async () => {
  await using pool = new WorkerPool({ module: TASKS, size: 1 });
  for (const value of BAD_NUMBERS) {
    assert.throws(() => pool.resize(value), {
      name: "RangeError",
      message:
        `Cannot resize the WorkerPool as 'size' must be an integer >= 1: current value is ${value}`,
    });
  }
});

// ------------------------------------------------------------- results

poolTest(
  "WorkerPool.run() resolves with the task's result, cloned",
  async (open) => {
    const pool = open({ size: 2 });
    assert.equal(await pool.run("add1", 41), 42);
    assert.equal(await pool.run("ping"), "pong");
    const value = { a: [1, 2], d: new Date(0), m: new Map([[1, "x"]]) };
    assert.deepEqual(await pool.run("echo", value), value);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() rejects with the task's error rebuilt: name, message, stack, cause, fields",
  async (open) => {
    const pool = open();
    const error = (await pool.run("fail", "bad input").catch((e) => e)) as
      & Error
      & { code?: string };
    assert.equal(error.code, "E_INVALID");
    assert.ok(error instanceof Error);
    assert.equal(error.name, "ValidationError");
    assert.equal(error.message, "bad input");
    assert.match(error.stack ?? "", /worker_tasks\.(ts|js)/);
    assert.ok(error.cause instanceof RangeError);
    assert.equal(error.cause.message, "out of range");
    // A rejection that is not an error arrives as it was.
    assert.equal(await pool.run("reject", 42).catch((e) => e), 42);
    assert.deepEqual(await pool.run("reject", { why: "x" }).catch((e) => e), {
      why: "x",
    });
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() rejects an unknown task name with a TypeError, before and after the module loaded",
  async (open) => {
    const pool = open() as unknown as WorkerPool;
    const message = (name: string) =>
      `${RUN} 'name' must be the name of a function exported by ${TASKS.href}: current value is "${name}"`;
    // Before the module loaded: the worker refuses them.
    const early = [pool.run("nope"), pool.run("version")];
    assert.equal(pool.queued, 2);
    await assert.rejects(early[0]!, {
      name: "TypeError",
      message: message("nope"),
    });
    await assert.rejects(early[1]!, {
      name: "TypeError",
      message: message("version"),
    });
    // Now the names are known: refused at once, without a round trip.
    const late = pool.run("nope");
    assert.equal(pool.queued, 0);
    await assert.rejects(late, { name: "TypeError", message: message("nope") });
    assert.equal(await pool.run("add1", 1), 2);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() rejects an argument or a result that cannot be cloned with a DataCloneError, and only that task",
  async (open) => {
    const pool = open();
    await pool.run("ping");
    pool.pause();
    const before = pool.run("add1", 1);
    const bad = pool.run("echo", () => 1);
    const after = pool.run("add1", 2);
    pool.resume();
    await assert.rejects(bad, { name: "DataCloneError" });
    assert.deepEqual(await Promise.all([before, after]), [2, 3]);
    await assert.rejects(pool.run("uncloneable"), { name: "DataCloneError" });
    assert.equal(await pool.run("add1", 3), 4);
    assert.equal(pool.stats.workers, 1);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() transfers the argument's buffers, and transferResult() the result's",
  async (open) => {
    const pool = open();
    const buffer = new ArrayBuffer(16);
    assert.equal(
      await pool.run("byteLength", buffer, { transfer: [buffer] }),
      16,
    );
    assert.equal(buffer.byteLength, 0); // moved, not copied
    const bytes = await pool.run("fill", 4);
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual([...bytes], [7, 7, 7, 7]);
    await pool.close();
  },
);

// ------------------------------------------------------- order, batching

poolTest(
  "WorkerPool.run() runs waiting tasks by priority, then in run order",
  async (open) => {
    const pool = open();
    await pool.run("ping");
    pool.pause();
    const order: string[] = [];
    const task = (label: string, priority?: number) =>
      pool.run("echo", label, priority === undefined ? undefined : { priority })
        .then(() => order.push(label));
    const all = [
      task("low", -1),
      task("normal 1"),
      task("urgent", 5),
      task("normal 2"),
      task("high", 1),
    ];
    assert.equal(pool.queued, 5);
    pool.resume();
    await Promise.all(all);
    assert.deepEqual(order, ["urgent", "high", "normal 1", "normal 2", "low"]);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() returns many small tasks in order, batched, with every result right",
  async (open) => {
    const pool = open({ size: 2 });
    const n = 5000;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => pool.run("add1", i)),
    );
    assert.deepEqual(results, Array.from({ length: n }, (_, i) => i + 1));
    const stats = pool.stats;
    assert.equal(stats.completed, n);
    assert.equal(stats.runTime.count, n);
    assert.equal(stats.waitTime.count, n);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() sends a lone task at once, whatever came before",
  async (open) => {
    const pool = open();
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => pool.run("add1", i)),
    );
    // The pool has learnt that tasks are small; a lone task still goes alone.
    const lone = pool.run("add1", 1);
    await Promise.resolve(); // the dispatch microtask queued by run()
    assert.equal(pool.running, 1);
    assert.equal(await lone, 2);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() works unchanged with mapConcurrent, retry, timeout and CircuitBreaker",
  async (open) => {
    const pool = open({ size: 2 });
    const mapped = await mapConcurrent(
      [1, 2, 3, 4],
      (x, _i, signal) => pool.run("add1", x, { signal }),
      { concurrency: 2 },
    );
    assert.deepEqual(mapped, [2, 3, 4, 5]);

    let attempts = 0;
    const retried = await retry(() => {
      attempts++;
      return attempts === 1
        ? pool.run("reject", new Error("flaky"))
        : pool.run("ping");
    }, { maxAttempts: 2, backoff: constant(0) });
    assert.equal(retried, "pong");
    assert.equal(attempts, 2);

    // timeout() aborts the task's signal: the task sees it in its worker.
    const clock = new VirtualClock();
    const limited = timeout(
      (signal) => pool.run("waitForAbort", null, { signal }),
      100,
      { clock },
    );
    await until(() => pool.running === 1, "the task runs");
    clock.tick(100);
    await assert.rejects(limited, { name: "TimeoutError" });
    await until(() => pool.running === 0, "the worker saw the abort");

    const breaker = new CircuitBreaker();
    assert.equal(await breaker.execute(() => pool.run("add1", 1)), 2);
    await pool.close();
  },
);

// ---------------------------------------------------------------- aborts

poolTest(
  "WorkerPool.run() removes a waiting task when its signal aborts, leaving no listener",
  async (open) => {
    const pool = open();
    pool.pause();
    const counted = countedSignal();
    const reason = new Error("changed my mind");
    const task = pool.run("add1", 1, { signal: counted.signal });
    assert.equal(pool.queued, 1);
    counted.controller.abort(reason);
    await assert.rejects(task, (e) => e === reason);
    assert.equal(pool.queued, 0);
    assert.equal(counted.live, 0);
    pool.resume();
    assert.equal(pool.stats.workers, 0); // nothing left to start one for
  },
);

poolTest(
  "WorkerPool.run() aborts a running task's signal inside the worker (abort: signal)",
  async (open) => {
    const pool = open();
    const counted = countedSignal();
    const reason = new DOMException("stop now", "AbortError");
    const task = pool.run("waitForAbort", null, { signal: counted.signal });
    await until(() => pool.running === 1, "the task runs");
    counted.controller.abort(reason);
    await assert.rejects(task, (e) => e === reason); // unchanged, at once
    assert.equal(counted.live, 0);
    // The same worker saw the abort and took the next task.
    assert.equal(await pool.run("lastAbort"), "AbortError: stop now");
    assert.equal(pool.stats.failed, 1);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() terminates and replaces the worker of an aborted task (abort: terminate)",
  async (open) => {
    const pool = open({ size: 2 });
    const controller = new AbortController();
    const stuck = pool.run("spin", undefined, {
      signal: controller.signal,
      abort: "terminate",
    });
    const other = pool.run("add1", 1);
    assert.equal(await other, 2);
    await until(() => pool.running === 1, "spin runs");
    controller.abort("enough");
    await assert.rejects(stuck, (e) => e === "enough");
    assert.equal(pool.running, 0);
    assert.equal(pool.stats.workers, 2); // replaced: the pool keeps its size
    const sums = await Promise.all([1, 2, 3].map((x) => pool.run("add1", x)));
    assert.deepEqual(sums, [2, 3, 4]);
    await pool.close();
  },
);

poolTest(
  'new WorkerPool({ abort: "terminate" }) makes it the default; run\'s option overrides it',
  async (open) => {
    const pool = open({ abort: "terminate" });
    const controller = new AbortController();
    const stuck = pool.run("spin", undefined, { signal: controller.signal });
    await until(() => pool.running === 1, "spin runs");
    controller.abort();
    await assert.rejects(stuck, { name: "AbortError" });
    const polite = new AbortController();
    const waiting = pool.run("waitForAbort", null, {
      signal: polite.signal,
      abort: "signal",
    });
    await until(() => pool.running === 1, "waitForAbort runs");
    polite.abort(new Error("polite"));
    await assert.rejects(waiting, /polite/);
    assert.equal(await pool.run("lastAbort"), "Error: polite");
    await pool.close();
  },
);

// -------------------------------------------------------------- timeouts

poolTest(
  "WorkerPool.run() times out on the pool's clock, aborting the task in its worker",
  async (open) => {
    const clock = new VirtualClock();
    const pool = open({ clock });
    const task = pool.run("waitForAbort", null, { timeoutMs: 100 });
    await until(() => pool.running === 1, "the task runs");
    clock.tick(99);
    assert.equal(task.state, "pending");
    clock.tick(1);
    await assert.rejects(task, {
      name: "TimeoutError",
      message: "The operation timed out after 100 ms",
    });
    assert.equal(
      await pool.run("lastAbort"),
      "TimeoutError: The operation timed out after 100 ms",
    );
    assert.equal(clock.pendingTimers, 0);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() times out a task that ignores its signal by replacing its worker (abort: terminate)",
  async (open) => {
    const clock = new VirtualClock();
    const pool = open({ clock });
    const task = pool.run("spin", undefined, {
      timeoutMs: 50,
      abort: "terminate",
    });
    await until(() => pool.running === 1, "spin runs");
    clock.tick(50);
    await assert.rejects(task, { name: "TimeoutError" });
    assert.equal(await pool.run("add1", 1), 2);
    assert.equal(pool.stats.workers, 1);
    assert.equal(clock.pendingTimers, 0);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.run() clears a task's timer once the task settles",
  async (open) => {
    const clock = new VirtualClock();
    const pool = open({ clock });
    assert.equal(await pool.run("add1", 1, { timeoutMs: 1000 }), 2);
    assert.equal(clock.pendingTimers, 0);
    await pool.close();
  },
);

// ------------------------------------------------------ crashes, loading

poolTest(
  "A crashed worker rejects its task with a WorkerCrashedError and is replaced",
  async (open) => {
    const pool = open({ size: 2 });
    await Promise.all([pool.run("ping"), pool.run("ping")]);
    const error = await pool.run("crash", "disk on fire").catch((e) => e);
    assert.ok(error instanceof WorkerCrashedError);
    assert.equal(error.name, "WorkerCrashedError");
    assert.equal(error.exitCode, undefined);
    assert.ok(error.cause instanceof Error);
    assert.match(error.cause.message, /disk on fire/);
    assert.equal(pool.stats.workers, 2);
    assert.deepEqual(
      await Promise.all([pool.run("add1", 1), pool.run("add1", 2)]),
      [2, 3],
    );
    await pool.close();
  },
);

poolTest(
  "A worker that exits rejects its task with a WorkerCrashedError carrying the exit code",
  async (open) => {
    const pool = open();
    const error = await pool.run("exit", 3).catch((e) => e);
    assert.ok(error instanceof WorkerCrashedError);
    // Deno's and Node's exit report 3; a browser's self.close() reports 0.
    assert.equal(error.exitCode, 3);
    assert.equal(await pool.run("add1", 1), 2);
    await pool.close();
  },
);

for (const [task, arg] of [["exit", 3], ["crash", "disk on fire"]] as const) {
  poolTest(
    `A worker that dies (${task}) rejects only its running task: the tasks sent with it run on its replacement`,
    async (open) => {
      const pool = open({ size: 1 });
      // Teach the pool that tasks are small, so it sends them in batches.
      await Promise.all(Array.from({ length: 2000 }, () => pool.run("ping")));
      pool.pause();
      const before = Array.from({ length: 50 }, (_, i) => pool.run("add1", i));
      const dying = task === "exit"
        ? pool.run("exit", arg)
        : pool.run("crash", arg);
      const after = Array.from({ length: 50 }, (_, i) => pool.run("add1", i));
      pool.resume();
      const error = await dying.catch((e) => e);
      assert.ok(error instanceof WorkerCrashedError);
      const settled = await Promise.allSettled([...before, ...after]);
      assert.deepEqual(
        settled.map((s) => s.status === "fulfilled" ? s.value : s.reason.name),
        [...before, ...after].map((_, i) => (i % 50) + 1),
      );
      assert.equal(pool.stats.failed, 1);
      assert.equal(pool.stats.completed, 2100);
      assert.equal(pool.stats.workers, 1);
      await pool.close();
    },
  );
}

poolTest(
  "A module that fails to load rejects every task with a WorkerLoadError, and no worker starts again",
  async (open) => {
    const pool = open({ module: BROKEN, size: 2 }) as unknown as WorkerPool;
    const tasks = [pool.run("never"), pool.run("never"), pool.run("never")];
    const errors = await Promise.all(tasks.map((t) => t.catch((e) => e)));
    for (const error of errors) {
      assert.ok(error instanceof WorkerLoadError);
      assert.equal(error.module, BROKEN.href);
      assert.match((error.cause as Error).message, /broken module/);
    }
    assert.equal(pool.stats.workers, 0);
    await assert.rejects(pool.run("never"), WorkerLoadError);
    assert.equal(pool.stats.workers, 0); // no respawn loop
    assert.equal(pool.stats.failed, 3); // the refused fourth is not counted
    await pool.close();
  },
);

poolTest(
  "A module that does not exist rejects with a WorkerLoadError",
  async (open) => {
    const missing = new URL("../fixtures/no_such_tasks.ts", import.meta.url);
    const pool = open({ module: missing }) as unknown as WorkerPool;
    const error = await pool.run("anything").catch((e) => e);
    assert.ok(error instanceof WorkerLoadError);
    assert.equal(error.module, missing.href);
    assert.equal(pool.stats.workers, 0);
  },
);

// ------------------------------------------------------------- the queue

poolTest(
  "WorkerPool.run() rejects with a QueueFullError past maxQueue",
  async (open) => {
    const pool = open({ maxQueue: 1 });
    const controller = new AbortController();
    const running = pool.run("waitForAbort", null, {
      signal: controller.signal,
    });
    const waiting = pool.run("add1", 1);
    const error = await pool.run("add1", 2).catch((e) => e);
    assert.ok(error instanceof QueueFullError);
    assert.equal(error.maxQueue, 1);
    assert.equal(error.queued, 1);
    assert.equal(error.concurrency, pool.size);
    assert.equal(pool.stats.failed, 0);
    controller.abort();
    await assert.rejects(running, { name: "AbortError" });
    assert.equal(await waiting, 2);
    await pool.close();
  },
);

poolTest(
  "WorkerPool pause() holds tasks back and resume() sends them",
  async (open) => {
    const pool = open();
    pool.pause();
    assert.equal(pool.paused, true);
    const task = pool.run("add1", 1);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(task.state, "pending");
    assert.equal(pool.queued, 1);
    pool.resume();
    assert.equal(pool.paused, false);
    assert.equal(await task, 2);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.onIdle() resolves once nothing is queued or running, and honours its signal",
  async (open) => {
    const pool = open({ size: 2 });
    assert.equal(pool.onIdle().state, "fulfilled");
    for (let i = 0; i < 20; i++) pool.run("add1", i);
    const idle = pool.onIdle();
    assert.equal(idle.state, "pending");
    await idle;
    assert.equal(pool.stats.completed, 20);
    assert.equal(pool.running + pool.queued, 0);

    const counted = countedSignal();
    const controller = new AbortController();
    const blocker = pool.run("waitForAbort", null, {
      signal: controller.signal,
    });
    const waiting = pool.onIdle({ signal: counted.signal });
    counted.controller.abort("gave up");
    await assert.rejects(waiting, (e) => e === "gave up");
    assert.equal(counted.live, 0);
    controller.abort();
    await assert.rejects(blocker, { name: "AbortError" });
    await assert.rejects(pool.onIdle(7 as never), { name: "TypeError" });
    await pool.close();
  },
);

// ----------------------------------------------------------- pool size

poolTest(
  "WorkerPool starts workers on demand, up to size, and keeps them (minSize = size)",
  async (open) => {
    const { clock, inner, armed } = countingClock();
    const pool = open({ size: 2, clock });
    assert.equal(pool.stats.workers, 0);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => pool.run("add1", i)),
    );
    assert.equal(pool.stats.workers, 2);
    // Two idle workers: no timer on the main thread, nothing to tick.
    assert.equal(armed(), 0);
    assert.equal(inner.pendingTimers, 0);
    inner.tick(60_000);
    assert.equal(pool.stats.workers, 2);
    await pool.close();
  },
);

poolTest(
  "WorkerPool stops workers beyond minSize after idleTimeoutMs",
  async (open) => {
    const clock = new VirtualClock();
    const pool = open({ size: 2, minSize: 1, idleTimeoutMs: 1000, clock });
    const controller = new AbortController();
    const a = pool.run("waitForAbort", null, { signal: controller.signal });
    const b = pool.run("waitForAbort", null, { signal: controller.signal });
    await until(() => pool.running === 2, "both tasks run");
    assert.equal(pool.stats.workers, 2);
    controller.abort();
    await Promise.allSettled([a, b]);
    await until(() => pool.running === 0, "both tasks returned");
    clock.tick(999);
    assert.equal(pool.stats.workers, 2);
    clock.tick(1);
    assert.equal(pool.stats.workers, 1);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(await pool.run("add1", 1), 2);
    await pool.close();
  },
);

poolTest(
  "WorkerPool with minSize 0 shrinks to no worker, and starts one again when needed",
  async (open) => {
    const clock = new VirtualClock();
    const pool = open({ size: 2, minSize: 0, idleTimeoutMs: 10, clock });
    const controller = new AbortController();
    const busy = [1, 2].map(() =>
      pool.run("waitForAbort", null, { signal: controller.signal })
    );
    await until(() => pool.running === 2, "both tasks run");
    controller.abort();
    await Promise.allSettled(busy);
    await until(() => pool.running === 0, "both tasks returned");
    clock.tick(10);
    assert.equal(pool.stats.workers, 0);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(await pool.run("add1", 3), 4);
    assert.equal(pool.stats.workers, 1);
    await pool.close();
  },
);

poolTest(
  "WorkerPool.resize() grows and shrinks the pool; busy workers finish first",
  async (open) => {
    const pool = open({ size: 1, minSize: 1 });
    pool.resize(3);
    assert.equal(pool.size, 3);
    const controller = new AbortController();
    const busy = [1, 2, 3].map(() =>
      pool.run("waitForAbort", null, { signal: controller.signal })
    );
    await until(() => pool.running === 3, "three tasks run");
    assert.equal(pool.stats.workers, 3);
    pool.resize(1);
    assert.equal(pool.minSize, 1);
    // Two retire, but finish what they were sent first.
    assert.equal(pool.stats.workers, 3);
    assert.equal(pool.running, 3);
    controller.abort();
    await Promise.allSettled(busy);
    await until(() => pool.running === 0, "the tasks returned");
    assert.equal(pool.stats.workers, 1);
    assert.equal(await pool.run("add1", 1), 2);
    await pool.close();
  },
);

// --------------------------------------------------------- close, stats

poolTest(
  "WorkerPool.close() finishes queued work, refuses new work, and stops every worker",
  async (open) => {
    const pool = open({ size: 2 });
    pool.pause();
    const results = Array.from({ length: 10 }, (_, i) => pool.run("add1", i));
    const closed = pool.close();
    assert.equal(pool.close(), closed);
    await assert.rejects(pool.run("add1", 1), InvalidStateError);
    await closed;
    assert.deepEqual(
      await Promise.all(results),
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    assert.equal(pool.stats.workers, 0);
  },
);

poolTest(
  "WorkerPool.terminate() rejects queued and running tasks with its reason and stops every worker",
  async (open) => {
    const pool = open({ size: 1 });
    const reported = await catchReported(async () => {
      const running = pool.run("spin");
      await until(() => pool.running === 1, "spin runs");
      const queued = pool.run("add1", 1);
      const ignored = pool.run("add1", 2); // nobody awaits it: not reported
      void ignored;
      await pool.terminate(new Error("shutting down"));
      await assert.rejects(running, /shutting down/);
      await assert.rejects(queued, /shutting down/);
    });
    assert.deepEqual(reported, []);
    assert.equal(pool.stats.workers, 0);
    const second = open({ size: 1 });
    const pending = second.run("add1", 1);
    await second.terminate();
    await assert.rejects(pending, { name: "AbortError" });
  },
);

poolTest(
  "WorkerPool[Symbol.asyncDispose]() waits for pending work, then stops the workers",
  async (open) => {
    let pool: WorkerPool<Tasks> | undefined;
    const results: Promise<number>[] = [];
    {
      await using scoped = open({ size: 2 });
      pool = scoped;
      for (let i = 0; i < 100; i++) results.push(scoped.run("add1", i));
    }
    assert.equal(pool.stats.workers, 0);
    assert.equal(pool.stats.completed, 100);
    assert.equal((await Promise.all(results)).length, 100);
  },
);

poolTest(
  "WorkerPool.stats counts, times and measures utilisation",
  async (open) => {
    const pool = open({ size: 2 });
    const empty = pool.stats;
    assert.deepEqual(empty.runTime, {
      count: 0,
      mean: 0,
      min: 0,
      max: 0,
      p50: 0,
      p95: 0,
      p99: 0,
    });
    await Promise.all([
      pool.run("countPrimes", [0, 20_000]),
      pool.run("countPrimes", [0, 20_000]),
    ]);
    await pool.run("fail", "x").catch(() => {});
    const stats = pool.stats;
    assert.equal(stats.workers, 2);
    assert.equal(stats.running, 0);
    assert.equal(stats.queued, 0);
    assert.equal(stats.completed, 2);
    assert.equal(stats.failed, 1);
    assert.equal(stats.runTime.count, 3);
    assert.ok(stats.runTime.max > 0 && stats.runTime.min <= stats.runTime.p50);
    assert.ok(stats.runTime.p50 <= stats.runTime.p99);
    assert.ok(stats.runTime.p99 <= stats.runTime.max);
    assert.equal(stats.waitTime.count, 3);
    assert.ok(stats.utilisation > 0 && stats.utilisation <= 1);
    await pool.close();
  },
);

Deno.test("WorkerPool.close() and terminate() leave no worker thread alive", async () => {
  const before = workerThreads();
  const closing = new WorkerPool<Tasks>({ module: TASKS, size: 2 });
  const terminating = new WorkerPool<Tasks>({ module: TASKS, size: 2 });
  await Promise.all([1, 2, 3, 4].flatMap((x) => [
    closing.run("add1", x),
    terminating.run("add1", x),
  ]));
  assert.equal(closing.stats.workers + terminating.stats.workers, 4);
  const started = before === undefined
    ? undefined
    : [...workerThreads()!].filter((id) => !before.has(id));
  if (started !== undefined) assert.ok(started.length >= 4, "4 threads run");
  await closing.close();
  await terminating.terminate();
  assert.equal(closing.stats.workers + terminating.stats.workers, 0);
  if (started !== undefined) {
    await until(() => {
      const now = workerThreads()!;
      return started.every((id) => !now.has(id));
    }, "the worker threads ended");
  }
});

// ---------------------------------------------------------------- property

poolTest(
  "Every task settles exactly once, with its result or its abort reason, under random aborts",
  async (open) => {
    const pool = open({ size: 2 });
    const spec = fc.record({
      task: fc.constantFrom("add1", "waitForAbort"),
      abort: fc.constantFrom("never", "before", "at once", "later"),
      turns: fc.integer({ min: 0, max: 3 }),
      mode: fc.constantFrom("signal", "terminate"),
      priority: fc.integer({ min: -1, max: 1 }),
    }).filter((s) => s.task === "add1" || s.abort !== "never");
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: 1, maxLength: 8 }),
        async (specs) => {
          const before = pool.stats;
          const settled: number[] = specs.map(() => 0);
          const outcomes: unknown[] = [];
          const reasons = specs.map((_, i) => new Error(`abort ${i}`));
          const signals = specs.map(() => countedSignal());
          const futures = specs.map((s, i) => {
            const { controller, signal } = signals[i]!;
            if (s.abort === "before") controller.abort(reasons[i]);
            const options = {
              signal,
              priority: s.priority,
              abort: s.mode as "signal" | "terminate",
            };
            const future = s.task === "add1"
              ? pool.run("add1", i, options)
              : pool.run("waitForAbort", null, options);
            if (s.abort === "at once") controller.abort(reasons[i]);
            future.then(
              (v) => (settled[i]!++, outcomes[i] = v),
              (e) => (settled[i]!++, outcomes[i] = e),
            );
            return future;
          });
          for (let turn = 0; turn <= 3; turn++) {
            await new Promise((r) => setTimeout(r, 0));
            specs.forEach((s, i) => {
              if (s.abort === "later" && s.turns === turn) {
                signals[i]!.controller.abort(reasons[i]);
              }
            });
          }
          await Promise.allSettled(futures);
          await pool.onIdle();
          await new Promise((r) => setTimeout(r, 0));
          assert.deepEqual(settled, specs.map(() => 1));
          specs.forEach((s, i) => {
            const outcome = outcomes[i];
            if (outcome instanceof Error) assert.equal(outcome, reasons[i]);
            else {
              assert.equal(s.task, "add1");
              assert.equal(outcome, i + 1);
            }
            assert.equal(signals[i]!.live, 0);
          });
          const after = pool.stats;
          const accepted = specs.filter((s) => s.abort !== "before").length;
          assert.equal(
            after.completed + after.failed - before.completed - before.failed,
            accepted,
          );
          assert.equal(after.running + after.queued, 0);
          assert.equal(after.workers <= 2, true);
        },
      ),
      { numRuns: 25 },
    );
    await pool.close();
  },
);
