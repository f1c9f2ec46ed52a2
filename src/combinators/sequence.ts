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

/**
 * Options of {@linkcode sequence}.
 *
 * @example Stopping a sequence between steps
 * ```ts
 * import { sequence, type SequenceOptions } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const options: SequenceOptions = { signal: controller.signal };
 * const ran: string[] = [];
 * const steps = sequence([
 *   async () => {
 *     ran.push("backup");
 *     controller.abort("stop");
 *   },
 *   async () => void ran.push("migrate"),
 * ], options);
 * await assert.rejects(steps, (e) => e === "stop");
 * assert.deepEqual(ran, ["backup"]);
 * ```
 */
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
 * Runs tasks one after another, each starting once the previous one has
 * fulfilled, and fulfils with their values in order. The first rejection
 * rejects, and no later task starts. Tasks are read from `tasks` lazily, so a
 * generator may decide the next task from what has run.
 *
 * @typeParam T The type of the tasks.
 * @param tasks A tuple, array or other iterable of tasks
 *   `(signal) => value | PromiseLike`.
 * @param options `signal`.
 * @returns A future of the values, a tuple for a tuple.
 * @throws {TypeError} When `tasks` is not iterable, an array holds something
 *   else than a function, or `signal` is not an `AbortSignal`.
 *
 * @example Steps that must not overlap
 * ```ts
 * import { sequence } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * const [a, b] = await sequence([
 *   async () => (log.push("migrate"), 1),
 *   async () => (log.push("seed"), "ok"),
 * ]);
 * assert.deepEqual(log, ["migrate", "seed"]);
 * assert.equal(a + 1, 2);
 * assert.equal(b, "ok");
 * ```
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
export function sequence<T>(
  tasks: Iterable<Task<T>>,
  options?: SequenceOptions,
): Future<Awaited<T>[]>;
export function sequence(
  tasks: Iterable<Task<unknown>>,
  options?: SequenceOptions,
): Future<unknown[]> {
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
  const signal = options?.signal;
  assertSignal(ACTION, signal);
  if (signal !== undefined && signal.aborted) {
    return Future.reject(signal.reason);
  }
  return abortable(run(tasks, signal ?? new AbortController().signal), signal);
}

async function run(
  tasks: Iterable<Task<unknown>>,
  signal: AbortSignal,
): Promise<unknown[]> {
  const values: unknown[] = [];
  let i = 0;
  for (const task of tasks) {
    if (signal.aborted) throw signal.reason;
    if (typeof task !== "function") {
      typeError(ACTION, `tasks[${i}]`, "a function", task);
    }
    const value = task(signal);
    values.push(isThenable(value) ? await value : value);
    i++;
  }
  return values;
}
