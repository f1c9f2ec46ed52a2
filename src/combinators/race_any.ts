/**
 * `race` and `any` (and their winner forms): `Promise.race` / `Promise.any`
 * returning a `Future`, typed for tuples and records, with task functions
 * whose signal is aborted for the losers once a winner is known.
 *
 * @module
 */

import type { Future } from "../future/future.ts";
import { combine } from "./_combine.ts";
import type { CombinatorInput, CombinatorOptions, Resolved } from "./all.ts";

/**
 * The input that won a {@linkcode raceWithWinner} or
 * {@linkcode anyWithWinner}: its index (for an iterable) or key (for a
 * record), and its value.
 *
 * @typeParam K The type of the index or key.
 * @typeParam V The type of the value.
 */
export interface Winner<K, V> {
  /** The index of the winning input in an iterable, or its key in a record. */
  key: K;
  /** The winning value. */
  value: V;
}

/**
 * The winner of a tuple, array or record of inputs: a union discriminated by
 * `key`, so checking the key narrows the value.
 *
 * @typeParam T The type of the inputs.
 */
export type WinnerOf<T> = T extends readonly unknown[] ? {
    [K in keyof T]: Winner<
      K extends `${infer N extends number}` ? N : number,
      Resolved<T[K]>
    >;
  }[number]
  : { [K in keyof T]: Winner<K, Resolved<T[K]>> }[keyof T];

/**
 * Settles like the first input of a tuple or array to settle.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple or array of inputs.
 * @param options `signal`.
 * @returns A future of the first outcome.
 */
export function race<T extends readonly CombinatorInput[] | []>(
  values: T,
  options?: CombinatorOptions,
): Future<Resolved<T[number]>>;
/**
 * Settles like the first input of an iterable to settle.
 *
 * @typeParam T The type of the inputs.
 * @param values An iterable of inputs.
 * @param options `signal`.
 * @returns A future of the first outcome.
 */
export function race<T>(
  values: Iterable<T>,
  options?: CombinatorOptions,
): Future<Resolved<T>>;
/**
 * Settles like the first input of a record to settle.
 *
 * @typeParam T The type of the record.
 * @param values A record of inputs.
 * @param options `signal`.
 * @returns A future of the first outcome.
 */
export function race<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<Resolved<T[keyof T]>>;
/**
 * Settles like the first input to settle. Over an iterable it is
 * `Promise.race` returning a `Future` (it reads the iterable, each input and
 * its `then` as `Promise.race` does), with two differences by design:
 *
 * - An input whose outcome is known when it is read (a plain value, a
 *   settled `Future`, a task's synchronous result or throw) wins as soon as
 *   every input is read: the future settles before `race` returns, and later
 *   tasks are not called. `Promise.race` would settle a microtask later, and
 *   would let an earlier native promise that had already settled win.
 * - No input at all rejects with a `RangeError`, where `Promise.race` never
 *   settles.
 *
 * Inputs are values, thenables or tasks, and records are read as records,
 * as for `all`. Once the outcome is decided, the tasks' shared signal is
 * aborted (with a `DOMException` named `"AbortError"`), so the losers can
 * stop.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the first outcome.
 * @throws Rejects with {TypeError} when `values` is neither iterable nor a
 *   plain object or an option has the wrong type, with {RangeError} when
 *   `values` holds no input, with what reading the iterable throws, and with
 *   `signal.reason` when the caller aborts.
 *
 * @example The losers are aborted
 * ```ts
 * import { delay, race, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const fastest = race([
 *   (signal) => delay(50, { clock, signal }).then(() => "primary"),
 *   (signal) => delay(80, { clock, signal }).then(() => "replica"),
 * ]);
 * assert.equal(await clock.runUntilSettled(fastest), "primary");
 * assert.equal(clock.now(), 50);
 * assert.equal(clock.pendingTimers, 0); // the replica's delay was aborted
 * ```
 */
export function race(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run race()", "race", values, options, false);
}

/**
 * Like `race` over a tuple or array, fulfilling with the winner.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple or array of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 */
export function raceWithWinner<T extends readonly CombinatorInput[] | []>(
  values: T,
  options?: CombinatorOptions,
): Future<WinnerOf<T>>;
/**
 * Like `race` over an iterable, fulfilling with the winner.
 *
 * @typeParam T The type of the inputs.
 * @param values An iterable of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 */
export function raceWithWinner<T>(
  values: Iterable<T>,
  options?: CombinatorOptions,
): Future<Winner<number, Resolved<T>>>;
/**
 * Like `race` over a record, fulfilling with the winner.
 *
 * @typeParam T The type of the record.
 * @param values A record of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 */
export function raceWithWinner<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<WinnerOf<T>>;
/**
 * Like {@linkcode race}, but fulfils with the winner: `{ key, value }`, where
 * `key` is the index of the input (or its key in a record). A rejection
 * still rejects, with the reason alone.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 * @throws Rejects with {TypeError} when `values` is neither iterable nor a
 *   plain object or an option has the wrong type, with {RangeError} when
 *   `values` holds no input, with what reading the iterable throws, and with
 *   `signal.reason` when the caller aborts.
 *
 * @example Which mirror answered first
 * ```ts
 * import { delay, raceWithWinner, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const first = raceWithWinner({
 *   eu: (signal) => delay(30, { clock, signal }).then(() => 1),
 *   us: (signal) => delay(20, { clock, signal }).then(() => "x"),
 * });
 * const winner = await clock.runUntilSettled(first);
 * assert.equal(winner.key, "us");
 * if (winner.key === "us") assert.equal(winner.value.toUpperCase(), "X");
 * ```
 */
export function raceWithWinner(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run raceWithWinner()", "race", values, options, true);
}

/**
 * Fulfils with the first input of a tuple or array to fulfil.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple or array of inputs.
 * @param options `signal`.
 * @returns A future of the first value.
 */
export function any<T extends readonly CombinatorInput[] | []>(
  values: T,
  options?: CombinatorOptions,
): Future<Resolved<T[number]>>;
/**
 * Fulfils with the first input of an iterable to fulfil.
 *
 * @typeParam T The type of the inputs.
 * @param values An iterable of inputs.
 * @param options `signal`.
 * @returns A future of the first value.
 */
export function any<T>(
  values: Iterable<T>,
  options?: CombinatorOptions,
): Future<Resolved<T>>;
/**
 * Fulfils with the first input of a record to fulfil.
 *
 * @typeParam T The type of the record.
 * @param values A record of inputs.
 * @param options `signal`.
 * @returns A future of the first value.
 */
export function any<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<Resolved<T[keyof T]>>;
/**
 * Fulfils with the first input to fulfil; rejects with an `AggregateError`
 * whose `errors` are the rejections in input order (key order for a record)
 * when every input rejects, or at once for an empty input. Over an iterable
 * it is `Promise.any` returning a `Future`, exact as `all` is (the
 * `AggregateError`'s message is pledge's own).
 *
 * Inputs are values, thenables or tasks, and records are read as records,
 * as for `all`. Once an input fulfils, the tasks' shared signal is aborted
 * (with a `DOMException` named `"AbortError"`), and a task read after a
 * value that is already known is not called.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the first value.
 * @throws Rejects with {AggregateError} when every input rejects, with
 *   {TypeError} when `values` is neither iterable nor a plain object or an
 *   option has the wrong type, with what reading the iterable throws, and
 *   with `signal.reason` when the caller aborts.
 *
 * @example The first success, and every failure
 * ```ts
 * import { any } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await any([Promise.reject(new Error("a")), Promise.resolve(2)]), 2);
 * const none = any([
 *   () => Promise.reject(new Error("a")),
 *   () => Promise.reject(new Error("b")),
 * ]);
 * await assert.rejects(none, (e: AggregateError) => {
 *   assert.deepEqual(e.errors.map((x: Error) => x.message), ["a", "b"]);
 *   return true;
 * });
 * ```
 */
export function any(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run any()", "any", values, options, false);
}

/**
 * Like `any` over a tuple or array, fulfilling with the winner.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple or array of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 */
export function anyWithWinner<T extends readonly CombinatorInput[] | []>(
  values: T,
  options?: CombinatorOptions,
): Future<WinnerOf<T>>;
/**
 * Like `any` over an iterable, fulfilling with the winner.
 *
 * @typeParam T The type of the inputs.
 * @param values An iterable of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 */
export function anyWithWinner<T>(
  values: Iterable<T>,
  options?: CombinatorOptions,
): Future<Winner<number, Resolved<T>>>;
/**
 * Like `any` over a record, fulfilling with the winner.
 *
 * @typeParam T The type of the record.
 * @param values A record of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 */
export function anyWithWinner<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<WinnerOf<T>>;
/**
 * Like {@linkcode any}, but fulfils with the winner: `{ key, value }`, where
 * `key` is the index of the input (or its key in a record).
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 * @throws Rejects with {AggregateError} when every input rejects, with
 *   {TypeError} when `values` is neither iterable nor a plain object or an
 *   option has the wrong type, with what reading the iterable throws, and
 *   with `signal.reason` when the caller aborts.
 *
 * @example The first healthy replica
 * ```ts
 * import { anyWithWinner } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const winner = await anyWithWinner([
 *   () => Promise.reject(new Error("down")),
 *   () => Promise.resolve("replica-1"),
 * ]);
 * assert.deepEqual(winner, { key: 1, value: "replica-1" });
 * ```
 */
export function anyWithWinner(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run anyWithWinner()", "any", values, options, true);
}
