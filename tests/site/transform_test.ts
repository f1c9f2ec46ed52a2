import assert from "node:assert/strict";
import { NotSimulatedError } from "../../site/src/not_simulated.ts";
import { runSnippet } from "../../site/src/run.ts";
import {
  HELPER,
  HOST,
  SnippetSyntaxError,
  transform,
} from "../../site/src/transform.ts";

const script = (code: string) => transform(code, { module: false });

Deno.test("transform() routes free globals to the host and keeps locals and pure built-ins", () => {
  const t = script(`
setTimeout(() => console.log(Math.max(1, 2)), 0);
function later(setTimeout) { return setTimeout; }
const queueMicrotask = (f) => f();
queueMicrotask(() => {});
JSON.stringify({ a: new Map() });`);
  assert.deepEqual(t.globals, ["console", "setTimeout"]);
  assert.match(t.code, /__host\.setTimeout\(/);
  assert.match(t.code, /function later\(setTimeout\) \{ return setTimeout; \}/);
  assert.doesNotMatch(t.code, /__host\.(Math|JSON|Map|queueMicrotask)/);
});

Deno.test("transform() resolves scopes: blocks, catch, classes, hoisted functions and vars", () => {
  const t = script(`
try { a(); } catch (process) { process.exit(); }
{ let fetch = 1; fetch++; }
fetch;
class Timer { setTimeout() { return setImmediate; } }
hoisted();
function hoisted() { var requestAnimationFrame = 1; return requestAnimationFrame; }
for (let performance = 0; performance < 1; performance++) {}
label: for (const x of [1]) { continue label; }`);
  assert.deepEqual(t.globals, ["a", "fetch", "setImmediate"]);
});

Deno.test("transform() asks the host for typeof of a free name, and expands shorthand properties", () => {
  const t = script("const t = typeof setImmediate; const o = { setTimeout };");
  assert.match(t.code, new RegExp(`${HELPER}\\.typeOf\\("setImmediate"\\)`));
  assert.match(t.code, new RegExp(`\\{ setTimeout: ${HOST}\\.setTimeout \\}`));
});

Deno.test("transform() turns async functions, arrows and methods into simulated ones", () => {
  const t = script(`
async function f(a) { return await a; }
const g = async (x) => await x;
const o = { async m() { await 1; } };
class C { static async s() { await 2; } }`);
  assert.doesNotMatch(t.code, /(^|[^.])\basync\b/m);
  assert.doesNotMatch(t.code, /\bawait\b/);
  assert.match(
    t.code,
    /__pledge\.async\("f", this, arguments, function\* \(\)/,
  );
  assert.match(
    t.code,
    /__pledge\.async\("g", this, \[\], function\* \(\) \{ return \(\(yield x\)\); \}\)/,
  );
  assert.match(t.code, /__pledge\.async\("m"/);
  assert.match(t.code, /__pledge\.async\("s"/);
});

Deno.test("transform() guards every loop body", () => {
  const t = script(
    "while (a) b(); do { c(); } while (d); for (;;) break; for (const k in o) {}",
  );
  assert.equal(t.code.match(/__pledge\.tick\(\)/g)?.length, 4);
  assert.match(
    t.code,
    /while \(__host\.a\) \{ __pledge\.tick\(\); __host\.b\(\); \}/,
  );
});

Deno.test("transform() makes a module with top-level await one simulated async function", () => {
  const t = transform("await null;\nexport const x = 1;", { module: true });
  assert.match(t.code, /^"use strict";\nreturn __pledge\.async\("module"/);
  assert.match(t.code, /\(yield null\)/);
  assert.doesNotMatch(t.code, /export/);
});

Deno.test("transform() hoists imports into host lookups", () => {
  const t = transform(
    'console.log(1);\nimport process, { nextTick as tick } from "node:process";\nimport * as timers from "node:timers";',
    { module: true },
  );
  assert.deepEqual(t.imports, ["node:process", "node:timers"]);
  assert.match(
    t.code,
    /const process = __pledge\.import\("node:process"\)\.default;/,
  );
  assert.match(
    t.code,
    /const tick = __pledge\.import\("node:process"\)\["nextTick"\];/,
  );
  assert.ok(t.code.indexOf("__pledge.import") < t.code.indexOf("console"));
});

Deno.test("transform() refuses what it cannot simulate, before anything runs", () => {
  for (
    const [code, feature] of [
      ["async function* g() {}", "async generators"],
      ["(async () => { for await (const x of y) {} })()", "for await"],
      ['import("x")', "import()"],
      ["const __host = 1", "__host"],
    ]
  ) {
    assert.throws(
      () => transform(code!, { module: true }),
      (e) => e instanceof NotSimulatedError && e.feature === feature,
      code,
    );
  }
});

Deno.test("transform() reports a syntax error with its line", () => {
  assert.throws(
    () => script("let a = 1;\nlet a = ;"),
    (e) => e instanceof SnippetSyntaxError && e.line === 2,
  );
  assert.throws(
    () => script("await 1;"),
    (e) => e instanceof SnippetSyntaxError,
    "no top-level await outside modules",
  );
});

// Programs whose order depends only on promises and microtasks: the deno
// profile must print what Deno itself prints running the same code.
const PROMISE_PROGRAMS: Record<string, string> = {
  "async/await and a promise chain": `
async function a1() { console.log("a1 start"); await a2(); console.log("a1 end"); }
async function a2() { console.log("a2"); }
a1();
new Promise((r) => { console.log("p1"); r(); }).then(() => console.log("p2")).then(() => console.log("p3"));
console.log("sync");`,
  "await of a thenable costs two ticks": `
const thenable = { then(resolve) { resolve("t"); } };
(async () => { console.log(await thenable); })();
Promise.resolve().then(() => console.log(1)).then(() => console.log(2)).then(() => console.log(3));`,
  "an async function returning a promise costs three": `
async function inner() { return Promise.resolve("inner"); }
inner().then(console.log);
Promise.resolve().then(() => console.log(1)).then(() => console.log(2)).then(() => console.log(3)).then(() => console.log(4));`,
  "Promise statics": `
const chain = () => Promise.resolve().then(() => console.log("c1")).then(() => console.log("c2")).then(() => console.log("c3")).then(() => console.log("c4"));
Promise.all([1, Promise.resolve(2)]).then((v) => console.log("all", v.join()));
Promise.allSettled([Promise.reject(new Error("x")), 3]).then((r) => console.log("allSettled", r.map((x) => x.status).join()));
Promise.race([new Promise(() => {}), Promise.resolve("won")]).then((v) => console.log("race", v));
Promise.any([Promise.reject(1), Promise.resolve("any")]).then((v) => console.log("any", v));
Promise.any([Promise.reject(1)]).catch((e) => console.log(e.name, e.errors.length));
Promise.all([]).then((v) => console.log("empty", v.length));
chain();`,
  "withResolvers, try, finally and catch": `
const { promise, resolve } = Promise.withResolvers();
promise.finally(() => console.log("finally")).then((v) => console.log("then", v));
Promise.try(() => { throw new Error("tried"); }).catch((e) => console.log(e.message));
Promise.reject(new Error("no")).catch((e) => console.log("caught", e.message)).finally(() => console.log("done"));
resolve(7);
queueMicrotask(() => console.log("microtask"));`,
  "this, arguments, methods and try/finally around await": `
class Counter {
  constructor() { this.n = 0; }
  async add(k) { await null; this.n += k; return this.n; }
  static async make() { return new Counter(); }
}
const o = { label: "o", async name() { await 0; return this.label; } };
async function args() { await 0; return arguments.length; }
(async () => {
  const c = await Counter.make();
  console.log(await c.add(2), await c.add(3));
  console.log(await o.name(), await args(1, 2, 3));
  try { await Promise.reject(new Error("boom")); } catch (e) { console.log("caught", e.message); } finally { console.log("finally"); }
  for (let i = 0; i < 3; i++) console.log("loop", await i);
  const arrow = async () => this === undefined;
  console.log(typeof arrow, (await arrow()) === (this === undefined));
})();
Promise.resolve().then(() => console.log("interleaved"));`,
  "instanceof and an async throw": `
async function fails() { throw new TypeError("bad"); }
const p = fails();
console.log(p instanceof Promise, typeof p.then);
p.catch((e) => console.log(e.name, e.message));
console.log(Promise.resolve(p) === p);`,
};

async function runInDeno(code: string): Promise<string[]> {
  const out: string[] = [];
  const log = (...args: unknown[]) => out.push(args.map(String).join(" "));
  new Function("console", `"use strict";\n${code}`)({ log });
  await new Promise((r) => setTimeout(r, 0));
  return out;
}

for (const [name, code] of Object.entries(PROMISE_PROGRAMS)) {
  Deno.test(`the simulated deno profile orders "${name}" as Deno does`, async () => {
    const simulated = runSnippet(code, { profile: "deno" });
    assert.equal(simulated.stopped, undefined, simulated.stopped?.message);
    assert.deepEqual(
      simulated.output.map((l) => l.text),
      await runInDeno(code),
    );
  });
}
