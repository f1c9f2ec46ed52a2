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
 */
export type TaskPriority = "immediate" | "high" | "normal" | "low" | "idle";

/**
 * Where a task is in its life: waiting for its delay, queued, running,
 * waiting for a promise it yielded, done (fulfilled or failed) or cancelled.
 */
export type PriorityTaskState =
  | "delayed"
  | "queued"
  | "running"
  | "waiting"
  | "done"
  | "cancelled";

/** What a task function receives. */
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

/** What `PriorityScheduler.post` returns. */
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

/** A task function: a plain or async function, or a generator function. */
export type PriorityTaskFunction<T> = (
  ctx: PriorityTaskContext,
) => T | PromiseLike<T> | Generator<unknown, T | PromiseLike<T>, unknown>;
