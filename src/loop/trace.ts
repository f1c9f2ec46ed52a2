/**
 * The trace of an event-loop run: every callback that ran, with its virtual
 * time, lane, queue, what enqueued it and the rule that placed it, plus text,
 * Mermaid and SVG pictures of it and explanations of its order.
 *
 * @module
 */

import {
  assertDuration,
  assertFinite,
  assertInteger,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import { explainOrder } from "./_explain.ts";
import { renderMermaid } from "./_render_mermaid.ts";
import { renderSvg } from "./_render_svg.ts";
import { formatMs, originOf } from "./_trace_format.ts";

/**
 * The lane of a trace event, the kind of work it was: a task (script,
 * `setImmediate`, `postTask`, messages), a microtask (promise jobs,
 * `queueMicrotask`, `nextTick`), a timer (`setTimeout`, `setInterval`) or a
 * rendering step (animation-frame callbacks).
 */
export type TraceLane = "task" | "microtask" | "timer" | "render";

/**
 * One event of a trace: a callback that ran, when, from which queue, what
 * queued it and the rule that placed it.
 */
export interface TraceEvent {
  /** 1-based, in run order. */
  id: number;
  /** The virtual time in milliseconds when it ran. */
  time: number;
  /** The kind of work it was. */
  lane: TraceLane;
  /**
   * The queue it came from, e.g. `"timers"`, `"microtasks"`, `"nextTick"`,
   * `"immediates"`, `"animation-frames"`, `"postTask:user-visible"`,
   * `"script"`.
   */
  queue: string;
  /** A user label or the API name, e.g. `"setTimeout(0) #3"`. */
  label: string;
  /**
   * The id of the event during which it was queued; `undefined` when it was
   * queued at top level (outside any recorded event).
   */
  enqueuedBy: number | undefined;
  /** The rule that placed it, in words. */
  rule: string;
  /** The virtual time in milliseconds when it was queued. */
  enqueuedAt: number;
  /**
   * The virtual time in milliseconds the callback itself spent (see
   * `EventLoop.spend`); absent when it spent none.
   */
  spentMs?: number;
}

/**
 * A reference to a trace event: its id, `"#<id>"`, or its label.
 */
export type TraceEventRef = number | string;

/**
 * The record of an event-loop run. An `EventLoop` created with tracing on
 * records one {@linkcode TraceEvent} per callback it runs; anything else
 * (a test, a custom scheduler) can record events too.
 *
 * Every output is deterministic: the same events give the same text, Mermaid
 * and SVG, byte for byte.
 *
 * @example Recording and explaining two events
 * ```ts
 * import { Trace } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const trace = new Trace();
 * trace.record({
 *   time: 0, lane: "task", queue: "script", label: "main",
 *   enqueuedBy: undefined, rule: "the script runs first", enqueuedAt: 0,
 * });
 * trace.record({
 *   time: 0, lane: "microtask", queue: "microtasks", label: "then",
 *   enqueuedBy: 1, rule: "promise reaction job", enqueuedAt: 0,
 * });
 * assert.equal(trace.events.length, 2);
 * assert.match(trace.explain("then", "main"), /queued .*by #1 "main"/);
 * ```
 */
export class Trace {
  #events: TraceEvent[] = [];

  /**
   * Records an event, giving it the next id (1 for the first).
   *
   * @param event The event without its id.
   * @returns The recorded event.
   * @throws {TypeError} When `event` is not an object, `lane` is not a
   *   lane, `queue`, `label` or `rule` is not a string, or a number field is
   *   not a number.
   * @throws {RangeError} When `time` or `enqueuedAt` is not finite, or
   *   `enqueuedBy` is neither `undefined` nor an integer >= 1.
   *
   * @example Ids follow run order
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const trace = new Trace();
   * const e = trace.record({
   *   time: 4, lane: "timer", queue: "timers", label: "setTimeout(4)",
   *   enqueuedBy: undefined, rule: "deadline reached", enqueuedAt: 0,
   * });
   * assert.equal(e.id, 1);
   * ```
   */
  record(event: Omit<TraceEvent, "id">): TraceEvent {
    if (!isEvent(event)) checkEvent(event);
    const full: TraceEvent = {
      id: this.#events.length + 1,
      time: event.time,
      lane: event.lane,
      queue: event.queue,
      label: event.label,
      enqueuedBy: event.enqueuedBy,
      rule: event.rule,
      enqueuedAt: event.enqueuedAt,
    };
    if (event.spentMs !== undefined) full.spentMs = event.spentMs;
    this.#events.push(full);
    return full;
  }

  /**
   * Rebuilds a trace from recorded events (for instance ones that crossed a
   * worker boundary or a JSON file): each is recorded in order, so the
   * events must be numbered 1, 2, 3 ... when they carry an `id`.
   *
   * @param events The events, in run order.
   * @returns A new trace holding copies of them.
   * @throws {TypeError} When `events` is not iterable or an event is
   *   malformed (as `record` checks it).
   * @throws {RangeError} When an event's `id` is not its position.
   *
   * @example Explaining a trace sent as JSON
   * ```ts
   * import { EventLoop, Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ trace: true });
   * loop.setTimeout(loop.label("timer", () => {}), 0);
   * loop.resolved().then(loop.label("then", () => {}));
   * loop.runAll();
   * const copy = Trace.from(JSON.parse(JSON.stringify(loop.trace.events)));
   * assert.equal(copy.toText(), loop.trace.toText());
   * assert.match(copy.explain("then", "timer"), /microtask/);
   * ```
   */
  static from(
    events: Iterable<TraceEvent | Omit<TraceEvent, "id">>,
  ): Trace {
    const action = "rebuild a trace";
    if (
      events === null || events === undefined ||
      typeof (events as Iterable<unknown>)[Symbol.iterator] !== "function"
    ) typeError(action, "events", "an iterable of trace events", events);
    const trace = new Trace();
    for (const event of events) {
      const id = (event as Partial<TraceEvent>)?.id;
      const position = trace.#events.length + 1;
      if (id !== undefined && id !== position) {
        rangeError(action, "event.id", `${position}, its position`, id);
      }
      trace.record(event);
    }
    return trace;
  }

  /**
   * The queues right after event `step` ran (its checkpoint included, up to
   * the next event): the events queued by then (by an event up to `step`,
   * or at top level) that ran later, grouped by queue in run order. Step 0
   * is before the first event. Callbacks that never ran are not in the
   * trace: see `EventLoop.snapshot()` for what waits at the end.
   *
   * @param step An event id, or 0.
   * @returns The non-empty queues, in order of their first event.
   * @throws {TypeError} When `step` is not a number.
   * @throws {RangeError} When `step` is not an integer from 0 to the
   *   number of events.
   *
   * @example What waits after the script
   * ```ts
   * import { EventLoop } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const loop = new EventLoop({ trace: true });
   * loop.runScript(() => {
   *   loop.setTimeout(loop.label("timer", () => {}), 0);
   *   loop.queueMicrotask(loop.label("microtask", () => {}));
   * }, "main");
   * loop.runAll();
   * assert.deepEqual(
   *   loop.trace.queuedAt(1).map((q) => [q.queue, q.events.map((e) => e.label)]),
   *   [["microtasks", ["microtask"]], ["timers", ["timer"]]],
   * );
   * ```
   */
  queuedAt(step: number): { queue: string; events: TraceEvent[] }[] {
    const action = "find the queues at a step";
    assertInteger(action, "step", step, 0);
    if (step > this.#events.length) {
      rangeError(
        action,
        "step",
        `an integer from 0 to ${this.#events.length}`,
        step,
      );
    }
    const groups = new Map<string, TraceEvent[]>();
    for (let i = step; i < this.#events.length; i++) {
      const e = this.#events[i]!;
      if ((e.enqueuedBy ?? 0) > step) continue;
      const group = groups.get(e.queue);
      if (group === undefined) groups.set(e.queue, [e]);
      else group.push(e);
    }
    return [...groups].map(([queue, events]) => ({ queue, events }));
  }

  /**
   * The recorded events in run order (`events[i].id === i + 1`).
   */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  /**
   * Finds an event by id, by `"#<id>"`, or by label (the first event with
   * that exact label).
   *
   * @param ref The id or label.
   * @returns The event, or `undefined` when there is none.
   * @throws {TypeError} When `ref` is neither a number nor a string.
   *
   * @example Finding by label
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const trace = new Trace();
   * trace.record({
   *   time: 0, lane: "task", queue: "script", label: "main",
   *   enqueuedBy: undefined, rule: "the script runs first", enqueuedAt: 0,
   * });
   * assert.equal(trace.get("main")?.id, 1);
   * assert.equal(trace.get("#1")?.label, "main");
   * assert.equal(trace.get(2), undefined);
   * ```
   */
  get(ref: TraceEventRef): TraceEvent | undefined {
    if (typeof ref === "number") return this.#events[ref - 1];
    if (typeof ref !== "string") {
      typeError("find a trace event", "ref", "an event id or label", ref);
    }
    const m = /^#(\d+)$/.exec(ref);
    if (m !== null) return this.#events[Number(m[1]) - 1];
    return this.#events.find((e) => e.label === ref);
  }

  /**
   * The enqueue chain of an event: the event, the event that queued it, the
   * one that queued that, and so on up to top level.
   *
   * @param ref The id or label of the event.
   * @returns The chain, starting with the event itself.
   * @throws {TypeError} When `ref` is neither a number nor a string.
   * @throws {RangeError} When `ref` names no event of this trace.
   *
   * @example A promise chain
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const trace = new Trace();
   * const base = { lane: "microtask", queue: "microtasks", rule: "FIFO", time: 0, enqueuedAt: 0 } as const;
   * trace.record({ ...base, label: "a", enqueuedBy: undefined });
   * trace.record({ ...base, label: "b", enqueuedBy: 1 });
   * trace.record({ ...base, label: "c", enqueuedBy: 2 });
   * assert.deepEqual(trace.chain("c").map((e) => e.label), ["c", "b", "a"]);
   * ```
   */
  chain(ref: TraceEventRef): TraceEvent[] {
    const out: TraceEvent[] = [];
    let e: TraceEvent | undefined = this.#resolve("trace a chain", "ref", ref);
    while (e !== undefined && out.length <= this.#events.length) {
      out.push(e);
      e = e.enqueuedBy === undefined ? undefined : this.get(e.enqueuedBy);
    }
    return out;
  }

  /**
   * One line per event, in columns: id, time, lane, queue, label, where it was
   * queued, and the rule that placed it.
   *
   * @returns The text (`"(no events)"` for an empty trace).
   *
   * @example A two-line trace
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const trace = new Trace();
   * trace.record({
   *   time: 0, lane: "task", queue: "script", label: "main",
   *   enqueuedBy: undefined, rule: "the script runs first", enqueuedAt: 0,
   * });
   * trace.record({
   *   time: 1, lane: "timer", queue: "timers", label: "setTimeout(1)",
   *   enqueuedBy: 1, rule: "deadline 1ms reached", enqueuedAt: 0,
   * });
   * assert.equal(
   *   trace.toText(),
   *   "#1  0ms  task   script  main           at top level at 0ms  the script runs first\n" +
   *     "#2  1ms  timer  timers  setTimeout(1)  by #1 at 0ms         deadline 1ms reached",
   * );
   * ```
   */
  toText(): string {
    if (this.#events.length === 0) return "(no events)";
    const rows = this.#events.map((e) => [
      `#${e.id}`,
      e.spentMs === undefined
        ? formatMs(e.time)
        : `${formatMs(e.time)} (busy ${formatMs(e.spentMs)})`,
      e.lane,
      e.queue,
      e.label,
      originOf(e),
      e.rule,
    ]);
    const widths = rows[0]!.map((_, i) =>
      Math.max(...rows.map((r) => r[i]!.length))
    );
    return rows.map((r) =>
      r.map((cell, i) => i === r.length - 1 ? cell : cell.padEnd(widths[i]!))
        .join("  ").trimEnd()
    ).join("\n");
  }

  /**
   * Draws the trace as a Mermaid `sequenceDiagram`:
   *
   * - participants: `top` (top level) when some event was queued outside any
   *   event, then one participant per lane and queue, lanes in the fixed
   *   order task, microtask, timer, render, queues in order of first
   *   appearance;
   * - one message per event, in run order, from the participant of the event
   *   that queued it to the participant of the event itself, labelled
   *   `<id>. <label>`; a `%%` comment after it gives the rule;
   * - a note across all participants whenever virtual time moves (and at the
   *   start), giving the time.
   *
   * The output is deterministic and ends with a newline.
   *
   * @returns The diagram source.
   *
   * @example A timer and the microtask it queued
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const trace = new Trace();
   * trace.record({
   *   time: 0, lane: "task", queue: "script", label: "main",
   *   enqueuedBy: undefined, rule: "the script runs first", enqueuedAt: 0,
   * });
   * trace.record({
   *   time: 0, lane: "microtask", queue: "microtasks", label: "then",
   *   enqueuedBy: 1, rule: "checkpoint after the script", enqueuedAt: 0,
   * });
   * assert.equal(
   *   trace.toMermaid(),
   *   [
   *     "sequenceDiagram",
   *     "  participant top as top level",
   *     "  participant p1 as task/script",
   *     "  participant p2 as microtask/microtasks",
   *     "  Note over top,p2: 0ms",
   *     "  top->>p1: 1. main",
   *     "  %% the script runs first",
   *     "  p1->>p2: 2. then",
   *     "  %% checkpoint after the script",
   *     "",
   *   ].join("\n"),
   * );
   * ```
   */
  toMermaid(): string {
    return renderMermaid(this.#events);
  }

  /**
   * Draws the trace as a standalone SVG timeline:
   *
   * - one horizontal lane per {@linkcode TraceLane}, in the fixed order task,
   *   microtask, timer, render, each a `<g class="lane" data-lane="...">`;
   * - each event a labelled box (`<g class="event" data-id="..."
   *   data-lane="...">` with a `<title>` holding its details) in its lane,
   *   one column per event in run order;
   * - a time axis on top: a tick (`<g class="tick">`) wherever virtual time
   *   moves, at the first event of that time;
   * - an arrow (`<path class="arrow">`) from each event to every event it
   *   queued.
   *
   * The output is valid standalone XML with the SVG namespace, all text is
   * escaped, and the same events always give the same bytes.
   *
   * @returns The SVG document.
   *
   * @example Two boxes and the arrow between them
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const trace = new Trace();
   * trace.record({
   *   time: 0, lane: "task", queue: "script", label: "main",
   *   enqueuedBy: undefined, rule: "the script runs first", enqueuedAt: 0,
   * });
   * trace.record({
   *   time: 4, lane: "timer", queue: "timers", label: "a <b> & c",
   *   enqueuedBy: 1, rule: "deadline reached", enqueuedAt: 0,
   * });
   * const svg = trace.toSvg();
   * assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
   * assert.equal(svg.match(/class="event"/g)?.length, 2);
   * assert.equal(svg.match(/class="arrow"/g)?.length, 1);
   * assert.ok(svg.includes("a &#60;b&#62; &#38; c"));
   * ```
   */
  toSvg(): string {
    return renderSvg(this.#events);
  }

  /**
   * Explains, in words, why one event ran before the other (or after it),
   * naming the rule: an enqueue chain, deadline order, arming order, FIFO
   * order, the microtask checkpoint after every task, nextTick before
   * promises, the Node phases, rendering opportunities. The recorded rule
   * strings, times and enqueue chains of both events follow.
   *
   * @param a The id, `"#<id>"` or label of one event.
   * @param b The id, `"#<id>"` or label of the other.
   * @returns The explanation, several lines of text.
   * @throws {TypeError} When `a` or `b` is neither a number nor a string.
   * @throws {RangeError} When `a` or `b` names no event of this trace.
   *
   * @example Timers with the same deadline
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const trace = new Trace();
   * const timer = { time: 5, lane: "timer", queue: "timers", enqueuedBy: undefined, enqueuedAt: 0 } as const;
   * trace.record({ ...timer, label: "first", rule: "deadline 5ms reached" });
   * trace.record({ ...timer, label: "second", rule: "deadline 5ms reached" });
   * assert.match(trace.explain("second", "first"), /armed/);
   * ```
   */
  explain(a: TraceEventRef, b: TraceEventRef): string {
    const ea = this.#resolve("explain the trace", "a", a);
    const eb = this.#resolve("explain the trace", "b", b);
    return explainOrder(ea, eb, (id) => this.get(id));
  }

  /**
   * Removes every event; the next recorded event gets id 1.
   *
   * @example Clearing
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const trace = new Trace();
   * trace.record({
   *   time: 0, lane: "task", queue: "script", label: "main",
   *   enqueuedBy: undefined, rule: "the script runs first", enqueuedAt: 0,
   * });
   * trace.clear();
   * assert.equal(trace.events.length, 0);
   * ```
   */
  clear(): void {
    this.#events = [];
  }

  #resolve(action: string, option: string, ref: unknown): TraceEvent {
    if (typeof ref !== "number" && typeof ref !== "string") {
      typeError(action, option, "an event id or label", ref);
    }
    const event = this.get(ref);
    if (event === undefined) {
      rangeError(action, option, "the id or label of a recorded event", ref);
    }
    return event;
  }
}

const RECORD = "record a trace event";

// Whether `event` is a well-formed event to record: the fast path (an
// EventLoop records one event per callback), one expression V8 inlines.
function isEvent(event: Omit<TraceEvent, "id">): boolean {
  const lane = event?.lane;
  const by = event?.enqueuedBy;
  return (lane === "timer" || lane === "microtask" || lane === "task" ||
    lane === "render") &&
    typeof event.queue === "string" && typeof event.label === "string" &&
    typeof event.rule === "string" && Number.isFinite(event.time) &&
    Number.isFinite(event.enqueuedAt) &&
    (by === undefined || (Number.isInteger(by) && by >= 1)) &&
    (event.spentMs === undefined ||
      (event.spentMs >= 0 && event.spentMs !== Infinity));
}

// Throws the error that names what is wrong with an event to record.
function checkEvent(event: Omit<TraceEvent, "id">): void {
  if (event === null || typeof event !== "object") {
    typeError(RECORD, "event", "an object", event);
  }
  const lane = event.lane;
  if (
    lane !== "task" && lane !== "microtask" && lane !== "timer" &&
    lane !== "render"
  ) {
    typeError(
      RECORD,
      "event.lane",
      '"task", "microtask", "timer" or "render"',
      lane,
    );
  }
  if (!Number.isFinite(event.time)) {
    assertFinite(RECORD, "event.time", event.time);
  }
  if (!Number.isFinite(event.enqueuedAt)) {
    assertFinite(RECORD, "event.enqueuedAt", event.enqueuedAt);
  }
  const by = event.enqueuedBy;
  if (by !== undefined && !(Number.isInteger(by) && by >= 1)) {
    assertInteger(RECORD, "event.enqueuedBy", by);
  }
  if (typeof event.queue !== "string") {
    typeError(RECORD, "event.queue", "a string", event.queue);
  }
  if (typeof event.label !== "string") {
    typeError(RECORD, "event.label", "a string", event.label);
  }
  if (typeof event.rule !== "string") {
    typeError(RECORD, "event.rule", "a string", event.rule);
  }
  const spent = event.spentMs;
  if (spent !== undefined && !(spent >= 0 && spent !== Infinity)) {
    assertDuration(RECORD, "event.spentMs", spent);
  }
}
