/**
 * One run on the page: its status and notices, a stepper (first, back,
 * forward, last; arrow keys in the event list), the lane picture around the
 * current step, the event list, the output with the lines of the current
 * step marked, the queues at the current step, the explanation of two
 * picked events, exports, and the timeline as text.
 *
 * @module
 */

/// <reference lib="dom" />

import { type ProfileInfo, TraceView } from "../adapter.ts";
import { whyNotSimulated } from "../not_simulated.ts";
import type { RunError, RunResult } from "../run.ts";
import {
  describeEvent,
  formatMs,
  groupTitle,
  kindOf,
  labelIndex,
  type PrintedLine,
  printedLines,
  queuesAt,
  timelineText,
} from "../timeline.ts";
import { h, s } from "./dom.ts";
import { showExport } from "./export_dialog.ts";
import { drawLanes } from "./lanes.ts";
import { VirtualList } from "./virtual_list.ts";

const ROW_H = 28;
const MAX_OUTPUT = 500;
const MAX_QUEUE_ITEMS = 30;

/** A run that never produced a result (the page's watchdog ended it). */
export interface RunFailure {
  /** The profile. */
  readonly profile: ProfileInfo["id"];
  /** Why. */
  readonly message: string;
}

const HEADLINES: Record<RunError["kind"], string> = {
  syntax: "The snippet does not parse",
  "not-simulated": "Not simulated (yet)",
  uncaught: "The process stopped at an uncaught error",
  "loop-limit": "Stopped by the loop's limit",
  "iteration-limit": "Stopped: a loop never gave the event loop back",
  exit: "process.exit() ended the run",
};

/** Options of a {@linkcode RunPanel}. */
export interface RunPanelOptions {
  /** `"a"` or `"b"`: ids and labels. */
  readonly key: string;
  /** The profile. */
  readonly info: ProfileInfo;
  /** The run. */
  readonly result: RunResult;
  /**
   * A link that runs the same snippet for real in this browser (html
   * profile), if any.
   */
  readonly nativeHref?: string;
}

/** One run's views. */
export class RunPanel {
  /** The panel's root element. */
  readonly element: HTMLElement;
  /** The run. */
  readonly result: RunResult;
  readonly #info: ProfileInfo;
  readonly #key: string;
  readonly #printed: PrintedLine[];
  readonly #printedBy = new Map<number, PrintedLine[]>();
  readonly #labels: Map<string, number[]>;
  readonly #list: VirtualList;
  readonly #lanes: SVGSVGElement;
  readonly #now: HTMLElement;
  readonly #position: HTMLOutputElement;
  readonly #output: HTMLOListElement;
  readonly #queues: HTMLElement;
  readonly #explain: HTMLElement;
  #view: TraceView | undefined;
  #step: number;
  #picked: number[] = [];
  #diffEvent: number | undefined;
  #diffLine: number | undefined;

  /**
   * Builds the views of `options.result`, at its last step.
   *
   * @param options The run and its profile.
   */
  constructor(options: RunPanelOptions) {
    const { result, info, key } = options;
    this.result = result;
    this.#info = info;
    this.#key = key;
    this.#printed = printedLines(result);
    for (const line of this.#printed) {
      const lines = this.#printedBy.get(line.event);
      if (lines === undefined) this.#printedBy.set(line.event, [line]);
      else lines.push(line);
    }
    this.#labels = labelIndex(result.events);
    this.#step = result.events.length;
    const n = result.events.length;

    this.#list = new VirtualList({
      rowHeight: ROW_H,
      render: (i) => this.#row(i),
    });
    const list = this.#list.element;
    list.id = `events-${key}`;
    list.classList.add("events");
    list.setAttribute("role", "listbox");
    list.setAttribute("tabindex", "0");
    list.style.height = `${Math.min(22 * 16, (n + 1) * ROW_H + 4)}px`;
    list.setAttribute("aria-label", `Steps of the run under ${info.title}`);
    list.addEventListener("keydown", (e) => this.#onKey(e));
    list.addEventListener("click", (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>(
        "[data-index]",
      );
      if (row !== null) this.#choose(Number(row.dataset.index), true);
    });

    this.#position = h("output", { class: "position", "aria-live": "off" });
    this.#now = h("p", { class: "now", "aria-live": "polite" });
    this.#lanes = s("svg", {
      class: "lanes",
      "aria-hidden": "true",
      focusable: "false",
    }) as SVGSVGElement;
    this.#output = h("ol", { class: "output", "aria-label": "Output" });
    this.#output.addEventListener("click", (e) => {
      const li = (e.target as HTMLElement).closest<HTMLElement>("li");
      const event = Number(li?.dataset.event ?? -1);
      if (event >= 0) this.setStep(event);
    });
    this.#queues = h("div", { class: "queues" });
    this.#explain = h("div", { class: "explain", "aria-live": "polite" });

    const button = (
      label: string,
      text: string,
      onclick: () => void,
      cls = "",
    ) =>
      h("button", {
        type: "button",
        "aria-label": label,
        title: label,
        class: cls,
        onclick,
      }, text);
    const textTimeline = h("pre", { class: "text-timeline" });
    const details = h(
      "details",
      {
        class: "text-form",
        ontoggle: () => {
          if (details.open && textTimeline.textContent === "") {
            textTimeline.textContent = timelineText(result);
          }
        },
      },
      h("summary", {}, "Timeline as text"),
      textTimeline,
    );
    const exporter = (kind: "svg" | "mermaid" | "text") => () => {
      const view = this.#traceView();
      const name = `pledge-loop-${info.id}`;
      if (kind === "svg") {
        showExport(
          `SVG of the run under ${info.title}`,
          view.toSvg(),
          `${name}.svg`,
          "image/svg+xml",
        );
      } else if (kind === "mermaid") {
        showExport(
          `Mermaid of the run under ${info.title}`,
          view.toMermaid(),
          `${name}.mmd`,
          "text/plain",
        );
      } else {
        showExport(
          `Trace of the run under ${info.title}`,
          view.toText(),
          `${name}.txt`,
          "text/plain",
        );
      }
    };

    this.element = panelShell(
      key,
      info,
      [
        h(
          "span",
          { class: "summary" },
          `${n} events · ends at ${formatMs(result.endMs)} · simulated in ${
            result.timing.runMs.toFixed(1)
          } ms`,
        ),
        h(
          "span",
          { class: "exports" },
          button("Export the run as SVG", "SVG", exporter("svg")),
          button(
            "Export the run as a Mermaid diagram",
            "Mermaid",
            exporter("mermaid"),
          ),
          button("Export the trace as text", "Text", exporter("text")),
        ),
      ],
      options.nativeHref === undefined ? null : h(
        "p",
        { class: "native" },
        h(
          "a",
          { href: options.nativeHref, target: "_blank", rel: "noopener" },
          "Run it for real in this browser",
        ),
        " (a new tab runs the snippet natively, no simulation: compare its order with this one).",
      ),
      this.#notice(),
      h(
        "div",
        {
          class: "stepper",
          role: "group",
          "aria-label": `Step through the run under ${info.title}`,
        },
        button(
          "First step (before the script)",
          "« First",
          () => this.setStep(0),
          "first",
        ),
        button(
          "Step back",
          "‹ Back",
          () => this.setStep(this.#step - 1),
          "back",
        ),
        button(
          "Step forward",
          "Forward ›",
          () => this.setStep(this.#step + 1),
          "forward",
        ),
        button("Last step", "Last »", () => this.setStep(n), "last"),
        this.#position,
      ),
      this.#now,
      h("div", { class: "lanes-box" }, this.#lanes),
      h(
        "div",
        { class: "columns" },
        h("div", { class: "col-events" }, h("h3", {}, "Steps"), list),
        h(
          "div",
          { class: "col-side" },
          h("h3", {}, "Output"),
          this.#output,
          h("h3", {}, "Queues after this step"),
          this.#queues,
        ),
      ),
      this.#explain,
      details,
    );
    this.#renderOutput();
    this.#renderExplain();
    this.#list.setCount(n + 1);
    this.setStep(n, false);
  }

  /** The current step (0..n). */
  get step(): number {
    return this.#step;
  }

  /** The events picked for an explanation. */
  get picked(): readonly number[] {
    return this.#picked;
  }

  /** Moves to step `k` (clamped to 0..n). */
  setStep(k: number, reveal = true): void {
    const n = this.result.events.length;
    this.#step = Math.max(0, Math.min(n, k));
    const e = this.result.events[this.#step - 1];
    this.#position.value = `Step ${this.#step} of ${n}${
      e === undefined ? "" : ` · ${formatMs(e.time)}`
    }`;
    this.#now.textContent = e === undefined
      ? "Before the script: nothing has run yet."
      : describeEvent(e, n) + this.#printsText(e.id);
    this.#list.element.setAttribute(
      "aria-activedescendant",
      this.#rowId(this.#step),
    );
    if (reveal) this.#list.reveal(this.#step);
    this.#list.refresh();
    this.#redraw();
  }

  /** Picks event `id` for the explanation (a third pick starts over). */
  pick(id: number): void {
    if (this.#picked.length >= 2 || this.#picked.includes(id)) {
      this.#picked = [];
    }
    this.#picked.push(id);
    this.#list.refresh();
    this.#redraw();
    this.#renderExplain();
  }

  /** Marks the first difference with the other run. */
  markDifference(event: number | undefined, line: number | undefined): void {
    this.#diffEvent = event;
    this.#diffLine = line;
    this.#renderOutput();
    this.#list.refresh();
    this.#redraw();
    // Show the differing line inside the output box (not the whole page).
    const li = this.#output.querySelector<HTMLElement>("li.diff");
    if (li !== null) {
      requestAnimationFrame(() => {
        const ol = this.#output;
        ol.scrollTop = Math.max(0, li.offsetTop - ol.clientHeight / 2);
      });
    }
  }

  /** Focuses the event list (for keyboard users). */
  focus(): void {
    this.#list.element.focus();
  }

  #traceView(): TraceView {
    return this.#view ??= new TraceView(this.result.events);
  }

  #rowId(index: number): string {
    return `ev-${this.#key}-${index}`;
  }

  #printsText(id: number): string {
    const lines = this.#printedBy.get(id);
    if (lines === undefined) return "";
    return ` Prints: ${lines.map((l) => l.text).join(" / ")}`;
  }

  #row(i: number): HTMLElement {
    const e = this.result.events[i - 1];
    const current = i === this.#step;
    const attrs = {
      role: "option",
      id: this.#rowId(i),
      "aria-selected": current ? "true" : "false",
      "aria-posinset": i + 1,
      "aria-setsize": this.result.events.length + 1,
    };
    if (e === undefined) {
      return h("div", {
        ...attrs,
        class: `row row-start${current ? " current" : ""}`,
      }, h("span", { class: "rlabel" }, "Before the script"));
    }
    const kind = kindOf(e);
    const group = groupTitle(this.result.events, i - 1);
    const pick = this.#picked.indexOf(i);
    const prints = this.#printedBy.get(i);
    const cls = [
      "row",
      `kind-${kind}`,
      group === undefined ? "" : "group-start",
      current ? "current" : "",
      i > this.#step ? "future" : "",
      pick >= 0 ? "picked" : "",
      i === this.#diffEvent ? "diff" : "",
    ].filter(Boolean).join(" ");
    return h(
      "div",
      {
        ...attrs,
        class: cls,
        title: group === undefined ? e.rule : `${group}. ${e.rule}`,
      },
      h("span", { class: "rid" }, `#${i}`),
      h("span", { class: "rtime" }, formatMs(e.time)),
      h("span", { class: "chip" }, kind),
      h("span", { class: "rlabel" }, e.label),
      pick >= 0 ? h("span", { class: "rpick" }, "AB"[pick]!) : null,
      prints === undefined ? null : h(
        "span",
        { class: "rprints" },
        `→ ${prints.map((l) => l.text).join(" / ")}`,
      ),
    );
  }

  #choose(index: number, pick: boolean): void {
    this.setStep(index);
    if (pick && index > 0) this.pick(index);
  }

  #onKey(e: KeyboardEvent): void {
    const n = this.result.events.length;
    let to: number | undefined;
    switch (e.key) {
      case "ArrowDown":
      case "ArrowRight":
        to = this.#step + 1;
        break;
      case "ArrowUp":
      case "ArrowLeft":
        to = this.#step - 1;
        break;
      case "Home":
        to = 0;
        break;
      case "End":
        to = n;
        break;
      case "PageDown":
        to = this.#step + 10;
        break;
      case "PageUp":
        to = this.#step - 10;
        break;
      case "Enter":
      case " ":
        if (this.#step > 0) this.pick(this.#step);
        e.preventDefault();
        return;
      case "Escape":
        this.#picked = [];
        this.#list.refresh();
        this.#redraw();
        this.#renderExplain();
        return;
      default:
        return;
    }
    e.preventDefault();
    this.setStep(to);
  }

  #redraw(): void {
    drawLanes(this.#lanes, {
      events: this.result.events,
      step: this.#step,
      picked: this.#picked,
      ...(this.#diffEvent === undefined ? {} : { difference: this.#diffEvent }),
      onPick: (id) => this.#choose(id, true),
    });
    for (const li of this.#output.children) {
      const event = Number((li as HTMLElement).dataset.event);
      li.classList.toggle("future", event > this.#step);
      li.classList.toggle("now", event === this.#step);
    }
    this.#renderQueues();
  }

  #renderOutput(): void {
    const items = this.#printed.slice(0, MAX_OUTPUT).map((line, i) =>
      h(
        "li",
        {
          "data-event": line.event,
          class: [
            line.error
              ? "error"
              : line.level === "warn" || line.level === "error"
              ? "stderr"
              : "",
            i === this.#diffLine ? "diff" : "",
          ].filter(Boolean).join(" ") || undefined,
          title: `printed by #${line.event}`,
        },
        line.text,
      )
    );
    if (this.#printed.length > MAX_OUTPUT) {
      items.push(
        h(
          "li",
          { class: "more", "data-event": -1 },
          `… ${
            this.#printed.length - MAX_OUTPUT
          } more lines (see “Timeline as text”)`,
        ),
      );
    }
    if (items.length === 0) {
      items.push(
        h("li", { class: "empty", "data-event": -1 }, "(nothing printed)"),
      );
    }
    this.#output.replaceChildren(...items);
  }

  #renderQueues(): void {
    const queues = queuesAt(
      this.result,
      this.#step,
      this.#traceView(),
      this.#labels,
    );
    if (queues.length === 0) {
      this.#queues.replaceChildren(
        h("p", { class: "empty" }, "All queues are empty."),
      );
      return;
    }
    this.#queues.replaceChildren(
      ...queues.map((q) =>
        h(
          "div",
          { class: `queue queue-${q.queue.replace(/[^a-z-]/gi, "-")}` },
          h("h4", {}, `${q.title} (${q.items.length})`),
          h(
            "ul",
            {},
            ...q.items.slice(0, MAX_QUEUE_ITEMS).map((item) =>
              h(
                "li",
                {},
                h("span", { class: "qlabel" }, item.label),
                " ",
                h("span", { class: "qnote" }, item.note),
              )
            ),
            q.items.length > MAX_QUEUE_ITEMS
              ? h(
                "li",
                { class: "more" },
                `… and ${q.items.length - MAX_QUEUE_ITEMS} more`,
              )
              : null,
          ),
        )
      ),
    );
  }

  #renderExplain(): void {
    const [a, b] = this.#picked;
    const events = this.result.events;
    const clear = h("button", {
      type: "button",
      onclick: () => {
        this.#picked = [];
        this.#list.refresh();
        this.#redraw();
        this.#renderExplain();
      },
    }, "Clear");
    if (a === undefined) {
      this.#explain.replaceChildren(
        h(
          "p",
          {},
          "Pick two events (click them, or press Enter on a step in the list) to ask why one ran before the other.",
        ),
      );
      return;
    }
    const ea = events[a - 1]!;
    if (b === undefined) {
      this.#explain.replaceChildren(
        h("p", {}, `A: #${a} ${ea.label}. Pick a second event.`, " ", clear),
      );
      return;
    }
    const eb = events[b - 1]!;
    this.#explain.replaceChildren(
      h("h3", {}, `Why #${Math.min(a, b)} ran before #${Math.max(a, b)}`),
      h(
        "p",
        { class: "picks" },
        `A: #${a} ${ea.label} · B: #${b} ${eb.label} `,
        clear,
      ),
      h("pre", { class: "explanation" }, this.#traceView().explain(a, b)),
    );
  }

  #notice(): HTMLElement | null {
    const r = this.result;
    const stop = r.stopped;
    if (stop === undefined && r.notSimulated.length > 0) {
      return h(
        "div",
        { class: "notice notice-not-simulated", role: "status" },
        h("strong", {}, "Not simulated yet"),
        ...r.notSimulated.map((f) => h("p", {}, whyNotSimulated(f))),
      );
    }
    if (stop === undefined) {
      return r.errors.length === 0 ? null : h(
        "div",
        { class: "notice notice-uncaught", role: "status" },
        h(
          "strong",
          {},
          `${r.errors.length} uncaught error${
            r.errors.length === 1 ? "" : "s"
          } reported; the browser went on with the next task`,
        ),
      );
    }
    const pending = r.pendingAtEnd > 0
      ? ` ${r.pendingAtEnd} callback${
        r.pendingAtEnd === 1 ? " was" : "s were"
      } still queued.`
      : "";
    return h(
      "div",
      { class: `notice notice-${stop.kind}`, role: "alert" },
      h("strong", {}, HEADLINES[stop.kind]),
      h(
        "p",
        {},
        stop.kind === "uncaught"
          ? `Uncaught ${stop.name}: ${stop.message}`
          : stop.message,
        stop.event > 0 ? ` (at step #${stop.event})` : "",
        pending,
      ),
    );
  }
}

/** A panel's frame: its section, and a header with the profile's title. */
function panelShell(
  key: string,
  info: ProfileInfo,
  head: HTMLElement[],
  ...children: (HTMLElement | null)[]
): HTMLElement {
  return h(
    "section",
    {
      class: "panel",
      id: `panel-${key}`,
      "data-profile": info.id,
      "aria-labelledby": `panel-${key}-title`,
    },
    h(
      "header",
      { class: "panel-head" },
      h("h2", { id: `panel-${key}-title` }, info.title),
      ...head,
    ),
    ...children,
  );
}

/** The panel shown when the page's watchdog ended a run. */
export function failurePanel(
  key: string,
  info: ProfileInfo,
  failure: RunFailure,
): HTMLElement {
  return panelShell(
    key,
    info,
    [],
    h(
      "div",
      { class: "notice notice-watchdog", role: "alert" },
      h("strong", {}, "Stopped by the page"),
      h("p", {}, failure.message),
    ),
  );
}
