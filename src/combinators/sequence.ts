/**
 * `sequence`: run tasks one after another and collect their values.
 *
 * @module
 */

import { abortable } from "../cancel/signals.ts";
import { assertOptions, assertSignal, typeError } from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import type { AllValues, Task } from "./all.ts";
import { isThenable } from "../core/_thenable.ts";
import { FutureWaits } from "./_future_waits.ts";

/** Options of {@linkcode sequence}. */
export interface SequenceOptions {
  /**
   * Rejects with `signal.reason` unchanged when aborted; no later task
   * starts. Each task receives this signal (or, without one, a signal of the
   * call's own that never aborts).
   */
  signal?: AbortSignal;
}

const ACTION = "run in sequence";

/**
 * Runs a tuple or array of tasks one after another.
 *
 * @typeParam T The type of the tasks.
 * @param tasks A tuple or array of tasks.
 * @param options `signal`.
 * @returns A future of the values, a tuple for a tuple.
 */
export function sequence<T extends readonly Task<unknown>[] | []>(
  tasks: T,
  options?: SequenceOptions,
): Future<AllValues<T>>;
/**
 * Runs an iterable of tasks one after another.
 *
 * @typeParam T The type of the tasks' values.
 * @param tasks An iterable of tasks.
 * @param options `signal`.
 * @returns A future of the values in order.
 */
export function sequence<T>(
  tasks: Iterable<Task<T>>,
  options?: SequenceOptions,
): Future<Awaited<T>[]>;
/**
 * Runs tasks one after another, each starting once the previous one has
 * fulfilled, and fulfils with their values in order. The first rejection
 * rejects, and no later task starts. Tasks are read from `tasks` lazily, so a
 * generator may decide the next task from what has run.
 *
 * @param tasks A tuple, array or other iterable of tasks
 *   `(signal) => value | PromiseLike`.
 * @param options `signal`.
 * @returns A future of the values, a tuple for a tuple.
 * @throws Rejects with {TypeError} when `tasks` is not iterable, holds
 *   something else than a function, or an option has the wrong type; and
 *   with `signal.reason` when the caller aborts.
 *
 * @example Pages read until one comes back empty
 * ```ts
 * import { sequence } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const pages = [["a", "b"], ["c"], []];
 * let done = false;
 * function* reads() {
 *   for (let page = 0; !done; page++) {
 *     yield async () => {
 *       const rows = pages[page] ?? [];
 *       done = rows.length === 0;
 *       return rows.length;
 *     };
 *   }
 * }
 * assert.deepEqual(await sequence(reads()), [2, 1, 0]);
 * ```
 */
export function sequence(
  tasks: Iterable<Task<unknown>>,
  options?: SequenceOptions,
): Future<unknown[]> {
  let signal: AbortSignal | undefined;
  try {
    if (
      tasks === null || tasks === undefined ||
      typeof tasks[Symbol.iterator] !== "function"
    ) {
      typeError(ACTION, "tasks", "an iterable", tasks);
    }
    if (Array.isArray(tasks)) {
      for (let i = 0; i < tasks.length; i++) {
        if (typeof tasks[i] !== "function") {
          typeError(ACTION, `tasks[${i}]`, "a function", tasks[i]);
        }
      }
    }
    assertOptions(ACTION, options);
    signal = options?.signal;
    assertSignal(ACTION, signal);
  } catch (error) {
    return Future.reject(error);
  }
  if (signal !== undefined && signal.aborted) {
    return Future.reject(signal.reason);
  }
  return abortable(
    run(tasks, signal ?? new AbortController().signal, signal),
    signal,
  );
}

// `caller` is the caller's signal, if any: aborted, the wait on a task's
// `Future` is taken off it (`abortable` rejects).
async function run(
  tasks: Iterable<Task<unknown>>,
  signal: AbortSignal,
  caller: AbortSignal | undefined,
): Promise<unknown[]> {
  const waits = caller === undefined ? undefined : new FutureWaits(caller);
  const values: unknown[] = [];
  let i = 0;
  try {
    for (const task of tasks) {
      if (signal.aborted) throw signal.reason;
      if (typeof task !== "function") {
        typeError(ACTION, `tasks[${i}]`, "a function", task);
      }
      const value = task(signal);
      values.push(
        isThenable(value)
          ? await (waits !== undefined && value instanceof Future
            ? waits.of(value)
            : value)
          : value,
      );
      i++;
    }
  } finally {
    waits?.dispose();
  }
  return values;
}
