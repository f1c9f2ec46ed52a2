/**
 * pledge: futures, combinators, cancellation, executors, an event-loop
 * simulator that doubles as a virtual clock, and resilience policies, in one
 * dependency-free module. Every time-based API takes a `clock`, every async
 * API takes a `signal`.
 *
 * @example A future driven by a virtual clock
 * ```ts
 * import { Completer, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const c = new Completer<string>();
 * clock.setTimeout(() => c.resolve("tick"), 1000);
 * assert.equal(await clock.runUntilSettled(c.future), "tick");
 * assert.equal(clock.now(), 1000);
 * ```
 *
 * @module
 */

// core
export type { Clock, TimerHandle } from "./src/core/clock.ts";
export { systemClock } from "./src/core/clock.ts";
export type { Executor } from "./src/core/executor.ts";
export { inlineExecutor, microtaskExecutor } from "./src/core/executor.ts";
export {
  DeadlockError,
  InvalidStateError,
  LoopLimitError,
} from "./src/core/errors.ts";

// future
export type { FutureState, FutureWaitOptions } from "./src/future/future.ts";
export { Future } from "./src/future/future.ts";
export { Completer } from "./src/future/completer.ts";

// cancel

// combinators

// executors

// loop
export type { VirtualClockOptions } from "./src/loop/virtual_clock.ts";
export { VirtualClock } from "./src/loop/virtual_clock.ts";

// resilience
