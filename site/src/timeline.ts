/**
 * What the timeline shows at each step of a run, computed from the run's
 * result alone (no DOM): the kind of each step (the script, a task and its
 * source, a microtask of a checkpoint, a rendering step), the queues at a
 * step, the lines printed, the first difference between two runs, and the
 * text form of the whole timeline for screen readers.
 *
 * Step `k` (1..n) is the moment event `k` runs; step 0 is before the script.
 *
 * @module
 */

import { type TraceEvent, TraceView } from "./adapter.ts";
import type { OutputLine } from "./host.ts";
import type { RunError, RunResult } from "./run.ts";

/** The kind of a step, for grouping and colour. */
export type StepKind = "script" | "task" | "timer" | "microtask" | "render";

/** The kind of event `e`. */
export function kindOf(e: TraceEvent): StepKind {
  if (e.queue === "script") return "script";
  if (e.lane === "microtask") return "microtask";
  if (e.lane === "render") return "render";
  if (e.lane === "timer") return "timer";
  return "task";
}

const QUEUE_TITLES: Record<string, string> = {
  script: "Script",
  timers: "Timers",
  microtasks: "Microtasks",
  nextTick: "nextTick queue",
  immediates: "Immediates (check phase)",
  "animation-frames": "Animation frames",
  messages: "Messages (MessageChannel)",
  events: "Events (unhandledrejection)",
  "abort-timeouts": "AbortSignal.timeout",
  uncaught: "Uncaught errors",
};

/** A queue's title, e.g. `"Immediates (check phase)"`. */
export function queueTitle(queue: string): string {
  if (queue.startsWith("postTask:")) {
    return `Prioritized tasks: ${queue.slice(9)}`;
  }
  if (queue.startsWith("yield:")) {
    return `scheduler.yield() continuations: ${queue.slice(6)}`;
  }
  return QUEUE_TITLES[queue] ?? queue;
}

/** The heading a step opens, when it opens a group; otherwise undefined. */
export function groupTitle(
  events: readonly TraceEvent[],
  index: number,
): string | undefined {
  const e = events[index]!;
  const prev = index > 0 ? events[index - 1] : undefined;
  const t = formatMs(e.time);
  switch (kindOf(e)) {
    case "script":
      return `Script at ${t}`;
    case "microtask":
      return prev === undefined || kindOf(prev) !== "microtask"
        ? `Microtask checkpoint after #${prev?.id ?? "?"}`
        : undefined;
    case "render": {
      const before = lastNonMicro(events, index);
      return before?.lane === "render" && before.time === e.time
        ? undefined
        : `Rendering step (frame at ${t})`;
    }
    case "timer":
      return `Timer task at ${t}`;
    default:
      return e.queue === "uncaught"
        ? `Uncaught error at ${t}`
        : `Task from ${queueTitle(e.queue)} at ${t}`;
  }
}

function lastNonMicro(
  events: readonly TraceEvent[],
  index: number,
): TraceEvent | undefined {
  for (let i = index - 1; i >= 0; i--) {
    if (events[i]!.lane !== "microtask") return events[i];
  }
  return undefined;
}

/** Virtual time as the page prints it: `0 ms`, `16.667 ms`. */
export function formatMs(ms: number): string {
  return `${Math.round(ms * 1000) / 1000} ms`;
}

/** One entry of a queue at a step. */
export interface QueueItem {
  /** The label. */
  readonly label: string;
  /** When it ran (the event), if it did. */
  readonly event?: number;
  /** A note: when it is due, or why it never ran. */
  readonly note: string;
}

/** A queue at a step. */
export interface QueueSnapshot {
  /** The queue's name in the trace (`"timers"`, `"microtasks"`, ...). */
  readonly queue: string;
  /** Its title. */
  readonly title: string;
  /** Its entries, in the order they run. */
  readonly items: readonly QueueItem[];
}

const QUEUE_ORDER = [
  "script",
  "nextTick",
  "microtasks",
  "timers",
  "messages",
  "immediates",
  "yield:user-blocking",
  "postTask:user-blocking",
  "yield:user-visible",
  "postTask:user-visible",
  "yield:background",
  "postTask:background",
  "events",
  "abort-timeouts",
  "animation-frames",
];

const API_QUEUES: Record<string, string> = {
  setTimeout: "timers",
  setInterval: "timers",
  setImmediate: "immediates",
  requestAnimationFrame: "animation-frames",
  queueMicrotask: "microtasks",
  nextTick: "nextTick",
};

/** Where each label ran: label -> event ids. */
export function labelIndex(
  events: readonly TraceEvent[],
): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const e of events) {
    const ids = index.get(e.label);
    if (ids === undefined) index.set(e.label, [e.id]);
    else ids.push(e.id);
  }
  return index;
}

/**
 * The queues after step `k`: what has been queued by then and runs later
 * (the library's `Trace.queuedAt`), what was still queued when the run
 * ended (`EventLoop.snapshot()`), and callbacks cancelled later.
 *
 * @param result The run.
 * @param k The step, 0..n.
 * @param view The run's trace (see {@linkcode TraceView}).
 * @param index The run's label index (see {@linkcode labelIndex}).
 * @returns The non-empty queues, in a fixed order.
 */
export function queuesAt(
  result: Pick<RunResult, "events" | "arms" | "queuedAtEnd">,
  k: number,
  view: TraceView = new TraceView(result.events),
  index: Map<string, number[]> = labelIndex(result.events),
): QueueSnapshot[] {
  const byQueue = new Map<string, QueueItem[]>();
  const add = (queue: string, item: QueueItem) => {
    const items = byQueue.get(queue);
    if (items === undefined) byQueue.set(queue, [item]);
    else items.push(item);
  };
  for (const { queue, events } of view.queuedAt(k)) {
    for (const e of events) {
      add(queue, {
        label: e.label,
        event: e.id,
        note: e.lane === "timer" || e.lane === "render"
          ? `runs as #${e.id} at ${formatMs(e.time)}`
          : `runs as #${e.id}`,
      });
    }
  }
  for (const c of result.queuedAtEnd) {
    if ((c.enqueuedBy ?? 0) > k) continue;
    add(c.queue, {
      label: c.label,
      note: c.dueAt === undefined
        ? "never ran: still queued when the run ended"
        : `never ran: due at ${
          formatMs(c.dueAt)
        }, still queued when the run ended`,
    });
  }
  for (const arm of result.arms) {
    if (arm.clearedBy === undefined || arm.clearedBy <= k) continue;
    if (arm.armedBy > k) continue;
    const ran = index.get(arm.label);
    if (ran !== undefined) {
      if (!arm.interval) continue;
      // An interval re-arms after each run: pending after its last run so
      // far, unless a later run shows it (from the trace, above).
      if (ran.some((id) => id > k)) continue;
    }
    const queue = API_QUEUES[arm.api] ?? "postTask:user-visible";
    add(queue, {
      label: arm.label,
      note: `never runs: cancelled by #${arm.clearedBy}`,
    });
  }
  const known = QUEUE_ORDER.filter((q) => byQueue.has(q));
  const other = [...byQueue.keys()].filter((q) => !QUEUE_ORDER.includes(q))
    .sort();
  return [...known, ...other].map((queue) => ({
    queue,
    title: queueTitle(queue),
    items: byQueue.get(queue)!,
  }));
}

/** A line the run printed: an output line, or an error it reported. */
export interface PrintedLine {
  /** The text (`"Uncaught ReferenceError: ..."` for an error). */
  readonly text: string;
  /** The event that printed it. */
  readonly event: number;
  /** Whether it is an error report. */
  readonly error: boolean;
  /** For output lines: the console method. */
  readonly level?: OutputLine["level"];
}

/** The text of a reported error, as a console shows it. */
export function errorText(e: RunError): string {
  return `Uncaught ${e.name}: ${e.message}`;
}

/** Output lines and reported errors, in the order they happened. */
export function printedLines(
  result: Pick<RunResult, "output" | "errors">,
): PrintedLine[] {
  const out: PrintedLine[] = [];
  let i = 0;
  const errors = result.errors;
  for (const line of result.output) {
    while (i < errors.length && errors[i]!.event < line.event) {
      out.push({
        text: errorText(errors[i]!),
        event: errors[i]!.event,
        error: true,
      });
      i++;
    }
    out.push({
      text: line.text,
      event: line.event,
      error: false,
      level: line.level,
    });
  }
  for (; i < errors.length; i++) {
    out.push({
      text: errorText(errors[i]!),
      event: errors[i]!.event,
      error: true,
    });
  }
  return out;
}

/** Where two runs first differ. */
export type Difference =
  | {
    /** They print different lines (or one prints more). */
    readonly kind: "output";
    /** The index in {@linkcode printedLines}. */
    readonly index: number;
    /** The first run's line there, if any. */
    readonly a: PrintedLine | undefined;
    /** The second run's line there, if any. */
    readonly b: PrintedLine | undefined;
  }
  | {
    /** They print the same, but their events differ. */
    readonly kind: "event";
    /** The index in the events. */
    readonly index: number;
    /** The first run's event there, if any. */
    readonly a: TraceEvent | undefined;
    /** The second run's event there, if any. */
    readonly b: TraceEvent | undefined;
  };

const sameEvent = (x: TraceEvent, y: TraceEvent) =>
  x.queue === y.queue && x.label === y.label && x.time === y.time &&
  x.lane === y.lane;

/**
 * The first difference between two runs: in what they print, else in their
 * events (queue, label, time); undefined when they agree on both.
 */
export function firstDifference(
  a: Pick<RunResult, "output" | "errors" | "events">,
  b: Pick<RunResult, "output" | "errors" | "events">,
): Difference | undefined {
  const pa = printedLines(a);
  const pb = printedLines(b);
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    if (pa[i]?.text !== pb[i]?.text) {
      return { kind: "output", index: i, a: pa[i], b: pb[i] };
    }
  }
  const m = Math.max(a.events.length, b.events.length);
  for (let i = 0; i < m; i++) {
    const x = a.events[i];
    const y = b.events[i];
    if (x === undefined || y === undefined || !sameEvent(x, y)) {
      return { kind: "event", index: i, a: x, b: y };
    }
  }
  return undefined;
}

const KIND_WORDS: Record<StepKind, string> = {
  script: "the script",
  task: "a task",
  timer: "a timer task",
  microtask: "a microtask",
  render: "an animation-frame callback",
};

/** One sentence about event `e` (for the live region and the text form). */
export function describeEvent(e: TraceEvent, total: number): string {
  const by = e.enqueuedBy === undefined ? "" : `, queued by #${e.enqueuedBy}`;
  return `Step ${e.id} of ${total}, at ${formatMs(e.time)}: ${
    KIND_WORDS[kindOf(e)]
  }, ${e.label}, from ${queueTitle(e.queue)}${by}.`;
}

/** The whole run as text: one paragraph per step with what it printed. */
export function timelineText(
  result: Pick<RunResult, "events" | "output" | "errors" | "stopped">,
): string {
  const lines: string[] = [];
  const printed = printedLines(result);
  const total = result.events.length;
  let p = 0;
  for (let i = 0; i < total; i++) {
    const e = result.events[i]!;
    const group = groupTitle(result.events, i);
    if (group !== undefined) lines.push(`${group}:`);
    lines.push(`  ${describeEvent(e, total)}`);
    while (p < printed.length && printed[p]!.event <= e.id) {
      lines.push(`    prints: ${printed[p]!.text}`);
      p++;
    }
  }
  for (; p < printed.length; p++) lines.push(`prints: ${printed[p]!.text}`);
  if (result.stopped !== undefined) {
    lines.push(`Stopped: ${result.stopped.message}`);
  }
  return lines.join("\n");
}
