/**
 * `DelayedExecutor`: tasks that run after a delay, at a time, or repeatedly
 * at a fixed rate or with a fixed delay, all behind one host timer per clock.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Executor } from "../core/executor.ts";
import { InvalidStateError } from "../core/errors.ts";
import { abortError } from "../core/_reasons.ts";
import { reportError } from "../core/_report.ts";
import { type TimerQueue, timerQueueFor } from "../core/_timer_queue.ts";
import {
  assertClock,
  assertDuration,
  assertFinite,
  assertFunction,
  assertOptions,
  assertPositiveDuration,
  assertSignal,
  orDefault,
  typeError,
} from "../core/_validate.ts";
import type { Future } from "../future/future.ts";
import type { TaskContext } from "./task_context.ts";
import { type Repeat, Schedule, type ScheduleList } from "./_schedule.ts";

/** Options of the {@linkcode DelayedExecutor} constructor. */
export interface DelayedExecutorOptions {
  /**
   * The clock whose time and host timer the executor uses.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

/** Options of {@linkcode DelayedExecutor.schedule} and `scheduleAt`. */
export interface ScheduleOptions {
  /**
   * Cancels the task, with `signal.reason`, when it aborts (see
   * {@linkcode ScheduledTask.cancel}).
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
}

/**
 * How a repeating task is spaced: `"fixed-rate"` keeps a grid of due times,
 * `"fixed-delay"` waits `periodMs` after each run settles.
 */
export type RepeatMode = "fixed-rate" | "fixed-delay";

/** Options of {@linkcode DelayedExecutor.scheduleRepeating}. */
export interface ScheduleRepeatingOptions {
  /** The period in milliseconds, a finite number > 0. */
  periodMs: number;
  /**
   * `"fixed-rate"`: run `n` is due at `initialDelayMs + n * periodMs`,
   * whatever the runs take (a late run is followed at once by the ones it
   * made late, without overlapping them). `"fixed-delay"`: each run is due
   * `periodMs` after the previous one settles.
   *
   * @default {"fixed-rate"}
   */
  mode?: RepeatMode | undefined;
  /**
   * The delay before the first run, in milliseconds.
   *
   * @default {periodMs}
   */
  initialDelayMs?: number | undefined;
  /**
   * Cancels the schedule, with `signal.reason`, when it aborts.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
  /**
   * Receives what a failing run threw or rejected with. Without it, the
   * error is reported (rethrown on a microtask); a throwing `onError` is
   * reported the same way.
   *
   * @default {undefined}
   */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Whether a failing run ends the schedule (`true`) or the schedule keeps
   * going (`false`).
   *
   * @default {false}
   */
  stopOnError?: boolean | undefined;
}

/**
 * A task scheduled on a {@linkcode DelayedExecutor}. It is also the
 * {@linkcode TaskContext} the task receives: its `signal` aborts when the
 * task is cancelled.
 *
 * @typeParam T The type of the (first) result.
 */
export interface ScheduledTask<T> extends TaskContext, Disposable {
  /**
   * The outcome of the first run, or the cancellation reason when the task
   * is cancelled before its first run settles. A cancellation (by
   * `cancel()`, the signal, or the executor's disposal) and the failures of
   * a repeating task (they go to `onError`) never count as unhandled
   * rejections.
   */
  readonly future: Future<T>;
  /** The number of runs that have settled. */
  readonly runs: number;
  /**
   * Cancels the task: removes its timer, rejects a still-pending future
   * with `reason` (marked handled: the caller asked for it), aborts its
   * `signal`, and stops a repeating schedule.
   *
   * @param reason The reason (default: a `DOMException` named
   *   `"AbortError"`).
   * @returns Whether there was anything to cancel.
   *
   * @example Cancelling before it runs
   * ```ts
   * import { DelayedExecutor, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const delayed = new DelayedExecutor({ clock });
   * let ran = false;
   * const task = delayed.schedule(() => (ran = true), 100);
   * assert.equal(task.cancel(), true);
   * assert.equal(task.cancel(), false);
   * clock.tick(100);
   * assert.equal(ran, false);
   * assert.equal(task.signal.aborted, true);
   * await assert.rejects(task.future, { name: "AbortError" });
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  cancel(reason?: unknown): boolean;
}

const CREATE = "create the DelayedExecutor";
const SCHEDULE = "schedule the task";
const REPEAT = "schedule the repeating task";

/**
 * Runs tasks later, on a clock. Every pending task is an entry of one binary
 * heap per clock, behind a single host timer armed for the earliest
 * deadline: 100,000 pending tasks hold one host timer. Tasks due at the
 * same time run in the order they were scheduled.
 *
 * Each `schedule*` call returns a {@linkcode ScheduledTask} handle: a future
 * of the (first) result, `cancel()`, and `[Symbol.dispose]` (so `using`
 * cancels a task that has not run). The task receives the handle as its
 * context; its `signal` aborts when the task is cancelled. A cancelled task
 * leaves nothing behind: its heap entry, abort listener and handle are
 * released at once.
 *
 * It is an {@linkcode Executor} too: `execute(task)` runs `task` on the
 * timer heap as soon as possible (like `setTimeout(task, 0)`), so
 * `future.via(delayed)` moves continuations onto the clock.
 *
 * @example Delays on a virtual clock
 * ```ts
 * import { DelayedExecutor, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const delayed = new DelayedExecutor({ clock });
 * const order: string[] = [];
 * delayed.schedule(() => order.push("b"), 20);
 * delayed.schedule(() => order.push("a"), 10);
 * const last = delayed.scheduleAt(() => order.push("c"), 20);
 * clock.tick(20);
 * assert.deepEqual(order, ["a", "b", "c"]);
 * assert.equal(await last.future, 3);
 * ```
 */
export class DelayedExecutor implements Executor, Disposable {
  readonly #clock: Clock;
  readonly #timers: TimerQueue;
  readonly #list: ScheduleList = { head: undefined, size: 0 };
  #closed = false;

  /**
   * Creates the executor.
   *
   * @param options `clock`.
   * @throws {TypeError} When `options` is not an object (an `AbortSignal` in
   *   its place included) or `clock` is not a `Clock`.
   *
   * @example On the system clock
   * ```ts
   * import { DelayedExecutor, systemClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new DelayedExecutor().clock, systemClock);
   * ```
   */
  constructor(options?: DelayedExecutorOptions) {
    assertOptions(CREATE, options);
    const clock = options?.clock;
    if (clock === null) typeError(CREATE, "clock", "a Clock", clock);
    assertClock(CREATE, clock);
    this.#clock = clock ?? systemClock;
    this.#timers = timerQueueFor(this.#clock);
  }

  /** The clock of this executor. */
  get clock(): Clock {
    return this.#clock;
  }

  /**
   * The number of tasks scheduled and not finished: waiting for their time,
   * running, or repeating.
   */
  get queued(): number {
    return this.#list.size;
  }

  /**
   * Runs `fn` once, `delayMs` milliseconds from now.
   *
   * @typeParam T The type of the result.
   * @param fn The task; it receives the handle as its context.
   * @param delayMs The delay, a finite number >= 0.
   * @param options `signal`.
   * @returns The handle.
   * @throws {TypeError} When `fn` is not a function or an option has the
   *   wrong type (an `AbortSignal` in place of the options included).
   * @throws {RangeError} When `delayMs` is negative or not finite.
   * @throws {InvalidStateError} Once the executor is disposed.
   *
   * @example Cancelling through a signal
   * ```ts
   * import { DelayedExecutor, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const delayed = new DelayedExecutor({ clock });
   * const controller = new AbortController();
   * const task = delayed.schedule(() => "late", 100, { signal: controller.signal });
   * controller.abort(new Error("cancelled by user"));
   * await assert.rejects(task.future, /cancelled by user/);
   * assert.equal(delayed.queued, 0);
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  schedule<T>(
    fn: (context: TaskContext) => T | PromiseLike<T>,
    delayMs: number,
    options?: ScheduleOptions,
  ): ScheduledTask<Awaited<T>> {
    assertFunction(SCHEDULE, "fn", fn);
    assertDuration(SCHEDULE, "delayMs", delayMs);
    return this.#add(fn, this.#clock.now() + delayMs, options, undefined);
  }

  /**
   * Runs `fn` once, when the clock reaches `time` (at once, on the timer
   * heap, when `time` has passed).
   *
   * @typeParam T The type of the result.
   * @param fn The task; it receives the handle as its context.
   * @param time The clock time, in milliseconds (as `clock.now()`).
   * @param options `signal`.
   * @returns The handle.
   * @throws {TypeError} When `fn` is not a function or an option has the
   *   wrong type (an `AbortSignal` in place of the options included).
   * @throws {RangeError} When `time` is not finite.
   * @throws {InvalidStateError} Once the executor is disposed.
   *
   * @example At a virtual time
   * ```ts
   * import { DelayedExecutor, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock({ startMs: 1000 });
   * const delayed = new DelayedExecutor({ clock });
   * const task = delayed.scheduleAt(() => clock.now(), 1500);
   * clock.tick(500);
   * assert.equal(await task.future, 1500);
   * ```
   */
  scheduleAt<T>(
    fn: (context: TaskContext) => T | PromiseLike<T>,
    time: number,
    options?: ScheduleOptions,
  ): ScheduledTask<Awaited<T>> {
    assertFunction(SCHEDULE, "fn", fn);
    assertFinite(SCHEDULE, "time", time);
    return this.#add(fn, time, options, undefined);
  }

  /**
   * Runs `fn` repeatedly, every `periodMs`, until cancelled (by the handle,
   * the `signal`, or a failing run with `stopOnError`). Runs never overlap:
   * a run that is due while the previous one has not settled waits for it.
   *
   * @typeParam T The type of the results.
   * @param fn The task; it receives the handle as its context.
   * @param options `periodMs` (required), `mode`, `initialDelayMs`,
   *   `signal`, `onError`, `stopOnError`.
   * @returns The handle; its future holds the first run's outcome.
   * @throws {TypeError} When `fn` is not a function or an option has the
   *   wrong type (an `AbortSignal` in place of the options included).
   * @throws {RangeError} When `periodMs` is not a finite number > 0 or
   *   `initialDelayMs` is negative or not finite.
   * @throws {InvalidStateError} Once the executor is disposed.
   *
   * @example Fixed rate versus fixed delay with a task taking 30 ms
   * ```ts
   * import { DelayedExecutor, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const delayed = new DelayedExecutor({ clock });
   * const starts = { "fixed-rate": [] as number[], "fixed-delay": [] as number[] };
   * for (const mode of ["fixed-rate", "fixed-delay"] as const) {
   *   delayed.scheduleRepeating(() => {
   *     starts[mode].push(clock.now());
   *     return new Promise<void>((r) => clock.setTimeout(r, 30));
   *   }, { periodMs: 100, mode });
   * }
   * await clock.tickAsync(400);
   * assert.deepEqual(starts["fixed-rate"], [100, 200, 300, 400]);
   * assert.deepEqual(starts["fixed-delay"], [100, 230, 360]);
   * delayed[Symbol.dispose]();
   * ```
   */
  scheduleRepeating<T>(
    fn: (context: TaskContext) => T | PromiseLike<T>,
    options: ScheduleRepeatingOptions,
  ): ScheduledTask<Awaited<T>> {
    assertFunction(REPEAT, "fn", fn);
    if (options === undefined) {
      typeError(REPEAT, "options", "an options object", options);
    }
    assertOptions(REPEAT, options);
    const { periodMs, mode = "fixed-rate", onError, stopOnError = false } =
      options;
    assertPositiveDuration(REPEAT, "periodMs", periodMs);
    if (mode !== "fixed-rate" && mode !== "fixed-delay") {
      typeError(REPEAT, "mode", `"fixed-rate" or "fixed-delay"`, mode);
    }
    const initialDelayMs = orDefault(options.initialDelayMs, periodMs);
    assertDuration(REPEAT, "initialDelayMs", initialDelayMs);
    if (onError !== undefined) assertFunction(REPEAT, "onError", onError);
    if (typeof stopOnError !== "boolean") {
      typeError(REPEAT, "stopOnError", "a boolean", stopOnError);
    }
    const repeat: Repeat = {
      periodMs,
      fixedRate: mode === "fixed-rate",
      onError,
      stopOnError,
    };
    return this.#add(
      fn,
      this.#clock.now() + initialDelayMs,
      options,
      repeat,
    );
  }

  /**
   * Runs `task` on the timer heap as soon as possible, after the tasks
   * already due. A throw is reported (rethrown on a microtask).
   *
   * @param task The task.
   * @throws {TypeError} When `task` is not a function.
   * @throws {InvalidStateError} Once the executor is disposed.
   *
   * @example Continuations on the clock
   * ```ts
   * import { DelayedExecutor, Future, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const delayed = new DelayedExecutor({ clock });
   * const next = Future.resolve(20).via(delayed).then((x) => x + 1);
   * // Every continuation of `next`, `await` included, runs on the clock.
   * assert.equal(await clock.runUntilSettled(next), 21);
   * ```
   */
  execute(task: () => void): void {
    assertFunction("execute the task", "task", task);
    this.#assertOpen("execute the task");
    this.#timers.schedule(() => {
      try {
        task();
      } catch (e) {
        reportError(e);
      }
    }, 0);
  }

  /**
   * Cancels every task not yet finished (see
   * {@linkcode ScheduledTask.cancel}) with a `DOMException` named
   * `"AbortError"`, and refuses new ones.
   *
   * @example Scoped schedules
   * ```ts
   * import { DelayedExecutor, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * {
   *   using delayed = new DelayedExecutor({ clock });
   *   delayed.scheduleRepeating(() => {}, { periodMs: 10 });
   * }
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  [Symbol.dispose](): void {
    this.#closed = true;
    const list = this.#list;
    if (list.head === undefined) return;
    const reason = abortError(
      "The scheduled task was cancelled as its executor was disposed",
    );
    let task;
    while ((task = list.head) !== undefined) task.cancel(reason);
  }

  #assertOpen(action: string): void {
    if (this.#closed) {
      throw new InvalidStateError(
        `Cannot ${action} as the executor is disposed`,
      );
    }
  }

  #add<T>(
    fn: (context: TaskContext) => T | PromiseLike<T>,
    deadline: number,
    options: ScheduleOptions | undefined,
    repeat: Repeat | undefined,
  ): ScheduledTask<Awaited<T>> {
    const action = repeat === undefined ? SCHEDULE : REPEAT;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      assertOptions(action, options);
      signal = options.signal;
      assertSignal(action, signal);
    }
    this.#assertOpen(action);
    return new Schedule<Awaited<T>>(
      fn as (context: TaskContext) => unknown,
      deadline,
      this.#timers,
      this.#list,
      signal,
      repeat,
    );
  }
}
