/**
 * The engine of `WorkerPool`: the queue, the workers, the dispatch of tasks
 * in adaptive batches, and every way a task ends. Arguments are validated
 * by `WorkerPool` before they reach it.
 *
 * - Tasks wait in a heap ordered by priority, then by `run` order. Dispatch
 *   runs on a microtask after `run` (so a burst of `run` calls is seen as a
 *   whole) and whenever a worker reports.
 * - A worker runs its tasks one after another and reports their outcomes
 *   in order, several per message; the pool keeps each worker's tasks in a
 *   ring in the order sent, so an outcome needs no lookup.
 * - Batching adapts to the measured time per task (`_batching.ts`): a lone
 *   task, or tasks of unknown or long duration, go one per message; small
 *   tasks go several per message, spread over the ready workers.
 * - A task with `abort: "terminate"` runs alone in its worker, so the
 *   worker can be terminated without taking another task down.
 * - Nothing runs while the pool is idle: no timer (except the idle timers
 *   of workers beyond `minSize`) and no polling.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { InvalidStateError } from "../core/errors.ts";
import { DeadlineHeap, type HeapEntry } from "../core/_heap.ts";
import { abortError, timeoutError } from "../core/_reasons.ts";
import {
  type QueuedTimer,
  type TimerQueue,
  timerQueueFor,
} from "../core/_timer_queue.ts";
import { invalidMessage } from "../core/_validate.ts";
import { onAbort } from "../cancel/signals.ts";
import { Future } from "../future/future.ts";
import {
  pendingFuture,
  rejectFuture,
  resolveFuture,
} from "../future/_settle.ts";
import {
  ABORT,
  decode,
  encode,
  type Encoded,
  FAILED,
  OK,
  RUN,
} from "./_protocol.ts";
import { BatchPolicy } from "./_batching.ts";
import { QueueFullError } from "../core/errors.ts";
import { PoolStats } from "./_stats.ts";
import {
  DEAD,
  RETIRING,
  type SlotEvents,
  STARTING,
  UP,
  WorkerSlot,
} from "./_worker_slot.ts";
import { WorkerCrashedError, WorkerLoadError } from "./worker_errors.ts";
import type { WorkerPoolStats } from "./worker_pool_options.ts";
import type { TransferItem } from "./transfer.ts";

// Task states. DONE: the future is settled (the task may still be in a
// worker, which reports it later; that report is then dropped).
const QUEUED = 0;
const SENT = 1;
const DONE = 2;

// Pool states.
const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

const noop = (): void => {};

class PoolTask implements HeapEntry {
  deadline: number;
  seq: number;
  index = -1;
  state = QUEUED;
  arg: unknown;
  slot: Slot | undefined = undefined;
  registration: Disposable | undefined = undefined;
  timer: QueuedTimer | undefined = undefined;
  readonly future: Future<unknown> = pendingFuture<unknown>();
  readonly queuedAt: number = systemClock.now();

  constructor(
    readonly id: number,
    readonly name: string,
    arg: unknown,
    priority: number,
    readonly timeoutMs: number,
    readonly transfer: readonly TransferItem[] | undefined,
    readonly terminate: boolean,
  ) {
    this.deadline = -priority;
    this.seq = id;
    this.arg = arg;
  }
}

type Slot = WorkerSlot<PoolTask>;

/** The state and work of one `WorkerPool`. */
export class WorkerEngine {
  readonly module: string;
  readonly clock: Clock;
  readonly maxQueue: number;
  readonly idleTimeoutMs: number;
  size: number;
  paused = false;
  #minSize: number | undefined;
  #state = OPEN;
  readonly #queue = new DeadlineHeap<PoolTask>();
  readonly #slots: Slot[] = [];
  #ids = 0;
  #running = 0;
  #names: Set<string> | undefined = undefined;
  #loadError: WorkerLoadError | undefined = undefined;
  #dispatchQueued = false;
  readonly #batching = new BatchPolicy();
  readonly #stats = new PoolStats();
  #timers: TimerQueue | undefined = undefined;
  #idleWaiters: Future<void>[] | undefined = undefined;
  #stopped: Future<void> | undefined = undefined;
  readonly #terminations = new Set<Promise<void>>();
  readonly #dispatch = (): void => this.#dispatchNow();
  readonly #events: SlotEvents<PoolTask> = {
    ready: (_slot, names) => {
      this.#names ??= new Set(names);
      this.#dispatchNow();
    },
    results: (slot, data) => this.#onResults(slot, data),
    loadFailed: (cause) => this.#loadFailed(cause),
    crashed: (slot, error, code, running) =>
      this.#crashed(slot, error, code, running),
  };

  constructor(
    module: string,
    size: number,
    minSize: number | undefined,
    idleTimeoutMs: number,
    maxQueue: number,
    clock: Clock,
  ) {
    this.module = module;
    this.size = size;
    this.#minSize = minSize;
    this.idleTimeoutMs = idleTimeoutMs;
    this.maxQueue = maxQueue;
    this.clock = clock;
  }

  /** The fewest workers kept once started. */
  get minSize(): number {
    const min = this.#minSize;
    return min === undefined || min > this.size ? this.size : min;
  }

  /** Queues a validated task. */
  submit(
    name: string,
    arg: unknown,
    priority: number,
    timeoutMs: number,
    transfer: readonly TransferItem[] | undefined,
    terminate: boolean,
    signal: AbortSignal | undefined,
  ): Future<unknown> {
    if (this.#state !== OPEN) {
      return Future.reject(
        new InvalidStateError("Cannot run the task as the pool is closed"),
      );
    }
    if (this.#loadError !== undefined) return Future.reject(this.#loadError);
    const names = this.#names;
    if (names !== undefined && !names.has(name)) {
      return Future.reject(
        new TypeError(invalidMessage(
          "run the task",
          "name",
          `the name of a function exported by ${this.module}`,
          name,
        )),
      );
    }
    const queue = this.#queue;
    // Tasks queued for a free worker are about to run: they do not wait.
    const free = this.#freeWorkers();
    if (queue.size >= this.maxQueue + free) {
      return Future.reject(
        new QueueFullError(this.size, this.maxQueue, queue.size - free),
      );
    }
    const task = new PoolTask(
      ++this.#ids,
      name,
      arg,
      priority,
      timeoutMs,
      transfer,
      terminate,
    );
    if (signal !== undefined) {
      task.registration = onAbort(
        signal,
        (reason) => this.#abort(task, reason),
      );
    }
    queue.push(task);
    if (!this.#dispatchQueued) {
      this.#dispatchQueued = true;
      queueMicrotask(this.#dispatch);
    }
    return task.future;
  }

  /** Starts waiting tasks after `paused` is cleared or `size` is raised. */
  wake(): void {
    this.#dispatchNow();
  }

  /** Sets the number of workers; surplus workers stop once their work ends. */
  resize(size: number): void {
    this.size = size;
    let alive = this.#alive();
    // Stop starting workers first, then idle ones, then busy ones (those
    // finish what they were sent).
    for (const rank of [0, 1, 2]) {
      for (const slot of [...this.#slots]) {
        if (alive <= size) break;
        const load = slot.inflight.length;
        const r = slot.state === STARTING ? 0 : load === 0 ? 1 : 2;
        if (r !== rank || (slot.state !== STARTING && slot.state !== UP)) {
          continue;
        }
        alive--;
        if (rank === 2) slot.state = RETIRING;
        else this.#stop(slot);
      }
    }
    this.#dispatchNow();
  }

  /** A future of an idle pool: nothing queued, nothing running. */
  onIdle(signal: AbortSignal | undefined): Future<void> {
    if (this.#isIdle()) return Future.resolve();
    const future = pendingFuture<void>();
    (this.#idleWaiters ??= []).push(future);
    return signal === undefined ? future : future.wait({ signal });
  }

  /** Finishes the queued work, then stops every worker. */
  close(): Future<void> {
    if (this.#state === OPEN) {
      this.#state = CLOSING;
      this.paused = false;
    }
    const stopped = this.#stopped ??= pendingFuture<void>();
    this.#dispatchNow();
    return stopped;
  }

  /** Rejects queued and running tasks with `reason`, stops every worker. */
  terminate(reason: unknown): Future<void> {
    const stopped = this.#stopped ??= pendingFuture<void>();
    if (this.#state === CLOSED) return stopped;
    this.#state = CLOSED;
    const why = reason === undefined
      ? abortError("The worker pool was terminated")
      : reason;
    // Asked for: these rejections are not reported when nobody awaits them.
    const end = (task: PoolTask): void => {
      if (task.state === DONE) return;
      this.#finish(task, false, why);
      task.future.then(undefined, noop);
    };
    for (const task of this.#queue.clear()) end(task);
    this.#stopAll(end);
    this.#notifyIdle();
    return stopped;
  }

  /** A snapshot of the statistics. */
  stats(): WorkerPoolStats {
    const now = systemClock.now();
    return this.#stats.snapshot(
      this.#slots.map((slot) => now - slot.bornAt),
      this.#running,
      this.#queue.size,
    );
  }

  /** Tasks sent to workers and not reported. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.#queue.size;
  }

  // ------------------------------------------------------------ dispatch

  #dispatchNow(): void {
    this.#dispatchQueued = false;
    if (this.#state === CLOSED) return;
    const queue = this.#queue;
    if (!this.paused) {
      while (queue.size > 0) {
        const slot = this.#pick((queue.peek() as PoolTask).terminate);
        if (slot === undefined) break;
        this.#send(slot);
      }
      if (queue.size > 0) this.#grow();
    }
    this.#settleIdle();
  }

  /** The ready worker with the least work that may take the next batch. */
  #pick(alone: boolean): Slot | undefined {
    // Small tasks: a worker may hold one batch beyond the one it runs.
    const limit = alone ? 0 : this.#batching.inFlightLimit();
    let best: Slot | undefined;
    let least = Infinity;
    for (const slot of this.#slots) {
      if (slot.state !== UP || slot.exclusive) continue;
      const load = slot.inflight.length;
      if (load > limit || load >= least) continue;
      best = slot;
      least = load;
      if (load === 0) break;
    }
    return best;
  }

  #send(slot: Slot): void {
    const queue = this.#queue;
    let ready = 0;
    for (const s of this.#slots) if (s.state === UP && !s.exclusive) ready++;
    const share = Math.ceil(queue.size / (ready || 1));
    const n = Math.min(this.#batching.batchSize(), share);
    const message: unknown[] = [RUN];
    const batch: PoolTask[] = [];
    let transfer: TransferItem[] | undefined;
    while (batch.length < n) {
      const task = queue.peek();
      if (task === undefined || (task.terminate && batch.length > 0)) break;
      queue.pop();
      batch.push(task);
      message.push(task.id, task.name, task.arg);
      if (task.transfer !== undefined) (transfer ??= []).push(...task.transfer);
      if (task.terminate) break;
    }
    const now = systemClock.now();
    try {
      slot.post(message, transfer);
    } catch {
      // Some argument cannot be cloned: send one by one, so only its task
      // fails (with the DataCloneError).
      for (const task of batch) {
        try {
          slot.post(
            [RUN, task.id, task.name, task.arg],
            task.transfer === undefined ? undefined : [...task.transfer],
          );
        } catch (error) {
          this.#finish(task, false, error);
          continue;
        }
        this.#sent(slot, task, now);
      }
      return;
    }
    for (const task of batch) this.#sent(slot, task, now);
  }

  #sent(slot: Slot, task: PoolTask, now: number): void {
    // Sent again after its worker died before starting it: waited once.
    if (task.slot === undefined) this.#stats.sent(now - task.queuedAt);
    task.state = SENT;
    task.slot = slot;
    slot.inflight.push(task);
    this.#running++;
    if (task.terminate) slot.exclusive = true;
    if (task.timeoutMs >= 0) {
      task.timer = this.#timerQueue().schedule(
        () => this.#expire(task),
        task.timeoutMs,
      );
    }
    slot.working();
  }

  /** Starts workers for the queued tasks, up to `size`. */
  #grow(): void {
    if (this.#loadError !== undefined) return;
    let alive = 0;
    let starting = 0;
    for (const slot of this.#slots) {
      if (slot.state === STARTING) (alive++, starting++);
      else if (slot.state === UP) alive++;
    }
    const queued = this.#queue.size;
    while (alive < this.size && starting < queued) {
      this.#spawn();
      alive++;
      starting++;
    }
  }

  /** Idle workers: let the process exit (Node), stop those beyond minSize. */
  #settleIdle(): void {
    let alive = this.#alive();
    const min = this.minSize;
    for (const slot of this.#slots) {
      if (slot.state !== UP || slot.inflight.length !== 0) continue;
      if (alive <= min) slot.idle();
      else if (this.idleTimeoutMs === 0) {
        alive--;
        this.#stop(slot);
      } else {
        slot.idle(this.idleTimeoutMs, () => {
          if (
            slot.state === UP && slot.inflight.length === 0 &&
            this.#alive() > this.minSize
          ) this.#stop(slot);
        });
      }
    }
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    if (waiters !== undefined) {
      this.#idleWaiters = undefined;
      for (const future of waiters) resolveFuture(future, undefined);
    }
    if (this.#state === CLOSING) {
      this.#state = CLOSED;
      this.#stopAll(noop);
    }
  }

  #isIdle(): boolean {
    return this.#running === 0 &&
      (this.#queue.size === 0 || this.#state === CLOSED);
  }

  // ------------------------------------------------------------- workers

  #spawn(): void {
    const slot: Slot = new WorkerSlot(() => this.#timerQueue());
    this.#slots.push(slot);
    const starting = slot.start(this.module, this.#events);
    if (starting !== undefined) this.#track(starting);
  }

  #onResults(slot: Slot, data: unknown[]): void {
    const elapsed = data[1] as number;
    const n = (data.length - 2) >> 1;
    this.#batching.record(elapsed, n);
    this.#stats.reported(elapsed, n);
    const inflight = slot.inflight;
    for (let i = 2; i < data.length; i += 2) {
      const task = inflight.shift();
      if (task === undefined) break;
      this.#running--;
      if (task.state === DONE) continue;
      const status = data[i];
      if (status === OK) this.#finish(task, true, data[i + 1]);
      else if (status === FAILED) {
        this.#finish(task, false, decode(data[i + 1] as Encoded));
      } else this.#finish(task, false, abortError());
    }
    if (inflight.length === 0) {
      slot.exclusive = false;
      if (slot.state === RETIRING) this.#stop(slot);
    }
    this.#dispatchNow();
  }

  /**
   * A worker crashed or exited: another takes its place. When the worker
   * said which task it was running (`running`, 0 for none), only that one
   * fails and the tasks sent with it, which it never started, are queued
   * again (unless their argument was transferred: it is gone); else every
   * task it held fails.
   */
  #crashed(
    slot: Slot,
    error: unknown,
    code: number | undefined,
    running: number | undefined,
  ): void {
    if (slot.state === DEAD) return;
    if (slot.state === STARTING) {
      this.#loadFailed(
        error ??
          new Error(`The worker exited with code ${code} while loading`),
      );
      return;
    }
    const crash = error === undefined
      ? new WorkerCrashedError(code)
      : new WorkerCrashedError(undefined, { cause: error });
    this.#replace(slot, crash, running);
  }

  /**
   * Stops `slot`, fails its unfinished tasks (but for those it never
   * started when `running` names the one it ran), starts a replacement.
   */
  #replace(slot: Slot, reason: unknown, running?: number): void {
    const retiring = slot.state === RETIRING;
    this.#stop(slot);
    for (const task of slot.inflight.drain()) {
      this.#running--;
      if (
        running !== undefined && task.id !== running &&
        task.state === SENT && task.transfer === undefined &&
        this.#state !== CLOSED
      ) {
        this.#requeue(task);
      } else this.#finish(task, false, reason);
    }
    if (!retiring && this.#state !== CLOSED && this.#alive() < this.minSize) {
      this.#spawn();
    }
    this.#dispatchNow();
  }

  /** Puts a task its dead worker never started back in the queue. */
  #requeue(task: PoolTask): void {
    task.state = QUEUED;
    if (task.timer !== undefined) {
      this.#timerQueue().cancel(task.timer);
      task.timer = undefined;
    }
    this.#queue.push(task);
  }

  #loadFailed(cause: unknown): void {
    if (this.#loadError !== undefined) return;
    const error = this.#loadError = new WorkerLoadError(this.module, {
      cause,
    });
    const end = (task: PoolTask): void => this.#finish(task, false, error);
    for (const task of this.#queue.clear()) end(task);
    this.#stopAll(end);
    this.#notifyIdle();
  }

  /** Stops every worker; `end` receives their unreported tasks. */
  #stopAll(end: (task: PoolTask) => void): void {
    for (const slot of [...this.#slots]) {
      this.#stop(slot);
      for (const task of slot.inflight.drain()) {
        this.#running--;
        end(task);
      }
    }
    const stopped = this.#stopped;
    if (this.#state === CLOSED && stopped !== undefined) {
      // A worker still starting (Node, loading node:worker_threads) is
      // terminated once it exists: wait for that too.
      const terminations = this.#terminations;
      const settle = (): void => {
        if (stopped.isSettled) return;
        if (terminations.size === 0) resolveFuture(stopped, undefined);
        else Promise.all(terminations).then(settle);
      };
      settle();
    }
  }

  /** Removes `slot` from the pool and terminates its worker. */
  #stop(slot: Slot): void {
    if (slot.state === DEAD) return;
    const slots = this.#slots;
    slots.splice(slots.indexOf(slot), 1);
    this.#stats.workerEnded(systemClock.now() - slot.bornAt);
    const termination = slot.stop();
    if (termination !== undefined) this.#track(termination);
  }

  #track(termination: Promise<void>): void {
    const set = this.#terminations;
    const done: Promise<void> = termination.then(noop, noop).then(() => {
      set.delete(done);
    });
    set.add(done);
  }

  #alive(): number {
    let alive = 0;
    for (const slot of this.#slots) {
      if (slot.state === STARTING || slot.state === UP) alive++;
    }
    return alive;
  }

  /** Workers that would take a task now or once started. */
  #freeWorkers(): number {
    let busy = 0;
    for (const slot of this.#slots) {
      if (slot.state === UP && slot.inflight.length !== 0) busy++;
    }
    const free = this.size - busy;
    return free > 0 ? free : 0;
  }

  // ----------------------------------------------------------- task ends

  #abort(task: PoolTask, reason: unknown): void {
    if (task.state === QUEUED) {
      this.#queue.remove(task);
      this.#finish(task, false, reason);
      this.#notifyIdle();
    } else if (task.state === SENT) {
      this.#finish(task, false, reason);
      this.#stopRunning(task, reason);
    }
  }

  #expire(task: PoolTask): void {
    task.timer = undefined;
    if (task.state !== SENT) return;
    const reason = timeoutError(task.timeoutMs);
    this.#finish(task, false, reason);
    this.#stopRunning(task, reason);
  }

  /** A running task was aborted: tell its worker, or replace the worker. */
  #stopRunning(task: PoolTask, reason: unknown): void {
    const slot = task.slot as Slot;
    if (slot.state === DEAD) return;
    if (task.terminate) {
      this.#replace(slot, reason);
      return;
    }
    try {
      slot.post([ABORT, task.id, encode(reason)]);
    } catch {
      // Nothing to do: the task's future is settled already.
    }
  }

  /** Settles a task's future once, and releases what the task held. */
  #finish(task: PoolTask, ok: boolean, value: unknown): void {
    if (task.state === DONE) return;
    task.state = DONE;
    task.arg = undefined;
    const registration = task.registration;
    if (registration !== undefined) {
      task.registration = undefined;
      registration[Symbol.dispose]();
    }
    if (task.timer !== undefined) {
      this.#timerQueue().cancel(task.timer);
      task.timer = undefined;
    }
    if (ok) {
      this.#stats.completed++;
      resolveFuture(task.future, value);
    } else {
      this.#stats.failed++;
      rejectFuture(task.future, value);
    }
  }

  #timerQueue(): TimerQueue {
    return this.#timers ??= timerQueueFor(this.clock);
  }
}
