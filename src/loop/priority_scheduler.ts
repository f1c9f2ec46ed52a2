/**
 * `PriorityScheduler`: cooperative tasks in five priorities on any
 * {@linkcode Clock}, with generator tasks that yield, aging and cancellation;
 * and its task: the handle its poster holds and the context the task runs
 * with, one record.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Executor } from "../core/executor.ts";
import { InvalidStateError } from "../core/errors.ts";
import { DeadlineHeap, type HeapEntry } from "../core/_heap.ts";
import { closeGenerator, isGenerator } from "../core/_generator.ts";
import { abortError } from "../core/_reasons.ts";
import { reportError } from "../core/_report.ts";
import { thenOf } from "../core/_thenable.ts";
import {
  assertClock,
  assertDuration,
  assertFunction,
  assertIntegerOrInfinity,
  assertOptions,
  assertPositiveDuration,
  assertSignal,
  orDefault,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { Completer } from "../future/completer.ts";
import type { Future } from "../future/future.ts";
import { rejectHandled } from "../future/_settle.ts";
import { ReadyQueues } from "./_ready_queues.ts";

/**
 * The priority of a scheduled task, highest first. Aging raises a task one
 * level at a time, never into `"immediate"`.
 */
export type TaskPriority = "immediate" | "high" | "normal" | "low" | "idle";

/**
 * Where a task is in its life: waiting for its delay, queued, running,
 * waiting for a promise it yielded, done (fulfilled or failed) or cancelled.
 */
export type PriorityTaskState =
  | "delayed"
  | "queued"
  | "running"
  | "waiting"
  | "done"
  | "cancelled";

/**
 * What a task function receives: its current priority, a signal for the work
 * it starts, and `shouldYield()` to yield only when it matters.
 */
export interface PriorityTaskContext {
  /** The task's current priority (aging may have raised it). */
  readonly priority: TaskPriority;
  /**
   * A signal aborted with the cancellation reason when the task is
   * cancelled; pass it on to the work the task starts. Created on first read.
   */
  readonly signal: AbortSignal;
  /**
   * Whether the task should `yield` now: a task of higher priority is
   * queued, or the current slice has used its `sliceMs`.
   *
   * @returns `true` when yielding would let other work run.
   *
   * @example Yielding only when higher-priority work waits
   * ```ts
   * import { PriorityScheduler, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const scheduler = new PriorityScheduler({ clock });
   * const order: string[] = [];
   * scheduler.post(function* (ctx) {
   *   for (let i = 0; i < 3; i++) {
   *     order.push(`chunk ${i}`);
   *     if (i === 0) scheduler.post(() => order.push("urgent"), { priority: "high" });
   *     if (ctx.shouldYield()) yield;
   *   }
   * }, { priority: "low" });
   * clock.runAll();
   * assert.deepEqual(order, ["chunk 0", "urgent", "chunk 1", "chunk 2"]);
   * ```
   */
  shouldYield(): boolean;
}

/**
 * What {@linkcode PriorityScheduler.post} returns: the result's future, the
 * task's priority and state, and `cancel()`.
 *
 * @typeParam T The result type.
 */
export interface PriorityTaskHandle<T> {
  /** Settles with the task's result, its error, or the cancellation reason. */
  readonly future: Future<T>;
  /** The task's current priority (aging may have raised it). */
  readonly priority: TaskPriority;
  /** Where the task is in its life. */
  readonly state: PriorityTaskState;
  /**
   * Cancels the task unless it has finished: its future rejects with
   * `reason`, a generator task is closed with `return()` so its `finally`
   * blocks run, and it never runs again. A task cancelled while it runs is
   * closed when it next yields. The rejection counts as handled: a cancelled
   * task whose future nobody awaits is not reported as an unhandled
   * rejection (an error thrown by a task is).
   *
   * @param reason The rejection reason; when `undefined`, a `DOMException`
   *   named `"AbortError"`.
   * @returns Whether this call cancelled the task.
   *
   * @example Cancelling a queued task
   * ```ts
   * import { PriorityScheduler, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const scheduler = new PriorityScheduler({ clock });
   * const handle = scheduler.post(() => "never", { priority: "idle" });
   * assert.equal(handle.state, "queued");
   * assert.equal(handle.cancel(new Error("not needed")), true);
   * await assert.rejects(handle.future, { message: "not needed" });
   * assert.equal(handle.state, "cancelled");
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  cancel(reason?: unknown): boolean;
}

/** A task function: a plain or async function, or a generator function. */
export type PriorityTaskFunction<T> = (
  ctx: PriorityTaskContext,
) => T | PromiseLike<T> | Generator<unknown, T | PromiseLike<T>, unknown>;

/** Options of the {@linkcode PriorityScheduler} constructor. */
export interface PrioritySchedulerOptions {
  /**
   * The clock whose 0 ms timers run the slices and whose time measures
   * `sliceMs`, `delayMs` and `agingMs`. An `EventLoop` works too.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Runs each slice through this executor instead of a 0 ms clock timer
   * (delays still use the clock).
   *
   * @default {undefined} (a 0 ms timer of `clock`)
   */
  executor?: Executor;
  /**
   * How long one slice runs tasks before giving the host a turn, measured on
   * the clock; `0` runs one step per slice. See also `sliceSteps`.
   *
   * @default {5}
   */
  sliceMs?: number;
  /**
   * The most steps one slice runs (a step is a task, or one stretch of a
   * generator task up to its next `yield`), whatever the clock says. On a
   * virtual clock, where time stands still during a slice, this is what
   * bounds a slice.
   *
   * @default {1000}
   */
  sliceSteps?: number;
  /**
   * Aging: a task (or yielded continuation) that waits this long in its
   * queue rises one level (idle to low, low to normal, normal to high) and
   * joins the tail of that level; after another `agingMs` there it rises
   * again. Nothing rises into `"immediate"`.
   *
   * @default {undefined} (no aging)
   */
  agingMs?: number;
}

/** Options of {@linkcode PriorityScheduler.post}. */
export interface PriorityPostOptions {
  /**
   * The priority.
   *
   * @default {"normal"}
   */
  priority?: TaskPriority;
  /**
   * Cancels the task when aborted; the future rejects with its reason.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Queue the task only after this many milliseconds.
   *
   * @default {0}
   */
  delayMs?: number;
}

// The priorities by level: index 0 is the highest.
const LEVELS: readonly TaskPriority[] = [
  "immediate",
  "high",
  "normal",
  "low",
  "idle",
];
const NORMAL = 2;
const CONSTRAINT = 'one of "immediate", "high", "normal", "low", "idle"';

// Validates a priority and returns its level (an index into LEVELS).
function levelOf(action: string, value: unknown): number {
  switch (value) {
    case "immediate":
      return 0;
    case "high":
      return 1;
    case "normal":
      return 2;
    case "low":
      return 3;
    case "idle":
      return 4;
  }
  if (typeof value !== "string") {
    typeError(action, "priority", CONSTRAINT, value);
  }
  rangeError(action, "priority", CONSTRAINT, value);
}

// The scheduler side of a task (the scheduler's private operations).
interface TaskHost {
  cancelTask(task: Task, reason: unknown): boolean;
  shouldYield(task: Task): boolean;
}

// A scheduled task: queue entry, handle and context in one record.
class Task
  implements PriorityTaskHandle<unknown>, PriorityTaskContext, HeapEntry {
  // Heap entry of the delay queue.
  deadline = 0;
  seq = 0;
  index = -1;
  /** The current level (index into LEVELS). */
  level: number;
  state: PriorityTaskState = "queued";
  /** When waiting in a queue, the time at which aging raises the task. */
  promoteAt: number = Infinity;
  fn: ((ctx: PriorityTaskContext) => unknown) | undefined;
  gen: Generator<unknown, unknown, unknown> | undefined = undefined;
  /** The value (or error, when `sendThrow`) for the next generator step. */
  send: unknown = undefined;
  sendThrow = false;
  readonly completer: Completer<unknown> = new Completer();
  externalSignal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  controller: AbortController | undefined = undefined;
  readonly host: TaskHost;

  constructor(
    host: TaskHost,
    fn: (ctx: PriorityTaskContext) => unknown,
    level: number,
  ) {
    this.host = host;
    this.fn = fn;
    this.level = level;
  }

  get future(): Future<unknown> {
    return this.completer.future;
  }

  get priority(): TaskPriority {
    return LEVELS[this.level]!;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.state === "cancelled") {
        this.controller.abort(this.completer.future.reason);
      }
    }
    return this.controller.signal;
  }

  shouldYield(): boolean {
    return this.host.shouldYield(this);
  }

  cancel(reason?: unknown): boolean {
    return this.host.cancelTask(
      this,
      reason === undefined ? abortError("The task was cancelled") : reason,
    );
  }

  /**
   * Rejects the future with a cancellation reason. A cancellation is a
   * requested outcome, not an error: the rejection counts as handled, so a
   * cancelled task nobody awaits is not reported.
   */
  rejectCancelled(reason: unknown): void {
    // Marked handled without a reaction: nothing is queued per cancel (the
    // completer is not used again: a cancelled task never finishes).
    rejectHandled(this.completer.future, reason);
  }

  /** Closes a cancelled generator so that its finally blocks run. */
  close(): void {
    const gen = this.gen;
    this.gen = undefined;
    if (gen !== undefined) closeGenerator(gen);
  }
}

const POST = "post a task";
const CREATE = "create a PriorityScheduler";

/**
 * Runs tasks by priority (`"immediate"`, `"high"`, `"normal"`, `"low"`,
 * `"idle"`), first in, first out within a priority, in slices on a clock.
 *
 * - **Slices.** Work runs in slices, each started by a 0 ms timer of the
 *   clock (or by the `executor`). A slice runs ready steps, highest priority
 *   first, until none is left, `sliceSteps` steps have run or `sliceMs` has
 *   passed on the clock, then arms the next slice. At most one timer of the
 *   clock is armed at a time, for the next slice or the earliest delayed
 *   task, and none once nothing is queued. On a `VirtualClock` the order is
 *   fully deterministic.
 * - **Generator tasks.** A task may be a generator function: each bare
 *   `yield` gives way to any queued task of higher priority (and, once the
 *   slice is used, to the host), and the task resumes before every task of
 *   its own priority that has not started, as `scheduler.yield()` does.
 *   `yield promise` parks the task until the promise settles and resumes it
 *   with the value (or throws the error into it). The value it returns is
 *   the result.
 * - **Aging** (`agingMs`) keeps low priorities from starving.
 * - **Cancellation** through the handle or a `signal`: the future rejects
 *   with the reason (a signal's `reason` unchanged), and a generator is
 *   closed with `return()`, so its `finally` blocks run.
 *
 * @example A generator task gives way to higher priorities
 * ```ts
 * import { PriorityScheduler, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const scheduler = new PriorityScheduler({ clock });
 * const order: string[] = [];
 * scheduler.post(() => order.push("low"), { priority: "low" });
 * const long = scheduler.post(function* () {
 *   order.push("part 1");
 *   scheduler.post(() => order.push("high"), { priority: "high" });
 *   scheduler.post(() => order.push("other normal"));
 *   yield;
 *   order.push("part 2");
 *   return 42;
 * });
 * clock.runAll();
 * assert.deepEqual(order, ["part 1", "high", "part 2", "other normal", "low"]);
 * assert.equal(await long.future, 42);
 * ```
 */
export class PriorityScheduler implements Disposable {
  readonly #clock: Clock;
  readonly #executor: Executor | undefined;
  readonly #sliceMs: number;
  readonly #sliceSteps: number;
  readonly #ready: ReadyQueues<Task>;
  readonly #delayed = new DeadlineHeap<Task>();
  // Tasks parked on a promise they yielded (in no queue), and the running one.
  readonly #waiting = new Set<Task>();
  #running: Task | undefined = undefined;
  #queued = 0;
  #seq = 0;
  #timer: TimerHandle = undefined;
  #timerAt = Infinity;
  #dispatched = false;
  #inSlice = false;
  #sliceStart = 0;
  #disposed = false;
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#runSlice();
  };
  readonly #host: TaskHost = {
    cancelTask: (task, reason) => this.#cancel(task, reason),
    shouldYield: (task) => this.#shouldYield(task),
  };
  readonly #onDispatch = (): void => {
    this.#dispatched = false;
    this.#runSlice();
  };

  /**
   * Creates a scheduler with no tasks and no timer.
   *
   * @param options The clock, executor, slice length and aging.
   * @throws {TypeError} When `clock` is not a Clock or `executor` not an
   *   Executor, or an option is not a number.
   * @throws {RangeError} When `sliceMs` is negative or not finite,
   *   `sliceSteps` is not an integer >= 1 or `Infinity`, or `agingMs` is not
   *   a finite number > 0.
   */
  constructor(options?: PrioritySchedulerOptions) {
    assertOptions(CREATE, options);
    assertClock(CREATE, options?.clock);
    const clock = options?.clock ?? systemClock;
    const executor = options?.executor;
    if (
      executor !== undefined &&
      (typeof executor !== "object" || executor === null ||
        typeof executor.execute !== "function")
    ) {
      typeError(CREATE, "executor", "an Executor", executor);
    }
    const sliceMs = orDefault(options?.sliceMs, 5);
    assertDuration(CREATE, "sliceMs", sliceMs);
    const sliceSteps = orDefault(options?.sliceSteps, 1000);
    assertIntegerOrInfinity(CREATE, "sliceSteps", sliceSteps);
    const agingMs = options?.agingMs;
    if (agingMs !== undefined) {
      assertPositiveDuration(CREATE, "agingMs", agingMs);
    }
    this.#clock = clock;
    this.#executor = executor;
    this.#sliceMs = sliceMs;
    this.#sliceSteps = sliceSteps;
    this.#ready = new ReadyQueues(LEVELS.length, agingMs ?? Infinity);
  }

  /**
   * How many tasks wait: posted and not yet finished (delayed, queued,
   * waiting for a promise they yielded, or running).
   */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Queues a task.
   *
   * @typeParam T The result type.
   * @param task A function, async function or generator function; it gets a
   *   {@linkcode PriorityTaskContext}.
   * @param options The priority, a signal and a delay.
   * @returns The handle: the result's future, the priority, `cancel()`.
   * @throws {TypeError} When `task` is not a function, or an option has the
   *   wrong type.
   * @throws {RangeError} When `priority` is not a known priority or
   *   `delayMs` is negative or not finite.
   * @throws {InvalidStateError} When the scheduler was disposed.
   *
   * @example Cancelling through a signal
   * ```ts
   * import { PriorityScheduler, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const scheduler = new PriorityScheduler({ clock });
   * const controller = new AbortController();
   * let cleaned = false;
   * const handle = scheduler.post(function* () {
   *   try {
   *     yield new Promise(() => {}); // parks forever
   *   } finally {
   *     cleaned = true;
   *   }
   * }, { signal: controller.signal });
   * clock.tick(0);
   * assert.equal(handle.state, "waiting");
   * controller.abort(new Error("stop"));
   * await assert.rejects(handle.future, { message: "stop" });
   * assert.equal(cleaned, true);
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  post<T>(
    task: PriorityTaskFunction<T>,
    options?: PriorityPostOptions,
  ): PriorityTaskHandle<T> {
    assertFunction(POST, "task", task);
    assertOptions(POST, options);
    const priority = options?.priority;
    const level = priority === undefined ? NORMAL : levelOf(POST, priority);
    const signal = options?.signal;
    assertSignal(POST, signal);
    const delayMs = orDefault(options?.delayMs, 0);
    assertDuration(POST, "delayMs", delayMs);
    if (this.#disposed) {
      throw new InvalidStateError(
        "Cannot post a task as the scheduler was disposed",
      );
    }
    const t = new Task(this.#host, task, level);
    const handle = t as unknown as PriorityTaskHandle<T>;
    if (signal?.aborted) {
      t.state = "cancelled";
      t.fn = undefined;
      t.rejectCancelled(signal.reason);
      return handle;
    }
    this.#queued++;
    if (signal !== undefined) {
      t.externalSignal = signal;
      t.onAbort = () => this.#cancel(t, signal.reason);
      signal.addEventListener("abort", t.onAbort, { once: true });
    }
    if (delayMs > 0) {
      t.state = "delayed";
      t.deadline = this.#clock.now() + delayMs;
      t.seq = this.#seq++;
      this.#delayed.push(t);
    } else {
      this.#ready.push(t, false, this.#clock.now());
    }
    this.#wake();
    return handle;
  }

  /**
   * Cancels every unfinished task (each future rejects with a `DOMException`
   * named `"AbortError"`), clears the scheduler's timer, and refuses new
   * tasks.
   *
   * @example Disposing
   * ```ts
   * import { PriorityScheduler, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * let handle;
   * {
   *   using scheduler = new PriorityScheduler({ clock });
   *   handle = scheduler.post(() => 1, { delayMs: 10 });
   * }
   * await assert.rejects(handle.future, { name: "AbortError" });
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  [Symbol.dispose](): void {
    this.#disposed = true;
    const reason = abortError("The scheduler was disposed");
    const all = [
      ...this.#delayed.values(),
      ...this.#ready.values(),
      ...this.#waiting,
    ];
    if (this.#running !== undefined) all.push(this.#running);
    for (const t of all) this.#cancel(t, reason);
    this.#wake();
  }

  // Cancels `task` (the handle's `cancel` calls this).
  #cancel(task: Task, reason: unknown): boolean {
    const was = task.state;
    if (was === "done" || was === "cancelled") return false;
    if (was === "delayed") this.#delayed.remove(task);
    else if (was === "queued") this.#ready.forget(task);
    this.#release(task);
    task.state = "cancelled";
    task.rejectCancelled(reason);
    task.controller?.abort(reason);
    if (was !== "running") task.close();
    this.#wake();
    return true;
  }

  // Whether `task` should yield (its context's `shouldYield` calls this).
  #shouldYield(task: Task): boolean {
    if (
      this.#inSlice && this.#clock.now() - this.#sliceStart >= this.#sliceMs
    ) {
      return true;
    }
    return this.#ready.hasAbove(task.level);
  }

  #release(t: Task): void {
    this.#queued--;
    if (t.state === "waiting") this.#waiting.delete(t);
    t.fn = undefined;
    if (t.onAbort !== undefined) {
      t.externalSignal!.removeEventListener("abort", t.onAbort);
      t.onAbort = undefined;
      t.externalSignal = undefined;
    }
  }

  // Arms (or clears) the one clock timer, or dispatches a slice.
  #wake(): void {
    if (this.#inSlice) return;
    let at = this.#delayed.peek()?.deadline ?? Infinity;
    if (this.#ready.size > 0) {
      if (this.#executor !== undefined) {
        if (!this.#dispatched) {
          this.#dispatched = true;
          this.#executor.execute(this.#onDispatch);
        }
      } else at = -Infinity;
    }
    if (at === this.#timerAt) return;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#timerAt = at;
    if (at === Infinity) return;
    const wait = at - this.#clock.now();
    this.#timer = this.#clock.setTimeout(this.#onTimer, wait > 0 ? wait : 0);
  }

  #runSlice(): void {
    if (this.#inSlice) return;
    this.#inSlice = true;
    const clock = this.#clock;
    this.#sliceStart = clock.now();
    let steps = 0;
    try {
      for (;;) {
        const now = clock.now();
        this.#promoteDelayed(now);
        this.#ready.age(now);
        const t = this.#ready.shift();
        if (t === undefined) break;
        this.#step(t);
        if (
          ++steps >= this.#sliceSteps ||
          clock.now() - this.#sliceStart >= this.#sliceMs
        ) break;
      }
    } finally {
      this.#inSlice = false;
      this.#wake();
    }
  }

  #promoteDelayed(now: number): void {
    const heap = this.#delayed;
    for (let top = heap.peek(); top !== undefined && top.deadline <= now;) {
      heap.pop();
      this.#ready.push(top, false, now);
      top = heap.peek();
    }
  }

  #step(t: Task): void {
    t.state = "running";
    this.#running = t;
    try {
      let gen = t.gen;
      if (gen === undefined) {
        const result = t.fn!(t);
        if (!isGenerator(result)) return this.#finish(t, result, false);
        t.gen = gen = result;
        t.fn = undefined;
      }
      const send = t.send;
      t.send = undefined;
      const r = t.sendThrow
        ? (t.sendThrow = false, gen.throw(send))
        : gen.next(send);
      if (r.done) return this.#finish(t, r.value, false);
      if ((t.state as string) === "cancelled") return t.close();
      // `then` is read once; a throwing getter or `then` fails the task.
      const then = thenOf(r.value);
      if (then !== undefined) {
        t.state = "waiting";
        this.#waiting.add(t);
        then.call(
          r.value,
          (v: unknown) => this.#resume(t, v, false),
          (e: unknown) => this.#resume(t, e, true),
        );
      } else this.#ready.push(t, true, this.#clock.now());
    } catch (e) {
      this.#finish(t, e, true);
    } finally {
      this.#running = undefined;
    }
  }

  // Called by the promise a task yielded: never throws, so the promise
  // `then` returned cannot reject unhandled (a failing clock is reported).
  #resume(t: Task, value: unknown, failed: boolean): void {
    if (t.state !== "waiting") return;
    this.#waiting.delete(t);
    t.send = value;
    t.sendThrow = failed;
    try {
      this.#ready.push(t, true, this.#clock.now());
      this.#wake();
    } catch (e) {
      reportError(e);
    }
  }

  #finish(t: Task, value: unknown, failed: boolean): void {
    if (t.state === "cancelled") return;
    this.#release(t);
    t.state = "done";
    t.gen = undefined;
    if (failed) t.completer.reject(value);
    else t.completer.resolve(value);
  }
}
