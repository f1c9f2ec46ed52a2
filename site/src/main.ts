/**
 * The event-loop playground page: the editor and its starter snippets, one
 * runtime profile or two side by side (with the first difference marked),
 * runs in a Web Worker, the state in the URL.
 *
 * @module
 */

/// <reference lib="dom" />

import {
  FEATURES,
  isProfileId,
  PROFILE_IDS,
  type ProfileId,
  profileInfo,
} from "./adapter.ts";
import type { RunResult } from "./run.ts";
import { snippetById, SNIPPETS } from "./snippets.ts";
import { type Difference, firstDifference } from "./timeline.ts";
import { byId, h } from "./ui/dom.ts";
import { failurePanel, RunPanel } from "./ui/panel.ts";
import { decodeState, encodeState } from "./url_state.ts";
import { SimWorker, WatchdogError } from "./worker_client.ts";

declare const PLEDGE_WORKER_SOURCE: string;

/** What the page exposes for its tests and for the curious. */
interface PlaygroundHandle {
  /** Completed runs so far. */
  runs: number;
  /** The results of the last run, per panel. */
  results: (RunResult | { failure: string })[];
  /** The first difference of the last comparison. */
  difference: Difference | undefined;
  /** The panels of the last run. */
  panels: RunPanel[];
  /** Real time of the last run: in the worker, and drawing the page (ms). */
  timing: { simulateMs: number; drawMs: number };
  /** Runs the editor's snippet under the chosen profiles. */
  run(): Promise<void>;
}

const DEFAULT_SNIPPET = "micro-macro";

const editor = byId<HTMLTextAreaElement>("editor");
const snippetSelect = byId<HTMLSelectElement>("snippet");
const profileA = byId<HTMLSelectElement>("profile-a");
const profileB = byId<HTMLSelectElement>("profile-b");
const runButton = byId<HTMLButtonElement>("run");
const shareButton = byId<HTMLButtonElement>("share");
const shareStatus = byId<HTMLElement>("share-status");
const about = byId<HTMLElement>("about");
const problems = byId<HTMLElement>("problems");
const differenceBox = byId<HTMLElement>("difference");
const runsBox = byId<HTMLElement>("runs");

const worker = new SimWorker(PLEDGE_WORKER_SOURCE);
const handle: PlaygroundHandle = {
  runs: 0,
  results: [],
  difference: undefined,
  panels: [],
  timing: { simulateMs: 0, drawMs: 0 },
  run: () => run(),
};
(globalThis as unknown as { playground: PlaygroundHandle }).playground = handle;

let starterId: string | undefined;
let running: Promise<void> = Promise.resolve();

function fillMenus(): void {
  snippetSelect.replaceChildren(
    h("option", { value: "" }, "(your own snippet)"),
    ...SNIPPETS.map((s) => h("option", { value: s.id }, s.title)),
  );
  const options = () =>
    PROFILE_IDS.map((id) => {
      const info = profileInfo(id);
      return h(
        "option",
        { value: id, title: `Compared with ${info.runtime}` },
        info.title,
      );
    });
  profileA.replaceChildren(...options());
  profileB.replaceChildren(
    h("option", { value: "" }, "(nothing)"),
    ...options(),
  );
}

// The editor grows with its snippet (6 to 28 lines).
function fitEditor(): void {
  const lines = editor.value.split("\n").length + 1;
  editor.rows = Math.max(6, Math.min(28, lines));
}

function profiles(): ProfileId[] {
  const a = profileA.value as ProfileId;
  const b = profileB.value;
  return isProfileId(b) && b !== a ? [a, b] : [a];
}

function setProfiles(ids: readonly ProfileId[]): void {
  profileA.value = ids[0] ?? "html";
  profileB.value = ids[1] ?? "";
}

function setStarter(id: string | undefined): void {
  starterId = id;
  snippetSelect.value = id ?? "";
  const s = id === undefined ? undefined : snippetById(id);
  about.textContent = s?.about ??
    "Your own snippet: plain JavaScript, as you would run it in the runtime you picked.";
}

function renderLimits(): void {
  const partly = [
    "MessageChannel: transfer lists, and an open port keeping Node or Deno running (the simulation ends when nothing is queued)",
    "unhandled rejections: the late rejectionhandled event and Node's warnings",
    "process.on(): uncaughtException and unhandledRejection only; addEventListener(): error and unhandledrejection only",
  ];
  if (!FEATURES.spend) partly.push("time that passes inside a callback");
  const list = byId<HTMLElement>("not-yet");
  list.replaceChildren(...partly.map((p) => h("li", {}, p)));
  byId<HTMLElement>("not-yet-box").hidden = partly.length === 0;
}

function showProblems(list: readonly string[]): void {
  problems.replaceChildren(...list.map((p) => h("p", {}, p)));
  problems.hidden = list.length === 0;
}

function updateUrl(): void {
  const fragment = encodeState(
    { code: editor.value, profiles: profiles() },
    starterId,
  );
  history.replaceState(null, "", `#${fragment}`);
}

function renderDifference(
  a: RunPanel,
  b: RunPanel,
  diff: Difference | undefined,
): void {
  if (diff === undefined) {
    differenceBox.replaceChildren(
      h(
        "p",
        {},
        `Same output and same steps under ${a.element.dataset.profile} and ${b.element.dataset.profile}.`,
      ),
    );
    return;
  }
  const ta = profileInfo(a.result.profile).title;
  const tb = profileInfo(b.result.profile).title;
  let text: string;
  let ea: number | undefined;
  let eb: number | undefined;
  if (diff.kind === "output") {
    const say = (title: string, line: typeof diff.a) =>
      line === undefined
        ? `${title} prints nothing more`
        : `${title} prints “${line.text}”`;
    text = `First difference, output line ${diff.index + 1}: ${
      say(ta, diff.a)
    }; ${say(tb, diff.b)}.`;
    ea = diff.a?.event;
    eb = diff.b?.event;
    a.markDifference(ea, diff.a === undefined ? undefined : diff.index);
    b.markDifference(eb, diff.b === undefined ? undefined : diff.index);
  } else {
    const say = (title: string, e: typeof diff.a) =>
      e === undefined
        ? `${title} has no step ${diff.index + 1}`
        : `${title} runs ${e.label} from ${e.queue} at ${e.time} ms`;
    text = `Same output, but the steps differ from step ${diff.index + 1}: ${
      say(ta, diff.a)
    }; ${say(tb, diff.b)}.`;
    ea = diff.a?.id;
    eb = diff.b?.id;
    a.markDifference(ea, undefined);
    b.markDifference(eb, undefined);
  }
  differenceBox.replaceChildren(
    h(
      "p",
      {},
      h("strong", {}, "Difference. "),
      text,
      " ",
      h("button", {
        type: "button",
        id: "show-difference",
        onclick: () => {
          if (ea !== undefined) a.setStep(ea);
          if (eb !== undefined) b.setStep(eb);
        },
      }, "Step both runs there"),
    ),
  );
}

async function runNow(): Promise<void> {
  fitEditor();
  const code = editor.value;
  const ids = profiles();
  updateUrl();
  document.body.dataset.state = "running";
  runButton.disabled = true;
  runsBox.setAttribute("aria-busy", "true");
  const results: (RunResult | { failure: string })[] = [];
  const t0 = performance.now();
  for (const profile of ids) {
    try {
      results.push(await worker.run(code, { profile }));
    } catch (e) {
      results.push({
        failure: e instanceof WatchdogError
          ? e.message
          : `The page failed: ${(e as Error).message}`,
      });
    }
  }
  const t1 = performance.now();
  const panels: RunPanel[] = [];
  const elements = results.map((r, i) => {
    const key = "ab"[i]!;
    const info = profileInfo(ids[i]!);
    if ("failure" in r) {
      return failurePanel(key, info, { profile: info.id, message: r.failure });
    }
    const native = `native.html#${
      encodeState({ code, profiles: ["html"] }).replace(/&p=.*$/, "")
    }`;
    const panel = new RunPanel({
      key,
      info,
      result: r,
      ...(info.id === "html" ? { nativeHref: native } : {}),
    });
    panels.push(panel);
    return panel.element;
  });
  runsBox.classList.toggle("compare", ids.length === 2);
  runsBox.replaceChildren(...elements);
  handle.difference = undefined;
  differenceBox.hidden = ids.length < 2;
  if (ids.length === 2) {
    if (panels.length === 2) {
      handle.difference = firstDifference(panels[0]!.result, panels[1]!.result);
      renderDifference(panels[0]!, panels[1]!, handle.difference);
    } else {differenceBox.replaceChildren(
        h("p", {}, "No comparison: a run was stopped by the page."),
      );}
  }
  handle.results = results;
  handle.panels = panels;
  // Drawn: after layout and the next frame.
  await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
  handle.timing = { simulateMs: t1 - t0, drawMs: performance.now() - t1 };
  runButton.disabled = false;
  runsBox.removeAttribute("aria-busy");
  document.body.dataset.state = "idle";
  handle.runs++;
  document.body.dataset.runs = String(handle.runs);
}

function run(): Promise<void> {
  running = running.then(runNow, runNow);
  return running;
}

function applyFragment(fragment: string): boolean {
  const state = decodeState(fragment);
  showProblems(state.problems);
  if (state.code === undefined && state.profiles === undefined) return false;
  if (state.code !== undefined) {
    editor.value = state.code;
    setStarter(state.starterId);
  }
  if (state.profiles !== undefined) setProfiles(state.profiles);
  return true;
}

function loadStarter(id: string): void {
  const s = snippetById(id);
  if (s === undefined) return;
  editor.value = s.code;
  setStarter(s.id);
  setProfiles(s.profiles.filter(isProfileId));
}

fillMenus();
renderLimits();
if (!applyFragment(location.hash)) loadStarter(DEFAULT_SNIPPET);

snippetSelect.addEventListener("change", () => {
  if (snippetSelect.value === "") {
    setStarter(undefined);
    return;
  }
  loadStarter(snippetSelect.value);
  run();
});
profileA.addEventListener("change", () => run());
profileB.addEventListener("change", () => run());
runButton.addEventListener("click", () => run());
editor.addEventListener("input", () => {
  fitEditor();
  if (
    starterId !== undefined && editor.value !== snippetById(starterId)?.code
  ) {
    setStarter(undefined);
  }
});
editor.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    run();
  }
});
shareButton.addEventListener("click", async () => {
  updateUrl();
  const link = location.href;
  try {
    await navigator.clipboard.writeText(link);
    shareStatus.textContent = "Link copied: it reproduces this run.";
  } catch {
    shareStatus.textContent = `Link: ${link}`;
  }
});
addEventListener("hashchange", () => {
  if (applyFragment(location.hash)) run();
});
document.addEventListener("keydown", (e) => {
  const target = e.target as HTMLElement;
  if (target.closest("textarea, input, select") !== null) return;
  if (e.altKey && (e.key === "1" || e.key === "2")) {
    handle.panels[Number(e.key) - 1]?.focus();
    e.preventDefault();
  }
});
byId<HTMLDialogElement>("export-dialog").addEventListener("close", () => {
  byId<HTMLElement>("export-body").replaceChildren();
});

run();
