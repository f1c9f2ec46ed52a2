/**
 * `VirtualClock`: a {@linkcode Clock} in virtual time for deterministic tests.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../core/clock.ts";
import { DeadlockError, LoopLimitError } from "../core/errors.ts";
import { DeadlineHeap, type HeapEntry } from "../core/_heap.ts";
import { MacrotaskGate } from "./_macrotask_gate.ts";
import { Settlement } from "./_settlement.ts";
import {
  assertDuration,
  assertFinite,
  assertFunction,
  assertInteger,
  assertOptions,
} from "../core/_validate.ts";

/**
 * Options of the {@linkcode VirtualClock} constructor.
 *
 * @example A clock at 1 s that stops a runaway interval
 * ```ts
 * import { LoopLimitError, VirtualClock, type VirtualClockOptions } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const options: VirtualClockOptions = { startMs: 1000, loopLimit: 10 };
 * const clock = new VirtualClock(options);
 * assert.equal(clock.now(), 1000);
 * clock.setInterval(() => {}, 1);
 * assert.throws(() => clock.runAll(), LoopLimitError);
 * clock.reset();
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export interface VirtualClockOptions {
  /**
   * The virtual time to start at, in milliseconds.
   *
   * @default {0}
   */
  startMs?: number;
  /**
   * The most callbacks one `runAll` (or `runAllAsync`, `runUntilSettled`)
   * runs, and the most that run at one virtual instant during a `tick`,
   * before a {@linkcode LoopLimitError} stops a runaway schedule.
   *
   * @default {1_000_000}
   */
  loopLimit?: number;
}

interface Timer extends HeapEntry {
  callback: () => void;
  /** The period of an interval, or -1 for a one-shot timer. */
  period: number;
}

const ACTION = "drive the virtual clock";

/**
 * A {@linkcode Clock} whose time moves only when a test says so. Timers live
 * in a binary heap ordered by deadline, then by arming order, so `tick(1)`
 * costs the same with 10 or 100,000 far-future timers pending.
 *
 * Pass it as `clock` to any time-based pledge API. It patches no global.
 *
 * The synchronous drivers (`tick`, `next`, `runAll`) run timer callbacks
 * back to back; the async ones (`tickAsync`, `runAllAsync`,
 * `runUntilSettled`) let the host's microtasks (promise reactions, future
 * continuations) run after each callback, as a real event loop does.
 *
 * @example Driving a timer
 * ```ts
 * import { VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.now()), 100);
 * clock.tick(99);
 * assert.deepEqual(fired, []);
 * clock.tick(1);
 * assert.deepEqual(fired, [100]);
 * assert.equal(clock.pendingTimers, 0);
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #heap = new DeadlineHeap<Timer>();
  #loopLimit: number;
  #fired = 0;

  /**
   * Creates a clock at `startMs` with no timers.
   *
   * @param options `startMs` and `loopLimit`.
   * @throws {RangeError} When `startMs` is not finite or `loopLimit` is not
   *   an integer >= 1.
   */
  constructor(options?: VirtualClockOptions) {
    assertOptions("create a VirtualClock", options);
    const startMs = options?.startMs ?? 0;
    const loopLimit = options?.loopLimit ?? 1_000_000;
    assertFinite("create a VirtualClock", "startMs", startMs);
    assertInteger("create a VirtualClock", "loopLimit", loopLimit);
    this.#now = startMs;
    this.#loopLimit = loopLimit;
  }

  /**
   * The current virtual time in milliseconds.
   *
   * @returns The time.
   *
   * @example Time moves only on a tick
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock({ startMs: 1000 });
   * clock.tick(5);
   * assert.equal(clock.now(), 1005);
   * ```
   */
  now(): number {
    return this.#now;
  }

  /**
   * The number of timers (one-shot and interval) still scheduled.
   *
   * @example Counting timers
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const handle = clock.setTimeout(() => {}, 10);
   * assert.equal(clock.pendingTimers, 1);
   * clock.clearTimeout(handle);
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  get pendingTimers(): number {
    return this.#heap.size;
  }

  /**
   * Schedules `callback` to run once, `ms` milliseconds from now.
   *
   * @param callback The function to run.
   * @param ms The delay, a finite number >= 0.
   * @returns A handle for {@linkcode VirtualClock.clearTimeout}.
   * @throws {TypeError} When `callback` is not a function.
   * @throws {RangeError} When `ms` is negative or not finite.
   *
   * @example Equal deadlines run in arming order
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const order: string[] = [];
   * clock.setTimeout(() => order.push("a"), 5);
   * clock.setTimeout(() => order.push("b"), 5);
   * clock.setTimeout(() => order.push("c"), 1);
   * clock.runAll();
   * assert.deepEqual(order, ["c", "a", "b"]);
   * ```
   */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    assertFunction("set a timeout", "callback", callback);
    assertDuration("set a timeout", "ms", ms);
    return this.#arm(callback, ms, -1);
  }

  /**
   * Schedules `callback` to run every `ms` milliseconds. A period below 1 ms
   * is raised to 1 ms, as Node does, so an interval always moves time.
   *
   * @param callback The function to run.
   * @param ms The period, a finite number >= 0.
   * @returns A handle for {@linkcode VirtualClock.clearInterval}.
   * @throws {TypeError} When `callback` is not a function.
   * @throws {RangeError} When `ms` is negative or not finite.
   *
   * @example An interval
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * let runs = 0;
   * const handle = clock.setInterval(() => runs++, 10);
   * clock.tick(35);
   * clock.clearInterval(handle);
   * assert.equal(runs, 3);
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  setInterval(callback: () => void, ms: number): TimerHandle {
    assertFunction("set an interval", "callback", callback);
    assertDuration("set an interval", "ms", ms);
    const period = ms < 1 ? 1 : ms;
    return this.#arm(callback, period, period);
  }

  /**
   * Cancels a timer; unknown or already-run handles are ignored.
   *
   * @param handle A handle from `setTimeout` or `setInterval`.
   *
   * @example Cancelling
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * let ran = false;
   * clock.clearTimeout(clock.setTimeout(() => (ran = true), 1));
   * clock.runAll();
   * assert.equal(ran, false);
   * ```
   */
  clearTimeout(handle: TimerHandle): void {
    if (handle !== null && typeof handle === "object") {
      this.#heap.remove(handle as Timer);
    }
  }

  /**
   * Cancels an interval (the same as {@linkcode VirtualClock.clearTimeout}).
   *
   * @param handle A handle from `setInterval`.
   *
   * @example Cancelling an interval from its own callback
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * let runs = 0;
   * const h = clock.setInterval(() => {
   *   if (++runs === 2) clock.clearInterval(h);
   * }, 5);
   * clock.runAll();
   * assert.equal(runs, 2);
   * ```
   */
  clearInterval(handle: TimerHandle): void {
    this.clearTimeout(handle);
  }

  /**
   * Advances time by `ms`, running every timer due on the way in (deadline,
   * arming) order, including timers those callbacks schedule. A callback that
   * throws stops the tick at that callback's time and the error propagates.
   *
   * @param ms How far to advance, a finite number >= 0.
   * @returns The new virtual time.
   * @throws {RangeError} When `ms` is negative or not finite.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run at one
   *   virtual instant.
   *
   * @example Timers scheduled by timers
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const at: number[] = [];
   * clock.setTimeout(() => {
   *   at.push(clock.now());
   *   clock.setTimeout(() => at.push(clock.now()), 10);
   * }, 10);
   * clock.tick(20);
   * assert.deepEqual(at, [10, 20]);
   * ```
   */
  tick(ms: number): number {
    assertDuration(ACTION, "ms", ms);
    const target = this.#now + ms;
    let sameInstant = 0;
    let last = NaN;
    for (;;) {
      const top = this.#heap.peek();
      if (top === undefined || top.deadline > target) break;
      if (top.deadline === last) {
        if (++sameInstant > this.#loopLimit) this.#tooMany("tick");
      } else {
        sameInstant = 0;
        last = top.deadline;
      }
      this.#fire();
    }
    this.#now = target;
    return target;
  }

  /**
   * Like {@linkcode VirtualClock.tick}, but lets host microtasks (promise
   * reactions, future continuations, `await` resumptions) run after each
   * timer callback and before time moves on.
   *
   * @param ms How far to advance, a finite number >= 0.
   * @returns The new virtual time.
   * @throws {RangeError} When `ms` is negative or not finite.
   *
   * @example Awaiting inside timer-driven code
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const at: number[] = [];
   * clock.setTimeout(async () => {
   *   await Promise.resolve();
   *   at.push(clock.now());
   *   clock.setTimeout(() => at.push(clock.now()), 5);
   * }, 10);
   * await clock.tickAsync(15);
   * assert.deepEqual(at, [10, 15]);
   * ```
   */
  async tickAsync(ms: number): Promise<number> {
    assertDuration(ACTION, "ms", ms);
    const target = this.#now + ms;
    const gate = new MacrotaskGate();
    try {
      await gate.wait();
      for (;;) {
        const top = this.#heap.peek();
        if (top === undefined || top.deadline > target) break;
        this.#fire();
        await gate.wait();
      }
      this.#now = target;
      return target;
    } finally {
      gate.close();
    }
  }

  /**
   * Advances to the earliest timer and runs it (only that one).
   *
   * @returns Whether a timer ran.
   *
   * @example Stepping through timers
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * clock.setTimeout(() => {}, 30);
   * assert.equal(clock.next(), true);
   * assert.equal(clock.now(), 30);
   * assert.equal(clock.next(), false);
   * ```
   */
  next(): boolean {
    if (this.#heap.size === 0) return false;
    this.#fire();
    return true;
  }

  /**
   * Runs timers until none is left, moving time to each deadline.
   *
   * @returns The virtual time afterwards.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example Running everything
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * clock.setTimeout(() => {}, 500);
   * clock.setTimeout(() => {}, 20);
   * assert.equal(clock.runAll(), 500);
   * ```
   */
  runAll(): number {
    for (let n = 0; this.#heap.size > 0; n++) {
      if (n >= this.#loopLimit) this.#tooMany("runAll");
      this.#fire();
    }
    return this.#now;
  }

  /**
   * Like {@linkcode VirtualClock.runAll}, but lets host microtasks run after
   * each timer callback (and before the first), so timers armed by promise
   * continuations are run too.
   *
   * @returns The virtual time afterwards.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example Timers armed after an await
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const sleep = (ms: number) =>
   *   new Promise<void>((r) => clock.setTimeout(r, ms));
   * let done = false;
   * (async () => {
   *   await sleep(10);
   *   await sleep(10);
   *   done = true;
   * })();
   * assert.equal(await clock.runAllAsync(), 20);
   * assert.equal(done, true);
   * ```
   */
  async runAllAsync(): Promise<number> {
    const gate = new MacrotaskGate();
    try {
      await gate.wait();
      for (let n = 0; this.#heap.size > 0; n++) {
        if (n >= this.#loopLimit) this.#tooMany("runAllAsync");
        this.#fire();
        await gate.wait();
      }
      return this.#now;
    } finally {
      gate.close();
    }
  }

  /**
   * Advances time, timer by timer, letting microtasks run in between, until
   * `promise` settles; then returns its value or throws its reason. When the
   * promise is still pending and no timer is left, it throws a
   * {@linkcode DeadlockError} instead of hanging.
   *
   * @typeParam T The type of the value.
   * @param promise What to wait for.
   * @returns The value of `promise`.
   * @throws {DeadlockError} When nothing can make progress.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example Waiting on virtual time
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const answer = new Promise<number>((r) => clock.setTimeout(() => r(42), 1000));
   * assert.equal(await clock.runUntilSettled(answer), 42);
   * assert.equal(clock.now(), 1000);
   * ```
   */
  async runUntilSettled<T>(promise: PromiseLike<T>): Promise<T> {
    const watched = new Settlement(promise);
    const gate = new MacrotaskGate();
    const start = this.#now;
    const firedBefore = this.#fired;
    try {
      await gate.wait();
      for (let n = 0; !watched.settled; n++) {
        if (this.#heap.size === 0) {
          throw new DeadlockError(
            `Cannot settle the promise as nothing can make progress: it is still pending at virtual time ${this.#now} ms, no timer is scheduled, and ${
              this.#fired - firedBefore
            } timer callbacks ran since ${start} ms`,
            0,
          );
        }
        if (n >= this.#loopLimit) this.#tooMany("runUntilSettled");
        this.#fire();
        await gate.wait();
      }
    } finally {
      gate.close();
    }
    return watched.unwrap();
  }

  /**
   * Removes every timer without running it (time does not move).
   *
   * @example Clearing a runaway schedule
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * clock.setInterval(() => {}, 1);
   * clock.reset();
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  reset(): void {
    this.#heap.clear();
  }

  #arm(callback: () => void, ms: number, period: number): Timer {
    const timer: Timer = {
      deadline: this.#now + ms,
      seq: this.#seq++,
      index: -1,
      callback,
      period,
    };
    this.#heap.push(timer);
    return timer;
  }

  #fire(): void {
    const timer = this.#heap.pop() as Timer;
    if (timer.deadline > this.#now) this.#now = timer.deadline;
    this.#fired++;
    if (timer.period >= 0) {
      // Re-arm first: the callback may clear it, and a throw keeps it.
      timer.deadline = this.#now + timer.period;
      timer.seq = this.#seq++;
      this.#heap.push(timer);
    }
    const cb = timer.callback;
    cb();
  }

  #tooMany(drive: string): never {
    const limit = this.#loopLimit;
    throw new LoopLimitError(
      `Cannot ${drive} as more than ${limit} timer callbacks ran (loopLimit): a timer or interval keeps rescheduling itself; ${this.#heap.size} timers are pending at ${this.#now} ms`,
      limit,
    );
  }
}
