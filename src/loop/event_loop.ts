/**
 * `EventLoop`: a deterministic event-loop simulator with HTML, Node and Deno
 * profiles, a trace of every callback, and a {@linkcode Clock} face so any
 * pledge API can run on it. One class: the host APIs the simulated code
 * calls, the promises and futures bound to the loop, and the driving and
 * tracing the test does. The queues and loop models behind it live in the
 * private engine (`_loop_engine.ts`, `_loop_models.ts`).
 *
 * @module
 */

import type { Clock, TimerHandle } from "../core/clock.ts";
import { DeadlockError, InvalidStateError } from "../core/errors.ts";
import type { Executor } from "../core/executor.ts";
import {
  assertDuration,
  assertFinite,
  assertFunction,
  assertInteger,
  assertOptions,
  assertSignal,
  orDefault,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { Completer } from "../future/completer.ts";
import { Future } from "../future/future.ts";
import {
  type AnyFn,
  type Job,
  LoopEngine,
  type UncaughtListener,
} from "./_loop_engine.ts";
import { LoopTurns } from "./_loop_models.ts";
import { MacrotaskGate } from "./_macrotask_gate.ts";
import { postTaskLevel } from "./_post_task.ts";
import { setRejectionTracker } from "./_rejections.ts";
import { resolveProfile } from "./_resolve_profile.ts";
import { Settlement } from "./_settlement.ts";
import { snapshotOf } from "./_snapshot.ts";
import type { Profile, ProfileApis, ProfileName } from "./profiles.ts";
import {
  type AsyncBody,
  simulateAsync,
  SimulatedPromise,
} from "./simulated_async.ts";
import { Trace } from "./trace.ts";

/** Options of the {@linkcode EventLoop} constructor. */
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
 * The priority of a task posted with {@linkcode EventLoop.postTask}, highest
 * first: `"user-blocking"`, `"user-visible"`, `"background"`.
 */
export type PostTaskPriority = "user-blocking" | "user-visible" | "background";

/** Options of {@linkcode EventLoop.postTask}. */
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
  /**
   * Aborting it removes the task (or stops a generator task at its yield).
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * An uncaught error or unhandled rejection, as the listeners of
 * {@linkcode EventLoop.onError} and {@linkcode EventLoop.onUnhandledRejection}
 * see it.
 */
export interface UncaughtErrorEvent {
  /** `"error"` for a throwing callback, `"unhandledrejection"` for a rejection. */
  readonly type: "error" | "unhandledrejection";
  /** What the callback threw, or the rejection reason. */
  readonly error: unknown;
  /**
   * The rejected promise: of an `"unhandledrejection"`, or in `"node"` of an
   * `"error"` that is an unhandled rejection raised as an uncaught exception
   * (no `onUnhandledRejection` listener).
   */
  readonly promise: PromiseLike<unknown> | undefined;
  /**
   * The trace event of the callback that threw or rejected (undefined at top
   * level or when the loop does not trace).
   */
  readonly eventId: number | undefined;
  /** Whether a listener called `preventDefault()`. */
  readonly defaultPrevented: boolean;
  /**
   * Handles it: nothing is reported (`"report"` profiles) and the process
   * does not crash (`"crash-unless-prevented"` profiles).
   */
  preventDefault(): void;
}

/**
 * The event a {@linkcode SimulatedMessagePort} listener receives: a
 * `MessageEvent`-shaped object.
 */
export interface SimulatedMessageEvent {
  /** Always `"message"`. */
  readonly type: "message";
  /** A structured clone of the posted message. */
  readonly data: unknown;
  /** The receiving port. */
  readonly target: SimulatedMessagePort;
  /** The receiving port. */
  readonly currentTarget: SimulatedMessagePort;
  /** Transferred ports (none: transfer lists are not simulated). */
  readonly ports: readonly never[];
}

/**
 * One end of a simulated `MessageChannel` (see
 * {@linkcode EventLoop.messageChannel}). As in HTML, a port delivers only
 * once started (setting `onmessage` starts it, `addEventListener` does not:
 * call `start()`), and `close()` disentangles both ends.
 */
export interface SimulatedMessagePort {
  /**
   * Posts a structured clone of `message` to the other end; dropped when
   * either end is closed.
   *
   * @param message The message.
   */
  postMessage(message: unknown): void;
  /** The message handler; setting a function starts the port. */
  onmessage: ((event: SimulatedMessageEvent) => unknown) | null;
  /**
   * Adds a `"message"` listener (other types are ignored, and so is a
   * `null` or `undefined` listener, as the hosts ignore them).
   *
   * @param type The event type.
   * @param listener The listener.
   * @throws {TypeError} When `listener` is neither a function nor
   *   nullish (a listener object with `handleEvent` is not simulated).
   */
  addEventListener(
    type: string,
    listener: (event: SimulatedMessageEvent) => unknown,
  ): void;
  /**
   * Removes a `"message"` listener.
   *
   * @param type The event type.
   * @param listener The listener.
   * @throws {TypeError} When `listener` is neither a function nor nullish.
   */
  removeEventListener(
    type: string,
    listener: (event: SimulatedMessageEvent) => unknown,
  ): void;
  /** Starts delivering queued and later messages. */
  start(): void;
  /** Closes the port: its queue is dropped and both ends disentangled. */
  close(): void;
}

/** A simulated `MessageChannel`: two entangled ports. */
export interface SimulatedMessageChannel {
  /** The first port. */
  readonly port1: SimulatedMessagePort;
  /** The second port. */
  readonly port2: SimulatedMessagePort;
}

/** A callback waiting in one of the loop's queues (see `snapshot()`). */
export interface QueuedCallback {
  /** The queue, named as in the trace (`"timers"`, `"microtasks"` ...). */
  readonly queue: string;
  /** Its label, as the trace would record it. */
  readonly label: string;
  /** The trace event during which it was queued (undefined: top level). */
  readonly enqueuedBy: number | undefined;
  /** The virtual time in milliseconds when it was queued. */
  readonly enqueuedAt: number;
  /** When it falls due (timers, delayed tasks), in virtual ms; else undefined. */
  readonly dueAt: number | undefined;
}

// A completer whose future dispatches its reactions on the loop.
class LoopCompleter<T> extends Completer<T> {
  override readonly future: Future<T>;
  constructor(executor: Executor) {
    super();
    this.future = new Future<T>(noop).via(executor);
  }
}

function noop(): void {}

function listen(
  action: string,
  listeners: Set<UncaughtListener>,
  listener: (event: UncaughtErrorEvent) => void,
): Disposable {
  assertFunction(action, "listener", listener);
  const l = listener as UncaughtListener;
  listeners.add(l);
  return { [Symbol.dispose]: () => void listeners.delete(l) };
}

// A delay converted to a number as the hosts do (`"10"` is 10, `"x"` NaN);
// a BigInt or a Symbol is a TypeError, as there.
function toDelay(action: string, ms: unknown): number {
  if (typeof ms === "number") return ms;
  if (ms === undefined) return 0;
  if (typeof ms === "bigint" || typeof ms === "symbol") {
    typeError(action, "ms", "convertible to a number", ms);
  }
  return +(ms as number);
}

/**
 * A simulated event loop in virtual time. It owns its own timer heap,
 * microtask queue, nextTick queue, immediates, animation frames and
 * prioritized tasks, and runs them by the rules of a runtime profile
 * (`"html"`, `"node"`, `"deno"` or your own): the microtask checkpoint after
 * every callback, timers by deadline then arming order, the HTML nesting
 * clamp and rendering opportunities, Node's phases and nextTick queue, and
 * the CommonJS or ESM entry, where each runtime delivers `MessageChannel`
 * messages, `AbortSignal.timeout` and `scheduler.yield()` continuations, and
 * what an uncaught error or unhandled rejection does (the browser reports it
 * and goes on, Node and Deno crash: the drive throws). Code can spend virtual
 * time (`spend(ms)`, a busy loop). Calling an API the profile lacks throws a
 * `TypeError` (`postTask` and `yield` reject with it).
 *
 * It implements {@linkcode Clock}, so any time-based pledge API can be
 * driven by it; `future()` and `completer()` give futures whose reactions run
 * in its microtask queue, and `async()` simulates async functions with exact
 * await costs. With `trace: true` every callback is recorded with its time,
 * queue, what queued it and the rule that placed it.
 *
 * Time moves only when driven: `step`, `advance`, `advanceTo`, `runAll`,
 * `nextFrame`, `runMicrotasks`, and the async variants that let the host's
 * own microtasks run between virtual tasks.
 *
 * @example The classic puzzle, and why
 * ```ts
 * import { EventLoop } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop({ profile: "node", trace: true });
 * const out: string[] = [];
 * loop.setTimeout(() => out.push("timeout"), 0);
 * loop.resolved().then(() => out.push("then"));
 * out.push("sync");
 * loop.runAll();
 * assert.deepEqual(out, ["sync", "then", "timeout"]);
 * assert.equal(loop.trace.events[1]!.time, 1); // node: 0 ms becomes 1 ms
 * assert.match(loop.trace.explain(2, 1), /not due until 1ms/);
 * ```
 */
export class EventLoop implements Clock {
  readonly #e: LoopEngine;
  readonly #turns: LoopTurns;
  readonly #trace: Trace;
  #executor: Executor | undefined;
  #asyncDrive = false;
  #ranAtTop = 0;

  /**
   * Creates a loop at `startMs` with nothing queued.
   *
   * @param options `profile`, `trace`, `loopLimit`, `startMs`.
   * @throws {TypeError} When `options` is not an options object, `profile`
   *   is neither a built-in name nor a well-formed profile, or `trace` is not
   *   a boolean or a Trace.
   * @throws {RangeError} When `loopLimit` is not an integer >= 1 or
   *   `startMs` is not finite.
   */
  constructor(options?: EventLoopOptions) {
    const action = "create an EventLoop";
    assertOptions(action, options);
    const profile = resolveProfile(orDefault(options?.profile, "html"));
    const trace = orDefault(options?.trace, false);
    if (typeof trace !== "boolean" && !(trace instanceof Trace)) {
      typeError(action, "trace", "a boolean or a Trace", trace);
    }
    const loopLimit = orDefault(options?.loopLimit, 1_000_000);
    assertInteger(action, "loopLimit", loopLimit);
    const startMs = orDefault(options?.startMs, 0);
    assertFinite(action, "startMs", startMs);
    this.#trace = trace instanceof Trace ? trace : new Trace();
    this.#e = new LoopEngine(
      profile,
      trace === false ? undefined : this.#trace,
      loopLimit,
      startMs,
    );
    this.#turns = new LoopTurns(this.#e, this);
    const e = this.#e;
    setRejectionTracker(
      this,
      (p, op, reason) => e.trackRejection(p, op, reason),
    );
  }

  /** The profile the loop follows. */
  get profile(): Profile {
    return this.#e.profile;
  }

  /** Whether the loop records a trace. */
  get tracing(): boolean {
    return this.#e.trace !== undefined;
  }

  /** The trace (empty unless the loop was created with `trace`). */
  get trace(): Trace {
    return this.#trace;
  }

  /** The number of timers (one-shot and interval) still scheduled. */
  get pendingTimers(): number {
    return this.#e.timers.live;
  }

  /**
   * The id of the trace event running now: the callback on the stack, or
   * the one whose microtask checkpoint runs; `undefined` at top level or
   * when the loop does not trace.
   */
  get currentEvent(): number | undefined {
    return this.#e.current;
  }

  /**
   * How many callbacks of every kind wait to run: timers, microtasks,
   * nextTick callbacks, immediates, frame callbacks, posted tasks, messages
   * and events.
   */
  get queued(): number {
    return this.#e.queued + this.#turns.queued;
  }

  /**
   * An {@linkcode Executor} that queues each task as a microtask of this
   * loop: move any future onto the loop with `future.via(loop.executor)`.
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
   * The current virtual time in milliseconds.
   *
   * @returns The time.
   *
   * @example Time moves only when driven
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ startMs: 100 });
   * loop.advance(250);
   * assert.equal(loop.now(), 350);
   * ```
   */
  now(): number {
    return this.#e.now;
  }

  /**
   * Schedules `callback` after `ms` milliseconds, by the profile's rules.
   * The delay is first converted to a number as the hosts do (`"10"` is 10,
   * `"x"` and `undefined` are `NaN`); then in `"html"` it is converted as a
   * WebIDL `long` (truncated, wrapped modulo 2^32: `NaN` and negative
   * delays become 0) and the 4 ms nesting clamp applies; in `"node"` and
   * `"deno"` a delay below 1 ms, `NaN` or above 2^31-1 becomes 1 ms. Handles
   * are numbers from 1.
   *
   * @param callback The function to run.
   * @param ms The delay.
   * @param args Arguments passed to `callback`.
   * @returns A handle for {@linkcode EventLoop.clearTimeout}.
   * @throws {TypeError} When `callback` is not a function or `ms` is a
   *   BigInt or a Symbol (as the hosts throw).
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
   * @throws {TypeError} When `callback` is not a function or `ms` is a
   *   BigInt or a Symbol.
   *
   * @example An interval stopped by a timeout
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
   * assert.equal(loop.pendingTimers, 0);
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
   * assert.equal(loop.queued, 0);
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
   * Posts a prioritized task (`scheduler.postTask`); see the last overload
   * for the details and an example.
   *
   * @typeParam T The result type.
   * @param callback A generator function: it gives way at each `yield`.
   * @param options `priority`, `delay`, `signal`.
   * @returns A simulated promise of the result.
   */
  postTask<T>(
    callback: () => Generator<unknown, T, unknown>,
    options?: PostTaskOptions,
  ): SimulatedPromise<T>;
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
   * @throws {TypeError} Rejects with it (nothing is thrown, nothing queued)
   *   when the profile has no `postTask`, `callback` is not a function,
   *   `options` is not an options object, `priority` is unknown or `signal`
   *   is not an `AbortSignal`.
   * @throws {RangeError} Rejects with it when `delay` is negative or not
   *   finite.
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
    callback: () => T,
    options?: PostTaskOptions,
  ): SimulatedPromise<Awaited<T>>;
  postTask(callback: () => unknown, options?: PostTaskOptions): unknown {
    const action = "post a task";
    let level: number;
    let delay: number;
    try {
      this.#require("postTask");
      assertFunction(action, "callback", callback);
      assertOptions(action, options);
      level = postTaskLevel(
        action,
        orDefault(options?.priority, "user-visible"),
      );
      delay = orDefault(options?.delay, 0);
      assertDuration(action, "delay", delay);
      assertSignal(action, options?.signal);
    } catch (error) {
      return SimulatedPromise.reject(this, error);
    }
    return this.#turns.tasks.post(callback, level, delay, options?.signal);
  }

  /**
   * `scheduler.yield()` (HTML): a promise resolved by a continuation task at
   * the priority of the `postTask` task running now (`"user-visible"`
   * outside one). A continuation runs before every task of its priority,
   * timers included, and after tasks of higher priorities, as in Chromium.
   * It inherits that task's `signal` too, as Chromium does: when the signal
   * is already aborted the promise rejects with `signal.reason` and nothing
   * is queued; aborting it while the continuation waits removes the
   * continuation and rejects with `signal.reason`.
   *
   * @returns A simulated promise that fulfils when the continuation runs.
   * @throws {TypeError} Rejects with it (nothing is thrown, nothing queued)
   *   when the profile has no `postTask`.
   *
   * @example Giving way to user-blocking work, ahead of timers
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "html" });
   * const out: string[] = [];
   * loop.setTimeout(() => out.push("timer"), 0);
   * loop.async(function* () {
   *   out.push("work, part 1");
   *   yield loop.yield();
   *   out.push("work, part 2");
   * })();
   * loop.postTask(() => out.push("urgent"), { priority: "user-blocking" });
   * loop.runAll();
   * assert.deepEqual(out, ["work, part 1", "urgent", "work, part 2", "timer"]);
   * ```
   */
  yield(): SimulatedPromise<void> {
    try {
      this.#require("postTask", "yield");
    } catch (error) {
      return SimulatedPromise.reject(this, error);
    }
    return this.#turns.tasks.yield();
  }

  /**
   * Lets `ms` of virtual time pass inside the running code, as a busy loop
   * would: a timer that falls due meanwhile runs late, once the code
   * returns, and the trace records the time spent (`spentMs`) and why the
   * timer ran late. At top level it moves time without running anything.
   *
   * @param ms How long, a finite number >= 0.
   * @throws {TypeError} When `ms` is not a number.
   * @throws {RangeError} When `ms` is negative or not finite.
   *
   * @example A blocked loop: a due timer waits for the busy script
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node" });
   * const out: string[] = [];
   * loop.runScript(() => {
   *   loop.setTimeout(() => out.push(`10 ms timer at ${loop.now()}`), 10);
   *   loop.spend(50); // a busy loop
   *   loop.setTimeout(() => out.push(`5 ms timer at ${loop.now()}`), 5);
   * });
   * loop.runAll();
   * assert.deepEqual(out, ["10 ms timer at 50", "5 ms timer at 55"]);
   * ```
   */
  spend(ms: number): void {
    assertDuration("spend time", "ms", ms);
    this.#e.spendTime(ms);
  }

  /**
   * Creates a `MessageChannel` of this loop: two entangled ports whose
   * messages are delivered by the profile's `messageDelivery`: in `"html"`
   * one task per message from the `"messages"` source (in queueing order
   * with timers and user-visible tasks, the port's next message queued
   * after it, a checkpoint after each listener); in `"node"` in the poll
   * phase, before the check phase, port by port in creation order; in
   * `"deno"` in the pending phase of a later loop turn.
   *
   * @returns The channel.
   *
   * @example Node: a message comes before an immediate, after the timer's microtasks
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node" });
   * const out: string[] = [];
   * const { port1, port2 } = loop.messageChannel();
   * port1.onmessage = (event) => {
   *   out.push(`message ${event.data}`);
   *   port1.close();
   * };
   * loop.setTimeout(() => {
   *   loop.setImmediate(() => out.push("immediate"));
   *   port2.postMessage("hello");
   *   loop.resolved().then(() => out.push("then"));
   * }, 5);
   * loop.runAll();
   * assert.deepEqual(out, ["then", "message hello", "immediate"]);
   * ```
   */
  messageChannel(): SimulatedMessageChannel {
    return this.#turns.messages.channel();
  }

  /**
   * `AbortSignal.timeout(ms)` on virtual time: a real `AbortSignal` that
   * aborts with a `DOMException` named `"TimeoutError"` after `ms`. Its
   * timer follows the profile's `abortTimerSource`: in `"html"` its own
   * task source (Chromium runs it after the timers and tasks falling due
   * with it), in `"deno"` an ordinary timer, in `"node"` an unref'd timer
   * that does not keep the loop running (`runAll` stops when only such
   * timers are left, as the process would exit).
   *
   * @param ms The delay, a finite number >= 0 (truncated).
   * @returns The signal.
   * @throws {TypeError} When `ms` is not a number.
   * @throws {RangeError} When `ms` is negative or not finite.
   *
   * @example Timing out an operation on virtual time
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "deno" });
   * const signal = loop.abortSignalTimeout(100);
   * loop.advance(99);
   * assert.equal(signal.aborted, false);
   * loop.advance(1);
   * assert.equal((signal.reason as DOMException).name, "TimeoutError");
   * ```
   */
  abortSignalTimeout(ms: number): AbortSignal {
    assertDuration("create a timeout signal", "ms", ms);
    const e = this.#e;
    const p = e.profile;
    const controller = new AbortController();
    const message = p.uncaught === "crash"
      ? "The operation was aborted due to timeout"
      : p.uncaught === "report"
      ? "signal timed out"
      : "Signal timed out.";
    const fire = () =>
      controller.abort(new DOMException(message, "TimeoutError"));
    const delay = Math.trunc(ms);
    const label = e.trace === undefined
      ? undefined
      : `AbortSignal.timeout(${delay}) #${e.ids + 1}`;
    if (p.abortTimerSource === "task-source") {
      this.#turns.abortAfter(
        e.job(fire, undefined, "AbortSignal.timeout", label),
        delay,
      );
    } else {
      if (label !== undefined) this.label(label, fire);
      e.arm(
        fire,
        delay,
        undefined,
        false,
        p.abortTimerSource === "unref-timers",
      );
    }
    return controller.signal;
  }

  /**
   * Listens for uncaught errors: a callback of the loop (or the script of
   * `runScript`) that throws. By the profile's `uncaught` policy: in
   * `"html"` (the window's `error` event) the listeners see it, then it is
   * reported to the host (`reportError`) unless one called
   * `preventDefault()`, and the loop goes on with the checkpoint; in
   * `"node"` (`process.on("uncaughtException")`) a listener keeps the
   * process alive, without one the drive throws the error and stops, as the
   * crashed process would (the listeners also get an unhandled rejection
   * that no {@linkcode EventLoop.onUnhandledRejection} listener takes, with
   * its `promise`); in `"deno"` (`globalThis`'s `error` event) only
   * `preventDefault()` keeps it alive. The trace records an error that is
   * reported or crashes the process.
   *
   * @param listener Called with the {@linkcode UncaughtErrorEvent}; what it
   *   throws is reported to the host.
   * @returns A `Disposable` that removes the listener.
   * @throws {TypeError} When `listener` is not a function.
   *
   * @example A browser reports the error and goes on
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "html" });
   * const out: string[] = [];
   * using _ = loop.onError((event) => {
   *   out.push(`reported ${(event.error as Error).message}`);
   *   event.preventDefault();
   * });
   * loop.setTimeout(() => {
   *   loop.queueMicrotask(() => out.push("its microtask"));
   *   throw new Error("boom");
   * }, 0);
   * loop.setTimeout(() => out.push("next timer"), 0);
   * loop.runAll();
   * assert.deepEqual(out, ["reported boom", "its microtask", "next timer"]);
   * ```
   */
  onError(listener: (event: UncaughtErrorEvent) => void): Disposable {
    return listen("listen for errors", this.#e.errorListeners, listener);
  }

  /**
   * Listens for unhandled rejections: a promise of this loop (a
   * {@linkcode SimulatedPromise}) rejected with no handler by the end of a
   * microtask checkpoint. In `"html"` the `unhandledrejection` event fires in
   * a task of the `"events"` source, then the reason is reported to the
   * host unless a listener called `preventDefault()`; in `"node"` the
   * `process.on("unhandledRejection")` listeners run right after the
   * checkpoint, and without one the reason is raised as an uncaught
   * exception (Node's default `--unhandled-rejections=throw`): the
   * {@linkcode EventLoop.onError} listeners get it (with its `promise`),
   * and without those the process crashes: the drive throws the reason; in
   * `"deno"` the `unhandledrejection` event runs there too, and the process
   * crashes unless a listener calls `preventDefault()`. A promise handled
   * before then is not reported. The trace shows the event and what was
   * reported or crashed.
   *
   * @param listener Called with the {@linkcode UncaughtErrorEvent}; what it
   *   throws is an uncaught error.
   * @returns A `Disposable` that removes the listener.
   * @throws {TypeError} When `listener` is not a function.
   *
   * @example Node without a listener crashes; with one it goes on
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const crashes = new EventLoop({ profile: "node" });
   * crashes.setTimeout(() => void crashes.rejected("lost"), 1);
   * assert.throws(() => crashes.runAll(), (e) => e === "lost");
   *
   * const loop = new EventLoop({ profile: "node" });
   * const seen: unknown[] = [];
   * using _ = loop.onUnhandledRejection((event) => seen.push(event.error));
   * loop.setTimeout(() => void loop.rejected("lost"), 1);
   * loop.runAll();
   * assert.deepEqual(seen, ["lost"]);
   * ```
   */
  onUnhandledRejection(
    listener: (event: UncaughtErrorEvent) => void,
  ): Disposable {
    return listen(
      "listen for unhandled rejections",
      this.#e.rejectionListeners,
      listener,
    );
  }

  /**
   * What waits in each queue now: timers (by deadline, then arming order),
   * microtasks, nextTick callbacks, immediates, frame callbacks, posted
   * tasks and continuations, messages, events and `AbortSignal.timeout`
   * timers, each queue in the order it runs. For the queues at a past step
   * of a traced run, see {@linkcode Trace.queuedAt}.
   *
   * @returns One entry per waiting callback, grouped by queue.
   *
   * @example What is left after advancing
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node", trace: true });
   * loop.setTimeout(loop.label("later", () => {}), 30);
   * loop.setTimeout(loop.label("sooner", () => {}), 10);
   * loop.setImmediate(loop.label("check", () => {}));
   * assert.deepEqual(
   *   loop.snapshot().map((c) => `${c.queue}: ${c.label}`),
   *   ["timers: sooner", "timers: later", "immediates: check"],
   * );
   * ```
   */
  snapshot(): QueuedCallback[] {
    return snapshotOf(this.#e, this.#turns);
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
    if (typeof text !== "string") {
      typeError("label a callback", "text", "a string", text);
    }
    assertFunction("label a callback", "fn", fn);
    this.#e.labels.set(fn as unknown as AnyFn, text);
    this.#e.hasLabels = true;
    return fn;
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
    const c = this.completer<T>();
    if (init !== undefined) {
      try {
        init((v) => void c.tryResolve(v), (e) => void c.tryReject(e));
      } catch (e) {
        c.tryReject(e);
      }
    }
    return c.future;
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
   * `undefined`; see the last overload.
   *
   * @returns The promise.
   */
  resolved(): SimulatedPromise<void>;
  /**
   * `Promise.resolve(value)` in the loop: `value` itself when it is a
   * simulated promise of this loop, otherwise a new one resolved with it,
   * whose reactions run in the loop's microtask queue.
   *
   * @typeParam T The type of the value.
   * @param value The value or thenable.
   * @returns The promise.
   *
   * @example Reactions wait for the microtask checkpoint
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const order: string[] = [];
   * const three = loop.resolved(3);
   * three.then((x) => order.push(`then ${x}`));
   * order.push("sync");
   * assert.equal(loop.resolved(three), three);
   * loop.runMicrotasks();
   * assert.deepEqual(order, ["sync", "then 3"]);
   * ```
   */
  resolved<T>(value: T): SimulatedPromise<Awaited<T>>;
  resolved<T>(value?: T): SimulatedPromise<Awaited<T>> {
    return SimulatedPromise.resolve(this, value as T);
  }

  /**
   * `Promise.reject` in the loop.
   *
   * @typeParam T The value type it would have had.
   * @param reason The reason.
   * @returns A rejected simulated promise.
   *
   * @example Handled at the next checkpoint
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let seen: unknown;
   * const handled = loop.rejected(new Error("no")).catch((e) => (seen = e));
   * assert.equal(handled.state, "pending");
   * loop.runMicrotasks();
   * assert.equal((seen as Error).message, "no");
   * ```
   */
  rejected<T = never>(reason?: unknown): SimulatedPromise<T> {
    return SimulatedPromise.reject<T>(this, reason);
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

  /**
   * Runs `main` as the script: a traced task in the `"script"` queue, then
   * the end-of-script checkpoint by the profile's entry (with `"esm"`,
   * promise jobs before nextTick callbacks).
   *
   * @param main The top-level code.
   * @param label Its label in the trace.
   * @throws {TypeError} When `main` is not a function or `label` not a
   *   string.
   * @throws {InvalidStateError} When called from inside a loop callback.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example What the script queued names it in the trace
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ trace: true });
   * loop.runScript(() => loop.queueMicrotask(() => {}), "main");
   * const [script, micro] = loop.trace.events;
   * assert.equal(script!.label, "main");
   * assert.equal(micro!.enqueuedBy, script!.id);
   * ```
   */
  runScript(main: () => void, label = "script"): void {
    assertFunction("run a script", "main", main);
    if (typeof label !== "string") {
      typeError("run a script", "label", "a string", label);
    }
    const e = this.#begin("run a script");
    e.charge();
    if (e.trace !== undefined) {
      e.record("task", "script", label, undefined, e.now, e.rules.script);
    }
    e.depth++;
    try {
      main();
    } catch (error) {
      e.uncaught(error);
    } finally {
      e.depth--;
    }
    e.topCheckpoint();
  }

  /**
   * Runs the checkpoint of top-level code: every queued microtask (and
   * nextTick callback), and whatever they queue, by the entry rule.
   *
   * @returns How many callbacks ran.
   * @throws {LoopLimitError} When more than `loopLimit` run.
   * @throws {InvalidStateError} When called from inside a loop callback or
   *   during an async drive.
   *
   * @example Draining
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * loop.queueMicrotask(() => loop.queueMicrotask(() => {}));
   * assert.equal(loop.runMicrotasks(), 2);
   * ```
   */
  runMicrotasks(): number {
    return this.#begin("run microtasks").topCheckpoint();
  }

  /**
   * Runs the pending top-level checkpoint, then exactly one task, phase
   * callback or rendering step (with its checkpoint), moving time to it.
   *
   * @returns Whether anything ran.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   * @throws {InvalidStateError} When called from inside a loop callback or
   *   during an async drive.
   *
   * @example One step at a time
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * loop.setTimeout(() => {}, 30);
   * assert.equal(loop.step(), true);
   * assert.equal(loop.now(), 30);
   * assert.equal(loop.step(), false);
   * ```
   */
  step(): boolean {
    const e = this.#begin("step");
    const ran = e.topCheckpoint() > 0;
    return this.#turns.step(Infinity) || ran;
  }

  /**
   * Advances time by `ms`, running everything due on the way.
   *
   * @param ms How far, a finite number >= 0.
   * @returns The new virtual time.
   * @throws {TypeError} When `ms` is not a number.
   * @throws {RangeError} When `ms` is negative or not finite.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   * @throws {InvalidStateError} When called from inside a loop callback or
   *   during an async drive.
   *
   * @example Timers up to a point
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const at: number[] = [];
   * loop.setTimeout(() => at.push(loop.now()), 10);
   * loop.setTimeout(() => at.push(loop.now()), 30);
   * assert.equal(loop.advance(20), 20);
   * assert.deepEqual(at, [10]);
   * ```
   */
  advance(ms: number): number {
    assertDuration("advance the loop", "ms", ms);
    return this.#advanceTo("advance the loop", this.#e.now + ms);
  }

  /**
   * Advances time to `timeMs`, running everything due on the way.
   *
   * @param timeMs The target time, finite and not before `now()`.
   * @returns The new virtual time.
   * @throws {TypeError} When `timeMs` is not a number.
   * @throws {RangeError} When `timeMs` is not finite or is in the past.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   * @throws {InvalidStateError} When called from inside a loop callback or
   *   during an async drive.
   *
   * @example To an absolute time
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ startMs: 100 });
   * let ran = 0;
   * loop.setTimeout(() => ran++, 30);
   * assert.equal(loop.advanceTo(150), 150);
   * assert.equal(ran, 1);
   * ```
   */
  advanceTo(timeMs: number): number {
    this.#checkTarget("advance the loop", timeMs);
    return this.#advanceTo("advance the loop", timeMs);
  }

  /**
   * Runs until nothing is queued, moving time to each deadline.
   *
   * @returns The virtual time afterwards.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run (a
   *   runaway interval, or microtasks that starve the loop).
   * @throws {InvalidStateError} When called from inside a loop callback or
   *   during an async drive.
   *
   * @example Microtasks can starve timers
   * ```ts
   * import { EventLoop, LoopLimitError } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ loopLimit: 1000 });
   * let timer = false;
   * loop.setTimeout(() => (timer = true), 0);
   * const spin = () => loop.queueMicrotask(spin);
   * spin();
   * assert.throws(() => loop.runAll(), LoopLimitError);
   * assert.equal(timer, false);
   * loop.reset();
   * ```
   */
  runAll(): number {
    const e = this.#begin("run all");
    e.topCheckpoint();
    while (this.#turns.step(Infinity));
    return e.now;
  }

  /**
   * Advances to the next rendering opportunity (HTML) and runs it: tasks
   * due before it, then its frame callbacks.
   *
   * @returns The frame's time.
   * @throws {TypeError} When the profile has no `requestAnimationFrame`.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   * @throws {InvalidStateError} When called from inside a loop callback or
   *   during an async drive.
   *
   * @example Frame times
   * ```ts
   * import { EventLoop, profiles } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: { ...profiles.html, frameIntervalMs: 10 } });
   * assert.equal(loop.nextFrame(), 10);
   * assert.equal(loop.nextFrame(), 20);
   * ```
   */
  nextFrame(): number {
    this.#require("requestAnimationFrame", "nextFrame");
    const e = this.#begin("advance to the next frame");
    e.topCheckpoint();
    const turns = this.#turns;
    const k = turns.nextFrameIndex();
    const time = turns.frameTime(k);
    while (turns.lastFrame < k && turns.step(time));
    if (e.now < time) e.now = time;
    if (turns.lastFrame < k) turns.lastFrame = k;
    return e.now;
  }

  /**
   * Like {@linkcode EventLoop.step}, but lets the host's microtasks run
   * before and after the step.
   *
   * @returns Whether anything ran. It rejects (never throws) with a
   *   `LoopLimitError` when more than `loopLimit` callbacks run, with an
   *   `InvalidStateError` when called from inside a loop callback or during
   *   another async drive.
   *
   * @example Stepping host async code
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let done = false;
   * (async () => {
   *   await new Promise((r) => loop.setTimeout(r, 10));
   *   done = true;
   * })();
   * assert.equal(await loop.stepAsync(), true);
   * assert.equal(done, true);
   * ```
   */
  async stepAsync(): Promise<boolean> {
    let ran = false;
    await this.#driveAsync("step", () => {
      if (ran) return false;
      ran = this.#turns.step(Infinity);
      return ran;
    });
    return ran;
  }

  /**
   * Like {@linkcode EventLoop.advance}, but lets the host's microtasks
   * (native promise reactions, `await` resumptions) run after every virtual
   * task, so real async code driven by the loop's timers keeps up.
   *
   * @param ms How far, a finite number >= 0.
   * @returns The new virtual time.
   * @throws {TypeError} Rejects with it (never throws) when `ms` is not a
   *   number.
   * @throws {RangeError} Rejects with it when `ms` is negative or not finite
   *   (before anything runs).
   * @throws {LoopLimitError} Rejects with it when more than `loopLimit`
   *   callbacks run.
   * @throws {InvalidStateError} Rejects with it when called from inside a
   *   loop callback or during another async drive.
   *
   * @example Sleeping twice
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "deno" });
   * const sleep = (ms: number) => new Promise((r) => loop.setTimeout(r, ms));
   * const at: number[] = [];
   * (async () => {
   *   await sleep(10);
   *   at.push(loop.now());
   *   await sleep(10);
   *   at.push(loop.now());
   * })();
   * assert.equal(await loop.advanceAsync(25), 25);
   * assert.deepEqual(at, [10, 20]);
   * ```
   */
  async advanceAsync(ms: number): Promise<number> {
    assertDuration("advance the loop", "ms", ms);
    return await this.#advanceToAsync(this.#e.now + ms);
  }

  /**
   * Like {@linkcode EventLoop.advanceTo}, letting host microtasks run after
   * every virtual task.
   *
   * @param timeMs The target time, finite and not before `now()`.
   * @returns The new virtual time.
   * @throws {TypeError} Rejects with it (never throws) when `timeMs` is not
   *   a number.
   * @throws {RangeError} Rejects with it when `timeMs` is not finite or in
   *   the past (before anything runs).
   * @throws {LoopLimitError} Rejects with it when more than `loopLimit`
   *   callbacks run.
   * @throws {InvalidStateError} Rejects with it when called from inside a
   *   loop callback or during another async drive.
   *
   * @example To an absolute time
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const seen: number[] = [];
   * loop.setTimeout(async () => {
   *   await Promise.resolve();
   *   loop.setTimeout(() => seen.push(loop.now()), 5);
   * }, 10);
   * assert.equal(await loop.advanceToAsync(40), 40);
   * assert.deepEqual(seen, [15]);
   * ```
   */
  async advanceToAsync(timeMs: number): Promise<number> {
    this.#checkTarget("advance the loop", timeMs);
    return await this.#advanceToAsync(timeMs);
  }

  /**
   * Like {@linkcode EventLoop.runAll}, letting host microtasks run after
   * every virtual task, so timers armed by native promise continuations run
   * too.
   *
   * @returns The virtual time afterwards. It rejects (never throws) with a
   *   `LoopLimitError` when more than `loopLimit` callbacks run, with an
   *   `InvalidStateError` when called from inside a loop callback or during
   *   another async drive.
   *
   * @example A retry loop with native await
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node" });
   * let attempts = 0;
   * (async () => {
   *   while (++attempts < 3) {
   *     await new Promise((r) => loop.setTimeout(r, 100 * attempts));
   *   }
   * })();
   * assert.equal(await loop.runAllAsync(), 300);
   * assert.equal(attempts, 3);
   * ```
   */
  async runAllAsync(): Promise<number> {
    await this.#driveAsync("run all", () => this.#turns.step(Infinity));
    return this.#e.now;
  }

  /**
   * Drives the loop, letting host microtasks run after every virtual task,
   * until `promise` settles, and settles as it does. When `promise` is still
   * pending and nothing is queued, it rejects with a
   * {@linkcode DeadlockError} instead of hanging.
   *
   * @typeParam T The type of the value.
   * @param promise What to wait for.
   * @returns The value of `promise`; it rejects with the reason of
   *   `promise`.
   * @throws {TypeError} Rejects with it (never throws) when `promise` is not
   *   a thenable.
   * @throws {DeadlockError} Rejects with it when nothing can make progress.
   * @throws {LoopLimitError} Rejects with it when more than `loopLimit`
   *   callbacks run.
   * @throws {InvalidStateError} Rejects with it when called from inside a
   *   loop callback or during another async drive.
   *
   * @example Waiting on virtual time
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const answer = new Promise((r) => loop.setTimeout(() => r(42), 1000));
   * assert.equal(await loop.runUntilSettled(answer), 42);
   * assert.equal(loop.now(), 1000);
   * ```
   */
  async runUntilSettled<T>(promise: PromiseLike<T>): Promise<T> {
    const watched = new Settlement(promise);
    let idle = 0;
    await this.#driveAsync("run until settled", () => {
      if (watched.settled) return false;
      if (this.#turns.step(Infinity) || this.#ranAtTop > 0) {
        idle = 0;
        return true;
      }
      // One more host round-trip: host code may still queue loop work.
      if (++idle < 2) return true;
      throw new DeadlockError(
        `Cannot settle the promise as nothing can make progress: it is still pending at virtual time ${this.#e.now} ms and nothing is queued`,
        this.#e.timers.live,
      );
    });
    return watched.unwrap();
  }

  /**
   * Removes every queued callback without running it; time does not move.
   * Posted tasks are dropped without settling and their abort listeners
   * removed.
   *
   * @example Clearing a runaway schedule
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * loop.setInterval(() => {}, 1);
   * loop.queueMicrotask(() => {});
   * loop.reset();
   * assert.equal(loop.queued, 0);
   * ```
   */
  reset(): void {
    this.#e.reset();
    this.#turns.reset();
  }

  #arm(
    action: string,
    callback: (...args: never[]) => void,
    ms: unknown,
    args: unknown[],
    interval: boolean,
  ): number {
    assertFunction(action, "callback", callback);
    return this.#e.arm(
      callback as AnyFn,
      toDelay(action, ms),
      args.length > 0 ? args : undefined,
      interval,
    );
  }

  // Throws a `TypeError` when the profile lacks `api` (called as `name`).
  #require(api: keyof ProfileApis, name: string = api): void {
    const profile = this.#e.profile;
    if (!profile.apis[api]) {
      typeError(
        `call ${name}`,
        "profile",
        `a profile that provides ${api}`,
        profile.name,
      );
    }
  }

  #begin(drive: string): LoopEngine {
    if (this.#asyncDrive) {
      throw new InvalidStateError(
        `Cannot ${drive} while an async drive of the same loop is running`,
      );
    }
    this.#e.begin(drive);
    return this.#e;
  }

  #checkTarget(action: string, timeMs: number): void {
    assertFinite(action, "timeMs", timeMs);
    if (timeMs < this.#e.now) {
      rangeError(
        action,
        "timeMs",
        `>= the current time ${this.#e.now}`,
        timeMs,
      );
    }
  }

  #advanceTo(drive: string, target: number): number {
    const e = this.#begin(drive);
    e.topCheckpoint();
    while (this.#turns.step(target));
    if (e.now < target) e.now = target;
    return e.now;
  }

  async #advanceToAsync(target: number): Promise<number> {
    await this.#driveAsync("advance the loop", () => this.#turns.step(target));
    if (this.#e.now < target) this.#e.now = target;
    return this.#e.now;
  }

  // Runs `next` until it returns false, letting host microtasks run (one
  // macrotask round-trip) before the first call and after each.
  async #driveAsync(drive: string, next: () => boolean): Promise<void> {
    const e = this.#begin(drive);
    this.#asyncDrive = true;
    const gate = new MacrotaskGate();
    try {
      await gate.wait();
      this.#ranAtTop = e.topCheckpoint();
      while (next()) {
        await gate.wait();
        this.#ranAtTop = e.topCheckpoint();
      }
    } finally {
      gate.close();
      this.#asyncDrive = false;
    }
  }
}
