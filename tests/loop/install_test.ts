/**
 * `VirtualClock.install()` (src/loop/_install.ts, _host_timers.ts,
 * _fake_date.ts): the differential corpus against recordings of real Node,
 * Deno and Bun runs, then the fakes one by one. Runs under `deno test` and,
 * through the npm build, under `node --test` and `bun test`.
 */

import assert from "node:assert/strict";
import { promisify } from "node:util";
import {
  DeadlockError,
  delay,
  InvalidStateError,
  LoopLimitError,
  VirtualClock,
} from "../../mod.ts";
import {
  type ClockTimer,
  type FakeableClock,
  FIRE,
  HostTimers,
} from "../../src/loop/_host_timers.ts";
import {
  installedCorpus,
  type InstalledRuntime,
  TIMERS_AND_DATE,
} from "./_installed_corpus.ts";
import { recorded } from "./fixtures/installed/recorded.ts";

type Host = Record<string, unknown> & typeof globalThis;
const host = globalThis as Host;
const process = host.process as
  | {
    versions?: Record<string, string>;
    nextTick?: (cb: () => void) => void;
    emitWarning?: (...args: unknown[]) => void;
  }
  | undefined;
const RUNTIME: InstalledRuntime = "Deno" in globalThis
  ? "deno"
  : typeof process?.versions?.bun === "string"
  ? "bun"
  : "node-cjs";

/** The host's own timer handles: objects on Node, Bun and Deno 2.9. */
const HOST_OBJECTS = (() => {
  const handle = setTimeout(() => {}, 0);
  clearTimeout(handle);
  return typeof handle === "object";
})();

/** Runs a corpus program's source, unmodified, under an installed clock. */
async function runInstalled(source: string): Promise<string[]> {
  const out: string[] = [];
  using clock = VirtualClock.install({ loopLimit: 10_000, startDate: 0 });
  const program = new Function("log", source);
  program((label: unknown) => out.push(String(label)));
  await clock.runAllAsync();
  assert.equal(clock.pendingTimers, 0);
  return out;
}

// ------------------------------------------------- the differential corpus

Deno.test("the installed corpus is recorded, with the sources it holds now", () => {
  assert.ok(installedCorpus.length >= 15);
  for (const program of installedCorpus) {
    const recording = recorded[program.name];
    assert.ok(recording, `${program.name} is not recorded`);
    assert.equal(recording.source, program.source.trim(), program.name);
    for (const runtime of ["node-cjs", "node-esm", "deno"] as const) {
      assert.ok(recording.results[runtime], `${program.name} on ${runtime}`);
    }
    // The programs avoid entry-dependent orders: CommonJS and ES modules
    // agree.
    assert.deepEqual(
      recording.results["node-esm"]!.majority,
      recording.results["node-cjs"]!.majority,
      program.name,
    );
  }
});

for (const program of installedCorpus) {
  Deno.test(`VirtualClock.install() runs ${program.name} as ${RUNTIME} does`, async () => {
    if (program.timeoutObjects && !HOST_OBJECTS) return;
    const result = recorded[program.name]!.results[RUNTIME];
    if (result === undefined) return; // Bun was not recorded
    const output = await runInstalled(program.source);
    if (result.stable) {
      assert.deepEqual(output, result.majority);
    } else {
      // The runtime itself raced: the output is one it produced.
      assert.ok(
        result.variants!.some((v) =>
          JSON.stringify(v.output) === JSON.stringify(output)
        ),
        `${JSON.stringify(output)} is none of ${RUNTIME}'s outputs`,
      );
    }
  });
}

// ---------------------------------------------------- install / uninstall

const GLOBALS = TIMERS_AND_DATE.filter((name) => name !== "performance");

function descriptors(): Record<string, PropertyDescriptor | undefined> {
  const out: Record<string, PropertyDescriptor | undefined> = {};
  for (const name of GLOBALS) {
    out[name] = Object.getOwnPropertyDescriptor(globalThis, name);
  }
  out["performance.now"] = Object.getOwnPropertyDescriptor(
    performance,
    "now",
  );
  out["AbortSignal.timeout"] = Object.getOwnPropertyDescriptor(
    AbortSignal,
    "timeout",
  );
  return out;
}

Deno.test("VirtualClock.install() replaces the host's timers and Date, and disposal restores the same descriptors", () => {
  const before = descriptors();
  const hostSetTimeout = setTimeout;
  {
    using clock = VirtualClock.install();
    assert.notEqual(globalThis.setTimeout, hostSetTimeout);
    assert.equal(performance.now(), clock.now());
    const during = descriptors();
    for (const key of Object.keys(before)) {
      if (before[key] === undefined) continue;
      assert.notDeepEqual(during[key], before[key], key);
      assert.equal(during[key]!.enumerable, before[key]!.enumerable, key);
    }
    // The fakes look like the host's functions.
    assert.equal(setTimeout.name, "setTimeout");
    assert.equal(setTimeout.length, hostSetTimeout.length);
  }
  assert.deepEqual(descriptors(), before);
  assert.equal(globalThis.setTimeout, hostSetTimeout);
});

Deno.test("VirtualClock.install() is undone when the test body throws", () => {
  const before = descriptors();
  assert.throws(() => {
    using _clock = VirtualClock.install();
    throw new Error("the test failed");
  }, /the test failed/);
  assert.deepEqual(descriptors(), before);
});

Deno.test("VirtualClock.install() refuses a second install, and allows one after uninstall", () => {
  const first = VirtualClock.install();
  try {
    assert.throws(() => VirtualClock.install(), (e: unknown) => {
      assert.ok(e instanceof InvalidStateError);
      assert.match(
        (e as Error).message,
        /^Cannot install the virtual clock as another VirtualClock is installed: uninstall it/,
      );
      assert.match(String(((e as Error).cause as Error).stack), /installed/);
      return true;
    });
    assert.throws(() => first.install(), /it is installed already/);
  } finally {
    first.uninstall();
  }
  first.uninstall(); // idempotent
  using again = new VirtualClock().install();
  assert.equal(performance.now(), again.now());
});

Deno.test("VirtualClock.install() fakes only toFake, and a set function with its clear partner", () => {
  const hostSetTimeout = setTimeout;
  const hostDate = Date;
  {
    using _clock = VirtualClock.install({ toFake: ["clearTimeout"] });
    assert.notEqual(setTimeout, hostSetTimeout);
    assert.equal(Date, hostDate);
  }
  {
    using clock = VirtualClock.install({ toFake: ["Date"], startDate: 5 });
    assert.equal(setTimeout, hostSetTimeout);
    assert.equal(Date.now(), 5);
    clock.tick(10);
    assert.equal(Date.now(), 15);
  }
  assert.equal(Date, hostDate);
});

Deno.test("VirtualClock.install() validates toFake before it changes anything", () => {
  const before = descriptors();
  const cases: [unknown, RegExp][] = [
    [
      "setTimeout",
      /^Cannot install the virtual clock as 'toFake' must be an array of API names: current value is "setTimeout"$/,
    ],
    [
      ["Date", "fetch"],
      /^Cannot install the virtual clock as 'toFake' must be a list of setTimeout, .*AbortSignal\.timeout: current value is "fetch"$/,
    ],
    [
      ["queueMicrotask"],
      /must be a list of .*current value is "queueMicrotask"$/,
    ],
  ];
  if (typeof host.requestAnimationFrame !== "function") {
    cases.push([
      ["requestAnimationFrame"],
      /must be APIs this host has: current value is "requestAnimationFrame"$/,
    ]);
  }
  for (const [toFake, message] of cases) {
    assert.throws(
      () => VirtualClock.install({ toFake: toFake as never }),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
    );
  }
  assert.throws(() => VirtualClock.install({ loopLimit: 0 }), RangeError);
  assert.deepEqual(descriptors(), before);
  using _clock = VirtualClock.install(); // nothing was left installed
});

// ------------------------------------------------------------------- Date

Deno.test("installed Date: now() and new Date() read virtual wall time, every other use is the host's", () => {
  const hostDate = Date;
  const made = new Date(2000, 0, 1);
  using clock = VirtualClock.install({
    toFake: ["Date"],
    startDate: new hostDate("2030-01-01T00:00:00Z"),
  });
  assert.equal(Date.now(), Date.UTC(2030, 0, 1));
  assert.equal(new Date().toISOString(), "2030-01-01T00:00:00.000Z");
  assert.equal(typeof Date(), "string");
  assert.equal(Date(), new hostDate(Date.UTC(2030, 0, 1)).toString());
  clock.tick(1500.7);
  assert.equal(Date.now(), Date.UTC(2030, 0, 1) + 1500);
  assert.equal(new Date(0).getTime(), 0);
  assert.equal(new Date("2020-02-02").getTime(), Date.parse("2020-02-02"));
  assert.equal(new Date(2020, 1, 2, 3).getHours(), 3);
  assert.equal(Date.UTC(2020, 0, 1), 1577836800000);
  assert.ok(made instanceof Date);
  assert.ok(new Date() instanceof hostDate);
  assert.equal(Object.getPrototypeOf(new Date()), hostDate.prototype);
  assert.equal(Date.prototype, hostDate.prototype);
  assert.equal(Date.length, 7);
  assert.equal(Date.name, "Date");
  class Stamp extends Date {}
  const stamp = new Stamp();
  assert.ok(stamp instanceof Stamp && stamp instanceof hostDate);
  assert.equal(stamp.getTime(), Date.now());
  clock.setSystemTime(0);
  assert.equal(new Date().getTime(), 0);
  assert.equal(clock.now(), 1500.7);
});

Deno.test("VirtualClock starts wall time at the host's date unless startDate says otherwise", () => {
  const before = Date.now();
  const clock = new VirtualClock({ startMs: 500 });
  assert.ok(clock.dateNow() >= before && clock.dateNow() <= Date.now());
  assert.equal(new VirtualClock({ startDate: 42 }).dateNow(), 42);
  for (const bad of [NaN, Infinity, new Date("not a date")]) {
    assert.throws(
      () => new VirtualClock({ startDate: bad }),
      /^RangeError: Cannot create a VirtualClock as 'startDate' must be finite/,
    );
  }
  assert.throws(
    () => new VirtualClock({ startDate: "2030-01-01" as never }),
    {
      name: "TypeError",
      message:
        `Cannot create a VirtualClock as 'startDate' must be a Date or epoch milliseconds: current value is "2030-01-01"`,
    },
  );
  assert.throws(() => clock.setSystemTime(NaN), RangeError);
});

// -------------------------------------------------------- timer functions

Deno.test("installed setTimeout coerces delays as the host does", async () => {
  using clock = VirtualClock.install({ toFake: ["setTimeout"] });
  const warnings: unknown[][] = [];
  const emitWarning = process?.emitWarning;
  if (process !== undefined) {
    process.emitWarning = (...args: unknown[]) => void warnings.push(args);
  }
  const at: Record<string, number> = {};
  const cases: [string, unknown][] = HOST_OBJECTS
    ? [
      ["0", 0],
      ["-5", -5],
      ["NaN", NaN],
      ["undefined", undefined],
      ["'3'", "3"],
      ["2.5", 2.5],
      ["2^31", 2 ** 31],
      ["max", 2 ** 31 - 1],
    ]
    : [["0", 0], ["-5", -5], ["'3'", "3"], ["2.5", 2.5]];
  try {
    for (const [name, ms] of cases) {
      setTimeout(() => (at[name] = clock.now()), ms as number);
    }
  } finally {
    if (process !== undefined) process.emitWarning = emitWarning!;
  }
  await clock.runAllAsync();
  if (HOST_OBJECTS) {
    assert.deepEqual(at, {
      "0": 1,
      "-5": 1,
      "NaN": 1,
      "undefined": 1,
      "'3'": 3,
      "2.5": 2.5,
      "2^31": 1,
      "max": 2 ** 31 - 1,
    });
    const overflow = warnings.filter((w) => w[1] === "TimeoutOverflowWarning");
    assert.deepEqual(overflow, [[
      "2147483648 does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.",
      "TimeoutOverflowWarning",
    ]]);
    // Deno and Bun also warn about NaN and negative delays; Node does not.
    const more = RUNTIME === "deno" || RUNTIME === "bun";
    assert.deepEqual(warnings.map((w) => w[1]).sort(), [
      ...(more ? ["TimeoutNaNWarning", "TimeoutNegativeWarning"] : []),
      "TimeoutOverflowWarning",
    ]);
  }
  assert.throws(() => setTimeout(() => {}, 1n as never), TypeError);
});

Deno.test("installed timers pass extra arguments, and a bad callback is a TypeError on Node-shaped hosts", async () => {
  using clock = VirtualClock.install();
  const got: unknown[] = [];
  setTimeout((a: number, b: string) => got.push(["timeout", a, b]), 5, 1, "x");
  const h = setInterval(
    (a: string) => {
      got.push(["interval", a]);
      clearInterval(h);
    },
    5,
    "y",
  );
  if (typeof host.setImmediate === "function") {
    (host.setImmediate as (cb: (a: string) => void, a: string) => void)(
      (a) => got.push(["immediate", a]),
      "z",
    );
  }
  await clock.runAllAsync();
  assert.deepEqual(
    got.filter((g) => (g as string[])[0] !== "immediate"),
    [["timeout", 1, "x"], ["interval", "y"]],
  );
  if (HOST_OBJECTS) {
    assert.deepEqual(got[0], ["immediate", "z"]);
    assert.throws(() => setTimeout("code" as never, 1), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.equal((e as { code?: string }).code, "ERR_INVALID_ARG_TYPE");
      assert.match(
        e.message,
        /^The "callback" argument must be of type function/,
      );
      return true;
    });
  }
});

Deno.test("installed timer handles have the host's shape", async () => {
  using clock = VirtualClock.install();
  const handle = setTimeout(() => {}, 10);
  assert.equal(typeof handle, HOST_OBJECTS ? "object" : "number");
  if (!HOST_OBJECTS) return;
  // Node, Bun and Deno 2.9: a Timeout.
  const t = handle as unknown as {
    hasRef(): boolean;
    ref(): unknown;
    unref(): unknown;
    refresh(): unknown;
    close(): unknown;
    [Symbol.toPrimitive](): number;
  };
  assert.equal(t.hasRef(), true);
  assert.equal(t.unref(), t);
  assert.equal(t.hasRef(), false);
  assert.equal(t.ref(), t);
  assert.equal(t.hasRef(), true);
  const id = +t;
  assert.equal(typeof id, "number");
  assert.equal(+t, id);
  clearTimeout(String(id) as never);
  assert.equal(clock.pendingTimers, 0);
  // refresh() after clearing keeps it cleared; after firing re-arms it.
  assert.equal(t.refresh(), t);
  assert.equal(clock.pendingTimers, 0);
  let runs = 0;
  const u = setTimeout(() => runs++, 10) as unknown as typeof t;
  await clock.tickAsync(10);
  u.refresh();
  await clock.tickAsync(10);
  assert.equal(runs, 2);
  u.close();
  const v = setTimeout(() => runs++, 10) as unknown as Disposable;
  v[Symbol.dispose]();
  await clock.runAllAsync();
  assert.equal(runs, 2);
});

Deno.test("installed callbacks run with the handle as this on Node-shaped hosts", async () => {
  using clock = VirtualClock.install();
  let self: unknown;
  const handle = setTimeout(function (this: unknown) {
    self = this;
  }, 1);
  await clock.runAllAsync();
  assert.equal(self, HOST_OBJECTS ? handle : globalThis);
});

Deno.test("installed clear functions: timeouts and intervals clear each other, immediates only by clearImmediate", async () => {
  using clock = VirtualClock.install();
  const ran: string[] = [];
  const a = setTimeout(() => ran.push("a"), 5);
  const b = setInterval(() => ran.push("b"), 5);
  clearInterval(a);
  clearTimeout(b);
  if (typeof host.setImmediate === "function") {
    const setImmediate = host.setImmediate as (cb: () => void) => unknown;
    const clearImmediate = host.clearImmediate as (h: unknown) => void;
    const i = setImmediate(() => ran.push("immediate kept"));
    clearTimeout(i as never);
    clearImmediate(setImmediate(() => ran.push("immediate cleared")));
    clearImmediate(setTimeout(() => ran.push("timeout kept"), 1));
  }
  await clock.runAllAsync();
  assert.deepEqual(
    ran,
    typeof host.setImmediate === "function"
      ? ["immediate kept", "timeout kept"]
      : [],
  );
});

Deno.test("installed clearTimeout passes a real timer's handle to the host", async () => {
  const ran: string[] = [];
  const real = setTimeout(() => ran.push("real timer"), 0);
  {
    using _clock = VirtualClock.install();
    clearTimeout(real);
  }
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(ran, []);
});

Deno.test("installed setTimeout works with util.promisify where the host has it", async () => {
  using clock = VirtualClock.install();
  const sleep = promisify(setTimeout) as (ms: number, v?: string) => Promise<
    string
  >;
  const value = sleep(250, "slept");
  assert.equal(await clock.runUntilSettled(value), "slept");
  assert.equal(clock.now(), 250);
});

Deno.test("installed AbortSignal.timeout aborts with a TimeoutError at the virtual deadline", async () => {
  using clock = VirtualClock.install({ toFake: ["AbortSignal.timeout"] });
  const signal = AbortSignal.timeout(100);
  await clock.tickAsync(99);
  assert.equal(signal.aborted, false);
  await clock.tickAsync(1);
  assert.equal(signal.aborted, true);
  assert.ok(signal.reason instanceof DOMException);
  assert.equal(signal.reason.name, "TimeoutError");
  for (const bad of [-1, NaN, Infinity]) {
    assert.throws(
      () => AbortSignal.timeout(bad),
      new TypeError(
        `Cannot create a timeout signal as 'ms' must be a finite number >= 0: current value is ${bad}`,
      ),
    );
  }
});

Deno.test("pledge's own APIs on the default clock follow an installed clock", async () => {
  using clock = VirtualClock.install();
  const done = delay(1000).then(() => clock.now());
  assert.equal(await clock.runUntilSettled(done), 1000);
});

// ----------------------------------------------------------- async drivers

Deno.test("async drivers drain native microtasks and nextTick after every timer callback", async () => {
  using clock = VirtualClock.install();
  const log: string[] = [];
  setTimeout(() => {
    log.push("t1");
    Promise.resolve().then(() => log.push("t1 then"));
    process?.nextTick?.(() => log.push("t1 nextTick"));
  }, 5);
  setTimeout(() => {
    log.push("t2");
    Promise.resolve().then(() => log.push("t2 then"));
    process?.nextTick?.(() => log.push("t2 nextTick"));
  }, 5);
  setTimeout(() => log.push("t3"), 5);
  await clock.tickAsync(5);
  assert.deepEqual(
    log,
    process?.nextTick
      ? ["t1", "t1 nextTick", "t1 then", "t2", "t2 nextTick", "t2 then", "t3"]
      : ["t1", "t1 then", "t2", "t2 then", "t3"],
  );
});

Deno.test("async drivers wait on the host's own setImmediate while a fake one is installed", async () => {
  using clock = VirtualClock.install();
  let fakeCalls = 0;
  const fake = host.setImmediate as ((cb: () => void) => unknown) | undefined;
  if (fake !== undefined) {
    (host as Record<string, unknown>).setImmediate = (cb: () => void) => (
      fakeCalls++, fake(cb)
    );
  }
  setTimeout(() => {}, 10);
  setTimeout(() => {}, 20);
  assert.equal(await clock.runAllAsync(), 20);
  assert.equal(await clock.nextAsync(), false);
  assert.equal(fakeCalls, 0);
});

Deno.test("async drivers end a runaway interval or a self-re-arming timer with LoopLimitError", async () => {
  using clock = VirtualClock.install({ loopLimit: 100 });
  setInterval(() => {}, 10);
  await assert.rejects(clock.runAllAsync(), (e: unknown) => {
    assert.ok(e instanceof LoopLimitError);
    assert.match(
      (e as Error).message,
      /^Cannot runAllAsync as more than 100 timer callbacks ran \(loopLimit\)/,
    );
    return true;
  });
  clock.reset();
  const again = () => void setTimeout(again, 0);
  again();
  await assert.rejects(
    clock.runUntilSettled(new Promise(() => {})),
    LoopLimitError,
  );
  clock.reset();
  if (typeof host.setImmediate === "function") {
    // Immediates do not move time: the per-instant limit of tickAsync.
    const setImmediate = host.setImmediate as (cb: () => void) => unknown;
    const spin = () => void setImmediate(spin);
    spin();
    await assert.rejects(clock.tickAsync(1), LoopLimitError);
    clock.reset();
  }
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("runUntilSettled under install reports a deadlock instead of hanging", async () => {
  using clock = VirtualClock.install();
  setTimeout(() => {}, 10);
  await assert.rejects(
    clock.runUntilSettled(new Promise(() => {})),
    DeadlockError,
  );
  assert.equal(clock.now(), 10);
});

Deno.test("async drivers reject with the error a timer callback throws", async () => {
  using clock = VirtualClock.install();
  setTimeout(() => {
    throw new Error("callback failed");
  }, 10);
  setTimeout(() => {}, 20);
  await assert.rejects(clock.runAllAsync(), /callback failed/);
  assert.equal(clock.now(), 10);
  assert.equal(clock.pendingTimers, 1);
  clock.reset();
});

// ---------------------------------------------- HTML-shaped (number) hosts

/** The fakes of a number-shaped host (browsers), on a plain clock. */
function htmlTimers(clock: VirtualClock) {
  const armed = new Map<ClockTimer, unknown>();
  const capability: FakeableClock = {
    now: () => clock.now(),
    arm(timer, ms) {
      armed.set(
        timer,
        clock.setTimeout(() => (armed.delete(timer), timer[FIRE]()), ms),
      );
    },
    cancel(timer) {
      clock.clearTimeout(armed.get(timer));
      armed.delete(timer);
    },
  };
  return new HostTimers(capability, false, {}, false).functions();
}

Deno.test("number-shaped fakes follow HTML's delay rules and nesting clamp", () => {
  const clock = new VirtualClock();
  const { setTimeout, clearTimeout } = htmlTimers(clock);
  const at: Record<string, number> = {};
  const cases: [string, unknown][] = [
    ["0", 0],
    ["-5", -5],
    ["NaN", NaN],
    ["1.9", 1.9],
    ["2^32+5", 2 ** 32 + 5],
    ["2^31", 2 ** 31],
    ["'3'", "3"],
  ];
  for (const [name, ms] of cases) {
    setTimeout!(() => (at[name] = clock.now()), ms);
  }
  clock.runAll();
  assert.deepEqual(at, {
    "0": 0,
    "-5": 0,
    "NaN": 0,
    "1.9": 1,
    "2^32+5": 5,
    "2^31": 0,
    "'3'": 3,
  });
  // A chain of 0 ms timers: from the 7th on, 4 ms apart.
  const times: number[] = [];
  const start = clock.now();
  const chain = () => {
    times.push(clock.now() - start);
    if (times.length < 9) setTimeout!(chain, 0);
  };
  setTimeout!(chain, 0);
  clock.runAll();
  assert.deepEqual(times, [0, 0, 0, 0, 0, 0, 4, 8, 12]);
  const id = setTimeout!(() => {}, 1);
  assert.equal(typeof id, "number");
  clearTimeout!(id);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("number-shaped fakes clamp a 0 ms interval after its fifth run and run string callbacks as code", () => {
  const clock = new VirtualClock();
  const { setInterval, clearInterval, setTimeout } = htmlTimers(clock);
  const times: number[] = [];
  const h = setInterval!(() => {
    times.push(clock.now());
    if (times.length === 8) clearInterval!(h);
  }, 0);
  clock.runAll();
  assert.deepEqual(times, [0, 0, 0, 0, 0, 0, 4, 8]);
  const key = "__pledge_install_test";
  setTimeout!(`globalThis.${key} = this === globalThis`, 1);
  clock.runAll();
  assert.equal(host[key], true);
  delete host[key];
});

Deno.test("number-shaped requestAnimationFrame runs callbacks at 16 ms frames with the frame time", () => {
  const clock = new VirtualClock();
  const { requestAnimationFrame, cancelAnimationFrame } = htmlTimers(clock);
  const seen: [string, number][] = [];
  clock.tick(5);
  requestAnimationFrame!((t: number) => {
    seen.push(["a", t]);
    requestAnimationFrame!((u: number) => seen.push(["next frame", u]));
  });
  requestAnimationFrame!((t: number) => seen.push(["b", t]));
  cancelAnimationFrame!(requestAnimationFrame!(() => seen.push(["no", 0])));
  clock.runAll();
  assert.deepEqual(seen, [["a", 16], ["b", 16], ["next frame", 32]]);
});
