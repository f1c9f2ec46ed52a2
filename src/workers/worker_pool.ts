/**
 * `WorkerPool`: runs the exported functions of a module in a pool of
 * workers, typed from that module, on Deno, Node, Bun and browsers.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import {
  assertClock,
  assertDuration,
  assertFinite,
  assertInteger,
  assertIntegerOrInfinity,
  assertOptions,
  assertSignal,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import { availableCores } from "./_runtime.ts";
import { WorkerEngine } from "./_worker_engine.ts";
import type {
  AnyTasks,
  RunArguments,
  TaskName,
  TaskResult,
  WorkerAbortMode,
  WorkerPoolOptions,
  WorkerPoolStats,
  WorkerRunOptions,
  WorkerWaitOptions,
} from "./worker_pool_options.ts";
import type { TransferItem } from "./transfer.ts";

const CREATE = "create the WorkerPool";
const RUN = "run the task";
const RESIZE = "resize the WorkerPool";

function assertAbortMode(action: string, value: unknown): void {
  if (value !== "signal" && value !== "terminate") {
    typeError(action, "abort", `"signal" or "terminate"`, value);
  }
}

// An absolute file path: `/x` (not in a browser, where it is a URL path),
// `C:\x` or `C:/x`, `\\server\share\x`.
const WINDOWS_PATH = /^(?:[A-Za-z]:[\\/]|\\\\)/;

/** The `file:` URL of an absolute path, as Node's `pathToFileURL`. */
function fileUrl(path: string): string {
  const windows = WINDOWS_PATH.test(path);
  let p = (windows ? path.replaceAll("\\", "/") : path).replaceAll("%", "%25");
  const url = new URL("file://");
  if (p.startsWith("//")) {
    const end = p.indexOf("/", 2);
    url.hostname = p.slice(2, end < 0 ? undefined : end);
    p = end < 0 ? "/" : p.slice(end);
  } else if (windows) p = `/${p}`;
  url.pathname = p; // percent-encodes `#`, `?`, spaces...
  return url.href;
}

function moduleUrl(value: unknown): string {
  if (value instanceof URL) return value.href;
  if (typeof value !== "string") {
    typeError(CREATE, "module", "a URL or a string", value);
  }
  const base = (globalThis as { location?: { href?: unknown } }).location
    ?.href;
  if (WINDOWS_PATH.test(value)) return fileUrl(value);
  try {
    // A relative URL resolves against the page, as `new Worker(url)` does.
    return typeof base === "string"
      ? new URL(value, base).href
      : new URL(value).href;
  } catch {
    if (value.startsWith("/")) return fileUrl(value);
    return typeError(
      CREATE,
      "module",
      "an absolute URL or file path",
      value,
    );
  }
}

/**
 * A pool of workers running the exported functions of one module: real
 * parallelism for CPU-bound work, where `PooledExecutor` only limits how
 * much runs at once on one thread.
 *
 * - Tasks are the functions the module exports; `run(name, arg)` calls
 *   `fn(arg, { signal })` in a worker. Give the module's type,
 *   `WorkerPool<typeof import("./tasks.ts")>`, and task names, arguments
 *   and results are checked by the compiler.
 * - Workers are Web Workers (`type: "module"`) on Deno, Bun and browsers,
 *   `node:worker_threads` on Node. They start on demand, up to `size`, and
 *   run one task at a time each. Arguments and results cross by structured
 *   clone (or transfer, see `transfer` and {@linkcode transferResult}).
 * - Waiting tasks run by priority, then in `run` order; a queue of many
 *   small tasks is sent several per message, so they are not bound by one
 *   message round trip each, while a lone task is sent at once.
 * - An error a task throws rejects with an error of the same name, message,
 *   stack, `cause` and own fields. A worker that crashes or exits rejects
 *   the task it was running with a {@linkcode WorkerCrashedError} and is
 *   replaced (tasks sent with it that it never started run on another); a
 *   module that fails to load rejects every task with a
 *   {@linkcode WorkerLoadError} and no worker starts again.
 * - An idle pool costs nothing on the main thread: no timer, no polling.
 *   Close it (`await using`, `close()` or `terminate()`) to stop its
 *   workers: on Deno and in browsers they keep running until then (on Node
 *   and Bun, idle workers do not keep the process alive).
 *
 * @typeParam Tasks The type of the task module,
 *   `typeof import("./tasks.ts")`.
 *
 * @example Running a task module's functions in parallel
 * ```ts
 * import { WorkerPool } from "@pledge/core/workers";
 * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
 * import assert from "node:assert/strict";
 *
 * await using pool = new WorkerPool<typeof tasks>({
 *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
 *   size: 2,
 * });
 * const counts = await Promise.all([
 *   pool.run("countPrimes", [0, 50_000]),
 *   pool.run("countPrimes", [50_000, 100_000]),
 * ]);
 * assert.equal(counts[0] + counts[1], 9592);
 * ```
 */
export class WorkerPool<Tasks extends object = AnyTasks>
  implements AsyncDisposable {
  readonly #engine: WorkerEngine;
  readonly #abort: WorkerAbortMode;

  /**
   * Creates the pool. No worker starts until a task comes.
   *
   * @param options `module` (required), `size`, `minSize`, `idleTimeoutMs`,
   *   `maxQueue`, `abort`, `clock`.
   * @throws {TypeError} When `options` is not an object, `module` is not a
   *   URL, an absolute URL string or an absolute file path, or an option
   *   has the wrong type.
   * @throws {RangeError} When `size` is not an integer >= 1, `minSize` not
   *   an integer from 0 to `size`, `idleTimeoutMs` negative or not finite,
   *   or `maxQueue` not an integer >= 0 or `Infinity`.
   *
   * @example A pool that shrinks when idle
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 4,
   *   minSize: 1,
   *   idleTimeoutMs: 30_000,
   * });
   * assert.equal(pool.size, 4);
   * assert.equal(pool.minSize, 1);
   * assert.equal(pool.stats.workers, 0); // none started yet
   * ```
   */
  constructor(options: WorkerPoolOptions) {
    if (options === null || typeof options !== "object") {
      typeError(CREATE, "options", "an options object", options);
    }
    assertOptions(CREATE, options);
    const {
      size = Math.max(1, availableCores() - 1),
      minSize,
      idleTimeoutMs = 10_000,
      maxQueue = Infinity,
      abort = "signal",
      clock = systemClock,
    } = options;
    const module = moduleUrl(options.module);
    assertInteger(CREATE, "size", size, 1);
    if (minSize !== undefined) {
      assertInteger(CREATE, "minSize", minSize, 0);
      if (minSize > size) {
        rangeError(CREATE, "minSize", `an integer <= size (${size})`, minSize);
      }
    }
    assertDuration(CREATE, "idleTimeoutMs", idleTimeoutMs);
    assertIntegerOrInfinity(CREATE, "maxQueue", maxQueue, 0);
    assertAbortMode(CREATE, abort);
    assertClock(CREATE, clock);
    this.#abort = abort;
    this.#engine = new WorkerEngine(
      module,
      size,
      minSize,
      idleTimeoutMs,
      maxQueue,
      clock as Clock,
    );
  }

  /**
   * The URL of the task module.
   *
   * @example Relative URLs are resolved
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({
   *   module: new URL("./tasks.js", "https://example.com/app/"),
   * });
   * assert.equal(pool.module, "https://example.com/app/tasks.js");
   * ```
   */
  get module(): string {
    return this.#engine.module;
  }

  /**
   * The most workers running at once; change it with `resize`.
   *
   * @example The default: one worker per core but one
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import assert from "node:assert/strict";
   * import os from "node:os";
   *
   * await using pool = new WorkerPool({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   * });
   * assert.equal(pool.size, Math.max(1, os.availableParallelism() - 1));
   * ```
   */
  get size(): number {
    return this.#engine.size;
  }

  /**
   * The fewest workers kept once started: `minSize` as given (lowered to
   * `size` by a `resize` below it), or `size`.
   *
   * @example No shrinking by default
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 3,
   * });
   * assert.equal(pool.minSize, 3);
   * ```
   */
  get minSize(): number {
    return this.#engine.minSize;
  }

  /**
   * The most tasks that may wait for a worker.
   *
   * @example Unbounded by default
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   * });
   * assert.equal(pool.maxQueue, Infinity);
   * ```
   */
  get maxQueue(): number {
    return this.#engine.maxQueue;
  }

  /**
   * The number of tasks sent to a worker and not yet returned.
   *
   * @example One task running
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * const controller = new AbortController();
   * const task = pool.run("waitForAbort", null, { signal: controller.signal });
   * await pool.run("ping", undefined, { priority: 1 }); // the worker is up
   * assert.equal(pool.running, 1);
   * controller.abort();
   * await assert.rejects(task, { name: "AbortError" });
   * ```
   */
  get running(): number {
    return this.#engine.running;
  }

  /**
   * The number of tasks waiting for a worker.
   *
   * @example Tasks queued while paused
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * pool.pause();
   * const results = [pool.run("add1", 1), pool.run("add1", 2)];
   * assert.equal(pool.queued, 2);
   * pool.resume();
   * assert.deepEqual(await Promise.all(results), [2, 3]);
   * ```
   */
  get queued(): number {
    return this.#engine.queued;
  }

  /**
   * Whether the pool is paused.
   *
   * @example After pause
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   * });
   * pool.pause();
   * assert.equal(pool.paused, true);
   * ```
   */
  get paused(): boolean {
    return this.#engine.paused;
  }

  /**
   * A snapshot of the pool: workers alive, tasks running, queued,
   * completed and failed, utilisation, and summaries of run and wait times.
   *
   * @example After a few tasks
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * await Promise.all([pool.run("add1", 1), pool.run("add1", 2)]);
   * await pool.run("fail", "nope").catch(() => {});
   * const stats = pool.stats;
   * assert.equal(stats.workers, 1);
   * assert.equal(stats.completed, 2);
   * assert.equal(stats.failed, 1);
   * assert.equal(stats.runTime.count, 3);
   * assert.ok(stats.utilisation >= 0 && stats.utilisation <= 1);
   * ```
   */
  get stats(): WorkerPoolStats {
    return this.#engine.stats();
  }

  /**
   * Runs the task `name` of the module with `arg` in a worker: at once when
   * a worker is free, else when its turn comes. The task function receives
   * `arg` (a structured clone) and a context whose `signal` aborts when this
   * task is aborted or times out.
   *
   * @typeParam K The task's name.
   * @param name The name of a function the module exports.
   * @param args The task's argument (optional when the task takes none),
   *   then the options: `signal`, `timeoutMs`, `transfer`, `priority`,
   *   `abort`.
   * @returns A future of the task's result.
   * @throws Rejects with {TypeError} when `name` is not a string or an
   *   option has the wrong type, or when the module exports no function
   *   `name`; with {RangeError} when `priority` is not finite or
   *   `timeoutMs` is negative or not finite; with what the task threw
   *   (rebuilt: same name, message, stack, `cause` and fields); with
   *   `signal.reason` when the caller aborts; with a `DOMException` named
   *   `"TimeoutError"` after `timeoutMs`; with a {@linkcode WorkerCrashedError}
   *   or a {@linkcode WorkerLoadError}; with a `QueueFullError` when the
   *   queue is full; with an `InvalidStateError` once the pool is closing;
   *   with the reason given to `terminate`; and with a `DOMException` named
   *   `"DataCloneError"` when the argument or the result cannot be cloned.
   *
   * @example Options: priority, time limit, abort
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * assert.equal(await pool.run("add1", 41, { priority: 10 }), 42);
   * await assert.rejects(
   *   pool.run("waitForAbort", null, { timeoutMs: 0 }),
   *   { name: "TimeoutError" },
   * );
   * await assert.rejects(pool.run("fail", "bad input"), {
   *   name: "ValidationError",
   *   message: "bad input",
   *   code: "E_INVALID",
   * });
   * ```
   */
  run<K extends TaskName<Tasks>>(
    name: K,
    ...args: RunArguments<Tasks[K]>
  ): Future<TaskResult<Tasks[K]>> {
    const options = args[1] as WorkerRunOptions | undefined;
    let priority = 0;
    let timeoutMs = -1;
    let transfer: readonly TransferItem[] | undefined;
    let terminate = this.#abort === "terminate";
    let signal: AbortSignal | undefined;
    try {
      if (typeof name !== "string") {
        typeError(RUN, "name", "a string", name);
      }
      if (options !== undefined) {
        assertOptions(RUN, options);
        if (options.priority !== undefined) {
          priority = options.priority;
          assertFinite(RUN, "priority", priority);
        }
        if (options.timeoutMs !== undefined) {
          timeoutMs = options.timeoutMs;
          assertDuration(RUN, "timeoutMs", timeoutMs);
        }
        if (options.transfer !== undefined) {
          transfer = options.transfer;
          if (!Array.isArray(transfer)) {
            typeError(RUN, "transfer", "an array", transfer);
          }
          if (transfer.length === 0) transfer = undefined;
        }
        if (options.abort !== undefined) {
          assertAbortMode(RUN, options.abort);
          terminate = options.abort === "terminate";
        }
        signal = options.signal;
        assertSignal(RUN, signal);
      }
    } catch (error) {
      return Future.reject(error);
    }
    if (signal?.aborted) return Future.reject(signal.reason);
    return this.#engine.submit(
      name,
      args[0],
      priority,
      timeoutMs,
      transfer,
      terminate,
      signal,
    ) as Future<TaskResult<Tasks[K]>>;
  }

  /**
   * Sets the number of workers. Raising it starts workers for waiting
   * tasks; lowering it stops idle workers at once and busy ones once their
   * tasks return. A `minSize` above the new size is lowered to it.
   *
   * @param size An integer >= 1.
   * @throws {TypeError} When `size` is not a number.
   * @throws {RangeError} When `size` is not an integer >= 1.
   *
   * @example Growing for a burst, then shrinking
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * pool.resize(2);
   * await Promise.all([pool.run("add1", 1), pool.run("add1", 2)]);
   * assert.equal(pool.stats.workers, 2);
   * pool.resize(1);
   * assert.equal(pool.stats.workers, 1);
   * ```
   */
  resize(size: number): void {
    assertInteger(RESIZE, "size", size, 1);
    this.#engine.resize(size);
  }

  /**
   * Stops sending tasks to workers; tasks already sent go on, new ones
   * wait.
   *
   * @example Holding tasks back
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * pool.pause();
   * const result = pool.run("ping");
   * await new Promise((r) => setTimeout(r, 0));
   * assert.equal(result.state, "pending");
   * pool.resume();
   * assert.equal(await result, "pong");
   * ```
   */
  pause(): void {
    this.#engine.paused = true;
  }

  /**
   * Sends waiting tasks to workers again.
   *
   * @example Resuming
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * pool.pause();
   * const result = pool.run("add1", 1);
   * pool.resume();
   * assert.equal(await result, 2);
   * ```
   */
  resume(): void {
    const engine = this.#engine;
    if (!engine.paused) return;
    engine.paused = false;
    engine.wake();
  }

  /**
   * Resolves once nothing is queued and nothing runs: at once when idle.
   *
   * @param options `signal`.
   * @returns A future that resolves when the pool is idle.
   * @throws Rejects with {TypeError} when `options` or `signal` has the
   *   wrong type, and with `signal.reason` when the caller aborts.
   *
   * @example Waiting for fire-and-forget tasks
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * await using pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 2,
   * });
   * for (let i = 0; i < 10; i++) pool.run("add1", i);
   * await pool.onIdle();
   * assert.equal(pool.stats.completed, 10);
   * ```
   */
  onIdle(options?: WorkerWaitOptions): Future<void> {
    const action = "wait for an idle pool";
    const signal = options?.signal;
    try {
      assertOptions(action, options);
      assertSignal(action, signal);
    } catch (error) {
      return Future.reject(error);
    }
    if (signal?.aborted) return Future.reject(signal.reason);
    return this.#engine.onIdle(signal);
  }

  /**
   * Stops accepting tasks (later `run` calls reject with an
   * `InvalidStateError`), resumes a paused pool, lets the queued and running
   * tasks finish, then stops every worker. Calling it again returns the
   * same future.
   *
   * @returns A future that resolves once every worker is stopped.
   *
   * @example Finishing the work, then stopping
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * const pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * const last = pool.run("add1", 1);
   * await pool.close();
   * assert.equal(await last, 2);
   * assert.equal(pool.stats.workers, 0);
   * await assert.rejects(pool.run("add1", 2), { name: "InvalidStateError" });
   * ```
   */
  close(): Future<void> {
    return this.#engine.close();
  }

  /**
   * Stops every worker now: queued and running tasks reject with `reason`
   * (default: a `DOMException` named `"AbortError"`). These rejections are
   * not reported as unhandled when nobody awaits them: they were asked for.
   *
   * @param reason The rejection reason of the unfinished tasks.
   * @returns A future that resolves once every worker is stopped.
   *
   * @example Abandoning the work
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * const pool = new WorkerPool<typeof tasks>({
   *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *   size: 1,
   * });
   * const stuck = pool.run("spin");
   * await pool.terminate(new Error("shutting down"));
   * await assert.rejects(stuck, /shutting down/);
   * assert.equal(pool.stats.workers, 0);
   * ```
   */
  terminate(reason?: unknown): Future<void> {
    return this.#engine.terminate(reason);
  }

  /**
   * Closes the pool: the same as {@linkcode WorkerPool.close}, for
   * `await using`.
   *
   * @returns A future that resolves once every worker is stopped.
   *
   * @example Scoped use
   * ```ts
   * import { WorkerPool } from "@pledge/core/workers";
   * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
   * import assert from "node:assert/strict";
   *
   * let escaped: WorkerPool<typeof tasks>;
   * {
   *   await using pool = new WorkerPool<typeof tasks>({
   *     module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
   *     size: 1,
   *   });
   *   escaped = pool;
   *   pool.run("add1", 1);
   * }
   * assert.equal(escaped.stats.completed, 1);
   * assert.equal(escaped.stats.workers, 0);
   * ```
   */
  [Symbol.asyncDispose](): Future<void> {
    return this.#engine.close();
  }
}
