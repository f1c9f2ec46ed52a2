/**
 * `TaskContext`: what a task run by a pledge executor receives.
 *
 * @module
 */

/**
 * What a task run by {@linkcode PooledExecutor.submit} or scheduled on a
 * {@linkcode DelayedExecutor} receives.
 *
 * @example Reading the signal
 * ```ts
 * import { PooledExecutor, type TaskContext } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const pool = new PooledExecutor({ concurrency: 1 });
 * const task = ({ signal }: TaskContext) => signal.aborted;
 * assert.equal(await pool.submit(task), false);
 * ```
 */
export interface TaskContext {
  /**
   * Aborted, with the reason, when the task is abandoned while it runs: its
   * caller's signal aborts, its time limit elapses, or it is cancelled.
   * Created on first read.
   */
  readonly signal: AbortSignal;
}
