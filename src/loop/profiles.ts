/**
 * Runtime profiles of the {@linkcode EventLoop}: the HTML, Node and Deno
 * event-loop rules as plain data objects. Spread one to derive a variant.
 *
 * @module
 */

/**
 * The name of a built-in profile.
 */
export type ProfileName = "html" | "node" | "deno";

/**
 * A phase of a libuv-style loop turn (Node, Deno).
 */
export type LoopPhase = "timers" | "pending" | "poll" | "check" | "close";

/**
 * A task source of the HTML-style loop: the timers, posted messages
 * (`MessageChannel`), events the loop fires (`unhandledrejection`), the
 * timers of `AbortSignal.timeout`, or the prioritized tasks of `postTask` at
 * one priority.
 */
export type TaskSource =
  | "timers"
  | "messages"
  | "events"
  | "abort-timeouts"
  | "postTask:user-blocking"
  | "postTask:user-visible"
  | "postTask:background";

/**
 * A group of task sources that share one priority: their tasks run in the
 * order they were queued (a delayed task is queued when it falls due), as
 * Chromium's scheduler runs them.
 */
export type TaskSourceGroup = readonly TaskSource[];

/**
 * What an uncaught error does: a callback that throws, or a promise of the
 * loop rejected with no handler by the end of a microtask checkpoint.
 *
 * - `"report"` (browsers): listeners of `onError` / `onUnhandledRejection`
 *   see it; unless one calls `preventDefault()` it is reported to the host
 *   (`reportError`), and the loop goes on.
 * - `"crash"` (Node): without a listener (`process.on("uncaughtException")`,
 *   `process.on("unhandledRejection")`) the simulated process crashes: the
 *   drive throws it and stops there.
 * - `"crash-unless-prevented"` (Deno): the simulated process crashes unless a
 *   listener calls `preventDefault()`.
 */
export type UncaughtPolicy = "report" | "crash" | "crash-unless-prevented";

/**
 * Which host APIs beyond timers and `queueMicrotask` a profile provides.
 */
export interface ProfileApis {
  /** `setImmediate` / `clearImmediate` (Node, Deno). */
  readonly setImmediate: boolean;
  /** `process.nextTick` (Node, Deno). */
  readonly nextTick: boolean;
  /** `requestAnimationFrame` / `cancelAnimationFrame` (browsers). */
  readonly requestAnimationFrame: boolean;
  /** `scheduler.postTask` (browsers). */
  readonly postTask: boolean;
}

/**
 * The rules an {@linkcode EventLoop} follows. Every field is plain data, so a
 * variant is a spread away: `{ ...profiles.html, nestingClamp: null }`.
 */
export interface Profile {
  /** A name for messages and traces. */
  readonly name: string;
  /**
   * The loop structure: `"html"` picks one task at a time from its task
   * sources and renders at frame boundaries; `"phases"` runs libuv-style
   * turns through {@linkcode Profile.phases}.
   */
  readonly model: "html" | "phases";
  /**
   * How the main script was loaded. With `"esm"`, promise jobs queued at top
   * level run before `nextTick` callbacks, and a phased loop starts at its
   * poll phase (the module is evaluated inside the loop); with `"cjs"` the
   * nextTick queue drains first and the loop starts with its timers phase.
   */
  readonly entry: "cjs" | "esm";
  /** Delays below this (and `NaN`) become this. Node and Deno: 1; HTML: 0. */
  readonly minDelayMs: number;
  /**
   * Delays above this become {@linkcode Profile.minDelayMs}, as Node's
   * 32-bit timers overflow.
   */
  readonly maxDelayMs: number;
  /**
   * Whether delays are converted as a WebIDL `long` (browsers): truncated to
   * whole milliseconds and wrapped modulo 2^32 (`2 ** 32 + 5` is 5, `2 ** 31`
   * is negative, so 0). Otherwise a delay is only converted to a number.
   */
  readonly truncateDelay: boolean;
  /**
   * The HTML nesting clamp: once a timer's nesting level is above
   * `afterLevel`, delays below `minMs` become `minMs`. `null`: no clamp.
   */
  readonly nestingClamp: {
    readonly afterLevel: number;
    readonly minMs: number;
  } | null;
  /** The interval between rendering opportunities (`"html"` model). */
  readonly frameIntervalMs: number;
  /** The phases of one loop turn, in order (`"phases"` model). */
  readonly phases: readonly LoopPhase[];
  /**
   * The task sources of an HTML-style loop, highest priority first (a UA
   * choice; the default is Chromium's). A group (an array) shares one
   * priority and runs in queueing order; delayed tasks that fall due
   * together are queued timers first, then `postTask`, then
   * `AbortSignal.timeout`. The `yield` continuations of a `postTask`
   * priority run just before the entry holding that priority. A source left
   * out never runs.
   */
  readonly taskSources: readonly (TaskSource | TaskSourceGroup)[];
  /**
   * Where a `MessageChannel` message is delivered: `"task-source"` (HTML: one
   * task per message from the `"messages"` source), `"poll"` (Node: the poll
   * phase, port by port in creation order), `"pending"` (Deno: the pending
   * phase of a later loop turn).
   */
  readonly messageDelivery: "task-source" | "poll" | "pending";
  /**
   * Where the timers of `AbortSignal.timeout` live: `"task-source"` (HTML:
   * the `"abort-timeouts"` source), `"timers"` (Deno: ordinary timers),
   * `"unref-timers"` (Node: timers that do not keep the loop running).
   */
  readonly abortTimerSource: "task-source" | "timers" | "unref-timers";
  /** What an uncaught error does (see {@linkcode UncaughtPolicy}). */
  readonly uncaught: UncaughtPolicy;
  /** Which optional host APIs exist. */
  readonly apis: ProfileApis;
}

const NODE_PHASES: readonly LoopPhase[] = /* @__PURE__ */ Object.freeze([
  "timers",
  "pending",
  "poll",
  "check",
  "close",
]);

// Chromium: user-blocking tasks first; timers, messages, user-visible tasks,
// events and AbortSignal.timeout in one queueing order; background last.
const TASK_SOURCES: readonly (TaskSource | TaskSourceGroup)[] =
  /* @__PURE__ */ Object.freeze([
    "postTask:user-blocking",
    Object.freeze([
      "timers",
      "messages",
      "postTask:user-visible",
      "events",
      "abort-timeouts",
    ]) as TaskSourceGroup,
    "postTask:background",
  ]);

const html: Profile = /* @__PURE__ */ Object.freeze({
  name: "html",
  model: "html",
  entry: "esm",
  minDelayMs: 0,
  maxDelayMs: 2_147_483_647,
  truncateDelay: true,
  nestingClamp: Object.freeze({ afterLevel: 5, minMs: 4 }),
  frameIntervalMs: 1000 / 60,
  phases: Object.freeze([]) as readonly LoopPhase[],
  taskSources: TASK_SOURCES,
  messageDelivery: "task-source",
  abortTimerSource: "task-source",
  uncaught: "report",
  apis: Object.freeze({
    setImmediate: false,
    nextTick: false,
    requestAnimationFrame: true,
    postTask: true,
  }),
});

const node: Profile = /* @__PURE__ */ Object.freeze({
  name: "node",
  model: "phases",
  entry: "cjs",
  minDelayMs: 1,
  maxDelayMs: 2_147_483_647,
  truncateDelay: false,
  nestingClamp: null,
  frameIntervalMs: 1000 / 60,
  phases: NODE_PHASES,
  taskSources: TASK_SOURCES,
  messageDelivery: "poll",
  abortTimerSource: "unref-timers",
  uncaught: "crash",
  apis: Object.freeze({
    setImmediate: true,
    nextTick: true,
    requestAnimationFrame: false,
    postTask: false,
  }),
});

const deno: Profile = /* @__PURE__ */ Object.freeze({
  ...node,
  name: "deno",
  entry: "esm",
  messageDelivery: "pending",
  abortTimerSource: "timers",
  uncaught: "crash-unless-prevented",
});

/**
 * The built-in profiles.
 *
 * - `html`: WHATWG HTML as Chromium runs it: 0 ms is 0 ms, the 4 ms clamp once
 *   the timer nesting level passes 5, rendering opportunities every
 *   `1000 / 60` ms with `requestAnimationFrame`, `postTask` priorities (with
 *   user-visible tasks, timers and messages in queueing order), one task per
 *   posted message, `AbortSignal.timeout` on its own task source; an uncaught
 *   error is reported and the loop goes on; no `setImmediate` or `nextTick`.
 * - `node`: Node.js 20 with a CommonJS entry: delays below 1 ms become 1 ms,
 *   libuv phases (timers, pending, poll, check, close), the nextTick queue
 *   drained before promise jobs after every callback, messages in the poll
 *   phase, `AbortSignal.timeout` on unref'd timers; an uncaught error crashes
 *   the process unless a listener handles it.
 * - `deno`: Deno 2.9: Node's timer rules and phases with an ESM entry,
 *   messages in a later turn, `AbortSignal.timeout` on ordinary timers; an
 *   uncaught error crashes unless a listener calls `preventDefault()`.
 *
 * @example The same program in each profile, and a derived profile
 * ```ts
 * import { EventLoop, type Profile, profiles } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const deadlines = Object.values(profiles).map((profile) => {
 *   const loop = new EventLoop({ profile });
 *   loop.setTimeout(() => {}, 0);
 *   return loop.runAll();
 * });
 * assert.deepEqual(deadlines, [0, 1, 1]);
 *
 * const nodeEsm: Profile = { ...profiles.node, name: "node-esm", entry: "esm" };
 * const loop = new EventLoop({ profile: nodeEsm });
 * const order: string[] = [];
 * loop.nextTick(() => order.push("tick"));
 * loop.queueMicrotask(() => order.push("microtask"));
 * loop.runAll();
 * assert.deepEqual(order, ["microtask", "tick"]);
 * ```
 */
export const profiles: {
  readonly html: Profile;
  readonly node: Profile;
  readonly deno: Profile;
} = /* @__PURE__ */ Object.freeze({ html, node, deno });
