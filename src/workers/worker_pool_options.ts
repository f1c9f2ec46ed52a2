/**
 * The options, statistics and task typing of `WorkerPool`.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { Transferred } from "./transfer.ts";
import type { TransferItem } from "./transfer.ts";

/**
 * What aborting a task that already runs in a worker does: `"signal"`
 * aborts the `signal` the task function received (the worker goes on, and
 * takes new tasks once this one returns); `"terminate"` terminates the
 * worker and starts another (for synchronous, CPU-bound code, which cannot
 * see its signal). Either way the task's future rejects at once.
 */
export type WorkerAbortMode = "signal" | "terminate";

/** Options of the `WorkerPool` constructor. */
export interface WorkerPoolOptions {
  /**
   * The task module: its exported functions are the tasks. A URL, usually
   * `new URL("./tasks.ts", import.meta.url)`, or an absolute file path (as
   * piscina's `filename`: `/app/tasks.js`, `C:\\app\\tasks.js`); in a
   * browser a relative URL resolves against the page, as `new Worker(url)`.
   */
  module: URL | string;
  /**
   * The most workers running at once, an integer >= 1.
   *
   * @default {the number of cores minus one, at least 1}
   */
  size?: number | undefined;
  /**
   * The fewest workers kept once started, an integer from 0 to `size`:
   * workers beyond it stop after `idleTimeoutMs` without work. Workers start
   * on demand, when tasks come.
   *
   * @default {size} (no worker stops for being idle)
   */
  minSize?: number | undefined;
  /**
   * How long a worker beyond `minSize` stays without work before it stops,
   * in milliseconds (a finite number >= 0), on `clock`.
   *
   * @default {10000}
   */
  idleTimeoutMs?: number | undefined;
  /**
   * The most tasks that may wait for a worker, an integer >= 0 or
   * `Infinity`; one more rejects with a `QueueFullError`. The default holds
   * all work, as a queue's job is to hold work (p-queue does the same).
   *
   * @default {Infinity}
   */
  maxQueue?: number | undefined;
  /**
   * What aborting a running task does, unless its `run` says otherwise.
   *
   * @default {"signal"}
   */
  abort?: WorkerAbortMode | undefined;
  /**
   * The clock of `timeoutMs` and `idleTimeoutMs`.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

/** Options of `WorkerPool.run`. */
export interface WorkerRunOptions {
  /**
   * Aborts the task: a waiting task is removed, a running one is aborted
   * as `abort` says. The future rejects with `signal.reason` at once.
   */
  signal?: AbortSignal | undefined;
  /**
   * The longest the task may run, in milliseconds from when it is sent to a
   * worker (a finite number >= 0). When it elapses the future rejects with
   * a `DOMException` named `"TimeoutError"` and the task is aborted as
   * `abort` says.
   *
   * @default {undefined} (no limit)
   */
  timeoutMs?: number | undefined;
  /**
   * Objects inside the argument to transfer rather than copy (array
   * buffers, message ports...). They are detached here once sent.
   *
   * @default {[]}
   */
  transfer?: readonly TransferItem[] | undefined;
  /**
   * Higher runs first; equal priorities run in the order of `run` calls. A
   * finite number.
   *
   * @default {0}
   */
  priority?: number | undefined;
  /**
   * What aborting this task while it runs does (see
   * {@linkcode WorkerAbortMode}). A task with `"terminate"` runs alone in
   * its worker, so terminating it takes no other task down.
   *
   * @default {the pool's `abort`}
   */
  abort?: WorkerAbortMode | undefined;
}

/** Options of `WorkerPool.onIdle`. */
export interface WorkerWaitOptions {
  /** Stops waiting, rejecting with `signal.reason`, when it aborts. */
  signal?: AbortSignal | undefined;
}

/**
 * A summary of durations in milliseconds: `count`, `mean`, `min` and `max`
 * over every sample, the percentiles over the latest 1,024 samples. All are
 * `0` before the first sample.
 */
export interface DurationSummary {
  /** The number of samples. */
  readonly count: number;
  /** The mean of every sample. */
  readonly mean: number;
  /** The smallest sample. */
  readonly min: number;
  /** The largest sample. */
  readonly max: number;
  /** The median of the latest samples. */
  readonly p50: number;
  /** The 95th percentile of the latest samples. */
  readonly p95: number;
  /** The 99th percentile of the latest samples. */
  readonly p99: number;
}

/** A snapshot of a `WorkerPool`'s state and history. */
export interface WorkerPoolStats {
  /** Workers alive now: starting, working or idle. */
  readonly workers: number;
  /** Tasks sent to a worker and not yet returned. */
  readonly running: number;
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks that fulfilled. */
  readonly completed: number;
  /**
   * Tasks that rejected: thrown errors, aborts, timeouts, crashes. Tasks
   * refused by `run` (bad arguments, a full queue) are not counted.
   */
  readonly failed: number;
  /**
   * The share of the workers' lifetime spent running tasks, from 0 to 1.
   */
  readonly utilisation: number;
  /**
   * How long tasks ran in their worker. A batch of small tasks sent in one
   * message is timed as a whole and shared evenly between its tasks.
   */
  readonly runTime: DurationSummary;
  /** How long tasks waited in the queue before being sent to a worker. */
  readonly waitTime: DurationSummary;
}

/**
 * The second argument every task function receives in its worker.
 */
export interface WorkerTaskContext {
  /**
   * Aborts when the task's `run` signal aborts or its `timeoutMs` elapses
   * (in `"signal"` mode), with the same reason (a copy: it crossed threads).
   */
  readonly signal: AbortSignal;
}

/** What a task function looks like: one argument, then the context. */
export type TaskFunction = (arg: never, context: never) => unknown;

/** The names of the functions a task module exports. */
export type TaskName<Tasks> =
  & {
    [K in keyof Tasks]: Tasks[K] extends TaskFunction ? K : never;
  }[keyof Tasks]
  & string;

/**
 * The parameters of `run` after the task name: the task's argument (which
 * may be left out when the task takes none), then the options.
 */
export type RunArguments<F> = F extends (...args: infer P) => unknown
  ? P extends [] ? [arg?: undefined, options?: WorkerRunOptions]
  : [] extends P ? [arg?: P[0], options?: WorkerRunOptions]
  : [arg: P[0], options?: WorkerRunOptions]
  : never;

/**
 * What `run` resolves with for a task function: its awaited result, with a
 * {@linkcode Transferred} wrapper removed.
 */
export type TaskResult<F> = F extends (...args: never) => infer R
  ? Awaited<R> extends infer A ? A extends Transferred<infer U> ? U : A
  : never
  : never;

/** The tasks of a pool given no module type: any name, any argument. */
export type AnyTasks = Record<string, (arg?: unknown) => unknown>;
