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
import { timeoutError } from "../core/_reasons.ts";
import {
  assertClock,
  assertDuration,
  assertOptions,
  orDefault,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { thenOf } from "../core/_thenable.ts";
import { onAbort } from "../cancel/signals.ts";
import type { Policy, PolicyContext, PolicyExecuteOptions } from "./policy.ts";
import { NEVER_ABORTED, policyCall } from "./_policy_call.ts";
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
 * The success path is cheap: the timer is armed only once the microtasks
 * queued by the call have run, so work that has settled by then (a cached
 * value, an already-resolved promise) arms no timer and reads no clock; other
 * work arms one entry in the clock's shared timer heap and releases it when
 * it settles. The time allowed is counted from that moment, which is the
 * moment of the call unless the caller blocks the thread, or moves a virtual
 * clock synchronously (`tick`), before yielding; the async drivers
 * (`tickAsync`, `runUntilSettled`) yield first. The signal given to `fn` is
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
  const mode = orDefault(options?.mode, "aggressive");
  if (mode !== "aggressive" && mode !== "cooperative") {
    typeError(action, "mode", `"aggressive" or "cooperative"`, mode);
  }
  const clock = orDefault(options?.clock, systemClock);
  assertClock(action, clock);
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
    const run = new TimeoutRun<T>(
      this,
      signal === NEVER_ABORTED ? undefined : signal,
      context.attempt,
    );
    let value: T | PromiseLike<T>;
    try {
      value = fn(run);
    } catch (error) {
      run.close();
      return Promise.reject(error);
    }
    let out: Promise<T>;
    if (value instanceof Promise) {
      out = this.aggressive
        ? new Promise<T>((resolve, reject) =>
          run.follow(value, resolve, reject)
        )
        // Cooperative: the outcome is fn's own, so derive it from fn's promise.
        : value.then((v) => run.fulfilled(v), (e) => run.rejected(e));
    } else {
      // A plain value, or a foreign thenable whose `then` is read once.
      let then: ReturnType<typeof thenOf>;
      try {
        then = thenOf(value);
      } catch (error) {
        run.close();
        return Promise.reject(error);
      }
      if (then === undefined) {
        run.close();
        return Promise.resolve(value as T);
      }
      const adopted = new Promise<T>((resolve, reject) =>
        then.call(value, resolve, reject)
      );
      out = new Promise<T>((resolve, reject) =>
        run.follow(adopted, resolve, reject)
      );
    }
    // Work still pending after this microtask gets a timer; work that
    // settled by then never needed one.
    queueMicrotask(() => run.arm());
    return out;
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
  #state = RUNNING;
  #aborted = false;
  #reason: unknown = undefined;
  #resolve: ((value: T) => void) | undefined = undefined;
  #reject: ((reason: unknown) => void) | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  #timer: QueuedTimer | undefined = undefined;
  #registration: Disposable | undefined = undefined;

  constructor(
    policy: TimeoutPolicy,
    parent: AbortSignal | undefined,
    attempt: number,
  ) {
    this.attempt = attempt;
    this.#policy = policy;
    this.#parent = parent;
  }

  /** The signal of `fn`, created on first read. */
  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.#aborted) controller.abort(this.#reason);
    }
    return controller.signal;
  }

  /** Ends a call whose `fn` returned or threw synchronously. */
  close(): void {
    this.#state = DONE;
  }

  /** Settles `resolve`/`reject` from `value`, or at the end (aggressive). */
  follow(
    value: PromiseLike<T>,
    resolve: (value: T) => void,
    reject: (reason: unknown) => void,
  ): void {
    this.#resolve = resolve;
    this.#reject = reject;
    try {
      value.then(
        (v: T) => {
          if (this.#state !== DONE) resolve(this.fulfilled(v));
        },
        (e: unknown) => {
          if (this.#state === DONE) return;
          try {
            this.rejected(e);
          } catch (reason) {
            reject(reason);
          }
        },
      );
    } catch (error) {
      this.#release();
      reject(error);
    }
  }

  arm(): void {
    if (this.#state !== RUNNING) return;
    const policy = this.#policy;
    this.#timer = policy.queue.schedule(() => this.#timedOut(), policy.ms);
    const parent = this.#parent;
    if (parent !== undefined) {
      // Runs at once (and ends the call) if the parent aborted meanwhile.
      const registration = onAbort(parent, (reason) => this.#end(reason));
      if (this.#state === RUNNING) this.#registration = registration;
    }
  }

  /** fn fulfilled: release everything and pass the value on. */
  fulfilled(value: T): T {
    this.#release();
    return value;
  }

  /** fn rejected: release everything and throw its error or the reason. */
  rejected(error: unknown): never {
    const ending = this.#aborted;
    this.#release();
    throw ending ? this.#reason : error;
  }

  #timedOut(): void {
    this.#timer = undefined;
    this.#end(timeoutError(this.#policy.ms));
  }

  #end(reason: unknown): void {
    if (this.#state !== RUNNING) return;
    this.#state = ENDING;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const reject = this.#reject;
    if (this.#policy.aggressive && reject !== undefined) {
      this.#release();
      reject(reason);
    }
  }

  #release(): void {
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
  }
}
