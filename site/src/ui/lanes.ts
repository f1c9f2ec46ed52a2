/**
 * The lane picture of the timeline around the current step: one row per
 * lane (tasks, microtasks, timers, rendering), one column per event in run
 * order, arrows from each event to the ones it queued, virtual time on top.
 * It draws a window of events around the current step, so its cost does not
 * grow with the run. Decorative for screen readers: the event list is the
 * accessible form.
 *
 * @module
 */

/// <reference lib="dom" />

import type { TraceEvent } from "../adapter.ts";
import { formatMs } from "../timeline.ts";
import { s } from "./dom.ts";

const LANES = ["task", "microtask", "timer", "render"] as const;
const TITLES = ["Tasks", "Microtasks", "Timers", "Rendering"];
const LEFT = 92;
const TOP = 30;
const LANE_H = 38;
const COL_W = 96;
const BOX_W = 88;
const BOX_H = 26;
const HALF = 10; // columns each side of the current step

/** What to draw. */
export interface LanesView {
  /** All events of the run. */
  readonly events: readonly TraceEvent[];
  /** The current step (0..n). */
  readonly step: number;
  /** Events picked for an explanation, in pick order. */
  readonly picked: readonly number[];
  /** The event marked as the first difference, if any. */
  readonly difference?: number;
  /** Called with the id of a clicked event. */
  readonly onPick: (id: number) => void;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "\u2026";
}

/** Draws the lanes around `view.step` into `svg` (replacing its content). */
export function drawLanes(svg: SVGSVGElement, view: LanesView): void {
  const { events } = view;
  const n = events.length;
  const center = Math.max(1, view.step);
  let from = Math.max(1, center - HALF);
  const to = Math.min(n, from + 2 * HALF);
  from = Math.max(1, to - 2 * HALF);
  const cols = Math.max(0, to - from + 1);
  const width = LEFT + cols * COL_W + 8;
  const height = TOP + LANES.length * LANE_H + 6;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  const parts: SVGElement[] = [];
  LANES.forEach((lane, row) => {
    const y = TOP + row * LANE_H;
    parts.push(
      s("rect", {
        class: `lane lane-${lane}`,
        x: 0,
        y,
        width,
        height: LANE_H,
      }),
      s(
        "text",
        { class: "lane-title", x: 8, y: y + LANE_H / 2 + 4 },
        TITLES[row],
      ),
    );
  });
  const x = (id: number) => LEFT + (id - from) * COL_W + (COL_W - BOX_W) / 2;
  const y = (e: TraceEvent) =>
    TOP + LANES.indexOf(e.queue === "script" ? "task" : e.lane) * LANE_H +
    (LANE_H - BOX_H) / 2;
  let lastTime = NaN;
  for (let id = from; id <= to; id++) {
    const e = events[id - 1]!;
    if (e.time !== lastTime) {
      lastTime = e.time;
      parts.push(
        s("text", { class: "tick", x: x(id), y: 12 }, formatMs(e.time)),
        s("line", {
          class: "tick-line",
          x1: x(id),
          x2: x(id),
          y1: 16,
          y2: height,
        }),
      );
    }
  }
  for (let id = from; id <= to; id++) {
    const e = events[id - 1]!;
    const by = e.enqueuedBy;
    if (by === undefined || by < from || by > to) continue;
    const p = events[by - 1]!;
    const x1 = x(by) + BOX_W;
    const y1 = y(p) + BOX_H / 2;
    const x2 = x(id);
    const y2 = y(e) + BOX_H / 2;
    const mid = (x1 + x2) / 2;
    parts.push(
      s("path", {
        class: "arrow",
        d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}`,
        "marker-end": "url(#arrowhead)",
      }),
    );
  }
  for (let id = from; id <= to; id++) {
    const e = events[id - 1]!;
    const pick = view.picked.indexOf(id);
    const cls = [
      "ev",
      `ev-${e.queue === "script" ? "script" : e.lane}`,
      id === view.step ? "current" : "",
      id > view.step ? "future" : "",
      pick >= 0 ? "picked" : "",
      id === view.difference ? "diff" : "",
    ].filter(Boolean).join(" ");
    parts.push(
      s(
        "g",
        {
          class: cls,
          "data-id": id,
          transform: `translate(${x(id)},${y(e)})`,
          onclick: () => view.onPick(id),
        },
        s("title", {}, `#${id} ${e.label} (${e.queue}, ${formatMs(e.time)})`),
        s("rect", { width: BOX_W, height: BOX_H, rx: 5 }),
        s(
          "text",
          { x: 5, y: 11, class: "ev-id" },
          `#${id}${pick >= 0 ? ` ${"AB"[pick]}` : ""}`,
        ),
        s("text", { x: 5, y: 22 }, clip(e.label, 14)),
      ),
    );
  }
  const defs = s(
    "defs",
    {},
    s(
      "marker",
      {
        id: "arrowhead",
        viewBox: "0 0 8 8",
        refX: 4,
        refY: 4,
        markerWidth: 6,
        markerHeight: 6,
        orient: "auto",
      },
      s("path", { d: "M0,0 L8,4 L0,8 z", class: "arrowhead" }),
    ),
  );
  svg.replaceChildren(defs, ...parts);
}
