/**
 * `reduce` and `mapReduce`: fold items, sequentially or after a concurrent
 * map.
 *
 * @module
 */

import { abortable } from "../cancel/signals.ts";
import { assertFunction, typeError } from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import { type MapItems, type Mapper, validateMap } from "./_map_source.ts";
import { mapConcurrentIterable } from "./map_concurrent_iterable.ts";
import { isThenable } from "../core/_thenable.ts";

/**
 * Options of {@linkcode reduce}.
 *
 * @typeParam A The type of the accumulator.
 */
export interface ReduceOptions<A> {
  /**
   * The first accumulator. Without it, the first item is the accumulator and
   * the reducer starts at the second item (an empty input then rejects with
   * a `TypeError`, as `Array.prototype.reduce` throws).
   */
  initial?: A;
  /**
   * Rejects with `signal.reason` unchanged when aborted; no later step runs.
   * The reducer receives this signal (or a signal of the call's own that
   * never aborts).
   */
  signal?: AbortSignal;
}

/**
 * A reducer step of {@linkcode reduce}.
 *
 * @typeParam A The type of the accumulator.
 * @typeParam T The type of the items.
 */
export type Reducer<A, T> = (
  accumulator: A,
  item: Awaited<T>,
  index: number,
  signal: AbortSignal,
) => A | PromiseLike<A>;

/**
 * Options of {@linkcode mapReduce}.
 *
 * @typeParam R The type of the mapped values.
 * @typeParam A The type of the accumulator.
 */
export interface MapReduceOptions<R, A> {
  /**
   * Folds each mapped value into the accumulator, in input order, as soon as
   * the values before it are folded; may be async.
   */
  reducer: (accumulator: A, value: R, index: number) => A | PromiseLike<A>;
  /** The first accumulator. */
  initial: A;
  /**
   * The most mapper calls running at once: an integer >= 1, or `Infinity`.
   *
   * @default {Infinity}
   */
  concurrency?: number;
  /**
   * Rejects with `signal.reason` unchanged when aborted, and aborts the
   * mappers' signal with it.
   */
  signal?: AbortSignal;
}

const REDUCE = "reduce";
const MAP_REDUCE = "map and reduce";

/**
 * Folds `items` from an initial accumulator.
 *
 * @typeParam T The type of the items.
 * @typeParam A The type of the accumulator.
 * @param items An array, iterable or async iterable.
 * @param reducer `(accumulator, item, index, signal) => A | PromiseLike<A>`.
 * @param options `initial`, `signal`.
 * @returns A future of the final accumulator.
 */
export function reduce<T, A>(
  items: MapItems<T>,
  reducer: Reducer<A, T>,
  options: ReduceOptions<A> & { initial: A },
): Future<A>;
/**
 * Folds `items` with the first item as the first accumulator.
 *
 * @typeParam T The type of the items.
 * @param items An array, iterable or async iterable.
 * @param reducer `(accumulator, item, index, signal) => T | PromiseLike<T>`.
 * @param options `signal`.
 * @returns A future of the final accumulator.
 */
export function reduce<T>(
  items: MapItems<T>,
  reducer: Reducer<Awaited<T>, T>,
  options?: ReduceOptions<Awaited<T>>,
): Future<Awaited<T>>;
/**
 * Folds `items` into one value, one step after another: each step may be
 * async and starts once the previous one has fulfilled. Items that are
 * thenables are awaited first. `items` may be an array, an iterable or an
 * async iterable, read lazily. Without `initial`, the first item is the
 * first accumulator.
 *
 * @param items An array, iterable or async iterable.
 * @param reducer `(accumulator, item, index, signal) => A | PromiseLike<A>`.
 * @param options `initial`, `signal`.
 * @returns A future of the final accumulator.
 * @throws Rejects with {TypeError} when `items` is not iterable or is empty
 *   without `initial`, `reducer` is not a function, or an option has the
 *   wrong type; with what the source or a step throws; and with
 *   `signal.reason` when the caller aborts.
 *
 * @example Summing sizes fetched one at a time
 * ```ts
 * import { reduce } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const size = (name: string) => Promise.resolve(name.length);
 * const total = await reduce(
 *   ["a.txt", "bb.txt"],
 *   async (sum, name) => sum + await size(name),
 *   { initial: 0 },
 * );
 * assert.equal(total, 11);
 * ```
 */
export function reduce(
  items: MapItems<unknown>,
  reducer: Reducer<unknown, unknown>,
  options?: ReduceOptions<unknown>,
): Future<unknown> {
  try {
    validateMap(REDUCE, items, reducer, options, "reducer");
  } catch (error) {
    return Future.reject(error);
  }
  const signal = options?.signal;
  if (signal !== undefined && signal.aborted) {
    return Future.reject(signal.reason);
  }
  const hasInitial = options !== undefined && "initial" in options;
  return abortable(
    fold(
      items,
      reducer,
      hasInitial,
      options?.initial,
      signal ?? new AbortController().signal,
    ),
    signal,
  );
}

async function fold(
  items: MapItems<unknown>,
  reducer: Reducer<unknown, unknown>,
  hasInitial: boolean,
  initial: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  let accumulator = initial;
  let started = hasInitial;
  let index = 0;
  for await (let item of items as AsyncIterable<unknown>) {
    if (signal.aborted) throw signal.reason;
    if (isThenable(item)) item = await item;
    if (!started) {
      accumulator = item;
      started = true;
    } else {
      const next = reducer(accumulator, item, index, signal);
      accumulator = isThenable(next) ? await next : next;
    }
    index++;
  }
  if (!started) {
    typeError(REDUCE, "items", "non-empty without 'initial'", items);
  }
  return accumulator;
}

/**
 * Maps `items` concurrently (at most `concurrency` mapper calls at once) and
 * folds the mapped values, in input order, as they become available: the
 * reducer runs while later items are still being mapped, and values wait
 * only until those before them are folded. Memory stays bounded by
 * `concurrency` (see `mapConcurrentIterable`, which this builds on).
 *
 * The first failure of a mapper or of the reducer rejects and aborts the
 * mappers still running.
 *
 * @typeParam T The type of the items.
 * @typeParam R The type of the mapped values.
 * @typeParam A The type of the accumulator.
 * @param items An array, iterable or async iterable.
 * @param mapper `(item, index, signal) => R | PromiseLike<R>`.
 * @param options `reducer`, `initial`, `concurrency`, `signal`.
 * @returns A future of the final accumulator.
 * @throws Rejects with {TypeError} when `items` is not iterable, `mapper`
 *   or `reducer` is not a function, or an option has the wrong type; with
 *   {RangeError} when `concurrency` is not an integer >= 1 nor `Infinity`;
 *   with the first failure of a mapper, of the reducer or of the source;
 *   and with `signal.reason` when the caller aborts.
 *
 * @example Word counts, four files at a time
 * ```ts
 * import { mapReduce } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const files = { a: "to be", b: "or not", c: "to be" };
 * const words = await mapReduce(
 *   Object.keys(files),
 *   async (name) => files[name as keyof typeof files].split(" ").length,
 *   { reducer: (sum, n) => sum + n, initial: 0, concurrency: 4 },
 * );
 * assert.equal(words, 6);
 * ```
 */
export function mapReduce<T, R, A>(
  items: MapItems<T>,
  mapper: Mapper<T, R>,
  options: MapReduceOptions<Awaited<R>, A>,
): Future<A> {
  try {
    validateMap(MAP_REDUCE, items, mapper, options, "mapper");
    if (options === undefined) {
      typeError(MAP_REDUCE, "options", "an options object", options);
    }
    assertFunction(MAP_REDUCE, "reducer", options.reducer);
    if (!("initial" in options)) {
      typeError(MAP_REDUCE, "initial", "given", undefined);
    }
  } catch (error) {
    return Future.reject(error);
  }
  const signal = options.signal;
  if (signal !== undefined && signal.aborted) {
    return Future.reject(signal.reason);
  }
  const mapped = mapConcurrentIterable(items, mapper, {
    concurrency: options.concurrency ?? Infinity,
    ...(signal === undefined ? {} : { signal }),
  });
  return abortable(
    foldMapped(mapped, options.reducer, options.initial),
    signal,
  );
}

async function foldMapped<R, A>(
  mapped: AsyncIterable<R>,
  reducer: (accumulator: A, value: R, index: number) => A | PromiseLike<A>,
  initial: A,
): Promise<A> {
  let accumulator = initial;
  let index = 0;
  for await (const value of mapped) {
    const next = reducer(accumulator, value, index++);
    accumulator = isThenable(next) ? await next : next;
  }
  return accumulator;
}
