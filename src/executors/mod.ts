/**
 * Executors: `PooledExecutor` (a concurrency limit with priorities, a bounded
 * queue, pause and `onIdle`) and `DelayedExecutor` (one timer heap).
 *
 * @example Running tasks two at a time
 * ```ts
 * import { PooledExecutor } from "@pledge/core/executors";
 * import assert from "node:assert/strict";
 *
 * const pool = new PooledExecutor({ concurrency: 2 });
 * const results = await Promise.all([1, 2, 3].map((n) => pool.submit(() => n * 10)));
 * assert.deepEqual(results, [10, 20, 30]);
 * ```
 *
 * @module
 */

export { QueueFullError } from "../core/errors.ts";
export type {
  PooledExecutorOptions,
  PooledSubmitOptions,
  PooledWaitOptions,
} from "./pooled_executor.ts";
export type { TaskContext } from "./task_context.ts";
export { PooledExecutor } from "./pooled_executor.ts";
export type {
  DelayedExecutorOptions,
  RepeatMode,
  ScheduledTask,
  ScheduleOptions,
  ScheduleRepeatingOptions,
} from "./delayed_executor.ts";
export { DelayedExecutor } from "./delayed_executor.ts";
export type { SubmitOptions } from "./submit.ts";
export { submit } from "./submit.ts";
