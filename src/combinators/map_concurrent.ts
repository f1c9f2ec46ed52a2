/**
 * `mapConcurrent`: map items with an async function, at most `concurrency`
 * at a time, results in input order.
 *
 * @module
 */

import { onAbort } from "../cancel/signals.ts";
import { orDefault, typeError } from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import {
  checkStep,
  closeIterator,
  type MapItems,
  type Mapper,
  nextStep,
  openSource,
  validateMap,
} from "./_map_source.ts";
import { decidedError } from "../core/_reasons.ts";
import { isThenable } from "../core/_thenable.ts";
import { FutureWaits } from "./_future_waits.ts";

export type { MapItems, Mapper };

/** Options of {@linkcode mapConcurrent}. */
export interface MapConcurrentOptions {
  /**
   * The most calls of `fn` running at once: an integer >= 1, or `Infinity`
   * for no limit (every item is started as soon as it is read).
   *
   * @default {Infinity}
   */
  concurrency?: number;
  /**
   * Rejects with `signal.reason` unchanged when aborted, and aborts the
   * signal passed to `fn` with the same reason.
   */
  signal?: AbortSignal;
  /**
   * With `true`, the first failure rejects at once, aborts the signal of the
   * calls still running, and stops reading items. With `false`, every item
   * is mapped and the failures are collected, in input order, into an
   * `AggregateError`.
   *
   * @default {true}
   */
  stopOnError?: boolean;
}

const ACTION = "map concurrently";

class MapRun {
  readonly out = pendingFuture<unknown[]>();
  readonly fn: Mapper<unknown, unknown>;
  readonly concurrency: number;
  readonly stopOnError: boolean;
  readonly controller = new AbortController();
  readonly signal: AbortSignal = this.controller.signal;
  array: ArrayLike<unknown> | undefined;
  length = 0;
  iterator: Iterator<unknown> | undefined;
  asyncIterator: AsyncIterator<unknown> | undefined;
  results: unknown[] = [];
  /** (index, error) pairs of the failures kept with `stopOnError: false`. */
  errors: unknown[] | undefined = undefined;
  /** The index of the next item to read. */
  next = 0;
  /** Workers (sync sources) or calls (async sources) running. */
  active = 0;
  /** Whether the feeder of an async source is still reading. */
  feeding = false;
  exhausted = false;
  /** Whether the outcome is decided (no more items are read). */
  stopped = false;
  registration: Disposable | undefined = undefined;
  /** The running calls' waits on `Future`s, taken off by `stop()`. */
  readonly waits = new FutureWaits();
  wake: (() => void) | undefined = undefined;

  constructor(
    fn: Mapper<unknown, unknown>,
    concurrency: number,
    stopOnError: boolean,
  ) {
    this.fn = fn;
    this.concurrency = concurrency;
    this.stopOnError = stopOnError;
  }

  failed(index: number, error: unknown): void {
    if (this.stopped) return;
    if (this.stopOnError) this.stop(error, false);
    else (this.errors ??= []).push(index, error);
  }

  /** Decides a rejection: aborts running calls and stops reading. */
  stop(error: unknown, aborted: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    this.release();
    this.waits.close();
    if (this.active > 0) {
      this.controller.abort(aborted ? error : decidedError());
    }
    if (!this.feeding && !this.exhausted) {
      closeIterator(this.iterator ?? this.asyncIterator);
    }
    this.wake?.();
    rejectFuture(this.out, error);
  }

  release(): void {
    const registration = this.registration;
    if (registration !== undefined) {
      this.registration = undefined;
      registration[Symbol.dispose]();
    }
  }

  /** Called when a worker, a call or the feeder ends. */
  check(): void {
    if (this.active !== 0 || this.feeding || this.stopped) return;
    this.stopped = true;
    this.release();
    const errors = this.errors;
    if (errors === undefined) {
      this.results.length = this.next;
      resolveFuture(this.out, this.results);
      return;
    }
    // Pairs were pushed in completion order; report them in input order.
    const pairs: [number, unknown][] = [];
    for (let i = 0; i < errors.length; i += 2) {
      pairs.push([errors[i] as number, errors[i + 1]]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    rejectFuture(
      this.out,
      new AggregateError(
        pairs.map((p) => p[1]),
        `${pairs.length} of ${this.next} items failed`,
      ),
    );
  }
}

// A worker over an array or a sync iterable: takes the next item, maps it,
// repeats. No closure and no promise of its own per item.
async function work(run: MapRun): Promise<void> {
  const fn = run.fn;
  const signal = run.signal;
  const array = run.array;
  const iterator = run.iterator;
  for (;;) {
    if (run.stopped) break;
    let index: number;
    let item: unknown;
    if (array !== undefined) {
      index = run.next;
      if (index >= run.length) {
        run.exhausted = true;
        break;
      }
      run.next = index + 1;
      item = array[index];
    } else {
      try {
        const step = nextStep(iterator!);
        if (step.done) {
          run.exhausted = true;
          break;
        }
        item = step.value;
      } catch (error) {
        run.exhausted = true;
        run.stop(error, false);
        break;
      }
      index = run.next++;
    }
    let value;
    try {
      if (isThenable(item)) item = await run.waits.of(item);
      value = fn(item, index, signal);
      if (isThenable(value)) {
        value = await (value instanceof Future ? run.waits.of(value) : value);
      }
    } catch (error) {
      run.failed(index, error);
      continue;
    }
    run.results[index] = value;
  }
  run.active--;
  run.check();
}

// One call for an item of an async source.
async function call(run: MapRun, item: unknown, index: number): Promise<void> {
  try {
    if (isThenable(item)) item = await run.waits.of(item);
    let value = run.fn(item, index, run.signal);
    if (isThenable(value)) {
      value = await (value instanceof Future ? run.waits.of(value) : value);
    }
    run.results[index] = value;
  } catch (error) {
    run.failed(index, error);
  }
  run.active--;
  const wake = run.wake;
  if (wake !== undefined) (run.wake = undefined, wake());
  run.check();
}

// Reads an async source one item at a time, starting a call per item while
// fewer than `concurrency` run.
async function feed(run: MapRun): Promise<void> {
  const iterator = run.asyncIterator!;
  let failed = false;
  let error: unknown;
  try {
    while (!run.stopped) {
      if (run.active >= run.concurrency) {
        await new Promise<void>((resolve) => (run.wake = resolve));
        continue;
      }
      const step = checkStep(await iterator.next());
      if (step.done) {
        run.exhausted = true;
        break;
      }
      if (run.stopped) break; // read, but no longer wanted
      run.active++;
      call(run, step.value, run.next++);
    }
  } catch (e) {
    failed = true;
    error = e;
    run.exhausted = true;
  }
  run.feeding = false;
  if (failed) run.stop(error, false);
  else if (!run.exhausted) closeIterator(iterator);
  run.check();
}

/**
 * Maps `items` with `fn`, running at most `concurrency` calls at once, and
 * fulfils with the results in input order.
 *
 * `items` may be an array, any iterable or an async iterable. It is read
 * lazily, one item each time a call can start, so a generator is never read
 * further than needed; items that are thenables are awaited before `fn`
 * sees them. `fn` receives `(item, index, signal)`: the signal is aborted
 * when the result is no longer wanted (another call failed with
 * `stopOnError`, or the caller aborted).
 *
 * A source left before its end (on failure or abort) is closed with its
 * `return()` method, as `for...of` does. An error thrown by the source
 * itself always rejects at once.
 *
 * The hot path allocates nothing per item beyond what `fn` returns: each
 * worker is one async loop awaiting results in turn.
 *
 * @typeParam T The type of the items.
 * @typeParam R The type of what `fn` returns.
 * @param items An array, iterable or async iterable.
 * @param fn The mapper, `(item, index, signal) => R | PromiseLike<R>`.
 * @param options `concurrency`, `signal`, `stopOnError`.
 * @returns A future of the results, in input order.
 * @throws Rejects with {TypeError} when `items` is not iterable, `fn` is not
 *   a function, or an option has the wrong type; with {RangeError} when
 *   `concurrency` is not an integer >= 1 nor `Infinity`; with the first
 *   failure (an `AggregateError` of every failure with `stopOnError:
 *   false`); and with `signal.reason` when the caller aborts.
 *
 * @example Two at a time, results in input order
 * ```ts
 * import { mapConcurrent } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * let running = 0;
 * let peak = 0;
 * const doubled = await mapConcurrent([3, 1, 2], async (n) => {
 *   peak = Math.max(peak, ++running);
 *   await Promise.resolve(); // some async work
 *   running--;
 *   return n * 2;
 * }, { concurrency: 2 });
 * assert.deepEqual(doubled, [6, 2, 4]);
 * assert.equal(peak, 2);
 * ```
 */
export function mapConcurrent<T, R>(
  items: MapItems<T>,
  fn: Mapper<T, R>,
  options?: MapConcurrentOptions,
): Future<Awaited<R>[]> {
  let concurrency: number;
  let stopOnError: boolean;
  let signal: AbortSignal | undefined;
  try {
    validateMap(ACTION, items, fn, options);
    concurrency = options?.concurrency ?? Infinity;
    stopOnError = orDefault(options?.stopOnError, true);
    if (typeof stopOnError !== "boolean") {
      typeError(ACTION, "stopOnError", "a boolean", stopOnError);
    }
    signal = options?.signal;
  } catch (error) {
    return Future.reject(error);
  }
  if (signal !== undefined && signal.aborted) {
    return Future.reject(signal.reason);
  }
  let source;
  try {
    source = openSource(items);
  } catch (error) {
    return Future.reject(error); // the source's own iterator method threw
  }
  const run = new MapRun(
    fn as Mapper<unknown, unknown>,
    concurrency,
    stopOnError,
  );
  if (signal !== undefined) {
    run.registration = onAbort(signal, (reason) => {
      run.registration = undefined;
      run.stop(reason, true);
    });
  }
  if (source.asyncIterator !== undefined) {
    run.asyncIterator = source.asyncIterator;
    run.feeding = true;
    feed(run);
  } else {
    const array = source.array;
    let workers = concurrency;
    if (array !== undefined) {
      run.array = array;
      run.length = array.length;
      run.results = new Array(array.length);
      if (array.length < workers) workers = array.length;
    } else {
      run.iterator = source.iterator;
    }
    // Each worker reads its first item before returning, so this loop ends
    // once the source is exhausted even when `concurrency` is Infinity.
    for (let w = 0; w < workers && !run.stopped && !run.exhausted; w++) {
      run.active++;
      work(run);
    }
    run.check();
  }
  return run.out as Future<Awaited<R>[]>;
}
