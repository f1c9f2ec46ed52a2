/**
 * `mapConcurrentIterable`: the streaming form of `mapConcurrent`, an async
 * iterable of results with backpressure.
 *
 * @module
 */

import { onAbort } from "../cancel/signals.ts";
import { RingQueue } from "../core/_ring.ts";
import { assertIntegerOrInfinity, typeError } from "../core/_validate.ts";
import {
  closeIterator,
  type MapItems,
  type Mapper,
  openSource,
  validateMap,
} from "./_map_source.ts";
import { decidedReason, isThenable } from "./_support.ts";

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

interface Slot {
  done: boolean;
  value: unknown;
}

interface Waiter {
  resolve: (result: IteratorResult<unknown>) => void;
  reject: (error: unknown) => void;
}

const DONE: IteratorResult<never> = Object.freeze({
  done: true,
  value: undefined,
});

class MapIterator implements MapConcurrentIterator<unknown> {
  readonly #items: MapItems<unknown>;
  readonly #fn: Mapper<unknown, unknown>;
  readonly #concurrency: number;
  readonly #bufferSize: number;
  readonly #ordered: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #controller = new AbortController();
  #array: ArrayLike<unknown> | undefined;
  #iterator: Iterator<unknown> | undefined;
  #asyncIterator: AsyncIterator<unknown> | undefined;
  #registration: Disposable | undefined;
  // Ordered: one slot per item taken, in input order. Unordered: results.
  readonly #slots = new RingQueue<Slot>();
  readonly #ready = new RingQueue<unknown>();
  readonly #waiters = new RingQueue<Waiter>();
  #started = false;
  /** No more results: exhausted and drained, failed, or returned. */
  #finished = false;
  #failed = false;
  #error: unknown = undefined;
  #exhausted = false;
  #pulling = false;
  #filling = false;
  #delivering = false;
  #running = 0;
  #taken = 0;
  #consumed = 0;

  constructor(
    items: MapItems<unknown>,
    fn: Mapper<unknown, unknown>,
    concurrency: number,
    bufferSize: number,
    ordered: boolean,
    signal: AbortSignal | undefined,
  ) {
    this.#items = items;
    this.#fn = fn;
    this.#concurrency = concurrency;
    this.#bufferSize = bufferSize;
    this.#ordered = ordered;
    this.#signal = signal;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (!this.#started) this.#start();
    if (this.#finished && !this.#failed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#deliver();
    });
  }

  return(): Promise<IteratorResult<unknown>> {
    this.#started = true;
    this.#finish(decidedReason);
    this.#failed = false;
    this.#deliver();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.return().then(() => undefined);
  }

  #start(): void {
    this.#started = true;
    const signal = this.#signal;
    if (signal !== undefined && signal.aborted) {
      this.#finished = this.#failed = true;
      this.#error = signal.reason;
      return;
    }
    const source = openSource(this.#items);
    this.#array = source.array;
    this.#iterator = source.iterator;
    this.#asyncIterator = source.asyncIterator;
    if (signal !== undefined) {
      this.#registration = onAbort(signal, (reason) => {
        this.#registration = undefined;
        this.#fail(reason, true);
      });
    }
    this.#fill();
  }

  // Starts calls while the limits allow. Not re-entrant: a call that
  // finishes synchronously only updates counters; the loop goes on.
  #fill(): void {
    if (this.#filling) return;
    this.#filling = true;
    try {
      while (
        !this.#finished && !this.#exhausted && !this.#pulling &&
        this.#running < this.#concurrency &&
        this.#taken - this.#consumed < this.#bufferSize
      ) {
        const array = this.#array;
        if (array !== undefined) {
          if (this.#taken >= array.length) this.#exhausted = true;
          else this.#call(array[this.#taken]);
          continue;
        }
        const iterator = this.#iterator;
        if (iterator !== undefined) {
          let step;
          try {
            step = iterator.next();
          } catch (error) {
            this.#exhausted = true;
            this.#fail(error, false);
            break;
          }
          if (step.done) this.#exhausted = true;
          else this.#call(step.value);
          continue;
        }
        this.#pull();
      }
    } finally {
      this.#filling = false;
    }
    this.#deliver();
  }

  #pull(): void {
    this.#pulling = true;
    const iterator = this.#asyncIterator!;
    let pending;
    try {
      pending = Promise.resolve(iterator.next());
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then((step) => {
      this.#pulling = false;
      if (this.#finished) {
        if (step.done !== true) closeIterator(iterator);
        return;
      }
      if (step.done) this.#exhausted = true;
      else this.#call(step.value);
      this.#fill();
    }, (error) => {
      this.#pulling = false;
      this.#exhausted = true;
      this.#fail(error, false);
    });
  }

  #call(item: unknown): void {
    const index = this.#taken++;
    this.#running++;
    const slot: Slot = { done: false, value: undefined };
    if (this.#ordered) this.#slots.push(slot);
    this.#run(item, index, slot);
  }

  async #run(item: unknown, index: number, slot: Slot): Promise<void> {
    let value;
    try {
      if (isThenable(item)) item = await item;
      value = this.#fn(item, index, this.#controller.signal);
      if (isThenable(value)) value = await value;
    } catch (error) {
      this.#running--;
      this.#fail(error, false);
      return;
    }
    this.#running--;
    if (this.#finished) return;
    if (this.#ordered) {
      slot.done = true;
      slot.value = value;
    } else this.#ready.push(value);
    this.#fill();
  }

  #fail(error: unknown, aborted: boolean): void {
    if (this.#finished) return;
    this.#finish(aborted ? () => error : decidedReason);
    this.#failed = true;
    this.#error = error;
    this.#deliver();
  }

  // Ends the iteration: drops what is buffered, aborts running calls, closes
  // the source and removes the abort listener.
  #finish(reason: () => unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#slots.drain();
    this.#ready.drain();
    if (this.#running > 0) this.#controller.abort(reason());
    if (!this.#exhausted && !this.#pulling) {
      closeIterator(this.#iterator ?? this.#asyncIterator);
    }
    const registration = this.#registration;
    if (registration !== undefined) {
      this.#registration = undefined;
      registration[Symbol.dispose]();
    }
  }

  // Answers waiting `next()` calls with what is ready.
  #deliver(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    const waiters = this.#waiters;
    let consumed = false;
    while (waiters.length > 0) {
      if (this.#finished) {
        const waiter = waiters.shift()!;
        if (this.#failed) {
          this.#failed = false; // reported once; later calls get done
          const error = this.#error;
          this.#error = undefined;
          waiter.reject(error);
        } else waiter.resolve(DONE);
        continue;
      }
      let has = false;
      let value: unknown;
      if (this.#ordered) {
        const head = this.#slots.peek();
        if (head !== undefined && head.done) {
          this.#slots.shift();
          has = true;
          value = head.value;
        }
      } else if (this.#ready.length > 0) {
        has = true;
        value = this.#ready.shift();
      }
      if (has) {
        this.#consumed++;
        consumed = true;
        waiters.shift()!.resolve({ done: false, value });
        continue;
      }
      if (this.#exhausted && this.#running === 0 && !this.#pulling) {
        this.#finish(decidedReason);
        continue;
      }
      break;
    }
    this.#delivering = false;
    if (consumed) this.#fill();
  }
}

/**
 * Maps `items` with `fn`, at most `concurrency` calls at once, and returns an
 * async iterable of the results: in input order (`ordered: true`, the
 * default) or as the calls finish (`ordered: false`).
 *
 * Nothing runs until the first `next()`. Then items are read lazily: a call
 * starts only while fewer than `concurrency` run and fewer than `bufferSize`
 * items are taken but not yet consumed, so a slow consumer holds the
 * producer back and memory stays bounded. `concurrency` is never exceeded.
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
 *   or an option has the wrong type.
 * @throws {RangeError} When `concurrency` or `bufferSize` is not an integer
 *   >= 1 nor `Infinity`.
 *
 * @example Streaming in completion order
 * ```ts
 * import { Completer, mapConcurrentIterable } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const gates = {
 *   a: new Completer<void>(),
 *   b: new Completer<void>(),
 *   c: new Completer<void>(),
 * };
 * const names = ["a", "b", "c"] as const;
 * const results = mapConcurrentIterable(names, async (name) => {
 *   await gates[name].future;
 *   return name;
 * }, { concurrency: 3, ordered: false });
 * const first = results.next(); // starts the three calls
 * gates.b.resolve();
 * assert.deepEqual(await first, { done: false, value: "b" });
 * gates.c.resolve();
 * gates.a.resolve();
 * const rest: string[] = [];
 * for await (const name of results) rest.push(name);
 * assert.deepEqual(rest, ["c", "a"]);
 * ```
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
  const bufferSize = options?.bufferSize ?? concurrency;
  assertIntegerOrInfinity(ACTION, "bufferSize", bufferSize);
  const ordered = options?.ordered ?? true;
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
