/**
 * `EventLoopHost`: what code running on a simulated event loop calls (the
 * runtime's timers, microtasks, nextTick, immediates, animation frames and
 * prioritized tasks, plus promises and futures bound to the loop), without
 * the means to drive it. {@linkcode EventLoop} extends it with driving and
 * the trace.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Executor } from "../core/executor.ts";
import {
  assertDuration,
  assertFinite,
  assertFunction,
  assertInteger,
  assertOptions,
  assertSignal,
  typeError,
} from "../core/_validate.ts";
import { Completer } from "../future/completer.ts";
import type { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import { type AnyFn, type Job, LoopEngine } from "./_loop_engine.ts";
import { LoopTurns } from "./_loop_models.ts";
import { exposeLoopParts, requireApi } from "./_loop_parts.ts";
import { PRIORITIES } from "./_post_task.ts";
import {
  type Profile,
  type ProfileApis,
  type ProfileName,
  resolveProfile,
} from "./profiles.ts";
import {
  type AsyncBody,
  promiseReject,
  promiseResolve,
  simulateAsync,
  SimulatedPromise,
} from "./simulated_async.ts";
import { Trace } from "./trace.ts";

/**
 * Options of the {@linkcode EventLoop} constructor.
 *
 * @example A Node loop starting at 1 s, with a trace
 * ```ts
 * import { EventLoop, type EventLoopOptions } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const options: EventLoopOptions = { profile: "node", startMs: 1000, trace: true };
 * const loop = new EventLoop(options);
 * loop.setTimeout(() => {}, 0);
 * loop.runAll();
 * assert.equal(loop.now(), 1001); // 0 ms is 1 ms in Node
 * assert.equal(loop.trace.events.length, 1);
 * ```
 */
export interface EventLoopOptions {
  /**
   * The runtime to simulate: a built-in profile name or a profile object
   * (see {@linkcode profiles}).
   *
   * @default {"html"}
   */
  profile?: ProfileName | Profile;
  /**
   * Whether to record a trace of every callback (`true`), or the
   * {@linkcode Trace} to record into.
   *
   * @default {false}
   */
  trace?: boolean | Trace;
  /**
   * The most callbacks (tasks, microtasks, frame callbacks) one drive runs
   * before a {@linkcode LoopLimitError} stops a runaway schedule.
   *
   * @default {1_000_000}
   */
  loopLimit?: number;
  /**
   * The virtual time to start at, in milliseconds.
   *
   * @default {0}
   */
  startMs?: number;
}

/**
 * The priority of a task posted with {@linkcode EventLoop.postTask}.
 *
 * @example Priorities run highest first
 * ```ts
 * import { EventLoop, type PostTaskPriority } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop();
 * const order: PostTaskPriority[] = [];
 * const all = ["background", "user-visible", "user-blocking"] as const;
 * for (const priority of all) {
 *   loop.postTask(() => order.push(priority), { priority });
 * }
 * loop.runAll();
 * assert.deepEqual(order, ["user-blocking", "user-visible", "background"]);
 * ```
 */
export type PostTaskPriority = "user-blocking" | "user-visible" | "background";

/**
 * Options of {@linkcode EventLoop.postTask}.
 *
 * @example A delayed background task, and an aborted one
 * ```ts
 * import { EventLoop, type PostTaskOptions } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop();
 * const options: PostTaskOptions = { priority: "background", delay: 50 };
 * const ranAt = loop.postTask(() => loop.now(), options);
 * const controller = new AbortController();
 * const dropped = loop.postTask(() => "never", { signal: controller.signal });
 * controller.abort(new Error("not needed"));
 * dropped.then(undefined, () => {});
 * loop.runAll();
 * assert.equal(ranAt.state, "fulfilled");
 * assert.equal(dropped.state, "rejected");
 * assert.equal(loop.now(), 50);
 * ```
 */
export interface PostTaskOptions {
  /**
   * The priority.
   *
   * @default {"user-visible"}
   */
  priority?: PostTaskPriority;
  /**
   * A delay in milliseconds before the task is queued.
   *
   * @default {0}
   */
  delay?: number;
  /** Aborting it removes the task (or stops a generator task at its yield). */
  signal?: AbortSignal;
}

// A completer whose future dispatches its reactions on the loop.
class LoopCompleter<T> extends Completer<T> {
  override readonly future: Future<T>;
  constructor(executor: Executor) {
    super();
    this.future = pendingFuture<T>().via(executor);
  }
}

/**
 * The part of an {@linkcode EventLoop} that the code it runs sees: the
 * runtime's scheduling APIs by the profile's rules, the virtual time, trace
 * labels, and promises, futures and completers whose reactions run in the
 * loop's microtask queue. Driving the loop (`step`, `advance`, `runAll`,
 * ...) and reading its trace belong to `EventLoop`, the only subclass: hand
 * code under test an `EventLoopHost` so that the test alone moves time.
 *
 * It implements {@linkcode Clock}, so any time-based pledge API can run on
 * it.
 *
 * @example Code under test sees the host, the test drives the loop
 * ```ts
 * import { EventLoop, type EventLoopHost } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * function poll(host: EventLoopHost, seen: number[]): void {
 *   host.setInterval(() => seen.push(host.now()), 100);
 * }
 * const loop = new EventLoop();
 * const seen: number[] = [];
 * poll(loop, seen);
 * loop.advance(250);
 * assert.deepEqual(seen, [100, 200]);
 * loop.reset();
 * ```
 */
export abstract class EventLoopHost implements Clock {
  readonly #e: LoopEngine;
  readonly #turns: LoopTurns;
  readonly #trace: Trace;
  #executor: Executor | undefined;

  static {
    exposeLoopParts((host) => {
      const h = host as EventLoopHost;
      return { engine: h.#e, turns: h.#turns, trace: h.#trace };
    });
  }

  /**
   * Creates a loop at `startMs` with nothing queued.
   *
   * @param options `profile`, `trace`, `loopLimit`, `startMs`.
   * @throws {TypeError} When `profile` is neither a built-in name nor a
   *   well-formed profile, or `trace` is not a boolean or a Trace.
   * @throws {RangeError} When `loopLimit` is not an integer >= 1 or
   *   `startMs` is not finite.
   *
   * @example A Deno loop with a trace
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "deno", trace: true, startMs: 100 });
   * loop.setImmediate(() => {});
   * loop.runAll();
   * assert.equal(loop.trace.events[0]!.queue, "immediates");
   * assert.equal(loop.now(), 100);
   * ```
   */
  constructor(options?: EventLoopOptions) {
    const action = "create an EventLoop";
    assertOptions(action, options);
    const profile = resolveProfile(options?.profile ?? "html");
    const trace = options?.trace ?? false;
    if (typeof trace !== "boolean" && !(trace instanceof Trace)) {
      typeError(action, "trace", "a boolean or a Trace", trace);
    }
    const loopLimit = options?.loopLimit ?? 1_000_000;
    assertInteger(action, "loopLimit", loopLimit);
    const startMs = options?.startMs ?? 0;
    assertFinite(action, "startMs", startMs);
    this.#trace = trace instanceof Trace ? trace : new Trace();
    this.#e = new LoopEngine(
      profile,
      trace === false ? undefined : this.#trace,
      loopLimit,
      startMs,
    );
    this.#turns = new LoopTurns(this.#e, this);
  }

  /**
   * The profile the loop follows.
   *
   * @example Reading the rules
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new EventLoop({ profile: "node" }).profile.minDelayMs, 1);
   * ```
   */
  get profile(): Profile {
    return this.#e.profile;
  }

  /**
   * Whether the loop records a trace.
   *
   * @example Off by default
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new EventLoop().tracing, false);
   * ```
   */
  get tracing(): boolean {
    return this.#e.trace !== undefined;
  }

  /**
   * The current virtual time in milliseconds.
   *
   * @returns The time.
   *
   * @example Time moves only when driven
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * loop.advance(250);
   * assert.equal(loop.now(), 250);
   * ```
   */
  now(): number {
    return this.#e.now;
  }

  /**
   * Schedules `callback` after `ms` milliseconds, by the profile's rules: in
   * `"html"` the delay is truncated, negative becomes 0 and the 4 ms nesting
   * clamp applies; in `"node"` and `"deno"` a delay below 1 ms (or `NaN`)
   * becomes 1 ms. Delays above 2^31-1 ms overflow to the minimum.
   *
   * @param callback The function to run.
   * @param ms The delay.
   * @param args Arguments passed to `callback`.
   * @returns A handle for {@linkcode EventLoop.clearTimeout}.
   * @throws {TypeError} When `callback` is not a function or `ms` is not a
   *   number.
   *
   * @example Deadline, then arming order
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node" });
   * const order: string[] = [];
   * loop.setTimeout(() => order.push("a"), 5);
   * loop.setTimeout(() => order.push("b"), 0);
   * loop.setTimeout(() => order.push("c"), 1);
   * loop.runAll();
   * assert.deepEqual(order, ["b", "c", "a"]); // 0 is 1 in Node
   * ```
   */
  setTimeout(
    callback: (...args: never[]) => void,
    ms?: number,
    ...args: unknown[]
  ): TimerHandle {
    return this.#arm("set a timeout", callback, ms, args, false);
  }

  /**
   * Schedules `callback` every `ms` milliseconds (the same delay rules as
   * `setTimeout`). The interval re-arms after each run with a new arming
   * order, so it never starves timers due at the same time.
   *
   * @param callback The function to run.
   * @param ms The period.
   * @param args Arguments passed to `callback`.
   * @returns A handle for {@linkcode EventLoop.clearInterval}.
   * @throws {TypeError} When `callback` is not a function or `ms` is not a
   *   number.
   *
   * @example An interval and a timeout
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const at: number[] = [];
   * const h = loop.setInterval(() => at.push(loop.now()), 10);
   * loop.setTimeout(() => loop.clearInterval(h), 35);
   * loop.runAll();
   * assert.deepEqual(at, [10, 20, 30]);
   * ```
   */
  setInterval(
    callback: (...args: never[]) => void,
    ms?: number,
    ...args: unknown[]
  ): TimerHandle {
    return this.#arm("set an interval", callback, ms, args, true);
  }

  /**
   * Cancels a timer; unknown or already-run handles are ignored.
   *
   * @param handle A handle from `setTimeout` or `setInterval`.
   *
   * @example A cancelled timer never runs
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let ran = false;
   * loop.clearTimeout(loop.setTimeout(() => (ran = true), 1));
   * loop.runAll();
   * assert.equal(ran, false);
   * ```
   */
  clearTimeout(handle: TimerHandle): void {
    this.#e.timers.cancel(handle);
  }

  /**
   * Cancels an interval, also from inside its own callback.
   *
   * @param handle A handle from `setInterval`.
   *
   * @example Stopping after two runs
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let runs = 0;
   * const h = loop.setInterval(() => {
   *   if (++runs === 2) loop.clearInterval(h);
   * }, 5);
   * loop.runAll();
   * assert.equal(runs, 2);
   * ```
   */
  clearInterval(handle: TimerHandle): void {
    this.#e.timers.cancel(handle);
  }

  /**
   * Queues a microtask: it runs at the next checkpoint, after the current
   * callback, in FIFO order with promise reactions.
   *
   * @param callback The function to run.
   * @throws {TypeError} When `callback` is not a function.
   *
   * @example Microtasks queued by microtasks run in the same checkpoint
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const order: string[] = [];
   * loop.setTimeout(() => order.push("timer"), 0);
   * loop.queueMicrotask(() => {
   *   order.push("m1");
   *   loop.queueMicrotask(() => order.push("m2"));
   * });
   * loop.runAll();
   * assert.deepEqual(order, ["m1", "m2", "timer"]);
   * ```
   */
  queueMicrotask(callback: () => void): void {
    assertFunction("queue a microtask", "callback", callback);
    const e = this.#e;
    e.micro.push(e.job(callback, undefined, "queueMicrotask"));
  }

  /**
   * Queues a nextTick callback (Node, Deno): after each callback the whole
   * nextTick queue runs before promise jobs.
   *
   * @param callback The function to run.
   * @param args Arguments passed to `callback`.
   * @throws {TypeError} When the profile has no `nextTick` or `callback` is
   *   not a function.
   *
   * @example nextTick before promise jobs (CommonJS entry)
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node" });
   * const order: string[] = [];
   * loop.queueMicrotask(() => order.push("microtask"));
   * loop.nextTick(() => order.push("tick"));
   * loop.runAll();
   * assert.deepEqual(order, ["tick", "microtask"]);
   * ```
   */
  nextTick(
    callback: (...args: never[]) => void,
    ...args: unknown[]
  ): void {
    this.#require("nextTick");
    assertFunction("queue a nextTick callback", "callback", callback);
    const e = this.#e;
    e.ticks.push(
      e.job(callback, args.length > 0 ? args : undefined, "nextTick"),
    );
  }

  /**
   * Queues `callback` for the check phase (Node, Deno). One queued during
   * the check phase runs in the next turn.
   *
   * @param callback The function to run.
   * @param args Arguments passed to `callback`.
   * @returns A handle for {@linkcode EventLoop.clearImmediate}.
   * @throws {TypeError} When the profile has no `setImmediate` or `callback`
   *   is not a function.
   *
   * @example An immediate beats a timer scheduled in the same callback
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node" });
   * const order: string[] = [];
   * loop.setTimeout(() => {
   *   loop.setTimeout(() => order.push("timeout"), 0);
   *   loop.setImmediate(() => order.push("immediate"));
   * }, 5);
   * loop.runAll();
   * assert.deepEqual(order, ["immediate", "timeout"]);
   * ```
   */
  setImmediate(
    callback: (...args: never[]) => void,
    ...args: unknown[]
  ): TimerHandle {
    this.#require("setImmediate");
    assertFunction("set an immediate", "callback", callback);
    const e = this.#e;
    const j = e.job(
      callback,
      args.length > 0 ? args : undefined,
      "setImmediate",
    );
    this.#turns.immediates.push(j);
    return j;
  }

  /**
   * Cancels an immediate; unknown or already-run handles are ignored.
   *
   * @param handle A handle from `setImmediate`.
   * @throws {TypeError} When the profile has no `setImmediate`.
   *
   * @example Cancelling
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "deno" });
   * let ran = false;
   * loop.clearImmediate(loop.setImmediate(() => (ran = true)));
   * loop.runAll();
   * assert.equal(ran, false);
   * assert.equal(loop.pending, 0);
   * ```
   */
  clearImmediate(handle: TimerHandle): void {
    this.#require("setImmediate", "clearImmediate");
    if (handle !== null && typeof handle === "object") {
      this.#turns.cancelImmediate(handle as Job);
    }
  }

  /**
   * Requests a frame callback (HTML): it runs at the next rendering
   * opportunity with the frame's timestamp, shared by every callback of that
   * frame, with a microtask checkpoint between them. One requested during a
   * frame waits for the next.
   *
   * @param callback Receives the frame timestamp in virtual ms.
   * @returns An id for {@linkcode EventLoop.cancelAnimationFrame}.
   * @throws {TypeError} When the profile has no `requestAnimationFrame` or
   *   `callback` is not a function.
   *
   * @example Two callbacks, one timestamp
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "html" });
   * const stamps: number[] = [];
   * loop.requestAnimationFrame((t) => stamps.push(t));
   * loop.requestAnimationFrame((t) => stamps.push(t));
   * loop.nextFrame();
   * assert.deepEqual(stamps, [1000 / 60, 1000 / 60]);
   * ```
   */
  requestAnimationFrame(callback: (timestamp: number) => void): number {
    this.#require("requestAnimationFrame");
    assertFunction("request an animation frame", "callback", callback);
    const j = this.#e.job(callback, undefined, "requestAnimationFrame");
    this.#turns.frames.set(j.id, j);
    return j.id;
  }

  /**
   * Cancels a frame callback, also one of the frame being run.
   *
   * @param id An id from `requestAnimationFrame`.
   * @throws {TypeError} When the profile has no `requestAnimationFrame`.
   *
   * @example Cancelling
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let ran = false;
   * loop.cancelAnimationFrame(loop.requestAnimationFrame(() => (ran = true)));
   * loop.nextFrame();
   * assert.equal(ran, false);
   * ```
   */
  cancelAnimationFrame(id: number): void {
    this.#require("requestAnimationFrame", "cancelAnimationFrame");
    this.#turns.cancelFrame(id);
  }

  /**
   * Posts a prioritized task (`scheduler.postTask`). Priorities run
   * `"user-blocking"`, then `"user-visible"`, then `"background"` (the
   * profile's `taskSources` place timers among them). A generator function
   * gives way at each `yield`; its continuation runs before other tasks of
   * its priority. Aborting the signal rejects with `signal.reason` and
   * stops a generator (its `finally` blocks run); an already-aborted signal
   * rejects at once and queues nothing.
   *
   * @typeParam T The result type.
   * @param callback A function, or a generator function.
   * @param options `priority`, `delay`, `signal`.
   * @returns A simulated promise of the result.
   * @throws {TypeError} When the profile has no `postTask`, `callback` is not
   *   a function or `priority` is unknown.
   * @throws {RangeError} When `delay` is negative or not finite.
   *
   * @example Priorities and a yielding task
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const order: string[] = [];
   * loop.postTask(() => order.push("background"), { priority: "background" });
   * loop.postTask(function* () {
   *   order.push("slice 1");
   *   yield;
   *   order.push("slice 2");
   * });
   * loop.postTask(() => order.push("visible"));
   * loop.postTask(() => order.push("blocking"), { priority: "user-blocking" });
   * loop.runAll();
   * assert.deepEqual(order, ["blocking", "slice 1", "slice 2", "visible", "background"]);
   * ```
   */
  postTask<T>(
    callback: () => Generator<unknown, T, unknown>,
    options?: PostTaskOptions,
  ): SimulatedPromise<T>;
  /**
   * Posts a prioritized task that is a plain function (see the overload
   * above for the details and an example).
   *
   * @typeParam T The result type.
   * @param callback The function.
   * @param options `priority`, `delay`, `signal`.
   * @returns A simulated promise of the result.
   *
   * @example A plain function task after a delay
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let seen = 0;
   * loop.postTask(() => 6 * 7, { delay: 10 }).then((x) => (seen = x));
   * loop.runAll();
   * assert.equal(seen, 42);
   * assert.equal(loop.now(), 10);
   * ```
   */
  postTask<T>(
    callback: () => T,
    options?: PostTaskOptions,
  ): SimulatedPromise<Awaited<T>>;
  postTask(callback: () => unknown, options?: PostTaskOptions): unknown {
    const action = "post a task";
    this.#require("postTask");
    assertFunction(action, "callback", callback);
    assertOptions(action, options);
    const priority = options?.priority ?? "user-visible";
    const p = PRIORITIES.indexOf(priority);
    if (p < 0) {
      typeError(
        action,
        "priority",
        '"user-blocking", "user-visible" or "background"',
        priority,
      );
    }
    const delay = options?.delay ?? 0;
    assertDuration(action, "delay", delay);
    assertSignal(action, options?.signal);
    return this.#turns.tasks.post(callback, p, delay, options?.signal);
  }

  /**
   * Labels a callback in the trace (instead of its name or API) and returns
   * it unchanged.
   *
   * @typeParam F The function type.
   * @param text The label.
   * @param fn The callback.
   * @returns `fn`.
   * @throws {TypeError} When `text` is not a string or `fn` not a function.
   *
   * @example A labelled timer
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ trace: true });
   * loop.setTimeout(loop.label("tick", () => {}), 0);
   * loop.runAll();
   * assert.equal(loop.trace.events[0]!.label, "tick");
   * ```
   */
  label<F extends (...args: never[]) => unknown>(text: string, fn: F): F {
    if (typeof text !== "string") typeError("label", "text", "a string", text);
    assertFunction("label", "fn", fn);
    this.#e.labels.set(fn as unknown as AnyFn, text);
    this.#e.hasLabels = true;
    return fn;
  }

  /**
   * An {@linkcode Executor} that queues each task as a microtask of this
   * loop: move any future onto the loop with `future.via(loop.executor)`.
   *
   * @example Running a continuation in the loop
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let ran = false;
   * loop.executor.execute(() => (ran = true));
   * assert.equal(ran, false);
   * loop.runMicrotasks();
   * assert.equal(ran, true);
   * ```
   */
  get executor(): Executor {
    return this.#executor ??= Object.freeze({
      execute: (task: () => void): void => {
        const e = this.#e;
        e.micro.push(e.job(task, undefined, "future reaction"));
      },
    });
  }

  /**
   * Creates a {@linkcode Future} whose reactions (and those of every future
   * derived from it with `then`) run in this loop's microtask queue.
   * Resolving it with another future of the loop costs no extra tick;
   * resolving it with any other thenable (a native promise, a
   * {@linkcode SimulatedPromise}) adopts it through the host's microtasks, as
   * `Future` always does: drive the loop with the async variants then.
   *
   * @typeParam T The type of the value.
   * @param init Receives `resolve` and `reject`, as `new Future(init)` does;
   *   without it the future stays pending.
   * @returns The future.
   * @throws {TypeError} When `init` is given and is not a function.
   *
   * @example A future ordered against a timer
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const order: string[] = [];
   * loop.future<number>((resolve) => resolve(1)).then(() => order.push("future"));
   * loop.setTimeout(() => order.push("timer"), 0);
   * loop.runAll();
   * assert.deepEqual(order, ["future", "timer"]);
   * ```
   */
  future<T>(
    init?: (
      resolve: (value: T | PromiseLike<T>) => void,
      reject: (reason?: unknown) => void,
    ) => void,
  ): Future<T> {
    if (init !== undefined) assertFunction("create a future", "init", init);
    const f = pendingFuture<T>().via(this.executor);
    if (init !== undefined) {
      let done = false;
      try {
        init((v) => {
          if (!done) (done = true, resolveFuture(f, v));
        }, (e) => {
          if (!done) (done = true, rejectFuture(f, e));
        });
      } catch (e) {
        if (!done) (done = true, rejectFuture(f, e));
      }
    }
    return f;
  }

  /**
   * Creates a {@linkcode Completer} whose future's reactions run in this
   * loop's microtask queue.
   *
   * @typeParam T The type of the value.
   * @returns The completer.
   *
   * @example Completing from a timer
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const c = loop.completer<string>();
   * const seen: string[] = [];
   * c.future.then((v) => seen.push(`${v} at ${loop.now()}`));
   * loop.setTimeout(() => c.resolve("done"), 20);
   * loop.runAll();
   * assert.deepEqual(seen, ["done at 20"]);
   * ```
   */
  completer<T>(): Completer<T> {
    return new LoopCompleter<T>(this.executor);
  }

  /**
   * Creates a {@linkcode SimulatedPromise}, as `new Promise(init)` does,
   * whose jobs run in this loop's microtask queue with ECMA-262's ordering.
   *
   * @typeParam T The type of the value.
   * @param init Receives `resolve` and `reject`.
   * @returns The promise.
   * @throws {TypeError} When `init` is not a function.
   *
   * @example Resolving with a promise costs two ticks
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const order: string[] = [];
   * loop.promise((resolve) => resolve(loop.resolved())).then(() => order.push("outer"));
   * loop.resolved().then(() => order.push("1")).then(() => order.push("2"))
   *   .then(() => order.push("3"));
   * loop.runMicrotasks();
   * assert.deepEqual(order, ["1", "2", "outer", "3"]);
   * ```
   */
  promise<T>(
    init: (
      resolve: (value: T | PromiseLike<T>) => void,
      reject: (reason?: unknown) => void,
    ) => void,
  ): SimulatedPromise<T> {
    assertFunction("create a promise", "init", init);
    return new SimulatedPromise<T>(this, init);
  }

  /**
   * `Promise.resolve()` in the loop: a simulated promise fulfilled with
   * `undefined`, whose reactions run in the loop's microtask queue.
   *
   * @returns The promise.
   *
   * @example Reactions wait for the microtask checkpoint
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const order: string[] = [];
   * loop.resolved().then(() => order.push("then"));
   * order.push("sync");
   * loop.runMicrotasks();
   * assert.deepEqual(order, ["sync", "then"]);
   * ```
   */
  resolved(): SimulatedPromise<void>;
  /**
   * `Promise.resolve(value)` in the loop: `value` itself when it is a
   * simulated promise of this loop, otherwise a new one resolved with it.
   *
   * @typeParam T The type of the value.
   * @param value The value or thenable.
   * @returns The promise.
   *
   * @example A resolved promise, and one passed through
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let seen = 0;
   * const three = loop.resolved(3);
   * three.then((x) => (seen = x));
   * assert.equal(loop.resolved(three), three);
   * loop.runMicrotasks();
   * assert.equal(seen, 3);
   * ```
   */
  resolved<T>(value: T): SimulatedPromise<Awaited<T>>;
  resolved<T>(value?: T): SimulatedPromise<Awaited<T>> {
    return promiseResolve(this, value as T);
  }

  /**
   * `Promise.reject` in the loop.
   *
   * @typeParam T The value type it would have had.
   * @param reason The reason.
   * @returns A rejected simulated promise.
   *
   * @example A rejected promise
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * assert.equal(loop.rejected(new Error("no")).catch(() => {}).state, "pending");
   * ```
   */
  rejected<T = never>(reason?: unknown): SimulatedPromise<T> {
    return promiseReject<T>(this, reason);
  }

  /**
   * Simulates an async function with a generator function: `yield x` means
   * `await x` (1 tick for a value or a promise of this loop, 2 for another
   * thenable) and the returned promise adopts the return value (a returned
   * promise costs the caller 3 ticks in all).
   *
   * @typeParam A The parameters.
   * @typeParam R The return type of the body.
   * @param body The generator function.
   * @returns A function returning a {@linkcode SimulatedPromise}.
   * @throws {TypeError} When `body` is not a function.
   *
   * @example async/await against a promise chain
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const out: string[] = [];
   * const a2 = loop.async(function* () {
   *   out.push("a2");
   * });
   * const a1 = loop.async(function* () {
   *   out.push("a1 start");
   *   yield a2();
   *   out.push("a1 end");
   * });
   * a1();
   * loop.promise<void>((r) => (out.push("p1"), r())).then(() => out.push("p2"));
   * loop.runAll();
   * assert.deepEqual(out, ["a1 start", "a2", "p1", "a1 end", "p2"]);
   * ```
   */
  async<A extends unknown[], R>(
    body: AsyncBody<A, R>,
  ): (...args: A) => SimulatedPromise<Awaited<R>> {
    return simulateAsync(this, body);
  }

  #arm(
    action: string,
    callback: (...args: never[]) => void,
    ms: number | undefined,
    args: unknown[],
    interval: boolean,
  ): number {
    assertFunction(action, "callback", callback);
    if (ms !== undefined && typeof ms !== "number") {
      typeError(action, "ms", "a number", ms);
    }
    return this.#e.arm(
      callback as AnyFn,
      ms ?? 0,
      args.length > 0 ? args : undefined,
      interval,
    );
  }

  #require(api: keyof ProfileApis, name: string = api): void {
    requireApi(this.#e.profile, api, name);
  }
}
