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
import { reportError } from "../core/_report.ts";
import { onSignalAbort } from "../cancel/_signal_core.ts";
import { PooledExecutor } from "./pooled_executor.ts";

/** Options of {@linkcode submit}. */
export interface SubmitOptions {
  /**
   * When it aborts before the executor runs `fn`, the future rejects with
   * `signal.reason` at once and `fn` never runs.
   *
   * @default {undefined}
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
 * @returns A future of the result. It rejects with what `execute` threw
 *   when the executor refuses the task. What `execute` throws after running
 *   `fn` (a broken executor) is reported (rethrown on a microtask); `submit`
 *   itself never throws.
 * @throws {TypeError} Rejects with it, before anything is started, when
 *   `executor` has no `execute` method, `fn` is not a function, or an option
 *   has the wrong type (an `AbortSignal` in place of the options included).
 *
 * @example A future from any executor
 * ```ts
 * import { DelayedExecutor, microtaskExecutor, submit, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const answer = submit(microtaskExecutor, () => 6 * 7);
 * assert.equal(answer.state, "pending");
 * assert.equal(await answer, 42);
 * const clock = new VirtualClock();
 * const later = submit(new DelayedExecutor({ clock }), () => "later");
 * clock.tick(0);
 * assert.equal(await later, "later");
 * ```
 */
export function submit<T>(
  executor: Executor,
  fn: () => T | PromiseLike<T>,
  options?: SubmitOptions,
): Future<Awaited<T>> {
  let signal: AbortSignal | undefined;
  try {
    if (
      executor === null || typeof executor !== "object" ||
      typeof executor.execute !== "function"
    ) {
      assertFunction(ACTION, "executor.execute", executor?.execute);
    }
    assertFunction(ACTION, "fn", fn);
    assertOptions(ACTION, options);
    signal = options?.signal;
    assertSignal(ACTION, signal);
  } catch (error) {
    return Future.reject(error);
  }
  if (executor instanceof PooledExecutor) {
    return executor.submit(fn, signal === undefined ? undefined : { signal });
  }
  if (signal?.aborted) return Future.reject(signal.reason);
  const future = pendingFuture<Awaited<T>>();
  let settled = false;
  let registration: Disposable | undefined;
  if (signal !== undefined) {
    registration = onSignalAbort(signal, (reason) => {
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
    // The executor refused the task, or (a broken executor) failed after
    // running it: then the future has its outcome, and the error is
    // reported.
    if (settled) {
      reportError(e);
      return future;
    }
    settled = true;
    registration?.[Symbol.dispose]();
    rejectFuture(future, e);
  }
  return future;
}
