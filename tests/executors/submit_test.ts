import assert from "node:assert/strict";
import {
  DelayedExecutor,
  type Executor,
  type Future,
  inlineExecutor,
  microtaskExecutor,
  PooledExecutor,
  QueueFullError,
  submit,
  VirtualClock,
} from "../../mod.ts";
import { catchReported, countedSignal } from "../_support.ts";

/** An executor that holds tasks until `run()`. */
function manualExecutor() {
  const tasks: (() => void)[] = [];
  const executor: Executor = { execute: (task) => void tasks.push(task) };
  return {
    executor,
    run: () => tasks.splice(0).forEach((t) => t()),
    get size() {
      return tasks.length;
    },
  };
}

Deno.test("submit() rejects bad input, never throws", async () => {
  for (const executor of [null, undefined, 5, {}, { execute: 1 }]) {
    await assert.rejects(submit(executor as never, () => {}), {
      name: "TypeError",
      message:
        /^Cannot submit the task as 'executor.execute' must be a function/,
    });
  }
  await assert.rejects(submit(inlineExecutor, 5 as never), {
    name: "TypeError",
    message:
      "Cannot submit the task as 'fn' must be a function: current value is 5",
  });
  await assert.rejects(submit(inlineExecutor, () => {}, 5 as never), {
    name: "TypeError",
    message:
      "Cannot submit the task as 'options' must be an options object: current value is 5",
  });
  await assert.rejects(
    submit(inlineExecutor, () => {}, { signal: "x" as never }),
    {
      name: "TypeError",
      message:
        `Cannot submit the task as 'signal' must be an AbortSignal: current value is "x"`,
    },
  );
  await assert.rejects(
    submit(inlineExecutor, () => {}, new AbortController().signal as never),
    { name: "TypeError", message: /\(pass \{ signal \}\)$/ },
  );
});

Deno.test("submit() settles with fn's value or error on any executor", async () => {
  assert.equal(await submit(inlineExecutor, () => 1), 1);
  assert.equal(await submit(microtaskExecutor, () => Promise.resolve(2)), 2);
  await assert.rejects(
    submit(microtaskExecutor, () => {
      throw new Error("sync");
    }),
    /sync/,
  );
  await assert.rejects(
    submit(inlineExecutor, () => Promise.reject(new Error("async"))),
    /async/,
  );
  const manual = manualExecutor();
  const later = submit(manual.executor, () => "ran");
  assert.equal(manual.size, 1);
  assert.equal(later.state, "pending");
  manual.run();
  assert.equal(await later, "ran");
});

Deno.test("submit() rejects with signal.reason when aborted before the executor runs fn", async () => {
  const manual = manualExecutor();
  const counted = countedSignal();
  let ran = false;
  const f = submit(manual.executor, () => (ran = true), {
    signal: counted.signal,
  });
  counted.controller.abort("stop");
  await assert.rejects(f, (e) => e === "stop");
  manual.run();
  assert.equal(ran, false);
  assert.equal(counted.live, 0);
  // Once fn has started, the listener is gone.
  const g = submit(manual.executor, () => "ok", { signal: counted.signal });
  const c2 = countedSignal();
  const h = submit(manual.executor, () => "ok", { signal: c2.signal });
  manual.run();
  assert.equal(c2.live, 0);
  assert.equal(c2.added, c2.removed);
  await assert.rejects(g, (e) => e === "stop");
  assert.equal(await h, "ok");
});

Deno.test("submit() with an aborted signal rejects at once and schedules nothing", async () => {
  const manual = manualExecutor();
  const counted = countedSignal();
  counted.controller.abort("early");
  const f = submit(manual.executor, () => 1, { signal: counted.signal });
  assert.equal(f.state, "rejected");
  await assert.rejects(f, (e) => e === "early");
  assert.equal(manual.size, 0);
  assert.equal(counted.added, 0);
});

Deno.test("submit() rejects with what a refusing executor throws", async () => {
  const refusing: Executor = {
    execute() {
      throw new RangeError("full");
    },
  };
  const counted = countedSignal();
  await assert.rejects(
    submit(refusing, () => 1, { signal: counted.signal }),
    { name: "RangeError", message: "full" },
  );
  assert.equal(counted.live, 0);
});

Deno.test("submit() reports what a broken executor throws after running fn", async () => {
  const broken: Executor = {
    execute(task) {
      task();
      throw new Error("broken after running");
    },
  };
  let result!: Future<number>;
  const caught = await catchReported(() => {
    assert.doesNotThrow(() => (result = submit(broken, () => 5)));
  });
  assert.equal(await result, 5);
  assert.deepEqual(caught.map((e) => (e as Error).message), [
    "broken after running",
  ]);
});

Deno.test("submit() on a PooledExecutor holds the slot until an async fn settles", async () => {
  const pool = new PooledExecutor({ concurrency: 1, maxQueue: 0 });
  let release!: () => void;
  const first = submit(pool, () => new Promise<void>((r) => (release = r)));
  assert.equal(pool.running, 1);
  await assert.rejects(submit(pool, () => 2), QueueFullError);
  release();
  await first;
  assert.equal(pool.running, 0);
  const controller = new AbortController();
  controller.abort("no");
  await assert.rejects(
    submit(pool, () => 3, { signal: controller.signal }),
    (e) => e === "no",
  );
});

Deno.test("submit() on a DelayedExecutor runs fn on the clock", async () => {
  const clock = new VirtualClock();
  const delayed = new DelayedExecutor({ clock });
  clock.tick(12);
  const f = submit(delayed, () => clock.now());
  await Promise.resolve();
  assert.equal(f.state, "pending");
  clock.tick(0);
  assert.equal(await f, 12);
  delayed[Symbol.dispose]();
  await assert.rejects(submit(delayed, () => 1), {
    name: "InvalidStateError",
  });
});
