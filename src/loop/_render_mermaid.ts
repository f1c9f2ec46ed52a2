/**
 * Renders a trace as a Mermaid sequence diagram: the drawing behind
 * `Trace.toMermaid()`.
 *
 * @module
 */

import type { TraceEvent } from "./trace.ts";
import { formatMs, LANES } from "./_trace_format.ts";

// Mermaid reads `#...;` as an entity and `;` as a statement separator in some
// versions: write both as entity codes, and keep everything on one line.
function escapeMermaid(text: string): string {
  return text.replace(/[#;]/g, (c) => `#${c.charCodeAt(0)};`)
    .replace(/[\r\n]+/g, " ");
}

/**
 * Renders trace events as a Mermaid `sequenceDiagram`.
 *
 * - Participants: `top` (top level) when some event was queued outside any
 *   event, then one participant per lane and queue, lanes in the fixed order
 *   task, microtask, timer, render, queues in order of first appearance.
 * - One message per event, in run order, from the participant of the event
 *   that queued it to the participant of the event itself, labelled
 *   `<id>. <label>`; a `%%` comment after it gives the rule.
 * - A note across all participants whenever virtual time moves (and at the
 *   start), giving the time.
 *
 * The output is deterministic and ends with a newline.
 *
 * @param events The events, in run order (as `Trace.events` holds them).
 * @returns The diagram source.
 */
export function renderMermaid(events: readonly TraceEvent[]): string {
  const keys: string[] = [];
  const byKey = new Map<string, string>();
  const byId = new Map<number, TraceEvent>();
  for (const e of events) byId.set(e.id, e);
  const parentOf = (e: TraceEvent): TraceEvent | undefined =>
    e.enqueuedBy === undefined || e.enqueuedBy >= e.id
      ? undefined
      : byId.get(e.enqueuedBy);
  const hasTop = events.some((e) => parentOf(e) === undefined);
  for (const lane of LANES) {
    for (const e of events) {
      const key = `${e.lane}/${e.queue}`;
      if (e.lane === lane && !byKey.has(key)) {
        byKey.set(key, `p${keys.length + 1}`);
        keys.push(key);
      }
    }
  }
  const lines = ["sequenceDiagram"];
  if (hasTop) lines.push("  participant top as top level");
  for (const key of keys) {
    // A colon may end an alias in some Mermaid versions: write it as an entity.
    const alias = escapeMermaid(key).replace(/:/g, "#58;");
    lines.push(`  participant ${byKey.get(key)} as ${alias}`);
  }
  const firstP = hasTop ? "top" : "p1";
  const lastP = keys.length > 0 ? `p${keys.length}` : firstP;
  const span = firstP === lastP ? firstP : `${firstP},${lastP}`;
  const participantOf = (e: TraceEvent): string =>
    byKey.get(`${e.lane}/${e.queue}`)!;
  let time: number | undefined;
  for (const e of events) {
    if (e.time !== time) {
      time = e.time;
      lines.push(`  Note over ${span}: ${formatMs(time)}`);
    }
    const parent = parentOf(e);
    const from = parent === undefined ? "top" : participantOf(parent);
    lines.push(
      `  ${from}->>${participantOf(e)}: ${e.id}. ${escapeMermaid(e.label)}`,
    );
    if (e.rule !== "") lines.push(`  %% ${e.rule.replace(/[\r\n]+/g, " ")}`);
  }
  return lines.join("\n") + "\n";
}
