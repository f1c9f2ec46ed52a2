/**
 * The bad-argument table over every export of `mod.ts` (issue 12): each
 * function, constructor and method given the misuses a user commonly makes
 * answers with a `TypeError` or `RangeError` of the house template, thrown by
 * constructors and synchronous functions, a rejection (never a throw) from
 * anything that returns a promise or a `Future`, before any timer or
 * listener exists. A new export, or a new method, without an entry fails
 * the table.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  CancellationTokenSource,
  debounce,
  DelayedExecutor,
  EventLoop,
  exponential,
  fallbackPolicy,
  hedgePolicy,
  mapConcurrentIterable,
  pipeline,
  PriorityScheduler,
  type PriorityTaskContext,
  RedisStore,
  retryPolicy,
  throttle,
  timeoutPolicy,
  VirtualClock,
  wrap,
} from "../../mod.ts";
import { countedSignal, flush, hostTimersArmedBy, show } from "../_support.ts";
import { countingClock } from "../_counting_clock.ts";
import type { Case, Ctx, Entry } from "./_misuse.ts";
import { TABLE } from "./_table.ts";
import { recordingRedis, sentNothing } from "./_stores.ts";

// ---------------------------------------------------------------------------
// Which APIs there are: the exports of mod.ts, their static and prototype
// methods and setters, and the methods of the objects they return.

const PLATFORM = new Set<unknown>([
  Object.prototype,
  Function.prototype,
  Array.prototype,
  Promise.prototype,
  AbortSignal.prototype,
  EventTarget.prototype,
  Error.prototype,
]);

/** `name` for a method, `name=` for a setter; getters and data are skipped. */
function methodsOf(target: object): string[] {
  const names: string[] = [];
  for (const name of Object.getOwnPropertyNames(target)) {
    if (name === "constructor") continue;
    const d = Object.getOwnPropertyDescriptor(target, name)!;
    if (typeof d.value === "function") names.push(name);
    else if (d.set !== undefined) names.push(`${name}=`);
  }
  return names;
}

function isClass(value: unknown): value is new (...args: never[]) => unknown {
  return typeof value === "function" &&
    /^class\b/.test(Function.prototype.toString.call(value));
}

/** The API keys of the exports of a module. */
export function exportKeys(mod: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const [name, value] of Object.entries(mod)) {
    if (isClass(value)) {
      keys.push(`new ${name}`);
      for (const m of methodsOf(value)) {
        if (m !== "length" && m !== "name" && m !== "prototype") {
          keys.push(`${name}.${m}`);
        }
      }
      for (const m of methodsOf(value.prototype as object)) {
        keys.push(`${name}#${m}`);
      }
    } else if (typeof value === "function") {
      keys.push(name);
    } else if (typeof value === "object" && value !== null) {
      const own = methodsOf(value);
      if (own.length === 0) keys.push(name);
      for (const m of own) keys.push(`${name}.${m}`);
    } else {
      keys.push(name);
    }
  }
  return keys;
}

/** The keys of an object the API returns, named `label`. */
function returnedKeys(label: string, value: object): string[] {
  const keys = typeof value === "function" ? [`${label}()`] : [];
  const proto = Object.getPrototypeOf(value);
  const members = new Set(methodsOf(value));
  if (proto !== null && !PLATFORM.has(proto)) {
    for (const m of methodsOf(proto)) members.add(m);
  }
  for (const m of members) keys.push(`${label}#${m}`);
  return keys;
}

/** The objects the API returns whose methods a user calls. */
async function returnedObjects(): Promise<[string, object][]> {
  const clock = new VirtualClock();
  const delayed = new DelayedExecutor({ clock });
  const scheduler = new PriorityScheduler({ clock });
  let context: PriorityTaskContext | undefined;
  const handle = scheduler.post((c) => void (context = c));
  clock.runAll();
  await handle.future;
  const iterator = mapConcurrentIterable([], (x) => x);
  const { port1 } = new EventLoop().messageChannel();
  const objects: [string, object][] = [
    ["Backoff", exponential()],
    ["Debounced", debounce(() => {}, 10, { clock })],
    ["Throttled", throttle(() => {}, { intervalMs: 10, clock })],
    ["Pipeline", pipeline((x) => x)],
    ["MapConcurrentIterator", iterator],
    ["ScheduledTask", delayed.schedule(() => {}, 10)],
    ["PriorityTaskHandle", handle],
    ["PriorityTaskContext", context!],
    ["SimulatedMessagePort", port1],
    ["retryPolicy()", retryPolicy()],
    ["timeoutPolicy()", timeoutPolicy(10, { clock })],
    ["fallbackPolicy()", fallbackPolicy(0)],
    ["hedgePolicy()", hedgePolicy({ delayMs: 10, clock })],
    ["wrap()", wrap()],
  ];
  await iterator.return();
  port1.close();
  delayed[Symbol.dispose]();
  scheduler[Symbol.dispose]();
  return objects;
}

// Keys of the table that the enumeration cannot see: interfaces whose
// methods live on the object itself (Symbol-keyed ones aside).
const NOT_ENUMERATED = new Set<string>();

Deno.test("the bad-argument table has one entry for every export, method and returned object's method, and no other", async () => {
  const mod = await import("../../mod.ts");
  const keys = exportKeys(mod as Record<string, unknown>);
  for (const [label, value] of await returnedObjects()) {
    keys.push(...returnedKeys(label, value));
  }
  const missing = keys.filter((k) => !(k in TABLE));
  const stale = Object.keys(TABLE).filter(
    (k) => !keys.includes(k) && !NOT_ENUMERATED.has(k),
  );
  assert.deepEqual(
    { missing, stale },
    { missing: [], stale: [] },
    "add an entry to tests/misuse/_<area>.ts for each missing API (or remove the stale ones)",
  );
});

// ---------------------------------------------------------------------------
// Checking one row.

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The house message of a row (the action and, unless given, the constraint free). */
export function messagePattern(c: Case): RegExp {
  const constraint = c.constraint === undefined ? ".+" : escape(c.constraint);
  return new RegExp(
    `^Cannot \\S.* as '${
      escape(c.option)
    }' must be ${constraint}: current value is ${escape(c.shown)}${
      escape(c.suffix ?? "")
    }$`,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/** Releases what a row that failed to refuse may have made. */
function release(out: unknown): void {
  if (isThenable(out)) out.then(undefined, () => {});
  const dispose = (out as { [Symbol.dispose]?: () => void } | null)?.[
    Symbol.dispose
  ];
  if (typeof dispose === "function") dispose.call(out);
}

/** Runs one row; returns what is wrong with it, or undefined. */
export async function checkRow(
  kind: "throws" | "rejects",
  c: Case,
): Promise<string | undefined> {
  const counting = countingClock();
  const counted = countedSignal();
  using source = new CancellationTokenSource();
  const ctx: Ctx = {
    clock: counting.clock,
    signal: counted.signal,
    token: source.token,
  };
  let out: unknown;
  let threw = false;
  let error: unknown;
  const hostTimers = hostTimersArmedBy(() => {
    try {
      out = c.run(ctx);
    } catch (e) {
      threw = true;
      error = e;
    }
  });
  if (kind === "throws" && !threw) {
    release(out);
    return `${c.call} did not throw`;
  }
  if (kind === "rejects") {
    if (threw) return `${c.call} threw instead of rejecting: ${error}`;
    if (!isThenable(out)) return `${c.call} did not return a promise`;
    let state = "pending";
    out.then(() => (state = "fulfilled"), (e) => {
      state = "rejected";
      error = e;
    });
    for (let i = 0; i < 5 && state === "pending"; i++) await flush();
    if (state !== "rejected") return `${c.call} is ${state}, not rejected`;
  }
  const wrong: string[] = [];
  if (!(error instanceof c.error) || error.constructor !== c.error) {
    wrong.push(
      `gave ${(error as Error)?.name} (${error}), not a ${c.error.name}`,
    );
  } else if (!messagePattern(c).test(error.message)) {
    wrong.push(
      `said "${error.message}", not "Cannot … as '${c.option}' must be ${
        c.constraint ?? "…"
      }: current value is ${c.shown}${c.suffix ?? ""}"`,
    );
  }
  if (hostTimers.length > 0) {
    wrong.push(`armed ${hostTimers.length} host timer(s)`);
  }
  if (counting.armed() > 0) {
    wrong.push(`armed ${counting.armed()} timer(s) on the clock`);
  }
  if (counted.added > 0) wrong.push(`added ${counted.added} abort listener(s)`);
  return wrong.length === 0 ? undefined : `${c.call} ${wrong.join("; ")}`;
}

Deno.test("a store row fails when its store reached the backend before refusing (negative control)", async () => {
  // A valid command, sent, then refused for the stand-in's reply.
  const refused = sentNothing(
    (sent) => new RedisStore({ client: recordingRedis(sent) }),
    (store) => store.updateCircuit("k", { op: "isolate" }),
  );
  await assert.rejects(refused as Promise<unknown>, {
    name: "Error",
    message: /^sent SCRIPT LOAD, EVALSHA pledge:circuit:k before refusing/,
  });
});

function rows(entry: Entry): ["throws" | "rejects", Case[]][] {
  if ("throws" in entry) {
    const both: ["throws" | "rejects", Case[]][] = [["throws", entry.throws]];
    if (entry.rejects !== undefined) both.push(["rejects", entry.rejects]);
    return both;
  }
  if ("rejects" in entry) return [["rejects", entry.rejects]];
  return [];
}

for (const [key, entry] of Object.entries(TABLE)) {
  const kinds = rows(entry);
  for (const [kind, cases] of kinds) {
    // "never throws" unless the entry also has rows that throw.
    const verb = kind === "throws"
      ? "throws"
      : kinds.length === 1
      ? "rejects (never throws)"
      : "rejects";
    Deno.test(`${key}: bad arguments: ${verb} with the house message, nothing armed`, async () => {
      assert.ok(cases.length > 0, "an entry with rows has at least one");
      const problems: string[] = [];
      for (const c of cases) {
        const problem = await checkRow(kind, c);
        if (problem !== undefined) problems.push(problem);
      }
      assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
    });
  }
  const accepts = "throws" in entry ? entry.accepts : undefined;
  if (accepts === undefined) continue;
  Deno.test(`${key}: values the host converts are taken and converted as there, not refused`, () => {
    assert.ok(accepts.length > 0, "an entry with accepted values has one");
    const problems: string[] = [];
    for (const a of accepts) {
      try {
        const got = a.run();
        if (!Object.is(got, a.want)) {
          problems.push(`${a.call} gave ${show(got)}, not ${show(a.want)}`);
        }
      } catch (e) {
        problems.push(`${a.call} threw ${e}`);
      }
    }
    assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
  });
}
