/**
 * What `mapConcurrent`, `mapConcurrentIterable` and `mapReduce` share: the
 * validation of their arguments, and reading items from an array, an
 * iterable or an async iterable.
 *
 * @module
 */

import {
  assertFunction,
  assertIntegerOrInfinity,
  assertOptions,
  assertSignal,
  invalidMessage,
  typeError,
} from "../core/_validate.ts";
import { isThenable } from "../core/_thenable.ts";

/** Does nothing: marks a rejection as handled. */
function noop(): void {}

/** Items to map: an array, any iterable, or an async iterable. */
export type MapItems<T> = Iterable<T> | AsyncIterable<T>;

/**
 * The mapper of the concurrent maps: called with the item (awaited when it
 * is a thenable), its index in the input, and a signal aborted when the
 * result is no longer wanted.
 *
 * @typeParam T The type of the items.
 * @typeParam R The type of the results.
 */
export type Mapper<T, R> = (
  item: Awaited<T>,
  index: number,
  signal: AbortSignal,
) => R | PromiseLike<R>;

/** The items opened for reading: exactly one field is set. */
export interface Source {
  array: ArrayLike<unknown> | undefined;
  iterator: Iterator<unknown> | undefined;
  asyncIterator: AsyncIterator<unknown> | undefined;
}

/** Options every concurrent map validates. */
export interface CommonMapOptions {
  concurrency?: number;
  signal?: AbortSignal;
}

/** Validates the arguments shared by the concurrent maps. */
export function validateMap(
  action: string,
  items: unknown,
  fn: unknown,
  options: CommonMapOptions | undefined,
  fnName = "fn",
): void {
  if (
    items === null || items === undefined ||
    (typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] !==
        "function" &&
      typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function")
  ) {
    typeError(action, "items", "an iterable or an async iterable", items);
  }
  assertFunction(action, fnName, fn);
  assertOptions(action, options);
  if (options?.concurrency !== undefined) {
    assertIntegerOrInfinity(action, "concurrency", options.concurrency);
  }
  assertSignal(action, options?.signal);
}

/** Opens `items` (already validated) for reading. */
export function openSource(items: MapItems<unknown>): Source {
  if (Array.isArray(items)) {
    return { array: items, iterator: undefined, asyncIterator: undefined };
  }
  const asyncIterable = items as AsyncIterable<unknown>;
  if (typeof asyncIterable[Symbol.asyncIterator] === "function") {
    return {
      array: undefined,
      iterator: undefined,
      asyncIterator: asyncIterable[Symbol.asyncIterator](),
    };
  }
  return {
    array: undefined,
    iterator: (items as Iterable<unknown>)[Symbol.iterator](),
    asyncIterator: undefined,
  };
}

/**
 * The result of a source's `next()`, checked to be an object (as `for...of`
 * checks it): a primitive throws a `TypeError`, which rejects like any other
 * error of the source.
 */
export function checkStep<T>(step: IteratorResult<T>): IteratorResult<T> {
  if (
    (typeof step !== "object" || step === null) && typeof step !== "function"
  ) {
    throw new TypeError(
      invalidMessage("read the items", "next()", "an object", step),
    );
  }
  return step;
}

/** `iterator.next()`, checked by {@linkcode checkStep}. */
export function nextStep<T>(iterator: Iterator<T>): IteratorResult<T> {
  return checkStep(iterator.next());
}

/**
 * Closes an iterator that was not read to its end (as `for...of` does on
 * `break`); what `return()` throws or rejects with is ignored.
 */
export function closeIterator(
  iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined,
): void {
  if (iterator === undefined || typeof iterator.return !== "function") return;
  try {
    const result: unknown = iterator.return();
    if (isThenable(result)) result.then(noop, noop);
  } catch {
    // The source is being abandoned; its cleanup error has no one to go to.
  }
}
