/**
 * The task record of the priority scheduler (also the handle and context its
 * callers see), its ready queues, and the names and checks of priorities.
 *
 * @module
 */

import type { Future } from "../future/future.ts";
import { Completer } from "../future/completer.ts";
import { rangeError, typeError } from "../core/_validate.ts";
import type { HeapEntry } from "../core/_heap.ts";
import { RingQueue } from "../core/_ring.ts";
import type {
  PriorityTaskContext,
  PriorityTaskHandle,
  PriorityTaskState,
  TaskPriority,
} from "./priority_task.ts";

/** The priorities by level: index 0 is the highest. */
export const PRIORITIES: readonly TaskPriority[] = [
  "immediate",
  "high",
  "normal",
  "low",
  "idle",
];

const LEVELS = new Map<unknown, number>(PRIORITIES.map((p, i) => [p, i]));
const CONSTRAINT = `one of ${PRIORITIES.map((p) => `"${p}"`).join(", ")}`;

/** Validates a priority and returns its level. */
export function levelOf(action: string, value: unknown): number {
  if (typeof value !== "string") {
    typeError(action, "priority", CONSTRAINT, value);
  }
  const level = LEVELS.get(value);
  if (level === undefined) rangeError(action, "priority", CONSTRAINT, value);
  return level;
}

const GeneratorPrototype = Object.getPrototypeOf(function* () {}).prototype;

/** Whether `x` is a generator object (of a generator function). */
export function isGenerator(
  x: unknown,
): x is Generator<unknown, unknown, unknown> {
  if (typeof x !== "object" || x === null) return false;
  // Fast path: a generator's prototype chain is function.prototype, then
  // the shared generator prototype; otherwise ask for the tag.
  const proto = Object.getPrototypeOf(x);
  return (proto !== null &&
    Object.getPrototypeOf(proto) === GeneratorPrototype) ||
    Object.prototype.toString.call(x) === "[object Generator]";
}

/** Whether `x` has a `then` method. */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return ((typeof x === "object" && x !== null) || typeof x === "function") &&
    typeof (x as { then?: unknown }).then === "function";
}

function noop(): void {}

function report(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** The scheduler side of a task (implemented by `PriorityScheduler`). */
export interface TaskHost {
  cancelTask(task: Task, reason: unknown): boolean;
  shouldYield(task: Task): boolean;
}

/** A scheduled task: queue entry, handle and context in one object. */
export class Task
  implements PriorityTaskHandle<unknown>, PriorityTaskContext, HeapEntry {
  // Heap entry of the delay queue.
  deadline = 0;
  seq = 0;
  index = -1;
  /** The current level (index into PRIORITIES). */
  level: number;
  state: PriorityTaskState = "queued";
  /** When waiting in a queue, the time at which aging raises the task. */
  promoteAt: number = Infinity;
  fn: ((ctx: PriorityTaskContext) => unknown) | undefined;
  gen: Generator<unknown, unknown, unknown> | undefined = undefined;
  /** The value (or error, when `sendThrow`) for the next generator step. */
  send: unknown = undefined;
  sendThrow = false;
  readonly completer: Completer<unknown> = new Completer();
  externalSignal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  controller: AbortController | undefined = undefined;
  readonly host: TaskHost;

  constructor(
    host: TaskHost,
    fn: (ctx: PriorityTaskContext) => unknown,
    level: number,
  ) {
    this.host = host;
    this.fn = fn;
    this.level = level;
  }

  get future(): Future<unknown> {
    return this.completer.future;
  }

  get priority(): TaskPriority {
    return PRIORITIES[this.level]!;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.state === "cancelled") {
        this.controller.abort(this.completer.future.reason);
      }
    }
    return this.controller.signal;
  }

  shouldYield(): boolean {
    return this.host.shouldYield(this);
  }

  /**
   * Rejects the future with a cancellation reason. A cancellation is a
   * requested outcome, not an error: the rejection counts as handled, so a
   * cancelled task nobody awaits is not reported.
   */
  rejectCancelled(reason: unknown): void {
    this.completer.future.then(undefined, noop);
    this.completer.reject(reason);
  }

  /** Closes a cancelled generator so that its finally blocks run. */
  close(): void {
    const gen = this.gen;
    this.gen = undefined;
    if (gen === undefined) return;
    try {
      // A finally block may itself yield: keep returning (bounded).
      for (let i = 0; i < 1000 && !gen.return(undefined).done; i++);
    } catch (e) {
      report(e);
    }
  }

  cancel(reason?: unknown): boolean {
    return this.host.cancelTask(
      this,
      reason === undefined
        ? new DOMException("The task was cancelled", "AbortError")
        : reason,
    );
  }
}

/**
 * The ready tasks of the scheduler: per level, a ring of yielded
 * continuations and a ring of tasks not yet started (continuations run
 * first). Cancelled tasks stay in their ring until they reach its head; the
 * live counts ignore them.
 */
export class ReadyQueues {
  readonly #conts: RingQueue<Task>[] = PRIORITIES.map(() => new RingQueue());
  readonly #tasks: RingQueue<Task>[] = PRIORITIES.map(() => new RingQueue());
  readonly #live: number[] = PRIORITIES.map(() => 0);
  #size = 0;
  readonly #agingMs: number;

  /** @param agingMs The aging period (`Infinity`: no aging). */
  constructor(agingMs: number) {
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
  push(t: Task, continuation: boolean, now: number): void {
    t.state = "queued";
    t.promoteAt = now + this.#agingMs;
    (continuation ? this.#conts : this.#tasks)[t.level]!.push(t);
    this.#live[t.level]!++;
    this.#size++;
  }

  /** Forgets a queued task that was cancelled (it stays until shifted). */
  forget(t: Task): void {
    this.#live[t.level]!--;
    if (--this.#size === 0) {
      for (const ring of this.#conts) ring.drain();
      for (const ring of this.#tasks) ring.drain();
    }
  }

  /** The live queued tasks, in no particular order. */
  values(): Task[] {
    const out: Task[] = [];
    for (const ring of [...this.#conts, ...this.#tasks]) {
      for (let i = 0; i < ring.length; i++) {
        const t = ring.at(i)!;
        if (t.state === "queued") out.push(t);
      }
    }
    return out;
  }

  /** Removes and returns the next task to run, or `undefined`. */
  shift(): Task | undefined {
    if (this.#size === 0) return undefined;
    for (let level = 0; level < PRIORITIES.length; level++) {
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
   * normal, low and idle only), to the tail of the same kind of ring. Each
   * ring is in promotion-time order, so only heads are looked at.
   */
  age(now: number): void {
    if (this.#agingMs === Infinity) return;
    for (let level = 2; level < PRIORITIES.length; level++) {
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

function shiftLive(ring: RingQueue<Task>): Task | undefined {
  for (let t = ring.shift(); t !== undefined; t = ring.shift()) {
    if (t.state === "queued") return t;
  }
  return undefined;
}
