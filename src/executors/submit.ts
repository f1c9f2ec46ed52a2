/**
 * `submit(executor, fn)`: a future of `fn`'s result, run by any
 * {@linkcode Executor}.
 *
 * @module
 */

import type { Executor } from "../core/executor.ts";
import {
  assertFunction,
  assertOptions,
  assertSignal,
} from "../core/_validate.ts";
import { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import { onAbort } from "../cancel/signals.ts";
import { PooledExecutor } from "./pooled_executor.ts";

/**
 * Options of {@linkcode submit}.
 *
 * @example Aborting before the executor runs the task
 * ```ts
 * import { DelayedExecutor, submit, type SubmitOptions, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const controller = new AbortController();
 * const options: SubmitOptions = { signal: controller.signal };
 * let ran = false;
 * const result = submit(new DelayedExecutor({ clock }), () => (ran = true), options);
 * controller.abort(new Error("stop"));
 * clock.tick(0);
 * await assert.rejects(result, /stop/);
 * assert.equal(ran, false);
 * ```
 */
export interface SubmitOptions {
  /**
   * When it aborts before the executor runs `fn`, the future rejects with
   * `signal.reason` at once and `fn` never runs.
   */
  signal?: AbortSignal | undefined;
}

const ACTION = "submit the task";

/**
 * Runs `fn` on `executor` and returns a future of its result (a throw or a
 * rejection rejects it). On a {@linkcode PooledExecutor} this is
 * `executor.submit(fn, { signal })`, so an asynchronous `fn` holds its slot
 * until it settles; on any other executor, `fn` is started by
 * `executor.execute`.
 *
 * @typeParam T The type of the result.
 * @param executor Where `fn` runs.
 * @param fn The task.
 * @param options `signal`.
 * @returns A future of the result; it rejects with what `execute` threw
 *   when the executor refuses the task.
 * @throws {unknown} What `execute` threw after running `fn` (a broken
 *   executor).
 * @throws {TypeError} When `executor` has no `execute` method, `fn` is not a
 *   function, or an option has the wrong type.
 *
 * @example A future from a plain executor
 * ```ts
 * import { microtaskExecutor, submit } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const answer = submit(microtaskExecutor, () => 6 * 7);
 * assert.equal(answer.state, "pending");
 * assert.equal(await answer, 42);
 * ```
 *
 * @example On a delayed executor
 * ```ts
 * import { DelayedExecutor, submit, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const answer = submit(new DelayedExecutor({ clock }), () => "later");
 * clock.tick(0);
 * assert.equal(await answer, "later");
 * ```
 */
export function submit<T>(
  executor: Executor,
  fn: () => T | PromiseLike<T>,
  options?: SubmitOptions,
): Future<Awaited<T>> {
  if (
    executor === null || typeof executor !== "object" ||
    typeof executor.execute !== "function"
  ) {
    assertFunction(ACTION, "executor.execute", executor?.execute);
  }
  assertFunction(ACTION, "fn", fn);
  assertOptions(ACTION, options);
  const signal = options?.signal;
  assertSignal(ACTION, signal);
  if (executor instanceof PooledExecutor) {
    return executor.submit(fn, signal === undefined ? undefined : { signal });
  }
  if (signal?.aborted) return Future.reject(signal.reason);
  const future = pendingFuture<Awaited<T>>();
  let settled = false;
  let registration: Disposable | undefined;
  if (signal !== undefined) {
    registration = onAbort(signal, (reason) => {
      settled = true;
      rejectFuture(future, reason);
    });
  }
  try {
    executor.execute(() => {
      if (settled) return;
      settled = true;
      registration?.[Symbol.dispose]();
      try {
        resolveFuture(future, fn());
      } catch (e) {
        rejectFuture(future, e);
      }
    });
  } catch (e) {
    // The executor refused the task (or failed after running it).
    if (settled) throw e;
    settled = true;
    registration?.[Symbol.dispose]();
    rejectFuture(future, e);
  }
  return future;
}
