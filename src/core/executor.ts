/**
 * The `Executor` abstraction: where code runs. Future continuations are
 * dispatched through an executor; the pooled and delayed executors and the
 * event loop implement it too.
 *
 * @module
 */

import { assertFunction } from "./_validate.ts";

/**
 * Something that runs tasks.
 *
 * @example An executor that records what it runs
 * ```ts
 * import { type Executor, Future } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * let ran = 0;
 * const counting: Executor = { execute: (task) => (ran++, task()) };
 * const two = Future.resolve(1).via(counting).then((x) => x + 1);
 * assert.equal(await two, 2);
 * // The `then` continuation and the one `await` attached both ran on it.
 * assert.equal(ran, 2);
 * ```
 */
export interface Executor {
  /**
   * Runs `task` now or later, exactly once.
   *
   * @param task The task to run.
   */
  execute(task: () => void): void;
}

/**
 * Runs each task synchronously, inside `execute`. Continuations of a future
 * moved onto it run as soon as the future settles. `execute` throws a
 * `TypeError` when `task` is not a function.
 *
 * @example Running at once
 * ```ts
 * import { inlineExecutor } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * let ran = false;
 * inlineExecutor.execute(() => (ran = true));
 * assert.equal(ran, true);
 * ```
 */
export const inlineExecutor: Executor = Object.freeze({
  execute(task: () => void): void {
    assertFunction("execute the task", "task", task);
    task();
  },
});

/**
 * Runs each task in its own host microtask (`queueMicrotask`). `execute`
 * throws a `TypeError` when `task` is not a function.
 *
 * @example Running after the current synchronous code
 * ```ts
 * import { microtaskExecutor } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const order: string[] = [];
 * microtaskExecutor.execute(() => order.push("task"));
 * order.push("sync");
 * await Promise.resolve();
 * assert.deepEqual(order, ["sync", "task"]);
 * ```
 */
export const microtaskExecutor: Executor = Object.freeze({
  execute(task: () => void): void {
    assertFunction("execute the task", "task", task);
    queueMicrotask(task);
  },
});
