/**
 * The iterator behind `mapConcurrentIterable`: starts calls while the
 * concurrency and buffer limits allow, hands results to waiting `next()`
 * calls (in input order or as they finish), and releases everything it holds
 * (running calls, the source, the abort listener) when it ends.
 *
 * @module
 */

import { onAbort } from "../cancel/signals.ts";
import { RingQueue } from "../core/_ring.ts";
import {
  checkStep,
  closeIterator,
  type MapItems,
  type Mapper,
  nextStep,
  openSource,
} from "./_map_source.ts";
import { decidedError } from "../core/_reasons.ts";
import { isThenable } from "../core/_thenable.ts";
import { FutureWaits } from "./_future_waits.ts";
import { Future } from "../future/future.ts";
import type { MapConcurrentIterator } from "./map_concurrent_iterable.ts";

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

/** See `mapConcurrentIterable`. */
export class MapIterator implements MapConcurrentIterator<unknown> {
  readonly #items: MapItems<unknown>;
  readonly #fn: Mapper<unknown, unknown>;
  readonly #concurrency: number;
  readonly #bufferSize: number;
  readonly #ordered: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #controller = new AbortController();
  /** The running calls' waits on `Future`s, taken off by `#finish()`. */
  readonly #waits = new FutureWaits();
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
    this.#finish(decidedError);
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
    let source;
    try {
      source = openSource(this.#items);
    } catch (error) {
      // The source's own iterator method threw: the first next() rejects.
      this.#exhausted = this.#finished = this.#failed = true;
      this.#error = error;
      return;
    }
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
            step = nextStep(iterator);
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
    pending.then((result) => {
      this.#pulling = false;
      let step;
      try {
        step = checkStep(result);
      } catch (error) {
        this.#exhausted = true;
        this.#fail(error, false);
        return;
      }
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
    let slot: Slot | undefined;
    if (this.#ordered) {
      this.#slots.push(slot = { done: false, value: undefined });
    }
    this.#run(item, index, slot);
  }

  async #run(
    item: unknown,
    index: number,
    slot: Slot | undefined,
  ): Promise<void> {
    let value;
    try {
      if (isThenable(item)) item = await this.#waits.of(item);
      value = this.#fn(item, index, this.#controller.signal);
      if (isThenable(value)) {
        value = await (value instanceof Future ? this.#waits.of(value) : value);
      }
    } catch (error) {
      this.#running--;
      this.#fail(error, false);
      return;
    }
    this.#running--;
    if (this.#finished) return;
    if (slot !== undefined) {
      slot.done = true;
      slot.value = value;
    } else this.#ready.push(value);
    this.#fill();
  }

  #fail(error: unknown, aborted: boolean): void {
    if (this.#finished) return;
    this.#finish(aborted ? () => error : decidedError);
    this.#failed = true;
    this.#error = error;
    this.#deliver();
  }

  // Ends the iteration: drops what is buffered, takes the waits off the
  // running calls' futures and aborts those calls, closes the source and
  // removes the abort listener.
  #finish(reason: () => unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#slots.drain();
    this.#ready.drain();
    this.#waits.close();
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
      if (this.#drained()) {
        this.#finish(decidedError);
        continue;
      }
      break;
    }
    this.#delivering = false;
    if (consumed) this.#fill();
    // Everything was handed over: release the listener without waiting for
    // one more `next()`.
    else if (!this.#finished && this.#drained()) this.#finish(decidedError);
  }

  // Whether no result is left to come or to hand over.
  #drained(): boolean {
    return this.#exhausted && this.#running === 0 && !this.#pulling &&
      this.#slots.length === 0 && this.#ready.length === 0;
  }
}
