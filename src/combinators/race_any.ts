/**
 * `race` and `any` (and their winner forms): typed like `Promise.race` /
 * `Promise.any`, over iterables and records, with task functions whose
 * signal is aborted for the losers once a winner is known.
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
 *
 * @example Describing the replica that answered
 * ```ts
 * import { raceWithWinner, type Winner } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const describe = (w: Winner<number, string>) => `#${w.key}: ${w.value}`;
 * const winner = await raceWithWinner([
 *   "cached",
 *   new Promise<string>(() => {}),
 * ]);
 * assert.equal(describe(winner), "#0: cached");
 * ```
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
 *
 * @example Narrowing the value by its key
 * ```ts
 * import { anyWithWinner, type WinnerOf } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const sources = {
 *   count: () => Promise.resolve(3),
 *   label: () => Promise.reject(new Error("offline")),
 * };
 * const winner: WinnerOf<typeof sources> = await anyWithWinner(sources);
 * assert.equal(winner.key, "count");
 * if (winner.key === "count") assert.equal(winner.value + 1, 4);
 * ```
 */
export type WinnerOf<T> = T extends readonly unknown[] ? {
    [K in keyof T]: Winner<
      K extends `${infer N extends number}` ? N : number,
      Resolved<T[K]>
    >;
  }[number]
  : { [K in keyof T]: Winner<K, Resolved<T[K]>> }[keyof T];

/**
 * Settles like the first input to settle, like `Promise.race`. Once it has,
 * the tasks' shared signal is aborted (with a `DOMException` named
 * `"AbortError"`), so the losers can stop.
 *
 * Inputs are values, thenables or tasks, as for `all`. A plain value, or a
 * `Future` that is already settled, wins at once (inputs are read in order).
 * Unlike `Promise.race`, an empty input is a `RangeError`, not a promise
 * that never settles.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the first outcome.
 * @throws {TypeError} When `values` is neither an iterable nor an object,
 *   or `signal` is not an `AbortSignal`.
 * @throws {RangeError} When `values` holds no input.
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
 *
 * @example The first of a set of requests in flight
 * ```ts
 * import { race } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const inFlight = new Set([
 *   new Promise<string>(() => {}),
 *   Promise.resolve("replica"),
 * ]);
 * assert.equal(await race(inFlight), "replica");
 * ```
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
 *
 * @example The first of named sources
 * ```ts
 * import { delay, race, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const config = race({
 *   cache: (signal) => delay(5, { clock, signal }).then(() => "cached"),
 *   origin: (signal) => delay(40, { clock, signal }).then(() => "fresh"),
 * });
 * assert.equal(await clock.runUntilSettled(config), "cached");
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export function race<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<Resolved<T[keyof T]>>;
export function race(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run race()", "race", values, options, false);
}

/**
 * Like {@linkcode race}, but fulfils with the winner: `{ key, value }`, where
 * `key` is the index of the input (or its key in a record). A rejection
 * still rejects, with the reason alone.
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 * @throws {TypeError} When `values` is neither an iterable nor an object,
 *   or `signal` is not an `AbortSignal`.
 * @throws {RangeError} When `values` holds no input.
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
export function raceWithWinner<T extends readonly CombinatorInput[] | []>(
  values: T,
  options?: CombinatorOptions,
): Future<WinnerOf<T>>;
/**
 * Like `race` over an iterable, fulfilling with the winner's index and value.
 *
 * @typeParam T The type of the inputs.
 * @param values An iterable of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 *
 * @example Which job of a map finished first
 * ```ts
 * import { raceWithWinner } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const jobs = new Map([
 *   ["resize", new Promise<number>(() => {})],
 *   ["thumbnail", Promise.resolve(2)],
 * ]);
 * const winner = await raceWithWinner(jobs.values());
 * assert.deepEqual(winner, { key: 1, value: 2 });
 * ```
 */
export function raceWithWinner<T>(
  values: Iterable<T>,
  options?: CombinatorOptions,
): Future<Winner<number, Resolved<T>>>;
/**
 * Like `race` over a record, fulfilling with the winner's key and value.
 *
 * @typeParam T The type of the record.
 * @param values A record of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 *
 * @example Which named endpoint answered
 * ```ts
 * import { raceWithWinner } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const winner = await raceWithWinner({
 *   primary: new Promise<string>(() => {}),
 *   fallback: "static",
 * });
 * assert.deepEqual(winner, { key: "fallback", value: "static" });
 * ```
 */
export function raceWithWinner<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<WinnerOf<T>>;
export function raceWithWinner(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run raceWithWinner()", "race", values, options, true);
}

/**
 * Fulfils with the first input to fulfil, like `Promise.any`; rejects with an
 * `AggregateError` whose `errors` are the rejections in input order (key
 * order for a record) when every input rejects, or at once for an empty
 * input. Once an input fulfils, the tasks' shared signal is aborted (with a
 * `DOMException` named `"AbortError"`).
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the first value.
 * @throws {TypeError} When `values` is neither an iterable nor an object,
 *   or `signal` is not an `AbortSignal`.
 *
 * @example The first success, and every failure
 * ```ts
 * import { any } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const one = any([Promise.reject(new Error("a")), Promise.resolve(2)]);
 * assert.equal(await one, 2);
 *
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
 *
 * @example The first mirror that works, from a generator
 * ```ts
 * import { any } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * function* attempts() {
 *   yield () => Promise.reject(new Error("mirror 1 is down"));
 *   yield () => Promise.resolve("mirror 2");
 * }
 * assert.equal(await any(attempts()), "mirror 2");
 * ```
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
 *
 * @example The first configured source that answers
 * ```ts
 * import { any } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const setting = await any({
 *   env: () => Promise.reject(new Error("unset")),
 *   file: () => Promise.resolve("port=80"),
 * });
 * assert.equal(setting, "port=80");
 * ```
 */
export function any<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<Resolved<T[keyof T]>>;
export function any(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run any()", "any", values, options, false);
}

/**
 * Like {@linkcode any}, but fulfils with the winner: `{ key, value }`, where
 * `key` is the index of the input (or its key in a record).
 *
 * @typeParam T The type of the inputs.
 * @param values A tuple, array or other iterable, or a record, of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 * @throws {TypeError} When `values` is neither an iterable nor an object,
 *   or `signal` is not an `AbortSignal`.
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
export function anyWithWinner<T extends readonly CombinatorInput[] | []>(
  values: T,
  options?: CombinatorOptions,
): Future<WinnerOf<T>>;
/**
 * Like `any` over an iterable, fulfilling with the winner's index and value.
 *
 * @typeParam T The type of the inputs.
 * @param values An iterable of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 *
 * @example The index of the first healthy probe
 * ```ts
 * import { anyWithWinner } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * function* probes() {
 *   yield () => Promise.reject(new Error("r0 is down"));
 *   yield () => Promise.resolve("r1");
 * }
 * const winner = await anyWithWinner(probes());
 * assert.deepEqual(winner, { key: 1, value: "r1" });
 * ```
 */
export function anyWithWinner<T>(
  values: Iterable<T>,
  options?: CombinatorOptions,
): Future<Winner<number, Resolved<T>>>;
/**
 * Like `any` over a record, fulfilling with the winner's key and value.
 *
 * @typeParam T The type of the record.
 * @param values A record of inputs.
 * @param options `signal`.
 * @returns A future of the winner.
 *
 * @example The key of the first source that fulfils
 * ```ts
 * import { anyWithWinner } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const winner = await anyWithWinner({
 *   cdn: () => Promise.reject(new Error("miss")),
 *   origin: () => Promise.resolve(200),
 * });
 * assert.deepEqual(winner, { key: "origin", value: 200 });
 * ```
 */
export function anyWithWinner<T extends { [K in keyof T]: CombinatorInput }>(
  values: T,
  options?: CombinatorOptions,
): Future<WinnerOf<T>>;
export function anyWithWinner(
  values: unknown,
  options?: CombinatorOptions,
): Future<unknown> {
  return combine("run anyWithWinner()", "any", values, options, true);
}
