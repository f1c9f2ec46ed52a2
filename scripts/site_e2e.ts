/**
 * `deno task site:test`: the event-loop playground, built and loaded in
 * headless Chromium (Debian's package, driven over the DevTools protocol):
 *
 * - every starter snippet under every profile, the page's output order
 *   compared with the orders recorded from real Node (CommonJS, ESM) and
 *   Deno (tests/site/fixtures) and, for the browser profile, with Chromium
 *   itself running the same snippet natively in this test (native.html);
 *   the snippets of `EXPECTED_UNSUPPORTED` must say "not simulated" instead;
 * - stepping the timeline with the keyboard and the buttons (position,
 *   output of the step, queues after it), "why did this run before that"
 *   from clicks and from the keyboard, two profiles side by side with the
 *   first difference marked, exports, the text form;
 * - a shared link opened in a new tab reproduces the run; the built page
 *   opened as a file works too;
 * - runaway snippets (an endless interval, a microtask flood, an endless
 *   loop, and one that no guard catches) stop with a message while the page
 *   stays responsive.
 *
 * Screenshots of the main views go to site/out/. Without Chromium (and no
 * way to install it) it prints why and exits 0 with `site test: skipped`.
 *
 * @module
 */

import { sizeTable } from "./site_build.ts";
import {
  type Browser,
  findChromium,
  type Page,
  startPlayground,
} from "./site_cdp.ts";
import { SNIPPETS } from "../site/src/snippets.ts";
import { toBase64Url } from "../site/src/url_state.ts";
import {
  loadFixture,
  type Recorded,
  unsupportedFeature,
} from "../tests/site/_expected.ts";

const ROOT = new URL("../", import.meta.url);
const DIST = new URL("site/dist/", ROOT);
const OUT = new URL("site/out/", ROOT);
const PROFILES = ["html", "node", "node-esm", "deno"] as const;
const FIXTURE_OF = {
  node: "node-cjs",
  "node-esm": "node-esm",
  deno: "deno",
} as const;

let passed = 0;
let failed = 0;

async function check(name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  try {
    await fn();
    passed++;
    console.log(`ok    ${name} (${Math.round(performance.now() - t0)} ms)`);
  } catch (e) {
    failed++;
    console.log(
      `FAIL  ${name}\n      ${
        String((e as Error)?.message ?? e).replaceAll("\n", "\n      ")
      }`,
    );
  }
}

function expect(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

function same(actual: unknown, wanted: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const w = JSON.stringify(wanted);
  if (a !== w) throw new Error(`${what}\n  page:     ${a}\n  expected: ${w}`);
}

interface PanelView {
  output: string[];
  errors: string[];
  notice: string | null;
  noticeText: string;
  position: string;
}

function readPanel(page: Page, key: "a" | "b"): Promise<PanelView | null> {
  return page.evaluate<PanelView | null>(`(() => {
    const p = document.querySelector("#panel-${key}");
    if (!p) return null;
    const lis = [...p.querySelectorAll(".output li")];
    const plain = (l) => !["error", "empty", "more", "stderr"].some((c) => l.classList.contains(c));
    const notice = p.querySelector(".notice");
    return {
      output: lis.filter(plain).map((l) => l.textContent),
      errors: lis.filter((l) => l.classList.contains("error")).map((l) => l.textContent.replace(/^Uncaught /, "")),
      notice: notice ? [...notice.classList].find((c) => c.startsWith("notice-")) : null,
      noticeText: notice ? notice.textContent : "",
      position: p.querySelector(".position")?.value ?? "",
    };
  })()`);
}

const runs = (page: Page) => page.evaluate<number>(`playground.runs`);

/** Does `action`, then waits for the page to finish one more run. */
async function afterRun(
  page: Page,
  action: () => Promise<unknown>,
  timeoutMs = 20_000,
): Promise<void> {
  const before = await runs(page);
  await action();
  await page.waitFor(
    `playground.runs > ${before} && document.body.dataset.state === "idle"`,
    timeoutMs,
  );
}

/** Opens a link's fragment in the page (runs again when it is the same). */
function openHash(page: Page, hash: string): Promise<void> {
  return afterRun(page, () =>
    page.evaluate(`(() => {
      const hash = ${JSON.stringify(`#${hash}`)};
      if (location.hash === hash) playground.run();
      else location.hash = hash;
    })()`));
}

function recordedOf(view: PanelView): Recorded {
  return { output: view.output, error: view.errors[0] ?? null };
}

async function nativeChromium(
  browser: Browser,
  url: string,
  code: string,
): Promise<Recorded> {
  const page = await browser.newPage(
    `${url}native.html#code=${toBase64Url(code)}`,
  );
  try {
    const r = await page.evaluate<{ output: string[]; error: string | null }>(
      `nativeRun`,
    );
    return { output: r.output, error: r.error };
  } finally {
    await page.close();
  }
}

const chromium = findChromium();
if (chromium === undefined) {
  console.log(
    "site test: skipped: no chromium on PATH and `apt-get install -y chromium` was not possible here (needs Debian's apt and root)",
  );
  Deno.exit(0);
}

console.log("building the site (deno task site)");
const session = await startPlayground(chromium, DIST);
const { browser, url } = session;
console.log(sizeTable(session.sizes));
await Deno.mkdir(OUT, { recursive: true });
console.log(`${browser.version} (${chromium})`);
const page = await browser.newPage(url);
const chromiumOrders: Record<string, Recorded> = {};

try {
  await check("the page loads and runs its default snippet", async () => {
    await page.waitFor(`window.playground && playground.runs >= 1`);
    const a = await readPanel(page, "a");
    expect(a !== null && a.output.length > 0, "no output in the first panel");
    await page.screenshot(new URL("single.png", OUT));
  });

  for (const snippet of SNIPPETS) {
    chromiumOrders[snippet.id] = await nativeChromium(
      browser,
      url,
      snippet.code,
    );
    for (const profile of PROFILES) {
      const unsupported = unsupportedFeature(snippet.id, profile);
      const against = profile === "html"
        ? "Chromium (run live)"
        : FIXTURE_OF[profile];
      const name = unsupported === undefined
        ? `starter ${snippet.id} under ${profile} prints what ${against} prints`
        : `starter ${snippet.id} under ${profile} says ${unsupported} is not simulated yet`;
      await check(name, async () => {
        await openHash(page, `s=${snippet.id}&p=${profile}`);
        const view = (await readPanel(page, "a"))!;
        if (unsupported !== undefined) {
          expect(
            view.notice === "notice-not-simulated",
            `${snippet.id} is now simulated under ${profile} (notice: ${view.notice}): remove it from EXPECTED_UNSUPPORTED in tests/site/_expected.ts`,
          );
          return;
        }
        const wanted = profile === "html"
          ? chromiumOrders[snippet.id]!
          : loadFixture(snippet.id).results[FIXTURE_OF[profile]].majority;
        same(recordedOf(view), wanted, `${snippet.id} under ${profile}`);
      });
    }
  }
  await Deno.writeTextFile(
    new URL("chromium_orders.json", OUT),
    JSON.stringify(
      { browser: browser.version, orders: chromiumOrders },
      null,
      2,
    ) + "\n",
  );

  await check(
    "the browser profile links to a native run of the same snippet",
    async () => {
      await openHash(page, "s=3-2-1&p=html");
      const href = await page.evaluate<string>(
        `document.querySelector("#panel-a .native a").href`,
      );
      const tab = await browser.newPage(href);
      try {
        const native = await tab.evaluate<Recorded>(`nativeRun`);
        same(
          native.output,
          (await readPanel(page, "a"))!.output,
          "the native run prints what the page shows",
        );
      } finally {
        await tab.close();
      }
    },
  );

  await check(
    "the snippet menu and the runtime menus run what they pick",
    async () => {
      await afterRun(page, () =>
        page.evaluate(`(() => {
        const menu = document.querySelector("#snippet");
        menu.value = "immediate-in-timer";
        menu.dispatchEvent(new Event("change"));
      })()`));
      same(
        await page.evaluate(
          `[document.querySelector("#profile-a").value, document.querySelector("#profile-b").value]`,
        ),
        ["node", "html"],
        "the starter's profiles",
      );
      same((await readPanel(page, "a"))!.output, [
        "setImmediate",
        "setTimeout(0)",
      ], "node");
      same((await readPanel(page, "b"))!.output, [
        "no setImmediate in this runtime",
        "setTimeout(0)",
      ], "html");
      await afterRun(page, () =>
        page.evaluate(`(() => {
        const menu = document.querySelector("#profile-b");
        menu.value = "";
        menu.dispatchEvent(new Event("change"));
      })()`));
      same(
        await page.evaluate(`document.querySelectorAll(".panel").length`),
        1,
        "one panel",
      );
      expect(
        (await page.evaluate<string>(`location.hash`)) ===
          "#s=immediate-in-timer&p=node",
        "the URL follows",
      );
    },
  );

  await check(
    "stepping with the keyboard shows each step's output and queues",
    async () => {
      await openHash(page, "s=3-2-1&p=html");
      await page.evaluate(`document.querySelector("#events-a").focus()`);
      await page.press("Home");
      let v = (await readPanel(page, "a"))!;
      same(v.position, "Step 0 of 3", "position after Home");
      const state = () =>
        page.evaluate<
          { now: string[]; queues: string[]; active: string | null }
        >(`(() => {
      const p = document.querySelector("#panel-a");
      return {
        now: [...p.querySelectorAll(".output li.now")].map((l) => l.textContent),
        queues: [...p.querySelectorAll(".queue")].map((q) => q.querySelector("h4").textContent + ": " + [...q.querySelectorAll(".qlabel")].map((l) => l.textContent).join(", ")),
        active: p.querySelector("[role=listbox]").getAttribute("aria-activedescendant"),
      };
    })()`);
      same(
        (await state()).queues,
        ["Script (1): script"],
        "queues before the script",
      );
      await page.press("ArrowDown");
      let s = await state();
      same(s.now, ["3"], "the script prints 3");
      same(s.queues, [
        "Microtasks (1): then · line 2",
        "Timers (1): setTimeout(0) #1 · line 1",
      ], "queues after the script");
      same(s.active, "ev-a-1", "aria-activedescendant");
      await page.press("ArrowDown");
      s = await state();
      same(s.now, ["2"], "the microtask prints 2");
      same(
        s.queues,
        ["Timers (1): setTimeout(0) #1 · line 1"],
        "queues after the microtask",
      );
      await page.press("End");
      v = (await readPanel(page, "a"))!;
      same(v.position, "Step 3 of 3 · 0 ms", "position after End");
      await page.click("#panel-a .stepper .back");
      v = (await readPanel(page, "a"))!;
      same(v.position, "Step 2 of 3 · 0 ms", "position after the back button");
      await page.click("#panel-a .stepper .first");
      await page.click("#panel-a .stepper .forward");
      v = (await readPanel(page, "a"))!;
      same(v.position, "Step 1 of 3 · 0 ms", "position after first, forward");
      s = await state();
      same(s.now, ["3"], "step 1 again");
    },
  );

  await check(
    "clicking two events explains why one ran before the other",
    async () => {
      await openHash(page, "s=3-2-1&p=node");
      await page.click(`#panel-a svg.lanes g.ev[data-id="3"]`);
      await page.click(`#panel-a svg.lanes g.ev[data-id="2"]`);
      const text = await page.evaluate<string>(
        `document.querySelector("#panel-a .explanation")?.textContent ?? ""`,
      );
      expect(
        /ran after/.test(text) && /microtask/.test(text),
        `explanation: ${text}`,
      );
      await page.screenshot(new URL("explain.png", OUT));
    },
  );

  await check("picking two steps with Enter explains them too", async () => {
    await openHash(page, "s=next-tick&p=node");
    await page.evaluate(`document.querySelector("#events-a").focus()`);
    await page.press("Home");
    await page.press("ArrowDown");
    await page.press("ArrowDown");
    await page.press("Enter");
    await page.press("ArrowDown");
    await page.press("Enter");
    const text = await page.evaluate<string>(
      `document.querySelector("#panel-a .explanation")?.textContent ?? ""`,
    );
    expect(
      /nextTick/.test(text) && /ran before/.test(text),
      `explanation: ${text}`,
    );
    await page.press("Escape");
    const cleared = await page.evaluate<boolean>(
      `!document.querySelector("#panel-a .explanation")`,
    );
    expect(cleared, "Escape clears the picks");
  });

  await check(
    "two profiles side by side mark their first difference",
    async () => {
      await openHash(page, "s=next-tick&p=node,node-esm");
      const diff = await page.evaluate<string>(
        `document.querySelector("#difference").textContent`,
      );
      expect(
        /output line 2/.test(diff) && /process\.nextTick/.test(diff) &&
          /promise\.then/.test(diff),
        `difference: ${diff}`,
      );
      const marked = await page.evaluate<string[]>(
        `[...document.querySelectorAll(".output li.diff")].map((l) => l.textContent)`,
      );
      same(marked, ["process.nextTick", "promise.then"], "marked lines");
      await page.click("#show-difference");
      const a = (await readPanel(page, "a"))!;
      const b = (await readPanel(page, "b"))!;
      expect(
        a.position.startsWith("Step 2 of") &&
          b.position.startsWith("Step 2 of"),
        `positions ${a.position} / ${b.position}`,
      );
      await page.evaluate(`scrollTo(0, 0)`);
      await page.screenshot(new URL("playground.png", OUT));
    },
  );

  await check(
    "exports: SVG and Mermaid from the library, and the text form",
    async () => {
      await openHash(page, "s=micro-macro&p=html");
      await page.click(
        `#panel-a .exports button[aria-label="Export the run as SVG"]`,
      );
      const svg = await page.evaluate<string>(
        `document.querySelector("#export-dialog .export-text").value`,
      );
      expect(
        svg.startsWith("<svg") && svg.includes("data-lane"),
        "an SVG document",
      );
      await page.screenshot(new URL("export.png", OUT));
      await page.press("Escape");
      await page.click(
        `#panel-a .exports button[aria-label="Export the run as a Mermaid diagram"]`,
      );
      const mermaid = await page.evaluate<string>(
        `document.querySelector("#export-dialog .export-text").value`,
      );
      expect(
        mermaid.startsWith("sequenceDiagram"),
        `Mermaid: ${mermaid.slice(0, 40)}`,
      );
      await page.press("Escape");
      const open = await page.evaluate<boolean>(
        `document.querySelector("#export-dialog").open`,
      );
      expect(!open, "Escape closes the dialog");
      await page.click(`#panel-a .text-form summary`);
      await page.waitFor(
        `document.querySelector("#panel-a .text-timeline").textContent !== ""`,
      );
      const text = await page.evaluate<string>(
        `document.querySelector("#panel-a .text-timeline").textContent`,
      );
      expect(
        text.includes("Step 1 of 7") &&
          text.includes("prints: 7. animation frame"),
        `text form: ${text.slice(0, 200)}`,
      );
    },
  );

  await check("Alt+1 and Alt+2 move to the lists of steps", async () => {
    await openHash(page, "s=3-2-1&p=html,deno");
    await page.evaluate(`document.activeElement.blur()`);
    await page.press("2", 1);
    same(
      await page.evaluate(`document.activeElement.id`),
      "events-b",
      "focus after Alt+2",
    );
    await page.press("1", 1);
    same(
      await page.evaluate(`document.activeElement.id`),
      "events-a",
      "focus after Alt+1",
    );
  });

  let shared = "";
  let sharedOutput: string[] = [];
  await check(
    "an edited snippet runs with Ctrl+Enter and its link is shared",
    async () => {
      await openHash(page, "s=3-2-1&p=html");
      await page.evaluate(
        `document.querySelector("#editor").focus(); document.querySelector("#editor").select()`,
      );
      await page.insertText(
        'setTimeout(() => console.log("timeout"), 0);\nPromise.resolve().then(() => console.log("then"));\nprocess.nextTick(() => console.log("tick"));\nconsole.log("sync");\n',
      );
      await page.evaluate(
        `(() => { const s = document.querySelector("#profile-a"); s.value = "node"; })()`,
      );
      await afterRun(page, () => page.press("Enter", 2));
      const v = (await readPanel(page, "a"))!;
      same(
        v.output,
        ["sync", "tick", "then", "timeout"],
        "node CommonJS order",
      );
      const snippet = await page.evaluate<string>(
        `document.querySelector("#snippet").value`,
      );
      same(snippet, "", "the menu shows an edited snippet as your own");
      await page.click("#share");
      shared = await page.evaluate<string>(`location.href`);
      expect(
        shared.includes("#code=") && shared.includes("p=node"),
        `link: ${shared}`,
      );
      sharedOutput = v.output;
    },
  );

  await check("the shared link reproduces the run in a new tab", async () => {
    const tab = await browser.newPage(shared);
    try {
      await tab.waitFor(`window.playground && playground.runs >= 1`);
      const code = await tab.evaluate<string>(
        `document.querySelector("#editor").value`,
      );
      expect(
        code.startsWith('setTimeout(() => console.log("timeout")'),
        `code: ${code.slice(0, 60)}`,
      );
      same(
        await tab.evaluate(`document.querySelector("#profile-a").value`),
        "node",
        "profile",
      );
      same((await readPanel(tab, "a"))!.output, sharedOutput, "output");
    } finally {
      await tab.close();
    }
  });

  await check("the built page works opened as a file", async () => {
    const tab = await browser.newPage(
      `${new URL("index.html", DIST).href}#s=3-2-1&p=deno`,
    );
    try {
      await tab.waitFor(`window.playground && playground.runs >= 1`);
      same(
        (await readPanel(tab, "a"))!.output,
        ["3", "2", "1"],
        "output from file://",
      );
    } finally {
      await tab.close();
    }
  });

  const runaways: [string, string, string][] = [
    [
      "an interval that never stops",
      "setInterval(() => {}, 0);",
      "notice-loop-limit",
    ],
    [
      "microtasks that flood the queue",
      "const again = () => queueMicrotask(again);\nagain();",
      "notice-loop-limit",
    ],
    [
      "a loop that never ends",
      "let n = 0;\nwhile (true) n++;",
      "notice-iteration-limit",
    ],
  ];
  for (const [what, code, notice] of runaways) {
    await check(`a runaway snippet stops with a message: ${what}`, async () => {
      const t0 = performance.now();
      await openHash(page, `code=${toBase64Url(code)}&p=html`);
      const v = (await readPanel(page, "a"))!;
      same(v.notice, notice, `notice for ${what}`);
      expect(performance.now() - t0 < 5000, "it stopped quickly");
      if (notice === "notice-loop-limit") {
        expect(
          /loopLimit/.test(v.noticeText),
          `the loop's limit error: ${v.noticeText}`,
        );
        await page.screenshot(new URL("runaway.png", OUT));
      }
    });
  }

  await check(
    "a snippet no guard catches is ended by the page's watchdog; the page stays usable",
    async () => {
      const code = "function f() {\n  try { f(); } finally { f(); }\n}\nf();";
      const before = await runs(page);
      await page.evaluate(
        `location.hash = ${JSON.stringify(`code=${toBase64Url(code)}&p=node`)}`,
      );
      // The page answers while the worker is busy.
      const t0 = performance.now();
      same(
        await page.evaluate(`document.body.dataset.state`),
        "running",
        "state while the worker runs",
      );
      expect(
        performance.now() - t0 < 1000,
        "the page answers while the snippet runs",
      );
      await page.waitFor(`playground.runs > ${before}`, 20_000);
      const text = await page.evaluate<string>(
        `document.querySelector("#panel-a .notice-watchdog")?.textContent ?? ""`,
      );
      expect(
        /did not finish within 8 s/.test(text),
        `watchdog notice: ${text}`,
      );
      await openHash(page, "s=3-2-1&p=html");
      same(
        (await readPanel(page, "a"))!.output,
        ["3", "2", "1"],
        "a fresh worker runs the next snippet",
      );
    },
  );

  await check("the page reported no exceptions of its own", () => {
    const errors = page.log.filter((l) => l.startsWith("exception"));
    expect(errors.length === 0, errors.join("\n"));
    return Promise.resolve();
  });
} finally {
  await page.close().catch(() => {});
  await session.close();
}

console.log(
  `site test: ${passed} passed, ${failed} failed (screenshots in site/out/)`,
);
if (failed > 0) Deno.exit(1);
