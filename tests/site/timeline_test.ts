import assert from "node:assert/strict";
import { runSnippet } from "../../site/src/run.ts";
import {
  firstDifference,
  groupTitle,
  kindOf,
  printedLines,
  queuesAt,
  timelineText,
} from "../../site/src/timeline.ts";

const PUZZLE =
  'setTimeout(() => console.log("1"), 0);\nPromise.resolve().then(() => console.log("2"));\nconsole.log("3");';

const titles = (r: ReturnType<typeof runSnippet>, k: number) =>
  queuesAt(r, k).map((q) =>
    `${q.title}: ${q.items.map((i) => i.label).join(", ")}`
  );

Deno.test("queuesAt() shows what is queued after each step", () => {
  const r = runSnippet(PUZZLE, { profile: "html" });
  assert.deepEqual(titles(r, 0), ["Script: script"]);
  assert.deepEqual(titles(r, 1), [
    "Microtasks: then · line 2",
    "Timers: setTimeout(0) #1 · line 1",
  ]);
  assert.deepEqual(titles(r, 2), ["Timers: setTimeout(0) #1 · line 1"]);
  assert.deepEqual(titles(r, 3), []);
});

Deno.test("queuesAt() keeps a cancelled timer until it is cancelled, and an interval between runs", () => {
  const r = runSnippet(
    `
const t = setTimeout(() => {}, 50);
let n = 0;
const i = setInterval(() => { if (++n === 2) { clearInterval(i); clearTimeout(t); } }, 10);`,
    { profile: "node" },
  );
  // #1 script, #2 interval at 10, #3 interval at 20 (clears both).
  assert.equal(r.events.length, 3);
  assert.deepEqual(titles(r, 1), [
    "Timers: setInterval(10) #2 · line 4, setTimeout(50) #1 · line 2",
  ]);
  assert.deepEqual(queuesAt(r, 1)[0]!.items.map((i) => i.note), [
    "runs as #2 at 10 ms",
    "never runs: cancelled by #3",
  ]);
  assert.deepEqual(titles(r, 3), []);
});

Deno.test("groupTitle() names the script, tasks, checkpoints and rendering steps", () => {
  const r = runSnippet(
    `
requestAnimationFrame(() => Promise.resolve().then(() => {}));
requestAnimationFrame(() => {});
setTimeout(() => {}, 0);`,
    { profile: "html" },
  );
  const groups = r.events.map((_, i) => groupTitle(r.events, i));
  assert.deepEqual(groups, [
    "Script at 0 ms",
    "Timer task at 0 ms",
    "Rendering step (frame at 16.667 ms)",
    "Microtask checkpoint after #3",
    undefined,
  ]);
  assert.deepEqual(r.events.map(kindOf), [
    "script",
    "timer",
    "render",
    "microtask",
    "render",
  ]);
});

Deno.test("printedLines() puts reported errors where they happened", () => {
  const r = runSnippet(
    'console.log("a");\nsetTimeout(() => console.log("c"), 0);\nnope();',
    { profile: "html" },
  );
  assert.deepEqual(printedLines(r).map((l) => l.text), [
    "a",
    "Uncaught ReferenceError: nope is not defined",
    "c",
  ]);
});

Deno.test("firstDifference() finds the first differing line, else the first differing step", () => {
  const tick =
    "Promise.resolve().then(() => console.log('then'));\nprocess.nextTick(() => console.log('tick'));";
  const byLine = firstDifference(
    runSnippet(tick, { profile: "node" }),
    runSnippet(tick, { profile: "node-esm" }),
  );
  assert.equal(byLine?.kind, "output");
  assert.equal(byLine?.index, 0);
  assert.equal(byLine?.a?.text, "tick");
  assert.equal(byLine?.b?.text, "then");
  const byStep = firstDifference(
    runSnippet(PUZZLE, { profile: "html" }),
    runSnippet(PUZZLE, { profile: "node" }),
  );
  assert.equal(byStep?.kind, "event");
  assert.equal(byStep?.index, 2);
  assert.equal(byStep?.a?.time, 0);
  assert.equal(byStep?.b?.time, 1);
  assert.equal(
    firstDifference(
      runSnippet(PUZZLE, { profile: "node" }),
      runSnippet(PUZZLE, { profile: "deno" }),
    ),
    undefined,
  );
});

Deno.test("timelineText() reads the whole run as text", () => {
  const text = timelineText(runSnippet(PUZZLE, { profile: "node" }));
  assert.equal(
    text,
    [
      "Script at 0 ms:",
      "  Step 1 of 3, at 0 ms: the script, script, from Script.",
      "    prints: 3",
      "Microtask checkpoint after #1:",
      "  Step 2 of 3, at 0 ms: a microtask, then · line 2, from Microtasks, queued by #1.",
      "    prints: 2",
      "Timer task at 1 ms:",
      "  Step 3 of 3, at 1 ms: a timer task, setTimeout(0) #1 · line 1, from Timers, queued by #1.",
      "    prints: 1",
    ].join("\n"),
  );
});
