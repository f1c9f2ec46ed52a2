/**
 * Formatting helpers shared by the trace, its explanations and its renderers.
 *
 * @module
 */

import type { TraceEvent, TraceLane } from "./trace.ts";

/** The lanes in their fixed display order. */
export const LANES: readonly TraceLane[] = [
  "task",
  "microtask",
  "timer",
  "render",
];

/** Renders a virtual time: integers as is, fractions to 3 decimals. */
export function formatMs(ms: number): string {
  if (Number.isInteger(ms)) return `${ms}ms`;
  return `${Math.round(ms * 1000) / 1000}ms`;
}

/** `#5 "then"`: an event's id and label. */
export function nameOf(event: TraceEvent): string {
  return `#${event.id} ${JSON.stringify(event.label)}`;
}

/** Where an event was queued: `by #2 "then" at 0ms` or `at top level at 0ms`. */
export function originOf(event: TraceEvent): string {
  const at = formatMs(event.enqueuedAt);
  return event.enqueuedBy === undefined
    ? `at top level at ${at}`
    : `by #${event.enqueuedBy} at ${at}`;
}
