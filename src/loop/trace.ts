/**
 * The trace of an event-loop run: every callback that ran, with its virtual
 * time, lane, queue, what enqueued it and the rule that placed it, plus text,
 * Mermaid and SVG pictures of it and explanations of its order.
 *
 * @module
 */

import { explainOrder } from "./_explain.ts";
import { formatMs, originOf } from "./_trace_format.ts";
import { renderMermaid } from "./render_mermaid.ts";
import { renderSvg } from "./render_svg.ts";
import { rangeError, typeError } from "../core/_validate.ts";

/**
 * The lane of a trace event, the kind of work it was: a task (script,
 * `setImmediate`, `postTask`, messages), a microtask (promise jobs,
 * `queueMicrotask`, `nextTick`), a timer (`setTimeout`, `setInterval`) or a
 * rendering step (animation-frame callbacks).
 *
 * @example The lanes of a timer and its microtask
 * ```ts
 * import { EventLoop, type TraceLane } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop({ trace: true });
 * loop.setTimeout(() => loop.queueMicrotask(() => {}), 0);
 * loop.runAll();
 * const lanes: TraceLane[] = loop.trace.events.map((e) => e.lane);
 * assert.deepEqual(lanes, ["timer", "microtask"]);
 * ```
 */
export type TraceLane = "task" | "microtask" | "timer" | "render";

/**
 * One event of a trace: a callback that ran, when, from which queue, what
 * queued it and the rule that placed it.
 *
 * @example Reading an event recorded by a trace
 * ```ts
 * import { Trace, type TraceEvent } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const trace = new Trace();
 * const event: TraceEvent = trace.record({
 *   time: 1, lane: "timer", queue: "timers", label: "setTimeout(0)",
 *   enqueuedBy: undefined, rule: "node: a delay below 1 ms becomes 1 ms",
 *   enqueuedAt: 0,
 * });
 * assert.equal(event.id, 1);
 * assert.equal(event.time - event.enqueuedAt, 1);
 * ```
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
}

/**
 * A reference to a trace event: its id, `"#<id>"`, or its label.
 *
 * @example Three ways to name one event
 * ```ts
 * import { EventLoop, type TraceEventRef } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const loop = new EventLoop({ trace: true });
 * loop.setTimeout(loop.label("tick", () => {}), 5);
 * loop.runAll();
 * const refs: TraceEventRef[] = [1, "#1", "tick"];
 * assert.deepEqual(refs.map((ref) => loop.trace.get(ref)?.time), [5, 5, 5]);
 * ```
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
    this.#events.push(full);
    return full;
  }

  /**
   * The recorded events in run order (`events[i].id === i + 1`).
   *
   * @example Reading events
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(new Trace().events, []);
   * ```
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
      formatMs(e.time),
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
   * A Mermaid sequence diagram of the trace (see
   * {@linkcode renderMermaid}).
   *
   * @returns The diagram source.
   *
   * @example The header
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * assert.match(new Trace().toMermaid(), /^sequenceDiagram\n/);
   * ```
   */
  toMermaid(): string {
    return renderMermaid(this.#events);
  }

  /**
   * An SVG timeline of the trace (see {@linkcode renderSvg}).
   *
   * @returns A standalone SVG document.
   *
   * @example A standalone document
   * ```ts
   * import { Trace } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const svg = new Trace().toSvg();
   * assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
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
