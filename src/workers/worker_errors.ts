/**
 * The errors of a `WorkerPool`'s workers: one crashed or exited while it ran
 * tasks, or the task module could not be loaded.
 *
 * @module
 */

/**
 * The worker running the task crashed (an error nothing caught, outside
 * the task's own promise) or exited (`process.exit()`, `self.close()`,
 * `Deno.exit()`) before the task settled. The pool replaced the worker;
 * `cause` is the uncaught error, when there was one.
 *
 * @example A task that brings its worker down
 * ```ts
 * import { WorkerCrashedError, WorkerPool } from "@pledge/core/workers";
 * import type * as tasks from "../../tests/fixtures/worker_tasks.ts";
 * import assert from "node:assert/strict";
 *
 * await using pool = new WorkerPool<typeof tasks>({
 *   module: new URL("../../tests/fixtures/worker_tasks.ts", import.meta.url),
 *   size: 1,
 * });
 * const error = await pool.run("crash", "disk on fire").catch((e) => e);
 * assert.ok(error instanceof WorkerCrashedError);
 * assert.equal((error.cause as Error).message, "disk on fire");
 * assert.equal(await pool.run("add1", 1), 2); // a new worker took over
 * ```
 */
export class WorkerCrashedError extends Error {
  /**
   * The worker's exit code when it exited, `undefined` when it crashed with
   * an uncaught error (see `cause`).
   */
  readonly exitCode: number | undefined;
  /**
   * Creates the error.
   *
   * @param exitCode The exit code, or `undefined` for a crash.
   * @param options Standard error options (`cause`: the uncaught error).
   */
  constructor(exitCode: number | undefined, options?: ErrorOptions) {
    super(
      exitCode === undefined
        ? `Cannot finish the task as its worker crashed${
          options?.cause instanceof Error ? `: ${options.cause.message}` : ""
        }`
        : `Cannot finish the task as its worker exited with code ${exitCode}`,
      options,
    );
    this.name = "WorkerCrashedError";
    this.exitCode = exitCode;
  }
}

/**
 * The task module of a `WorkerPool` could not be loaded in a worker (a
 * wrong URL, a syntax error, a throw at its top level). Every task of the
 * pool rejects with it, the later ones too, and no worker is started again;
 * `cause` is the error the worker saw.
 *
 * @example A module that does not exist
 * ```ts
 * import { WorkerLoadError, WorkerPool } from "@pledge/core/workers";
 * import assert from "node:assert/strict";
 *
 * await using pool = new WorkerPool({
 *   module: new URL("../../tests/fixtures/no_such_module.ts", import.meta.url),
 *   size: 1,
 * });
 * const error = await pool.run("anything").catch((e) => e);
 * assert.ok(error instanceof WorkerLoadError);
 * assert.match(error.module, /no_such_module/);
 * ```
 */
export class WorkerLoadError extends Error {
  /** The URL of the task module that failed to load. */
  readonly module: string;
  /**
   * Creates the error.
   *
   * @param module The URL of the task module.
   * @param options Standard error options (`cause`: what the worker saw).
   */
  constructor(module: string, options?: ErrorOptions) {
    super(
      `Cannot run tasks as the worker module failed to load: ${module}${
        options?.cause instanceof Error ? ` (${options.cause.message})` : ""
      }`,
      options,
    );
    this.name = "WorkerLoadError";
    this.module = module;
  }
}
