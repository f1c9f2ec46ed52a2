/**
 * `Trace.explain`: why one event ran before another, in words.
 *
 * @module
 */

import type { TraceEvent } from "./trace.ts";
import { formatMs, nameOf, originOf } from "./_trace_format.ts";

type Lookup = (id: number) => TraceEvent | undefined;

const CHECKPOINT =
  "a microtask checkpoint runs after every task and callback, and it drains " +
  "the whole microtask queue before the next task, timer or frame";

/** The enqueue chain of `event`, itself first. */
function chainOf(event: TraceEvent, lookup: Lookup): TraceEvent[] {
  const out = [event];
  let e = event;
  while (e.enqueuedBy !== undefined && out.length < 10_000) {
    const parent = lookup(e.enqueuedBy);
    if (parent === undefined || parent.id >= e.id) break;
    out.push(parent);
    e = parent;
  }
  return out;
}

function describe(e: TraceEvent): string {
  return `${nameOf(e)} (${e.lane}, queue ${e.queue}, ran at ${
    formatMs(e.time)
  })`;
}

function chainText(chain: TraceEvent[], toTop = true): string {
  const names = chain.map(nameOf).join(" <- ");
  return toTop && chain[chain.length - 1]!.enqueuedBy === undefined
    ? `${names} <- top level`
    : names;
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

// The HTML sources Chromium runs in one queueing order (the default html
// profile's group), as the trace names them.
const ORDERED = new Set([
  "timers",
  "messages",
  "postTask:user-visible",
  "events",
  "abort-timeouts",
]);

const PHASE_OF: Record<string, string> = {
  timers: "the timers phase",
  messages: "the poll phase (where Node delivers messages)",
  immediates: "the check phase (setImmediate)",
};

// Whether `e` ran by the html model (its rule says so).
function isHtml(e: TraceEvent): boolean {
  return /queueing order|task source|\bhtml\b/.test(e.rule) &&
    !/phase/.test(e.rule);
}

/** Reasons that involve the sources added for busy code, messages, errors. */
function sourceReason(
  first: TraceEvent,
  second: TraceEvent,
): string | undefined {
  const f = nameOf(first);
  const s = nameOf(second);
  if (first.queue === "uncaught") {
    return `${f} is the report of an uncaught error (${first.rule}); the loop records it right after the callback that threw or the checkpoint that left the rejection unhandled`;
  }
  if (first.queue.startsWith("yield:")) {
    return `${f} is a scheduler.yield() continuation: it runs before every task of its priority (timers, messages and posted tasks included) and after tasks of higher priorities`;
  }
  if (
    second.queue.startsWith("yield:") && first.queue.startsWith("postTask:")
  ) {
    return `${f} is a ${
      first.queue.slice(9)
    } task, a higher priority than the ${
      second.queue.slice(6)
    } continuation ${s}`;
  }
  if (
    second.queue === "events" && second.lane === "task" &&
    first.lane === "microtask"
  ) {
    return `an unhandled rejection is announced only once the microtask checkpoint (and the nextTick queue) has drained, and ${f} ran in that checkpoint`;
  }
  if (
    first.queue !== second.queue && ORDERED.has(first.queue) &&
    ORDERED.has(second.queue) && (isHtml(first) || isHtml(second))
  ) {
    return `${f} (${first.queue}) and ${s} (${second.queue}) come from task sources that share one priority in Chromium and run in the order their tasks were queued, ${f} first: a 0 ms timer, a message or a posted task is queued when posted, a delayed one when the loop first sees it due (after the task that was running then), timers before postTask before AbortSignal.timeout`;
  }
  const pf = PHASE_OF[first.queue];
  const ps = PHASE_OF[second.queue];
  if (
    pf !== undefined && ps !== undefined && pf !== ps && !isHtml(first) &&
    (first.queue === "messages" || second.queue === "messages")
  ) {
    if (first.queue === "messages" && /pending phase/.test(first.rule)) {
      return `Deno delivers the messages of earlier loop turns in the pending phase, right after the timers phase and before the check phase`;
    }
    const order = ["timers", "messages", "immediates"];
    return order.indexOf(first.queue) < order.indexOf(second.queue)
      ? `in each loop turn ${pf} comes before ${ps}`
      : `${pf} of this loop turn comes before ${ps} of the next turn`;
  }
  return undefined;
}

/** The reason `first` ran before `second`, given both were queued already. */
function sameTimeReason(first: TraceEvent, second: TraceEvent): string {
  const f = nameOf(first);
  const s = nameOf(second);
  const at = formatMs(first.time);
  const bySource = sourceReason(first, second);
  if (bySource !== undefined) return bySource;
  if (first.lane === second.lane && first.queue === second.queue) {
    if ((first.enqueuedBy ?? 0) > (second.enqueuedBy ?? 0)) {
      return `although ${s} was queued earlier (${originOf(second)}), ${f} ` +
        `(queued ${originOf(first)}) went ahead of it in the ${first.queue} ` +
        `queue by its own rule: ${first.rule}`;
    }
    switch (first.lane) {
      case "timer":
        return `both timers were due at ${at}, and timers with the same ` +
          `deadline run in the order they were armed: ${f} was armed ` +
          `${originOf(first)}, ${s} ${originOf(second)}`;
      case "render":
        return `both are animation-frame callbacks of the frame at ${at}; ` +
          `the callbacks of one frame run in the order they were requested, ` +
          `all with the same timestamp`;
      default:
        return `the ${first.queue} queue is first in, first out, and ${f} ` +
          `was queued first (${originOf(first)}; ${s} ${originOf(second)})`;
    }
  }
  if (
    first.queue.startsWith("postTask:") && second.queue.startsWith("postTask:")
  ) {
    return `postTask tasks run by priority (user-blocking, then ` +
      `user-visible, then background), and ${f} came from the higher one`;
  }
  if (first.lane === "microtask" && second.lane === "microtask") {
    if (first.queue === "nextTick") {
      return `after each callback the whole nextTick queue runs before the ` +
        `${second.queue} queue (then both repeat while either is non-empty)`;
    }
    if (second.queue === "nextTick") {
      return `the ${first.queue} queue was being drained first: with an ES ` +
        `module entry, promise jobs queued at top level run before the ` +
        `nextTick queue, and a nextTick queued during a microtask drain ` +
        `waits until that drain ends`;
    }
    return `the loop drained the ${first.queue} queue before the ` +
      `${second.queue} queue`;
  }
  if (first.lane === "microtask") {
    return `${f} is a microtask, queued ${originOf(first)}, and ${CHECKPOINT}`;
  }
  if (second.lane === "microtask") {
    return `microtasks wait until the running task or callback returns: ` +
      `${s} ran in the checkpoint after ${f}`;
  }
  if (first.queue === "script") {
    return `the script runs to completion before any queued callback`;
  }
  if (first.queue === "timers" && second.queue === "immediates") {
    return `in each loop turn the timers phase comes before the check phase, ` +
      `where setImmediate callbacks run`;
  }
  if (first.queue === "immediates" && second.queue === "timers") {
    return `the check phase (setImmediate) of the current loop turn comes ` +
      `before the timers phase of the next turn`;
  }
  if (first.lane === "render") {
    return `the rendering opportunity at ${at} was taken before the next ` +
      `${second.lane} ran`;
  }
  if (second.lane === "render") {
    return `a rendering opportunity comes only after the current task and ` +
      `its microtask checkpoint`;
  }
  return `at ${at} the loop served the ${first.queue} queue (${first.lane}) ` +
    `before the ${second.queue} queue (${second.lane})`;
}

function reason(first: TraceEvent, second: TraceEvent, lookup: Lookup): string {
  const f = nameOf(first);
  const s = nameOf(second);
  const secondChain = chainOf(second, lookup);
  const ancestor = secondChain.findIndex((e) => e.id === first.id);
  if (ancestor === 1) {
    return `${s} was queued by ${f}, so it could only run after it`;
  }
  if (ancestor > 1) {
    return `${s} was queued through a chain that starts at ${f} ` +
      `(${chainText(secondChain.slice(0, ancestor + 1), false)}), so it ` +
      `could only ` +
      `run after it`;
  }
  if (second.enqueuedBy !== undefined && second.enqueuedBy > first.id) {
    const by = lookup(second.enqueuedBy);
    return `${s} was not queued until ${
      by === undefined ? `#${second.enqueuedBy}` : nameOf(by)
    } ran at ${formatMs(second.enqueuedAt)}, after ${f}`;
  }
  if (first.time < second.time) {
    const wait = `virtual time had to reach ${formatMs(second.time)}, and ` +
      `${f} ran at ${formatMs(first.time)}`;
    if (first.spentMs !== undefined && first.spentMs > 0) {
      return `${f} kept the loop busy for ${
        formatMs(first.spentMs)
      } (it spent virtual time), and nothing else can run while a callback runs: ${s} ran at ${
        formatMs(second.time)
      }`;
    }
    if (second.lane === "timer") {
      return `${s} is a timer that was not due until ${
        formatMs(second.time)
      } (armed ${originOf(second)}): ${wait}; timers run in deadline order`;
    }
    if (second.lane === "render") {
      return `${s} waited for the rendering opportunity at ${
        formatMs(second.time)
      }: ${wait}`;
    }
    return `${s} could not run earlier: ${wait}`;
  }
  return sameTimeReason(first, second);
}

/**
 * Explains why `a` ran before `b`, or after it.
 *
 * @param a One event.
 * @param b The other event.
 * @param lookup Finds an event by id (for enqueue chains).
 * @returns Several lines of text.
 */
export function explainOrder(
  a: TraceEvent,
  b: TraceEvent,
  lookup: Lookup,
): string {
  if (a.id === b.id) {
    return `${describe(a)} is one event: it did not run before or after ` +
      `itself.`;
  }
  const [first, second] = a.id < b.id ? [a, b] : [b, a];
  const verb = a.id < b.id ? "ran before" : "ran after";
  return [
    `${describe(a)} ${verb} ${describe(b)}.`,
    `Why ${nameOf(first)} came first: ${
      sentence(reason(first, second, lookup))
    }`,
    `Rule for ${nameOf(first)}: ${sentence(first.rule)}`,
    `Rule for ${nameOf(second)}: ${sentence(second.rule)}`,
    `Chain of ${nameOf(first)}: ${chainText(chainOf(first, lookup))}.`,
    `Chain of ${nameOf(second)}: ${chainText(chainOf(second, lookup))}.`,
  ].join("\n");
}
