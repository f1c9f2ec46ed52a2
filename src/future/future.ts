/**
 * `Future<T>`: a Promises/A+ thenable with synchronous state inspection and
 * continuations dispatched through an {@linkcode Executor}.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Executor } from "../core/executor.ts";
import { InvalidStateError } from "../core/errors.ts";
import { startTimer } from "../core/_timer.ts";
import { timeoutError } from "../core/_reasons.ts";
import { reportError } from "../core/_report.ts";
import {
  assertClock,
  assertDuration,
  assertFunction,
  assertOptions,
  assertSignal,
  invalidMessage,
} from "../core/_validate.ts";

/** The state of a {@linkcode Future}. */
export type FutureState = "pending" | "fulfilled" | "rejected";

/** Options of {@linkcode Future.wait}. */
export interface FutureWaitOptions {
  /**
   * Reject with a `DOMException` named `"TimeoutError"` after this many
   * milliseconds: a finite number >= 0.
   *
   * @default {undefined} (no time limit)
   */
  timeoutMs?: number | undefined;
  /**
   * Reject with `signal.reason`, unchanged, when it aborts.
   *
   * @default {undefined}
   */
  signal?: AbortSignal | undefined;
  /**
   * The clock that measures `timeoutMs`.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

// State word: the low two bits hold the state. A future created by `then`
// has no reaction object: until its reaction runs, its own slots hold the
// handlers (`#value` the first, `#executor` the rejection handler when both
// are given) and the bits above say which; its executor is taken from the
// parent when the reaction runs. (`_settle.ts` exports the same three states
// for `stateOf`: an exported binding would cost a load on every hot path.)
const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const STATE = 3;
const HAS_F = 4; // #value holds onFulfilled
const HAS_R = 8; // #value holds onRejected
const HAS_BOTH = 12; // #value holds onFulfilled, #executor onRejected
const DERIVED = 16; // created by then(): inherits the parent's executor
const HANDLED = 32; // a rejection is not reported (rejectHandled, detach)

type Handler = (value: unknown) => unknown;

type AnyFuture = Future<unknown>;
type Reactions = AnyFuture | AnyFuture[] | Promise<never> | undefined;

const STATE_NAMES: readonly FutureState[] = [
  "pending",
  "fulfilled",
  "rejected",
];

// Internal access to private members, installed by the class's static block.
let settle: (f: AnyFuture, state: number, value: unknown) => void;
let resolveWith: (f: AnyFuture, x: unknown) => void;
let attach: (f: AnyFuture, child: AnyFuture) => void;
let dispatch: (f: AnyFuture, child: AnyFuture) => void;
let handled: (f: AnyFuture) => void;
// The value or reason of a future in `state`, else an InvalidStateError.
let outcomeIn: (f: AnyFuture, state: number, what: string) => unknown;

let runReaction: (child: AnyFuture, parent: AnyFuture) => void;
let runThenable: (
  target: AnyFuture,
  x: unknown,
  then: (this: unknown, ...args: unknown[]) => unknown,
) => void;
let detach: (f: AnyFuture, child: AnyFuture) => void;

// The trampoline: jobs are pairs (target, source) in one reused array
// (slots are cleared as they run), drained in one host microtask per batch.
// The source is the settled parent future of a reaction, or a function that
// adopts a foreign thenable.
// Own slots from the start (pushed while this module loads, before any
// user code runs), kept when a burst's backing store is dropped (the length
// is cut, never the array replaced): a setter someone puts later on an
// index of `Array.prototype` cannot swallow a job.
const SLOTS = 256;
const jobs: unknown[] = [];
for (let i = 0; i < SLOTS; i++) jobs.push(undefined);
let size = 0;
let scheduled = false;

function drain(): void {
  const queue = jobs;
  let i = 0;
  for (;;) {
    try {
      while (i < size) {
        const target = queue[i] as AnyFuture;
        const source = queue[i + 1];
        queue[i] = undefined;
        queue[i + 1] = undefined;
        i += 2;
        if (typeof source === "function") source();
        else runReaction(target, source as AnyFuture);
      }
      break;
    } catch (error) {
      // A job threw outside the handlers (a hostile executor, a setter on
      // `Array.prototype`): report it and run the jobs after it.
      reportError(error);
    }
  }
  size = 0;
  scheduled = false;
  // Drop a backing store that a burst made large.
  if (queue.length > 8192) queue.length = SLOTS;
}

function enqueue(target: AnyFuture, source: unknown): void {
  const queue = jobs;
  const i = size;
  if (i === queue.length) queue.push(target, source);
  else {
    queue[i] = target;
    queue[i + 1] = source;
  }
  size = i + 2;
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(drain);
  }
}

function noop(): void {}

// Passed as `init` by pledge itself: a pending future, settled from outside.
const PENDING_INIT: unknown = Object.freeze({});

// Runs the `init` of `new Future(init)`, as `new Promise(init)` does: as a
// thenable's `then` is run, with `this` undefined.
function start(f: AnyFuture, init: unknown): void {
  assertFunction("create a Future", "init", init);
  runThenable(f, undefined, init as Handler);
}

function isObjectLike(x: unknown): x is object {
  return (typeof x === "object" && x !== null) || typeof x === "function";
}

// What `finally` passes on once `onFinally` returned `r`: the outcome, after
// `r` settles when it is a thenable (a rejection of `r` replaces it).
function afterFinally(r: unknown, pass: () => unknown): unknown {
  return isObjectLike(r) && typeof (r as PromiseLike<unknown>).then ===
      "function"
    ? Future.from(r as PromiseLike<unknown>).then(pass)
    : pass();
}

// The producer's side, for pledge's own APIs, imported through `_settle.ts`,
// never from here. They live in this module, not in `_settle.ts`, so that a
// bundler that keeps one keeps the class that they reach into (the last
// three are set by its static block: they read its private state).
/** Internal: see `_settle.ts`. */
export function pendingFuture<T>(): Future<T> {
  return new Future<T>(PENDING_INIT as never);
}
/** Internal: see `_settle.ts`. */
export function resolveFuture<T>(future: Future<T>, value: unknown): void {
  resolveWith(future as AnyFuture, value);
}
/** Internal: see `_settle.ts`. */
export function rejectFuture<T>(future: Future<T>, reason: unknown): void {
  settle(future as AnyFuture, REJECTED, reason);
}
/** Internal: see `_settle.ts`. */
export function detachReaction<T, R>(
  future: Future<T>,
  reaction: Future<R>,
): void {
  detach(future as AnyFuture, reaction as AnyFuture);
}
/** Internal: see `_settle.ts`. */
export function rejectHandled<T>(future: Future<T>, reason: unknown): void {
  // Detaching nothing marks a pending future handled.
  detach(future as AnyFuture, undefined as never);
  settle(future as AnyFuture, REJECTED, reason);
}
/** Internal: see `_settle.ts`. */
export let stateOf: (future: Future<unknown>) => number;
/** Internal: see `_settle.ts`. */
export let outcomeOf: (future: Future<unknown>) => unknown;

/**
 * A value that will be available later: the consumer side of a
 * {@linkcode Completer}.
 *
 * `Future` is a Promises/A+ 1.1 thenable (it passes the 872 tests of the
 * compliance suite), interoperates with `await` and the native combinators,
 * and adds what native promises lack: synchronous state inspection
 * (`state`, `value`, `reason`), continuations on a chosen executor (`via`),
 * and waiting with a time limit or a signal (`wait`).
 *
 * Continuations run, by default, on a microtask trampoline that drains every
 * ready continuation in one host microtask. A rejected future that nobody
 * handles is reported as the host reports an unhandled promise rejection.
 *
 * @typeParam T The type of the value.
 *
 * @example Producing and consuming a value
 * ```ts
 * import { Completer } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const completer = new Completer<number>();
 * const doubled = completer.future.then((x) => x * 2);
 * assert.equal(completer.future.state, "pending");
 * completer.resolve(21);
 * assert.equal(await doubled, 42);
 * assert.equal(completer.future.value, 21);
 * ```
 */
export class Future<T> implements PromiseLike<T> {
  #state: number = PENDING;
  #value: unknown;
  #reactions: Reactions;
  #executor: Executor | undefined;

  /**
   * Creates a future settled by `init`, as `new Promise(init)` does. To
   * create a future you settle later, use a {@linkcode Completer}.
   *
   * @param init Receives `resolve` and `reject`; a throw rejects the future.
   * @throws {TypeError} When `init` is not a function (as `new Promise()`).
   *
   * @example Wrapping a callback API
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const f = new Future<string>((resolve) => resolve("done"));
   * assert.equal(await f, "done");
   * assert.throws(() => new Future(undefined as never), TypeError);
   * ```
   */
  constructor(
    init: (
      resolve: (value: T | PromiseLike<T>) => void,
      reject: (reason?: unknown) => void,
    ) => void,
  ) {
    if ((init as unknown) !== PENDING_INIT) start(this as AnyFuture, init);
  }

  static {
    // The operations live here, not as private methods: a class with
    // private methods stores a brand on every instance (8 more bytes).
    attach = (f, child) => {
      const state = f.#state & STATE;
      if (state === PENDING) {
        const rs = f.#reactions;
        if (rs === undefined) f.#reactions = child;
        else if (Array.isArray(rs)) rs.push(child);
        else f.#reactions = [rs as AnyFuture, child];
        return;
      }
      handled(f);
      dispatch(f, child);
    };
    handled = (f) => {
      // A settled future's reactions slot holds the tracker of an unhandled
      // rejection, if any: it is handled now.
      const tracker = f.#reactions;
      if (tracker !== undefined) {
        f.#reactions = undefined;
        (tracker as Promise<never>).then(undefined, noop);
      }
    };
    dispatch = (f, child) => {
      const executor = f.#executor;
      if (executor === undefined) enqueue(child, f);
      else executor.execute(() => runReaction(child, f));
    };
    resolveWith = (f, x) => {
      if (x === f) {
        settle(
          f,
          REJECTED,
          new TypeError("Cannot resolve a future with itself"),
        );
        return;
      }
      if (x instanceof Future) {
        const state = x.#state & STATE;
        if (state === PENDING) attach(x, f);
        else {
          handled(x);
          settle(f, state, x.#value);
        }
        return;
      }
      if (isObjectLike(x)) {
        let then;
        try {
          then = (x as { then?: unknown }).then;
        } catch (e) {
          settle(f, REJECTED, e);
          return;
        }
        if (typeof then === "function") {
          enqueue(
            f,
            () =>
              runThenable(
                f,
                x,
                then as (this: unknown, ...args: unknown[]) => unknown,
              ),
          );
          return;
        }
      }
      settle(f, FULFILLED, x);
    };
    settle = (f, state, value) => {
      const bits = f.#state;
      if ((bits & STATE) !== PENDING) return;
      f.#state = state;
      f.#value = value;
      const rs = f.#reactions;
      f.#reactions = undefined;
      if (rs === undefined) {
        if (state === REJECTED && (bits & HANDLED) === 0) {
          // Nobody listens yet: let the host track it as it tracks promises.
          f.#reactions = Promise.reject(value) as Promise<never>;
        }
        return;
      }
      if (Array.isArray(rs)) {
        for (let i = 0; i < rs.length; i++) dispatch(f, rs[i] as AnyFuture);
      } else dispatch(f, rs as AnyFuture);
    };
    runReaction = (child, parent) => {
      const state = parent.#state;
      const value = parent.#value;
      const bits = child.#state;
      // Settled meanwhile (rejected from outside while it followed `parent`).
      if ((bits & STATE) !== PENDING) return;
      let handler: Handler | undefined;
      if ((bits & DERIVED) !== 0) {
        const has = bits & HAS_BOTH;
        if (state === FULFILLED) {
          if (has & HAS_F) handler = child.#value as Handler;
        } else if (has === HAS_R) handler = child.#value as Handler;
        else if (has === HAS_BOTH) {
          handler = child.#executor as unknown as Handler;
        }
        child.#state = bits & HANDLED;
        child.#value = undefined;
        child.#executor = parent.#executor;
      }
      if (handler === undefined) {
        settle(child as AnyFuture, state, value);
        return;
      }
      let x;
      try {
        x = handler(value);
      } catch (e) {
        settle(child as AnyFuture, REJECTED, e);
        return;
      }
      // Most handlers return a plain value: skip the adoption checks.
      if (typeof x !== "object" && typeof x !== "function") {
        settle(child as AnyFuture, FULFILLED, x);
      } else resolveWith(child as AnyFuture, x);
    };
    runThenable = (target, x, then) => {
      let done = false;
      const reject = (r: unknown) => {
        if (!done) (done = true, settle(target as AnyFuture, REJECTED, r));
      };
      try {
        then.call(x, (y: unknown) => {
          if (!done) (done = true, resolveWith(target as AnyFuture, y));
        }, reject);
      } catch (e) {
        reject(e);
      }
    };
    detach = (f, child) => {
      if ((f.#state & STATE) !== PENDING) return;
      const rs = f.#reactions;
      if (rs === child) f.#reactions = undefined;
      else if (Array.isArray(rs)) {
        const i = rs.indexOf(child);
        if (i >= 0) rs.splice(i, 1);
        if (rs.length === 0) f.#reactions = undefined;
      }
      // It had a reaction, as `Promise.race` leaves one: a later rejection
      // stays handled.
      f.#state |= HANDLED;
    };
    outcomeIn = (f, state, what) => {
      if ((f.#state & STATE) !== state) {
        throw new InvalidStateError(
          `Cannot read the ${what} as the future is ${f.state}`,
        );
      }
      return f.#value;
    };
    stateOf = (f) => f.#state & STATE;
    outcomeOf = (f) => f.#value;
  }

  /**
   * `"Future"`: with it a `Future<T>` is also assignable to `Promise<T>` in
   * TypeScript, so it can be passed wherever a promise is expected.
   */
  get [Symbol.toStringTag](): string {
    return "Future";
  }

  /** The state: `"pending"`, `"fulfilled"` or `"rejected"`. */
  get state(): FutureState {
    return STATE_NAMES[this.#state & STATE] as FutureState;
  }

  /** Whether the future is fulfilled or rejected. */
  get isSettled(): boolean {
    return (this.#state & STATE) !== PENDING;
  }

  /**
   * The value of a fulfilled future.
   *
   * @throws {InvalidStateError} When the future is not fulfilled.
   */
  get value(): T {
    return outcomeIn(this as AnyFuture, FULFILLED, "value") as T;
  }

  /**
   * The reason of a rejected future. Reading it does not count as handling
   * the rejection.
   *
   * @throws {InvalidStateError} When the future is not rejected.
   */
  get reason(): unknown {
    return outcomeIn(this as AnyFuture, REJECTED, "reason");
  }

  /**
   * Attaches continuations (Promises/A+ `then`). They run on this future's
   * executor, never synchronously inside `then` (unless the executor is the
   * inline one). A handler that is not a function passes the outcome on.
   *
   * @typeParam R1 The type the fulfilment handler produces.
   * @typeParam R2 The type the rejection handler produces.
   * @param onFulfilled Called with the value.
   * @param onRejected Called with the reason.
   * @returns A future of what the handler returns or throws.
   *
   * @example Chaining
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const f = Future.resolve(1).then((x) => x + 1).then((x) => `${x}`);
   * assert.equal(await f, "2");
   * ```
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Future<R1 | R2> {
    const child = new Future<R1 | R2>(PENDING_INIT as never);
    if (typeof onFulfilled === "function") {
      child.#value = onFulfilled;
      if (typeof onRejected === "function") {
        child.#state = DERIVED | HAS_BOTH;
        child.#executor = onRejected as unknown as Executor;
      } else child.#state = DERIVED | HAS_F;
    } else if (typeof onRejected === "function") {
      child.#state = DERIVED | HAS_R;
      child.#value = onRejected;
    } else child.#state = DERIVED;
    attach(this as AnyFuture, child as AnyFuture);
    return child;
  }

  /**
   * Attaches a rejection handler.
   *
   * @typeParam R The type the handler produces.
   * @param onRejected Called with the reason.
   * @returns A future of the value, or of what the handler returns.
   *
   * @example Recovering
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const f = Future.reject<number>(new Error("x")).catch(() => 0);
   * assert.equal(await f, 0);
   * ```
   */
  catch<R = never>(
    onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null,
  ): Future<T | R> {
    return this.then(undefined, onRejected);
  }

  /**
   * Runs `onFinally` when the future settles, then passes the outcome on
   * (unless `onFinally` throws or returns a rejected thenable).
   *
   * @param onFinally Called with no argument.
   * @returns A future of the same outcome.
   *
   * @example Cleaning up
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * let closed = false;
   * const v = await Future.resolve(5).finally(() => (closed = true, undefined));
   * assert.equal(v, 5);
   * assert.equal(closed, true);
   * ```
   */
  finally(onFinally?: (() => unknown) | null): Future<T> {
    if (typeof onFinally !== "function") return this.then();
    return this.then<T, never>(
      (value) => afterFinally(onFinally(), () => value) as T,
      (reason) =>
        afterFinally(onFinally(), () => {
          throw reason;
        }) as never,
    );
  }

  /**
   * Returns a future with the same outcome whose continuations run on
   * `executor` (and so do those of the futures derived from it).
   *
   * @param executor Where continuations run.
   * @returns A new future bound to `executor`.
   * @throws {TypeError} Rejects with it (never throws) when `executor` has
   *   no `execute` method.
   *
   * @example Running continuations on a chosen executor
   * ```ts
   * import { type Executor, Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * let hops = 0;
   * const counting: Executor = { execute: (task) => (hops++, task()) };
   * const next = Future.resolve(1).via(counting).then((x) => x + 1);
   * assert.equal(await next, 2);
   * assert.ok(hops >= 1);
   * ```
   */
  via(executor: Executor): Future<T> {
    if (
      typeof executor !== "object" ||
      typeof (executor as Executor | null)?.execute !== "function"
    ) {
      return Future.reject(
        new TypeError(
          invalidMessage(
            "move a future",
            "executor.execute",
            "a function",
            (executor as Executor | null | undefined)?.execute,
          ),
        ),
      );
    }
    const child = pendingFuture<T>();
    child.#executor = executor;
    attach(this as AnyFuture, child as AnyFuture);
    return child;
  }

  /**
   * Waits for the outcome with a time limit and/or a signal. The timer and
   * the abort listener are removed as soon as the returned future settles,
   * and so is its reaction on this future: waiting many times on a
   * long-lived future keeps nothing.
   *
   * @param options `timeoutMs`, `signal`, `clock`.
   * @returns A future of the same outcome, or rejected with a `DOMException`
   *   named `"TimeoutError"`, or with `signal.reason` unchanged.
   * @throws {TypeError} Rejects with it (never throws), before any timer or
   *   listener exists, when an option has the wrong type (an `AbortSignal`
   *   given in place of the options included).
   * @throws {RangeError} Rejects with it when `timeoutMs` is negative or not
   *   finite.
   *
   * @example Timing out on a virtual clock
   * ```ts
   * import { Completer, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const waited = new Completer<number>().future.wait({ timeoutMs: 50, clock });
   * clock.tick(50);
   * await assert.rejects(waited, { name: "TimeoutError" });
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  wait(options?: FutureWaitOptions): Future<T> {
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    let clock: Clock | undefined;
    try {
      assertOptions(WAIT, options);
      timeoutMs = options?.timeoutMs;
      signal = options?.signal;
      clock = options?.clock;
      if (timeoutMs !== undefined) assertDuration(WAIT, "timeoutMs", timeoutMs);
      assertSignal(WAIT, signal);
      assertClock(WAIT, clock);
    } catch (error) {
      return Future.reject(error);
    }
    if (signal?.aborted) return Future.reject<T>(signal.reason);
    const out = pendingFuture<T>();
    // Settles `out` (the first call wins: the cleanup is harmless again).
    const finish = (state: number, value: unknown) => {
      if (stopTimer) stopTimer();
      signal?.removeEventListener("abort", onAbort);
      // Given up before this future settled: forget the reaction on it, so
      // waiting many times on a long-lived future keeps nothing.
      detach(this as AnyFuture, reaction as AnyFuture);
      settle(out as AnyFuture, state, value);
    };
    const onAbort = () => finish(REJECTED, signal!.reason);
    // One plain timer: a wait is a one-off (a timer heap would ship with
    // every future for a member few use).
    const stopTimer = timeoutMs !== undefined && startTimer(
      clock ?? systemClock,
      () => finish(REJECTED, timeoutError(timeoutMs)),
      timeoutMs,
    );
    signal?.addEventListener("abort", onAbort);
    const reaction = this.then(
      (v) => finish(FULFILLED, v),
      (e) => finish(REJECTED, e),
    );
    return out;
  }

  /**
   * Returns a native `Promise` with the same outcome.
   *
   * @returns The promise.
   *
   * @example Converting
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const p = Future.resolve(1).toPromise();
   * assert.ok(p instanceof Promise);
   * assert.equal(await p, 1);
   * ```
   */
  toPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.then(resolve, reject);
    });
  }

  /** Returns a future already fulfilled with `undefined`. */
  static resolve(): Future<void>;
  /**
   * Returns `value` itself when it is a `Future`, else a future adopting a
   * thenable or fulfilled with a plain value.
   *
   * @typeParam T The type of the value.
   * @param value The value or thenable.
   * @returns The future.
   */
  static resolve<T>(value: T | PromiseLike<T>): Future<Awaited<T>>;
  /**
   * Returns `value` itself when it is a `Future`, else a future adopting a
   * thenable or fulfilled with a plain value (`undefined` without one).
   *
   * @typeParam T The type of the value.
   * @param value The value or thenable.
   * @returns The future.
   *
   * @example Adopting a thenable
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(await Future.resolve(Promise.resolve("p")), "p");
   * assert.equal(Future.resolve().state, "fulfilled");
   * ```
   */
  static resolve<T>(value?: T | PromiseLike<T>): Future<Awaited<T>> {
    if (value instanceof Future) return value as Future<Awaited<T>>;
    const f = pendingFuture<Awaited<T>>();
    resolveWith(f as AnyFuture, value);
    return f;
  }

  /**
   * Returns a rejected future.
   *
   * @typeParam T The type of the value the future would have had.
   * @param reason The reason.
   * @returns The future.
   *
   * @example A rejected future
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * await assert.rejects(Future.reject(new Error("no")), /no/);
   * ```
   */
  static reject<T = never>(reason?: unknown): Future<T> {
    const f = pendingFuture<T>();
    settle(f as AnyFuture, REJECTED, reason);
    return f;
  }

  /**
   * Returns a future adopting a thenable (a native promise, a foreign
   * thenable or a future) or holding a plain value.
   *
   * @typeParam T The type of the value.
   * @param thenable What to adopt.
   * @returns The future.
   *
   * @example Adopting a native promise
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const f = Future.from(Promise.resolve("x"));
   * assert.equal(await f, "x");
   * assert.equal(f.state, "fulfilled");
   * ```
   */
  static from<T>(thenable: PromiseLike<T> | T): Future<Awaited<T>> {
    return Future.resolve(thenable);
  }

  /**
   * Runs `fn` synchronously and returns a future of its result; a throw
   * becomes a rejection.
   *
   * @typeParam T The type of the value.
   * @param fn The function to run.
   * @returns The future.
   * @throws {TypeError} Rejects with it (never throws) when `fn` is not a
   *   function (as `Promise.try` does).
   *
   * @example Capturing a throw
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const f = Future.try(() => JSON.parse("{"));
   * await assert.rejects(f, SyntaxError);
   * ```
   */
  static try<T>(fn: () => T | PromiseLike<T>): Future<Awaited<T>> {
    try {
      assertFunction("run Future.try", "fn", fn);
      return Future.resolve(fn());
    } catch (e) {
      return Future.reject(e);
    }
  }
}

const WAIT = "wait for a future";
