/**
 * Futures and completers, and the core every area shares: the `Clock` and
 * `Executor` interfaces, `systemClock`, the inline and microtask executors.
 *
 * @example A future settled by its completer
 * ```ts
 * import { Completer, Future } from "@pledge/core/future";
 * import assert from "node:assert/strict";
 *
 * const completer = new Completer<number>();
 * const doubled = completer.future.then((n) => n * 2);
 * completer.resolve(21);
 * assert.equal(await doubled, 42);
 * assert.equal(Future.resolve(1).state, "fulfilled");
 * ```
 *
 * @module
 */

export type { Clock, TimerHandle } from "../core/clock.ts";
export { systemClock } from "../core/clock.ts";
export type { Executor } from "../core/executor.ts";
export { inlineExecutor, microtaskExecutor } from "../core/executor.ts";
export { InvalidStateError } from "../core/errors.ts";

export type { FutureState, FutureWaitOptions } from "./future.ts";
export { Future } from "./future.ts";
export { Completer } from "./completer.ts";
