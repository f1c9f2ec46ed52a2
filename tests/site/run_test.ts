import assert from "node:assert/strict";
import { runSnippet } from "../../site/src/run.ts";

const out = (
  code: string,
  profile: Parameters<typeof runSnippet>[1]["profile"],
) => runSnippet(code, { profile }).output.map((l) => l.text);

Deno.test("runSnippet() throws a ReferenceError for an API the runtime lacks, as the runtime does", () => {
  const html = runSnippet('console.log("a");\nprocess.nextTick(() => {});', {
    profile: "html",
  });
  assert.deepEqual(html.errors.map((e) => `${e.name}: ${e.message}`), [
    "ReferenceError: process is not defined",
  ]);
  const node = runSnippet("requestAnimationFrame(() => {});", {
    profile: "node",
  });
  assert.equal(node.stopped?.message, "requestAnimationFrame is not defined");
  assert.deepEqual(
    out(
      "console.log(typeof setImmediate, typeof requestAnimationFrame, typeof fetch, typeof nope)",
      "html",
    ),
    [
      "undefined function function undefined",
    ],
  );
  assert.deepEqual(
    out(
      "console.log(typeof setImmediate, typeof process, typeof require, typeof scheduler)",
      "node",
    ),
    [
      "function object function undefined",
    ],
  );
  assert.deepEqual(out("console.log(typeof require, typeof Deno)", "deno"), [
    "undefined object",
  ]);
});

Deno.test("runSnippet() under html reports an uncaught error and goes on; node and deno stop", () => {
  const code = `
setTimeout(() => { console.log("first"); throw new Error("boom"); }, 0);
setTimeout(() => console.log("second"), 0);`;
  const html = runSnippet(code, { profile: "html" });
  assert.deepEqual(html.output.map((l) => l.text), ["first", "second"]);
  assert.equal(html.errors.length, 1);
  assert.equal(html.stopped, undefined);
  for (const profile of ["node", "node-esm", "deno"] as const) {
    const r = runSnippet(code, { profile });
    assert.deepEqual(r.output.map((l) => l.text), ["first"], profile);
    assert.equal(r.stopped?.kind, "uncaught");
    assert.equal(r.stopped?.message, "boom");
  }
});

Deno.test("runSnippet() stops runaway schedules with the loop's limit", () => {
  for (
    const code of [
      "setInterval(() => {}, 0);",
      "const f = () => queueMicrotask(f); f();",
    ]
  ) {
    const r = runSnippet(code, { profile: "html", loopLimit: 1000 });
    assert.equal(r.stopped?.kind, "loop-limit", code);
    assert.equal(r.stopped?.name, "LoopLimitError");
    assert.match(r.stopped!.message, /loopLimit/);
  }
});

Deno.test("runSnippet() stops a loop that never ends; a busy wait on the clock spends virtual time", () => {
  const loop = runSnippet("let i = 0; while (true) i++;", {
    profile: "node",
    iterationLimit: 1000,
  });
  assert.equal(loop.stopped?.kind, "iteration-limit");
  const busy = runSnippet(
    "const end = Date.now() + 50; while (Date.now() < end) {}\nconsole.log('after ' + (Date.now() - end));\nsetTimeout(() => console.log('timer at ' + Math.round(performance.now())), 0);",
    { profile: "node" },
  );
  assert.equal(busy.stopped, undefined);
  assert.deepEqual(busy.output.map((l) => l.text), [
    "after 0",
    "timer at 51",
  ]);
  // the wait, and the read after it (a read once a loop has run costs)
  assert.equal(busy.events[0]!.spentMs, 50 + 1 / 64);
  // 1/64 ms per clock read: a minute's wait is 3,840,000 reads
  const tooLong = runSnippet(
    "const end = Date.now() + 60000; while (Date.now() < end) {}",
    { profile: "html", iterationLimit: 1000 },
  );
  assert.equal(tooLong.stopped?.kind, "iteration-limit");
});

Deno.test("runSnippet() says what it does not simulate, also when it is reached inside a promise job", () => {
  const direct = runSnippet('fetch("/x");', { profile: "html" });
  assert.equal(direct.stopped?.kind, "not-simulated");
  assert.equal(direct.stopped?.feature, "fetch");
  const inJob = runSnippet(
    'Promise.resolve().then(() => new WebSocket("ws://x")).catch(() => console.log("caught"));\nsetTimeout(() => console.log("later"), 0);',
    { profile: "deno" },
  );
  assert.equal(inJob.stopped?.feature, "WebSocket");
  assert.deepEqual(inJob.output, [], "the run stops at the refusal");
  const required = runSnippet('require("fs");', { profile: "node" });
  assert.equal(required.stopped?.feature, 'require("fs")');
  const syntax = runSnippet("let x = ;", { profile: "deno" });
  assert.equal(syntax.stopped?.kind, "syntax");
  assert.equal(syntax.stopped?.line, 1);
});

Deno.test("runSnippet() ends the run at process.exit()", () => {
  const r = runSnippet(
    'setTimeout(() => console.log("never"), 0);\nconsole.log("a");\nprocess.exit(3);',
    { profile: "node" },
  );
  assert.equal(r.stopped?.kind, "exit");
  assert.equal(r.stopped?.message, "process.exit(3)");
  assert.deepEqual(r.output.map((l) => l.text), ["a"]);
});

Deno.test("runSnippet() gives the snippet a global object and virtual time", () => {
  assert.deepEqual(
    out(
      "console.log(globalThis.setTimeout === setTimeout, window === globalThis, self.Math === Math)",
      "html",
    ),
    ["true true true"],
  );
  assert.deepEqual(
    out(
      "console.log(global === globalThis, typeof globalThis.process.nextTick)",
      "node",
    ),
    ["true function"],
  );
  assert.deepEqual(out("x = 1; console.log(globalThis.x, x);", "node"), [
    "1 1",
  ]);
  const strict = runSnippet("y = 1;", { profile: "node-esm" });
  assert.equal(strict.stopped?.message, "y is not defined");
  assert.deepEqual(
    out(
      'const t0 = Date.now();\nsetTimeout(() => console.log(performance.now(), Date.now() - t0), "10");',
      "html",
    ),
    ["10 10"],
  );
  assert.deepEqual(
    out("setTimeout(() => console.log(performance.now()), 0);", "node"),
    ["1"],
  );
});

Deno.test("runSnippet() resolves node:process and node:timers, by require and by import", () => {
  assert.deepEqual(
    out(
      'const { nextTick } = require("node:process");\nconst timers = require("timers");\ntimers.setImmediate(() => console.log("immediate"));\nnextTick(() => console.log("tick"));',
      "node",
    ),
    ["tick", "immediate"],
  );
  assert.deepEqual(
    out(
      'import process from "node:process";\nimport { setImmediate } from "node:timers";\nsetImmediate(() => console.log("immediate"));\nprocess.nextTick(() => console.log("tick"));\nawait null;\nconsole.log("after await");',
      "deno",
    ),
    ["after await", "tick", "immediate"],
  );
});

Deno.test("runSnippet() ties output to events, labels callbacks with their line, and records cancellations", () => {
  const r = runSnippet(
    `
const t = setTimeout(() => console.log("never"), 10);
setTimeout(() => { console.log("clear"); clearTimeout(t); }, 5);
Promise.resolve().then(function named() { console.log("then"); });`,
    { profile: "html" },
  );
  assert.deepEqual(r.events.map((e) => e.label), [
    "script",
    "named",
    "setTimeout(5) #2 · line 3",
  ]);
  assert.deepEqual(r.output.map((l) => [l.text, l.event]), [["then", 2], [
    "clear",
    3,
  ]]);
  assert.deepEqual(r.arms.map((a) => [a.label, a.armedBy, a.clearedBy]), [
    ["setTimeout(10) #1 · line 2", 1, 3],
    ["setTimeout(5) #2 · line 3", 1, undefined],
  ]);
  assert.equal(r.endMs, 5);
  assert.equal(r.pendingAtEnd, 0);
});

Deno.test("runSnippet() mirrors the host's Promise and timer handle shapes", () => {
  assert.deepEqual(
    out(
      "try { Promise(() => {}); } catch (e) { console.log(e.name); }\nconsole.log(setTimeout(() => {}) > 0);",
      "html",
    ),
    [
      "TypeError",
      "true",
    ],
  );
  const stringCallback = runSnippet('setTimeout("console.log(1)", 0);', {
    profile: "html",
  });
  assert.equal(
    stringCallback.stopped?.feature,
    "setTimeout with a string of code",
  );
});

Deno.test("runSnippet() stops at the loop guard and at process.exit() also inside a promise job", () => {
  const loop = runSnippet(
    "Promise.resolve().then(() => { while (true); }).catch(() => console.log('caught'));",
    { profile: "html", iterationLimit: 100 },
  );
  assert.equal(loop.stopped?.kind, "iteration-limit");
  assert.deepEqual(loop.output, []);
  const exit = runSnippet(
    "Promise.resolve().then(() => process.exit(0)).catch(() => console.log('caught'));",
    { profile: "deno" },
  );
  assert.equal(exit.stopped?.kind, "exit");
  assert.deepEqual(exit.output, []);
});

Deno.test("runSnippet() reports unhandled rejections: html goes on, node and deno crash unless a listener handles them", () => {
  const code = `
setTimeout(() => console.log("timer"), 0);
Promise.reject(new Error("lost"));
Promise.resolve().then(() => console.log("then"));`;
  const html = runSnippet(code, { profile: "html" });
  assert.deepEqual(html.output.map((l) => l.text), ["then", "timer"]);
  assert.deepEqual(
    html.errors.map((e) => `${e.name}: ${e.message}`),
    ["(in promise) Error: lost"],
  );
  assert.equal(html.stopped, undefined);
  for (const profile of ["node", "node-esm", "deno"] as const) {
    const r = runSnippet(code, { profile });
    assert.deepEqual(r.output.map((l) => l.text), ["then"], profile);
    assert.equal(r.stopped?.kind, "uncaught");
    assert.equal(r.stopped?.message, "lost");
    assert.ok(
      r.events.some((e) => e.label === "Uncaught (in promise) Error: lost"),
    );
  }
  const listened = `
process.on("unhandledRejection", (reason) => console.log("unhandled " + reason.message));
process.on("uncaughtException", (error) => console.log("uncaught " + error.message));
Promise.reject(new Error("lost"));
setTimeout(() => { throw new Error("boom"); }, 0);
setTimeout(() => console.log("still running"), 5);`;
  for (const profile of ["node", "node-esm", "deno"] as const) {
    assert.deepEqual(out(listened, profile), [
      "unhandled lost",
      "uncaught boom",
      "still running",
    ], profile);
  }
  const events = `
addEventListener("unhandledrejection", (e) => { e.preventDefault(); console.log("event " + e.reason); });
addEventListener("error", (e) => { console.log("error event " + e.message); });
Promise.reject("r");
setTimeout(() => { throw new Error("boom"); }, 0);`;
  const page = runSnippet(events, { profile: "html" });
  // the browser's unhandledrejection task comes after the timer the script posted
  assert.deepEqual(page.output.map((l) => l.text), [
    "error event boom",
    "event r",
  ]);
  assert.deepEqual(
    page.errors.map((e) => e.message),
    ["boom"],
    "not prevented: reported",
  );
  const deno = runSnippet(events, { profile: "deno" });
  assert.deepEqual(deno.output.map((l) => l.text), [
    "event r",
    "error event boom",
  ]);
  assert.equal(deno.stopped?.message, "boom", "not prevented: Deno crashes");
  const other = runSnippet('addEventListener("load", () => {});', {
    profile: "html",
  });
  assert.equal(other.stopped?.feature, 'addEventListener("load")');
});

Deno.test("runSnippet() runs MessageChannel, scheduler.yield and AbortSignal.timeout on the simulator", () => {
  assert.deepEqual(
    out(
      `
const { port1, port2 } = new MessageChannel();
port1.onmessage = (e) => { console.log("message " + e.data); port1.close(); };
setTimeout(() => { port2.postMessage("hi"); setImmediate(() => console.log("immediate")); }, 1);
AbortSignal.timeout(5).onabort = (e) => console.log(e.target.reason.name);
setTimeout(() => {}, 10);`,
      "node",
    ),
    ["message hi", "immediate", "TimeoutError"],
  );
  assert.deepEqual(
    out(
      `
setTimeout(() => console.log("timer"), 0);
(async () => { await scheduler.yield(); console.log("after yield"); })();
console.log(typeof Promise.try, typeof Promise.withResolvers);`,
      "html",
    ),
    ["function function", "after yield", "timer"],
  );
  assert.deepEqual(
    out(
      "console.log(typeof Promise.try, typeof Promise.withResolvers);",
      "node",
    ),
    ["undefined undefined"],
  );
});

Deno.test("runSnippet() lists what the loop still held at the end", () => {
  const r = runSnippet(
    "setTimeout(() => { throw new Error('boom'); }, 1);\nsetTimeout(() => {}, 50);",
    { profile: "node" },
  );
  assert.equal(r.stopped?.kind, "uncaught");
  assert.deepEqual(r.queuedAtEnd.map((c) => [c.queue, c.label, c.dueAt]), [
    ["timers", "setTimeout(50) #2 · line 2", 50],
  ]);
});

Deno.test("runSnippet() words the runtime's errors as the runtime does, without the host's rewrite of globals", () => {
  // Node 20 has no Promise.withResolvers: its TypeError names the snippet's
  // own expression, and so must the page (the transform routes `Promise`
  // through the simulated host).
  const code = `
try {
  Promise.withResolvers();
} catch (e) {
  console.log(e.message);
  console.log(e);
}
setTimeout(() => Promise.withResolvers(), 0);`;
  const r = runSnippet(code, { profile: "node" });
  assert.deepEqual(r.output.map((l) => l.text), [
    "Promise.withResolvers is not a function",
    "TypeError: Promise.withResolvers is not a function",
  ]);
  assert.equal(r.stopped?.message, "Promise.withResolvers is not a function");
  const crash = r.events.find((e) => e.queue === "uncaught");
  assert.equal(
    crash?.label,
    "Uncaught TypeError: Promise.withResolvers is not a function",
  );
  const html = runSnippet("setTimeout(() => setTimeout.nope(), 0);", {
    profile: "html",
  });
  assert.deepEqual(html.errors.map((e) => e.message), [
    "setTimeout.nope is not a function",
  ]);
});

Deno.test('runSnippet() raises an unhandled rejection no listener takes to process.on("uncaughtException"), as Node and Deno do', () => {
  // Recorded from Node 20 (CommonJS and ES module) and Deno 2.9.6.
  const code = `
process.on("uncaughtException", (e, origin) => console.log("ue", e.message, origin));
Promise.reject(new Error("x"));
setTimeout(() => console.log("alive"), 5);`;
  for (const profile of ["node", "node-esm", "deno"] as const) {
    const r = runSnippet(code, { profile });
    assert.deepEqual(r.output.map((l) => l.text), [
      "ue x unhandledRejection",
      "alive",
    ], profile);
    assert.equal(r.stopped, undefined, profile);
  }
  // An unhandledRejection listener takes it instead.
  const taken = `
process.on("uncaughtException", () => console.log("ue"));
process.on("unhandledRejection", (r) => console.log("ur", r));
Promise.reject("y");`;
  for (const profile of ["node", "deno"] as const) {
    assert.deepEqual(out(taken, profile), ["ur y"], profile);
  }
});
