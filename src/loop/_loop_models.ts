/**
 * The two loop models of `EventLoop`, as one stepper: `step(limit)` runs the
 * next task, phase callback or rendering step (with its checkpoint) due by
 * virtual time `limit`, moving time forward as the loop would wait.
 *
 * - `"html"`: pick one runnable task from the profile's task sources in
 *   order; after a task, if a rendering opportunity is due and frame
 *   callbacks are waiting, run the frame.
 * - `"phases"`: libuv turns (timers, pending, poll, check, close). The timers
 *   phase runs the timers due when it started; poll waits for the next timer
 *   unless immediates are queued; check runs the immediates queued before it.
 *
 * @module
 */

import { RingQueue } from "../core/_ring.ts";
import type { Job, LoopEngine } from "./_loop_engine.ts";
import { PostTaskQueues, taskSourceLevel } from "./_post_task.ts";
import type { MicrotaskQueue } from "./simulated_async.ts";

/** Immediates, animation frames and posted tasks, and the loop models. */
export class LoopTurns {
  readonly #e: LoopEngine;
  readonly immediates: RingQueue<Job> = new RingQueue();
  readonly tasks: PostTaskQueues;
  /** Frame callbacks waiting for the next rendering opportunity. */
  frames: Map<number, Job> = new Map();
  /** The callbacks of the frame being run (cancellable until they run). */
  #running: Map<number, Job> | undefined = undefined;
  /** The index of the last rendering opportunity taken (time = k * interval). */
  lastFrame = 0;
  #ranTaskAt = NaN;
  readonly #phased: boolean;
  /** The task sources in order: -1 for timers, else a postTask priority. */
  readonly #sources: number[];
  #phase: number;
  #inPhase = false;
  #phaseSeq = 0;
  #checkLeft = 0;

  constructor(engine: LoopEngine, host: MicrotaskQueue) {
    this.#e = engine;
    this.tasks = new PostTaskQueues(engine, host);
    const p = engine.profile;
    this.#phased = p.model === "phases";
    this.#sources = p.taskSources.map(taskSourceLevel);
    this.#phase = Math.max(
      0,
      p.phases.indexOf(p.entry === "esm" ? "poll" : "timers"),
    );
  }

  /** Immediates cancelled but still in the queue. */
  cancelledImmediates = 0;

  /** Queued immediates, frame callbacks and posted tasks. */
  get queued(): number {
    return this.immediates.length - this.cancelledImmediates +
      this.frames.size + this.tasks.size;
  }

  /** Cancels an immediate (it stays queued, skipped, until its turn). */
  cancelImmediate(j: Job): void {
    if (!j.cancelled && j.api === "setImmediate") {
      j.cancelled = true;
      this.cancelledImmediates++;
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

  /** Drops every immediate, frame callback and posted task. */
  reset(): void {
    while (this.immediates.shift() !== undefined);
    this.cancelledImmediates = 0;
    this.frames = new Map();
    this.tasks.reset();
  }

  #stepHtml(limit: number): boolean {
    const e = this.#e;
    for (;;) {
      this.tasks.promote(e.now);
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
      );
      if (this.frames.size > 0) {
        next = Math.min(next, this.frameTime(this.nextFrameIndex()));
      }
      if (next === Infinity || next > limit) return false;
      e.now = next;
    }
  }

  #hasTask(): boolean {
    return this.#e.timers.peekDeadline() <= this.#e.now ||
      this.tasks.hasRunnable();
  }

  #runTask(): boolean {
    const e = this.#e;
    const posted = this.tasks.size > 0;
    for (const source of this.#sources) {
      if (source < 0) {
        if (e.timers.peekDeadline() <= e.now) {
          e.fireTimer();
          return true;
        }
      } else if (posted && this.tasks.run(source)) return true;
    }
    return false;
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

  #stepPhases(limit: number): boolean {
    const e = this.#e;
    const phases = e.profile.phases;
    let idleTurns = 0;
    for (;;) {
      switch (phases[this.#phase]) {
        case "timers": {
          if (!this.#inPhase) {
            this.#inPhase = true;
            this.#phaseSeq = e.seq;
          }
          if (
            e.timers.peekDeadline() <= e.now &&
            e.timers.peekSeq() < this.#phaseSeq
          ) {
            e.fireTimer();
            return true;
          }
          break;
        }
        case "poll": {
          this.#inPhase = true;
          if (this.tasks.size > 0) {
            this.tasks.promote(e.now);
            if (this.tasks.run()) return true;
          }
          if (this.immediates.length === 0) {
            const next = Math.min(
              e.timers.peekDeadline(),
              this.tasks.nextDelayed(),
            );
            if (next === Infinity || next > limit) return false;
            if (next > e.now) {
              e.now = next;
              idleTurns = 0;
            }
          }
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
        // A profile without a timers or check phase cannot make progress.
        if (++idleTurns > 2) return false;
      }
    }
  }
}
