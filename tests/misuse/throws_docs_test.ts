/**
 * The docs say which APIs throw and which reject (issue 12): read from
 * `deno doc --json mod.ts`, every `@throws` of a function or method that
 * returns a promise or a `Future` says "Rejects with ...", and no `@throws`
 * of a synchronous one does; and every API of the bad-argument table has a
 * `@throws` naming each error class its bad arguments give.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { TABLE } from "./_table.ts";

/** What the docs say of one callable. */
interface Documented {
  /** Whether it returns a promise-like (a `Promise`, `Future`...). */
  async: boolean;
  /** Its `@throws` tags: `{Type} text`. */
  throws: string[];
  /** Its description (for the objects whose members the text covers). */
  doc: string;
}

interface DocTag {
  kind: string;
  doc?: string;
  tsType?: { repr?: string };
}
interface DocJs {
  doc?: string;
  tags?: DocTag[];
}
interface DocType {
  repr?: string;
  kind?: string;
  value?: unknown;
}
interface DocFn {
  name?: string;
  kind?: string;
  isStatic?: boolean;
  jsDoc?: DocJs;
  returnType?: DocType;
  functionDef?: { returnType?: DocType };
}
interface DocDeclaration {
  kind: string;
  jsDoc?: DocJs;
  def: {
    returnType?: DocType;
    constructors?: DocFn[];
    methods?: DocFn[];
    callSignatures?: DocFn[];
    tsType?: DocType;
  };
}

const PROMISES = new Set([
  "Promise",
  "Future",
  "PromiseLike",
  "SimulatedPromise",
]);

function isAsync(type: DocType | undefined): boolean {
  if (type === undefined) return false;
  if (PROMISES.has(type.repr ?? "")) return true;
  if (type.kind === "union") return (type.value as DocType[]).some(isAsync);
  return false;
}

function documented(
  js: DocJs | undefined,
  returns: DocType | undefined,
): Documented {
  const throws = (js?.tags ?? []).filter((t) => t.kind === "throws").map((t) =>
    `${t.tsType?.repr ? `{${t.tsType.repr}} ` : ""}${
      (t.doc ?? "").replace(/\s+/g, " ")
    }`
  );
  return { async: isAsync(returns), throws, doc: js?.doc ?? "" };
}

/** Every documented callable of mod.ts, by the table's key names. */
async function callables(): Promise<Map<string, Documented>> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "mod.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(out.code, 0, "deno doc --json mod.ts failed");
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  const symbols = (Object.values(json.nodes)[0] as {
    symbols: { name: string; declarations: DocDeclaration[] }[];
  }).symbols;
  const found = new Map<string, Documented>();
  const add = (key: string, d: Documented) => {
    // Overloads: the signature that carries the tags (the implementation's).
    const had = found.get(key);
    if (had === undefined || d.throws.length >= had.throws.length) {
      found.set(key, d);
    }
  };
  for (const { name, declarations } of symbols) {
    for (const { kind, jsDoc, def } of declarations) {
      if (kind === "function") add(name, documented(jsDoc, def.returnType));
      if (kind === "variable") add(name, documented(jsDoc, undefined));
      if (kind === "typeAlias" && def.tsType?.kind === "fnOrConstructor") {
        const fn = def.tsType.value as { tsType?: DocType };
        add(`${name}()`, documented(jsDoc, fn.tsType));
      }
      for (const c of def.constructors ?? []) {
        add(`new ${name}`, documented(c.jsDoc, undefined));
      }
      const getters = new Map<string, DocJs | undefined>();
      for (const m of def.methods ?? []) {
        if (m.kind === "getter") getters.set(m.name!, m.jsDoc);
      }
      for (const m of def.methods ?? []) {
        if (m.kind === "getter") continue;
        // An accessor's docs are on its getter.
        const js = m.kind === "setter" ? getters.get(m.name!) : m.jsDoc;
        const key = `${name}${m.isStatic ? "." : "#"}${m.name}${
          m.kind === "setter" ? "=" : ""
        }`;
        add(key, documented(js, m.functionDef?.returnType ?? m.returnType));
      }
      for (const c of def.callSignatures ?? []) {
        add(`${name}()`, documented(c.jsDoc, c.returnType));
      }
    }
  }
  return found;
}

/**
 * Where the docs of a table key live when not under its own name: objects
 * typed by an interface, the objects factories return, and the members of
 * a frozen object, which its own description covers.
 */
function docKey(key: string): { at: string; inText: boolean } {
  const [owner, member] = key.split(/[.#](?=[^.#]*$)/) as [string, string?];
  if (owner === "Result") {
    return { at: `ResultFunctions#${member}`, inText: false };
  }
  if (/^[a-z]\w*Policy\(\)$|^wrap\(\)$/.test(owner)) {
    return { at: `Policy#${member}`, inText: false };
  }
  if (["systemClock", "inlineExecutor", "microtaskExecutor"].includes(owner)) {
    return { at: owner, inText: true };
  }
  return { at: key, inText: false };
}

/**
 * Functions that return a promise yet throw, as the platform API they
 * mirror does (the bad-argument table has them as throwing too).
 */
const MIRRORS_A_THROW: Record<string, string> = {
  "EventLoop#future": "new Future(init) throws, as new Promise(init)",
  "EventLoop#promise": "new Promise(init) throws on a bad init",
  "SimulatedPromise.resolve": "Promise.resolve.call(x) throws on a bad x",
  "SimulatedPromise.reject": "Promise.reject.call(x) throws on a bad x",
};

Deno.test("every @throws of a promise-returning API says it rejects, and no @throws of a synchronous one does", async () => {
  const wrong: string[] = [];
  for (const [key, { async, throws }] of await callables()) {
    for (const t of throws) {
      const rejects = /^(\{\w+\} )?Rejects\b/.test(t);
      const sync = !async || key in MIRRORS_A_THROW;
      if (!sync && !rejects) wrong.push(`${key} returns a promise: "${t}"`);
      if (sync && rejects) wrong.push(`${key} throws: "${t}"`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("every API of the bad-argument table documents the error classes its bad arguments give", async () => {
  const docs = await callables();
  const missing: string[] = [];
  for (const [key, entry] of Object.entries(TABLE)) {
    const cases = "throws" in entry
      ? entry.throws
      : "rejects" in entry
      ? entry.rejects
      : [];
    if (cases.length === 0) continue;
    const { at, inText } = docKey(key);
    const d = docs.get(at);
    if (d === undefined) {
      missing.push(`${key}: no docs found (as ${at})`);
      continue;
    }
    const text = inText ? d.doc : d.throws.join(" ");
    for (const name of new Set(cases.map((c) => c.error.name))) {
      if (!text.includes(name)) missing.push(`${key}: no word of ${name}`);
    }
  }
  assert.deepEqual(missing, []);
});
