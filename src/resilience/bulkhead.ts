/**
 * `Bulkhead`: a {@linkcode Policy} that caps how many calls run at once and
 * how many wait, so one slow dependency cannot take every resource.
 *
 * @module
 */

import { BulkheadRejectedError } from "../core/errors.ts";
import {
  assertInteger,
  assertIntegerOrInfinity,
  assertOptions,
  orDefault,
  typeError,
} from "../core/_validate.ts";
import { RingQueue } from "../core/_ring.ts";
import { onAbort } from "../cancel/signals.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import { NEVER_ABORTED, policyCall } from "./_policy_call.ts";

/** Options of the {@linkcode Bulkhead} constructor. */
export interface BulkheadOptions {
  /** The most calls running at once, an integer >= 1. */
  concurrency: number;
  /**
   * The most calls waiting for a slot, an integer >= 0 or `Infinity`. None
   * by default: a bulkhead sheds load (as cockatiel's and Polly's do), where
   * a queue's job is to hold work (`PooledExecutor` defaults to `Infinity`).
   *
   * @default {0}
   */
  maxQueue?: number;
}

interface Waiter {
  fn: (context: PolicyContext) => unknown;
  context: PolicyContext;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  registration: Disposable | undefined;
}

const CREATE = "create the bulkhead";

/**
 * A bulkhead as a {@linkcode Policy}: at most `concurrency` calls run at
 * once; up to `maxQueue` more wait and start in the order they came, each as
 * soon as a running call ends; any more are rejected at once with a
 * {@linkcode BulkheadRejectedError}.
 *
 * A waiting call whose signal aborts leaves the queue at once (its place is
 * free for the next caller), its abort listener is removed, and it rejects
 * with `signal.reason`. A running call gets the caller's signal through its
 * context and should honour it; its slot is freed when it settles.
 *
 * @example Two at a time, the third waits
 * ```ts
 * import { Bulkhead } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const bulkhead = new Bulkhead({ concurrency: 2, maxQueue: 1 });
 * const gates: (() => void)[] = [];
 * const work = () => new Promise<void>((r) => gates.push(r));
 * const calls = [bulkhead.execute(work), bulkhead.execute(work), bulkhead.execute(work)];
 * assert.equal(bulkhead.running, 2);
 * assert.equal(bulkhead.queued, 1);
 * await assert.rejects(bulkhead.execute(work), { name: "BulkheadRejectedError" });
 * gates.shift()!();
 * await calls[0];
 * assert.equal(bulkhead.queued, 0);
 * while (gates.length > 0) gates.shift()!();
 * await Promise.all(calls);
 * assert.equal(bulkhead.running, 0);
 * ```
 */
export class Bulkhead implements Policy {
  /** The most calls running at once. */
  readonly concurrency: number;
  /** The most calls waiting. */
  readonly maxQueue: number;
  // The state: the calls running and the calls waiting, in order.
  #running = 0;
  readonly #queue = new RingQueue<Waiter>();

  /**
   * Creates an empty bulkhead.
   *
   * @param options The limits.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options: BulkheadOptions) {
    assertOptions(CREATE, options);
    if (options === undefined) {
      typeError(CREATE, "options", "an options object", options);
    }
    const concurrency = options.concurrency;
    assertInteger(CREATE, "concurrency", concurrency);
    const maxQueue = orDefault(options.maxQueue, 0);
    assertIntegerOrInfinity(CREATE, "maxQueue", maxQueue, 0);
    this.concurrency = concurrency;
    this.maxQueue = maxQueue;
  }

  /** The number of calls running. */
  get running(): number {
    return this.#running;
  }

  /** The number of calls waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs `fn` when a slot is free, waiting in line if need be.
   *
   * @typeParam T The value `fn` produces.
   * @param fn The work; receives the caller's signal and attempt.
   * @param options The caller's signal.
   * @returns What `fn` produced.
   * @throws {BulkheadRejectedError} Rejects with it when every slot and
   *   every place in the queue is taken.
   * @throws {TypeError} Rejects with it when `fn` or `options` is invalid.
   *
   * @example Running a call in a free slot
   * ```ts
   * import { Bulkhead } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const bulkhead = new Bulkhead({ concurrency: 1 });
   * assert.equal(await bulkhead.execute(({ attempt }) => attempt * 10), 10);
   * assert.equal(bulkhead.running, 0);
   * ```
   */
  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T> {
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context as Promise<never>;
    if (this.#running < this.concurrency) {
      this.#running++;
      return this.#run(fn, context);
    }
    if (this.#queue.length >= this.maxQueue) {
      return Promise.reject(
        new BulkheadRejectedError(
          this.concurrency,
          this.maxQueue,
          this.#queue.length,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        fn,
        context,
        resolve: resolve as (value: unknown) => void,
        reject,
        registration: undefined,
      };
      this.#queue.push(waiter);
      if (context.signal !== NEVER_ABORTED) {
        waiter.registration = onAbort(context.signal, (reason) => {
          this.#queue.remove(waiter);
          reject(reason);
        });
      }
    });
  }

  async #run<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    context: PolicyContext,
  ): Promise<T> {
    try {
      return await fn(context);
    } finally {
      this.#release();
    }
  }

  // Hands the slot of a call that ended to the first waiter, or frees it.
  #release(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#running--;
      return;
    }
    next.registration?.[Symbol.dispose]();
    this.#run(next.fn, next.context).then(next.resolve, next.reject);
  }
}
