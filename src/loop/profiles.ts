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
 * A task source of the HTML-style loop: the timers, or the prioritized tasks
 * of `postTask` at one priority.
 */
export type TaskSource =
  | "timers"
  | "postTask:user-blocking"
  | "postTask:user-visible"
  | "postTask:background";

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
   * Delays above this become {@linkcode Profile.minDelayMs}, as a 32-bit
   * timer overflows.
   */
  readonly maxDelayMs: number;
  /** Whether delays are truncated to whole milliseconds (WebIDL `long`). */
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
   * The order in which an HTML-style loop picks among task sources that have
   * a runnable task at the same instant (a UA choice; Chromium-like default).
   */
  readonly taskSources: readonly TaskSource[];
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

const TASK_SOURCES: readonly TaskSource[] = /* @__PURE__ */ Object.freeze([
  "postTask:user-blocking",
  "timers",
  "postTask:user-visible",
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
});

/**
 * The built-in profiles.
 *
 * - `html`: WHATWG HTML as Chromium runs it: 0 ms is 0 ms, the 4 ms clamp once
 *   the timer nesting level passes 5, rendering opportunities every
 *   `1000 / 60` ms with `requestAnimationFrame`, `postTask` priorities; no
 *   `setImmediate` or `nextTick`.
 * - `node`: Node.js with a CommonJS entry: delays below 1 ms become 1 ms,
 *   libuv phases (timers, pending, poll, check, close), the nextTick queue
 *   drained before promise jobs after every callback.
 * - `deno`: Deno 2.9: Node's timer rules and phases with an ESM entry.
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
