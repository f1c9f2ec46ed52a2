/**
 * The slot accounting and task lifecycle behind `PooledExecutor`: the queue,
 * the slots in use, starting, settling, aborting and timing out tasks, the
 * microtask batch of `execute` tasks, and the `onEmpty` and `onIdle`
 * waiters. The public class validates every argument before calling in.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { InvalidStateError, QueueFullError } from "../core/errors.ts";
import { type TimerQueue, timerQueueFor } from "../core/_timer_queue.ts";
import { abortError, timeoutError } from "../core/_reasons.ts";
import { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  rejectHandled,
  resolveFuture,
} from "../future/_settle.ts";
import { onSignalAbort } from "../cancel/_signal_core.ts";
import { PriorityQueue } from "./_priority_queue.ts";
import {
  DETACHED,
  DONE,
  QUEUED,
  RunContext,
  RUNNING,
  Task,
} from "./_pool_task.ts";
import type { TaskContext } from "./task_context.ts";
import { reportError } from "../core/_report.ts";

/** A caller of `onEmpty` or `onIdle`, and its abort registration. */
interface Waiter {
  readonly future: Future<void>;
  registration: Disposable | undefined;
}

/** The state of one `PooledExecutor`. */
export class PoolEngine {
  /** The number of slots. Call `drain()` after changing it. */
  concurrency: number;
  readonly maxQueue: number;
  readonly #clock: Clock;
  #timers: TimerQueue | undefined = undefined;
  /** Slots in use. */
  #used = 0;
  /** Tasks holding slots. */
  running = 0;
  readonly queue: PriorityQueue<Task> = new PriorityQueue<Task>();
  /** Started `execute` tasks waiting for their microtask. */
  readonly #ready: Task[] = [];
  #readyScheduled = false;
  /** Whether starting is paused. Call `drain()` after clearing it. */
  paused = false;
  #closed = false;
  #draining = false;
  #emptyWaiters: Waiter[] | undefined = undefined;
  #idleWaiters: Waiter[] | undefined = undefined;
  readonly #runReady = (): void => this.#flushReady();

  constructor(concurrency: number, maxQueue: number, clock: Clock) {
    this.concurrency = concurrency;
    this.maxQueue = maxQueue;
    this.#clock = clock;
  }

  /** Starts or queues a validated submission. */
  submit<T>(
    fn: (context: TaskContext) => T | PromiseLike<T>,
    priority: number,
    weight: number,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Future<Awaited<T>> {
    if (this.#closed) {
      return Future.reject(
        new InvalidStateError(
          "Cannot submit the task as the executor is disposed",
        ),
      );
    }
    const queue = this.queue;
    const startNow = !this.paused && queue.size === 0 &&
      this.#used + weight <= this.concurrency;
    if (!startNow && queue.size >= this.maxQueue) {
      return Future.reject(
        new QueueFullError(this.concurrency, this.maxQueue, queue.size),
      );
    }
    const future = pendingFuture<Awaited<T>>();
    const task = new Task(
      fn as (context: TaskContext) => unknown,
      future as Future<unknown>,
      priority,
      weight,
      timeoutMs,
    );
    if (signal !== undefined) {
      task.registration = onSignalAbort(
        signal,
        (reason) => this.#abort(task, reason),
      );
    }
    if (startNow) this.#start(task);
    else {
      queue.push(task);
      this.drain();
    }
    return future;
  }

  /** Starts or queues a validated `execute` task. */
  execute(task: () => void): void {
    if (this.#closed) {
      throw new InvalidStateError(
        "Cannot execute the task as the executor is disposed",
      );
    }
    const queue = this.queue;
    const t = new Task(task, undefined, 0, 1, -1);
    if (!this.paused && queue.size === 0 && this.#used < this.concurrency) {
      this.#start(t);
    } else if (queue.size >= this.maxQueue) {
      throw new QueueFullError(this.concurrency, this.maxQueue, queue.size);
    } else {
      queue.push(t);
      this.drain();
    }
  }

  /** Rejects every waiting submitted task; returns how many. */
  clear(reason: unknown): number {
    const queue = this.queue;
    if (queue.size === 0) return 0;
    const why = reason === undefined
      ? abortError("The task was cleared from the queue")
      : reason;
    let removed = 0;
    for (const task of queue.drain()) {
      const future = task.future;
      if (future === undefined) {
        queue.push(task);
        continue;
      }
      removed++;
      task.state = DONE;
      task.fn = undefined;
      task.registration?.[Symbol.dispose]();
      task.registration = undefined;
      // The caller asked for it: not reported as unhandled.
      rejectHandled(future, why);
    }
    this.drain();
    return removed;
  }

  /** Stops accepting work and resumes, once. */
  close(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.paused = false;
      this.drain();
    }
  }

  /**
   * A future of an empty queue (or, with `idle`, of an idle pool). When
   * `signal` aborts first, the wait is removed and the future rejects.
   */
  wait(idle: boolean, signal: AbortSignal | undefined): Future<void> {
    if (this.queue.size === 0 && (!idle || this.running === 0)) {
      return Future.resolve();
    }
    const waiter: Waiter = {
      future: pendingFuture<void>(),
      registration: undefined,
    };
    const waiters = idle
      ? (this.#idleWaiters ??= [])
      : (this.#emptyWaiters ??= []);
    waiters.push(waiter);
    if (signal !== undefined) {
      waiter.registration = onSignalAbort(signal, (reason) => {
        waiter.registration = undefined;
        const list = idle ? this.#idleWaiters : this.#emptyWaiters;
        const i = list === undefined ? -1 : list.indexOf(waiter);
        if (i >= 0) list!.splice(i, 1);
        rejectFuture(waiter.future, reason);
      });
    }
    return waiter.future;
  }

  #start(task: Task): void {
    const c = this.concurrency;
    const held = task.held = task.weight < c ? task.weight : c;
    this.#used += held;
    this.running++;
    task.state = RUNNING;
    const future = task.future;
    if (future === undefined) {
      this.#ready.push(task);
      if (!this.#readyScheduled) {
        this.#readyScheduled = true;
        queueMicrotask(this.#runReady);
      }
      return;
    }
    const fn = task.fn!;
    task.fn = undefined;
    if (task.timeoutMs >= 0) {
      const ms = task.timeoutMs;
      const timers = this.#timers ??= timerQueueFor(this.#clock);
      task.timer = timers.schedule(() => {
        task.timer = undefined;
        this.#detach(task, timeoutError(ms));
      }, ms);
    }
    let result: unknown;
    try {
      result = fn(new RunContext(task));
    } catch (e) {
      this.#settle(task, false, e);
      return;
    }
    if (
      result !== null &&
      (typeof result === "object" || typeof result === "function")
    ) {
      let then: unknown;
      try {
        then = (result as PromiseLike<unknown>).then;
        if (typeof then === "function") {
          then.call(
            result,
            (v: unknown) => this.#settle(task, true, v),
            (e: unknown) => this.#settle(task, false, e),
          );
          return;
        }
      } catch (e) {
        this.#settle(task, false, e);
        return;
      }
    }
    this.#settle(task, true, result);
  }

  #flushReady(): void {
    const ready = this.#ready;
    // Tasks started while flushing join this batch.
    for (let i = 0; i < ready.length; i++) {
      const task = ready[i] as Task;
      const fn = task.fn as () => void;
      task.fn = undefined;
      try {
        fn();
      } catch (e) {
        reportError(e);
      }
      this.#settle(task, true, undefined);
    }
    ready.length = 0;
    this.#readyScheduled = false;
  }

  // The task's function settled: free its slots, settle its future.
  #settle(task: Task, ok: boolean, value: unknown): void {
    const state = task.state;
    if (state === DONE) return;
    task.state = DONE;
    this.#used -= task.held;
    this.running--;
    if (state === RUNNING) {
      const future = task.future;
      if (future !== undefined) {
        this.#release(task);
        if (ok) resolveFuture(future, value);
        else rejectFuture(future, value);
      }
    }
    this.drain();
  }

  // Drops the task's abort registration and timer.
  #release(task: Task): void {
    const registration = task.registration;
    if (registration !== undefined) {
      task.registration = undefined;
      registration[Symbol.dispose]();
    }
    const timer = task.timer;
    if (timer !== undefined) {
      task.timer = undefined;
      this.#timers!.cancel(timer);
    }
  }

  #abort(task: Task, reason: unknown): void {
    task.registration = undefined; // it ran, and is gone
    if (task.state === QUEUED) {
      task.state = DONE;
      task.fn = undefined;
      this.queue.delete(task);
      rejectFuture(task.future!, reason);
      this.drain();
    } else this.#detach(task, reason);
  }

  // Settles a running task's future early; the task keeps its slots.
  #detach(task: Task, reason: unknown): void {
    if (task.state !== RUNNING) return;
    task.state = DETACHED;
    task.detached = true;
    task.reason = reason;
    this.#release(task);
    rejectFuture(task.future!, reason);
    task.controller?.abort(reason);
  }

  /** Starts waiting tasks as far as slots allow; wakes the waiters. */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    const queue = this.queue;
    try {
      while (!this.paused && queue.size !== 0) {
        const head = queue.peek() as Task;
        const c = this.concurrency;
        if (this.#used + (head.weight < c ? head.weight : c) > c) break;
        queue.shift();
        this.#start(head);
      }
    } finally {
      this.#draining = false;
    }
    if (queue.size === 0) {
      const empty = this.#emptyWaiters;
      if (empty !== undefined) {
        this.#emptyWaiters = undefined;
        wake(empty);
      }
      const idle = this.#idleWaiters;
      if (idle !== undefined && this.running === 0) {
        this.#idleWaiters = undefined;
        wake(idle);
      }
    }
  }
}

function wake(waiters: Waiter[]): void {
  for (const waiter of waiters) {
    const registration = waiter.registration;
    if (registration !== undefined) {
      waiter.registration = undefined;
      registration[Symbol.dispose]();
    }
    resolveFuture(waiter.future, undefined);
  }
}
