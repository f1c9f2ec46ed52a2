/**
 * `timeoutPolicy(ms, { mode, clock })`: a policy that bounds how long a call
 * may take, cooperatively (abort the work's signal and wait for it) or
 * aggressively (abort the signal and reject at once).
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import {
  type QueuedTimer,
  type TimerQueue,
  timerQueueFor,
} from "../core/_timer_queue.ts";
import {
  assertDuration,
  assertOptions,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { onAbort } from "../cancel/signals.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import { NEVER_ABORTED } from "./_context.ts";
import { policyCall } from "./_policy_call.ts";
import { MAX_DELAY_MS } from "./_delay.ts";

/**
 * How a timeout ends the call:
 * - `"aggressive"`: at the deadline, abort the signal given to `fn` and
 *   reject at once; `fn` may go on in the background if it ignores the
 *   signal.
 * - `"cooperative"`: at the deadline, abort the signal given to `fn` and wait
 *   for `fn` to settle: a late value is still returned, a rejection becomes
 *   the timeout's `TimeoutError`.
 */
export type TimeoutMode = "cooperative" | "aggressive";

/** Options of {@linkcode timeoutPolicy}. */
export interface TimeoutPolicyOptions {
  /**
   * How the timeout ends the call.
   *
   * @default {"aggressive"}
   */
  mode?: TimeoutMode;
  /**
   * The clock that measures the timeout.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * A policy that gives each call `ms` milliseconds. `fn` receives a signal of
 * the policy's own, which aborts with a `DOMException` named
 * `"TimeoutError"` at the deadline, or with the caller's `signal.reason` when
 * the caller aborts first. In `"aggressive"` mode (the default) the call then
 * rejects at once with that reason; in `"cooperative"` mode it waits for `fn`
 * to settle, returns its value if it still fulfils, and rejects with that
 * reason if it rejects.
 *
 * The success path is cheap: work that settles within the microtask of the
 * call (a cached value, an already-resolved promise) arms no timer at all;
 * other work arms one entry in the clock's shared timer heap, still measured
 * from the call, and releases it when it settles. The signal given to `fn` is
 * created only if `fn` reads it.
 *
 * @param ms The time allowed, a finite number between 0 and 2^31 - 1.
 * @param options `mode` and `clock`.
 * @returns The policy.
 * @throws {TypeError} If `ms` is not a number, `mode` is not a mode or
 *   `clock` not a clock.
 * @throws {RangeError} If `ms` is negative, not finite or above 2^31 - 1.
 *
 * @example An aggressive timeout rejects at the deadline
 * ```ts
 * import { timeoutPolicy, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const policy = timeoutPolicy(100, { clock });
 * let aborted = false;
 * const call = policy.execute(({ signal }) => {
 *   signal.addEventListener("abort", () => aborted = true);
 *   return new Promise(() => {}); // never settles
 * });
 * await assert.rejects(
 *   clock.runUntilSettled(call),
 *   (e: DOMException) => e.name === "TimeoutError",
 * );
 * assert.equal(aborted, true);
 * assert.equal(clock.now(), 100);
 * ```
 *
 * @example A cooperative timeout waits for the work to stop
 * ```ts
 * import { timeoutPolicy, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const policy = timeoutPolicy(100, { mode: "cooperative", clock });
 * const call = policy.execute(({ signal }) =>
 *   new Promise((_, reject) => {
 *     // Cleans up for 20 ms after the abort, then rejects.
 *     signal.addEventListener("abort", () => clock.setTimeout(() => reject(signal.reason), 20));
 *   })
 * );
 * await assert.rejects(
 *   clock.runUntilSettled(call),
 *   (e: DOMException) => e.name === "TimeoutError",
 * );
 * assert.equal(clock.now(), 120);
 * ```
 */
export function timeoutPolicy(
  ms: number,
  options?: TimeoutPolicyOptions,
): Policy {
  const action = "create a timeout policy";
  assertDuration(action, "ms", ms);
  if (ms > MAX_DELAY_MS) {
    rangeError(action, "ms", `a finite number <= ${MAX_DELAY_MS}`, ms);
  }
  assertOptions(action, options);
  const mode = options?.mode ?? "aggressive";
  if (mode !== "aggressive" && mode !== "cooperative") {
    typeError(action, "mode", `"aggressive" or "cooperative"`, mode);
  }
  const clock = options?.clock ?? systemClock;
  if (
    clock === null || typeof clock !== "object" ||
    typeof clock.now !== "function" || typeof clock.setTimeout !== "function"
  ) {
    typeError(action, "clock", "a Clock", clock);
  }
  return new TimeoutPolicy(ms, mode === "aggressive", clock);
}

class TimeoutPolicy implements Policy {
  readonly ms: number;
  readonly aggressive: boolean;
  readonly clock: Clock;
  #queue: TimerQueue | undefined;

  constructor(ms: number, aggressive: boolean, clock: Clock) {
    this.ms = ms;
    this.aggressive = aggressive;
    this.clock = clock;
  }

  get queue(): TimerQueue {
    return this.#queue ??= timerQueueFor(this.clock);
  }

  execute<T>(
    fn: (context: PolicyContext) => T | PromiseLike<T>,
    options?: PolicyExecuteOptions,
  ): Promise<T> {
    const context = policyCall(fn, options);
    if (context instanceof Promise) return context;
    const signal = context.signal;
    const parent = signal === NEVER_ABORTED ? undefined : signal;
    return new Promise<T>((resolve, reject) => {
      new TimeoutRun<T>(this, parent, context.attempt, resolve, reject).start(
        fn,
      );
    });
  }
}

const RUNNING = 0;
/** The deadline passed or the caller aborted: `reason` is set. */
const ENDING = 1;
const DONE = 2;

/** One call: the context handed to `fn` and the bookkeeping of its end. */
class TimeoutRun<T> implements PolicyContext {
  readonly attempt: number;
  readonly #policy: TimeoutPolicy;
  readonly #parent: AbortSignal | undefined;
  readonly #resolve: (value: T) => void;
  readonly #reject: (reason: unknown) => void;
  readonly #deadline: number;
  #state = RUNNING;
  #reason: unknown = undefined;
  #controller: AbortController | undefined = undefined;
  #timer: QueuedTimer | undefined = undefined;
  #registration: Disposable | undefined = undefined;

  constructor(
    policy: TimeoutPolicy,
    parent: AbortSignal | undefined,
    attempt: number,
    resolve: (value: T) => void,
    reject: (reason: unknown) => void,
  ) {
    this.attempt = attempt;
    this.#policy = policy;
    this.#parent = parent;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#deadline = policy.clock.now() + policy.ms;
  }

  /** The signal of `fn`, created on first read. */
  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.#state !== RUNNING) controller.abort(this.#reason);
    }
    return controller.signal;
  }

  start(fn: (context: PolicyContext) => T | PromiseLike<T>): void {
    let value: T | PromiseLike<T>;
    try {
      value = fn(this);
    } catch (error) {
      this.#failed(error);
      return;
    }
    if (
      value === null ||
      (typeof value !== "object" && typeof value !== "function") ||
      typeof (value as PromiseLike<T>).then !== "function"
    ) {
      this.#state = DONE;
      this.#resolve(value as T);
      return;
    }
    try {
      (value as PromiseLike<T>).then(
        (v) => this.#fulfilled(v),
        (e) => this.#failed(e),
      );
    } catch (error) {
      this.#failed(error);
      return;
    }
    // Work still pending after this microtask gets a timer; work that
    // settled by then never needed one.
    queueMicrotask(() => this.#arm());
  }

  #arm(): void {
    if (this.#state !== RUNNING) return;
    this.#timer = this.#policy.queue.scheduleAt(
      this.#deadline,
      () => this.#timedOut(),
    );
    const parent = this.#parent;
    if (parent !== undefined) {
      // Runs at once (and ends the call) if the parent aborted meanwhile.
      const registration = onAbort(parent, (reason) => this.#end(reason));
      if (this.#state === RUNNING) this.#registration = registration;
    }
  }

  #timedOut(): void {
    this.#timer = undefined;
    const ms = this.#policy.ms;
    this.#end(
      new DOMException(
        `The operation timed out after ${ms} ms`,
        "TimeoutError",
      ),
    );
  }

  #end(reason: unknown): void {
    if (this.#state !== RUNNING) return;
    this.#state = ENDING;
    this.#reason = reason;
    this.#controller?.abort(reason);
    if (this.#policy.aggressive) this.#finish(false, reason);
  }

  #fulfilled(value: T): void {
    if (this.#state !== DONE) this.#finish(true, value);
  }

  #failed(error: unknown): void {
    const state = this.#state;
    if (state === DONE) return;
    this.#finish(false, state === ENDING ? this.#reason : error);
  }

  #finish(ok: boolean, outcome: unknown): void {
    this.#state = DONE;
    const timer = this.#timer;
    if (timer !== undefined) {
      this.#timer = undefined;
      this.#policy.queue.cancel(timer);
    }
    const registration = this.#registration;
    if (registration !== undefined) {
      this.#registration = undefined;
      registration[Symbol.dispose]();
    }
    if (ok) this.#resolve(outcome as T);
    else this.#reject(outcome);
  }
}
