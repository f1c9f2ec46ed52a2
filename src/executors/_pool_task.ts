/**
 * The record of one task of a `PooledExecutor`, and the context the task
 * receives (which exposes only `signal`, created on first read).
 *
 * @module
 */

import type { QueuedTimer } from "../core/_timer_queue.ts";
import type { Future } from "../future/future.ts";
import type { PriorityItem } from "./_priority_queue.ts";
import type { TaskContext } from "./task_context.ts";

/** Waiting in the queue. */
export const QUEUED = 0;
/** Holding slots, its future pending. */
export const RUNNING = 1;
/** The future settled early (abort, timeout); the task still holds slots. */
export const DETACHED = 2;
/** Finished: its slots are free. */
export const DONE = 3;

/** A submitted or executed task. */
export class Task implements PriorityItem {
  queued = false;
  state: number = QUEUED;
  /** The slots held while running. */
  held = 0;
  controller: AbortController | undefined = undefined;
  /** Why the future settled early (valid when `detached`). */
  reason: unknown = undefined;
  detached = false;
  registration: Disposable | undefined = undefined;
  timer: QueuedTimer | undefined = undefined;

  constructor(
    /** The function; `undefined` once started. */
    public fn: ((context: TaskContext) => unknown) | undefined,
    /** The future of a submitted task; `undefined` for `execute`. */
    readonly future: Future<unknown> | undefined,
    readonly priority: number,
    readonly weight: number,
    readonly timeoutMs: number,
  ) {}
}

/** What the task's function receives. */
export class RunContext implements TaskContext {
  readonly #task: Task;

  constructor(task: Task) {
    this.#task = task;
  }

  get signal(): AbortSignal {
    const task = this.#task;
    let controller = task.controller;
    if (controller === undefined) {
      controller = task.controller = new AbortController();
      if (task.detached) controller.abort(task.reason);
    }
    return controller.signal;
  }
}
