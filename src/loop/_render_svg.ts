/**
 * Renders a trace as an SVG timeline: the drawing behind `Trace.toSvg()`.
 *
 * @module
 */

import type { TraceEvent, TraceLane } from "./trace.ts";
import { formatMs, LANES } from "./_trace_format.ts";

const LEFT = 112; // room for the lane titles
const TOP = 44; // room for the time axis
const LANE_H = 56;
const COL_W = 132;
const BOX_W = 116;
const BOX_H = 30;
const RIGHT = 16;
const BOTTOM = 12;
const MAX_CHARS = 15;

const TITLES: Record<TraceLane, string> = {
  task: "Tasks",
  microtask: "Microtasks",
  timer: "Timers",
  render: "Rendering",
};
const STROKE: Record<TraceLane, string> = {
  task: "#4e79a7",
  microtask: "#e15759",
  timer: "#59a14f",
  render: "#b07aa1",
};
const FILL: Record<TraceLane, string> = {
  task: "#dbe6f1",
  microtask: "#f9dcdc",
  timer: "#dcefd9",
  render: "#eee1ec",
};

/** Escapes text for XML content and attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
    // Characters XML 1.0 forbids even as references.
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "");
}

function clip(label: string): string {
  const chars = Array.from(label);
  return chars.length <= MAX_CHARS
    ? label
    : chars.slice(0, MAX_CHARS - 1).join("").trimEnd() + "\u2026";
}

/**
 * Renders trace events as a standalone SVG timeline.
 *
 * - One horizontal lane per {@linkcode TraceLane}, in the fixed order task,
 *   microtask, timer, render, each a `<g class="lane" data-lane="...">`.
 * - Each event is a labelled box (`<g class="event" data-id="..."
 *   data-lane="...">` with a `<title>` holding its details) in its lane;
 *   boxes are ordered by run order along x, one column per event.
 * - A time axis on top: a tick (`<g class="tick">`) wherever virtual time
 *   moves, at the first event of that time.
 * - An arrow (`<path class="arrow">`) from each event to every event it
 *   queued.
 *
 * The output is valid standalone XML with the SVG namespace, all text is
 * escaped, and the same events always give the same bytes.
 *
 * @param events The events, in run order (as `Trace.events` holds them).
 * @returns The SVG document.
 */
export function renderSvg(events: readonly TraceEvent[]): string {
  const n = events.length;
  const width = LEFT + Math.max(n, 1) * COL_W + RIGHT;
  const height = TOP + LANES.length * LANE_H + BOTTOM;
  const laneY = (lane: TraceLane): number => TOP + LANES.indexOf(lane) * LANE_H;
  const column = new Map<number, number>();
  events.forEach((e, i) => column.set(e.id, i));
  const boxX = (i: number): number => LEFT + i * COL_W + (COL_W - BOX_W) / 2;
  const boxY = (e: TraceEvent): number => laneY(e.lane) + (LANE_H - BOX_H) / 2;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>Event-loop trace: ${n} event${n === 1 ? "" : "s"}</title>`,
    `<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>`,
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g class="lanes">`,
  ];
  LANES.forEach((lane, i) => {
    const y = laneY(lane);
    out.push(
      `<g class="lane" data-lane="${lane}">` +
        `<rect x="0" y="${y}" width="${width}" height="${LANE_H}" fill="${
          i % 2 === 0 ? "#f7f8fa" : "#eef0f4"
        }"/>` +
        `<text x="8" y="${y + LANE_H / 2 + 4}" font-weight="bold" fill="${
          STROKE[lane]
        }">${TITLES[lane]}</text></g>`,
    );
  });
  out.push(`</g>`, `<g class="ticks">`);
  let time: number | undefined;
  events.forEach((e, i) => {
    if (e.time === time) return;
    time = e.time;
    const x = LEFT + i * COL_W;
    out.push(
      `<g class="tick" data-time="${esc(String(e.time))}">` +
        `<line x1="${x}" y1="${TOP - 10}" x2="${x}" y2="${
          height - BOTTOM
        }" stroke="#999" stroke-dasharray="3 3"/>` +
        `<text x="${x + 4}" y="${TOP - 14}" fill="#333">${
          esc(formatMs(e.time))
        }</text></g>`,
    );
  });
  out.push(`</g>`, `<g class="arrows">`);
  events.forEach((e, i) => {
    const from = e.enqueuedBy === undefined
      ? undefined
      : column.get(e.enqueuedBy);
    if (from === undefined || from >= i) return;
    const src = events[from]!;
    let d: string;
    if (src.lane === e.lane) {
      // Same lane: arc over the boxes in between.
      const x1 = boxX(from) + BOX_W / 2;
      const x2 = boxX(i) + BOX_W / 2;
      const y = boxY(e);
      const lift = Math.min(LANE_H / 2 - 4, 8 + (i - from) * 2);
      d = `M${x1},${y} C${x1},${y - lift} ${x2},${y - lift} ${x2},${y}`;
    } else {
      const x1 = boxX(from) + BOX_W;
      const y1 = boxY(src) + BOX_H / 2;
      const x2 = boxX(i);
      const y2 = boxY(e) + BOX_H / 2;
      const mid = (x1 + x2) / 2;
      d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
    }
    out.push(
      `<path class="arrow" data-from="${src.id}" data-to="${e.id}" d="${d}" fill="none" stroke="#666" stroke-width="1.2" marker-end="url(#arrowhead)"/>`,
    );
  });
  out.push(`</g>`, `<g class="events">`);
  events.forEach((e, i) => {
    const x = boxX(i);
    const y = boxY(e);
    const details =
      `#${e.id} ${e.label} | ${e.lane}, queue ${e.queue} | ran at ${
        formatMs(e.time)
      }, queued at ${formatMs(e.enqueuedAt)}${
        e.enqueuedBy === undefined ? " at top level" : ` by #${e.enqueuedBy}`
      } | ${e.rule}`;
    out.push(
      `<g class="event" data-id="${e.id}" data-lane="${e.lane}">` +
        `<title>${esc(details)}</title>` +
        `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="4" fill="${
          FILL[e.lane]
        }" stroke="${STROKE[e.lane]}"/>` +
        `<text x="${x + 6}" y="${
          y + BOX_H / 2 + 4
        }" font-size="10" fill="#222">${
          esc(`#${e.id} ${clip(e.label)}`)
        }</text></g>`,
    );
  });
  if (n === 0) {
    out.push(
      `<text x="${LEFT + 8}" y="${
        TOP + LANE_H / 2 + 4
      }" fill="#666">no events</text>`,
    );
  }
  out.push(`</g>`, `</svg>`, "");
  return out.join("\n");
}
