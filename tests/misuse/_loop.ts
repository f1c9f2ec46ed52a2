/**
 * The bad-argument table of `@pledge/core/loop`. The clocks and loops made
 * here are their own time: the rows check what the API says, and the test's
 * counting clock and counted signal stay untouched where the API takes one.
 *
 * @module
 */

import {
  EventLoop,
  type MicrotaskQueue,
  PriorityScheduler,
  simulateAsync,
  SimulatedPromise,
  Trace,
  VirtualClock,
} from "../../mod.ts";
import {
  bad,
  type Call,
  type Case,
  clocks,
  functions,
  numbers,
  options,
  signals,
  type Table,
} from "./_misuse.ts";

const noop = () => {};
const INTERNAL =
  "the scheduler's own method on the task record, outside the documented interface";
const host: MicrotaskQueue = { queueMicrotask: (cb) => queueMicrotask(cb) };
const DATE = "a Date or epoch milliseconds";
const EVENT = {
  time: 0,
  lane: "task",
  queue: "script",
  label: "main",
  enqueuedBy: undefined,
  rule: "r",
  enqueuedAt: 0,
} as const;

/** A loop with one event traced (labelled "main"). */
function traced(): Trace {
  const trace = new Trace();
  trace.record(EVENT);
  return trace;
}

/**
 * The outcome of a loop's promise as a native one, after the loop's
 * microtasks ran (a promise still pending fulfils with "pending").
 */
function outcome(loop: EventLoop, p: PromiseLike<unknown>): Promise<unknown> {
  let settled: { ok: boolean; value: unknown } | undefined;
  p.then(
    (value) => (settled = { ok: true, value }),
    (value) => (settled = { ok: false, value }),
  );
  loop.runMicrotasks();
  if (settled === undefined) return Promise.resolve("pending");
  return settled.ok
    ? Promise.resolve(settled.value)
    : Promise.reject(settled.value);
}

/** Installs; a row that failed to refuse is uninstalled at once. */
function installing(install: (clock: VirtualClock) => VirtualClock): unknown {
  const installed = install(new VirtualClock());
  installed.uninstall();
  return installed;
}

/** The rows of a `ref` of a trace: neither a number nor a string, unknown. */
function refs(template: string, call: Call, option: string): Case[] {
  return [
    ...[undefined, null, {}].map((ref) =>
      bad(template, call, TypeError, option, ref, {
        constraint: "an event id or label",
      })
    ),
    ...[7, "nope", "#9"].map((ref) =>
      bad(template, call, RangeError, option, ref, {
        constraint: "the id or label of a recorded event",
      })
    ),
  ];
}

/** A `promise` that is not a thenable (its `then` is what the message shows). */
function notThenables(template: string, call: Call): Case[] {
  return [undefined, 5, {}].map((promise) =>
    bad(template, call, TypeError, "promise.then", promise, {
      constraint: "a function",
      shown: "undefined",
    })
  );
}

/** A `host` without a `queueMicrotask` function. */
function hosts(template: string, call: Call): Case[] {
  return [undefined, {}].map((h) =>
    bad(template, call, TypeError, "host.queueMicrotask", h, {
      constraint: "a function",
      shown: "undefined",
    })
  );
}

/** A call on a loop whose profile lacks `api`. */
function lacking(template: string, call: Call, profile: string, api: string) {
  return bad(template, call, TypeError, "profile", profile, {
    constraint: `a profile that provides ${api}`,
  });
}

/** The callback and `ms` rows of an EventLoop timer (as the host's). */
function loopTimer(name: "setTimeout" | "setInterval"): Case[] {
  return [
    ...functions(
      `loop.${name}($, 10)`,
      (_, cb) => new EventLoop()[name](cb, 10),
      "callback",
    ),
    ...["5", null].map((ms) =>
      bad(
        `loop.${name}(fn, $)`,
        (_, v) => new EventLoop()[name](noop, v),
        TypeError,
        "ms",
        ms,
        { constraint: "a number" },
      )
    ),
  ];
}

/** The rows of a clock timer: a function, and a duration. */
function clockTimer(name: "setTimeout" | "setInterval"): Case[] {
  return [
    ...functions(
      `clock.${name}($, 10)`,
      (_, cb) => new VirtualClock()[name](cb, 10),
      "callback",
    ),
    ...numbers(
      `clock.${name}(fn, $)`,
      (_, ms) => new VirtualClock()[name](noop, ms),
      "ms",
      "duration",
    ),
  ];
}

/** The table of the loop area. */
export const LOOP: Table = {
  "new DeadlockError": { none: "an error class: fields measured by pledge" },
  "new LoopLimitError": { none: "an error class: fields measured by pledge" },
  "profiles": { none: "data: the three built-in profiles" },

  "new VirtualClock": {
    throws: [
      ...options("new VirtualClock($)", (_, o) => new VirtualClock(o)),
      ...numbers(
        "new VirtualClock({ startMs: $ })",
        (_, startMs) => new VirtualClock({ startMs }),
        "startMs",
        "finite",
      ),
      ...numbers(
        "new VirtualClock({ loopLimit: $ })",
        (_, loopLimit) => new VirtualClock({ loopLimit }),
        "loopLimit",
        "count",
      ),
      ...["2024-01-01", {}].map((startDate) =>
        bad(
          "new VirtualClock({ startDate: $ })",
          (_, d) => new VirtualClock({ startDate: d }),
          TypeError,
          "startDate",
          startDate,
          { constraint: DATE },
        )
      ),
      ...[NaN, new Date(NaN)].map((startDate) =>
        bad(
          "new VirtualClock({ startDate: $ })",
          (_, d) => new VirtualClock({ startDate: d }),
          RangeError,
          "startDate",
          startDate,
          { constraint: "finite", shown: "NaN" },
        )
      ),
    ],
  },
  "VirtualClock.install": {
    throws: [
      ...options(
        "VirtualClock.install($)",
        (_, o) => installing(() => VirtualClock.install(o)),
      ),
      ...numbers(
        "VirtualClock.install({ startMs: $ })",
        (_, startMs) => installing(() => VirtualClock.install({ startMs })),
        "startMs",
        "finite",
      ),
      bad(
        "VirtualClock.install({ toFake: $ })",
        (_, toFake) => installing(() => VirtualClock.install({ toFake })),
        TypeError,
        "toFake",
        "setTimeout",
        { constraint: "an array of API names" },
      ),
    ],
  },
  "VirtualClock#install": {
    throws: [
      ...options(
        "clock.install($)",
        (_, o) => installing((clock) => clock.install(o)),
      ),
      bad(
        "clock.install({ toFake: [$] })",
        (_, name) => installing((clock) => clock.install({ toFake: [name] })),
        TypeError,
        "toFake",
        "fetch",
      ),
    ],
  },
  "VirtualClock#uninstall": { none: "takes no arguments" },
  "VirtualClock#now": { none: "takes no arguments" },
  "VirtualClock#dateNow": { none: "takes no arguments" },
  "VirtualClock#setSystemTime": {
    throws: [
      ...["2024-01-01", undefined, {}].map((date) =>
        bad(
          "clock.setSystemTime($)",
          (_, d) => new VirtualClock().setSystemTime(d),
          TypeError,
          "date",
          date,
          { constraint: DATE },
        )
      ),
      ...[NaN, Infinity].map((date) =>
        bad(
          "clock.setSystemTime($)",
          (_, d) => new VirtualClock().setSystemTime(d),
          RangeError,
          "date",
          date,
          { constraint: "finite" },
        )
      ),
    ],
  },
  "VirtualClock#setTimeout": { throws: clockTimer("setTimeout") },
  "VirtualClock#setInterval": { throws: clockTimer("setInterval") },
  "VirtualClock#clearTimeout": {
    none: "any handle (an unknown one is ignored)",
  },
  "VirtualClock#clearInterval": { none: "as clearTimeout" },
  "VirtualClock#tick": {
    throws: numbers(
      "clock.tick($)",
      (_, ms) => new VirtualClock().tick(ms),
      "ms",
      "duration",
    ),
  },
  "VirtualClock#tickAsync": {
    rejects: numbers(
      "clock.tickAsync($)",
      (_, ms) => new VirtualClock().tickAsync(ms),
      "ms",
      "duration",
    ),
  },
  "VirtualClock#next": { none: "takes no arguments" },
  "VirtualClock#nextAsync": { none: "takes no arguments" },
  "VirtualClock#runAll": { none: "takes no arguments" },
  "VirtualClock#runAllAsync": { none: "takes no arguments" },
  "VirtualClock#runUntilSettled": {
    rejects: notThenables(
      "clock.runUntilSettled($)",
      (_, p) => new VirtualClock().runUntilSettled(p),
    ),
  },
  "VirtualClock#reset": { none: "takes no arguments" },

  "new EventLoop": {
    throws: [
      ...options("new EventLoop($)", (_, o) => new EventLoop(o)),
      bad(
        "new EventLoop({ profile: $ })",
        (_, profile) => new EventLoop({ profile }),
        TypeError,
        "profile",
        "bun",
      ),
      bad(
        "new EventLoop({ profile: $ })",
        (_, profile) => new EventLoop({ profile }),
        TypeError,
        "profile.name",
        {},
        { shown: "undefined" },
      ),
      ...[1, "yes", null].map((trace) =>
        bad(
          "new EventLoop({ trace: $ })",
          (_, t) => new EventLoop({ trace: t }),
          TypeError,
          "trace",
          trace,
          { constraint: "a boolean or a Trace" },
        )
      ),
      ...numbers(
        "new EventLoop({ loopLimit: $ })",
        (_, loopLimit) => new EventLoop({ loopLimit }),
        "loopLimit",
        "count",
      ),
      ...numbers(
        "new EventLoop({ startMs: $ })",
        (_, startMs) => new EventLoop({ startMs }),
        "startMs",
        "finite",
      ),
    ],
  },
  "EventLoop#now": { none: "takes no arguments" },
  "EventLoop#setTimeout": { throws: loopTimer("setTimeout") },
  "EventLoop#setInterval": { throws: loopTimer("setInterval") },
  "EventLoop#clearTimeout": { none: "any handle, as the host's" },
  "EventLoop#clearInterval": { none: "any handle, as the host's" },
  "EventLoop#queueMicrotask": {
    throws: functions(
      "loop.queueMicrotask($)",
      (_, cb) => new EventLoop().queueMicrotask(cb),
      "callback",
    ),
  },
  "EventLoop#nextTick": {
    throws: [
      ...functions(
        "loop.nextTick($)",
        (_, cb) => new EventLoop({ profile: "node" }).nextTick(cb),
        "callback",
      ),
      lacking(
        "loop.nextTick(fn) on $",
        (_, profile) => new EventLoop({ profile }).nextTick(noop),
        "html",
        "nextTick",
      ),
    ],
  },
  "EventLoop#setImmediate": {
    throws: [
      ...functions(
        "loop.setImmediate($)",
        (_, cb) => new EventLoop({ profile: "node" }).setImmediate(cb),
        "callback",
      ),
      lacking(
        "loop.setImmediate(fn) on $",
        (_, profile) => new EventLoop({ profile }).setImmediate(noop),
        "html",
        "setImmediate",
      ),
    ],
  },
  "EventLoop#clearImmediate": {
    throws: [
      lacking(
        "loop.clearImmediate(handle) on $",
        (_, profile) => new EventLoop({ profile }).clearImmediate(1),
        "html",
        "setImmediate",
      ),
    ],
  },
  "EventLoop#requestAnimationFrame": {
    throws: [
      ...functions(
        "loop.requestAnimationFrame($)",
        (_, cb) => new EventLoop().requestAnimationFrame(cb),
        "callback",
      ),
      lacking(
        "loop.requestAnimationFrame(fn) on $",
        (_, profile) => new EventLoop({ profile }).requestAnimationFrame(noop),
        "node",
        "requestAnimationFrame",
      ),
    ],
  },
  "EventLoop#cancelAnimationFrame": {
    throws: [
      lacking(
        "loop.cancelAnimationFrame(id) on $",
        (_, profile) => new EventLoop({ profile }).cancelAnimationFrame(1),
        "node",
        "requestAnimationFrame",
      ),
    ],
  },
  "EventLoop#postTask": {
    rejects: ((): Case[] => {
      const post = (options: unknown, cb: unknown, profile = "html") => {
        const loop = new EventLoop({ profile: profile as "html" });
        return outcome(loop, loop.postTask(cb as () => void, options as never));
      };
      return [
        ...functions(
          "loop.postTask($)",
          (_, cb) => post(undefined, cb),
          "callback",
        ),
        ...options("loop.postTask(fn, $)", (_, o) => post(o, noop)),
        bad(
          "loop.postTask(fn, { priority: $ })",
          (_, priority) => post({ priority }, noop),
          TypeError,
          "priority",
          "high",
          {
            constraint: '"user-blocking", "user-visible" or "background"',
          },
        ),
        ...numbers(
          "loop.postTask(fn, { delay: $ })",
          (_, delay) => post({ delay }, noop),
          "delay",
          "duration",
        ),
        ...signals(
          "loop.postTask(fn, { signal: $ })",
          (_, signal) => post({ signal }, noop),
        ),
        bad(
          "loop.postTask(fn) on $",
          (_, profile) => post(undefined, noop, profile),
          TypeError,
          "profile",
          "node",
          { constraint: "a profile that provides postTask" },
        ),
      ];
    })(),
  },
  "EventLoop#label": {
    throws: [
      ...[5, undefined].map((text) =>
        bad(
          "loop.label($, fn)",
          (_, t) => new EventLoop().label(t, noop),
          TypeError,
          "text",
          text,
          { constraint: "a string" },
        )
      ),
      ...functions(
        "loop.label(text, $)",
        (_, fn) => new EventLoop().label("x", fn),
        "fn",
      ),
    ],
  },
  "EventLoop#future": {
    throws: functions(
      "loop.future($)",
      (_, init) => new EventLoop().future(init),
      "init",
      [null, "init"],
    ),
  },
  "EventLoop#completer": { none: "takes no arguments" },
  "EventLoop#promise": {
    throws: functions(
      "loop.promise($)",
      (_, init) => new EventLoop().promise(init),
      "init",
    ),
  },
  "EventLoop#resolved": { none: "any value" },
  "EventLoop#rejected": { none: "any reason" },
  "EventLoop#async": {
    throws: functions(
      "loop.async($)",
      (_, body) => new EventLoop().async(body),
      "body",
    ),
  },
  "EventLoop#runScript": {
    throws: [
      ...functions(
        "loop.runScript($)",
        (_, main) => new EventLoop().runScript(main),
        "main",
      ),
      ...[5, null].map((label) =>
        bad(
          "loop.runScript(fn, $)",
          (_, l) => new EventLoop().runScript(noop, l),
          TypeError,
          "label",
          label,
          { constraint: "a string" },
        )
      ),
    ],
  },
  "EventLoop#runMicrotasks": { none: "takes no arguments" },
  "EventLoop#step": { none: "takes no arguments" },
  "EventLoop#advance": {
    throws: numbers(
      "loop.advance($)",
      (_, ms) => new EventLoop().advance(ms),
      "ms",
      "duration",
    ),
  },
  "EventLoop#advanceTo": {
    throws: numbers(
      "loop.advanceTo($)",
      (_, t) => new EventLoop({ startMs: 5 }).advanceTo(t),
      "timeMs",
      "finite",
    ).concat(
      bad(
        "loop.advanceTo($) at 5 ms",
        (_, t) => new EventLoop({ startMs: 5 }).advanceTo(t),
        RangeError,
        "timeMs",
        4,
        { constraint: ">= the current time 5" },
      ),
    ),
  },
  "EventLoop#runAll": { none: "takes no arguments" },
  "EventLoop#nextFrame": {
    throws: [
      lacking(
        "loop.nextFrame() on $",
        (_, profile) => new EventLoop({ profile }).nextFrame(),
        "node",
        "requestAnimationFrame",
      ),
    ],
  },
  "EventLoop#stepAsync": { none: "takes no arguments" },
  "EventLoop#advanceAsync": {
    rejects: numbers(
      "loop.advanceAsync($)",
      (_, ms) => new EventLoop().advanceAsync(ms),
      "ms",
      "duration",
    ),
  },
  "EventLoop#advanceToAsync": {
    rejects: numbers(
      "loop.advanceToAsync($)",
      (_, t) => new EventLoop().advanceToAsync(t),
      "timeMs",
      "finite",
    ),
  },
  "EventLoop#runAllAsync": { none: "takes no arguments" },
  "EventLoop#runUntilSettled": {
    rejects: notThenables(
      "loop.runUntilSettled($)",
      (_, p) => new EventLoop().runUntilSettled(p),
    ),
  },
  "EventLoop#reset": { none: "takes no arguments" },

  "simulateAsync": {
    throws: [
      ...functions(
        "simulateAsync(host, $)",
        (_, body) => simulateAsync(host, body),
        "body",
      ),
      ...hosts(
        "simulateAsync($, body)",
        (_, v) => simulateAsync(v, function* () {}),
      ),
    ],
  },
  "new SimulatedPromise": {
    throws: [
      ...hosts("new SimulatedPromise($)", (_, v) => new SimulatedPromise(v)),
      ...functions(
        "new SimulatedPromise(host, $)",
        (_, init) => new SimulatedPromise(host, init),
        "init",
        [null, "init"],
      ),
    ],
  },
  "SimulatedPromise.resolve": {
    throws: hosts(
      "SimulatedPromise.resolve($, 1)",
      (_, v) => SimulatedPromise.resolve(v, 1),
    ),
  },
  "SimulatedPromise.reject": {
    throws: hosts(
      "SimulatedPromise.reject($, 1)",
      (_, v) => SimulatedPromise.reject(v, 1),
    ),
  },
  "SimulatedPromise#then": { none: "as Promise.prototype.then" },
  "SimulatedPromise#catch": { none: "as Promise.prototype.catch" },
  "SimulatedPromise#finally": { none: "as Promise.prototype.finally" },

  "new Trace": { none: "takes no arguments" },
  "Trace#record": {
    throws: [
      ...[undefined, 5].map((event) =>
        bad(
          "trace.record($)",
          (_, e) => new Trace().record(e),
          TypeError,
          "event",
          event,
          { constraint: "an object" },
        )
      ),
      bad(
        "trace.record({ lane: $ })",
        (_, lane) => new Trace().record({ ...EVENT, lane }),
        TypeError,
        "event.lane",
        "idle",
      ),
      ...numbers(
        "trace.record({ time: $ })",
        (_, time) => new Trace().record({ ...EVENT, time }),
        "event.time",
        "finite",
      ),
      bad(
        "trace.record({ label: $ })",
        (_, label) => new Trace().record({ ...EVENT, label }),
        TypeError,
        "event.label",
        5,
        { constraint: "a string" },
      ),
    ],
  },
  "Trace#get": {
    throws: [undefined, null, {}].map((ref) =>
      bad("trace.get($)", (_, r) => traced().get(r), TypeError, "ref", ref, {
        constraint: "an event id or label",
      })
    ),
  },
  "Trace#chain": {
    throws: refs("trace.chain($)", (_, r) => traced().chain(r), "ref"),
  },
  "Trace#explain": {
    throws: [
      ...refs("trace.explain($, 1)", (_, r) => traced().explain(r, 1), "a"),
      ...refs("trace.explain(1, $)", (_, r) => traced().explain(1, r), "b"),
    ],
  },
  "Trace#toText": { none: "takes no arguments" },
  "Trace#toMermaid": { none: "takes no arguments" },
  "Trace#toSvg": { none: "takes no arguments" },
  "Trace#clear": { none: "takes no arguments" },

  "new PriorityScheduler": {
    throws: [
      ...options(
        "new PriorityScheduler($)",
        (_, o) => new PriorityScheduler(o),
      ),
      ...clocks(
        "new PriorityScheduler({ clock: $ })",
        (_, clock) => new PriorityScheduler({ clock }),
      ),
      ...[null, {}, 5].map((executor) =>
        bad(
          "new PriorityScheduler({ executor: $ })",
          (ctx, e) => new PriorityScheduler({ executor: e, clock: ctx.clock }),
          TypeError,
          "executor",
          executor,
          { constraint: "an Executor" },
        )
      ),
      ...numbers(
        "new PriorityScheduler({ sliceMs: $ })",
        (ctx, sliceMs) => new PriorityScheduler({ sliceMs, clock: ctx.clock }),
        "sliceMs",
        "duration",
      ),
      ...numbers(
        "new PriorityScheduler({ sliceSteps: $ })",
        (ctx, sliceSteps) =>
          new PriorityScheduler({ sliceSteps, clock: ctx.clock }),
        "sliceSteps",
        "count|Infinity",
      ),
      ...numbers(
        "new PriorityScheduler({ agingMs: $ })",
        (ctx, agingMs) => new PriorityScheduler({ agingMs, clock: ctx.clock }),
        "agingMs",
        "positive",
      ),
    ],
  },
  "PriorityScheduler#post": {
    throws: ((): Case[] => {
      const post = (ctx: { clock: never }, task: unknown, o?: unknown) =>
        new PriorityScheduler({ clock: ctx.clock }).post(
          task as never,
          o as never,
        );
      return [
        ...functions(
          "scheduler.post($)",
          (ctx, task) => post(ctx as never, task),
          "task",
        ),
        ...options(
          "scheduler.post(fn, $)",
          (ctx, o) => post(ctx as never, noop, o),
        ),
        bad(
          "scheduler.post(fn, { priority: $ })",
          (ctx, priority) => post(ctx as never, noop, { priority }),
          RangeError,
          "priority",
          "urgent",
        ),
        bad(
          "scheduler.post(fn, { priority: $ })",
          (ctx, priority) => post(ctx as never, noop, { priority }),
          TypeError,
          "priority",
          1,
        ),
        ...signals(
          "scheduler.post(fn, { signal: $ })",
          (ctx, signal) => post(ctx as never, noop, { signal }),
        ),
        ...numbers(
          "scheduler.post(fn, { delayMs: $ })",
          (ctx, delayMs) =>
            post(ctx as never, noop, { delayMs, signal: ctx.signal }),
          "delayMs",
          "duration",
        ),
      ];
    })(),
  },
  // The handle and the context are one object (one record per task).
  "PriorityTaskHandle#cancel": { none: "any reason" },
  "PriorityTaskHandle#shouldYield": { none: "takes no arguments" },
  "PriorityTaskHandle#rejectCancelled": { none: INTERNAL },
  "PriorityTaskHandle#close": { none: INTERNAL },
  "PriorityTaskContext#shouldYield": { none: "takes no arguments" },
  "PriorityTaskContext#cancel": { none: "any reason" },
  "PriorityTaskContext#rejectCancelled": { none: INTERNAL },
  "PriorityTaskContext#close": { none: INTERNAL },
};
