/**
 * The handle behind every task of a `DelayedExecutor`: its timer entry, its
 * future, its abort registration and, for a repeating task, its next
 * deadline. Live handles of one executor form an intrusive list, so the
 * executor can cancel them all when disposed without a `Set`.
 *
 * @module
 */

import type { TimerQueue } from "../core/_timer_queue.ts";
import type { QueuedTimer } from "../core/_timer_queue.ts";
import type { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  rejectHandled,
  resolveFuture,
} from "../future/_settle.ts";
import { onSignalAbort } from "../cancel/_signal_core.ts";
import type { TaskContext } from "./task_context.ts";
import type { ScheduledTask } from "./delayed_executor.ts";
import { abortError } from "../core/_reasons.ts";
import { reportError } from "../core/_report.ts";

/** The live handles of one executor. */
export interface ScheduleList {
  head: Schedule<unknown> | undefined;
  size: number;
}

/** How a handle repeats. */
export interface Repeat {
  periodMs: number;
  fixedRate: boolean;
  onError: ((error: unknown) => void) | undefined;
  stopOnError: boolean;
}

const SCHEDULED = 0;
const RUNNING = 1;
const DONE = 2;

/** A scheduled task and its handle. */
export class Schedule<T> implements ScheduledTask<T>, TaskContext {
  readonly #fn: (context: TaskContext) => unknown;
  readonly #timers: TimerQueue;
  readonly #list: ScheduleList;
  readonly #repeat: Repeat | undefined;
  readonly #future = pendingFuture<T>();
  #state = SCHEDULED;
  #deadline: number;
  #entry: QueuedTimer | undefined = undefined;
  #first = true;
  #runs = 0;
  #registration: Disposable | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  #cancelled = false;
  #reason: unknown = undefined;
  #prev: Schedule<unknown> | undefined = undefined;
  #next: Schedule<unknown> | undefined = undefined;
  #onFire: (() => void) | undefined = undefined;
  #onOk: ((value: unknown) => void) | undefined = undefined;
  #onErr: ((error: unknown) => void) | undefined = undefined;

  constructor(
    fn: (context: TaskContext) => unknown,
    deadline: number,
    timers: TimerQueue,
    list: ScheduleList,
    signal: AbortSignal | undefined,
    repeat: Repeat | undefined,
  ) {
    this.#fn = fn;
    this.#deadline = deadline;
    this.#timers = timers;
    this.#list = list;
    this.#repeat = repeat;
    if (signal?.aborted) {
      // No timer, no listener, not in the list.
      this.#state = DONE;
      this.#first = false;
      this.#cancelled = true;
      this.#reason = signal.reason;
      rejectHandled(this.#future, signal.reason);
      return;
    }
    const head = list.head;
    if (head !== undefined) {
      this.#next = head;
      head.#prev = this as Schedule<unknown>;
    }
    list.head = this as Schedule<unknown>;
    list.size++;
    if (signal !== undefined) {
      this.#registration = onSignalAbort(signal, (reason) => {
        this.#registration = undefined;
        this.#stop(reason);
      });
    }
    this.#arm();
  }

  get future(): Future<T> {
    return this.#future;
  }

  get runs(): number {
    return this.#runs;
  }

  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.#cancelled) controller.abort(this.#reason);
    }
    return controller.signal;
  }

  cancel(reason?: unknown): boolean {
    if (this.#state === DONE) return false;
    this.#stop(
      reason === undefined
        ? abortError("The scheduled task was cancelled")
        : reason,
    );
    return true;
  }

  [Symbol.dispose](): void {
    this.cancel();
  }

  #arm(): void {
    const onFire = this.#onFire ??= () => this.#run();
    this.#entry = this.#timers.scheduleAt(this.#deadline, onFire);
  }

  #run(): void {
    this.#entry = undefined;
    this.#state = RUNNING;
    let result: unknown;
    try {
      result = this.#fn(this);
    } catch (e) {
      this.#after(false, e);
      return;
    }
    if (
      result !== null &&
      (typeof result === "object" || typeof result === "function")
    ) {
      try {
        const then = (result as PromiseLike<unknown>).then;
        if (typeof then === "function") {
          then.call(
            result,
            this.#onOk ??= (v: unknown) => this.#after(true, v),
            this.#onErr ??= (e: unknown) => this.#after(false, e),
          );
          return;
        }
      } catch (e) {
        this.#after(false, e);
        return;
      }
    }
    this.#after(true, result);
  }

  // A run settled.
  #after(ok: boolean, value: unknown): void {
    if (this.#state !== RUNNING) return;
    this.#runs++;
    const repeat = this.#repeat;
    if (this.#first) {
      this.#first = false;
      if (ok) resolveFuture(this.#future, value);
      // The future of a repeating task is informational: its failures go to
      // `onError`, so they never count as unhandled.
      else if (repeat !== undefined) rejectHandled(this.#future, value);
      else rejectFuture(this.#future, value);
    }
    if (repeat === undefined) {
      this.#finish();
      return;
    }
    if (!ok) {
      const onError = repeat.onError;
      if (onError === undefined) reportError(value);
      else {
        try {
          onError(value);
        } catch (e) {
          reportError(e);
        }
      }
      // onError may have cancelled the task.
      if (this.#state !== RUNNING) return;
      if (repeat.stopOnError) {
        this.#finish();
        return;
      }
    }
    this.#state = SCHEDULED;
    this.#deadline = repeat.fixedRate
      ? this.#deadline + repeat.periodMs
      : this.#timers.clock.now() + repeat.periodMs;
    this.#arm();
  }

  // Cancels: settles a pending future with `reason` (handled: the caller
  // asked for it, by `cancel()`, the signal or the executor's disposal, so
  // nothing is reported and nothing is queued), aborts the signal.
  #stop(reason: unknown): void {
    if (this.#state === DONE) return;
    const entry = this.#entry;
    if (entry !== undefined) {
      this.#entry = undefined;
      this.#timers.cancel(entry);
    }
    this.#finish();
    this.#cancelled = true;
    this.#reason = reason;
    if (this.#first) {
      this.#first = false;
      rejectHandled(this.#future, reason);
    }
    this.#controller?.abort(reason);
  }

  #finish(): void {
    this.#state = DONE;
    const registration = this.#registration;
    if (registration !== undefined) {
      this.#registration = undefined;
      registration[Symbol.dispose]();
    }
    const list = this.#list;
    const prev = this.#prev;
    const next = this.#next;
    if (prev === undefined) list.head = next;
    else prev.#next = next;
    if (next !== undefined) next.#prev = prev;
    this.#prev = this.#next = undefined;
    list.size--;
  }
}
