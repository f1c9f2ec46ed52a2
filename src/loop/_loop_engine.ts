/**
 * The engine behind `EventLoop`: its queues, the microtask checkpoint, timer
 * arming and firing, and tracing. The two loop models (HTML task picking and
 * libuv-style phases) live in `_loop_models.ts`.
 *
 * @module
 */

import { InvalidStateError, LoopLimitError } from "../core/errors.ts";
import { RingQueue } from "../core/_ring.ts";
import type { Profile } from "./profiles.ts";
import type { Trace, TraceLane } from "./trace.ts";
import { type Rules, rulesFor } from "./_loop_rules.ts";
import { type AnyFn, CANCELLED, TimerStore } from "./_timer_store.ts";

export type { AnyFn };

/** A queued callback: a microtask, nextTick, immediate, frame or task. */
export class Job {
  cancelled = false;
  constructor(
    public readonly fn: AnyFn,
    public args: unknown[] | undefined,
    /** The API name for the default label. */
    public readonly api: string,
    public readonly id: number,
    /** An explicit label, or undefined. */
    public readonly label: string | undefined,
    public readonly by: number | undefined,
    public readonly at: number,
  ) {}
}

/** The engine state shared by the loop models. */
export class LoopEngine {
  readonly profile: Profile;
  readonly rules: Rules;
  readonly trace: Trace | undefined;
  readonly loopLimit: number;
  readonly labels: WeakMap<AnyFn, string> = new WeakMap();
  /** Whether `labels` has ever been written (skips the lookup when not). */
  hasLabels = false;
  now: number;
  seq = 0;
  ids = 0;
  readonly timers: TimerStore = new TimerStore();
  readonly micro: RingQueue<Job> = new RingQueue();
  readonly ticks: RingQueue<Job> = new RingQueue();
  /** The id of the trace event running now (undefined: top level). */
  current: number | undefined = undefined;
  /** The HTML timer nesting level of the running timer task (else 0). */
  nesting = 0;
  /** How many callbacks are on the stack (drivers refuse to nest). */
  depth = 0;
  /** Callbacks left before the current drive throws LoopLimitError. */
  budget = 0;
  #drive = "";
  #running = -1;
  readonly #hasTicks: boolean;
  readonly #esm: boolean;
  readonly #timerRules: string[];

  constructor(
    profile: Profile,
    trace: Trace | undefined,
    loopLimit: number,
    startMs: number,
  ) {
    this.profile = profile;
    this.rules = rulesFor(profile);
    this.trace = trace;
    this.loopLimit = loopLimit;
    this.now = startMs;
    this.#hasTicks = profile.apis.nextTick;
    this.#esm = profile.entry === "esm";
    this.#timerRules = [
      this.rules.timer,
      this.rules.minDelay,
      this.rules.nesting,
    ];
  }

  /** Starts a drive: checks re-entrancy and resets the budget. */
  begin(drive: string): void {
    if (this.depth > 0) {
      throw new InvalidStateError(
        `Cannot ${drive} from inside a callback of the same loop`,
      );
    }
    this.#drive = drive;
    this.budget = this.loopLimit;
  }

  /** Counts one callback against the budget. */
  spend(): void {
    if (--this.budget < 0) {
      throw new LoopLimitError(
        `Cannot ${this.#drive} as more than ${this.loopLimit} callbacks ran (loopLimit): microtasks or timers keep rescheduling themselves; ${this.queued} callbacks are queued at ${this.now} ms`,
        this.loopLimit,
      );
    }
  }

  /** Queued timers, microtasks and nextTick callbacks. */
  get queued(): number {
    return this.timers.live + this.micro.length + this.ticks.length;
  }

  /** The user's label of `fn`, or its name, or undefined. */
  userLabel(fn: AnyFn): string | undefined {
    const label = this.hasLabels ? this.labels.get(fn) : undefined;
    return label ?? (fn.name !== "" ? fn.name : undefined);
  }

  labelOf(fn: AnyFn, api: string, id: number, explicit?: string): string {
    return explicit ?? this.userLabel(fn) ?? `${api} #${id}`;
  }

  record(
    lane: TraceLane,
    queue: string,
    label: string,
    by: number | undefined,
    at: number,
    rule: string,
  ): void {
    this.current = this.trace!.record({
      time: this.now,
      lane,
      queue,
      label,
      enqueuedBy: by,
      rule,
      enqueuedAt: at,
    }).id;
  }

  /** Arms a timer and returns its handle. */
  arm(
    callback: AnyFn,
    ms: number,
    args: unknown[] | undefined,
    interval: boolean,
  ): number {
    const t = this.timers;
    const slot = t.alloc();
    t.callback[slot] = callback;
    t.args[slot] = args;
    t.ms[slot] = ms;
    t.interval[slot] = interval ? 1 : 0;
    t.nesting[slot] = this.nesting;
    t.id[slot] = ++this.ids;
    this.#schedule(slot, ms);
    return t.handle(slot);
  }

  // Applies the profile's delay rules and queues the slot.
  #schedule(slot: number, ms: number): void {
    const p = this.profile;
    const t = this.timers;
    let d = p.truncateDelay ? Math.trunc(ms) : ms;
    let rule = 0;
    if (!(d >= p.minDelayMs) || d > p.maxDelayMs) {
      if (d !== p.minDelayMs) rule = 1;
      d = p.minDelayMs;
    }
    const clamp = p.nestingClamp;
    const level = t.nesting[slot]!;
    if (clamp !== null && level > clamp.afterLevel && d < clamp.minMs) {
      d = clamp.minMs;
      rule = 2;
    }
    t.nesting[slot] = level + 1;
    t.rule[slot] = rule;
    t.by[slot] = this.current ?? 0;
    t.at[slot] = this.now;
    t.push(slot, this.now + d, this.seq++);
  }

  /** Runs the earliest timer (the caller checked it is due), then a checkpoint. */
  fireTimer(): void {
    const t = this.timers;
    const deadline = t.peekDeadline();
    const slot = t.pop();
    this.spend();
    if (deadline > this.now) this.now = deadline;
    const callback = t.callback[slot] as AnyFn;
    const interval = t.interval[slot] === 1;
    if (this.trace !== undefined) {
      const ms = t.ms[slot];
      this.record(
        "timer",
        "timers",
        this.userLabel(callback) ??
          `${interval ? "setInterval" : "setTimeout"}(${ms}) #${t.id[slot]}`,
        t.by[slot] || undefined,
        t.at[slot]!,
        this.#timerRules[t.rule[slot]!]!,
      );
    }
    this.nesting = t.nesting[slot]!;
    this.#running = slot;
    this.depth++;
    try {
      const args = t.args[slot];
      if (args === undefined) callback();
      else callback(...args);
    } finally {
      this.depth--;
      this.#running = -1;
      // The spec and Node re-arm an interval after its callback returns.
      if (interval && t.state[slot] !== CANCELLED) {
        this.#schedule(slot, t.ms[slot]!);
      } else t.release(slot);
      this.nesting = 0;
    }
    this.checkpoint();
  }

  /** Runs one job as a task (lane and queue given), then a checkpoint. */
  runTask(j: Job, lane: TraceLane, queue: string, rule: string): void {
    this.runJob(j, lane, queue, rule);
    this.checkpoint();
  }

  runJob(j: Job, lane: TraceLane, queue: string, rule: string): void {
    this.spend();
    if (this.trace !== undefined) {
      this.record(
        lane,
        queue,
        this.labelOf(j.fn, j.api, j.id, j.label),
        j.by,
        j.at,
        rule,
      );
    }
    this.depth++;
    try {
      const args = j.args;
      if (args === undefined) j.fn();
      else j.fn(...args);
    } finally {
      this.depth--;
    }
  }

  job(
    fn: AnyFn,
    args: unknown[] | undefined,
    api: string,
    label?: string,
  ): Job {
    return new Job(fn, args, api, ++this.ids, label, this.current, this.now);
  }

  /**
   * The checkpoint after a callback: one FIFO microtask queue drained until
   * empty; with nextTick, the whole tick queue first, repeated while either
   * queue is non-empty.
   */
  checkpoint(): void {
    if (this.micro.length === 0 && this.ticks.length === 0) {
      this.current = undefined;
      return;
    }
    if (this.#hasTicks) {
      do {
        this.#drain(this.ticks, "nextTick", this.rules.nextTick);
        this.#drain(this.micro, "microtasks", this.rules.afterTicks);
      } while (this.ticks.length > 0);
    } else this.#drain(this.micro, "microtasks", this.rules.microtask);
    this.current = undefined;
  }

  /** The checkpoint at the end of top-level code (the entry rule applies). */
  topCheckpoint(): number {
    const before = this.budget;
    if (this.#esm && this.#hasTicks && this.micro.length > 0) {
      this.#drain(this.micro, "microtasks", this.rules.esmTop);
    }
    this.checkpoint();
    return before - this.budget;
  }

  #drain(q: RingQueue<Job>, queue: string, rule: string): void {
    for (let j = q.shift(); j !== undefined; j = q.shift()) {
      this.runJob(j, "microtask", queue, rule);
    }
  }

  /** Removes every queued callback (time does not move). */
  reset(): void {
    this.timers.clear();
    // An interval whose callback is running (reset from inside it) stops.
    if (this.#running >= 0) this.timers.state[this.#running] = CANCELLED;
    while (this.micro.shift() !== undefined);
    while (this.ticks.shift() !== undefined);
  }
}
