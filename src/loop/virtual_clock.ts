/**
 * `VirtualClock`: a {@linkcode Clock} in virtual time for deterministic
 * tests, which can also be installed over the host's timers and `Date` for
 * code that calls them directly.
 *
 * @module
 */

import { type Clock, systemClock, type TimerHandle } from "../core/clock.ts";
import {
  DeadlockError,
  InvalidStateError,
  LoopLimitError,
} from "../core/errors.ts";
import type { HeapEntry } from "../core/_heap.ts";
import { RunHeap } from "../core/_run_heap.ts";
import { MacrotaskGate } from "./_macrotask_gate.ts";
import { Settlement } from "./_settlement.ts";
import { install, type Installation } from "./_install.ts";
import { type ClockTimer, FIRE } from "./_host_timers.ts";
import {
  assertDuration,
  assertFinite,
  assertFunction,
  assertInteger,
  assertOptions,
  orDefault,
  typeError,
} from "../core/_validate.ts";

/** Options of the {@linkcode VirtualClock} constructor. */
export interface VirtualClockOptions {
  /**
   * The virtual time to start at, in milliseconds: what `now()` (and an
   * installed `performance.now()`) returns first.
   *
   * @default {0}
   */
  startMs?: number;
  /**
   * The wall time `dateNow()` (and an installed `Date.now()`) starts at, as
   * epoch milliseconds or a `Date`; by default the current date, as with
   * Deno's `FakeTime`, Jest and Vitest (@sinonjs/fake-timers starts at 0).
   *
   * @default {the host's `Date.now()` when the clock is created}
   */
  startDate?: number | Date;
  /**
   * The most callbacks one `runAll` (or `runAllAsync`, `runUntilSettled`)
   * runs, and the most that run at one virtual instant during a `tick` or
   * `tickAsync`, before a {@linkcode LoopLimitError} stops a runaway schedule.
   *
   * @default {1_000_000}
   */
  loopLimit?: number;
}

/**
 * A host API {@linkcode VirtualClock.install} can fake. A `set` function and
 * its `clear` (or `cancel`) partner are faked together: naming either fakes
 * both. `"performance"` fakes `performance.now()`.
 */
export type FakeableApi =
  | "setTimeout"
  | "clearTimeout"
  | "setInterval"
  | "clearInterval"
  | "setImmediate"
  | "clearImmediate"
  | "requestAnimationFrame"
  | "cancelAnimationFrame"
  | "Date"
  | "performance"
  | "AbortSignal.timeout";

/** Options of {@linkcode VirtualClock.install}. */
export interface InstallOptions {
  /**
   * The host APIs to fake (promises, `queueMicrotask` and `nextTick` always
   * run for real); naming one the host lacks is a `TypeError`.
   *
   * @default {every {@linkcode FakeableApi} the host has}
   */
  toFake?: readonly FakeableApi[];
}

type Timer = ClockTimer & HeapEntry;

/** A timer armed through `setTimeout` or `setInterval`. */
class CallbackTimer implements Timer {
  deadline = 0;
  seq = 0;
  index = -1;
  period: number;
  readonly callback: () => void;

  constructor(callback: () => void, period: number) {
    this.callback = callback;
    this.period = period;
  }

  [FIRE](): void {
    const cb = this.callback;
    cb();
  }
}

const ACTION = "drive the virtual clock";
const CREATE = "create a VirtualClock";

/** Epoch milliseconds of a `startDate` or `setSystemTime` argument. */
function epochOf(action: string, option: string, date: unknown): number {
  const ms = date instanceof Date ? date.getTime() : date;
  if (typeof ms !== "number") {
    typeError(action, option, "a Date or epoch milliseconds", date);
  }
  assertFinite(action, option, ms);
  return ms;
}

/**
 * A {@linkcode Clock} whose time moves only when a test says so. Timers live
 * in a binary heap ordered by deadline, then by arming order, so `tick(1)`
 * costs the same with 10 or 100,000 far-future timers pending. An interval
 * re-arms after its callback returns, behind every timer already due, as on
 * Node, Deno and in browsers.
 *
 * Pass it as `clock` to any time-based pledge API; for code that calls
 * `setTimeout` or `Date.now()` itself, {@linkcode VirtualClock.install} it
 * over the host's globals.
 *
 * The synchronous drivers (`tick`, `next`, `runAll`) run timer callbacks
 * back to back. The async ones (`tickAsync`, `nextAsync`, `runAllAsync`,
 * `runUntilSettled`) run each callback in a host macrotask of its own, so
 * the host drains all its microtasks (promise jobs, `await`,
 * `queueMicrotask`, and `process.nextTick` first on Node) after every single
 * callback, as a real event loop does; native promises run for real.
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
export class VirtualClock implements Clock, Disposable {
  #now: number;
  #dateOffset: number;
  #seq = 0;
  #heap = new RunHeap<Timer>();
  #loopLimit: number;
  #fired = 0;
  /** How many async drives are under way (one may run inside another). */
  #drives = 0;
  /** The interval whose callback runs (it re-arms when that returns). */
  #running: Timer | undefined;
  #installation: Installation | undefined;

  /**
   * Creates a clock at `startMs` with no timers.
   *
   * @param options `startMs`, `startDate` and `loopLimit`.
   * @throws {TypeError} When `startDate` is neither a `Date` nor a number.
   * @throws {RangeError} When `startMs` or `startDate` is not finite, or
   *   `loopLimit` is not an integer >= 1.
   *
   * @example A clock at a fixed date
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock({
   *   startMs: 1000,
   *   startDate: new Date("2030-01-01T00:00:00Z"),
   * });
   * clock.tick(500);
   * assert.equal(clock.now(), 1500);
   * assert.equal(new Date(clock.dateNow()).toISOString(), "2030-01-01T00:00:00.500Z");
   * ```
   */
  constructor(options?: VirtualClockOptions) {
    assertOptions(CREATE, options);
    const startMs = orDefault(options?.startMs, 0);
    const loopLimit = orDefault(options?.loopLimit, 1_000_000);
    assertFinite(CREATE, "startMs", startMs);
    assertInteger(CREATE, "loopLimit", loopLimit);
    const startDate = options?.startDate === undefined
      ? systemClock.dateNow!()
      : epochOf(CREATE, "startDate", options.startDate);
    this.#now = startMs;
    this.#dateOffset = startDate - startMs;
    this.#loopLimit = loopLimit;
  }

  /**
   * Creates a clock and installs it over `globalThis` (see the instance
   * method {@linkcode VirtualClock.prototype.install}): the form of
   * `FakeTimers.install()` and of Deno's `new FakeTime()`.
   *
   * @param options The clock's options and `toFake`.
   * @returns The installed clock; dispose of it (`using`) to uninstall.
   * @throws {InvalidStateError} When a clock is installed already.
   * @throws {TypeError} When an option has the wrong type, or `toFake`
   *   names an API that cannot be faked here.
   * @throws {RangeError} When a number option is out of range.
   *
   * @example Faking time in a test
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * Deno.test("a reminder fires after a second", async () => {
   *   using clock = VirtualClock.install({ startDate: 0 });
   *   const seen: number[] = [];
   *   setTimeout(() => seen.push(Date.now()), 1000);
   *   await clock.runAllAsync();
   *   assert.deepEqual(seen, [1000]);
   * });
   * ```
   *
   * @example Uninstalled at the end of the block
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * {
   *   using clock = VirtualClock.install({ startDate: 0 });
   *   assert.equal(Date.now(), 0);
   *   clock.tick(5);
   *   assert.equal(Date.now(), 5);
   * }
   * // Disposed: the host's timers and Date are back.
   * assert.ok(Date.now() > 1_700_000_000_000);
   * ```
   */
  static install(options?: VirtualClockOptions & InstallOptions): VirtualClock {
    const clock = new VirtualClock(options);
    return clock.install(options?.toFake ? { toFake: options.toFake } : {});
  }

  /**
   * Installs this clock over `globalThis`, for code that calls the host's
   * timers and `Date` itself: `setTimeout`, `setInterval`, their `clear`
   * functions, `Date` (`Date.now()`, `new Date()` and `Date()` read
   * `dateNow()`; every other use of `Date` is the host's, and `instanceof
   * Date` holds), `performance.now()` (reads `now()`), and where the host has
   * them `setImmediate`, `requestAnimationFrame` (16 ms frames) and
   * `AbortSignal.timeout`, with their partners; `toFake` narrows the set.
   *
   * The fakes behave like the host's: timer handles are objects with `ref`,
   * `unref`, `hasRef`, `refresh`, `close` and `[Symbol.toPrimitive]` where
   * the host's are (Node, Bun, Deno 2.9), else numbers; delays are coerced as
   * the host does (on Node-shaped hosts anything outside [1, 2^31 - 1]
   * becomes 1 ms, with Node's `TimeoutOverflowWarning`; in browsers negative
   * becomes 0 and HTML's 4 ms nesting clamp applies); extra arguments reach
   * the callback. Promises, `queueMicrotask` and `process.nextTick` stay
   * real: drive with the async drivers to let them run between callbacks.
   *
   * Dispose of the clock (`using`), or call `uninstall()`, to put back
   * exactly what was there (the same property descriptors). One clock can be
   * installed at a time.
   *
   * @param options `toFake`.
   * @returns This clock.
   * @throws {InvalidStateError} When a clock is installed already.
   * @throws {TypeError} When `toFake` names an API that cannot be faked here.
   *
   * @example Code that awaits between timers
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
   * async function poll(log: string[]) {
   *   for (let i = 0; i < 3; i++) {
   *     await sleep(100);
   *     log.push(`poll at ${performance.now()}`);
   *   }
   * }
   *
   * using clock = new VirtualClock().install({ toFake: ["setTimeout", "performance"] });
   * const log: string[] = [];
   * const done = poll(log);
   * await clock.runUntilSettled(done);
   * assert.deepEqual(log, ["poll at 100", "poll at 200", "poll at 300"]);
   * ```
   */
  install(options?: InstallOptions): this {
    if (this.#installation !== undefined) {
      throw new InvalidStateError(
        "Cannot install the virtual clock as it is installed already",
      );
    }
    // The fakes arm their own timers (each is its handle) on this clock.
    this.#installation = install({
      now: () => this.#now,
      dateNow: () => this.dateNow(),
      arm: (timer, ms) => this.#push(timer, ms),
      cancel: (timer) => this.clearTimeout(timer),
    }, options);
    return this;
  }

  /**
   * Puts back what {@linkcode VirtualClock.prototype.install} replaced, with
   * the same property descriptors. Timers stay scheduled on the clock. Does
   * nothing when the clock is not installed.
   *
   * @example Uninstalling by hand
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const hostSetTimeout = globalThis.setTimeout;
   * const clock = new VirtualClock().install();
   * try {
   *   assert.notEqual(globalThis.setTimeout, hostSetTimeout);
   * } finally {
   *   clock.uninstall();
   * }
   * assert.equal(globalThis.setTimeout, hostSetTimeout);
   * ```
   */
  uninstall(): void {
    const installation = this.#installation;
    this.#installation = undefined;
    installation?.restore();
  }

  /**
   * Uninstalls the clock (see {@linkcode VirtualClock.prototype.uninstall}),
   * so `using clock = VirtualClock.install()` restores the host at the end
   * of the block, also when it throws.
   *
   * @example Restored even when the test throws
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const HostDate = Date;
   * assert.throws(() => {
   *   using _clock = VirtualClock.install({ toFake: ["Date"] });
   *   throw new Error("test failed");
   * }, /test failed/);
   * assert.equal(Date, HostDate);
   * ```
   */
  [Symbol.dispose](): void {
    this.uninstall();
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
   * The virtual wall time in epoch milliseconds (an integer, as `Date.now()`):
   * `startDate` plus the virtual time elapsed, or as set by
   * {@linkcode VirtualClock.setSystemTime}.
   *
   * @returns The wall time.
   *
   * @example Wall time follows virtual time
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock({ startDate: Date.UTC(2030, 0, 1) });
   * clock.tick(60_000);
   * assert.equal(new Date(clock.dateNow()).toISOString(), "2030-01-01T00:01:00.000Z");
   * ```
   */
  dateNow(): number {
    return Math.floor(this.#now + this.#dateOffset);
  }

  /**
   * Sets the wall time (`dateNow()`, an installed `Date`) without moving
   * virtual time or running timers, as a user changing the system clock, or
   * @sinonjs/fake-timers' `setSystemTime`.
   *
   * @param date The new wall time: a `Date` or epoch milliseconds.
   * @throws {TypeError} When `date` is neither a `Date` nor a number.
   * @throws {RangeError} When `date` is not finite (an invalid `Date`).
   *
   * @example Jumping to a date
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * clock.setSystemTime(new Date("2030-06-01T12:00:00Z"));
   * assert.equal(clock.dateNow(), Date.UTC(2030, 5, 1, 12));
   * assert.equal(clock.now(), 0);
   * ```
   */
  setSystemTime(date: number | Date): void {
    this.#dateOffset = epochOf("set the system time", "date", date) -
      this.#now;
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
    return this.#heap.size + (this.#running === undefined ? 0 : 1);
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
   * is raised to 1 ms, as Node does, so an interval always moves time. The
   * interval re-arms when the callback returns (or throws), one period after
   * it started, behind the timers already due then.
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
      if (!this.#heap.remove(handle as Timer) && handle === this.#running) {
        this.#running = undefined;
      }
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
   * arming) order, including timers those callbacks schedule, back to back.
   * A callback that throws stops the tick at that callback's time and the
   * error propagates.
   *
   * @param ms How far to advance, a finite number >= 0.
   * @returns The new virtual time.
   * @throws {TypeError} When `ms` is not a number.
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
   * Like {@linkcode VirtualClock.tick}, but runs each timer callback in a
   * host macrotask of its own, so the host drains its microtasks (promise
   * jobs, `await` resumptions, `queueMicrotask`, `process.nextTick`) after
   * each callback, before time moves on, and timers armed by them in range
   * run too.
   *
   * @param ms How far to advance, a finite number >= 0.
   * @returns The new virtual time.
   * @throws {TypeError} Rejects when `ms` is not a number.
   * @throws {RangeError} Rejects when `ms` is negative or not finite.
   * @throws {LoopLimitError} Rejects when more than `loopLimit` callbacks run
   *   at one virtual instant.
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
  tickAsync(ms: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      assertDuration(ACTION, "ms", ms);
      const target = this.#now + ms;
      this.#drive("tickAsync", true, () => {
        const top = this.#heap.peek();
        return top !== undefined && top.deadline <= target;
      }, () => (this.#now = target)).then(resolve, reject);
    });
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
   * Like {@linkcode VirtualClock.next}, in a host macrotask: lets the host
   * drain its microtasks first (they may arm the earliest timer), runs the
   * earliest timer, and resolves once the microtasks it queued ran too.
   *
   * @returns Whether a timer ran.
   *
   * @example One timer and its continuations
   * ```ts
   * import { VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * const log: string[] = [];
   * clock.setTimeout(() => {
   *   log.push("timer");
   *   Promise.resolve().then(() => log.push("then"));
   * }, 10);
   * clock.setTimeout(() => log.push("later"), 20);
   * assert.equal(await clock.nextAsync(), true);
   * assert.deepEqual(log, ["timer", "then"]);
   * assert.equal(clock.now(), 10);
   * clock.reset();
   * ```
   */
  nextAsync(): Promise<boolean> {
    let ran = false;
    return this.#drive("nextAsync", false, () => {
      if (ran || this.#heap.size === 0) return false;
      return (ran = true);
    }, () => ran);
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
   * Like {@linkcode VirtualClock.runAll}, but runs each callback in a host
   * macrotask of its own, so the host drains its microtasks before the first
   * callback and after each one, and timers armed by promise continuations
   * run too.
   *
   * @returns The virtual time afterwards.
   * @throws {LoopLimitError} Rejects when more than `loopLimit` callbacks
   *   run.
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
  runAllAsync(): Promise<number> {
    return this.#drive(
      "runAllAsync",
      false,
      () => this.#heap.size > 0,
      () => this.#now,
    );
  }

  /**
   * Advances time, timer by timer, each in a host macrotask (so microtasks
   * run in between), until `promise` settles; then returns its value or
   * throws its reason. When the promise is still pending and no timer is
   * left, it throws a {@linkcode DeadlockError} instead of hanging.
   *
   * @typeParam T The type of the value.
   * @param promise What to wait for.
   * @returns The value of `promise`.
   * @throws {TypeError} Rejects when `promise` is not a thenable.
   * @throws {DeadlockError} Rejects when nothing can make progress.
   * @throws {LoopLimitError} Rejects when more than `loopLimit` callbacks
   *   run.
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
  runUntilSettled<T>(promise: PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const watched = new Settlement(promise);
      const start = this.#now;
      const firedBefore = this.#fired;
      this.#drive("runUntilSettled", false, () => {
        if (watched.settled) return false;
        if (this.#heap.size === 0) {
          // Another drive under way (a tickAsync awaited by the watched
          // code) may still arm timers: wait for it rather than give up.
          if (this.#drives > 1) return true;
          throw new DeadlockError(
            `Cannot settle the promise as nothing can make progress: it is still pending at virtual time ${this.#now} ms, no timer is scheduled, and ${
              this.#fired - firedBefore
            } timer callbacks ran since ${start} ms`,
            0,
          );
        }
        return true;
      }, () => watched.unwrap()).then(resolve, reject);
    });
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
    this.#running = undefined;
  }

  /**
   * Runs timers while `proceed()` says so, each in a host macrotask of its
   * own, then resolves with `done()`. `perInstant` counts the loop limit per
   * virtual instant (ticks) instead of per drive. Turns are posted in
   * batches that double up to 64 (the host drains its microtasks between
   * the turns of a batch too); turns left when the drive ends are cancelled.
   */
  #drive<T>(
    drive: string,
    perInstant: boolean,
    proceed: () => boolean,
    done: () => T,
  ): Promise<T> {
    this.#drives++;
    return new Promise<T>((resolve, reject) => {
      const gate = new MacrotaskGate();
      let count = 0;
      let last = NaN;
      let batch = 1;
      let ahead = 1;
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        this.#drives--;
        gate.close();
      };
      const turn = (): void => {
        if (finished) return;
        ahead--;
        try {
          if (!proceed()) {
            finish();
            resolve(done());
            return;
          }
          if (this.#heap.size > 0) {
            if (perInstant) {
              const deadline = this.#heap.peek()!.deadline;
              if (deadline !== last) (last = deadline, count = 0);
            }
            if (count++ >= this.#loopLimit) this.#tooMany(drive);
            this.#fire();
          }
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (ahead === 0) {
          if (batch < 64) batch *= 2;
          ahead = batch;
          gate.postBatch(turn, batch);
        }
      };
      gate.post(turn);
    });
  }

  #arm(callback: () => void, ms: number, period: number): Timer {
    const timer = new CallbackTimer(callback, period);
    this.#push(timer, ms);
    return timer;
  }

  #push(timer: Timer, ms: number): void {
    timer.deadline = this.#now + ms;
    timer.seq = this.#seq++;
    this.#heap.push(timer);
  }

  #fire(): void {
    const timer = this.#heap.pop() as Timer;
    if (timer.deadline > this.#now) this.#now = timer.deadline;
    this.#fired++;
    if (timer.period < 0) {
      timer[FIRE]();
      return;
    }
    // An interval re-arms when its callback returns (or throws), from the
    // time it started, behind what the callback armed: as Node's
    // `listOnTimeout` and HTML's timer steps do. Clearing it meanwhile
    // unsets `#running`.
    const start = this.#now;
    const outer = this.#running;
    this.#running = timer;
    try {
      timer[FIRE]();
    } finally {
      if (this.#running === timer) {
        timer.deadline = start + timer.period;
        timer.seq = this.#seq++;
        this.#heap.push(timer);
      }
      this.#running = outer;
    }
  }

  #tooMany(drive: string): never {
    const limit = this.#loopLimit;
    throw new LoopLimitError(
      `Cannot ${drive} as more than ${limit} timer callbacks ran (loopLimit): a timer or interval keeps rescheduling itself; ${this.pendingTimers} timers are pending at ${this.#now} ms`,
      limit,
    );
  }
}
