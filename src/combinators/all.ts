/**
 * `all` and `allSettled`: typed like `Promise.all` / `Promise.allSettled`,
 * over iterables and over records, with task functions whose signal is
 * aborted once the outcome is decided.
 *
 * @module
 */

import type { Future } from "../future/future.ts";
import { combine } from "./_combine.ts";

/**
 * A task: a function the combinator calls with an `AbortSignal`. The signal
 * is aborted once the combinator's outcome is decided while the task still
 * runs (a sibling failed, a rival won), or when the caller aborts.
 *
 * @typeParam T The type of the task's value.
 *
 * @example A task that stops when a sibling fails
 * ```ts
 * import { all, type Task } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * let stopped = false;
 * const poll: Task<never> = (signal) =>
 *   new Promise((_, reject) => {
 *     signal.addEventListener("abort", () => {
 *       stopped = true;
 *       reject(signal.reason);
 *     });
 *   });
 * const fail: Task<never> = () => Promise.reject(new Error("down"));
 * await assert.rejects(all([poll, fail]), /down/);
 * assert.equal(stopped, true);
 * ```
 */
export type Task<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/**
 * An input of `all`, `allSettled`, `race` and `any`: a task, a thenable, or
 * any other value (taken as is). Listing the task type lets the parameter of
 * an inline task be typed as an `AbortSignal`.
 *
 * @example Mixing values, promises and tasks
 * ```ts
 * import { all, type CombinatorInput } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const inputs: CombinatorInput[] = [
 *   1,
 *   Promise.resolve("two"),
 *   (signal: AbortSignal) => signal.aborted ? "late" : 3,
 * ];
 * assert.deepEqual(await all(inputs), [1, "two", 3]);
 * ```
 */
export type CombinatorInput =
  | Task<unknown>
  | object
  | string
  | number
  | boolean
  | bigint
  | symbol
  | null
  | undefined;

/**
 * What an input of a combinator resolves to: the value of a task's result,
 * of a thenable, or the input itself.
 *
 * @typeParam T The type of the input.
 *
 * @example The value type of a task and of a promise
 * ```ts
 * import { all, type Resolved } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const fetchCount = (_signal: AbortSignal) => Promise.resolve(42);
 * const expected: Resolved<typeof fetchCount> = 42;
 * const label: Resolved<Promise<string>> = "count";
 * const [count] = await all([fetchCount]);
 * assert.equal(count, expected);
 * assert.equal(label.length, 5);
 * ```
 */
export type Resolved<T> = T extends (signal: AbortSignal) => infer R
  ? Awaited<R>
  : Awaited<T>;

/**
 * The values of {@linkcode all}: a tuple for a tuple, a record for a record.
 *
 * @typeParam T The type of the inputs (tuple, array or record).
 *
 * @example The type of a record awaited by all
 * ```ts
 * import { all, type AllValues } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const inputs = { id: 7, name: Promise.resolve("Ada") };
 * const user: AllValues<typeof inputs> = await all(inputs);
 * assert.equal(user.name.toUpperCase(), "ADA");
 * assert.deepEqual(user, { id: 7, name: "Ada" });
 * ```
 */
export type AllValues<T> = { -readonly [K in keyof T]: Resolved<T[K]> };

/**
 * The outcomes of {@linkcode allSettled}, shaped like the input.
 *
 * @typeParam T The type of the inputs (tuple, array or record).
 *
 * @example The outcomes of a tuple
 * ```ts
 * import { allSettled, type SettledValues } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const inputs = [
 *   Promise.resolve(1),
 *   () => Promise.reject(new Error("no")),
 * ] as const;
 * const [ok, failed]: SettledValues<typeof inputs> = await allSettled(inputs);
 * assert.deepEqual(ok, { status: "fulfilled", value: 1 });
 * assert.equal(failed.status, "rejected");
 * ```
 */
export type SettledValues<T> = {
  -readonly [K in keyof T]: PromiseSettledResult<Resolved<T[K]>>;
};

/**
 * Options of {@linkcode all}, {@linkcode allSettled}, `race` and `any`.
 *
 * @example Aborting a wait on several inputs
 * ```ts
 * import { all, type CombinatorOptions, delay, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const controller = new AbortController();
 * const options: CombinatorOptions = { signal: controller.signal };
 * const both = all([(signal) => delay(100, { clock, signal }), 2], options);
 * controller.abort("cancelled");
 * await assert.rejects(both, (e) => e === "cancelled");
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export interface CombinatorOptions {
  /**
   * Rejects with `signal.reason` unchanged when aborted, and aborts the
   * tasks' signal with the same reason. An already-aborted signal rejects at
   * once: no task is called and no listener is added.
   */
  signal?: AbortSignal;
}

/**
 * Waits for every input and fulfils with their values in input order, like
 * `Promise.all`; rejects with the first rejection.
 *
 * Inputs are values, thenables, or tasks `(signal) => value | PromiseLike`.
 * Tasks are called at once, in order, with one signal shared by the tasks
 * of this call; when an input rejects, that signal is aborted (with a
 * `DOMException` named `"AbortError"`), so the siblings still running can
 * stop. A tuple gives a tuple, an array an array, and a record (a plain
 * object) a record with the same keys.
 *
 * Settled `Future`s are read synchronously, so `all` over futures that are
 * already fulfilled costs a loop, not a microtask per input.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the values, shaped like `values`.
 * @throws {TypeError} When `values` is neither an iterable nor an object,
 *   or `signal` is not an `AbortSignal`.
 *
 * @example A tuple and a record
 * ```ts
 * import { all, Future } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const [n, s] = await all([Future.resolve(1), Promise.resolve("two")]);
 * assert.equal(n + 1, 2);
 * assert.equal(s.length, 3);
 *
 * const user = await all({ id: 7, name: Promise.resolve("Ada") });
 * assert.deepEqual(user, { id: 7, name: "Ada" });
 * ```
 *
 * @example A failing task aborts its siblings
 * ```ts
 * import { all, delay, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * let sibling: unknown;
 * const both = all([
 *   (signal) => delay(1000, { clock, signal }).catch((e) => {
 *     sibling = e;
 *     throw e;
 *   }),
 *   () => Promise.reject(new Error("boom")),
 * ]);
 * await assert.rejects(both, /boom/);
 * assert.equal((sibling as DOMException).name, "AbortError");
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export function all<T extends readonly CombinatorInput[] | []>(
  values: T,
  options?: CombinatorOptions,
): Future<AllValues<T>>;
/**
 * Waits for every input of an iterable.
 *
 * @typeParam T The type of the inputs.
 * @param values An iterable of inputs.
 * @param options `signal`.
 * @returns A future of the values in input order.
 *
 * @example Loading every id of a set, from a generator
 * ```ts
 * import { all } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const ids = new Set([3, 1, 2]);
 * function* loads() {
 *   for (const id of ids) yield () => Promise.resolve(`user-${id}`);
 * }
 * assert.deepEqual(await all(loads()), ["user-3", "user-1", "user-2"]);
 * ```
 */
export function all<T>(
  values: Iterable<T>,
  options?: CombinatorOptions,
): Future<Resolved<T>[]>;
/**
 * Waits for every input of a record.
 *
 * @typeParam T The type of the record.
 * @param values A record of inputs.
 * @param options `signal`.
 * @returns A future of a record of the values.
 *
 * @example A record of named requests
 * ```ts
 * import { all } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const page = await all({
 *   user: () => Promise.resolve({ name: "Ada" }),
 *   posts: Promise.resolve(["hello"]),
 *   theme: "dark",
 * });
 * assert.equal(page.user.name, "Ada");
 * assert.deepEqual(page.posts, ["hello"]);
 * assert.equal(page.theme, "dark");
 * ```
 */
export function all<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<AllValues<T>>;
export function all(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run all()", "all", values, options, false);
}

/**
 * Waits for every input to settle and fulfils with their outcomes
 * (`{ status: "fulfilled", value }` or `{ status: "rejected", reason }`) in
 * input order, like `Promise.allSettled`. It never rejects, except with
 * `signal.reason` when the caller aborts.
 *
 * Inputs are values, thenables or tasks, as for {@linkcode all}; the tasks'
 * signal is aborted only when the caller aborts (no outcome decides early).
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the outcomes, shaped like `values`.
 * @throws {TypeError} When `values` is neither an iterable nor an object,
 *   or `signal` is not an `AbortSignal`.
 *
 * @example Outcomes of a record
 * ```ts
 * import { allSettled } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const outcomes = await allSettled({
 *   ok: Promise.resolve(1),
 *   failed: () => Promise.reject(new Error("no")),
 * });
 * assert.deepEqual(outcomes.ok, { status: "fulfilled", value: 1 });
 * assert.equal(outcomes.failed.status, "rejected");
 * ```
 */
export function allSettled<T extends readonly CombinatorInput[] | []>(
  values: T,
  options?: CombinatorOptions,
): Future<SettledValues<T>>;
/**
 * Waits for every input of an iterable to settle.
 *
 * @typeParam T The type of the inputs.
 * @param values An iterable of inputs.
 * @param options `signal`.
 * @returns A future of the outcomes in input order.
 *
 * @example Outcomes of uploads from a generator
 * ```ts
 * import { allSettled } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * function* uploads() {
 *   yield () => Promise.resolve("a.png");
 *   yield () => Promise.reject(new Error("b.png is too large"));
 * }
 * const outcomes = await allSettled(uploads());
 * assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "rejected"]);
 * ```
 */
export function allSettled<T>(
  values: Iterable<T>,
  options?: CombinatorOptions,
): Future<PromiseSettledResult<Resolved<T>>[]>;
/**
 * Waits for every input of a record to settle.
 *
 * @typeParam T The type of the record.
 * @param values A record of inputs.
 * @param options `signal`.
 * @returns A future of a record of the outcomes.
 *
 * @example A health report of named checks
 * ```ts
 * import { allSettled } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const health = await allSettled({
 *   db: () => Promise.resolve("up"),
 *   cache: () => Promise.reject(new Error("down")),
 * });
 * assert.deepEqual(health.db, { status: "fulfilled", value: "up" });
 * assert.equal(health.cache.status, "rejected");
 * ```
 */
export function allSettled<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<SettledValues<T>>;
export function allSettled(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run allSettled()", "allSettled", values, options, false);
}
