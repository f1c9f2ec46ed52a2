/**
 * The two loop models of `EventLoop`, as one stepper: `step(limit)` runs the
 * next task, phase callback or rendering step (with its checkpoint) due by
 * virtual time `limit`, moving time forward as the loop would wait.
 *
 * - `"html"`: pick one runnable task from the profile's task sources by
 *   priority; the sources of one group run in queueing order (a delayed
 *   task is queued when the loop first sees it due: timers, then `postTask`,
 *   then `AbortSignal.timeout`); after a task, if a rendering opportunity is
 *   due and frame callbacks are waiting, run the frame.
 * - `"phases"`: libuv turns (timers, pending, poll, check, close). The timers
 *   phase runs the timers due at the time it started (armed before it);
 *   pending delivers Deno's
 *   messages of earlier turns; poll delivers Node's messages and waits for
 *   the next timer unless immediates or messages wait (and stops when only
 *   unref'd timers are left); check runs the immediates queued before it.
 *
 * @module
 */

import { DeadlineHeap, type HeapEntry } from "../core/_heap.ts";
import { RingQueue } from "../core/_ring.ts";
import type { Job, LoopEngine } from "./_loop_engine.ts";
import { MessageHub } from "./_message_ports.ts";
import { PostTaskQueues, taskSourceLevel } from "./_post_task.ts";
import type { MicrotaskQueue } from "./simulated_async.ts";

// Sources of the HTML model's selection plan (postTask: 10 + priority).
const TIMERS = 0, MESSAGES = 1, EVENTS = 2, ABORTS = 3, POSTED = 10;

function sourceId(source: string): number {
  switch (source) {
    case "timers":
      return TIMERS;
    case "messages":
      return MESSAGES;
    case "events":
      return EVENTS;
    case "abort-timeouts":
      return ABORTS;
    default:
      return POSTED + taskSourceLevel(source);
  }
}

/** A step of the HTML selection: continuations of a priority, or a group. */
interface PlanStep {
  /** The postTask priority whose continuations run, or -1. */
  readonly continuation: number;
  /** The sources of the group (run in queueing order). */
  readonly sources: readonly number[];
}

/** An `AbortSignal.timeout` timer of the HTML model. */
class AbortTimer implements HeapEntry {
  deadline = 0;
  seq = 0;
  index = -1;
  constructor(readonly job: Job) {}
}

/** Immediates, frames, posted tasks, messages, and the loop models. */
export class LoopTurns {
  readonly #e: LoopEngine;
  readonly immediates: RingQueue<Job> = new RingQueue();
  readonly tasks: PostTaskQueues;
  readonly messages: MessageHub;
  /** Frame callbacks waiting for the next rendering opportunity. */
  frames: Map<number, Job> = new Map();
  /** The callbacks of the frame being run (cancellable until they run). */
  #running: Map<number, Job> | undefined = undefined;
  /** The index of the last rendering opportunity taken (time = k * interval). */
  lastFrame = 0;
  #ranTaskAt = NaN;
  readonly #phased: boolean;
  readonly #plan: PlanStep[] = [];
  // HTML: AbortSignal.timeout timers, waiting and queued.
  readonly #aborts = new DeadlineHeap<AbortTimer>();
  readonly #abortsReady = new RingQueue<Job>();
  #phase: number;
  #inPhase = false;
  #phaseSeq = 0;
  /** The time the timers phase started (Node's cached loop time). */
  #phaseNow = 0;
  #checkLeft = 0;
  /** Whether the poll phase is the one an ESM entry was evaluated in. */
  #entryPoll: boolean;
  /** Node: the creation order of the port being drained in this poll. */
  #portCursor = 0;

  constructor(engine: LoopEngine, host: MicrotaskQueue) {
    this.#e = engine;
    this.tasks = new PostTaskQueues(engine, host);
    this.messages = new MessageHub(engine);
    const p = engine.profile;
    this.#phased = p.model === "phases";
    for (const entry of p.taskSources) {
      const group = typeof entry === "string" ? [entry] : entry;
      for (const source of group) {
        const level = taskSourceLevel(source);
        if (level >= 0) this.#plan.push({ continuation: level, sources: [] });
      }
      this.#plan.push({ continuation: -1, sources: group.map(sourceId) });
    }
    this.#phase = Math.max(
      0,
      p.phases.indexOf(p.entry === "esm" ? "poll" : "timers"),
    );
    this.#entryPoll = p.entry === "esm";
  }

  /** Immediates cancelled but still in the queue. */
  cancelledImmediates = 0;

  /** Queued immediates, frames, posted tasks, messages, abort timers. */
  get queued(): number {
    return this.immediates.length - this.cancelledImmediates +
      this.frames.size + this.tasks.size + this.messages.size +
      this.#aborts.size + this.#abortsReady.length;
  }

  /** Cancels an immediate (it stays queued, skipped, until its turn). */
  cancelImmediate(j: Job): void {
    if (!j.cancelled && j.api === "setImmediate") {
      j.cancelled = true;
      this.cancelledImmediates++;
    }
  }

  /** HTML: queues an `AbortSignal.timeout` task after `delay` ms. */
  abortAfter(j: Job, delay: number): void {
    const e = this.#e;
    if (delay === 0) {
      j.order = e.seq++;
      this.#abortsReady.push(j);
      return;
    }
    const t = new AbortTimer(j);
    t.deadline = e.now + delay;
    t.seq = e.seq++;
    this.#aborts.push(t);
  }

  /** Visits the HTML `AbortSignal.timeout` tasks, queued then waiting. */
  forEachAbort(visit: (job: Job, due: number | undefined) => void): void {
    for (let i = 0; i < this.#abortsReady.length; i++) {
      visit(this.#abortsReady.at(i)!, undefined);
    }
    const waiting = this.#aborts.clear();
    waiting.sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
    for (const t of waiting) {
      this.#aborts.push(t);
      visit(t.job, t.deadline);
    }
  }

  /** Runs the next callback due by `limit`; false when there is none. */
  step(limit: number): boolean {
    return this.#phased ? this.#stepPhases(limit) : this.#stepHtml(limit);
  }

  /** The index of the next rendering opportunity. */
  nextFrameIndex(): number {
    const interval = this.#e.profile.frameIntervalMs;
    return Math.max(
      this.lastFrame + 1,
      Math.ceil(this.#e.now / interval - 1e-9),
      1,
    );
  }

  /** The time of rendering opportunity `k`. */
  frameTime(k: number): number {
    return k * this.#e.profile.frameIntervalMs;
  }

  /** Cancels a frame callback (also one of the frame being run). */
  cancelFrame(id: number): void {
    const j = this.frames.get(id) ?? this.#running?.get(id);
    if (j !== undefined) {
      j.cancelled = true;
      this.frames.delete(id);
      this.#running?.delete(id);
    }
  }

  /** Drops every immediate, frame, posted task, message and abort timer. */
  reset(): void {
    while (this.immediates.shift() !== undefined);
    this.cancelledImmediates = 0;
    this.frames = new Map();
    this.tasks.reset();
    this.messages.reset();
    this.#aborts.clear();
    while (this.#abortsReady.shift() !== undefined);
  }

  #stepHtml(limit: number): boolean {
    const e = this.#e;
    const t = e.timers;
    for (;;) {
      if (this.frames.size === 0 && this.#onlyTimers()) {
        // Only timers: the loop needs no other source's order.
        const deadline = t.peekDeadline();
        if (t.peekReady() === Infinity) {
          if (deadline > e.now) {
            if (deadline === Infinity || deadline > limit) return false;
            e.now = deadline;
            continue;
          }
          // One due timer runs straight from the heap; several are queued
          // first, in order, so that what the first one posts comes after.
          if (t.dueAlone(e.now)) e.fireTimer();
          else {
            t.promote(e.now, e.nextOrder);
            e.fireReady();
          }
        } else {
          if (deadline <= e.now) t.promote(e.now, e.nextOrder);
          e.fireReady();
        }
        this.#ranTaskAt = e.now;
        return true;
      }
      this.#promote();
      const frameDue = this.frames.size > 0 &&
        this.frameTime(this.nextFrameIndex()) <= e.now;
      if (frameDue && (this.#ranTaskAt === e.now || !this.#hasTask())) {
        this.#runFrame();
        return true;
      }
      if (this.#runTask()) {
        this.#ranTaskAt = e.now;
        return true;
      }
      let next = Math.min(
        e.timers.peekDeadline(),
        this.tasks.nextDelayed(),
        this.#aborts.peek()?.deadline ?? Infinity,
      );
      if (this.frames.size > 0) {
        next = Math.min(next, this.frameTime(this.nextFrameIndex()));
      }
      if (next === Infinity || next > limit) return false;
      e.now = next;
    }
  }

  // Queues the delayed tasks due now, in Chromium's order: timers, then
  // postTask, then AbortSignal.timeout.
  #promote(): void {
    const e = this.#e;
    const now = e.now;
    e.timers.promote(now, e.nextOrder);
    if (this.tasks.size > 0) this.tasks.promote(now);
    for (
      let t = this.#aborts.peek();
      t !== undefined && t.deadline <= now;
      t = this.#aborts.peek()
    ) {
      this.#aborts.pop();
      t.job.order = e.seq++;
      this.#abortsReady.push(t.job);
    }
  }

  #hasTask(): boolean {
    const e = this.#e;
    return e.timers.peekReady() !== Infinity || this.tasks.hasRunnable() ||
      this.messages.headOrder() !== Infinity || e.events.length > 0 ||
      this.#abortsReady.length > 0;
  }

  // Whether no task source but the timers has anything queued or waiting.
  #onlyTimers(): boolean {
    return this.tasks.size === 0 && this.messages.tasks.length === 0 &&
      this.#e.events.length === 0 && this.#abortsReady.length === 0 &&
      this.#aborts.size === 0;
  }

  #runTask(): boolean {
    const e = this.#e;
    // Only timers: no other source can be ahead of them.
    if (this.#onlyTimers()) {
      if (e.timers.peekReady() === Infinity) return false;
      e.fireReady();
      return true;
    }
    for (const step of this.#plan) {
      if (step.continuation >= 0) {
        if (this.tasks.runContinuation(step.continuation)) return true;
        continue;
      }
      let best = Infinity;
      let which = -1;
      for (const source of step.sources) {
        const order = this.#headOrder(source);
        if (order < best) {
          best = order;
          which = source;
        }
      }
      if (which >= 0) {
        this.#runSource(which);
        return true;
      }
    }
    return false;
  }

  #headOrder(source: number): number {
    switch (source) {
      case TIMERS:
        return this.#e.timers.peekReady();
      case MESSAGES:
        return this.messages.headOrder();
      case EVENTS:
        return this.#e.events.peek()?.order ?? Infinity;
      case ABORTS:
        return this.#abortsReady.peek()?.order ?? Infinity;
      default:
        return this.tasks.headOrder(source - POSTED);
    }
  }

  #runSource(source: number): void {
    const e = this.#e;
    switch (source) {
      case TIMERS:
        e.fireReady();
        return;
      case MESSAGES:
        this.messages.runTask();
        return;
      case EVENTS:
        e.runTask(e.events.shift()!, "task", "events", e.rules.events);
        return;
      case ABORTS:
        e.runTask(
          this.#abortsReady.shift()!,
          "timer",
          "abort-timeouts",
          e.rules.abortTimeout,
        );
        return;
      default:
        this.tasks.runTask(source - POSTED);
    }
  }

  #runFrame(): void {
    const e = this.#e;
    const k = this.nextFrameIndex();
    const time = this.frameTime(k);
    this.lastFrame = k;
    if (e.now < time) e.now = time;
    const frame = this.frames;
    this.frames = new Map();
    this.#running = frame;
    try {
      for (const j of frame.values()) {
        if (j.cancelled) continue;
        frame.delete(j.id);
        j.args = [time];
        e.runTask(j, "render", "animation-frames", e.rules.frame);
      }
    } finally {
      this.#running = undefined;
    }
  }

  // Whether anything but unref'd timers keeps the loop running.
  #refd(): boolean {
    const e = this.#e;
    return e.timers.live > e.timers.unrefLive || this.tasks.size > 0 ||
      this.immediates.length > this.cancelledImmediates ||
      this.messages.hasWaiting;
  }

  #stepPhases(limit: number): boolean {
    const e = this.#e;
    const phases = e.profile.phases;
    const delivery = e.profile.messageDelivery;
    let idleTurns = 0;
    for (;;) {
      switch (phases[this.#phase]) {
        case "timers": {
          if (!this.#inPhase) {
            this.#inPhase = true;
            this.#phaseSeq = e.seq;
            this.#phaseNow = e.now;
          }
          // The timers due when the phase started (time a callback spends
          // does not make more of them due in this phase).
          if (
            e.timers.peekDeadline() <= this.#phaseNow &&
            e.timers.peekSeq() < this.#phaseSeq
          ) {
            e.fireTimer();
            return true;
          }
          break;
        }
        case "pending": {
          if (
            delivery === "pending" && this.messages.hasWaiting &&
            this.messages.deliverPending(this.messages.turn)
          ) return true;
          break;
        }
        case "poll": {
          if (!this.#inPhase) {
            this.#inPhase = true;
            this.#portCursor = 0;
          }
          if (
            delivery === "poll" && !this.#entryPoll && this.messages.hasWaiting
          ) {
            const port = this.messages.deliverPoll(this.#portCursor);
            if (port > 0) {
              this.#portCursor = port;
              return true;
            }
          }
          if (this.tasks.size > 0) {
            this.tasks.promote(e.now);
            if (this.tasks.run()) return true;
          }
          if (
            this.immediates.length === 0 && !this.messages.hasWaiting
          ) {
            const next = Math.min(
              e.timers.peekDeadline(),
              this.tasks.nextDelayed(),
            );
            if (
              next === Infinity || next > limit ||
              (e.timers.unrefLive > 0 && !this.#refd())
            ) {
              this.#entryPoll = false;
              return false;
            }
            if (next > e.now) {
              e.now = next;
              idleTurns = 0;
            }
          }
          this.#entryPoll = false;
          break;
        }
        case "check": {
          if (!this.#inPhase) {
            this.#inPhase = true;
            this.#checkLeft = this.immediates.length;
          }
          while (this.#checkLeft > 0) {
            this.#checkLeft--;
            const j = this.immediates.shift() as Job;
            if (j.cancelled) {
              this.cancelledImmediates--;
              continue;
            }
            j.cancelled = true; // ran: a later clearImmediate is a no-op
            e.runTask(j, "task", "immediates", e.rules.immediate);
            return true;
          }
          break;
        }
      }
      this.#inPhase = false;
      if (++this.#phase === phases.length) {
        this.#phase = 0;
        this.messages.turn++;
        // A profile without a timers or check phase cannot make progress.
        if (++idleTurns > 2) return false;
      }
    }
  }
}
