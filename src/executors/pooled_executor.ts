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
import { InvalidStateError, QueueFullError } from "../core/errors.ts";
import { type TimerQueue, timerQueueFor } from "../core/_timer_queue.ts";
import {
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
import { Future, rejectFuture, resolveFuture } from "../future/future.ts";
import { onAbort } from "../cancel/signals.ts";
import { PriorityQueue } from "./_priority_queue.ts";
import {
  DETACHED,
  DONE,
  QUEUED,
  RunContext,
  RUNNING,
  Task,
} from "./_pool_task.ts";
import type { TaskContext } from "./task_context.ts";
import { reportError } from "./_report.ts";

/** Options of the {@linkcode PooledExecutor} constructor. */
export interface PooledExecutorOptions {
  /**
   * The number of slots: the total weight of the tasks that may run at once.
   * An integer >= 1, or `Infinity`.
   */
  concurrency: number;
  /**
   * The most tasks that may wait for a slot; one more is rejected with a
   * {@linkcode QueueFullError}. An integer >= 0, or `Infinity`.
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
  /** Stop waiting, rejecting with `signal.reason`, when it aborts. */
  signal?: AbortSignal | undefined;
}

const SUBMIT = "submit the task";
const EXECUTE = "execute the task";
const CREATE = "create the PooledExecutor";

function noop(): void {}

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
 *
 * @example Priorities and weights
 * ```ts
 * import { Completer, PooledExecutor } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const pool = new PooledExecutor({ concurrency: 2 });
 * const gate = new Completer<void>();
 * const order: string[] = [];
 * const blocker = pool.submit(() => gate.future, { weight: 2 });
 * const jobs = [
 *   pool.submit(() => order.push("low"), { priority: -1 }),
 *   pool.submit(() => order.push("urgent"), { priority: 5 }),
 *   pool.submit(() => order.push("normal")),
 * ];
 * assert.equal(pool.pending, 3);
 * gate.resolve();
 * await Promise.all([blocker, ...jobs]);
 * assert.deepEqual(order, ["urgent", "normal", "low"]);
 * ```
 */
export class PooledExecutor implements Executor, AsyncDisposable {
  #concurrency: number;
  readonly #maxQueue: number;
  readonly #clock: Clock;
  #timers: TimerQueue | undefined = undefined;
  /** Slots in use. */
  #used = 0;
  /** Tasks holding slots. */
  #active = 0;
  readonly #queue = new PriorityQueue<Task>();
  /** Started `execute` tasks waiting for their microtask. */
  readonly #ready: Task[] = [];
  #readyScheduled = false;
  #paused = false;
  #closed = false;
  #draining = false;
  #emptyWaiters: Future<void>[] | undefined = undefined;
  #idleWaiters: Future<void>[] | undefined = undefined;
  readonly #runReady = (): void => this.#flushReady();

  /**
   * Creates the executor.
   *
   * @param options `concurrency` (required), `maxQueue`, `clock`.
   * @throws {TypeError} When `options` is not an object or an option has the
   *   wrong type.
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
    if (options === null || typeof options !== "object") {
      typeError(CREATE, "options", "an object", options);
    }
    const { concurrency, maxQueue = Infinity, clock = systemClock } = options;
    assertIntegerOrInfinity(CREATE, "concurrency", concurrency, 1);
    assertIntegerOrInfinity(CREATE, "maxQueue", maxQueue, 0);
    if (
      clock === null || typeof clock !== "object" ||
      typeof clock.setTimeout !== "function"
    ) {
      assertFunction(CREATE, "clock.setTimeout", clock?.setTimeout);
    }
    this.#concurrency = concurrency;
    this.#maxQueue = maxQueue;
    this.#clock = clock;
  }

  /**
   * The number of slots. Setting it takes effect at once: raising it starts
   * waiting tasks; lowering it lets running tasks finish and starts new ones
   * only when slots are free. A waiting task heavier than a lowered limit
   * runs alone, taking every slot.
   *
   * @throws {RangeError} When set to something else than an integer >= 1 or
   *   `Infinity`.
   *
   * @example Raising the limit
   * ```ts
   * import { Completer, PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * const gate = new Completer<void>();
   * const a = pool.submit(() => gate.future);
   * const b = pool.submit(() => gate.future);
   * assert.equal(pool.active, 1);
   * pool.concurrency = 2;
   * assert.equal(pool.active, 2);
   * gate.resolve();
   * await Promise.all([a, b]);
   * ```
   */
  get concurrency(): number {
    return this.#concurrency;
  }

  set concurrency(value: number) {
    assertIntegerOrInfinity("set the concurrency", "concurrency", value, 1);
    this.#concurrency = value;
    this.#drain();
  }

  /**
   * The most tasks that may wait.
   *
   * @example Reading the limit
   * ```ts
   * import { PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new PooledExecutor({ concurrency: 1 }).maxQueue, Infinity);
   * ```
   */
  get maxQueue(): number {
    return this.#maxQueue;
  }

  /**
   * The number of tasks holding slots: running, or (for `execute`) started
   * and about to run.
   *
   * @example Counting running tasks
   * ```ts
   * import { Completer, PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 3 });
   * const gate = new Completer<void>();
   * const done = pool.submit(() => gate.future);
   * assert.equal(pool.active, 1);
   * gate.resolve();
   * await done;
   * assert.equal(pool.active, 0);
   * ```
   */
  get active(): number {
    return this.#active;
  }

  /**
   * The number of tasks waiting for a slot.
   *
   * @example Counting waiting tasks
   * ```ts
   * import { PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * pool.pause();
   * const done = pool.submit(() => 1);
   * assert.equal(pool.pending, 1);
   * pool.resume();
   * assert.equal(pool.pending, 0);
   * assert.equal(await done, 1);
   * ```
   */
  get pending(): number {
    return this.#queue.size;
  }

  /**
   * Whether the executor is paused.
   *
   * @example After pause
   * ```ts
   * import { PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * pool.pause();
   * assert.equal(pool.paused, true);
   * ```
   */
  get paused(): boolean {
    return this.#paused;
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
   * @throws {TypeError} When `fn` is not a function or an option has the
   *   wrong type.
   * @throws {RangeError} When `priority` is not finite, `weight` is not an
   *   integer from 1 to `concurrency`, or `timeoutMs` is negative or not
   *   finite.
   *
   * @example Removing a waiting task through its signal
   * ```ts
   * import { Completer, PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 1 });
   * const gate = new Completer<void>();
   * const first = pool.submit(() => gate.future);
   * const controller = new AbortController();
   * const second = pool.submit(() => "never", { signal: controller.signal });
   * controller.abort(new Error("not needed"));
   * await assert.rejects(second, /not needed/);
   * assert.equal(pool.pending, 0);
   * gate.resolve();
   * await first;
   * ```
   *
   * @example A task that watches its signal
   * ```ts
   * import { PooledExecutor, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const pool = new PooledExecutor({ concurrency: 1, clock });
   * let seen: unknown;
   * const job = pool.submit(({ signal }) =>
   *   new Promise((_, reject) =>
   *     signal.addEventListener("abort", () => reject(seen = signal.reason))
   *   ), { timeoutMs: 100 });
   * clock.tick(100);
   * await assert.rejects(job, { name: "TimeoutError" });
   * assert.equal((seen as Error).name, "TimeoutError");
   * ```
   */
  submit<T>(
    fn: (context: TaskContext) => T | PromiseLike<T>,
    options?: PooledSubmitOptions,
  ): Future<Awaited<T>> {
    assertFunction(SUBMIT, "fn", fn);
    let priority = 0;
    let weight = 1;
    let timeoutMs = -1;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      assertOptions(SUBMIT, options);
      if (options.priority !== undefined) {
        priority = options.priority;
        assertFinite(SUBMIT, "priority", priority);
      }
      if (options.weight !== undefined) {
        weight = options.weight;
        assertInteger(SUBMIT, "weight", weight, 1);
        if (weight > this.#concurrency) {
          rangeError(
            SUBMIT,
            "weight",
            `an integer <= concurrency (${this.#concurrency})`,
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
      if (signal?.aborted) return Future.reject(signal.reason);
    }
    if (this.#closed) {
      return Future.reject(
        new InvalidStateError(
          "Cannot submit the task as the executor is disposed",
        ),
      );
    }
    const queue = this.#queue;
    const startNow = !this.#paused && queue.size === 0 &&
      this.#used + weight <= this.#concurrency;
    if (!startNow && queue.size >= this.#maxQueue) {
      return Future.reject(new QueueFullError(this.#maxQueue, queue.size));
    }
    const future = new Future<Awaited<T>>();
    const task = new Task(
      fn as (context: TaskContext) => unknown,
      future as Future<unknown>,
      priority,
      weight,
      timeoutMs,
    );
    if (signal !== undefined) {
      task.registration = onAbort(
        signal,
        (reason) => this.#abort(task, reason),
      );
    }
    if (startNow) this.#start(task);
    else {
      queue.push(task);
      this.#drain();
    }
    return future;
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
    if (this.#closed) {
      throw new InvalidStateError(
        "Cannot execute the task as the executor is disposed",
      );
    }
    const queue = this.#queue;
    const t = new Task(task, undefined, 0, 1, -1);
    if (!this.#paused && queue.size === 0 && this.#used < this.#concurrency) {
      this.#start(t);
    } else if (queue.size >= this.#maxQueue) {
      throw new QueueFullError(this.#maxQueue, queue.size);
    } else {
      queue.push(t);
      this.#drain();
    }
  }

  /**
   * Stops starting tasks; running ones go on. Submissions queue up.
   *
   * @example Pausing and resuming
   * ```ts
   * import { PooledExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const pool = new PooledExecutor({ concurrency: 2 });
   * pool.pause();
   * let ran = false;
   * const job = pool.submit(() => (ran = true));
   * assert.equal(ran, false);
   * pool.resume();
   * assert.equal(ran, true);
   * await job;
   * ```
   */
  pause(): void {
    this.#paused = true;
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
   * assert.equal(await job, 7);
   * ```
   */
  resume(): void {
    this.#paused = false;
    this.#drain();
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
    const queue = this.#queue;
    if (queue.size === 0) return 0;
    const why = reason === undefined
      ? new DOMException("The task was cleared from the queue", "AbortError")
      : reason;
    let removed = 0;
    for (const task of queue.drain()) {
      const future = task.future;
      if (future === undefined) {
        queue.push(task);
        continue;
      }
      removed++;
      task.state = DONE;
      task.fn = undefined;
      task.registration?.[Symbol.dispose]();
      task.registration = undefined;
      rejectFuture(future, why);
      future.then(undefined, noop);
    }
    this.#drain();
    return removed;
  }

  /**
   * Resolves once no task waits (running ones may remain): at once when the
   * queue is empty.
   *
   * @param options `signal`.
   * @returns A future that resolves when the queue is empty, or rejects
   *   with `signal.reason`.
   * @throws {TypeError} When `options` or `signal` has the wrong type.
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
   * assert.equal(pool.pending, 0);
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
   *   `signal.reason`.
   * @throws {TypeError} When `options` or `signal` has the wrong type.
   *
   * @example Waiting for all work to finish
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
    if (!this.#closed) {
      this.#closed = true;
      this.#paused = false;
      this.#drain();
    }
    return this.onIdle();
  }

  #wait(
    action: string,
    idle: boolean,
    options: PooledWaitOptions | undefined,
  ): Future<void> {
    assertOptions(action, options);
    const signal = options?.signal;
    assertSignal(action, signal);
    if (signal?.aborted) return Future.reject(signal.reason);
    if (this.#queue.size === 0 && (!idle || this.#active === 0)) {
      return Future.resolve();
    }
    const future = new Future<void>();
    if (idle) (this.#idleWaiters ??= []).push(future);
    else (this.#emptyWaiters ??= []).push(future);
    return signal === undefined ? future : future.wait({ signal });
  }

  #start(task: Task): void {
    const c = this.#concurrency;
    const held = task.held = task.weight < c ? task.weight : c;
    this.#used += held;
    this.#active++;
    task.state = RUNNING;
    const future = task.future;
    if (future === undefined) {
      this.#ready.push(task);
      if (!this.#readyScheduled) {
        this.#readyScheduled = true;
        queueMicrotask(this.#runReady);
      }
      return;
    }
    const fn = task.fn!;
    task.fn = undefined;
    if (task.timeoutMs >= 0) {
      const ms = task.timeoutMs;
      const timers = this.#timers ??= timerQueueFor(this.#clock);
      task.timer = timers.schedule(() => {
        task.timer = undefined;
        this.#detach(
          task,
          new DOMException(
            `The task did not settle within ${ms} ms`,
            "TimeoutError",
          ),
        );
      }, ms);
    }
    let result: unknown;
    try {
      result = fn(new RunContext(task));
    } catch (e) {
      this.#settle(task, false, e);
      return;
    }
    if (
      result !== null &&
      (typeof result === "object" || typeof result === "function")
    ) {
      let then: unknown;
      try {
        then = (result as PromiseLike<unknown>).then;
        if (typeof then === "function") {
          then.call(
            result,
            (v: unknown) => this.#settle(task, true, v),
            (e: unknown) => this.#settle(task, false, e),
          );
          return;
        }
      } catch (e) {
        this.#settle(task, false, e);
        return;
      }
    }
    this.#settle(task, true, result);
  }

  #flushReady(): void {
    const ready = this.#ready;
    // Tasks started while flushing join this batch.
    for (let i = 0; i < ready.length; i++) {
      const task = ready[i] as Task;
      const fn = task.fn as () => void;
      task.fn = undefined;
      try {
        fn();
      } catch (e) {
        reportError(e);
      }
      this.#settle(task, true, undefined);
    }
    ready.length = 0;
    this.#readyScheduled = false;
  }

  // The task's function settled: free its slots, settle its future.
  #settle(task: Task, ok: boolean, value: unknown): void {
    const state = task.state;
    if (state === DONE) return;
    task.state = DONE;
    this.#used -= task.held;
    this.#active--;
    if (state === RUNNING) {
      const future = task.future;
      if (future !== undefined) {
        this.#release(task);
        if (ok) resolveFuture(future, value);
        else rejectFuture(future, value);
      }
    }
    this.#drain();
  }

  // Drops the task's abort registration and timer.
  #release(task: Task): void {
    const registration = task.registration;
    if (registration !== undefined) {
      task.registration = undefined;
      registration[Symbol.dispose]();
    }
    const timer = task.timer;
    if (timer !== undefined) {
      task.timer = undefined;
      this.#timers!.cancel(timer);
    }
  }

  #abort(task: Task, reason: unknown): void {
    task.registration = undefined; // it ran, and is gone
    if (task.state === QUEUED) {
      task.state = DONE;
      task.fn = undefined;
      this.#queue.delete(task);
      rejectFuture(task.future!, reason);
      this.#drain();
    } else this.#detach(task, reason);
  }

  // Settles a running task's future early; the task keeps its slots.
  #detach(task: Task, reason: unknown): void {
    if (task.state !== RUNNING) return;
    task.state = DETACHED;
    task.detached = true;
    task.reason = reason;
    this.#release(task);
    rejectFuture(task.future!, reason);
    task.controller?.abort(reason);
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    const queue = this.#queue;
    try {
      while (!this.#paused && queue.size !== 0) {
        const head = queue.peek() as Task;
        const c = this.#concurrency;
        if (this.#used + (head.weight < c ? head.weight : c) > c) break;
        queue.shift();
        this.#start(head);
      }
    } finally {
      this.#draining = false;
    }
    if (queue.size === 0) {
      const empty = this.#emptyWaiters;
      if (empty !== undefined) {
        this.#emptyWaiters = undefined;
        for (const f of empty) resolveFuture(f, undefined);
      }
      const idle = this.#idleWaiters;
      if (idle !== undefined && this.#active === 0) {
        this.#idleWaiters = undefined;
        for (const f of idle) resolveFuture(f, undefined);
      }
    }
  }
}
