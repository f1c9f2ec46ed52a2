/**
 * The event-loop simulator and virtual time: `EventLoop` with Node, HTML and
 * Deno profiles and a trace, `VirtualClock` for deterministic tests, and
 * `PriorityScheduler`.
 *
 * @example A timer on virtual time
 * ```ts
 * import { VirtualClock } from "@pledge/core/loop";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * let fired = false;
 * clock.setTimeout(() => (fired = true), 1000);
 * clock.tick(1000);
 * assert.equal(fired, true);
 * ```
 *
 * @module
 */

export { DeadlockError, LoopLimitError } from "../core/errors.ts";
export type {
  FakeableApi,
  InstallOptions,
  VirtualClockOptions,
} from "./virtual_clock.ts";
export { VirtualClock } from "./virtual_clock.ts";
export type {
  EventLoopOptions,
  PostTaskOptions,
  PostTaskPriority,
  QueuedCallback,
  SimulatedMessageChannel,
  SimulatedMessageEvent,
  SimulatedMessagePort,
  UncaughtErrorEvent,
} from "./event_loop.ts";
export { EventLoop } from "./event_loop.ts";
export type {
  LoopPhase,
  Profile,
  ProfileApis,
  ProfileName,
  TaskSource,
  TaskSourceGroup,
  UncaughtPolicy,
} from "./profiles.ts";
export { profiles } from "./profiles.ts";
export type {
  AsyncBody,
  MicrotaskQueue,
  SimulatedPromiseState,
} from "./simulated_async.ts";
export { simulateAsync, SimulatedPromise } from "./simulated_async.ts";
export type { TraceEvent, TraceEventRef, TraceLane } from "./trace.ts";
export { Trace } from "./trace.ts";
export type {
  PriorityPostOptions,
  PrioritySchedulerOptions,
  PriorityTaskContext,
  PriorityTaskFunction,
  PriorityTaskHandle,
  PriorityTaskState,
  TaskPriority,
} from "./priority_scheduler.ts";
export { PriorityScheduler } from "./priority_scheduler.ts";
