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
 */
export type Task<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/**
 * An input of `all`, `allSettled`, `race` and `any`: a task, a thenable, or
 * any other value (taken as is). Listing the task type lets the parameter of
 * an inline task be typed as an `AbortSignal`.
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
 */
export type Resolved<T> = T extends (signal: AbortSignal) => infer R
  ? Awaited<R>
  : Awaited<T>;

/**
 * The values of {@linkcode all}: a tuple for a tuple, a record for a record.
 *
 * @typeParam T The type of the inputs (tuple, array or record).
 */
export type AllValues<T> = { -readonly [K in keyof T]: Resolved<T[K]> };

/**
 * The outcomes of {@linkcode allSettled}, shaped like the input.
 *
 * @typeParam T The type of the inputs (tuple, array or record).
 */
export type SettledValues<T> = {
  -readonly [K in keyof T]: PromiseSettledResult<Resolved<T[K]>>;
};

/** Options of {@linkcode all}, {@linkcode allSettled}, `race` and `any`. */
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
