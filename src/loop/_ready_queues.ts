/**
 * The ready queues of the `PriorityScheduler`: per priority level, a ring of
 * yielded continuations and a ring of tasks not yet started (continuations
 * run first), with aging.
 *
 * @module
 */

import { RingQueue } from "../core/_ring.ts";

/** What the queues read and write on a task. */
export interface QueuedTask {
  /** The current level: 0 is the highest. */
  level: number;
  /** `"queued"` while in a queue; anything else means it left (cancelled). */
  state: string;
  /** When waiting in a queue, the time at which aging raises the task. */
  promoteAt: number;
}

/**
 * The ready tasks, by level. Cancelled tasks stay in their ring until they
 * reach its head; the live counts ignore them.
 */
export class ReadyQueues<T extends QueuedTask> {
  readonly #conts: RingQueue<T>[];
  readonly #tasks: RingQueue<T>[];
  readonly #live: number[];
  #size = 0;
  readonly #agingMs: number;

  /**
   * @param levels The number of levels.
   * @param agingMs The aging period (`Infinity`: no aging).
   */
  constructor(levels: number, agingMs: number) {
    this.#conts = Array.from({ length: levels }, () => new RingQueue<T>());
    this.#tasks = Array.from({ length: levels }, () => new RingQueue<T>());
    this.#live = Array.from({ length: levels }, () => 0);
    this.#agingMs = agingMs;
  }

  /** The number of live queued tasks. */
  get size(): number {
    return this.#size;
  }

  /** Whether a live task of a level above `level` is queued. */
  hasAbove(level: number): boolean {
    for (let l = 0; l < level; l++) if (this.#live[l]! > 0) return true;
    return false;
  }

  /** Queues `t` at the tail of its level, as a continuation or a new task. */
  push(t: T, continuation: boolean, now: number): void {
    t.state = "queued";
    t.promoteAt = now + this.#agingMs;
    (continuation ? this.#conts : this.#tasks)[t.level]!.push(t);
    this.#live[t.level]!++;
    this.#size++;
  }

  /** Forgets a queued task that was cancelled (it stays until shifted). */
  forget(t: T): void {
    this.#live[t.level]!--;
    if (--this.#size === 0) {
      for (const ring of this.#conts) ring.drain();
      for (const ring of this.#tasks) ring.drain();
    }
  }

  /** The live queued tasks, in no particular order. */
  values(): T[] {
    const out: T[] = [];
    for (const ring of [...this.#conts, ...this.#tasks]) {
      for (let i = 0; i < ring.length; i++) {
        const t = ring.at(i)!;
        if (t.state === "queued") out.push(t);
      }
    }
    return out;
  }

  /** Removes and returns the next task to run, or `undefined`. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    for (let level = 0; level < this.#live.length; level++) {
      if (this.#live[level] === 0) continue;
      const t = shiftLive(this.#conts[level]!) ??
        shiftLive(this.#tasks[level]!);
      if (t !== undefined) {
        this.#live[level]!--;
        this.#size--;
        return t;
      }
    }
    return undefined;
  }

  /**
   * Aging: raises each task whose promotion time has come one level (from
   * level 2 and below: normal, low and idle, so nothing rises into the top
   * level), to the tail of the same kind of ring. Each ring is in promotion-time order, so only heads
   * are looked at.
   */
  age(now: number): void {
    if (this.#agingMs === Infinity) return;
    for (let level = 2; level < this.#live.length; level++) {
      for (const rings of [this.#conts, this.#tasks]) {
        const ring = rings[level]!;
        for (let t = ring.peek(); t !== undefined; t = ring.peek()) {
          if (t.state !== "queued") ring.shift();
          else if (t.promoteAt <= now) {
            ring.shift();
            this.#live[level]!--;
            this.#size--;
            t.level = level - 1;
            this.push(t, rings === this.#conts, now);
          } else break;
        }
      }
    }
  }
}

function shiftLive<T extends QueuedTask>(ring: RingQueue<T>): T | undefined {
  for (let t = ring.shift(); t !== undefined; t = ring.shift()) {
    if (t.state === "queued") return t;
  }
  return undefined;
}
