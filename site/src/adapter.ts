/**
 * The one place where the playground uses pledge's event-loop simulator
 * (`@pledge/core/loop`): the profiles it offers, one simulated run (an
 * `EventLoop` with its trace), the simulated promises and async functions,
 * and the trace's pictures and explanations. Everything else in site/ talks
 * to this module, so a change of the library's surface is a change here.
 *
 * `FEATURES` says which simulator features the library has. The features of
 * issue 14 that are not in the library yet (time spent inside a callback,
 * `MessageChannel`, `scheduler.yield`, `AbortSignal.timeout`, unhandled
 * rejections, a throwing callback's per-profile behaviour, host-like delay
 * coercion) are detected here; the host layer (host.ts) shows a "not yet
 * simulated" message where a snippet needs one that is missing, or does the
 * page's own approximation where it has an honest one.
 *
 * @module
 */

import {
  EventLoop,
  LoopLimitError,
  type Profile,
  profiles,
  simulateAsync,
  SimulatedPromise,
  Trace,
  type TraceEvent,
} from "@pledge/core/loop";

export type { TraceEvent };

/** A profile the page offers. */
export type ProfileId = "html" | "node" | "node-esm" | "deno";

/** The profiles, in menu order. */
export const PROFILE_IDS: readonly ProfileId[] = [
  "html",
  "node",
  "node-esm",
  "deno",
];

/** What the page says about a profile. */
export interface ProfileInfo {
  /** The id. */
  readonly id: ProfileId;
  /** The menu title. */
  readonly title: string;
  /** The real runtime the recorded orders come from. */
  readonly runtime: string;
  /** Whether the snippet is read as an ES module (strict, `import`, TLA). */
  readonly module: boolean;
  /** Which optional host APIs exist. */
  readonly apis: {
    readonly nextTick: boolean;
    readonly setImmediate: boolean;
    readonly requestAnimationFrame: boolean;
    readonly postTask: boolean;
  };
  /** Whether the profile runs a CommonJS entry (`require`, `module`). */
  readonly commonjs: boolean;
}

const PROFILES: Record<ProfileId, Profile> = {
  html: profiles.html,
  node: profiles.node,
  "node-esm": { ...profiles.node, name: "node-esm", entry: "esm" },
  deno: profiles.deno,
};

const TITLES: Record<ProfileId, [string, string]> = {
  html: ["browser (html)", "Chromium"],
  node: ["Node, CommonJS", "Node as a .cjs file"],
  "node-esm": ["Node, ES module", "Node as a .mjs file"],
  deno: ["Deno", "Deno 2.9"],
};

/** The page's description of a profile. */
export function profileInfo(id: ProfileId): ProfileInfo {
  const p = PROFILES[id];
  return {
    id,
    title: TITLES[id][0],
    runtime: TITLES[id][1],
    module: p.entry === "esm",
    apis: { ...p.apis },
    commonjs: id === "node",
  };
}

/** Whether `id` names a profile of the page. */
export function isProfileId(id: unknown): id is ProfileId {
  return typeof id === "string" && (PROFILE_IDS as string[]).includes(id);
}

const proto = EventLoop.prototype as unknown as Record<string, unknown>;
const has = (name: string) => typeof proto[name] === "function";

/**
 * The simulator features of issue 14, detected on the library: `true` once
 * the library provides them. Until then the host layer says the feature is
 * not yet simulated (or approximates it in the page, where noted).
 */
export const FEATURES: {
  /** `loop.spend(ms)`: virtual time passes inside a callback. */
  readonly spend: boolean;
  /** `loop.messageChannel()`: MessageChannel with each profile's delivery. */
  readonly messageChannel: boolean;
  /** `loop.yield()`: `scheduler.yield()` in the html profile. */
  readonly schedulerYield: boolean;
  /** `loop.abortSignalTimeout(ms)`: `AbortSignal.timeout` on its own source. */
  readonly abortSignalTimeout: boolean;
  /** Unhandled rejections reported per profile (`loop.onUnhandledRejection`). */
  readonly unhandledRejections: boolean;
  /**
   * A throwing callback handled per profile by the library. Until then the
   * page does it: html reports and goes on, node and deno stop.
   */
  readonly throwingCallbacks: boolean;
  /** String and `NaN` delays coerced by the library (the page does it now). */
  readonly coercedDelays: boolean;
  /**
   * html: user-visible `postTask` tasks and timers in posting order, as
   * Chromium runs them (a profile setting: set by hand when it lands).
   */
  readonly postTaskTimerOrder: boolean;
} = Object.freeze({
  spend: has("spend"),
  messageChannel: has("messageChannel"),
  schedulerYield: has("yield"),
  abortSignalTimeout: has("abortSignalTimeout"),
  unhandledRejections: has("onUnhandledRejection"),
  throwingCallbacks: false,
  coercedDelays: false,
  postTaskTimerOrder: false,
});

/** Whether `e` is the loop's limit error (a runaway schedule). */
export function isLoopLimitError(e: unknown): e is Error {
  return e instanceof LoopLimitError;
}

// deno-lint-ignore no-explicit-any
type Callback = (...args: any[]) => unknown;

/** Options of a prioritized task. */
export interface TaskOptions {
  /** The priority, `"user-visible"` by default. */
  priority?: "user-blocking" | "user-visible" | "background";
  /** A delay in ms. */
  delay?: number;
  /** Aborting removes the task. */
  signal?: AbortSignal;
}

/** One simulated run: an `EventLoop` of a profile, with its trace. */
export class Simulation {
  readonly #loop: EventLoop;
  readonly profile: ProfileId;

  /**
   * Creates a loop for `profile` that stops after `loopLimit` callbacks per
   * drive.
   *
   * @param profile The profile.
   * @param loopLimit The loop's limit.
   */
  constructor(profile: ProfileId, loopLimit: number) {
    this.profile = profile;
    this.#loop = new EventLoop({
      profile: PROFILES[profile],
      trace: true,
      loopLimit,
    });
  }

  /** The virtual time in ms. */
  get now(): number {
    return this.#loop.now();
  }

  /** The id of the event running now (the last one recorded), 0 before any. */
  get currentEvent(): number {
    return this.#loop.trace.events.length;
  }

  /** The events recorded so far. */
  get events(): readonly TraceEvent[] {
    return this.#loop.trace.events;
  }

  /** Callbacks still queued. */
  get pending(): number {
    return this.#loop.queued;
  }

  setTimeout(cb: Callback, ms: number | undefined, args: unknown[]): unknown {
    return this.#loop.setTimeout(cb, ms, ...args);
  }

  setInterval(cb: Callback, ms: number | undefined, args: unknown[]): unknown {
    return this.#loop.setInterval(cb, ms, ...args);
  }

  clearTimer(handle: unknown): void {
    this.#loop.clearTimeout(handle as number);
  }

  queueMicrotask(cb: () => void): void {
    this.#loop.queueMicrotask(cb);
  }

  nextTick(cb: Callback, args: unknown[]): void {
    this.#loop.nextTick(cb, ...args);
  }

  setImmediate(cb: Callback, args: unknown[]): unknown {
    return this.#loop.setImmediate(cb, ...args);
  }

  clearImmediate(handle: unknown): void {
    this.#loop.clearImmediate(handle as number);
  }

  requestAnimationFrame(cb: (time: number) => void): number {
    return this.#loop.requestAnimationFrame(cb);
  }

  cancelAnimationFrame(id: number): void {
    this.#loop.cancelAnimationFrame(id);
  }

  postTask(cb: () => unknown, options: TaskOptions): PromiseLike<unknown> {
    return this.#loop.postTask(cb, options);
  }

  /**
   * Spends `ms` of virtual time inside the running callback, where the
   * library can (`FEATURES.spend`); returns whether it did.
   */
  spend(ms: number): boolean {
    if (!FEATURES.spend) return false;
    (this.#loop as unknown as { spend(ms: number): void }).spend(ms);
    return true;
  }

  /**
   * A `MessageChannel` of the loop, where the library has one
   * (`FEATURES.messageChannel`); otherwise undefined.
   */
  messageChannel(): { port1: unknown; port2: unknown } | undefined {
    if (!FEATURES.messageChannel) return undefined;
    return (this.#loop as unknown as {
      messageChannel(): { port1: unknown; port2: unknown };
    }).messageChannel();
  }

  /**
   * `scheduler.yield()` in the loop, where the library has it
   * (`FEATURES.schedulerYield`); otherwise undefined.
   */
  yield(): PromiseLike<void> | undefined {
    if (!FEATURES.schedulerYield) return undefined;
    return (this.#loop as unknown as { yield(): PromiseLike<void> }).yield();
  }

  /**
   * `AbortSignal.timeout(ms)` in the loop, where the library has it
   * (`FEATURES.abortSignalTimeout`); otherwise undefined.
   */
  abortSignalTimeout(ms: number): AbortSignal | undefined {
    if (!FEATURES.abortSignalTimeout) return undefined;
    return (this.#loop as unknown as {
      abortSignalTimeout(ms: number): AbortSignal;
    }).abortSignalTimeout(ms);
  }

  /** Names `fn` in the trace. */
  label<F extends Callback>(text: string, fn: F): F {
    return this.#loop.label(text, fn);
  }

  /** `new Promise(init)` in the loop. */
  promise(
    init: (
      resolve: (v?: unknown) => void,
      reject: (e?: unknown) => void,
    ) => void,
  ): PromiseLike<unknown> {
    return this.#loop.promise(init);
  }

  /** `Promise.resolve(value)` in the loop. */
  resolved(value?: unknown): PromiseLike<unknown> {
    return this.#loop.resolved(value);
  }

  /** `Promise.reject(reason)` in the loop. */
  rejected(reason?: unknown): PromiseLike<unknown> {
    return this.#loop.rejected(reason);
  }

  /** The prototype of the loop's promises (for `instanceof Promise`). */
  get promisePrototype(): object {
    return SimulatedPromise.prototype;
  }

  /**
   * Calls a simulated async function: `body` is the generator that the
   * transform made of its body (`yield` for `await`), named `name` in the
   * trace.
   */
  async(
    name: string,
    thisArg: unknown,
    args: ArrayLike<unknown>,
    body: (...args: unknown[]) => Generator<unknown, unknown, unknown>,
  ): PromiseLike<unknown> {
    Object.defineProperty(body, "name", { value: name });
    return simulateAsync(this.#loop, body).apply(thisArg, Array.from(args));
  }

  /** Runs `main` as the script task (its checkpoint follows). */
  runScript(main: () => void): void {
    this.#loop.runScript(main, "script");
  }

  /** Runs until nothing is queued (throws what a callback throws). */
  runAll(): void {
    this.#loop.runAll();
  }

  /** Drops everything queued (the run stops after the current callback). */
  stop(): void {
    this.#loop.reset();
  }
}

function traceOf(events: readonly TraceEvent[]): Trace {
  const trace = new Trace();
  for (const e of events) {
    trace.record({
      time: e.time,
      lane: e.lane,
      queue: e.queue,
      label: e.label,
      enqueuedBy: e.enqueuedBy,
      rule: e.rule,
      enqueuedAt: e.enqueuedAt,
    });
  }
  return trace;
}

/** The pictures and explanations of a finished run's events. */
export class TraceView {
  readonly #trace: Trace;

  /**
   * Wraps the events of a run (as a worker sent them).
   *
   * @param events The events in run order.
   */
  constructor(events: readonly TraceEvent[]) {
    this.#trace = traceOf(events);
  }

  /** Why event `a` ran before (or after) event `b`, in words. */
  explain(a: number, b: number): string {
    return this.#trace.explain(a, b);
  }

  /** The SVG timeline the library draws. */
  toSvg(): string {
    return this.#trace.toSvg();
  }

  /** The Mermaid sequence diagram the library draws. */
  toMermaid(): string {
    return this.#trace.toMermaid();
  }

  /** One line per event. */
  toText(): string {
    return this.#trace.toText();
  }
}
