/**
 * Promises and async functions simulated inside an {@linkcode EventLoop}:
 * `SimulatedPromise` follows ECMA-262's promise jobs step by step (its jobs go
 * into the loop's microtask queue), and {@linkcode simulateAsync} runs a
 * generator function as an async function where `yield x` means `await x`.
 * Together they reproduce V8's tick costs exactly: 1 microtask for
 * `await value` (or a promise), 2 for `await thenable`, and 3 before a caller
 * sees the result of an async function that returns a promise.
 *
 * @module
 */

import { assertFunction, typeError } from "../core/_validate.ts";
import { trackRejection } from "./_rejections.ts";

/**
 * Where simulated promise jobs go: an {@linkcode EventLoop}, or anything with
 * a `queueMicrotask`. When `tracing` is true, `label` names each job.
 */
export interface MicrotaskQueue {
  /**
   * Queues a job.
   *
   * @param callback The job.
   */
  queueMicrotask(callback: () => void): void;
  /**
   * Whether jobs should be labelled (tracing is on).
   *
   * @default {false}
   */
  readonly tracing?: boolean;
  /**
   * Labels a callback in the trace and returns it.
   *
   * @param text The label.
   * @param fn The callback.
   * @returns `fn`.
   */
  label?<F extends (...args: never[]) => unknown>(text: string, fn: F): F;
}

/** The state of a {@linkcode SimulatedPromise}. */
export type SimulatedPromiseState = "pending" | "fulfilled" | "rejected";

type Handler = ((value: unknown) => unknown) | undefined;

interface Reaction {
  derived: SimulatedPromise<unknown>;
  onFulfilled: Handler;
  onRejected: Handler;
}

function queueJob(host: MicrotaskQueue, label: string, job: () => void): void {
  host.queueMicrotask(
    host.tracing === true && host.label !== undefined
      ? host.label(label, job)
      : job,
  );
}

function nameOf(fn: Handler, fallback: string): string {
  return fn !== undefined && fn.name !== "" ? fn.name : fallback;
}

/**
 * A promise whose jobs run in a simulated microtask queue, following
 * ECMA-262 exactly (a reaction job per `then`, a resolve-thenable job when
 * resolved with a thenable). Create one with `loop.promise(init)`,
 * `loop.resolved(value)` or an async function from `loop.async(...)`.
 *
 * It is `PromiseLike`, so host code may `await` it, but it settles only when
 * the loop runs its microtasks.
 *
 * @typeParam T The type of the value.
 *
 * @example A promise chain ordered against a timer
 * ```ts
 * import { EventLoop } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop({ profile: "html" });
 * const order: string[] = [];
 * loop.setTimeout(() => order.push("timer"), 0);
 * loop.resolved(1).then((x) => order.push(`then ${x}`));
 * order.push("sync");
 * loop.runAll();
 * assert.deepEqual(order, ["sync", "then 1", "timer"]);
 * ```
 */
export class SimulatedPromise<T> implements PromiseLike<T> {
  #host: MicrotaskQueue;
  #state: SimulatedPromiseState = "pending";
  #value: unknown = undefined;
  // Created on the first reaction: most promises get one or none.
  #reactions: Reaction[] | undefined = undefined;
  // [[PromiseIsHandled]]: a reaction was ever attached.
  #handled = false;

  /**
   * Creates a promise settled by `init`, as `new Promise(init)` does; without
   * `init` it stays pending.
   *
   * @param host Where its jobs go, usually an `EventLoop`.
   * @param init Receives `resolve` and `reject`; a throw rejects.
   * @throws {TypeError} When `host.queueMicrotask` or `init` is not a
   *   function.
   */
  constructor(
    host: MicrotaskQueue,
    init?: (
      resolve: (value: T | PromiseLike<T>) => void,
      reject: (reason?: unknown) => void,
    ) => void,
  ) {
    assertFunction(
      "create a SimulatedPromise",
      "host.queueMicrotask",
      host?.queueMicrotask,
    );
    this.#host = host;
    if (init !== undefined) {
      assertFunction("create a SimulatedPromise", "init", init);
      // CreateResolvingFunctions (27.2.1.3): one "already resolved" flag.
      let done = false;
      try {
        init((value) => {
          if (!done) (done = true, this.#resolve(value));
        }, (reason) => {
          if (!done) (done = true, this.#settle(false, reason));
        });
      } catch (e) {
        if (!done) (done = true, this.#settle(false, e));
      }
    }
  }

  /**
   * `PromiseResolve` (ECMA-262 27.2.4.7.1), as `Promise.resolve` does it:
   * `value` itself when it is a simulated promise of the same `host`,
   * otherwise a new promise resolved with it (a thenable is adopted through
   * one more job).
   *
   * @typeParam T The type of the value.
   * @param host Where the jobs go, usually an `EventLoop`.
   * @param value The value or thenable.
   * @returns The promise.
   * @throws {TypeError} When `host.queueMicrotask` is not a function.
   *
   * @example A promise of the same loop is passed through
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const three = SimulatedPromise.resolve(loop, 3);
   * assert.equal(SimulatedPromise.resolve(loop, three), three);
   * let seen = 0;
   * three.then((x) => (seen = x));
   * loop.runMicrotasks();
   * assert.equal(seen, 3);
   * ```
   */
  static resolve<T>(
    host: MicrotaskQueue,
    value: T,
  ): SimulatedPromise<Awaited<T>> {
    if (value instanceof SimulatedPromise && value.#host === host) {
      return value as SimulatedPromise<Awaited<T>>;
    }
    const p = new SimulatedPromise<Awaited<T>>(host);
    p.#resolve(value);
    return p;
  }

  /**
   * A promise of `host` rejected with `reason`, as `Promise.reject` does.
   *
   * @typeParam T The value type it would have had.
   * @param host Where the jobs go, usually an `EventLoop`.
   * @param reason The reason.
   * @returns The rejected promise.
   * @throws {TypeError} When `host.queueMicrotask` is not a function.
   *
   * @example Handling the rejection in the loop
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let seen: unknown;
   * SimulatedPromise.reject(loop, "no").catch((e) => (seen = e));
   * loop.runMicrotasks();
   * assert.equal(seen, "no");
   * ```
   */
  static reject<T = never>(
    host: MicrotaskQueue,
    reason?: unknown,
  ): SimulatedPromise<T> {
    const p = new SimulatedPromise<T>(host);
    p.#settle(false, reason);
    return p;
  }

  /**
   * `Promise.all` in the loop: fulfils with every value in input order once
   * all have fulfilled, or rejects with the first reason; each element costs
   * the ticks it costs natively (`PromiseResolve`, then one `then`).
   *
   * @typeParam T The element types.
   * @param host Where the jobs go, usually an `EventLoop`.
   * @param values An iterable of values or thenables; a value that is not
   *   iterable rejects the result with a `TypeError`.
   * @returns A simulated promise of the values.
   * @throws {TypeError} When `host.queueMicrotask` is not a function.
   *
   * @example Values in input order
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const slow = loop.promise<string>((r) => loop.setTimeout(() => r("slow"), 10));
   * let seen: unknown;
   * SimulatedPromise.all(loop, [slow, "now", loop.resolved(3)]).then((v) => (seen = v));
   * loop.runAll();
   * assert.deepEqual(seen, ["slow", "now", 3]);
   * ```
   */
  static all<T extends readonly unknown[] | []>(
    host: MicrotaskQueue,
    values: T,
  ): SimulatedPromise<{ -readonly [K in keyof T]: Awaited<T[K]> }>;
  /**
   * `Promise.all` over any iterable; see the overload above.
   *
   * @typeParam T The element type.
   * @param host Where the jobs go.
   * @param values The values or thenables.
   * @returns A simulated promise of the values.
   */
  static all<T>(
    host: MicrotaskQueue,
    values: Iterable<T | PromiseLike<T>>,
  ): SimulatedPromise<Awaited<T>[]>;
  static all(
    host: MicrotaskQueue,
    values: Iterable<unknown>,
  ): SimulatedPromise<unknown[]> {
    return combine("all", host, values, (i, done) => {
      let called = false;
      return [(v) => {
        if (!called) (called = true, done(i, v));
      }, undefined];
    }, (out, resolve) => resolve(out));
  }

  /**
   * `Promise.allSettled` in the loop: fulfils, once every element settled,
   * with `{ status, value }` or `{ status, reason }` in input order.
   *
   * @typeParam T The element types.
   * @param host Where the jobs go, usually an `EventLoop`.
   * @param values An iterable of values or thenables.
   * @returns A simulated promise of the outcomes.
   * @throws {TypeError} When `host.queueMicrotask` is not a function.
   *
   * @example One rejection among values
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let seen: unknown;
   * SimulatedPromise.allSettled(loop, [1, loop.rejected("no")]).then((v) => (seen = v));
   * loop.runMicrotasks();
   * assert.deepEqual(seen, [
   *   { status: "fulfilled", value: 1 },
   *   { status: "rejected", reason: "no" },
   * ]);
   * ```
   */
  static allSettled<T extends readonly unknown[] | []>(
    host: MicrotaskQueue,
    values: T,
  ): SimulatedPromise<
    { -readonly [K in keyof T]: PromiseSettledResult<Awaited<T[K]>> }
  >;
  /**
   * `Promise.allSettled` over any iterable; see the overload above.
   *
   * @typeParam T The element type.
   * @param host Where the jobs go.
   * @param values The values or thenables.
   * @returns A simulated promise of the outcomes.
   */
  static allSettled<T>(
    host: MicrotaskQueue,
    values: Iterable<T | PromiseLike<T>>,
  ): SimulatedPromise<PromiseSettledResult<Awaited<T>>[]>;
  static allSettled(
    host: MicrotaskQueue,
    values: Iterable<unknown>,
  ): SimulatedPromise<unknown[]> {
    return combine("allSettled", host, values, (i, done) => {
      let called = false;
      return [(value) => {
        if (!called) (called = true, done(i, { status: "fulfilled", value }));
      }, (reason) => {
        if (!called) (called = true, done(i, { status: "rejected", reason }));
      }];
    }, (out, resolve) => resolve(out));
  }

  /**
   * `Promise.any` in the loop: fulfils with the first value, or rejects
   * with an `AggregateError` of every reason (in input order) once all
   * rejected; an empty iterable rejects at once.
   *
   * @typeParam T The element types.
   * @param host Where the jobs go, usually an `EventLoop`.
   * @param values An iterable of values or thenables.
   * @returns A simulated promise of the first value.
   * @throws {TypeError} When `host.queueMicrotask` is not a function.
   *
   * @example Every element rejects
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let seen: unknown;
   * SimulatedPromise.any(loop, [loop.rejected("a"), loop.rejected("b")])
   *   .catch((e) => (seen = e));
   * loop.runMicrotasks();
   * assert.ok(seen instanceof AggregateError);
   * assert.deepEqual(seen.errors, ["a", "b"]);
   * ```
   */
  static any<T extends readonly unknown[] | []>(
    host: MicrotaskQueue,
    values: T,
  ): SimulatedPromise<Awaited<T[number]>>;
  /**
   * `Promise.any` over any iterable; see the overload above.
   *
   * @typeParam T The element type.
   * @param host Where the jobs go.
   * @param values The values or thenables.
   * @returns A simulated promise of the first value.
   */
  static any<T>(
    host: MicrotaskQueue,
    values: Iterable<T | PromiseLike<T>>,
  ): SimulatedPromise<Awaited<T>>;
  static any(
    host: MicrotaskQueue,
    values: Iterable<unknown>,
  ): SimulatedPromise<unknown> {
    return combine(
      "any",
      host,
      values,
      (i, done, resolve) => {
        let called = false;
        return [resolve, (reason) => {
          if (!called) (called = true, done(i, reason));
        }];
      },
      (errors, _resolve, reject) =>
        reject(new AggregateError(errors, "All promises were rejected")),
    );
  }

  /**
   * `Promise.race` in the loop: settles as the first element to settle.
   *
   * @typeParam T The element types.
   * @param host Where the jobs go, usually an `EventLoop`.
   * @param values An iterable of values or thenables; an empty one never
   *   settles.
   * @returns A simulated promise.
   * @throws {TypeError} When `host.queueMicrotask` is not a function.
   *
   * @example A timer against a resolved value
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const late = loop.promise((r) => loop.setTimeout(() => r("late"), 5));
   * let seen: unknown;
   * SimulatedPromise.race(loop, [late, "now"]).then((v) => (seen = v));
   * loop.runAll();
   * assert.equal(seen, "now");
   * ```
   */
  static race<T extends readonly unknown[] | []>(
    host: MicrotaskQueue,
    values: T,
  ): SimulatedPromise<Awaited<T[number]>>;
  /**
   * `Promise.race` over any iterable; see the overload above.
   *
   * @typeParam T The element type.
   * @param host Where the jobs go.
   * @param values The values or thenables.
   * @returns A simulated promise.
   */
  static race<T>(
    host: MicrotaskQueue,
    values: Iterable<T | PromiseLike<T>>,
  ): SimulatedPromise<Awaited<T>>;
  static race(
    host: MicrotaskQueue,
    values: Iterable<unknown>,
  ): SimulatedPromise<unknown> {
    checkHost("race", host);
    return new SimulatedPromise<unknown>(host, (resolve, reject) => {
      checkIterable("race", values);
      for (const item of values) {
        SimulatedPromise.resolve(host, item).then(resolve, reject);
      }
    });
  }

  /**
   * `Promise.withResolvers` in the loop: a pending simulated promise and the
   * functions that settle it.
   *
   * @typeParam T The type of the value.
   * @param host Where the jobs go, usually an `EventLoop`.
   * @returns `{ promise, resolve, reject }`.
   * @throws {TypeError} When `host.queueMicrotask` is not a function.
   *
   * @example Resolved from a timer
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const { promise, resolve } = SimulatedPromise.withResolvers<number>(loop);
   * loop.setTimeout(() => resolve(7), 10);
   * let seen = 0;
   * promise.then((v) => (seen = v));
   * loop.runAll();
   * assert.equal(seen, 7);
   * ```
   */
  static withResolvers<T>(host: MicrotaskQueue): {
    promise: SimulatedPromise<T>;
    resolve: (value: T | PromiseLike<T>) => void;
    reject: (reason?: unknown) => void;
  } {
    checkHost("withResolvers", host);
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new SimulatedPromise<T>(host, (res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  /**
   * `Promise.try` in the loop: calls `fn(...args)` now and settles with
   * what it returns (adopting a thenable) or throws; a `fn` that is not a
   * function rejects with a `TypeError`, as natively.
   *
   * @typeParam T The type of the value.
   * @typeParam A The arguments.
   * @param host Where the jobs go, usually an `EventLoop`.
   * @param fn The function to call.
   * @param args Its arguments.
   * @returns A simulated promise.
   * @throws {TypeError} When `host.queueMicrotask` is not a function.
   *
   * @example A synchronous throw becomes a rejection
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let seen: unknown;
   * SimulatedPromise.try(loop, () => {
   *   throw new Error("sync");
   * }).catch((e) => (seen = e));
   * loop.runMicrotasks();
   * assert.equal((seen as Error).message, "sync");
   * ```
   */
  static try<T, A extends unknown[]>(
    host: MicrotaskQueue,
    fn: (...args: A) => T | PromiseLike<T>,
    ...args: A
  ): SimulatedPromise<Awaited<T>> {
    checkHost("try", host);
    return new SimulatedPromise<Awaited<T>>(host, (resolve) => {
      resolve(fn(...args) as Awaited<T>);
    });
  }

  /** The state: `"pending"`, `"fulfilled"` or `"rejected"`. */
  get state(): SimulatedPromiseState {
    return this.#state;
  }

  /**
   * Attaches reactions (`PerformPromiseThen`): each runs as its own job in
   * the loop's microtask queue.
   *
   * @typeParam R1 The type the fulfilment handler produces.
   * @typeParam R2 The type the rejection handler produces.
   * @param onFulfilled Called with the value.
   * @param onRejected Called with the reason.
   * @returns A new simulated promise.
   *
   * @example One tick per reaction
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const order: string[] = [];
   * loop.resolved().then(() => order.push("a1")).then(() => order.push("a2"));
   * loop.resolved().then(() => order.push("b1")).then(() => order.push("b2"));
   * loop.runMicrotasks();
   * assert.deepEqual(order, ["a1", "b1", "a2", "b2"]);
   * ```
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): SimulatedPromise<R1 | R2> {
    const derived = new SimulatedPromise<R1 | R2>(this.#host);
    const reaction: Reaction = {
      derived: derived as SimulatedPromise<unknown>,
      onFulfilled: typeof onFulfilled === "function"
        ? onFulfilled as Handler
        : undefined,
      onRejected: typeof onRejected === "function"
        ? onRejected as Handler
        : undefined,
    };
    if (this.#state === "pending") (this.#reactions ??= []).push(reaction);
    else {
      if (this.#state === "rejected" && !this.#handled) {
        trackRejection(this.#host, this, "handle", this.#value);
      }
      this.#queueReaction(reaction);
    }
    this.#handled = true;
    return derived;
  }

  /**
   * Attaches a rejection handler.
   *
   * @typeParam R The type the handler produces.
   * @param onRejected Called with the reason.
   * @returns A new simulated promise.
   *
   * @example Recovering
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let seen: unknown;
   * loop.rejected(new Error("x")).catch((e) => (seen = e));
   * loop.runMicrotasks();
   * assert.equal((seen as Error).message, "x");
   * ```
   */
  catch<R = never>(
    onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null,
  ): SimulatedPromise<T | R> {
    return this.then(undefined, onRejected);
  }

  /**
   * Runs `onFinally` when settled and passes the outcome on, with the same
   * extra ticks as `Promise.prototype.finally`.
   *
   * @param onFinally Called with no argument.
   * @returns A new simulated promise.
   *
   * @example Cleaning up
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let closed = false;
   * const p = loop.resolved(5).finally(() => (closed = true));
   * loop.runMicrotasks();
   * assert.equal(closed, true);
   * assert.equal(p.state, "fulfilled");
   * ```
   */
  finally(onFinally?: (() => unknown) | null): SimulatedPromise<T> {
    if (typeof onFinally !== "function") return this.then() as never;
    const host = this.#host;
    return this.then(
      (value) => SimulatedPromise.resolve(host, onFinally()).then(() => value),
      (reason) =>
        SimulatedPromise.resolve(host, onFinally()).then(() => {
          throw reason;
        }),
    ) as SimulatedPromise<T>;
  }

  // The body of a promise resolve function (27.2.1.3.2).
  #resolve(x: unknown): void {
    if (x === this) {
      this.#settle(
        false,
        new TypeError("Cannot resolve a promise with itself"),
      );
      return;
    }
    if ((typeof x !== "object" || x === null) && typeof x !== "function") {
      this.#settle(true, x);
      return;
    }
    let then: unknown;
    try {
      then = (x as { then?: unknown }).then;
    } catch (e) {
      this.#settle(false, e);
      return;
    }
    if (typeof then !== "function") {
      this.#settle(true, x);
      return;
    }
    // NewPromiseResolveThenableJob (27.2.2.2): one more tick.
    queueJob(this.#host, "resolve thenable", () => {
      let done = false;
      try {
        then.call(x, (value: unknown) => {
          if (!done) (done = true, this.#resolve(value));
        }, (reason: unknown) => {
          if (!done) (done = true, this.#settle(false, reason));
        });
      } catch (e) {
        if (!done) (done = true, this.#settle(false, e));
      }
    });
  }

  #settle(ok: boolean, value: unknown): void {
    if (this.#state !== "pending") return;
    this.#state = ok ? "fulfilled" : "rejected";
    this.#value = value;
    if (!ok && !this.#handled) {
      trackRejection(this.#host, this, "reject", value);
    }
    const reactions = this.#reactions;
    if (reactions === undefined) return;
    this.#reactions = undefined;
    for (const r of reactions) this.#queueReaction(r);
  }

  // NewPromiseReactionJob (27.2.2.1).
  #queueReaction(r: Reaction): void {
    const ok = this.#state === "fulfilled";
    const value = this.#value;
    const handler = ok ? r.onFulfilled : r.onRejected;
    const derived = r.derived;
    queueJob(this.#host, nameOf(handler, ok ? "then" : "catch"), () => {
      if (handler === undefined) {
        if (ok) derived.#resolve(value);
        else derived.#settle(false, value);
        return;
      }
      let result: unknown;
      try {
        result = handler(value);
      } catch (e) {
        derived.#settle(false, e);
        return;
      }
      derived.#resolve(result);
    });
  }
}

function checkHost(name: string, host: MicrotaskQueue): void {
  assertFunction(
    `call SimulatedPromise.${name}`,
    "host.queueMicrotask",
    host?.queueMicrotask,
  );
}

// Throws (so rejects) the house TypeError for a value that is not iterable.
function checkIterable(name: string, values: unknown): void {
  if (
    values === null || values === undefined ||
    typeof (values as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    typeError(
      `call SimulatedPromise.${name}`,
      "values",
      "an iterable",
      values,
    );
  }
}

// The shape of Promise.all, allSettled and any (ECMA-262 27.2.4): one
// PromiseResolve and one `then` per element, a count that starts at 1 and
// drops once iteration ends, the results in input order.
function combine(
  name: string,
  host: MicrotaskQueue,
  values: Iterable<unknown>,
  handlers: (
    index: number,
    done: (index: number, value: unknown) => void,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) => [Handler, Handler],
  finish: (
    results: unknown[],
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) => void,
): SimulatedPromise<never> {
  checkHost(name, host);
  return new SimulatedPromise<unknown>(host, (resolve, reject) => {
    checkIterable(name, values);
    const results: unknown[] = [];
    let remaining = 1;
    const done = (index: number, value: unknown) => {
      results[index] = value;
      if (--remaining === 0) finish(results, resolve, reject);
    };
    let index = 0;
    for (const item of values) {
      const i = index++;
      results.push(undefined);
      remaining++;
      const [onFulfilled, onRejected] = handlers(i, done, resolve, reject);
      SimulatedPromise.resolve(host, item).then(
        onFulfilled,
        onRejected ?? reject,
      );
    }
    if (--remaining === 0) finish(results, resolve, reject);
  }) as SimulatedPromise<never>;
}

/**
 * The body of a simulated async function: a generator function in which
 * `yield x` means `await x` and `return` settles the returned promise.
 */
export type AsyncBody<A extends unknown[], R> = (
  ...args: A
  // deno-lint-ignore no-explicit-any
) => Generator<unknown, R, any>;

/**
 * Turns a generator function into a simulated async function: calling it runs
 * the body synchronously up to the first `yield`, and each `yield x` awaits
 * `x` as ECMA-262's `Await` does (`PromiseResolve`, then one reaction job).
 * The returned promise is resolved with the body's return value, so
 * returning a promise costs the caller two more ticks.
 *
 * Usually called as `loop.async(body)`.
 *
 * @typeParam A The parameters.
 * @typeParam R The return type of the body.
 * @param host Where the jobs go, usually an `EventLoop`.
 * @param body The generator function.
 * @returns A function returning a {@linkcode SimulatedPromise}.
 * @throws {TypeError} When `body` or `host.queueMicrotask` is not a function.
 *
 * @example Await costs one tick
 * ```ts
 * import { EventLoop, simulateAsync } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop();
 * const order: string[] = [];
 * const f = simulateAsync(loop, function* () {
 *   order.push("f start");
 *   yield 1;
 *   order.push("f resumed");
 * });
 * f();
 * loop.resolved().then(() => order.push("then 1")).then(() => order.push("then 2"));
 * loop.runMicrotasks();
 * assert.deepEqual(order, ["f start", "f resumed", "then 1", "then 2"]);
 * ```
 */
export function simulateAsync<A extends unknown[], R>(
  host: MicrotaskQueue,
  body: AsyncBody<A, R>,
): (...args: A) => SimulatedPromise<Awaited<R>> {
  assertFunction("simulate an async function", "body", body);
  assertFunction(
    "simulate an async function",
    "host.queueMicrotask",
    host?.queueMicrotask,
  );
  const name = body.name || "async";
  const onResume = `${name}: resume`;
  const onThrow = `${name}: resume (throw)`;
  return function (this: unknown, ...args: A): SimulatedPromise<Awaited<R>> {
    let resolve!: (value: unknown) => void;
    let reject!: (reason: unknown) => void;
    const promise = new SimulatedPromise<Awaited<R>>(host, (res, rej) => {
      resolve = res as (value: unknown) => void;
      reject = rej;
    });
    let gen: Generator<unknown, R, unknown>;
    try {
      gen = body.apply(this, args);
    } catch (e) {
      reject(e);
      return promise;
    }
    const step = (throwing: boolean, arg: unknown): void => {
      let r: IteratorResult<unknown, R>;
      try {
        r = throwing ? gen.throw(arg) : gen.next(arg);
      } catch (e) {
        reject(e);
        return;
      }
      if (r.done) {
        resolve(r.value);
        return;
      }
      // Await (27.7.5.3): PromiseResolve, then PerformPromiseThen.
      const onFulfilled = (v: unknown) => step(false, v);
      const onRejected = (e: unknown) => step(true, e);
      if (host.tracing === true) {
        nameFn(onResume, onFulfilled);
        nameFn(onThrow, onRejected);
      }
      SimulatedPromise.resolve(host, r.value).then(onFulfilled, onRejected);
    };
    step(false, undefined);
    return promise;
  };
}

function nameFn(
  name: string,
  fn: (v: unknown) => void,
): (v: unknown) => void {
  Object.defineProperty(fn, "name", { value: name });
  return fn;
}
