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
} from "../core/_validate.ts";
import { RingQueue } from "../core/_ring.ts";
import { onAbort } from "../cancel/signals.ts";
import { NEVER_ABORTED } from "./_context.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import { policyCall } from "./_policy_call.ts";

/**
 * Options of the {@linkcode Bulkhead} constructor.
 *
 * @example One call at a time, no queue
 * ```ts
 * import {
 *   Bulkhead,
 *   type BulkheadOptions,
 *   BulkheadRejectedError,
 * } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const options: BulkheadOptions = { maxConcurrent: 1, maxQueue: 0 };
 * const bulkhead = new Bulkhead(options);
 * let finish = (): void => {};
 * const first = bulkhead.execute(() => new Promise<void>((resolve) => (finish = resolve)));
 * await assert.rejects(bulkhead.execute(() => "second"), BulkheadRejectedError);
 * finish();
 * await first;
 * ```
 */
export interface BulkheadOptions {
  /** The most calls running at once, an integer >= 1. */
  maxConcurrent: number;
  /**
   * The most calls waiting for a slot, an integer >= 0 or `Infinity`.
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
 * A bulkhead as a {@linkcode Policy}: at most `maxConcurrent` calls run at
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
 * const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 1 });
 * const gates: (() => void)[] = [];
 * const work = () => new Promise<void>((r) => gates.push(r));
 * const calls = [bulkhead.execute(work), bulkhead.execute(work), bulkhead.execute(work)];
 * assert.equal(bulkhead.active, 2);
 * assert.equal(bulkhead.queued, 1);
 * await assert.rejects(bulkhead.execute(work), { name: "BulkheadRejectedError" });
 * gates.shift()!();
 * await calls[0];
 * assert.equal(bulkhead.queued, 0);
 * while (gates.length > 0) gates.shift()!();
 * await Promise.all(calls);
 * assert.equal(bulkhead.active, 0);
 * ```
 */
export class Bulkhead implements Policy {
  /**
   * The most calls running at once.
   *
   * @example Reading the limit
   * ```ts
   * import { Bulkhead } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const bulkhead = new Bulkhead({ maxConcurrent: 4 });
   * assert.equal(bulkhead.maxConcurrent, 4);
   * ```
   */
  readonly maxConcurrent: number;
  /**
   * The most calls waiting.
   *
   * @example No queue by default
   * ```ts
   * import { Bulkhead } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Bulkhead({ maxConcurrent: 1 }).maxQueue, 0);
   * assert.equal(new Bulkhead({ maxConcurrent: 1, maxQueue: Infinity }).maxQueue, Infinity);
   * ```
   */
  readonly maxQueue: number;
  readonly #queue = new RingQueue<Waiter>();
  #active = 0;

  /**
   * Creates an empty bulkhead.
   *
   * @param options The limits.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options: BulkheadOptions) {
    assertOptions(CREATE, options);
    const maxConcurrent = options?.maxConcurrent;
    assertInteger(CREATE, "maxConcurrent", maxConcurrent);
    const maxQueue = options.maxQueue ?? 0;
    assertIntegerOrInfinity(CREATE, "maxQueue", maxQueue, 0);
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }

  /**
   * The number of calls running.
   *
   * @example A slot is taken while a call runs
   * ```ts
   * import { Bulkhead } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const bulkhead = new Bulkhead({ maxConcurrent: 2 });
   * let finish = (): void => {};
   * const call = bulkhead.execute(() => new Promise<void>((resolve) => (finish = resolve)));
   * assert.equal(bulkhead.active, 1);
   * finish();
   * await call;
   * assert.equal(bulkhead.active, 0);
   * ```
   */
  get active(): number {
    return this.#active;
  }

  /**
   * The number of calls waiting for a slot.
   *
   * @example A call waits for the running one
   * ```ts
   * import { Bulkhead } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5 });
   * let finish = (): void => {};
   * const first = bulkhead.execute(() => new Promise<void>((resolve) => (finish = resolve)));
   * const second = bulkhead.execute(() => "next");
   * assert.equal(bulkhead.queued, 1);
   * finish();
   * assert.equal(await second, "next");
   * await first;
   * assert.equal(bulkhead.queued, 0);
   * ```
   */
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
   * @throws {BulkheadRejectedError} (as a rejection) When every slot and
   *   every place in the queue is taken.
   * @throws {TypeError} (as a rejection) When `fn` or `options` is invalid.
   *
   * @example Running a call in a free slot
   * ```ts
   * import { Bulkhead } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const bulkhead = new Bulkhead({ maxConcurrent: 1 });
   * assert.equal(await bulkhead.execute(({ attempt }) => attempt * 10), 10);
   * assert.equal(bulkhead.active, 0);
   * ```
   */
  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T> {
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context as Promise<never>;
    if (this.#active < this.maxConcurrent) {
      this.#active++;
      return this.#run(fn, context);
    }
    if (this.#queue.length >= this.maxQueue) {
      return Promise.reject(
        new BulkheadRejectedError(this.maxConcurrent, this.maxQueue),
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
      this.#active--;
      return;
    }
    next.registration?.[Symbol.dispose]();
    this.#run(next.fn, next.context).then(next.resolve, next.reject);
  }
}
