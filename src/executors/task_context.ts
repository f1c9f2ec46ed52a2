/**
 * `TaskContext`: what a task run by a pledge executor receives.
 *
 * @module
 */

/**
 * What a task run by {@linkcode PooledExecutor.submit} or scheduled on a
 * {@linkcode DelayedExecutor} receives.
 */
export interface TaskContext {
  /**
   * Aborted, with the reason, when the task is abandoned while it runs: its
   * caller's signal aborts, its time limit elapses, or it is cancelled.
   * Created on first read.
   */
  readonly signal: AbortSignal;
}
