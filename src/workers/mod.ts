/**
 * Real parallelism for CPU-bound work: a {@linkcode WorkerPool} runs the
 * exported functions of a module in workers (Web Workers on Deno, Bun and
 * browsers, `node:worker_threads` on Node), typed from that module, with
 * priorities, cancellation, time limits, transfer, crash recovery and
 * statistics.
 *
 * @example A typed pool over a task module
 * ```ts
 * import { WorkerPool } from "@pledge/core/workers";
 * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
 * import assert from "node:assert/strict";
 *
 * await using pool = new WorkerPool<typeof tasks>({
 *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
 *   size: 2,
 * });
 * const sums = await Promise.all([1, 2, 3].map((x) => pool.run("add1", x)));
 * assert.deepEqual(sums, [2, 3, 4]);
 * ```
 *
 * @module
 */

export { WorkerPool } from "./worker_pool.ts";
export type {
  AnyTasks,
  DurationSummary,
  RunArguments,
  TaskFunction,
  TaskName,
  TaskResult,
  WorkerAbortMode,
  WorkerPoolOptions,
  WorkerPoolStats,
  WorkerRunOptions,
  WorkerTaskContext,
  WorkerWaitOptions,
} from "./worker_pool_options.ts";
export type { TransferItem } from "./transfer.ts";
export { Transferred, transferResult } from "./transfer.ts";
export { WorkerCrashedError, WorkerLoadError } from "./worker_errors.ts";
