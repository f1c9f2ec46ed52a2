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

import { assertFunction } from "../core/_validate.ts";

/**
 * Where simulated promise jobs go: an {@linkcode EventLoop}, or anything with
 * a `queueMicrotask`. When `tracing` is true, `label` names each job.
 *
 * @example Driving simulated promises from a plain array
 * ```ts
 * import { type MicrotaskQueue, SimulatedPromise } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const jobs: (() => void)[] = [];
 * const queue: MicrotaskQueue = { queueMicrotask: (job) => void jobs.push(job) };
 * let seen = "";
 * new SimulatedPromise<string>(queue, (resolve) => resolve("ok"))
 *   .then((v) => (seen = v));
 * assert.equal(jobs.length, 1);
 * while (jobs.length > 0) jobs.shift()!();
 * assert.equal(seen, "ok");
 * ```
 */
export interface MicrotaskQueue {
  /**
   * Queues a job.
   *
   * @param callback The job.
   */
  queueMicrotask(callback: () => void): void;
  /** Whether jobs should be labelled (tracing is on). */
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

/**
 * The state of a {@linkcode SimulatedPromise}.
 *
 * @example The three states
 * ```ts
 * import { EventLoop, type SimulatedPromiseState } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop();
 * const failed = loop.rejected(new Error("no"));
 * failed.catch(() => {});
 * const states: SimulatedPromiseState[] = [
 *   loop.resolved(1).state,
 *   failed.state,
 *   loop.promise<void>(() => {}).state,
 * ];
 * assert.deepEqual(states, ["fulfilled", "rejected", "pending"]);
 * ```
 */
export type SimulatedPromiseState = "pending" | "fulfilled" | "rejected";

type Handler = ((value: unknown) => unknown) | undefined;

interface Reaction {
  derived: SimulatedPromise<unknown> | undefined;
  onFulfilled: Handler;
  onRejected: Handler;
}

// Internal access to private members, installed by the class's static block.
let settle: (p: SimulatedPromise<unknown>, ok: boolean, v: unknown) => void;
let hostOf: (p: SimulatedPromise<unknown>) => MicrotaskQueue;
let performThen: (
  p: SimulatedPromise<unknown>,
  reaction: Reaction,
) => void;

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

// CreateResolvingFunctions (ECMA-262 27.2.1.3): resolve and reject sharing one
// "already resolved" flag.
function resolvingFunctions(
  p: SimulatedPromise<unknown>,
): [(value?: unknown) => void, (reason?: unknown) => void] {
  let done = false;
  const resolve = (resolution?: unknown): void => {
    if (done) return;
    done = true;
    resolvePromise(p, resolution);
  };
  const reject = (reason?: unknown): void => {
    if (done) return;
    done = true;
    settle(p, false, reason);
  };
  return [resolve, reject];
}

// The body of a promise resolve function (27.2.1.3.2).
function resolvePromise(p: SimulatedPromise<unknown>, x: unknown): void {
  if (x === p) {
    settle(p, false, new TypeError("Cannot resolve a promise with itself"));
    return;
  }
  if ((typeof x !== "object" || x === null) && typeof x !== "function") {
    settle(p, true, x);
    return;
  }
  let then: unknown;
  try {
    then = (x as { then?: unknown }).then;
  } catch (e) {
    settle(p, false, e);
    return;
  }
  if (typeof then !== "function") {
    settle(p, true, x);
    return;
  }
  // NewPromiseResolveThenableJob (27.2.2.2): one more tick.
  queueJob(hostOf(p), "resolve thenable", () => {
    const [resolve, reject] = resolvingFunctions(p);
    try {
      then.call(x, resolve, reject);
    } catch (e) {
      reject(e);
    }
  });
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
  #reactions: Reaction[] | undefined = [];

  /**
   * Creates a promise settled by `init`, as `new Promise(init)` does.
   *
   * @param host Where its jobs go, usually an `EventLoop`.
   * @param init Receives `resolve` and `reject`; a throw rejects.
   * @throws {TypeError} When `host.queueMicrotask` or `init` is not a
   *   function.
   *
   * @example Resolving later
   * ```ts
   * import { EventLoop, SimulatedPromise } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const p = new SimulatedPromise<number>(loop, (resolve) => {
   *   loop.setTimeout(() => resolve(7), 10);
   * });
   * loop.runAll();
   * assert.equal(p.state, "fulfilled");
   * ```
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
      const [resolve, reject] = resolvingFunctions(this);
      try {
        init(resolve, reject);
      } catch (e) {
        reject(e);
      }
    }
  }

  static {
    hostOf = (p) => p.#host;
    settle = (p, ok, value) => {
      if (p.#state !== "pending") return;
      p.#state = ok ? "fulfilled" : "rejected";
      p.#value = value;
      const reactions = p.#reactions as Reaction[];
      p.#reactions = undefined;
      for (const r of reactions) queueReaction(p, r);
    };
    performThen = (p, reaction) => {
      if (p.#state === "pending") p.#reactions!.push(reaction);
      else queueReaction(p, reaction);
    };
    // NewPromiseReactionJob (27.2.2.1).
    const queueReaction = (
      p: SimulatedPromise<unknown>,
      r: Reaction,
    ): void => {
      const ok = p.#state === "fulfilled";
      const value = p.#value;
      const handler = ok ? r.onFulfilled : r.onRejected;
      const label = r.derived === undefined
        ? nameOf(handler, "await")
        : nameOf(handler, ok ? "then" : "catch");
      queueJob(p.#host, label, () => {
        const derived = r.derived;
        if (handler === undefined) {
          if (derived !== undefined) {
            if (ok) resolvePromise(derived, value);
            else settle(derived, false, value);
          }
          return;
        }
        let result: unknown;
        try {
          result = handler(value);
        } catch (e) {
          if (derived !== undefined) settle(derived, false, e);
          return;
        }
        if (derived !== undefined) resolvePromise(derived, result);
      });
    };
  }

  /**
   * The state: `"pending"`, `"fulfilled"` or `"rejected"`.
   *
   * @example Settling in the loop
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const p = loop.resolved(loop.resolved(1)).then((x) => x + 1);
   * assert.equal(p.state, "pending");
   * loop.runMicrotasks();
   * assert.equal(p.state, "fulfilled");
   * ```
   */
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
    performThen(this as SimulatedPromise<unknown>, {
      derived: derived as SimulatedPromise<unknown>,
      onFulfilled: typeof onFulfilled === "function"
        ? onFulfilled as Handler
        : undefined,
      onRejected: typeof onRejected === "function"
        ? onRejected as Handler
        : undefined,
    });
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
      (value) => promiseResolve(host, onFinally()).then(() => value),
      (reason) =>
        promiseResolve(host, onFinally()).then(() => {
          throw reason;
        }),
    ) as SimulatedPromise<T>;
  }
}

/**
 * `PromiseResolve`: `value` itself when it is a simulated promise of the same
 * host, otherwise a new promise resolved with it.
 *
 * @internal
 */
export function promiseResolve<T>(
  host: MicrotaskQueue,
  value: T,
): SimulatedPromise<Awaited<T>> {
  if (value instanceof SimulatedPromise && hostOf(value) === host) {
    return value as SimulatedPromise<Awaited<T>>;
  }
  const p = new SimulatedPromise<Awaited<T>>(host);
  resolvePromise(p as SimulatedPromise<unknown>, value);
  return p;
}

/**
 * A rejected simulated promise.
 *
 * @internal
 */
export function promiseReject<T = never>(
  host: MicrotaskQueue,
  reason: unknown,
): SimulatedPromise<T> {
  const p = new SimulatedPromise<T>(host);
  settle(p as SimulatedPromise<unknown>, false, reason);
  return p;
}

/**
 * The body of a simulated async function: a generator function in which
 * `yield x` means `await x` and `return` settles the returned promise.
 *
 * @example A typed async body
 * ```ts
 * import { type AsyncBody, EventLoop } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop();
 * const double: AsyncBody<[number], number> = function* (x) {
 *   const y: number = yield loop.resolved(x);
 *   return y * 2;
 * };
 * let result = 0;
 * loop.async(double)(21).then((v) => (result = v));
 * loop.runMicrotasks();
 * assert.equal(result, 42);
 * ```
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
 * @throws {TypeError} When `body` is not a function.
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
    const promise = new SimulatedPromise<Awaited<R>>(host);
    const [resolve, reject] = resolvingFunctions(
      promise as SimulatedPromise<unknown>,
    );
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
      const awaited = promiseResolve(host, r.value);
      const onFulfilled = (v: unknown) => step(false, v);
      const onRejected = (e: unknown) => step(true, e);
      if (host.tracing === true) {
        nameFn(onResume, onFulfilled);
        nameFn(onThrow, onRejected);
      }
      performThen(awaited as SimulatedPromise<unknown>, {
        derived: undefined,
        onFulfilled,
        onRejected,
      });
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
