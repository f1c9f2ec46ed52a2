/**
 * One timer heap per clock, behind one host timer armed for the earliest
 * deadline. Scheduling and cancelling are heap operations (O(log n)); the
 * host timer is touched only when the earliest deadline moves earlier, or
 * when the heap empties. On other clocks (a virtual clock's timer costs
 * nothing) an empty heap releases the timer at once, so `pendingTimers` is
 * exact after a cancel. On the system clock, whose host timer costs about
 * 1.5 µs to arm and clear, an empty heap keeps it for a few microtask turns,
 * so a burst of schedule-then-cancel pairs (a timeout on work that settles
 * first, even `await timeout(...)` in a loop) arms no host timer per pair;
 * the timer is still cleared before any macrotask runs, and nothing is left
 * armed once the work is done.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { systemClock } from "./clock.ts";
import { DeadlineHeap, type HeapEntry } from "./_heap.ts";
import { startTimer } from "./_timer.ts";

/** A scheduled entry; pass it back to {@linkcode TimerQueue.cancel}. */
export interface QueuedTimer extends HeapEntry {
  /** Runs when the deadline is reached. */
  callback: (() => void) | undefined;
}

/** A heap of timers sharing one host timer of `clock`. */
export class TimerQueue {
  readonly #clock: Clock;
  readonly #heap = new DeadlineHeap<QueuedTimer>();
  #seq = 0;
  // Clears the host timer, while one is armed.
  #stop: (() => void) | undefined = undefined;
  #armedAt = Infinity;
  #cleanupQueued = false;
  // Microtask turns an empty heap keeps its host timer armed (see above).
  readonly #lingerTurns: number;
  #linger = 0;
  readonly #onFire = (): void => this.#fire();
  readonly #cleanup = (): void => {
    if (this.#heap.size !== 0) {
      this.#cleanupQueued = false;
    } else if (this.#linger > 0) {
      this.#linger--;
      queueMicrotask(this.#cleanup);
    } else {
      this.#cleanupQueued = false;
      this.#disarm();
    }
  };

  /** @param clock The clock whose host timer this queue uses. */
  constructor(clock: Clock) {
    this.#clock = clock;
    this.#lingerTurns = clock === systemClock ? 8 : 0;
  }

  /** The clock of this queue. */
  get clock(): Clock {
    return this.#clock;
  }

  /** The number of scheduled entries. */
  get size(): number {
    return this.#heap.size;
  }

  /** Runs `callback` after `ms` milliseconds on the queue's clock. */
  schedule(callback: () => void, ms: number): QueuedTimer {
    return this.scheduleAt(this.#clock.now() + ms, callback);
  }

  /** Runs `callback` when the clock reaches `deadline`. */
  scheduleAt(deadline: number, callback: () => void): QueuedTimer {
    const entry: QueuedTimer = {
      deadline,
      seq: this.#seq++,
      index: -1,
      callback,
    };
    this.#heap.push(entry);
    if (deadline < this.#armedAt) this.#arm(deadline);
    return entry;
  }

  /** Cancels an entry; returns whether it was still scheduled. */
  cancel(entry: QueuedTimer): boolean {
    if (!this.#heap.remove(entry)) return false;
    entry.callback = undefined;
    if (this.#heap.size === 0) {
      // A virtual clock's timer costs nothing to clear: release it now, so
      // `pendingTimers` is exact right after a cancel.
      if (this.#lingerTurns === 0) {
        this.#disarm();
        return true;
      }
      this.#linger = this.#lingerTurns;
      if (!this.#cleanupQueued) {
        this.#cleanupQueued = true;
        queueMicrotask(this.#cleanup);
      }
    }
    return true;
  }

  #arm(deadline: number): void {
    const clock = this.#clock;
    this.#stop?.();
    const now = clock.now();
    let wait = deadline - now;
    if (wait < 0) wait = 0;
    this.#armedAt = now + wait;
    // A deadline past what a host timer holds is reached in hops.
    this.#stop = startTimer(clock, this.#onFire, wait);
  }

  #disarm(): void {
    const stop = this.#stop;
    if (stop !== undefined) {
      this.#stop = undefined;
      stop();
    }
    this.#armedAt = Infinity;
  }

  #fire(): void {
    this.#stop = undefined;
    // While firing, scheduling never arms: the loop below re-arms once.
    this.#armedAt = -Infinity;
    const heap = this.#heap;
    const now = this.#clock.now();
    // Run what is due; entries scheduled by callbacks for `now` run too.
    let error: unknown;
    let failed = false;
    for (;;) {
      const top = heap.peek();
      if (top === undefined || top.deadline > now) break;
      heap.pop();
      const cb = top.callback;
      top.callback = undefined;
      try {
        cb?.();
      } catch (e) {
        if (!failed) (failed = true, error = e);
      }
    }
    this.#armedAt = Infinity;
    const next = heap.peek();
    if (next !== undefined) this.#arm(next.deadline);
    if (failed) throw error;
  }
}

const queues = new WeakMap<Clock, TimerQueue>();

/** The shared timer queue of `clock`, created on first use. */
export function timerQueueFor(clock: Clock): TimerQueue {
  let queue = queues.get(clock);
  if (queue === undefined) {
    queue = new TimerQueue(clock);
    queues.set(clock, queue);
  }
  return queue;
}
