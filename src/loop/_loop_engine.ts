/**
 * The engine behind `EventLoop`: its queues, the microtask checkpoint, timer
 * arming and firing, uncaught errors and unhandled rejections, time spent by
 * running code, and tracing. The two loop models (HTML task picking and
 * libuv-style phases) live in `_loop_models.ts`.
 *
 * @module
 */

import { InvalidStateError, LoopLimitError } from "../core/errors.ts";
import { reportError } from "../core/_report.ts";
import { RingQueue } from "../core/_ring.ts";
import type { Profile } from "./profiles.ts";
import type { Trace, TraceEvent, TraceLane } from "./trace.ts";
import { type Rules, rulesFor } from "./_loop_rules.ts";
import { type AnyFn, CANCELLED, TimerStore } from "./_timer_store.ts";
import { describeUncaught, UncaughtEvent } from "./_uncaught.ts";

export type { AnyFn };

/** A queued callback: a microtask, nextTick, immediate, frame or task. */
export class Job {
  cancelled = false;
  /** The queueing order of an HTML task (see `Profile.taskSources`). */
  order = 0;
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

/** A listener of uncaught errors or unhandled rejections. */
export type UncaughtListener = (event: UncaughtEvent) => void;

/** A promise rejected with no handler, not yet announced. */
interface Rejection {
  readonly promise: object;
  readonly reason: unknown;
  readonly by: number | undefined;
  readonly at: number;
  handled: boolean;
}

function rejectionEvent(r: Rejection): UncaughtEvent {
  return new UncaughtEvent(
    "unhandledrejection",
    r.reason,
    r.promise as PromiseLike<unknown>,
    r.by,
  );
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
  /** HTML: tasks of the `"events"` source (`unhandledrejection`). */
  readonly events: RingQueue<Job> = new RingQueue();
  readonly errorListeners: Set<UncaughtListener> = new Set();
  readonly rejectionListeners: Set<UncaughtListener> = new Set();
  /** The id of the trace event running now (undefined: top level). */
  current: number | undefined = undefined;
  /** The trace event running now, while a callback runs. */
  event: TraceEvent | undefined = undefined;
  /** The HTML timer nesting level of the running timer task (else 0). */
  nesting = 0;
  /** How many callbacks are on the stack (drivers refuse to nest). */
  depth = 0;
  /** Callbacks left before the current drive throws LoopLimitError. */
  budget = 0;
  /** Returns the next queueing order (for HTML task sources). */
  readonly nextOrder: () => number = () => this.seq++;
  #drive = "";
  #running = -1;
  readonly #hasTicks: boolean;
  readonly #esm: boolean;
  readonly #html: boolean;
  readonly #timerRules: string[];
  /** Rejected promises with no handler, in rejection order. */
  #rejected: Rejection[] = [];
  /** The same, by promise, until announced (to mark them handled). */
  readonly #tracked: Map<object, Rejection> = new Map();

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
    this.#html = profile.model === "html";
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
  charge(): void {
    if (--this.budget < 0) {
      throw new LoopLimitError(
        `Cannot ${this.#drive} as more than ${this.loopLimit} callbacks ran (loopLimit): microtasks or timers keep rescheduling themselves; ${this.queued} callbacks are queued at ${this.now} ms`,
        this.loopLimit,
      );
    }
  }

  /** Lets `ms` of virtual time pass in the running code. */
  spendTime(ms: number): void {
    this.now += ms;
    const event = this.event;
    if (event !== undefined && this.depth > 0) {
      event.spentMs = (event.spentMs ?? 0) + ms;
    }
  }

  /** Queued timers, microtasks, nextTick callbacks and events. */
  get queued(): number {
    return this.timers.live + this.micro.length + this.ticks.length +
      this.events.length;
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
    const event = this.trace!.record({
      time: this.now,
      lane,
      queue,
      label,
      enqueuedBy: by,
      rule,
      enqueuedAt: at,
    });
    this.event = event;
    this.current = event.id;
  }

  /** Arms a timer and returns its handle. */
  arm(
    callback: AnyFn,
    ms: number,
    args: unknown[] | undefined,
    interval: boolean,
    unref = false,
  ): number {
    const t = this.timers;
    const slot = t.alloc();
    t.callback[slot] = callback;
    t.args[slot] = args;
    t.ms[slot] = ms;
    t.interval[slot] = interval ? 1 : 0;
    t.nesting[slot] = this.nesting;
    t.id[slot] = ++this.ids;
    if (unref) t.unref[slot] = 1;
    this.#schedule(slot, ms);
    return t.handle(slot);
  }

  // Applies the profile's delay rules and queues the slot: an HTML task
  // with no delay is queued at once, anything else waits in the heap.
  #schedule(slot: number, ms: number): void {
    const p = this.profile;
    const t = this.timers;
    let d = ms;
    let rule = 0;
    if (p.truncateDelay) {
      d = ms | 0; // WebIDL long: truncated, wrapped modulo 2^32
      if (d < p.minDelayMs) d = p.minDelayMs;
      if (d !== ms && ms >= 1) rule = 1;
    } else if (!(d >= p.minDelayMs) || d > p.maxDelayMs) {
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
    t.due[slot] = this.now + d;
    if (d === 0 && this.#html) t.pushReady(slot, this.seq++);
    else t.push(slot, this.now + d, this.seq++);
  }

  /** Runs the earliest timer of the heap (the caller checked it is due). */
  fireTimer(): void {
    const t = this.timers;
    t.peekDeadline();
    this.#runTimer(t.pop());
  }

  /** Runs the first timer of the ready queue (the caller peeked it). */
  fireReady(): void {
    this.#runTimer(this.timers.popReady());
  }

  // Runs a timer's callback, re-arms an interval, then a checkpoint.
  #runTimer(slot: number): void {
    const t = this.timers;
    this.charge();
    const due = t.due[slot]!;
    if (due > this.now) this.now = due;
    const callback = t.callback[slot] as AnyFn;
    const interval = t.interval[slot] === 1;
    if (this.trace !== undefined) {
      const ms = t.ms[slot];
      const rule = this.#timerRules[t.rule[slot]!]!;
      this.record(
        "timer",
        "timers",
        this.userLabel(callback) ??
          `${interval ? "setInterval" : "setTimeout"}(${ms}) #${t.id[slot]}`,
        t.by[slot] || undefined,
        t.at[slot]!,
        due < this.now ? this.rules.late(rule, due, this.now) : rule,
      );
    }
    this.nesting = t.nesting[slot]!;
    this.#running = slot;
    this.depth++;
    try {
      const args = t.args[slot];
      if (args === undefined) callback();
      else callback(...args);
    } catch (error) {
      this.uncaught(error);
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

  /** Runs one job (no checkpoint); what it throws is uncaught. */
  runJob(j: Job, lane: TraceLane, queue: string, rule: string): void {
    this.charge();
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
    } catch (error) {
      this.uncaught(error);
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
   * Handles what a callback threw, by the profile's `uncaught` policy: the
   * `onError` listeners see it (one that throws is reported to the host);
   * then it is reported and the loop goes on (`"report"`), or the simulated
   * process crashes: the error is thrown out of the drive (`"crash"` without
   * a listener, `"crash-unless-prevented"` unless one called
   * `preventDefault()`).
   */
  uncaught(error: unknown, promise?: PromiseLike<unknown>): void {
    const event = new UncaughtEvent("error", error, promise, this.current);
    const listened = this.errorListeners.size > 0;
    for (const listener of [...this.errorListeners]) {
      try {
        listener(event);
      } catch (e) {
        reportError(e); // not again through the listeners
      }
    }
    this.#conclude(event, listened, this.now);
  }

  // Calls the rejection listeners; what one throws is uncaught.
  #notifyRejection(event: UncaughtEvent): void {
    for (const listener of [...this.rejectionListeners]) {
      try {
        listener(event);
      } catch (error) {
        this.uncaught(error);
      }
    }
  }

  // Records what became of an uncaught error or rejection, then reports it,
  // goes on, or crashes, by the profile's policy.
  #conclude(event: UncaughtEvent, listened: boolean, at: number): void {
    const policy = this.profile.uncaught;
    const crash = policy === "crash"
      ? !listened
      : policy === "crash-unless-prevented" && !event.defaultPrevented;
    const reported = policy === "report" && !event.defaultPrevented;
    if (this.trace !== undefined && (crash || reported)) {
      const running = this.event;
      const current = this.current;
      const [label, rule] = describeUncaught(this.profile, event, crash);
      this.record("task", "uncaught", label, event.eventId, at, rule);
      this.current = current;
      this.event = running;
    }
    if (crash) {
      this.current = undefined;
      throw event.error;
    }
    if (reported) reportError(event.error);
  }

  /** HostPromiseRejectionTracker: a promise of the loop was rejected or handled. */
  trackRejection(
    promise: object,
    operation: "reject" | "handle",
    reason: unknown,
  ): void {
    if (operation === "reject") {
      const r: Rejection = {
        promise,
        reason,
        by: this.current,
        at: this.now,
        handled: false,
      };
      this.#rejected.push(r);
      this.#tracked.set(promise, r);
      return;
    }
    const r = this.#tracked.get(promise);
    if (r !== undefined) {
      r.handled = true;
      this.#tracked.delete(promise);
      const i = this.#rejected.indexOf(r);
      if (i >= 0) this.#rejected.splice(i, 1);
    }
  }

  /**
   * The checkpoint after a callback: one FIFO microtask queue drained until
   * empty; with nextTick, the whole tick queue first, repeated while either
   * queue is non-empty. Then the promises rejected with no handler are
   * announced: in an `unhandledrejection` task (HTML), or at once (Node,
   * Deno), which may queue more work or crash.
   */
  checkpoint(): void {
    if (
      this.micro.length === 0 && this.ticks.length === 0 &&
      this.#rejected.length === 0
    ) {
      this.current = undefined;
      return;
    }
    for (;;) {
      if (this.#hasTicks) {
        do {
          this.#drain(this.ticks, "nextTick", this.rules.nextTick);
          this.#drain(this.micro, "microtasks", this.rules.afterTicks);
        } while (this.ticks.length > 0);
      } else this.#drain(this.micro, "microtasks", this.rules.microtask);
      if (this.#rejected.length === 0) break;
      if (this.#html) {
        this.#queueRejectionTask();
        break;
      }
      this.#announceRejections();
      if (this.micro.length === 0 && this.ticks.length === 0) break;
    }
    this.current = undefined;
  }

  /**
   * The checkpoint between two callbacks of one task (HTML event listeners,
   * Deno's messages): the microtask queue only; the running event stays
   * current.
   */
  checkpointBetween(): void {
    if (this.micro.length === 0) return;
    const running = this.event;
    const current = this.current;
    this.#drain(this.micro, "microtasks", this.rules.microtask);
    this.event = running;
    this.current = current;
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

  #takeRejections(): Rejection[] {
    const list = this.#rejected;
    this.#rejected = [];
    return list;
  }

  // HTML: "notify about rejected promises" queues one task that fires an
  // `unhandledrejection` event per promise still unhandled when it runs.
  #queueRejectionTask(): void {
    const list = this.#takeRejections();
    const j = this.job(
      () => this.#fireRejections(list),
      undefined,
      "unhandledrejection",
      "unhandledrejection",
    );
    j.order = this.seq++;
    this.events.push(j);
  }

  #fireRejections(list: Rejection[]): void {
    for (const r of list) {
      if (r.handled) continue;
      this.#tracked.delete(r.promise);
      const event = rejectionEvent(r);
      const listened = this.rejectionListeners.size > 0;
      this.#notifyRejection(event);
      this.#conclude(event, listened, r.at);
      // A checkpoint after each event's listeners, as after any callback.
      this.checkpointBetween();
    }
  }

  // Node, Deno: the rejections still unhandled after the checkpoint reach
  // the listeners (an event each, its checkpoint follows), or crash.
  #announceRejections(): void {
    for (const r of this.#takeRejections()) {
      if (r.handled) continue;
      this.#tracked.delete(r.promise);
      const event = rejectionEvent(r);
      const listened = this.rejectionListeners.size > 0;
      if (listened) {
        const name = this.profile.uncaught === "crash"
          ? "unhandledRejection"
          : "unhandledrejection";
        const j = new Job(
          () => this.#notifyRejection(event),
          undefined,
          name,
          ++this.ids,
          name,
          r.by,
          r.at,
        );
        this.runJob(j, "task", "events", this.rules.rejection);
      } else if (
        this.profile.uncaught === "crash" && this.errorListeners.size > 0
      ) {
        // Node's default, --unhandled-rejections=throw: with no
        // unhandledRejection listener the reason is raised as an uncaught
        // exception, which an uncaughtException listener survives.
        const j = new Job(
          () => this.uncaught(r.reason, event.promise),
          undefined,
          "uncaughtException",
          ++this.ids,
          "uncaughtException",
          r.by,
          r.at,
        );
        this.runJob(j, "task", "events", this.rules.rejectionThrown);
        continue;
      }
      this.#conclude(event, listened, r.at);
    }
  }

  /** Removes every queued callback (time does not move). */
  reset(): void {
    this.timers.clear();
    // An interval whose callback is running (reset from inside it) stops.
    if (this.#running >= 0) this.timers.state[this.#running] = CANCELLED;
    while (this.micro.shift() !== undefined);
    while (this.ticks.shift() !== undefined);
    while (this.events.shift() !== undefined);
    this.#rejected = [];
    this.#tracked.clear();
  }
}
