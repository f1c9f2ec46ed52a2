/**
 * The one place where the playground uses pledge's event-loop simulator
 * (`@pledge/core/loop`): the profiles it offers, one simulated run (an
 * `EventLoop` with its trace), the simulated promises and async functions,
 * and the trace's pictures and explanations. Everything else in site/ talks
 * to this module, so a change of the library's surface is a change here.
 *
 * `FEATURES` says which simulator features of issue 14 the library has (all
 * of them now: time spent inside a callback, `MessageChannel`,
 * `scheduler.yield`, `AbortSignal.timeout`, unhandled rejections and
 * throwing callbacks per profile, host-like delay conversion, Chromium's
 * order between `postTask` tasks and timers); the host layer (host.ts) and
 * the page's list of limits read it.
 *
 * @module
 */

import {
  EventLoop,
  LoopLimitError,
  type Profile,
  profiles,
  type QueuedCallback,
  simulateAsync,
  type SimulatedMessageChannel,
  SimulatedPromise,
  Trace,
  type TraceEvent,
  type UncaughtErrorEvent,
} from "@pledge/core/loop";

export type { QueuedCallback, TraceEvent, UncaughtErrorEvent };

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

/**
 * The simulator features of issue 14 the library provides. Each was a
 * "not yet simulated" message of the page before the library had it.
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
  /** A throwing callback handled per profile (`loop.onError`). */
  readonly throwingCallbacks: boolean;
  /** String and `NaN` delays converted by the library as the hosts do. */
  readonly coercedDelays: boolean;
  /** html: user-visible `postTask` tasks and timers in posting order. */
  readonly postTaskTimerOrder: boolean;
} = Object.freeze({
  spend: true,
  messageChannel: true,
  schedulerYield: true,
  abortSignalTimeout: true,
  unhandledRejections: true,
  throwingCallbacks: true,
  coercedDelays: true,
  postTaskTimerOrder: true,
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

  /** The id of the event running now (or the last one recorded), 0 before any. */
  get currentEvent(): number {
    return this.#loop.currentEvent ?? this.#loop.trace.events.length;
  }

  /** The events recorded so far. */
  get events(): readonly TraceEvent[] {
    return this.#loop.trace.events;
  }

  /** Callbacks still queued. */
  get pending(): number {
    return this.#loop.queued;
  }

  setTimeout(cb: Callback, ms: unknown, args: unknown[]): unknown {
    return this.#loop.setTimeout(cb, ms as number, ...args);
  }

  setInterval(cb: Callback, ms: unknown, args: unknown[]): unknown {
    return this.#loop.setInterval(cb, ms as number, ...args);
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

  /** Spends `ms` of virtual time inside the running callback. */
  spend(ms: number): void {
    this.#loop.spend(ms);
  }

  /** A `MessageChannel` of the loop. */
  messageChannel(): SimulatedMessageChannel {
    return this.#loop.messageChannel();
  }

  /** `scheduler.yield()` in the loop. */
  yield(): PromiseLike<void> {
    return this.#loop.yield();
  }

  /** `AbortSignal.timeout(ms)` in the loop. */
  abortSignalTimeout(ms: number): AbortSignal {
    return this.#loop.abortSignalTimeout(ms);
  }

  /** Listens for errors thrown by callbacks (see `EventLoop.onError`). */
  onError(listener: (event: UncaughtErrorEvent) => void): Disposable {
    return this.#loop.onError(listener);
  }

  /** Listens for unhandled rejections of the loop's promises. */
  onUnhandledRejection(
    listener: (event: UncaughtErrorEvent) => void,
  ): Disposable {
    return this.#loop.onUnhandledRejection(listener);
  }

  /** What waits in the loop's queues now. */
  snapshot(): QueuedCallback[] {
    return this.#loop.snapshot();
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

  /**
   * The `Promise` statics in the loop (`SimulatedPromise`'s), with the
   * ticks of the natives.
   */
  promiseStatics(): Record<string, (...args: never[]) => unknown> {
    const loop = this.#loop;
    return {
      all: (values: Iterable<unknown>) => SimulatedPromise.all(loop, values),
      allSettled: (values: Iterable<unknown>) =>
        SimulatedPromise.allSettled(loop, values),
      any: (values: Iterable<unknown>) => SimulatedPromise.any(loop, values),
      race: (values: Iterable<unknown>) => SimulatedPromise.race(loop, values),
      withResolvers: () => SimulatedPromise.withResolvers(loop),
      try: (fn: () => unknown, ...args: unknown[]) =>
        SimulatedPromise.try(loop, fn as (...a: unknown[]) => unknown, ...args),
    };
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

/** The pictures and explanations of a finished run's events. */
export class TraceView {
  readonly #trace: Trace;

  /**
   * Wraps the events of a run (as a worker sent them).
   *
   * @param events The events in run order.
   */
  constructor(events: readonly TraceEvent[]) {
    this.#trace = Trace.from(events);
  }

  /** The events queued by step `k` that ran later, by queue. */
  queuedAt(k: number): { queue: string; events: TraceEvent[] }[] {
    return this.#trace.queuedAt(k);
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
