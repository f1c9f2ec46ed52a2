/**
 * The unhandled-rejection paths (issue 12): every async API of pledge run
 * through its abort, timeout and rejection paths, on a virtual clock. Each
 * path asserts that the caller receives the outcome it was promised (the
 * reason unchanged, the timeout, the error), and handles everything it was
 * handed; so any rejection the host still reports as unhandled (or any
 * error reported on a microtask) is one pledge made internally and nobody
 * received.
 *
 * Plain JavaScript, so that one table serves both runs: the Deno test
 * (tests/misuse/unhandled_test.ts, on the sources) and the Node script
 * (scripts/unhandled_check.mjs, on the built npm package under
 * `--unhandled-rejections=strict`). Each path takes the module to test.
 *
 * @module
 */

/**
 * @typedef {typeof import("../../mod.ts")} Pledge
 * @typedef {{ name: string, run: (p: Pledge) => Promise<void> }} Path
 */

/** @param {unknown} value */
function show(value) {
  if (value instanceof Error || value instanceof DOMException) {
    return `${value.name}: ${value.message}`;
  }
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * Awaits `promise` and asserts it rejects with what `check` accepts.
 *
 * @param {PromiseLike<unknown>} promise
 * @param {(e: unknown) => boolean} check
 * @param {string} what
 * @returns {Promise<void>}
 */
export async function rejects(promise, check, what) {
  let settled;
  try {
    settled = { ok: true, value: await promise };
  } catch (error) {
    settled = { ok: false, value: error };
  }
  if (settled.ok) {
    throw new Error(`${what}: fulfilled with ${show(settled.value)}`);
  }
  if (!check(settled.value)) {
    throw new Error(`${what}: rejected with ${show(settled.value)}`);
  }
}

/**
 * Awaits `promise` and asserts it fulfils with `expected`.
 *
 * @param {PromiseLike<unknown>} promise
 * @param {unknown} expected
 * @param {string} what
 */
export async function fulfils(promise, expected, what) {
  const value = await promise;
  if (!Object.is(value, expected)) {
    throw new Error(
      `${what}: fulfilled with ${show(value)}, not ${show(expected)}`,
    );
  }
}

/** @param {unknown} expected */
const is = (expected) => (/** @type {unknown} */ e) => e === expected;
/** @param {string} name */
const named = (name) => (/** @type {unknown} */ e) =>
  typeof e === "object" && e !== null &&
  /** @type {{ name?: unknown }} */ (e).name === name;
/** @param {Function} C */
const isA = (C) => (/** @type {unknown} */ e) => e instanceof C;

/** Lets microtasks run (a few turns of the host's microtask queue). */
async function turns(n = 5) {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** A task that rejects with `error` once its signal aborts (as fetch does). */
/** @param {AbortSignal} signal */
const untilAborted = (signal) =>
  new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    });
  });

/** A task that rejects with `error` after `ms` on `clock`. */
/**
 * @param {{ setTimeout(cb: () => void, ms: number): unknown }} clock
 * @param {number} ms
 * @param {unknown} error
 */
const failLater = (clock, ms, error) =>
  new Promise((_, reject) => clock.setTimeout(() => reject(error), ms));

/**
 * The paths, one section per area.
 *
 * @returns {Path[]}
 */
export function paths() {
  /** @type {Path[]} */
  const list = [];
  /** @param {string} name @param {(p: Pledge) => Promise<void>} run */
  const path = (name, run) => list.push({ name, run });

  // --- future
  path("Future#wait() aborted: the source rejects later", async (p) => {
    const clock = new p.VirtualClock();
    const source = new p.Completer();
    const controller = new AbortController();
    const reason = new Error("stop");
    const waited = source.future.wait({ signal: controller.signal, clock });
    controller.abort(reason);
    await rejects(waited, is(reason), "wait");
    source.reject(new Error("late"));
    await source.future.then(undefined, () => {});
  });
  path("Future#wait() timed out: the source rejects later", async (p) => {
    const clock = new p.VirtualClock();
    const source = new p.Completer();
    const waited = source.future.wait({ timeoutMs: 10, clock });
    clock.tick(10);
    await rejects(waited, named("TimeoutError"), "wait");
    source.reject(new Error("late"));
    await source.future.then(undefined, () => {});
  });
  path("Future#wait() on a source that rejects", async (p) => {
    const clock = new p.VirtualClock();
    const error = new Error("boom");
    const source = p.Future.reject(error);
    await rejects(source.wait({ timeoutMs: 10, clock }), is(error), "wait");
    await rejects(source, is(error), "source");
  });
  path("Future#wait() with bad options rejects", async (p) => {
    const waited = new p.Completer().future.wait(new AbortController().signal);
    await rejects(waited, isA(TypeError), "wait");
  });

  // --- cancel
  path("delay() aborted while waiting", async (p) => {
    const clock = new p.VirtualClock();
    const controller = new AbortController();
    const waited = p.delay(100, { signal: controller.signal, clock });
    clock.tick(50);
    controller.abort("stop");
    await rejects(waited, is("stop"), "delay");
  });
  path("delay() with an aborted signal, and with a bad ms", async (p) => {
    await rejects(
      p.delay(10, { signal: AbortSignal.abort("x") }),
      is("x"),
      "delay",
    );
    await rejects(p.delay(-1), isA(RangeError), "delay");
  });
  path("abortable() aborted: the promise rejects later", async (p) => {
    const clock = new p.VirtualClock();
    const controller = new AbortController();
    const late = failLater(clock, 10, new Error("late"));
    const waited = p.abortable(late, controller.signal);
    controller.abort("stop");
    await rejects(waited, is("stop"), "abortable");
    clock.tick(10);
    await turns();
  });
  path("timeoutSignal() fires under an abortable wait", async (p) => {
    const clock = new p.VirtualClock();
    const signal = p.timeoutSignal(10, { clock });
    const waited = p.abortable(new Promise(() => {}), signal);
    clock.tick(10);
    await rejects(waited, named("TimeoutError"), "abortable");
  });
  path(
    "CancellationTokenSource.cancelAfter() fires under a delay",
    async (p) => {
      const clock = new p.VirtualClock();
      // No `using`: the same file runs on Node 20.
      const source = new p.CancellationTokenSource({ clock });
      source.cancelAfter(10);
      const waited = p.delay(100, { signal: source.token.signal, clock });
      clock.tick(10);
      await rejects(waited, named("TimeoutError"), "delay");
      source[Symbol.dispose]();
    },
  );

  // --- combinators
  for (const name of ["all", "allSettled", "race", "any"]) {
    path(
      `${name}() over tasks, aborted: every task rejects with the reason`,
      async (p) => {
        const controller = new AbortController();
        const run = p[/** @type {"all"} */ (name)](
          [untilAborted, untilAborted],
          {
            signal: controller.signal,
          },
        );
        controller.abort("stop");
        await rejects(run, is("stop"), name);
      },
    );
  }
  path(
    "all() over tasks: one rejects, the siblings reject once aborted",
    async (p) => {
      const error = new Error("first");
      const run = p.all([
        () => Promise.reject(error),
        untilAborted,
        untilAborted,
      ]);
      await rejects(run, is(error), "all");
      await turns();
    },
  );
  path(
    "race() over tasks: the winner rejects, the losers reject once aborted",
    async (p) => {
      const clock = new p.VirtualClock();
      const error = new Error("first");
      const run = p.race([() => failLater(clock, 1, error), untilAborted]);
      clock.tick(1);
      await rejects(run, is(error), "race");
    },
  );
  path("any() over values: every one rejects", async (p) => {
    const run = p.any([
      Promise.reject(new Error("a")),
      Promise.reject(new Error("b")),
    ]);
    await rejects(run, isA(AggregateError), "any");
  });
  path("raceWithWinner() and anyWithWinner() aborted", async (p) => {
    for (const fn of [p.raceWithWinner, p.anyWithWinner]) {
      const controller = new AbortController();
      const run = fn({ a: untilAborted, b: untilAborted }, {
        signal: controller.signal,
      });
      controller.abort("stop");
      await rejects(run, is("stop"), fn.name);
    }
  });
  path("all() over values: one rejects, another rejects later", async (p) => {
    const clock = new p.VirtualClock();
    const error = new Error("first");
    const later = failLater(clock, 5, new Error("second"));
    await rejects(p.all([Promise.reject(error), later]), is(error), "all");
    clock.tick(5);
    await turns();
  });
  path("combinators given a non-iterable reject", async (p) => {
    for (const name of ["all", "allSettled", "race", "any"]) {
      await rejects(p[/** @type {"all"} */ (name)](5), isA(TypeError), name);
    }
  });
  path("mapConcurrent() aborted while items run", async (p) => {
    const controller = new AbortController();
    const run = p.mapConcurrent(
      [1, 2, 3, 4],
      (_, { signal }) => untilAborted(signal),
      {
        concurrency: 2,
        signal: controller.signal,
      },
    );
    controller.abort("stop");
    await rejects(run, is("stop"), "mapConcurrent");
  });
  path(
    "mapConcurrent() rejects on one item, the others reject later",
    async (p) => {
      const clock = new p.VirtualClock();
      const error = new Error("item");
      const run = p.mapConcurrent(
        [1, 2, 3],
        (n) =>
          n === 1
            ? Promise.reject(error)
            : failLater(clock, n, new Error(`late ${n}`)),
      );
      await rejects(run, is(error), "mapConcurrent");
      clock.runAll();
      await turns();
    },
  );
  path(
    "mapConcurrent({ stopOnError: false }) collects every error",
    async (p) => {
      const run = p.mapConcurrent(
        [1, 2],
        (n) => Promise.reject(new Error(`${n}`)),
        {
          stopOnError: false,
        },
      );
      await rejects(run, isA(AggregateError), "mapConcurrent");
    },
  );
  path("mapConcurrentIterable() aborted while iterating", async (p) => {
    const controller = new AbortController();
    const it = p.mapConcurrentIterable(
      [1, 2, 3],
      (_, { signal }) => untilAborted(signal),
      {
        concurrency: 2,
        signal: controller.signal,
      },
    );
    const next = it.next();
    controller.abort("stop");
    await rejects(next, is("stop"), "next");
    await it.return();
  });
  path("mapConcurrentIterable() left early while items reject", async (p) => {
    const clock = new p.VirtualClock();
    const it = p.mapConcurrentIterable(
      [1, 2, 3],
      (n) => n === 1 ? n : failLater(clock, n, new Error(`late ${n}`)),
      { concurrency: 3 },
    );
    await fulfils(it.next().then((r) => r.value), 1, "next");
    await it.return();
    clock.runAll();
    await turns();
  });
  path("mapConcurrentIterable() yields an item's rejection", async (p) => {
    const error = new Error("item");
    const it = p.mapConcurrentIterable([1, 2], () => Promise.reject(error));
    await rejects(it.next(), is(error), "next");
    await it.return();
  });
  path("sequence() aborted, and a task that rejects", async (p) => {
    const controller = new AbortController();
    const run = p.sequence([untilAborted, untilAborted], {
      signal: controller.signal,
    });
    controller.abort("stop");
    await rejects(run, is("stop"), "sequence");
    const error = new Error("task");
    await rejects(
      p.sequence([() => Promise.reject(error)]),
      is(error),
      "sequence",
    );
  });
  path(
    "reduce() and mapReduce() aborted, and a reducer that throws",
    async (p) => {
      const controller = new AbortController();
      const run = p.reduce(
        [1, 2],
        (_a, _b, { signal }) => untilAborted(signal),
        {
          initial: 0,
          signal: controller.signal,
        },
      );
      controller.abort("stop");
      await rejects(run, is("stop"), "reduce");
      const mapped = new AbortController();
      const mr = p.mapReduce([1, 2], (_, { signal }) => untilAborted(signal), {
        reducer: (a, b) => a + b,
        initial: 0,
        signal: mapped.signal,
      });
      mapped.abort("stop");
      await rejects(mr, is("stop"), "mapReduce");
      const error = new Error("reducer");
      await rejects(
        p.reduce([1, 2], () => {
          throw error;
        }, { initial: 0 }),
        is(error),
        "reduce",
      );
    },
  );
  path("pipeline() aborted mid-stage, and a stage that rejects", async (p) => {
    const controller = new AbortController();
    const run = p.pipeline((_x, signal) => untilAborted(signal))(1, {
      signal: controller.signal,
    });
    controller.abort("stop");
    await rejects(run, is("stop"), "pipeline");
    const error = new Error("stage");
    await rejects(
      p.pipeline(() => Promise.reject(error))(1),
      is(error),
      "pipeline",
    );
    const recovered = p.pipeline(() => Promise.reject(error), {
      onError: () => Promise.reject(new Error("recover failed")),
    })(1);
    await rejects(recovered, named("Error"), "pipeline");
  });
  path("timeout() runs out while the work rejects later", async (p) => {
    const clock = new p.VirtualClock();
    const work = failLater(clock, 20, new Error("late"));
    const run = p.timeout(work, 10, { clock });
    clock.tick(10);
    await rejects(run, named("TimeoutError"), "timeout");
    const task = p.timeout((signal) => untilAborted(signal), 10, { clock });
    clock.tick(10);
    await rejects(task, named("TimeoutError"), "timeout");
    clock.tick(10);
    await turns();
  });
  path("timeout() aborted, and a fallback that rejects", async (p) => {
    const clock = new p.VirtualClock();
    const controller = new AbortController();
    const run = p.timeout((signal) => untilAborted(signal), 10, {
      clock,
      signal: controller.signal,
    });
    controller.abort("stop");
    await rejects(run, is("stop"), "timeout");
    const error = new Error("fallback");
    const fell = p.timeout(new Promise(() => {}), 10, {
      clock,
      fallback: () => Promise.reject(error),
    });
    clock.tick(10);
    await rejects(fell, is(error), "timeout");
    await rejects(p.timeout(5, 10), isA(TypeError), "timeout");
  });
  path(
    "debounce(): cancelled while callers wait, and a function that rejects",
    async (p) => {
      const clock = new p.VirtualClock();
      const error = new Error("fn");
      const debounced = p.debounce(() => Promise.reject(error), 10, { clock });
      const a = debounced();
      const b = debounced();
      debounced.cancel("stop");
      await rejects(a, is("stop"), "a");
      await rejects(b, is("stop"), "b");
      const c = debounced();
      clock.tick(10);
      await rejects(c, is(error), "c");
      const d = debounced();
      const flushed = debounced.flush();
      await rejects(d, is(error), "d");
      await rejects(
        /** @type {PromiseLike<unknown>} */ (flushed),
        is(error),
        "flush",
      );
    },
  );
  path(
    "throttle(): cancelled while callers wait, and a function that rejects",
    async (p) => {
      const clock = new p.VirtualClock();
      const error = new Error("fn");
      const throttled = p.throttle(() => Promise.reject(error), {
        intervalMs: 10,
        clock,
      });
      const first = throttled();
      const queued = throttled();
      throttled.cancel("stop");
      // The call in flight is cancelled too: its own rejection is dropped.
      await rejects(first, is("stop"), "first");
      await rejects(queued, is("stop"), "queued");
      clock.tick(10);
      const next = throttled();
      const again = throttled();
      clock.tick(10);
      await rejects(next, is(error), "next");
      await rejects(again, is(error), "again");
    },
  );

  // --- executors
  path(
    "PooledExecutor.submit(): queued then aborted, running then aborted",
    async (p) => {
      const clock = new p.VirtualClock();
      const pool = new p.PooledExecutor({ concurrency: 1, clock });
      const running = new AbortController();
      const queued = new AbortController();
      const a = pool.submit(({ signal }) => untilAborted(signal), {
        signal: running.signal,
      });
      const b = pool.submit(() => 1, { signal: queued.signal });
      queued.abort("queued");
      running.abort("running");
      await rejects(b, is("queued"), "queued");
      await rejects(a, is("running"), "running");
      await pool.onIdle();
    },
  );
  path(
    "PooledExecutor.submit({ timeoutMs }) times out, the task rejects later",
    async (p) => {
      const clock = new p.VirtualClock();
      const pool = new p.PooledExecutor({ concurrency: 1, clock });
      const run = pool.submit(() => failLater(clock, 20, new Error("late")), {
        timeoutMs: 10,
      });
      clock.tick(10);
      await rejects(run, named("TimeoutError"), "submit");
      clock.tick(10);
      await turns();
      await pool.onIdle();
    },
  );
  path(
    "PooledExecutor: a task rejects, clear() and dispose with queued tasks",
    async (p) => {
      const clock = new p.VirtualClock();
      const pool = new p.PooledExecutor({ concurrency: 1, clock });
      const error = new Error("task");
      const a = pool.submit(() => failLater(clock, 5, error));
      const b = pool.submit(() => 1);
      pool.clear("cleared");
      await rejects(b, is("cleared"), "cleared");
      const c = pool.submit(() => 2);
      const disposed = pool[Symbol.asyncDispose]();
      clock.tick(5);
      await rejects(a, is(error), "task");
      await fulfils(c, 2, "queued before dispose");
      await disposed;
      await rejects(
        pool.submit(() => 3),
        named("InvalidStateError"),
        "after dispose",
      );
    },
  );
  path("PooledExecutor.onIdle() and onEmpty() aborted", async (p) => {
    const clock = new p.VirtualClock();
    const pool = new p.PooledExecutor({ concurrency: 1, clock });
    const gate = new p.Completer();
    const held = pool.submit(() => gate.future);
    pool.submit(() => 1);
    const controller = new AbortController();
    const idle = pool.onIdle({ signal: controller.signal });
    const empty = pool.onEmpty({ signal: controller.signal });
    controller.abort("stop");
    await rejects(idle, is("stop"), "onIdle");
    await rejects(empty, is("stop"), "onEmpty");
    gate.resolve(0);
    await held;
    await pool.onIdle();
  });
  path(
    "DelayedExecutor.schedule() aborted before and after it is armed, cancelled, disposed",
    async (p) => {
      const clock = new p.VirtualClock();
      const delayed = new p.DelayedExecutor({ clock });
      const before = delayed.schedule(() => 1, 10, {
        signal: AbortSignal.abort("before"),
      });
      await rejects(before.future, is("before"), "before");
      const controller = new AbortController();
      const after = delayed.schedule(() => 1, 10, {
        signal: controller.signal,
      });
      controller.abort("after");
      await rejects(after.future, is("after"), "after");
      const cancelled = delayed.schedule(() => 1, 10);
      cancelled.cancel("cancelled");
      await rejects(cancelled.future, is("cancelled"), "cancelled");
      // Unobserved: a cancellation is a requested outcome, not an error.
      delayed.schedule(() => 1, 10, { signal: AbortSignal.abort() });
      const c2 = new AbortController();
      delayed.schedule(() => 1, 10, { signal: c2.signal });
      c2.abort();
      delayed.schedule(() => 1, 10).cancel();
      const pending = delayed.schedule(() => 1, 10);
      delayed[Symbol.dispose]();
      await rejects(pending.future, named("AbortError"), "disposed");
    },
  );
  path(
    "DelayedExecutor: a task that throws, a repeating task that throws",
    async (p) => {
      const clock = new p.VirtualClock();
      const delayed = new p.DelayedExecutor({ clock });
      const error = new Error("task");
      const task = delayed.schedule(() => Promise.reject(error), 10);
      const seen = [];
      const repeating = delayed.scheduleRepeating(() => {
        throw error;
      }, { periodMs: 10, onError: (e) => seen.push(e), stopOnError: true });
      clock.tick(10);
      await rejects(task.future, is(error), "task");
      await rejects(repeating.future, is(error), "repeating");
      if (seen[0] !== error) throw new Error("onError did not see the error");
      const aborted = new AbortController();
      const r2 = delayed.scheduleRepeating(() => 1, {
        periodMs: 10,
        signal: aborted.signal,
      });
      aborted.abort("stop");
      await rejects(r2.future, is("stop"), "repeating aborted");
      // A later run's failure without onError is reported, by design: not here.
    },
  );
  path("submit() aborted, and a task that rejects", async (p) => {
    const controller = new AbortController();
    const run = p.submit(
      p.microtaskExecutor,
      ({ signal }) => untilAborted(signal),
      {
        signal: controller.signal,
      },
    );
    controller.abort("stop");
    await rejects(run, is("stop"), "submit");
    const error = new Error("task");
    await rejects(
      p.submit(p.inlineExecutor, () => Promise.reject(error)),
      is(error),
      "submit",
    );
  });

  // --- loop
  path(
    "VirtualClock.runUntilSettled() on a deadlock, tickAsync() with a bad ms",
    async (p) => {
      const clock = new p.VirtualClock();
      await rejects(
        clock.runUntilSettled(new p.Completer().future),
        named("DeadlockError"),
        "deadlock",
      );
      const error = new Error("x");
      await rejects(
        clock.runUntilSettled(failLater(clock, 5, error)),
        is(error),
        "settled",
      );
      await rejects(clock.tickAsync(-1), isA(RangeError), "tickAsync");
    },
  );
  path(
    "EventLoop.runUntilSettled() on a deadlock, postTask() aborted",
    async (p) => {
      const loop = new p.EventLoop();
      await rejects(
        loop.runUntilSettled(loop.future()),
        named("DeadlockError"),
        "deadlock",
      );
      const controller = new AbortController();
      const posted = loop.postTask(() => 1, {
        signal: controller.signal,
        delay: 10,
      });
      controller.abort("stop");
      await rejects(loop.runUntilSettled(posted), is("stop"), "postTask");
      await rejects(loop.advanceAsync(-1), isA(RangeError), "advanceAsync");
    },
  );
  path(
    "EventLoop.yield() without postTask, and aborted with its postTask task (before and while it waits)",
    async (p) => {
      const node = new p.EventLoop({ profile: "node" });
      await rejects(
        node.runUntilSettled(node.yield()),
        isA(TypeError),
        "yield on node",
      );
      const loop = new p.EventLoop();
      const controller = new AbortController();
      /** @type {unknown[]} */
      const seen = [];
      const posted = loop.postTask(() => {
        // The continuation inherits the task's signal, as in Chromium.
        loop.yield().then(undefined, (e) => seen.push(`waiting: ${e}`));
        controller.abort("stop");
        loop.yield().then(undefined, (e) => seen.push(`after: ${e}`));
      }, { signal: controller.signal });
      await rejects(loop.runUntilSettled(posted), is("stop"), "postTask");
      if (seen.join() !== "waiting: stop,after: stop") {
        throw new Error(`yield: saw ${seen.join()}`);
      }
      const later = new AbortController();
      /** @type {PromiseLike<void> | undefined} */
      let waiting;
      loop.postTask(() => void (waiting = loop.yield()), {
        signal: later.signal,
      });
      loop.step();
      later.abort("late");
      await rejects(loop.runUntilSettled(waiting), is("late"), "yield");
      if (loop.queued !== 0) throw new Error(`${loop.queued} left queued`);
    },
  );
  path(
    "EventLoop: an unhandled simulated rejection and a throwing callback crash the async drives of node and deno, listeners keep html going",
    async (p) => {
      const node = new p.EventLoop({ profile: "node" });
      node.setTimeout(() => void node.rejected("lost"), 1);
      await rejects(node.runAllAsync(), is("lost"), "node rejection");
      const deno = new p.EventLoop({ profile: "deno" });
      const error = new Error("boom");
      deno.setTimeout(() => {
        throw error;
      }, 1);
      await rejects(deno.advanceAsync(5), is(error), "deno error");
      const html = new p.EventLoop({ profile: "html" });
      /** @type {unknown[]} */
      const seen = [];
      // Disposed by hand: plain JavaScript, run by Node 20 too (no `using`).
      const listeners = [
        html.onError((event) => {
          seen.push(event.error);
          event.preventDefault();
        }),
        html.onUnhandledRejection((event) => {
          seen.push(event.error);
          event.preventDefault();
        }),
      ];
      html.setTimeout(() => void html.rejected("lost"), 1);
      html.setTimeout(() => {
        throw error;
      }, 2);
      await fulfils(html.runAllAsync(), 2, "html runAllAsync (the time)");
      for (const listener of listeners) listener[Symbol.dispose]();
      if (seen.length !== 2 || seen[0] !== "lost" || seen[1] !== error) {
        throw new Error(`html: listeners saw ${seen.map(show).join()}`);
      }
    },
  );
  path(
    "EventLoop.messageChannel(): a throwing listener crashes the node drive, messages to a closed port are dropped",
    async (p) => {
      const loop = new p.EventLoop({ profile: "node" });
      const error = new Error("listener");
      const { port1, port2 } = loop.messageChannel();
      port1.onmessage = () => {
        throw error;
      };
      port2.postMessage("x");
      await rejects(loop.runAllAsync(), is(error), "message listener");
      port1.close();
      port2.postMessage("dropped");
      await fulfils(loop.runAllAsync(), 0, "after close (the time)");
    },
  );
  path(
    "EventLoop.abortSignalTimeout() times out a postTask() and a delay() on the loop",
    async (p) => {
      const loop = new p.EventLoop({ profile: "html" });
      const signal = loop.abortSignalTimeout(10);
      const posted = loop.postTask(() => 1, { delay: 50, signal });
      const delayed = rejects(
        p.delay(50, { clock: loop, signal }),
        named("TimeoutError"),
        "delay",
      );
      await rejects(
        loop.runUntilSettled(posted),
        named("TimeoutError"),
        "postTask",
      );
      await delayed;
      if (loop.pendingTimers !== 0) throw new Error("a timer is left");
    },
  );
  path(
    "PriorityScheduler.post() aborted, cancelled, and a task that throws",
    async (p) => {
      const clock = new p.VirtualClock();
      const scheduler = new p.PriorityScheduler({ clock });
      const controller = new AbortController();
      const aborted = scheduler.post(() => 1, {
        signal: controller.signal,
        delayMs: 10,
      });
      controller.abort("stop");
      await rejects(aborted.future, is("stop"), "aborted");
      const cancelled = scheduler.post(() => 1);
      cancelled.cancel("cancelled");
      await rejects(cancelled.future, is("cancelled"), "cancelled");
      scheduler.post(() => 1).cancel(); // unobserved: a requested outcome
      const error = new Error("task");
      const thrown = scheduler.post(() => {
        throw error;
      });
      clock.runAll();
      await rejects(thrown.future, is(error), "thrown");
      scheduler[Symbol.dispose]();
    },
  );

  // --- resilience
  path(
    "retry() aborted during backoff, exhausted, and given a bad option",
    async (p) => {
      const clock = new p.VirtualClock();
      const controller = new AbortController();
      const error = new Error("flaky");
      const run = p.retry(() => Promise.reject(error), {
        backoff: 100,
        clock,
        signal: controller.signal,
      });
      await turns(20);
      clock.tick(50);
      controller.abort("stop");
      await rejects(run, is("stop"), "aborted");
      const exhausted = p.retry(() => Promise.reject(error), {
        backoff: 1,
        maxAttempts: 3,
        clock,
      });
      await rejects(
        clock.runUntilSettled(exhausted),
        (e) => e === error || e instanceof p.RetryError,
        "exhausted",
      );
      await rejects(
        p.retry(() => 1, { maxAttempts: 0 }),
        isA(RangeError),
        "bad option",
      );
    },
  );
  path("retryPolicy().execute() aborted during backoff", async (p) => {
    const clock = new p.VirtualClock();
    const policy = p.retryPolicy({ backoff: 100, clock });
    const controller = new AbortController();
    const run = policy.execute(() => Promise.reject(new Error("flaky")), {
      signal: controller.signal,
    });
    await turns(20);
    controller.abort("stop");
    await rejects(run, is("stop"), "aborted");
  });
  for (const mode of ["aggressive", "cooperative"]) {
    path(
      `timeoutPolicy(${mode}) times out, the work rejects later; aborted`,
      async (p) => {
        const clock = new p.VirtualClock();
        const policy = p.timeoutPolicy(10, { mode, clock });
        const run = policy.execute(({ signal }) =>
          mode === "aggressive"
            ? failLater(clock, 20, new Error("late"))
            : untilAborted(signal)
        );
        await turns(); // the timer is armed once the work is still pending
        clock.tick(10);
        await rejects(run, named("TimeoutError"), "timed out");
        clock.tick(10);
        await turns();
        const controller = new AbortController();
        const aborted = policy.execute(({ signal }) => untilAborted(signal), {
          signal: controller.signal,
        });
        controller.abort("stop");
        await rejects(aborted, is("stop"), "aborted");
      },
    );
  }
  path("fallbackPolicy(): the fallback rejects; aborted", async (p) => {
    const error = new Error("fallback");
    const policy = p.fallbackPolicy(() => Promise.reject(error));
    await rejects(
      policy.execute(() => Promise.reject(new Error("x"))),
      is(error),
      "fallback",
    );
    const controller = new AbortController();
    const run = p.fallbackPolicy(0).execute(
      ({ signal }) => untilAborted(signal),
      {
        signal: controller.signal,
      },
    );
    controller.abort("stop");
    await rejects(run, is("stop"), "aborted");
  });
  path(
    "hedgePolicy(): every attempt rejects; the losers reject after a win; aborted",
    async (p) => {
      const clock = new p.VirtualClock();
      const policy = p.hedgePolicy({ delayMs: 10, maxHedges: 2, clock });
      let n = 0;
      const all = policy.execute(() =>
        failLater(clock, 15, new Error(`attempt ${++n}`))
      );
      clock.runAll();
      await rejects(all, named("Error"), "every attempt");
      let m = 0;
      const won = policy.execute(({ signal }) =>
        ++m === 2 ? Promise.resolve("second") : untilAborted(signal)
      );
      clock.tick(10);
      await fulfils(won, "second", "won");
      const controller = new AbortController();
      const aborted = policy.execute(({ signal }) => untilAborted(signal), {
        signal: controller.signal,
      });
      clock.tick(10);
      controller.abort("stop");
      await rejects(aborted, is("stop"), "aborted");
    },
  );
  path(
    "CircuitBreaker: a call rejects, the open circuit refuses, a call is aborted",
    async (p) => {
      const clock = new p.VirtualClock();
      const breaker = new p.CircuitBreaker({
        strategy: new p.ConsecutiveFailuresStrategy({ threshold: 1 }),
        clock,
      });
      const error = new Error("down");
      await rejects(
        breaker.execute(() => Promise.reject(error)),
        is(error),
        "failure",
      );
      await rejects(breaker.execute(() => 1), isA(p.CircuitOpenError), "open");
      breaker.reset();
      const controller = new AbortController();
      const run = breaker.execute(({ signal }) => untilAborted(signal), {
        signal: controller.signal,
      });
      controller.abort("stop");
      await rejects(run, is("stop"), "aborted");
    },
  );
  path(
    "Bulkhead: a full queue refuses, a queued call is aborted, a call rejects",
    async (p) => {
      const bulkhead = new p.Bulkhead({ concurrency: 1, maxQueue: 1 });
      const gate = new p.Completer();
      const error = new Error("call");
      const running = bulkhead.execute(() => gate.future);
      const controller = new AbortController();
      const queued = bulkhead.execute(() => 1, { signal: controller.signal });
      await rejects(
        bulkhead.execute(() => 1),
        isA(p.BulkheadRejectedError),
        "full",
      );
      controller.abort("stop");
      await rejects(queued, is("stop"), "queued");
      gate.reject(error);
      await rejects(running, is(error), "running");
    },
  );
  path(
    "RateLimiter: acquire() aborted, execute() refused in reject mode, execute() aborted",
    async (p) => {
      const clock = new p.VirtualClock();
      const limiter = new p.RateLimiter({ limit: 1, intervalMs: 100, clock });
      await limiter.acquire();
      const controller = new AbortController();
      const waiting = limiter.acquire({ signal: controller.signal });
      const executing = limiter.execute(() => 1, { signal: controller.signal });
      controller.abort("stop");
      await rejects(waiting, is("stop"), "acquire");
      await rejects(executing, is("stop"), "execute");
      const refusing = new p.RateLimiter({
        limit: 1,
        intervalMs: 100,
        mode: "reject",
        clock,
      });
      await refusing.execute(() => 1);
      await rejects(
        refusing.execute(() => 1),
        isA(p.RateLimitedError),
        "refused",
      );
    },
  );
  storePaths(path);
  path(
    "wrap(retry, timeout): times out on every attempt; aborted",
    async (p) => {
      const clock = new p.VirtualClock();
      const policy = p.wrap(
        p.retryPolicy({ maxAttempts: 2, backoff: 1, clock }),
        p.timeoutPolicy(10, { clock }),
      );
      const run = policy.execute(() => failLater(clock, 20, new Error("late")));
      await rejects(
        clock.runUntilSettled(run),
        (e) => named("TimeoutError")(e) || e instanceof p.RetryError,
        "timed out",
      );
      const controller = new AbortController();
      const aborted = policy.execute(({ signal }) => untilAborted(signal), {
        signal: controller.signal,
      });
      controller.abort("stop");
      await rejects(aborted, is("stop"), "aborted");
      clock.runAll();
      await turns();
    },
  );

  // --- workers (real workers, on a task module given as a data: URL)
  path(
    "WorkerPool.run(): aborted, timed out, a task that throws, terminate()",
    async (p) => {
      const clock = new p.VirtualClock();
      const pool = new p.WorkerPool({ module: WORKER_TASKS, size: 2, clock });
      try {
        const controller = new AbortController();
        const aborted = pool.run("waitForAbort", 0, {
          signal: controller.signal,
        });
        const timed = pool.run("waitForAbort", 0, { timeoutMs: 10 });
        await until(() => pool.running === 2);
        controller.abort("stop");
        clock.tick(10);
        await rejects(aborted, is("stop"), "aborted");
        await rejects(timed, named("TimeoutError"), "timed out");
        await rejects(
          pool.run("fail", "task"),
          (e) =>
            isA(TypeError)(e) && /** @type {Error} */ (e).message === "task",
          "thrown",
        );
        const running = pool.run("forever", 0, { abort: "terminate" });
        const queued = [pool.run("forever", 0), pool.run("forever", 0)];
        await until(() => pool.running === 2);
        await pool.terminate("gone");
        await rejects(running, is("gone"), "running at terminate");
        for (const q of queued) {
          await rejects(
            q,
            is("gone"),
            "queued at terminate",
          );
        }
        await rejects(
          pool.run("fail", "late"),
          named("InvalidStateError"),
          "after terminate",
        );
      } finally {
        await pool.terminate();
      }
    },
  );
  path(
    "WorkerPool: run() aborted while queued, onIdle() aborted, close()",
    async (p) => {
      const pool = new p.WorkerPool({ module: WORKER_TASKS, size: 1 });
      try {
        const held = new AbortController();
        const running = pool.run("waitForAbort", 0, { signal: held.signal });
        const controller = new AbortController();
        const queued = pool.run("waitForAbort", 0, {
          signal: controller.signal,
        });
        const idle = pool.onIdle({ signal: controller.signal });
        controller.abort("stop");
        await rejects(queued, is("stop"), "queued");
        await rejects(idle, is("stop"), "onIdle");
        held.abort("done");
        await rejects(running, is("done"), "running");
        await pool.close();
        await rejects(
          pool.run("fail", "late"),
          named("InvalidStateError"),
          "after close",
        );
      } finally {
        await pool.terminate();
      }
    },
  );
  return list;
}

// --- resilience on a store that fails

/** The ways a store fails, beside answering. */
const STORE_FAILURES = ["reject", "throw", "hang", "nonsense"];
/** The policies' time limit of a store call in these paths. */
const STORE_MS = 50;

/**
 * A store over `inner` (a `MemoryStore`) that answers as `behaviour` says:
 * `"ok"` passes the call on; `"reject"`, `"throw"`, `"nonsense"` (a reply
 * of the wrong shape); `"hang"` answers nothing until `release()`, which
 * then rejects (a failure the policy no longer waits for).
 *
 * @param {import("../../mod.ts").FleetStore} inner
 */
function flakyStore(inner) {
  /** @type {(() => void)[]} */
  const hanging = [];
  /** @template T @param {() => Promise<T>} real @returns {Promise<T>} */
  const answer = (real) => {
    switch (store.behaviour) {
      case "reject":
        return Promise.reject(new Error("store down"));
      case "throw":
        throw new Error("store broken");
      case "nonsense":
        return Promise.resolve(/** @type {T} */ ({ granted: "yes" }));
      case "hang":
        return new Promise((_, reject) =>
          hanging.push(() => reject(new Error("late failure")))
        );
      default:
        return real();
    }
  };
  const store = {
    behaviour: "ok",
    release() {
      for (const settle of hanging.splice(0)) settle();
    },
    /** @type {import("../../mod.ts").FleetStore["takeTokens"]} */
    takeTokens: (key, request) => answer(() => inner.takeTokens(key, request)),
    /** @type {import("../../mod.ts").FleetStore["updateCircuit"]} */
    updateCircuit: (key, command) =>
      answer(() => inner.updateCircuit(key, command)),
    /** @type {import("../../mod.ts").FleetStore["updateBudget"]} */
    updateBudget: (key, request) =>
      answer(() => inner.updateBudget(key, request)),
  };
  return store;
}

/**
 * @typedef {{
 *   call(signal?: AbortSignal): Promise<unknown>,
 *   failed(outcome: Promise<unknown>, what: string): Promise<void>,
 *   recovered(outcome: Promise<unknown>): Promise<void>,
 * }} StorePolicy
 * @typedef {{
 *   store: ReturnType<typeof flakyStore>,
 *   clock: import("../../mod.ts").VirtualClock,
 *   shared: { store: unknown, key: string, storeFailure: string,
 *     storeTimeoutMs: number, clock: unknown,
 *     onStoreError(e: { fallback: string }): void },
 * }} StoreSetup
 */

/**
 * The store-failure paths: each policy on a `MemoryStore` that fails in
 * every way (each failure reported once to `onStoreError`, the call
 * settling as `storeFailure` says), aborted while the store hangs (the
 * reason, at once), then recovering once the store answers again.
 *
 * @param {(name: string, run: (p: Pledge) => Promise<void>) => void} path
 */
function storePaths(path) {
  /**
   * @param {string} name
   * @param {(p: Pledge, mode: string, setup: StoreSetup) => StorePolicy} make
   */
  const failing = (name, make) => {
    for (const mode of ["allow", "deny", "local"]) {
      path(
        `${name} on a store that rejects, throws, hangs past storeTimeoutMs, answers nonsense (storeFailure: "${mode}"); aborted while it hangs; recovers`,
        async (p) => {
          const clock = new p.VirtualClock();
          const store = flakyStore(new p.MemoryStore({ clock }));
          /** @type {string[]} */
          const reported = [];
          const policy = make(p, mode, {
            store,
            clock,
            shared: {
              store,
              key: "k",
              storeFailure: mode,
              storeTimeoutMs: STORE_MS,
              clock,
              onStoreError: (e) => void reported.push(e.fallback),
            },
          });
          for (const failure of STORE_FAILURES) {
            store.behaviour = failure;
            const outcome = policy.call();
            if (failure === "hang") {
              await turns();
              clock.tick(STORE_MS);
            }
            await policy.failed(outcome, `store that does "${failure}"`);
            store.release();
            await turns();
            clock.tick(STORE_MS); // the store is tried again
          }
          store.behaviour = "hang";
          const controller = new AbortController();
          const aborted = policy.call(controller.signal);
          await turns();
          controller.abort("stop");
          await rejects(aborted, is("stop"), "aborted while the store hangs");
          clock.tick(STORE_MS);
          store.release();
          await turns();
          clock.tick(STORE_MS);
          const want = STORE_FAILURES.length + 1;
          if (
            reported.length !== want || reported.some((m) => m !== mode)
          ) {
            throw new Error(
              `onStoreError saw ${
                JSON.stringify(reported)
              }, not ${want} times "${mode}"`,
            );
          }
          store.behaviour = "ok";
          await policy.recovered(policy.call());
          if (reported.length !== want) {
            throw new Error("the recovered store was reported as failing");
          }
        },
      );
    }
  };
  /**
   * What a call on a failing store gives: `allowed` under "allow" and
   * "local" (the policy's own state is fresh), a `denied` error under
   * "deny".
   *
   * @param {string} mode
   * @param {unknown} allowed
   * @param {Function} Denied
   */
  const fallback = (mode, allowed, Denied) =>
  /** @param {Promise<unknown>} outcome @param {string} what */
  (outcome, what) =>
    mode === "deny"
      ? rejects(
        outcome,
        (e) =>
          e instanceof Denied &&
          /** @type {{ cause?: unknown }} */ (e).cause !== undefined,
        what,
      )
      : fulfils(outcome, allowed, what);

  failing("RateLimiter.acquire()", (p, mode, { shared }) => {
    const limiter = new p.RateLimiter({
      limit: 10,
      intervalMs: 1000,
      ...shared,
    });
    return {
      call: (signal) => limiter.acquire({ signal }),
      failed: fallback(mode, undefined, p.RateLimitedError),
      recovered: (outcome) => fulfils(outcome, undefined, "recovered"),
    };
  });
  failing("RateLimiter.execute() with a lease", (p, mode, { shared }) => {
    const limiter = new p.RateLimiter({
      limit: 10,
      intervalMs: 1000,
      lease: 2,
      ...shared,
    });
    return {
      call: (signal) => limiter.execute(() => "ran", { signal }),
      failed: fallback(mode, "ran", p.RateLimitedError),
      recovered: (outcome) => fulfils(outcome, "ran", "recovered"),
    };
  });
  failing("CircuitBreaker.execute()", (p, mode, { shared }) => {
    const breaker = new p.CircuitBreaker(shared);
    return {
      call: (signal) => breaker.execute(() => "ran", { signal }),
      failed: fallback(mode, "ran", p.CircuitOpenError),
      recovered: (outcome) => fulfils(outcome, "ran", "recovered"),
    };
  });
  failing("RetryBudget.withdraw()", (p, mode, { shared }) => {
    const budget = new p.RetryBudget({ maxRetries: 5, ...shared });
    return {
      call: (signal) => budget.withdraw({ signal }),
      failed: (outcome, what) => fulfils(outcome, mode !== "deny", what),
      recovered: (outcome) => fulfils(outcome, true, "recovered"),
    };
  });
  path(
    "RetryBudget.deposit() sends to a store that rejects, then hangs past storeTimeoutMs",
    async (p) => {
      const clock = new p.VirtualClock();
      const store = flakyStore(new p.MemoryStore({ clock }));
      const budget = new p.RetryBudget({
        maxRetries: 1,
        ratio: 0.5,
        refill: { limit: 0, intervalMs: 1000 },
        store,
        key: "k",
        storeTimeoutMs: STORE_MS,
        storeFailure: "deny",
        clock,
      });
      await fulfils(budget.withdraw(), true, "the fleet's one retry");
      for (const failure of ["reject", "hang"]) {
        store.behaviour = failure;
        budget.deposit();
        budget.deposit(); // a whole retry: sent on its own
        await turns();
        clock.tick(STORE_MS);
        store.release();
        await turns();
        clock.tick(STORE_MS);
      }
      store.behaviour = "ok";
      // The deposits the store never took go with the next call.
      await fulfils(budget.withdraw(), true, "the deposits' retry");
    },
  );
  path(
    "CircuitBreaker on a MemoryStore: a trial aborted while it enters frees its slot",
    async (p) => {
      const clock = new p.VirtualClock();
      const breaker = new p.CircuitBreaker({
        store: new p.MemoryStore({ clock }),
        key: "k",
        strategy: new p.ConsecutiveFailuresStrategy({ threshold: 1 }),
        cooldownMs: 100,
        clock,
      });
      const error = new Error("down");
      await rejects(
        breaker.execute(() => Promise.reject(error)),
        is(error),
        "trip",
      );
      await rejects(breaker.execute(() => 1), isA(p.CircuitOpenError), "open");
      clock.tick(100);
      const controller = new AbortController();
      const aborted = breaker.execute(() => "aborted", {
        signal: controller.signal,
      });
      controller.abort("stop");
      await rejects(aborted, is("stop"), "aborted trial");
      await turns();
      await fulfils(breaker.execute(() => "trial"), "trial", "next trial");
    },
  );
}

/** The task module of the worker paths: no file, so Deno and Node load it alike. */
const WORKER_TASKS = `data:text/javascript,${
  encodeURIComponent(`
export function fail(message) { throw new TypeError(message); }
export function forever() { return new Promise(() => {}); }
export function waitForAbort(_, { signal }) {
  return new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}
`)
}`;

/**
 * Waits (on 0 ms host timers, at most 10 s) until `ready()` holds: workers
 * start and answer in real time.
 *
 * @param {() => boolean} ready
 */
async function until(ready) {
  for (let i = 0; i < 10_000 && !ready(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (!ready()) throw new Error("the workers did not start in time");
}

/**
 * A path that leaves a rejection nobody receives: the check must catch it
 * (its negative control).
 *
 * @type {Path}
 */
export const LEAKY_PATH = {
  name: "control: a rejection left unhandled",
  run: async () => {
    Promise.reject(new Error("nobody receives this"));
    await Promise.resolve();
  },
};
