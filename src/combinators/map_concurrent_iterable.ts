/**
 * `mapConcurrentIterable`: the streaming form of `mapConcurrent`, an async
 * iterable of results with backpressure.
 *
 * @module
 */

import {
  assertIntegerOrInfinity,
  orDefault,
  typeError,
} from "../core/_validate.ts";
import { type MapItems, type Mapper, validateMap } from "./_map_source.ts";
import { MapIterator } from "./_map_iterator.ts";

/** Options of {@linkcode mapConcurrentIterable}. */
export interface MapConcurrentIterableOptions {
  /**
   * The most calls of `fn` running at once: an integer >= 1, or `Infinity`
   * for no limit.
   *
   * @default {Infinity}
   */
  concurrency?: number;
  /**
   * The most items taken from the source and not yet handed to the
   * consumer (running, or finished and waiting): an integer >= 1, or
   * `Infinity`. When it is reached, no call starts until the consumer asks
   * for the next result, so a slow consumer slows the producer down. A value
   * below `concurrency` also caps the calls running at once.
   *
   * @default {concurrency}
   */
  bufferSize?: number;
  /**
   * With `true`, results come in input order; with `false`, in the order the
   * calls finish.
   *
   * @default {true}
   */
  ordered?: boolean;
  /**
   * Makes `next()` reject with `signal.reason` unchanged when aborted, and
   * aborts the signal passed to `fn` with the same reason.
   */
  signal?: AbortSignal;
}

/**
 * The iterator returned by {@linkcode mapConcurrentIterable}. Leaving a
 * `for await` loop early (or disposing it) aborts the calls still running and
 * closes the source.
 *
 * @typeParam R The type of the results.
 */
export interface MapConcurrentIterator<R>
  extends AsyncIterableIterator<R>, AsyncDisposable {
  /**
   * Stops: aborts the calls still running, closes the source, and ends the
   * iteration.
   *
   * @returns A promise of the final (done) result.
   */
  return(): Promise<IteratorResult<R>>;
}

const ACTION = "map concurrently as an iterable";

/**
 * Maps `items` with `fn`, at most `concurrency` calls at once, and returns an
 * async iterable of the results: in input order (`ordered: true`, the
 * default) or as the calls finish (`ordered: false`).
 *
 * Nothing runs until the first `next()`. Then items are read lazily: a call
 * starts only while fewer than `concurrency` run and fewer than `bufferSize`
 * items are taken but not yet consumed, so a slow consumer holds the
 * producer back and memory stays bounded. `concurrency` is never exceeded.
 * Like `p-map`'s `pMapIterable`, the defaults bound nothing (`concurrency`
 * is `Infinity`, and `bufferSize` defaults to it): pass a finite
 * `concurrency` or `bufferSize` to get backpressure.
 *
 * The first failure (of a call, or of the source) aborts the calls still
 * running, drops the buffered results, and makes the next `next()` reject
 * with it; the iteration then ends. Leaving a `for await` loop early, or
 * disposing the iterator, aborts the running calls (with a `DOMException`
 * named `"AbortError"`) and closes the source.
 *
 * @typeParam T The type of the items.
 * @typeParam R The type of what `fn` returns.
 * @param items An array, iterable or async iterable.
 * @param fn The mapper, `(item, index, signal) => R | PromiseLike<R>`.
 * @param options `concurrency`, `bufferSize`, `ordered`, `signal`.
 * @returns An async iterable iterator of the results.
 * @throws {TypeError} When `items` is not iterable, `fn` is not a function,
 *   or an option has the wrong type: it throws, as it returns an iterator
 *   (a failure of the work makes `next()` reject).
 * @throws {RangeError} When `concurrency` or `bufferSize` is not an integer
 *   >= 1 nor `Infinity`.
 *
 * @example Stopping early aborts the work in flight
 * ```ts
 * import { mapConcurrentIterable } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const aborted: number[] = [];
 * const results = mapConcurrentIterable([1, 2, 3, 4], (n, _i, signal) => {
 *   if (n === 1) return n;
 *   return new Promise<number>((_, reject) =>
 *     signal.addEventListener("abort", () => {
 *       aborted.push(n);
 *       reject(signal.reason);
 *     })
 *   );
 * }, { concurrency: 2 });
 * for await (const n of results) {
 *   assert.equal(n, 1);
 *   break;
 * }
 * assert.deepEqual(aborted, [2, 3]);
 * ```
 */
export function mapConcurrentIterable<T, R>(
  items: MapItems<T>,
  fn: Mapper<T, R>,
  options?: MapConcurrentIterableOptions,
): MapConcurrentIterator<Awaited<R>> {
  validateMap(ACTION, items, fn, options);
  const concurrency = options?.concurrency ?? Infinity;
  const bufferSize = orDefault(options?.bufferSize, concurrency);
  assertIntegerOrInfinity(ACTION, "bufferSize", bufferSize);
  const ordered = orDefault(options?.ordered, true);
  if (typeof ordered !== "boolean") {
    typeError(ACTION, "ordered", "a boolean", ordered);
  }
  return new MapIterator(
    items,
    fn as Mapper<unknown, unknown>,
    concurrency,
    bufferSize,
    ordered,
    options?.signal,
  ) as MapConcurrentIterator<Awaited<R>>;
}
