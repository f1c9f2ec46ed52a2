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
import {
  assertDuration,
  assertFunction,
  assertOptions,
  assertSignal,
} from "../core/_validate.ts";

/**
 * The state of a {@linkcode Future}.
 *
 * @example Pending, then rejected
 * ```ts
 * import { Completer, type FutureState } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const c = new Completer<number>();
 * const states: FutureState[] = [c.future.state];
 * c.reject(new Error("failed"));
 * states.push(c.future.state);
 * await assert.rejects(c.future, /failed/);
 * assert.deepEqual(states, ["pending", "rejected"]);
 * ```
 */
export type FutureState = "pending" | "fulfilled" | "rejected";

/**
 * Options of {@linkcode Future.wait}.
 *
 * @example A time limit and a signal, whichever comes first
 * ```ts
 * import { Completer, type FutureWaitOptions, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const controller = new AbortController();
 * const options: FutureWaitOptions = { timeoutMs: 1000, signal: controller.signal, clock };
 * const waited = new Completer<string>().future.wait(options);
 * controller.abort(new Error("user left"));
 * await assert.rejects(waited, /user left/);
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export interface FutureWaitOptions {
  /**
   * Reject with a `DOMException` named `"TimeoutError"` after this many
   * milliseconds.
   *
   * @default {undefined} (no time limit)
   */
  timeoutMs?: number;
  /** Reject with `signal.reason` when aborted. */
  signal?: AbortSignal;
  /**
   * The clock for `timeoutMs`.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

// State word: the low two bits hold the state. A future created by `then`
// has no reaction object: until its reaction runs, its own slots hold the
// handlers (`#value` the first, `#executor` the rejection handler when both
// are given) and the bits above say which; its executor is taken from the
// parent when the reaction runs.
const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const STATE = 3;
const HAS_F = 4; // #value holds onFulfilled
const HAS_R = 8; // #value holds onRejected
const HAS_BOTH = 12; // #value holds onFulfilled, #executor onRejected
const DERIVED = 16; // created by then(): inherits the parent's executor

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

let runReaction: (child: AnyFuture, parent: AnyFuture) => void;
let runThenable: (
  target: AnyFuture,
  x: unknown,
  then: (this: unknown, ...args: unknown[]) => unknown,
) => void;

// The trampoline: jobs are pairs (target, source) in one reused array
// (slots are cleared as they run), drained in one host microtask per batch.
// The source is the settled parent future of a reaction, or a ThenableJob
// for adopting a foreign thenable.
class ThenableJob {
  constructor(
    readonly x: unknown,
    readonly then: (this: unknown, ...args: unknown[]) => unknown,
  ) {}
}

let jobs: unknown[] = [];
let size = 0;
let scheduled = false;

function drain(): void {
  const queue = jobs;
  for (let i = 0; i < size; i += 2) {
    const target = queue[i] as AnyFuture;
    const source = queue[i + 1];
    queue[i] = undefined;
    queue[i + 1] = undefined;
    if (source instanceof ThenableJob) {
      runThenable(target, source.x, source.then);
    } else runReaction(target, source as AnyFuture);
  }
  size = 0;
  scheduled = false;
  // Drop a backing store that a burst made large.
  if (queue.length > 2 * 4096) jobs = [];
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

function isObjectLike(x: unknown): x is object {
  return (typeof x === "object" && x !== null) || typeof x === "function";
}

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
  #value: unknown = undefined;
  #reactions: Reactions = undefined;
  #executor: Executor | undefined = undefined;

  /**
   * Creates a future settled by `init`, as `new Promise(init)` does. Without
   * `init` the future stays pending; prefer {@linkcode Completer} to create
   * one you settle later.
   *
   * @param init Receives `resolve` and `reject`; a throw rejects the future.
   *
   * @example Wrapping a callback API
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const f = new Future<string>((resolve) => resolve("done"));
   * assert.equal(await f, "done");
   * ```
   */
  constructor(
    init?: (
      resolve: (value: T | PromiseLike<T>) => void,
      reject: (reason?: unknown) => void,
    ) => void,
  ) {
    if (init !== undefined) {
      assertFunction("create a Future", "init", init);
      let done = false;
      try {
        init((v) => {
          if (!done) (done = true, resolveWith(this, v));
        }, (e) => {
          if (!done) (done = true, settle(this, REJECTED, e));
        });
      } catch (e) {
        if (!done) (done = true, settle(this, REJECTED, e));
      }
    }
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
      const tracker = f.#reactions;
      if (tracker !== undefined) {
        // An unhandled rejection is being tracked: it is handled now.
        f.#reactions = undefined;
        (tracker as Promise<never>).then(undefined, noop);
      }
      dispatch(f, child);
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
          if (state === REJECTED && x.#reactions !== undefined) {
            const tracker = x.#reactions as Promise<never>;
            x.#reactions = undefined;
            tracker.then(undefined, noop);
          }
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
            new ThenableJob(
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
      if ((f.#state & STATE) !== PENDING) return;
      f.#state = state;
      f.#value = value;
      const rs = f.#reactions;
      f.#reactions = undefined;
      if (rs === undefined) {
        if (state === REJECTED) {
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
      if (bits !== PENDING) {
        const has = bits & HAS_BOTH;
        if (state === FULFILLED) {
          if (has & HAS_F) handler = child.#value as Handler;
        } else if (has === HAS_R) handler = child.#value as Handler;
        else if (has === HAS_BOTH) {
          handler = child.#executor as unknown as Handler;
        }
        child.#state = PENDING;
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
      try {
        then.call(x, (y: unknown) => {
          if (!done) (done = true, resolveWith(target as AnyFuture, y));
        }, (r: unknown) => {
          if (!done) (done = true, settle(target as AnyFuture, REJECTED, r));
        });
      } catch (e) {
        if (!done) (done = true, settle(target as AnyFuture, REJECTED, e));
      }
    };
  }

  /**
   * `"Future"`: with it a `Future<T>` is also assignable to `Promise<T>` in
   * TypeScript, so it can be passed wherever a promise is expected.
   *
   * @example The tag
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(Object.prototype.toString.call(Future.resolve()), "[object Future]");
   * const p: Promise<number> = Future.resolve(1);
   * assert.equal(await p, 1);
   * ```
   */
  get [Symbol.toStringTag](): string {
    return "Future";
  }

  /**
   * The state: `"pending"`, `"fulfilled"` or `"rejected"`.
   *
   * @example Inspecting the state synchronously
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(Future.resolve(1).state, "fulfilled");
   * ```
   */
  get state(): FutureState {
    return STATE_NAMES[this.#state & STATE] as FutureState;
  }

  /**
   * Whether the future is fulfilled or rejected.
   *
   * @example A settled future
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(Future.resolve(1).isSettled, true);
   * ```
   */
  get isSettled(): boolean {
    return (this.#state & STATE) !== PENDING;
  }

  /**
   * The value of a fulfilled future.
   *
   * @throws {InvalidStateError} When the future is not fulfilled.
   *
   * @example Reading the value
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.equal(Future.resolve(7).value, 7);
   * ```
   */
  get value(): T {
    if ((this.#state & STATE) !== FULFILLED) {
      throw new InvalidStateError(
        `Cannot read the value as the future is ${this.state}`,
      );
    }
    return this.#value as T;
  }

  /**
   * The reason of a rejected future. Reading it does not count as handling
   * the rejection.
   *
   * @throws {InvalidStateError} When the future is not rejected.
   *
   * @example Reading the reason
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const f = Future.reject(new Error("boom"));
   * f.catch(() => {});
   * assert.equal((f.reason as Error).message, "boom");
   * ```
   */
  get reason(): unknown {
    if ((this.#state & STATE) !== REJECTED) {
      throw new InvalidStateError(
        `Cannot read the reason as the future is ${this.state}`,
      );
    }
    return this.#value;
  }

  /**
   * Attaches continuations (Promises/A+ `then`). They run on this future's
   * executor, never synchronously inside `then` (unless the executor is the
   * inline one).
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
    const child = new Future<R1 | R2>();
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
    return this.then(
      (value) => {
        const r = onFinally();
        return isObjectLike(r) && typeof (r as PromiseLike<unknown>).then ===
            "function"
          ? Future.from(r as PromiseLike<unknown>).then(() => value)
          : value;
      },
      (reason) => {
        const r = onFinally();
        if (
          isObjectLike(r) &&
          typeof (r as PromiseLike<unknown>).then === "function"
        ) {
          return Future.from(r as PromiseLike<unknown>).then(() => {
            throw reason;
          });
        }
        throw reason;
      },
    );
  }

  /**
   * Returns a future with the same outcome whose continuations run on
   * `executor` (and so do those of the futures derived from it).
   *
   * @param executor Where continuations run.
   * @returns A new future bound to `executor`.
   *
   * @example Running continuations inline
   * ```ts
   * import { Completer, inlineExecutor } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const c = new Completer<number>();
   * let seen = 0;
   * c.future.via(inlineExecutor).then((x) => (seen = x));
   * await Promise.resolve(); // let the hop onto the executor happen
   * c.resolve(3);
   * await Promise.resolve();
   * assert.equal(seen, 3);
   * ```
   */
  via(executor: Executor): Future<T> {
    if (
      executor === null || typeof executor !== "object" ||
      typeof executor.execute !== "function"
    ) {
      assertFunction("move a future", "executor.execute", executor?.execute);
    }
    const child = new Future<T>();
    child.#executor = executor;
    attach(this as AnyFuture, child as AnyFuture);
    return child;
  }

  /**
   * Waits for the outcome with a time limit and/or a signal. The timer and
   * the abort listener are removed as soon as the returned future settles.
   *
   * @param options `timeoutMs`, `signal`, `clock`.
   * @returns A future of the same outcome, or rejected with a `DOMException`
   *   named `"TimeoutError"`, or with `signal.reason` unchanged.
   * @throws {RangeError} When `timeoutMs` is negative or not finite.
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
    assertOptions("wait for a future", options);
    const timeoutMs = options?.timeoutMs;
    const signal = options?.signal;
    const clock = options?.clock ?? systemClock;
    if (timeoutMs !== undefined) {
      assertDuration("wait for a future", "timeoutMs", timeoutMs);
    }
    assertSignal("wait for a future", signal);
    if (signal?.aborted) return Future.reject<T>(signal.reason);
    if (timeoutMs === undefined && signal === undefined) return this.then();
    const out = new Future<T>();
    let handle: unknown;
    let done = false;
    const onAbort = () => finish(REJECTED, signal!.reason);
    const finish = (state: number, value: unknown) => {
      if (done) return;
      done = true;
      if (handle !== undefined) clock.clearTimeout(handle);
      signal?.removeEventListener("abort", onAbort);
      settle(out as AnyFuture, state, value);
    };
    if (timeoutMs !== undefined) {
      handle = clock.setTimeout(() => {
        handle = undefined;
        finish(
          REJECTED,
          new DOMException(
            `The future did not settle within ${timeoutMs} ms`,
            "TimeoutError",
          ),
        );
      }, timeoutMs);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    this.then(
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

  /**
   * Returns a future already fulfilled with `undefined`.
   *
   * @returns The future.
   *
   * @example A ready future to chain on
   * ```ts
   * import { Future } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const ready = Future.resolve();
   * assert.equal(ready.state, "fulfilled");
   * assert.equal(await ready.then(() => "next"), "next");
   * ```
   */
  static resolve(): Future<void>;
  /**
   * Returns a fulfilled future, or `value` itself when it is a `Future`, or a
   * future adopting a thenable.
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
   * ```
   */
  static resolve<T>(value: T | PromiseLike<T>): Future<Awaited<T>>;
  static resolve<T>(value?: T | PromiseLike<T>): Future<Awaited<T>> {
    if (value instanceof Future) return value as Future<Awaited<T>>;
    const f = new Future<Awaited<T>>();
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
    const f = new Future<T>();
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
    assertFunction("run Future.try", "fn", fn);
    try {
      return Future.resolve(fn());
    } catch (e) {
      return Future.reject(e);
    }
  }
}

/**
 * Settles a future from outside (used by `Completer`).
 *
 * @internal
 */
export function resolveFuture<T>(future: Future<T>, value: unknown): void {
  resolveWith(future as AnyFuture, value);
}

/**
 * Rejects a future from outside (used by `Completer`).
 *
 * @internal
 */
export function rejectFuture<T>(future: Future<T>, reason: unknown): void {
  settle(future as AnyFuture, REJECTED, reason);
}
