/**
 * The prioritized task queues behind `EventLoop.postTask`: three priorities
 * (`scheduler.postTask`'s), each with a continuation queue that runs before
 * its task queue, and delayed tasks held in a heap until due.
 *
 * @module
 */

import { closeGenerator, isGenerator } from "../core/_generator.ts";
import { DeadlineHeap, type HeapEntry } from "../core/_heap.ts";
import { RingQueue } from "../core/_ring.ts";
import { typeError } from "../core/_validate.ts";
import type { AnyFn, Job, LoopEngine } from "./_loop_engine.ts";
import { type MicrotaskQueue, SimulatedPromise } from "./simulated_async.ts";

// The priorities of `postTask`, highest first, and their trace queues.
const PRIORITIES = ["user-blocking", "user-visible", "background"] as const;
const QUEUES = [
  "postTask:user-blocking",
  "postTask:user-visible",
  "postTask:background",
];

/**
 * The index of a `postTask` priority (0 is the highest).
 *
 * @throws {TypeError} When `priority` is not one of the three.
 */
export function postTaskLevel(action: string, priority: unknown): number {
  const level = PRIORITIES.indexOf(priority as typeof PRIORITIES[number]);
  if (level < 0) {
    typeError(
      action,
      "priority",
      '"user-blocking", "user-visible" or "background"',
      priority,
    );
  }
  return level;
}

const YIELDS = [
  "yield:user-blocking",
  "yield:user-visible",
  "yield:background",
];

function noop(): void {}

/** The index of a task source's priority, or -1 for any other source. */
export function taskSourceLevel(source: string): number {
  return QUEUES.indexOf(source);
}

class Posted implements HeapEntry {
  deadline = 0;
  seq = 0;
  index = -1;
  /** The queueing order once queued (see `Profile.taskSources`). */
  order = 0;
  /** Whether it is a `scheduler.yield()` continuation. */
  continuation = false;
  gen: Generator<unknown, unknown, unknown> | undefined = undefined;
  done = false;
  /** Whether its slice is running (an abort then closes it after). */
  running = false;
  job!: Job;
  resolve!: (v: unknown) => void;
  reject!: (e: unknown) => void;
  onAbort: (() => void) | undefined = undefined;
  constructor(
    readonly fn: AnyFn,
    readonly priority: number,
    readonly signal: AbortSignal | undefined,
  ) {}
}

/** The queues of posted tasks. */
export class PostTaskQueues {
  readonly #e: LoopEngine;
  readonly #host: MicrotaskQueue;
  readonly #cont = [
    new RingQueue<Posted>(),
    new RingQueue<Posted>(),
    new RingQueue<Posted>(),
  ];
  readonly #tasks = [
    new RingQueue<Posted>(),
    new RingQueue<Posted>(),
    new RingQueue<Posted>(),
  ];
  readonly #delayed = new DeadlineHeap<Posted>();
  #live = 0;
  /** The priority of the task whose slice (and checkpoint) runs, or -1. */
  #running = -1;

  constructor(engine: LoopEngine, host: MicrotaskQueue) {
    this.#e = engine;
    this.#host = host;
  }

  /** The number of tasks not yet finished. */
  get size(): number {
    return this.#live;
  }

  /** Posts a task (validated by the caller). */
  post(
    fn: AnyFn,
    priority: number,
    delay: number,
    signal: AbortSignal | undefined,
  ): SimulatedPromise<unknown> {
    if (signal?.aborted) {
      return SimulatedPromise.reject(this.#host, signal.reason);
    }
    const t = new Posted(fn, priority, signal);
    const promise = new SimulatedPromise<unknown>(this.#host, (res, rej) => {
      t.resolve = res;
      t.reject = rej;
    });
    t.job = this.#jobFor(t);
    this.#live++;
    if (signal !== undefined) {
      t.onAbort = () => this.#abort(t);
      signal.addEventListener("abort", t.onAbort, { once: true });
    }
    if (delay > 0) {
      t.deadline = this.#e.now + delay;
      t.seq = this.#e.seq++;
      this.#delayed.push(t);
    } else {
      t.order = this.#e.seq++;
      this.#tasks[priority]!.push(t);
    }
    return promise;
  }

  /**
   * `scheduler.yield()`: a continuation task at the priority of the task
   * running now (user-visible outside one), whose promise resolves when it
   * runs.
   */
  yield(): SimulatedPromise<void> {
    const priority = this.#running >= 0 ? this.#running : 1;
    let resolve!: (v: unknown) => void;
    const promise = new SimulatedPromise<void>(this.#host, (res) => {
      resolve = res as (v: unknown) => void;
    });
    const t = new Posted(noop, priority, undefined);
    t.continuation = true;
    t.resolve = resolve;
    t.reject = noop;
    const e = this.#e;
    t.job = e.job(
      () => this.#finish(t, true, undefined),
      undefined,
      "scheduler.yield",
      e.trace === undefined ? undefined : "scheduler.yield() continuation",
    );
    t.order = e.seq++;
    this.#live++;
    this.#cont[priority]!.push(t);
    return promise;
  }

  /** Moves the delayed tasks due at `now` into their queues, in order. */
  promote(now: number): void {
    for (
      let t = this.#delayed.peek();
      t !== undefined && t.deadline <= now;
      t = this.#delayed.peek()
    ) {
      this.#delayed.pop();
      t.order = this.#e.seq++;
      this.#tasks[t.priority]!.push(t);
    }
  }

  /** The queueing order of the next task (not continuation) at `priority`. */
  headOrder(priority: number): number {
    const q = this.#tasks[priority]!;
    for (let t = q.peek(); t !== undefined; t = q.peek()) {
      if (!t.done) return t.order;
      q.shift();
    }
    return Infinity;
  }

  /** Runs the next continuation at `priority`; false when there is none. */
  runContinuation(priority: number): boolean {
    return this.#runFrom(this.#cont[priority]!, priority);
  }

  /** Runs the next task (not continuation) at `priority`. */
  runTask(priority: number): boolean {
    return this.#runFrom(this.#tasks[priority]!, priority);
  }

  /** The time the earliest delayed task becomes due, or Infinity. */
  nextDelayed(): number {
    return this.#delayed.peek()?.deadline ?? Infinity;
  }

  /** Whether a continuation or task is queued at `priority` (any when -1). */
  hasRunnable(priority = -1): boolean {
    for (let p = 0; p < 3; p++) {
      if (priority !== -1 && p !== priority) continue;
      if (this.#cont[p]!.length > 0 || this.#tasks[p]!.length > 0) return true;
    }
    return false;
  }

  /** Runs the next slice, the highest priority first. */
  run(): boolean {
    for (let p = 0; p < 3; p++) {
      if (this.runContinuation(p) || this.runTask(p)) return true;
    }
    return false;
  }

  #runFrom(q: RingQueue<Posted>, priority: number): boolean {
    for (let t = q.shift(); t !== undefined; t = q.shift()) {
      if (t.done) continue;
      const e = this.#e;
      this.#running = priority;
      try {
        if (t.continuation) {
          e.runTask(t.job, "task", YIELDS[priority]!, e.rules.continuation);
        } else e.runTask(t.job, "task", QUEUES[priority]!, e.rules.postTask);
      } finally {
        this.#running = -1;
      }
      return true;
    }
    return false;
  }

  /** Visits the queued tasks: continuations and tasks by priority, then delayed ones by deadline. */
  forEachQueued(
    visit: (queue: string, job: Job, due: number | undefined) => void,
  ): void {
    for (let p = 0; p < 3; p++) {
      for (const ring of [this.#cont[p]!, this.#tasks[p]!]) {
        for (let i = 0; i < ring.length; i++) {
          const t = ring.at(i)!;
          if (t.done) continue;
          visit(t.continuation ? YIELDS[p]! : QUEUES[p]!, t.job, undefined);
        }
      }
    }
    const delayed = this.#delayed.clear();
    delayed.sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
    for (const t of delayed) {
      this.#delayed.push(t);
      visit(QUEUES[t.priority]!, t.job, t.deadline);
    }
  }

  /** Drops every task without settling it (for `reset`). */
  reset(): void {
    for (const q of [...this.#cont, ...this.#tasks]) {
      for (let t = q.shift(); t !== undefined; t = q.shift()) this.#unlisten(t);
    }
    for (const t of this.#delayed.clear()) this.#unlisten(t);
    this.#live = 0;
  }

  #jobFor(t: Posted): Job {
    const e = this.#e;
    const api = `postTask(${PRIORITIES[t.priority]})`;
    const label = e.trace === undefined
      ? undefined
      : e.labelOf(t.fn, api, e.ids + 1);
    return e.job(() => this.#slice(t), undefined, api, label);
  }

  // One slice: the whole task, or a generator task up to its next yield.
  #slice(t: Posted): void {
    let step: IteratorResult<unknown, unknown>;
    try {
      if (t.gen === undefined) {
        const r = t.fn();
        if (!isGenerator(r)) return this.#finish(t, true, r);
        t.gen = r;
      }
      t.running = true;
      step = t.gen.next();
    } catch (e) {
      return this.#finish(t, false, e);
    } finally {
      t.running = false;
    }
    if (t.done) {
      // Aborted by its own slice: close it now that it is suspended.
      if (!step.done) closeGenerator(t.gen);
      return;
    }
    if (step.done) return this.#finish(t, true, step.value);
    t.job = this.#jobFor(t);
    this.#cont[t.priority]!.push(t);
  }

  #finish(t: Posted, ok: boolean, value: unknown): void {
    if (t.done) return;
    t.done = true;
    this.#live--;
    this.#unlisten(t);
    if (ok) t.resolve(value);
    else t.reject(value);
  }

  #unlisten(t: Posted): void {
    if (t.onAbort !== undefined) {
      t.signal!.removeEventListener("abort", t.onAbort);
      t.onAbort = undefined;
    }
  }

  #abort(t: Posted): void {
    if (t.done) return;
    this.#delayed.remove(t);
    this.#finish(t, false, t.signal!.reason);
    // A running generator is closed when its slice ends.
    if (t.gen !== undefined && !t.running) closeGenerator(t.gen);
  }
}
