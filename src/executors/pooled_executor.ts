/**
 * `PooledExecutor`: a concurrency-limited task pool with priorities, weights,
 * a bounded queue, pause and resume, idle and empty notifications, and
 * removal of queued tasks through their signal.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Executor } from "../core/executor.ts";
import {
  assertClock,
  assertDuration,
  assertFinite,
  assertFunction,
  assertInteger,
  assertIntegerOrInfinity,
  assertOptions,
  assertSignal,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import { PoolEngine } from "./_pool_engine.ts";
import type { TaskContext } from "./task_context.ts";

/** Options of the {@linkcode PooledExecutor} constructor. */
export interface PooledExecutorOptions {
  /**
   * The number of slots: the total weight of the tasks that may run at once.
   * An integer >= 1, or `Infinity`.
   */
  concurrency: number;
  /**
   * The most tasks that may wait for a slot; one more is rejected with a
   * {@linkcode QueueFullError}. An integer >= 0, or `Infinity`. Unbounded
   * by default because a queue's job is to hold work until a slot frees
   * (as in p-queue); bound it to shed load instead.
   *
   * @default {Infinity}
   */
  maxQueue?: number | undefined;
  /**
   * The clock that measures `timeoutMs` of submitted tasks.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

/** Options of {@linkcode PooledExecutor.submit}. */
export interface PooledSubmitOptions {
  /**
   * Higher runs first; equal priorities run in submission order. A finite
   * number.
   *
   * @default {0}
   */
  priority?: number | undefined;
  /**
   * The number of slots the task occupies while it runs: an integer from 1
   * to the executor's `concurrency`.
   *
   * @default {1}
   */
  weight?: number | undefined;
  /**
   * Removes the task when it aborts while the task waits; aborts the task's
   * own signal when it aborts while the task runs. Either way the future
   * rejects with `signal.reason` at once.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
  /**
   * The longest the task may run, in milliseconds, from its start. When it
   * elapses, the future rejects with a `DOMException` named
   * `"TimeoutError"` and the task's signal aborts with it.
   *
   * @default {undefined} (no limit)
   */
  timeoutMs?: number | undefined;
}

/** Options of {@linkcode PooledExecutor.onIdle} and `onEmpty`. */
export interface PooledWaitOptions {
  /**
   * Stop waiting, rejecting with `signal.reason`, when it aborts.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
}

const SUBMIT = "submit the task";
const EXECUTE = "execute the task";
const CREATE = "create the PooledExecutor";

/**
 * Runs tasks with at most `concurrency` slots busy at once; the others wait
 * in a queue ordered by priority (higher first), then by submission.
 *
 * - A task of weight `w` occupies `w` slots. The queue is strict: a heavy
 *   task at the head waits for enough slots, and the tasks behind it wait
 *   too, so no task starves.
 * - When a slot is free and nothing waits, `submit` starts the task at once,
 *   synchronously.
 * - Aborting a waiting task's signal removes it at once (O(1)); aborting a
 *   running task's signal aborts the signal the task received. Either way
 *   its future rejects with `signal.reason` at once, but a running task
 *   keeps its slots until it really settles, so `concurrency` bounds the
 *   work in progress, not only the work awaited.
 * - The queue is unbounded by default (`maxQueue: Infinity`): a queue's job
 *   is to hold work until a slot frees, as in p-queue. Set `maxQueue` to
 *   refuse work past a bound with a {@linkcode QueueFullError}.
 * - `clear(reason)` rejects every waiting task; nothing is left pending.
 * - It is an {@linkcode Executor} too: `execute(task)` runs a synchronous
 *   task in a slot on a later microtask, so `future.via(pool)` runs
 *   continuations under the pool's limit, pause and order.
 *
 * @example Limiting concurrency
 * ```ts
 * import { PooledExecutor } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const pool = new PooledExecutor({ concurrency: 2 });
 * let running = 0;
 * let peak = 0;
 * const job = async (x: number) => {
 *   peak = Math.max(peak, ++running);
 *   await Promise.resolve();
 *   running--;
 *   return x * 10;
 * };
 * const results = await Promise.all([1, 2, 3, 4].map((x) => pool.submit(() => job(x))));
 * assert.deepEqual(results, [10, 20, 30, 40]);
 * assert.equal(peak, 2);
 * ```
 */
export class PooledExecutor implements Executor, AsyncDisposable {
  readonly #pool: PoolEngine;

  /**
   * Creates the executor.
   *
   * @param options `concurrency` (required), `maxQueue`, `clock`.
   * @throws {TypeError} When `options` is not an object (an `AbortSignal` in
   *   its place included), an option has the wrong type, or `clock` is not a
   *   `Clock`.
   * @throws {RangeError} When `concurrency` is not an integer >= 1 or
   *   `Infinity`, or `maxQueue` not an integer >= 0 or `Infinity`.
   *
   * @example A bounded pool
   * ```ts
   * import { PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 4, maxQueue: 100 });
   * assert.equal(pool.concurrency, 4);
   * assert.equal(pool.maxQueue, 100);
   * ```
   */
  constructor(options: PooledExecutorOptions) {
    if (options === undefined) {
      typeError(CREATE, "options", "an options object", options);
    }
    assertOptions(CREATE, options);
    const { concurrency, maxQueue = Infinity, clock = systemClock } = options;
    assertIntegerOrInfinity(CREATE, "concurrency", concurrency, 1);
    assertIntegerOrInfinity(CREATE, "maxQueue", maxQueue, 0);
    assertClock(CREATE, clock);
    this.#pool = new PoolEngine(concurrency, maxQueue, clock);
  }

  /**
   * The number of slots. Setting it takes effect at once: raising it starts
   * waiting tasks; lowering it lets running tasks finish and starts new ones
   * only when slots are free. A waiting task heavier than a lowered limit
   * runs alone, taking every slot. An integer >= 1, or `Infinity`.
   *
   * @throws {TypeError} When set to something other than a number.
   * @throws {RangeError} When set to a number that is neither an integer
   *   >= 1 nor `Infinity`.
   */
  get concurrency(): number {
    return this.#pool.concurrency;
  }

  set concurrency(value: number) {
    assertIntegerOrInfinity("set the concurrency", "concurrency", value, 1);
    this.#pool.concurrency = value;
    this.#pool.drain();
  }

  /** The most tasks that may wait (see {@linkcode PooledExecutorOptions}). */
  get maxQueue(): number {
    return this.#pool.maxQueue;
  }

  /**
   * The number of tasks holding slots: running, or (for `execute`) started
   * and about to run.
   */
  get running(): number {
    return this.#pool.running;
  }

  /** The number of tasks waiting for a slot. */
  get queued(): number {
    return this.#pool.queue.size;
  }

  /** Whether the executor is paused. */
  get paused(): boolean {
    return this.#pool.paused;
  }

  /**
   * Runs `fn` in a slot, now when one is free and nothing waits (`fn` is
   * then called synchronously, inside `submit`), otherwise once its turn
   * comes. `fn` receives a {@linkcode TaskContext} whose `signal` aborts when
   * the caller's `signal` aborts or `timeoutMs` elapses while it runs.
   *
   * @typeParam T The type of the result.
   * @param fn The task; a throw or a rejection rejects the future.
   * @param options `priority`, `weight`, `signal`, `timeoutMs`.
   * @returns A future of the task's result. It rejects with `signal.reason`
   *   (already aborted, or aborted before the task settles), with a
   *   `DOMException` named `"TimeoutError"`, with a {@linkcode QueueFullError}
   *   when the queue is full, with the `clear` reason, or with an
   *   {@linkcode InvalidStateError} once the executor is disposed.
   * @throws {TypeError} Rejects with it (never throws), before anything is
   *   queued, when `fn` is not a function or an option has the wrong type
   *   (an `AbortSignal` in place of the options included).
   * @throws {RangeError} Rejects with it when `priority` is not finite,
   *   `weight` is not an integer from 1 to `concurrency`, or `timeoutMs` is
   *   negative or not finite.
   *
   * @example Priorities, and a waiting task removed through its signal
   * ```ts
   * import { Completer, PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * const gate = new Completer<void>();
   * const order: string[] = [];
   * const first = pool.submit(() => gate.future);
   * const low = pool.submit(() => order.push("low"), { priority: -1 });
   * const high = pool.submit(() => order.push("high"), { priority: 5 });
   * const controller = new AbortController();
   * const dropped = pool.submit(() => "never", { signal: controller.signal });
   * controller.abort(new Error("not needed"));
   * await assert.rejects(dropped, /not needed/);
   * assert.equal(pool.queued, 2);
   * gate.resolve();
   * await Promise.all([first, low, high]);
   * assert.deepEqual(order, ["high", "low"]);
   * ```
   */
  submit<T>(
    fn: (context: TaskContext) => T | PromiseLike<T>,
    options?: PooledSubmitOptions,
  ): Future<Awaited<T>> {
    let priority = 0;
    let weight = 1;
    let timeoutMs = -1;
    let signal: AbortSignal | undefined;
    try {
      assertFunction(SUBMIT, "fn", fn);
      if (options !== undefined) {
        assertOptions(SUBMIT, options);
        if (options.priority !== undefined) {
          priority = options.priority;
          assertFinite(SUBMIT, "priority", priority);
        }
        if (options.weight !== undefined) {
          weight = options.weight;
          assertInteger(SUBMIT, "weight", weight, 1);
          const concurrency = this.#pool.concurrency;
          if (weight > concurrency) {
            rangeError(
              SUBMIT,
              "weight",
              `an integer <= concurrency (${concurrency})`,
              weight,
            );
          }
        }
        if (options.timeoutMs !== undefined) {
          timeoutMs = options.timeoutMs;
          assertDuration(SUBMIT, "timeoutMs", timeoutMs);
        }
        signal = options.signal;
        assertSignal(SUBMIT, signal);
      }
    } catch (error) {
      return Future.reject(error);
    }
    if (signal?.aborted) return Future.reject(signal.reason);
    return this.#pool.submit(fn, priority, weight, timeoutMs, signal);
  }

  /**
   * Runs a synchronous `task` in a slot (weight 1, priority 0), always on a
   * later microtask, never inside `execute`. A throw is reported (rethrown
   * on a microtask). This makes the executor usable with
   * {@linkcode Future.via}; `clear` leaves these tasks queued, since they
   * have no future to reject.
   *
   * @param task The task.
   * @throws {TypeError} When `task` is not a function.
   * @throws {QueueFullError} When the task cannot start and the queue is
   *   full.
   * @throws {InvalidStateError} Once the executor is disposed.
   *
   * @example Continuations under the pool's control
   * ```ts
   * import { Future, PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * pool.pause();
   * let ran = false;
   * const next = Future.resolve(1).via(pool).then((x) => (ran = true, x + 1));
   * await new Promise((r) => setTimeout(r, 0));
   * assert.equal(ran, false);
   * pool.resume();
   * assert.equal(await next, 2);
   * ```
   */
  execute(task: () => void): void {
    assertFunction(EXECUTE, "task", task);
    this.#pool.execute(task);
  }

  /**
   * Stops starting tasks; running ones go on. Submissions queue up.
   *
   * @example Pausing
   * ```ts
   * import { PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 2 });
   * pool.pause();
   * let ran = false;
   * const job = pool.submit(() => (ran = true));
   * assert.equal(ran, false);
   * assert.equal(pool.queued, 1);
   * pool.resume();
   * await job;
   * ```
   */
  pause(): void {
    this.#pool.paused = true;
  }

  /**
   * Starts waiting tasks again, at once, as far as slots allow.
   *
   * @example Resuming
   * ```ts
   * import { PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * pool.pause();
   * const job = pool.submit(() => 7);
   * pool.resume();
   * assert.equal(pool.running, 0);
   * assert.equal(await job, 7);
   * ```
   */
  resume(): void {
    const pool = this.#pool;
    pool.paused = false;
    pool.drain();
  }

  /**
   * Removes every waiting task and rejects its future with `reason`
   * (default: a `DOMException` named `"AbortError"`). These rejections are
   * marked handled: the caller asked for them, so a future nobody awaits is
   * not reported as an unhandled rejection. Running tasks are not affected.
   *
   * @param reason The rejection reason.
   * @returns The number of tasks removed.
   *
   * @example Clearing the queue
   * ```ts
   * import { Completer, PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * const gate = new Completer<void>();
   * const running = pool.submit(() => gate.future);
   * const waiting = pool.submit(() => "never");
   * assert.equal(pool.clear(), 1);
   * await assert.rejects(waiting, { name: "AbortError" });
   * gate.resolve();
   * await running;
   * ```
   */
  clear(reason?: unknown): number {
    return this.#pool.clear(reason);
  }

  /**
   * Resolves once no task waits (running ones may remain): at once when the
   * queue is empty.
   *
   * @param options `signal`.
   * @returns A future that resolves when the queue is empty, or rejects
   *   with `signal.reason` (the wait is then forgotten).
   * @throws {TypeError} Rejects with it (never throws) when `options` or
   *   `signal` has the wrong type.
   *
   * @example Waiting until everything has started
   * ```ts
   * import { Completer, PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * const gate = new Completer<void>();
   * const a = pool.submit(() => gate.future);
   * const b = pool.submit(() => 2);
   * const empty = pool.onEmpty();
   * assert.equal(empty.state, "pending");
   * gate.resolve();
   * await empty;
   * assert.equal(pool.queued, 0);
   * await Promise.all([a, b]);
   * ```
   */
  onEmpty(options?: PooledWaitOptions): Future<void> {
    return this.#wait("wait for an empty queue", false, options);
  }

  /**
   * Resolves once no task waits and none runs: at once when idle.
   *
   * @param options `signal`.
   * @returns A future that resolves when idle, or rejects with
   *   `signal.reason` (the wait is then forgotten).
   * @throws {TypeError} Rejects with it (never throws) when `options` or
   *   `signal` has the wrong type.
   *
   * @example Waiting for all work to finish, or giving up
   * ```ts
   * import { PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 2 });
   * let done = 0;
   * for (let i = 0; i < 5; i++) {
   *   pool.submit(async () => {
   *     await Promise.resolve();
   *     done++;
   *   });
   * }
   * const controller = new AbortController();
   * const gaveUp = pool.onIdle({ signal: controller.signal });
   * controller.abort(new Error("gave up"));
   * await assert.rejects(gaveUp, /gave up/);
   * await pool.onIdle();
   * assert.equal(done, 5);
   * ```
   */
  onIdle(options?: PooledWaitOptions): Future<void> {
    return this.#wait("wait for an idle executor", true, options);
  }

  /**
   * Stops accepting work (later `submit` calls reject and `execute` throws
   * an {@linkcode InvalidStateError}), resumes a paused executor so that the
   * waiting tasks run, and resolves once every task has settled. Call
   * `clear()` first to drop the waiting tasks instead.
   *
   * @returns A future that resolves once the executor is idle.
   *
   * @example Scoped use
   * ```ts
   * import { InvalidStateError, PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * let finished = false;
   * let escaped: PooledExecutor;
   * {
   *   await using pool = new PooledExecutor({ concurrency: 1 });
   *   escaped = pool;
   *   pool.submit(async () => {
   *     await Promise.resolve();
   *     finished = true;
   *   });
   * }
   * assert.equal(finished, true);
   * await assert.rejects(escaped.submit(() => 1), InvalidStateError);
   * ```
   */
  [Symbol.asyncDispose](): Future<void> {
    this.#pool.close();
    return this.onIdle();
  }

  #wait(
    action: string,
    idle: boolean,
    options: PooledWaitOptions | undefined,
  ): Future<void> {
    let signal: AbortSignal | undefined;
    try {
      assertOptions(action, options);
      signal = options?.signal;
      assertSignal(action, signal);
    } catch (error) {
      return Future.reject(error);
    }
    if (signal?.aborted) return Future.reject(signal.reason);
    return this.#pool.wait(idle, signal);
  }
}
