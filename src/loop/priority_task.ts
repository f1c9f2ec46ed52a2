/**
 * The public types of a task of the `PriorityScheduler`: its priority, its
 * state, the context it runs with and the handle its poster holds.
 *
 * @module
 */

import type { Future } from "../future/future.ts";

/**
 * The priority of a scheduled task, highest first. Aging raises a task one
 * level at a time, never into `"immediate"`.
 *
 * @example Highest priority first
 * ```ts
 * import { PriorityScheduler, type TaskPriority, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const scheduler = new PriorityScheduler({ clock });
 * const order: TaskPriority[] = [];
 * const all = ["idle", "low", "normal", "high", "immediate"] as const;
 * for (const priority of all) {
 *   scheduler.post(() => order.push(priority), { priority });
 * }
 * clock.runAll();
 * assert.deepEqual(order, ["immediate", "high", "normal", "low", "idle"]);
 * ```
 */
export type TaskPriority = "immediate" | "high" | "normal" | "low" | "idle";

/**
 * Where a task is in its life: waiting for its delay, queued, running,
 * waiting for a promise it yielded, done (fulfilled or failed) or cancelled.
 *
 * @example From delayed to done, or cancelled
 * ```ts
 * import { PriorityScheduler, type PriorityTaskState, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const scheduler = new PriorityScheduler({ clock });
 * const later = scheduler.post(() => "ran", { delayMs: 10 });
 * const states: PriorityTaskState[] = [later.state];
 * clock.runAll();
 * states.push(later.state);
 * const dropped = scheduler.post(() => "never");
 * dropped.cancel();
 * states.push(dropped.state);
 * assert.deepEqual(states, ["delayed", "done", "cancelled"]);
 * ```
 */
export type PriorityTaskState =
  | "delayed"
  | "queued"
  | "running"
  | "waiting"
  | "done"
  | "cancelled";

/**
 * What a task function receives: its current priority, a signal for the work
 * it starts, and `shouldYield()` to yield only when it matters.
 *
 * @example Yielding only when higher-priority work waits
 * ```ts
 * import { PriorityScheduler, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const scheduler = new PriorityScheduler({ clock });
 * const order: string[] = [];
 * scheduler.post(function* (ctx) {
 *   for (let i = 0; i < 3; i++) {
 *     order.push(`chunk ${i}`);
 *     if (i === 0) scheduler.post(() => order.push("urgent"), { priority: "high" });
 *     if (ctx.shouldYield()) yield;
 *   }
 * }, { priority: "low" });
 * clock.runAll();
 * assert.deepEqual(order, ["chunk 0", "urgent", "chunk 1", "chunk 2"]);
 * ```
 */
export interface PriorityTaskContext {
  /** The task's current priority (aging may have raised it). */
  readonly priority: TaskPriority;
  /**
   * A signal aborted with the cancellation reason when the task is
   * cancelled; pass it on to the work the task starts. Created on first read.
   */
  readonly signal: AbortSignal;
  /**
   * Whether the task should `yield` now: a task of higher priority is
   * queued, or the current slice has used its `sliceMs`.
   *
   * @returns `true` when yielding would let other work run.
   */
  shouldYield(): boolean;
}

/**
 * What `PriorityScheduler.post` returns: the result's future, the task's
 * priority and state, and `cancel()`.
 *
 * @typeParam T The result type.
 *
 * @example Cancelling a queued task
 * ```ts
 * import { PriorityScheduler, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const scheduler = new PriorityScheduler({ clock });
 * const handle = scheduler.post(() => "never", { priority: "idle" });
 * assert.equal(handle.state, "queued");
 * assert.equal(handle.cancel(new Error("not needed")), true);
 * await assert.rejects(handle.future, { message: "not needed" });
 * assert.equal(handle.state, "cancelled");
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export interface PriorityTaskHandle<T> {
  /** Settles with the task's result, its error, or the cancellation reason. */
  readonly future: Future<T>;
  /** The task's current priority (aging may have raised it). */
  readonly priority: TaskPriority;
  /** Where the task is in its life. */
  readonly state: PriorityTaskState;
  /**
   * Cancels the task unless it has finished: its future rejects with
   * `reason`, a generator task is closed with `return()` so its `finally`
   * blocks run, and it never runs again. A task cancelled while it runs is
   * closed when it next yields. The rejection counts as handled: a cancelled
   * task whose future nobody awaits is not reported as an unhandled
   * rejection (an error thrown by a task is).
   *
   * @param reason The rejection reason; when `undefined`, a `DOMException`
   *   named `"AbortError"`.
   * @returns Whether this call cancelled the task.
   */
  cancel(reason?: unknown): boolean;
}

/**
 * A task function: a plain or async function, or a generator function.
 *
 * @example A generator task that yields between chunks
 * ```ts
 * import { PriorityScheduler, type PriorityTaskFunction, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const scheduler = new PriorityScheduler({ clock });
 * const sum: PriorityTaskFunction<number> = function* () {
 *   let total = 0;
 *   for (let i = 1; i <= 3; i++) {
 *     total += i;
 *     yield;
 *   }
 *   return total;
 * };
 * const handle = scheduler.post(sum);
 * clock.runAll();
 * assert.equal(await handle.future, 6);
 * ```
 */
export type PriorityTaskFunction<T> = (
  ctx: PriorityTaskContext,
) => T | PromiseLike<T> | Generator<unknown, T | PromiseLike<T>, unknown>;
