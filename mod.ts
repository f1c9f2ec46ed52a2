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

export * from "./src/future/mod.ts";
export * from "./src/cancel/mod.ts";
export * from "./src/combinators/mod.ts";
export * from "./src/executors/mod.ts";
export * from "./src/loop/mod.ts";
export * from "./src/resilience/mod.ts";
export * from "./src/workers/mod.ts";
