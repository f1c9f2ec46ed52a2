/**
 * One worker as a `WorkerPool` sees it: the host worker, its state, the
 * tasks sent to it in the order sent, its idle timer, and the translation
 * of its messages into the pool's events. The pool decides; the slot keeps
 * the worker's own bookkeeping.
 *
 * @module
 */

import { systemClock } from "../core/clock.ts";
import { RingQueue } from "../core/_ring.ts";
import type { QueuedTimer, TimerQueue } from "../core/_timer_queue.ts";
import {
  CRASH,
  decode,
  type Encoded,
  EXIT,
  INIT,
  LOAD_ERROR,
  READY,
  RESULTS,
} from "./_protocol.ts";
import { startWorker, type WorkerHost } from "./_worker_host.ts";
import type { TransferItem } from "./transfer.ts";

/** Started, its module not yet loaded. */
export const STARTING = 0;
/** Ready for tasks. */
export const UP = 1;
/** Takes no more tasks; stops once those it holds return. */
export const RETIRING = 2;
/** Stopped. */
export const DEAD = 3;

/** What a slot reports to its pool. */
export interface SlotEvents<T> {
  /** The module loaded; `names` are its functions. */
  ready(slot: WorkerSlot<T>, names: string[]): void;
  /** A `RESULTS` message (see `_protocol.ts`). */
  results(slot: WorkerSlot<T>, data: unknown[]): void;
  /** The worker could not start or load the module. */
  loadFailed(cause: unknown): void;
  /**
   * The worker crashed (`error`) or exited (`code`). `running` is the id of
   * the task it was running (0: none) when the worker said so before it
   * ended, `undefined` when the host reported the end.
   */
  crashed(
    slot: WorkerSlot<T>,
    error: unknown,
    code: number | undefined,
    running?: number,
  ): void;
}

/** One worker of a pool, holding tasks of type `T`. */
export class WorkerSlot<T> {
  /** `STARTING`, `UP`, `RETIRING` or `DEAD`. */
  state: number = STARTING;
  /** The tasks sent and not reported, in the order sent. */
  readonly inflight: RingQueue<T> = new RingQueue<T>();
  /** Holds a task with `abort: "terminate"`: takes nothing else. */
  exclusive = false;
  /** When it started, on the system clock. */
  readonly bornAt: number = systemClock.now();
  #host: WorkerHost | undefined = undefined;
  #busy = true;
  #idleTimer: QueuedTimer | undefined = undefined;
  readonly #timers: () => TimerQueue;

  /** @param timers The pool's timer queue, created on first use. */
  constructor(timers: () => TimerQueue) {
    this.#timers = timers;
  }

  /**
   * Starts the worker and has it load `module`. Returns a promise while the
   * host is still starting it (Node without `process.getBuiltinModule`),
   * which settles once it has started or failed to.
   */
  start(module: string, events: SlotEvents<T>): Promise<void> | undefined {
    let host: WorkerHost | Promise<WorkerHost>;
    try {
      host = startWorker(module, {
        message: (data) => this.#onMessage(data, events),
        error: (error) => events.crashed(this, error, undefined),
        exit: (code) => events.crashed(this, undefined, code),
      });
    } catch (error) {
      events.loadFailed(error);
      return undefined;
    }
    if (!(host instanceof Promise)) {
      this.#attach(host, module);
      return undefined;
    }
    return host.then(
      (h) => this.#attach(h, module),
      (error) => events.loadFailed(error),
    );
  }

  /** Posts a message; throws a `DataCloneError` when it cannot be cloned. */
  post(message: unknown[], transfer?: TransferItem[]): void {
    (this.#host as WorkerHost).post(message, transfer);
  }

  /** It has work: no idle timer, and it keeps the process alive (Node). */
  working(): void {
    if (this.#idleTimer !== undefined) {
      this.#timers().cancel(this.#idleTimer);
      this.#idleTimer = undefined;
    }
    if (!this.#busy) {
      this.#busy = true;
      this.#host?.keepAlive(true);
    }
  }

  /**
   * It has no work: it lets the process exit (Node), and with `timeoutMs`,
   * `onTimeout` runs after that long without work (once armed, the timer
   * stays until the slot gets work or stops).
   */
  idle(timeoutMs?: number, onTimeout?: () => void): void {
    if (this.#busy) {
      this.#busy = false;
      this.#host?.keepAlive(false);
    }
    if (onTimeout !== undefined && this.#idleTimer === undefined) {
      this.#idleTimer = this.#timers().schedule(() => {
        this.#idleTimer = undefined;
        onTimeout();
      }, timeoutMs ?? 0);
    }
  }

  /**
   * Marks it `DEAD` and terminates its worker (once started, for one still
   * starting). Returns the termination, or `undefined` when there is no
   * worker yet.
   */
  stop(): Promise<void> | undefined {
    this.state = DEAD;
    if (this.#idleTimer !== undefined) {
      this.#timers().cancel(this.#idleTimer);
      this.#idleTimer = undefined;
    }
    return this.#host?.terminate();
  }

  /** Returns the termination of a worker stopped while it started. */
  #attach(host: WorkerHost, module: string): Promise<void> | undefined {
    this.#host = host;
    if (this.state === DEAD) return host.terminate();
    host.post([INIT, module]);
    return undefined;
  }

  #onMessage(data: unknown[], events: SlotEvents<T>): void {
    if (this.state === DEAD) return;
    switch (data[0]) {
      case RESULTS:
        events.results(this, data);
        break;
      case READY:
        if (this.state === STARTING) this.state = UP;
        events.ready(this, data[1] as string[]);
        break;
      case LOAD_ERROR:
        events.loadFailed(decode(data[1] as Encoded));
        break;
      case EXIT:
        events.crashed(this, undefined, data[1] as number, data[2] as number);
        break;
      case CRASH:
        events.crashed(
          this,
          decode(data[1] as Encoded),
          undefined,
          data[2] as number,
        );
        break;
    }
  }
}
