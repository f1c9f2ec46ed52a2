/**
 * `all` and `allSettled`: `Promise.all` / `Promise.allSettled` returning a
 * `Future`, typed for tuples and records, with task functions whose signal
 * is aborted once the outcome is decided.
 *
 * @module
 */

import type { Future } from "../future/future.ts";
import { combine } from "./_combine.ts";

/**
 * A task: a function the combinator calls with an `AbortSignal`, aborted
 * once the outcome is decided while the task still runs (a sibling failed,
 * a rival won) or when the caller aborts.
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
   * tasks' signal with it; an already-aborted signal rejects at once, before
   * any input is read.
   */
  signal?: AbortSignal;
}

/**
 * Waits for every input of a tuple or array.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple or array of inputs.
 * @param options `signal`.
 * @returns A future of the values, as a tuple.
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
/**
 * Waits for every input and fulfils with their values in input order;
 * rejects with the first rejection. Over an iterable it is `Promise.all`
 * returning a `Future`: it reads the iterable, each input and its `then`
 * as `Promise.all` does, and settles in the same microtask turn.
 *
 * pledge adds three things. Task inputs `(signal) => value | PromiseLike`
 * are called at once, in order, with one signal shared by the tasks of the
 * call; it is aborted (with a `DOMException` named `"AbortError"`) once an
 * input rejects, so the siblings still running can stop, and a task read
 * after a rejection that is already known is not called. A record (a plain
 * object, with no `Symbol.iterator` key) gives a record with the same keys.
 * A `Future` that is already settled is read at once, like a plain value
 * (`Promise.all` would take three microtask turns to adopt it).
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the values, shaped like `values`.
 * @throws Rejects with {TypeError} when `values` is neither iterable nor a
 *   plain object or an option has the wrong type, with what reading the
 *   iterable throws, and with `signal.reason` when the caller aborts.
 *
 * @example A tuple, a record, and a failing task that aborts its sibling
 * ```ts
 * import { all, delay, Future, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const [n, s] = await all([Future.resolve(1), Promise.resolve("two")]);
 * assert.equal(n + s.length, 4);
 * assert.deepEqual(await all({ id: 7, name: Promise.resolve("Ada") }), {
 *   id: 7,
 *   name: "Ada",
 * });
 *
 * const clock = new VirtualClock();
 * let sibling: unknown;
 * const both = all([
 *   (signal) => delay(1000, { clock, signal }).catch((e) => (sibling = e)),
 *   () => Promise.reject(new Error("boom")),
 * ]);
 * await assert.rejects(both, /boom/);
 * assert.equal((sibling as DOMException).name, "AbortError");
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export function all(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run all()", "all", values, options, false);
}

/**
 * Waits for every input of a tuple or array to settle.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple or array of inputs.
 * @param options `signal`.
 * @returns A future of the outcomes, as a tuple.
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
/**
 * Waits for every input to settle and fulfils with their outcomes
 * (`{ status: "fulfilled", value }` or `{ status: "rejected", reason }`) in
 * input order. Over an iterable it is `Promise.allSettled` returning a
 * `Future`, exact as {@linkcode all} is. It never rejects on its inputs'
 * failures.
 *
 * Inputs are values, thenables or tasks, and records give records, as for
 * {@linkcode all}; the tasks' signal is aborted only when the caller aborts.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the outcomes, shaped like `values`.
 * @throws Rejects with {TypeError} when `values` is neither iterable nor a
 *   plain object or an option has the wrong type, with what reading the
 *   iterable throws, and with `signal.reason` when the caller aborts.
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
export function allSettled(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run allSettled()", "allSettled", values, options, false);
}
