/**
 * `EventLoop`: a deterministic event-loop simulator with HTML, Node and Deno
 * profiles, a trace of every callback, and a {@linkcode Clock} face so any
 * pledge API can run on it. What the simulated code calls lives in its base
 * class, {@linkcode EventLoopHost}; this file adds driving and the trace.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { DeadlockError, InvalidStateError } from "../core/errors.ts";
import {
  assertDuration,
  assertFinite,
  assertFunction,
  rangeError,
} from "../core/_validate.ts";
import type { LoopEngine } from "./_loop_engine.ts";
import type { LoopTurns } from "./_loop_models.ts";
import { loopParts, requireApi } from "./_loop_parts.ts";
import { MacrotaskGate } from "./_macrotask_gate.ts";
import { Settlement } from "./_settlement.ts";
import { EventLoopHost } from "./event_loop_host.ts";
import type { Trace } from "./trace.ts";

/**
 * A simulated event loop in virtual time. It owns its own timer heap,
 * microtask queue, nextTick queue, immediates, animation frames and
 * prioritized tasks, and runs them by the rules of a runtime profile
 * (`"html"`, `"node"`, `"deno"` or your own): the microtask checkpoint after
 * every callback, timers by deadline then arming order, the HTML nesting
 * clamp and rendering opportunities, Node's phases and nextTick queue, and
 * the CommonJS or ESM entry. Calling an API the profile lacks throws a
 * `TypeError`.
 *
 * It implements {@linkcode Clock}, so any time-based pledge API can be
 * driven by it; `future()` and `completer()` give futures whose reactions run
 * in its microtask queue, and `async()` simulates async functions with exact
 * await costs. With `trace: true` every callback is recorded with its time,
 * queue, what queued it and the rule that placed it.
 *
 * Time moves only when driven: `step`, `advance`, `advanceTo`, `runAll`,
 * `nextFrame`, `runMicrotasks`, and the async variants that let the host's
 * own microtasks run between virtual tasks.
 *
 * @example The classic puzzle
 * ```ts
 * import { EventLoop } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop({ profile: "node", trace: true });
 * const out: string[] = [];
 * loop.setTimeout(() => out.push("timeout"), 0);
 * loop.resolved().then(() => out.push("then"));
 * out.push("sync");
 * loop.runAll();
 * assert.deepEqual(out, ["sync", "then", "timeout"]);
 * assert.equal(loop.trace.events[1]!.time, 1); // node: 0 ms becomes 1 ms
 * ```
 */
export class EventLoop extends EventLoopHost implements Clock {
  readonly #e: LoopEngine = loopParts(this).engine;
  readonly #turns: LoopTurns = loopParts(this).turns;
  readonly #trace: Trace = loopParts(this).trace;
  #asyncDrive = false;
  #ranAtTop = 0;

  /**
   * The trace (empty unless the loop was created with `trace`).
   *
   * @example Explaining an order
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ trace: true });
   * loop.setTimeout(loop.label("timer", () => {}), 0);
   * loop.queueMicrotask(loop.label("microtask", () => {}));
   * loop.runAll();
   * assert.deepEqual(loop.trace.events.map((e) => e.label), ["microtask", "timer"]);
   * ```
   */
  get trace(): Trace {
    return this.#trace;
  }

  /**
   * The number of timers (one-shot and interval) still scheduled.
   *
   * @example Counting timers
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const h = loop.setInterval(() => {}, 10);
   * assert.equal(loop.pendingTimers, 1);
   * loop.clearInterval(h);
   * assert.equal(loop.pendingTimers, 0);
   * ```
   */
  get pendingTimers(): number {
    return this.#e.timers.live;
  }

  /**
   * The number of callbacks of every kind still queued: timers, microtasks,
   * nextTick callbacks, immediates, frame callbacks and posted tasks.
   *
   * @example Everything ran
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node" });
   * loop.setImmediate(() => {});
   * loop.nextTick(() => {});
   * assert.equal(loop.pending, 2);
   * loop.runAll();
   * assert.equal(loop.pending, 0);
   * ```
   */
  get pending(): number {
    return this.#e.pending + this.#turns.pending;
  }

  /**
   * Runs `main` as the script: a traced task in the `"script"` queue, then
   * the end-of-script checkpoint by the profile's entry (with `"esm"`,
   * promise jobs before nextTick callbacks).
   *
   * @param main The top-level code.
   * @param label Its label in the trace.
   * @throws {TypeError} When `main` is not a function.
   * @throws {InvalidStateError} When called from inside a loop callback.
   *
   * @example What the script queued names it in the trace
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ trace: true });
   * loop.runScript(() => loop.queueMicrotask(() => {}), "main");
   * const [script, micro] = loop.trace.events;
   * assert.equal(script!.label, "main");
   * assert.equal(micro!.enqueuedBy, script!.id);
   * ```
   */
  runScript(main: () => void, label = "script"): void {
    assertFunction("run a script", "main", main);
    const e = this.#begin("run a script");
    e.spend();
    if (e.trace !== undefined) {
      e.record("task", "script", label, undefined, e.now, e.rules.script);
    }
    e.depth++;
    try {
      main();
    } finally {
      e.depth--;
    }
    e.topCheckpoint();
  }

  /**
   * Runs the checkpoint of top-level code: every queued microtask (and
   * nextTick callback), and whatever they queue, by the entry rule.
   *
   * @returns How many callbacks ran.
   * @throws {LoopLimitError} When more than `loopLimit` run.
   *
   * @example Draining
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * loop.queueMicrotask(() => loop.queueMicrotask(() => {}));
   * assert.equal(loop.runMicrotasks(), 2);
   * ```
   */
  runMicrotasks(): number {
    return this.#begin("run microtasks").topCheckpoint();
  }

  /**
   * Runs the pending top-level checkpoint, then exactly one task, phase
   * callback or rendering step (with its checkpoint), moving time to it.
   *
   * @returns Whether anything ran.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example One step at a time
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * loop.setTimeout(() => {}, 30);
   * assert.equal(loop.step(), true);
   * assert.equal(loop.now(), 30);
   * assert.equal(loop.step(), false);
   * ```
   */
  step(): boolean {
    const e = this.#begin("step");
    const ran = e.topCheckpoint() > 0;
    return this.#turns.step(Infinity) || ran;
  }

  /**
   * Advances time by `ms`, running everything due on the way.
   *
   * @param ms How far, a finite number >= 0.
   * @returns The new virtual time.
   * @throws {RangeError} When `ms` is negative or not finite.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example Timers up to a point
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const at: number[] = [];
   * loop.setTimeout(() => at.push(loop.now()), 10);
   * loop.setTimeout(() => at.push(loop.now()), 30);
   * assert.equal(loop.advance(20), 20);
   * assert.deepEqual(at, [10]);
   * ```
   */
  advance(ms: number): number {
    assertDuration("advance the loop", "ms", ms);
    return this.#advanceTo("advance the loop", this.#e.now + ms);
  }

  /**
   * Advances time to `timeMs`, running everything due on the way.
   *
   * @param timeMs The target time, finite and not before `now()`.
   * @returns The new virtual time.
   * @throws {RangeError} When `timeMs` is not finite or is in the past.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example To an absolute time
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ startMs: 100 });
   * assert.equal(loop.advanceTo(150), 150);
   * ```
   */
  advanceTo(timeMs: number): number {
    this.#checkTarget("advance the loop", timeMs);
    return this.#advanceTo("advance the loop", timeMs);
  }

  /**
   * Runs until nothing is queued, moving time to each deadline.
   *
   * @returns The virtual time afterwards.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run (a
   *   runaway interval, or microtasks that starve the loop).
   *
   * @example Microtasks can starve timers
   * ```ts
   * import { EventLoop, LoopLimitError } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ loopLimit: 1000 });
   * let timer = false;
   * loop.setTimeout(() => (timer = true), 0);
   * const spin = () => loop.queueMicrotask(spin);
   * spin();
   * assert.throws(() => loop.runAll(), LoopLimitError);
   * assert.equal(timer, false);
   * loop.reset();
   * ```
   */
  runAll(): number {
    const e = this.#begin("run all");
    e.topCheckpoint();
    while (this.#turns.step(Infinity));
    return e.now;
  }

  /**
   * Advances to the next rendering opportunity (HTML) and runs it: tasks
   * due before it, then its frame callbacks.
   *
   * @returns The frame's time.
   * @throws {TypeError} When the profile has no `requestAnimationFrame`.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example Frame times
   * ```ts
   * import { EventLoop, profiles } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: { ...profiles.html, frameIntervalMs: 10 } });
   * assert.equal(loop.nextFrame(), 10);
   * assert.equal(loop.nextFrame(), 20);
   * ```
   */
  nextFrame(): number {
    requireApi(this.#e.profile, "requestAnimationFrame", "nextFrame");
    const e = this.#begin("advance to the next frame");
    e.topCheckpoint();
    const turns = this.#turns;
    const k = turns.nextFrameIndex();
    const time = turns.frameTime(k);
    while (turns.lastFrame < k && turns.step(time));
    if (e.now < time) e.now = time;
    if (turns.lastFrame < k) turns.lastFrame = k;
    return e.now;
  }

  /**
   * Like {@linkcode EventLoop.step}, but lets the host's microtasks run
   * before and after the step.
   *
   * @returns Whether anything ran.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example Stepping host async code
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * let done = false;
   * (async () => {
   *   await new Promise((r) => loop.setTimeout(r, 10));
   *   done = true;
   * })();
   * assert.equal(await loop.stepAsync(), true);
   * assert.equal(done, true);
   * ```
   */
  async stepAsync(): Promise<boolean> {
    let ran = false;
    await this.#driveAsync("step", () => {
      if (ran) return false;
      ran = this.#turns.step(Infinity);
      return ran;
    });
    return ran;
  }

  /**
   * Like {@linkcode EventLoop.advance}, but lets the host's microtasks
   * (native promise reactions, `await` resumptions) run after every virtual
   * task, so real async code driven by the loop's timers keeps up.
   *
   * @param ms How far, a finite number >= 0.
   * @returns The new virtual time.
   * @throws {RangeError} When `ms` is negative or not finite.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example Sleeping twice
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "deno" });
   * const sleep = (ms: number) => new Promise((r) => loop.setTimeout(r, ms));
   * const at: number[] = [];
   * (async () => {
   *   await sleep(10);
   *   at.push(loop.now());
   *   await sleep(10);
   *   at.push(loop.now());
   * })();
   * assert.equal(await loop.advanceAsync(25), 25);
   * assert.deepEqual(at, [10, 20]);
   * ```
   */
  advanceAsync(ms: number): Promise<number> {
    assertDuration("advance the loop", "ms", ms);
    return this.#advanceToAsync(this.#e.now + ms);
  }

  /**
   * Like {@linkcode EventLoop.advanceTo}, letting host microtasks run after
   * every virtual task.
   *
   * @param timeMs The target time, finite and not before `now()`.
   * @returns The new virtual time.
   * @throws {RangeError} When `timeMs` is not finite or is in the past.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example To an absolute time
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * assert.equal(await loop.advanceToAsync(40), 40);
   * ```
   */
  advanceToAsync(timeMs: number): Promise<number> {
    this.#checkTarget("advance the loop", timeMs);
    return this.#advanceToAsync(timeMs);
  }

  /**
   * Like {@linkcode EventLoop.runAll}, letting host microtasks run after
   * every virtual task, so timers armed by native promise continuations run
   * too.
   *
   * @returns The virtual time afterwards.
   * @throws {LoopLimitError} When more than `loopLimit` callbacks run.
   *
   * @example A retry loop with native await
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ profile: "node" });
   * let attempts = 0;
   * (async () => {
   *   while (++attempts < 3) {
   *     await new Promise((r) => loop.setTimeout(r, 100 * attempts));
   *   }
   * })();
   * assert.equal(await loop.runAllAsync(), 300);
   * assert.equal(attempts, 3);
   * ```
   */
  async runAllAsync(): Promise<number> {
    await this.#driveAsync("run all", () => this.#turns.step(Infinity));
    return this.#e.now;
  }

  /**
   * Drives the loop, letting host microtasks run after every virtual task,
   * until `promise` settles; returns its value or throws its reason. When it
   * is still pending and nothing is queued, throws a
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
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * const answer = new Promise((r) => loop.setTimeout(() => r(42), 1000));
   * assert.equal(await loop.runUntilSettled(answer), 42);
   * assert.equal(loop.now(), 1000);
   * ```
   */
  async runUntilSettled<T>(promise: PromiseLike<T>): Promise<T> {
    const watched = new Settlement(promise);
    let idle = 0;
    await this.#driveAsync("run until settled", () => {
      if (watched.settled) return false;
      if (this.#turns.step(Infinity) || this.#ranAtTop > 0) {
        idle = 0;
        return true;
      }
      // One more host round-trip: host code may still queue loop work.
      if (++idle < 2) return true;
      throw new DeadlockError(
        `Cannot settle the promise as nothing can make progress: it is still pending at virtual time ${this.#e.now} ms and nothing is queued`,
        this.#e.timers.live,
      );
    });
    return watched.unwrap();
  }

  /**
   * Removes every queued callback without running it; time does not move.
   * Posted tasks are dropped without settling and their abort listeners
   * removed.
   *
   * @example Clearing a runaway schedule
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop();
   * loop.setInterval(() => {}, 1);
   * loop.queueMicrotask(() => {});
   * loop.reset();
   * assert.equal(loop.pending, 0);
   * ```
   */
  reset(): void {
    this.#e.reset();
    this.#turns.reset();
  }
  #begin(drive: string): LoopEngine {
    if (this.#asyncDrive) {
      throw new InvalidStateError(
        `Cannot ${drive} while an async drive of the same loop is running`,
      );
    }
    this.#e.begin(drive);
    return this.#e;
  }

  #checkTarget(action: string, timeMs: number): void {
    assertFinite(action, "timeMs", timeMs);
    if (timeMs < this.#e.now) {
      rangeError(
        action,
        "timeMs",
        `>= the current time ${this.#e.now}`,
        timeMs,
      );
    }
  }

  #advanceTo(drive: string, target: number): number {
    const e = this.#begin(drive);
    e.topCheckpoint();
    while (this.#turns.step(target));
    if (e.now < target) e.now = target;
    return e.now;
  }

  async #advanceToAsync(target: number): Promise<number> {
    await this.#driveAsync("advance the loop", () => this.#turns.step(target));
    if (this.#e.now < target) this.#e.now = target;
    return this.#e.now;
  }

  // Runs `next` until it returns false, letting host microtasks run (one
  // macrotask round-trip) before the first call and after each.
  async #driveAsync(drive: string, next: () => boolean): Promise<void> {
    const e = this.#begin(drive);
    this.#asyncDrive = true;
    const gate = new MacrotaskGate();
    try {
      await gate.wait();
      this.#ranAtTop = e.topCheckpoint();
      while (next()) {
        await gate.wait();
        this.#ranAtTop = e.topCheckpoint();
      }
    } finally {
      gate.close();
      this.#asyncDrive = false;
    }
  }
}
