import {
  DeadlockError,
  EventLoop,
  Future,
  InvalidStateError,
  LoopLimitError,
  type Profile,
  profiles,
  Trace,
} from "@pledge/core";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  assertDurationError,
  BAD_NUMBERS,
  catchReported,
  catchUnhandled,
  countedSignal,
  DURATIONS,
  durationTests,
  show,
} from "../_support.ts";
import { loopFixtures, ops, runOps } from "./_trace_programs.ts";

const FRAME = 1000 / 60;

/** The reason a simulated promise of `loop` rejected with (drives it). */
function reasonOf(loop: EventLoop, promise: PromiseLike<unknown>): unknown {
  let reason: unknown = "not rejected";
  promise.then(undefined, (e) => void (reason = e));
  loop.runMicrotasks();
  return reason;
}

function times(
  loop: EventLoop,
  schedule: (push: () => void) => void,
): number[] {
  const at: number[] = [];
  schedule(() => at.push(loop.now()));
  loop.runAll();
  return at;
}

// ---------------------------------------------------------------- validation

Deno.test("new EventLoop() rejects a bad loopLimit with a RangeError", () => {
  for (const v of BAD_NUMBERS) {
    assert.throws(
      () => new EventLoop({ loopLimit: v }),
      new RangeError(
        `Cannot create an EventLoop as 'loopLimit' must be an integer >= 1: current value is ${v}`,
      ),
    );
  }
});

Deno.test("new EventLoop() rejects a non-finite startMs and accepts any finite one", () => {
  for (const v of BAD_NUMBERS) {
    if (Number.isFinite(v)) {
      assert.equal(new EventLoop({ startMs: v }).now(), v);
      continue;
    }
    assert.throws(
      () => new EventLoop({ startMs: v }),
      new RangeError(
        `Cannot create an EventLoop as 'startMs' must be finite: current value is ${v}`,
      ),
    );
  }
});

Deno.test("new EventLoop() rejects bad options, profiles and traces with a TypeError", () => {
  assert.throws(
    () => new EventLoop(null as never),
    new TypeError(
      "Cannot create an EventLoop as 'options' must be an options object: current value is null",
    ),
  );
  assert.throws(
    () => new EventLoop({ profile: "bun" as never }),
    new TypeError(
      `Cannot create an EventLoop as 'profile' must be "html", "node", "deno" or a Profile: current value is "bun"`,
    ),
  );
  assert.throws(
    () => new EventLoop({ trace: "yes" as never }),
    new TypeError(
      `Cannot create an EventLoop as 'trace' must be a boolean or a Trace: current value is "yes"`,
    ),
  );
  assert.throws(
    () => new EventLoop(new AbortController().signal as never),
    new TypeError(
      "Cannot create an EventLoop as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
    ),
  );
});

durationTests("EventLoop.advance", (ms, expected) => {
  const loop = new EventLoop({ startMs: 10 });
  if (expected === "ok") assert.equal(loop.advance(ms), 10 + ms);
  else {assertDurationError(
      () => loop.advance(ms),
      "advance the loop",
      ms,
      expected,
    );}
  return Promise.resolve();
});

for (const [value, expected] of DURATIONS) {
  const outcome = expected === "ok"
    ? "is accepted"
    : `rejects with a ${expected.name}`;
  Deno.test(`EventLoop.advanceAsync(${show(value)}) ${outcome}`, () =>
    advanceAsyncCase(value as number, expected));
}

async function advanceAsyncCase(
  ms: number,
  expected: "ok" | typeof RangeError | typeof TypeError,
): Promise<void> {
  const loop = new EventLoop({ startMs: 10 });
  let armed = 0;
  loop.setTimeout(() => armed++, 0);
  let result: Promise<number> | undefined;
  // a promise-returning driver never throws: a bad `ms` rejects it
  assert.doesNotThrow(() => (result = loop.advanceAsync(ms)));
  if (expected === "ok") {
    assert.equal(await result, 10 + ms);
    assert.equal(armed, 1);
    return;
  }
  await assert.rejects(result!, (e) => {
    assertDurationError(
      () => {
        throw e;
      },
      "advance the loop",
      ms,
      expected,
    );
    return true;
  });
  assert.equal(armed, 0, "nothing ran");
}

Deno.test("EventLoop.advanceTo() rejects a time in the past", () => {
  const loop = new EventLoop({ startMs: 10 });
  assert.throws(
    () => loop.advanceTo(5),
    new RangeError(
      "Cannot advance the loop as 'timeMs' must be >= the current time 10: current value is 5",
    ),
  );
  assert.throws(() => loop.advanceTo(NaN), RangeError);
});

Deno.test("EventLoop's async drivers reject bad arguments instead of throwing", async () => {
  const loop = new EventLoop({ startMs: 10 });
  let toPast: Promise<number> | undefined;
  let notThenable: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    toPast = loop.advanceToAsync(5);
    notThenable = loop.runUntilSettled(5 as never);
  });
  await assert.rejects(
    toPast!,
    new RangeError(
      "Cannot advance the loop as 'timeMs' must be >= the current time 10: current value is 5",
    ),
  );
  await assert.rejects(loop.advanceToAsync("20" as never), TypeError);
  await assert.rejects(
    notThenable!,
    new TypeError(
      "Cannot run until settled as 'promise.then' must be a function: current value is undefined",
    ),
  );
  assert.equal(loop.now(), 10);
  // a drive refused from inside a callback rejects too
  let inner: Promise<unknown> | undefined;
  loop.setTimeout(() => (inner = loop.runAllAsync()), 1);
  loop.runAll();
  await assert.rejects(inner!, InvalidStateError);
});

Deno.test("EventLoop timers reject a non-function callback and a delay no host converts", () => {
  const loop = new EventLoop();
  assert.throws(
    () => loop.setTimeout("code" as never, 1),
    new TypeError(
      `Cannot set a timeout as 'callback' must be a function: current value is "code"`,
    ),
  );
  assert.throws(
    () => loop.setInterval(() => {}, 10n as never),
    new TypeError(
      `Cannot set an interval as 'ms' must be convertible to a number: current value is 10n`,
    ),
  );
  assert.throws(
    () => loop.setTimeout(() => {}, Symbol("ms") as never),
    (e: unknown) =>
      e instanceof TypeError &&
      /'ms' must be convertible to a number/.test(e.message),
  );
  assert.throws(() => loop.queueMicrotask(1 as never), TypeError);
  assert.equal(loop.queued, 0);
});

Deno.test("EventLoop throws a TypeError for an API its profile lacks", () => {
  const html = new EventLoop({ profile: "html" });
  const node = new EventLoop({ profile: "node" });
  const lacks = (api: string, profile: string) =>
    new TypeError(
      `Cannot call ${api} as 'profile' must be a profile that provides ${
        api === "clearImmediate"
          ? "setImmediate"
          : api === "cancelAnimationFrame" || api === "nextFrame"
          ? "requestAnimationFrame"
          : api
      }: current value is "${profile}"`,
    );
  assert.throws(
    () => html.setImmediate(() => {}),
    lacks("setImmediate", "html"),
  );
  assert.throws(() => html.clearImmediate(1), lacks("clearImmediate", "html"));
  assert.throws(() => html.nextTick(() => {}), lacks("nextTick", "html"));
  assert.throws(
    () => node.requestAnimationFrame(() => {}),
    lacks("requestAnimationFrame", "node"),
  );
  assert.throws(
    () => node.cancelAnimationFrame(1),
    lacks("cancelAnimationFrame", "node"),
  );
  assert.throws(() => node.nextFrame(), lacks("nextFrame", "node"));
  // postTask returns a promise: it rejects instead of throwing
  const posted = node.postTask(() => {});
  assert.equal(posted.state, "rejected");
  assert.deepEqual(reasonOf(node, posted), lacks("postTask", "node"));
});

Deno.test("EventLoop refuses to be driven from inside its own callback", () => {
  const loop = new EventLoop();
  let error: unknown;
  loop.setTimeout(() => {
    try {
      loop.runAll();
    } catch (e) {
      error = e;
    }
  }, 1);
  loop.runAll();
  assert.ok(error instanceof InvalidStateError);
  assert.match(
    (error as Error).message,
    /Cannot run all from inside a callback of the same loop/,
  );
});

// ---------------------------------------------------------- all profiles

for (const name of ["html", "node", "deno"] as const) {
  Deno.test(`EventLoop (${name}) runs sync code, then microtasks, then timers`, () => {
    const loop = new EventLoop({ profile: name });
    const out: string[] = [];
    loop.setTimeout(() => out.push("1"), 0);
    loop.resolved().then(() => out.push("2"));
    out.push("3");
    loop.runAll();
    assert.deepEqual(out, ["3", "2", "1"]);
  });

  Deno.test(`EventLoop (${name}) runs a checkpoint after each timer callback`, () => {
    const loop = new EventLoop({ profile: name });
    const out: string[] = [];
    for (const t of ["a", "b"]) {
      loop.setTimeout(() => {
        out.push(t);
        loop.queueMicrotask(() => out.push(`${t} micro`));
      }, 5);
    }
    loop.runAll();
    assert.deepEqual(out, ["a", "a micro", "b", "b micro"]);
  });

  Deno.test(`EventLoop (${name}) lets setInterval(0) and setTimeout(0) alternate`, () => {
    const loop = new EventLoop({ profile: name });
    const out: string[] = [];
    let n = 0;
    const h = loop.setInterval(() => {
      out.push(`i${++n}`);
      if (n === 3) loop.clearInterval(h);
    }, 0);
    loop.setTimeout(() => out.push("t"), 0);
    loop.runAll();
    assert.deepEqual(out, ["i1", "t", "i2", "i3"]);
  });

  Deno.test(`EventLoop (${name}) stops microtasks that starve timers with LoopLimitError`, () => {
    const loop = new EventLoop({ profile: name, loopLimit: 500 });
    let timer = false;
    loop.setTimeout(() => (timer = true), 0);
    const spin = () => loop.queueMicrotask(spin);
    spin();
    assert.throws(
      () => loop.runAll(),
      (e: unknown) =>
        e instanceof LoopLimitError && e.loopLimit === 500 &&
        /Cannot run all as more than 500 callbacks ran \(loopLimit\)/.test(
          e.message,
        ),
    );
    assert.equal(timer, false);
    loop.reset();
    assert.equal(loop.queued, 0);
  });
}

Deno.test("EventLoop.runAll() stops a runaway interval with LoopLimitError", () => {
  const loop = new EventLoop({ loopLimit: 100 });
  loop.setInterval(() => {}, 1);
  assert.throws(() => loop.runAll(), LoopLimitError);
  loop.reset();
});

Deno.test("EventLoop passes extra arguments to timers, immediates and nextTick", () => {
  const loop = new EventLoop({ profile: "node" });
  const seen: unknown[] = [];
  loop.setTimeout((a: number, b: string) => seen.push(a, b), 1, 1, "x");
  loop.setImmediate((a: number) => seen.push(a), 2);
  loop.nextTick((a: number) => seen.push(a), 3);
  loop.runAll();
  assert.deepEqual(seen, [3, 2, 1, "x"]);
});

Deno.test("EventLoop.clearTimeout() ignores stale handles of reused slots", () => {
  const loop = new EventLoop();
  const old = loop.setTimeout(() => {}, 1);
  loop.runAll();
  let ran = false;
  const fresh = loop.setTimeout(() => (ran = true), 1);
  assert.notEqual(old, fresh);
  loop.clearTimeout(old);
  loop.clearTimeout({});
  loop.clearTimeout(undefined);
  loop.clearTimeout(-1);
  loop.runAll();
  assert.equal(ran, true);
});

Deno.test("EventLoop cancels many timers and compacts without losing live ones", () => {
  const loop = new EventLoop();
  const ran: number[] = [];
  const handles = [];
  for (let i = 0; i < 5000; i++) {
    handles.push(loop.setTimeout(() => ran.push(i), i % 100));
  }
  for (let i = 0; i < 5000; i++) if (i % 5 !== 0) loop.clearTimeout(handles[i]);
  assert.equal(loop.pendingTimers, 1000);
  loop.runAll();
  assert.equal(ran.length, 1000);
  assert.ok(ran.every((i) => i % 5 === 0));
  assert.equal(loop.pendingTimers, 0);
});

Deno.test("EventLoop (node) keeps an interval armed when its callback crashes the drive", () => {
  const loop = new EventLoop({ profile: "node" });
  let runs = 0;
  const h = loop.setInterval(() => {
    if (++runs === 1) throw new Error("boom");
  }, 10);
  assert.throws(() => loop.runAll(), /boom/);
  assert.equal(loop.pendingTimers, 1);
  loop.advance(10);
  assert.equal(runs, 2);
  loop.clearInterval(h);
  assert.equal(loop.queued, 0);
});

Deno.test("EventLoop.reset() from inside an interval's callback stops it", () => {
  const loop = new EventLoop();
  let runs = 0;
  loop.setInterval(() => {
    runs++;
    loop.reset();
  }, 5);
  loop.setTimeout(() => runs += 10, 7);
  loop.runAll();
  assert.equal(runs, 1);
  assert.equal(loop.queued, 0);
});

Deno.test("EventLoop.advance() runs timers due at the target and stops there", () => {
  const loop = new EventLoop({ profile: "node" });
  const at = times(loop, () => {});
  assert.deepEqual(at, []);
  const seen: number[] = [];
  loop.setTimeout(() => seen.push(loop.now()), 10);
  loop.setTimeout(() => seen.push(loop.now()), 11);
  assert.equal(loop.advance(10), 10);
  assert.deepEqual(seen, [10]);
  assert.equal(loop.advanceTo(11), 11);
  assert.deepEqual(seen, [10, 11]);
});

Deno.test("EventLoop.step() runs one callback with its checkpoint", () => {
  const loop = new EventLoop({ profile: "node" });
  const out: string[] = [];
  loop.setTimeout(() => {
    out.push("t1");
    loop.queueMicrotask(() => out.push("m"));
  }, 1);
  loop.setImmediate(() => out.push("imm"));
  loop.setTimeout(() => out.push("t2"), 1);
  assert.equal(loop.step(), true);
  assert.deepEqual(out, ["imm"]);
  assert.equal(loop.step(), true);
  assert.deepEqual(out, ["imm", "t1", "m"]);
  assert.equal(loop.step(), true);
  assert.equal(loop.step(), false);
  assert.deepEqual(out, ["imm", "t1", "m", "t2"]);
});

// ------------------------------------------------------------------- html

Deno.test("EventLoop (html) clamps nested timeouts to 4 ms once nesting passes 5", () => {
  const loop = new EventLoop({ profile: "html" });
  const at = times(loop, (push) => {
    let n = 0;
    const chain = () => {
      push();
      if (++n < 10) loop.setTimeout(chain, 0);
    };
    loop.setTimeout(chain, 0);
  });
  assert.deepEqual(at, [0, 0, 0, 0, 0, 0, 4, 8, 12, 16]);
});

Deno.test("EventLoop (html) clamps an interval after its fifth run", () => {
  const loop = new EventLoop({ profile: "html" });
  const at = times(loop, (push) => {
    let n = 0;
    const h = loop.setInterval(() => {
      push();
      if (++n === 8) loop.clearInterval(h);
    }, 0);
  });
  assert.deepEqual(at, [0, 0, 0, 0, 0, 0, 4, 8]);
});

Deno.test("EventLoop (html) does not pass nesting through a microtask", () => {
  const loop = new EventLoop({ profile: "html" });
  const at = times(loop, (push) => {
    let n = 0;
    const chain = () => {
      push();
      if (++n < 10) loop.queueMicrotask(() => loop.setTimeout(chain, 0));
    };
    loop.setTimeout(chain, 0);
  });
  assert.deepEqual(at, new Array(10).fill(0));
});

Deno.test("EventLoop (html) converts delays as browsers do", () => {
  const loop = new EventLoop({ profile: "html" });
  const at = times(loop, (push) => {
    for (const ms of [-5, NaN, 1.9, 2 ** 31, 3]) loop.setTimeout(push, ms);
  });
  assert.deepEqual(at, [0, 0, 0, 1, 3]);
});

Deno.test("EventLoop (node) raises delays below 1 ms and overflows to 1 ms", () => {
  const loop = new EventLoop({ profile: "node" });
  const at = times(loop, (push) => {
    for (const ms of [0, 0.5, NaN, -3, 2 ** 31, 1.5, undefined]) {
      loop.setTimeout(push, ms);
    }
  });
  assert.deepEqual(at, [1, 1, 1, 1, 1, 1, 1.5]);
});

Deno.test("EventLoop (html) gives the callbacks of a frame one timestamp and a checkpoint each", () => {
  const loop = new EventLoop({ profile: "html" });
  const out: string[] = [];
  loop.requestAnimationFrame((t) => {
    out.push(`a ${t}`);
    loop.queueMicrotask(() => out.push("a micro"));
    loop.requestAnimationFrame((t2) => out.push(`c ${t2}`));
  });
  loop.requestAnimationFrame((t) => out.push(`b ${t}`));
  assert.equal(loop.nextFrame(), FRAME);
  assert.deepEqual(out, [`a ${FRAME}`, "a micro", `b ${FRAME}`]);
  assert.equal(loop.nextFrame(), 2 * FRAME);
  assert.deepEqual(out.at(-1), `c ${2 * FRAME}`);
});

Deno.test("EventLoop (html) skips a frame callback cancelled earlier in the same frame", () => {
  const loop = new EventLoop({ profile: "html" });
  const out: string[] = [];
  let second = 0;
  loop.requestAnimationFrame(() => {
    out.push("first");
    loop.cancelAnimationFrame(second);
  });
  second = loop.requestAnimationFrame(() => out.push("second"));
  loop.runAll();
  assert.deepEqual(out, ["first"]);
  assert.equal(loop.queued, 0);
});

Deno.test("EventLoop (html) runs a task due at a frame boundary before the frame", () => {
  const loop = new EventLoop({
    profile: { ...profiles.html, frameIntervalMs: 10 },
  });
  const out: string[] = [];
  loop.requestAnimationFrame(() => out.push(`frame ${loop.now()}`));
  loop.setTimeout(() => out.push(`timer ${loop.now()}`), 10);
  loop.setTimeout(() => out.push(`early ${loop.now()}`), 5);
  loop.setTimeout(() => out.push(`late ${loop.now()}`), 11);
  loop.runAll();
  assert.deepEqual(out, ["early 5", "timer 10", "frame 10", "late 11"]);
});

Deno.test("EventLoop.nextFrame() without frame callbacks moves to frame times", () => {
  const loop = new EventLoop();
  assert.equal(loop.nextFrame(), FRAME);
  loop.advance(5);
  assert.equal(loop.nextFrame(), 2 * FRAME);
});

// ------------------------------------------------------------- node, deno

Deno.test("EventLoop (node) runs immediates queued in the check phase in the next turn", () => {
  const loop = new EventLoop({ profile: "node" });
  const out: string[] = [];
  loop.setTimeout(() => {
    loop.setImmediate(() => {
      out.push("imm1");
      loop.setImmediate(() => out.push("imm3"));
      loop.setTimeout(() => out.push("timer"), 0);
    });
    loop.setImmediate(() => out.push("imm2"));
  }, 5);
  loop.runAll();
  // the timer is due at 6: the next turn's check phase comes first
  assert.deepEqual(out, ["imm1", "imm2", "imm3", "timer"]);
});

Deno.test("EventLoop (node) drains nextTick before promise jobs after each callback", () => {
  const loop = new EventLoop({ profile: "node" });
  const out: string[] = [];
  loop.setImmediate(() => {
    loop.resolved().then(() => {
      out.push("then");
      loop.nextTick(() => out.push("tick from then"));
    });
    loop.nextTick(() => {
      out.push("tick");
      loop.nextTick(() => out.push("tick from tick"));
      loop.resolved().then(() => out.push("then from tick"));
    });
  });
  loop.runAll();
  assert.deepEqual(out, [
    "tick",
    "tick from tick",
    "then",
    "then from tick",
    "tick from then",
  ]);
});

Deno.test("EventLoop entry esm runs top-level promise jobs before nextTick; cjs the reverse", () => {
  const run = (profile: Profile) => {
    const loop = new EventLoop({ profile });
    const out: string[] = [];
    loop.nextTick(() => out.push("tick"));
    loop.queueMicrotask(() => out.push("micro"));
    loop.runMicrotasks();
    return out;
  };
  assert.deepEqual(run(profiles.node), ["tick", "micro"]);
  assert.deepEqual(run({ ...profiles.node, entry: "esm" }), ["micro", "tick"]);
  assert.deepEqual(run(profiles.deno), ["micro", "tick"]);
});

Deno.test("EventLoop.clearImmediate() ignores handles that already ran", () => {
  const loop = new EventLoop({ profile: "node" });
  const h = loop.setImmediate(() => {});
  loop.runAll();
  loop.clearImmediate(h);
  loop.clearImmediate(undefined);
  assert.equal(loop.queued, 0);
});

// --------------------------------------------------------------- postTask

Deno.test("EventLoop.postTask() orders priorities, timers and yield continuations", () => {
  const loop = new EventLoop();
  const out: string[] = [];
  loop.setTimeout(() => out.push("timer"), 0);
  loop.postTask(() => out.push("visible"));
  loop.postTask(function* () {
    out.push("gen 1");
    yield;
    out.push("gen 2");
  }, { priority: "background" });
  loop.postTask(() => out.push("background"), { priority: "background" });
  loop.postTask(() => out.push("blocking"), { priority: "user-blocking" });
  loop.runAll();
  assert.deepEqual(out, [
    "blocking",
    "timer",
    "visible",
    "gen 1",
    "gen 2",
    "background",
  ]);
});

Deno.test("EventLoop.postTask() resolves with the result and rejects with the error", () => {
  const loop = new EventLoop();
  const ok = loop.postTask(function* () {
    yield;
    return 7;
  });
  const bad = loop.postTask(() => {
    throw new Error("task failed");
  });
  const seen: unknown[] = [];
  ok.then((v) => seen.push(v));
  bad.catch((e) => seen.push((e as Error).message));
  loop.runAll();
  // the generator's continuation runs before the next user-visible task
  assert.deepEqual(seen, [7, "task failed"]);
});

Deno.test("EventLoop.postTask() runs a delayed task when due", () => {
  const loop = new EventLoop();
  const out: string[] = [];
  loop.postTask(() => out.push(`late ${loop.now()}`), { delay: 20 });
  loop.postTask(() => out.push(`now ${loop.now()}`));
  loop.runAll();
  assert.deepEqual(out, ["now 0", "late 20"]);
});

Deno.test("EventLoop.postTask() rejects with signal.reason and removes its listener", () => {
  const loop = new EventLoop();
  const counted = countedSignal();
  const { controller, signal } = counted;
  let ran = false;
  let cleaned = false;
  const a = loop.postTask(() => (ran = true), { signal, delay: 5 });
  const b = loop.postTask(function* () {
    try {
      yield;
      ran = true;
    } finally {
      cleaned = true;
    }
  }, { signal });
  loop.step(); // b's first slice
  const reason = new Error("stop");
  controller.abort(reason);
  const seen: unknown[] = [];
  a.catch((e) => seen.push(e));
  b.catch((e) => seen.push(e));
  loop.runAll();
  assert.equal(ran, false);
  assert.equal(cleaned, true);
  assert.deepEqual(seen, [reason, reason]);
  assert.equal(counted.added, 2);
  assert.equal(counted.removed, 2);
  assert.equal(counted.native, 0);
  assert.equal(loop.queued, 0);
});

Deno.test("EventLoop.postTask() closes a generator aborted by its own slice, and reports a throwing finally", async () => {
  const loop = new EventLoop();
  const controller = new AbortController();
  const log: string[] = [];
  const self = loop.postTask(function* () {
    try {
      log.push("slice 1");
      controller.abort(new Error("from inside"));
      yield;
      log.push("never");
    } finally {
      log.push("finally");
    }
  }, { signal: controller.signal });
  const other = new AbortController();
  const failing = loop.postTask(function* () {
    try {
      yield;
    } finally {
      // deno-lint-ignore no-unsafe-finally
      throw new Error("finally threw");
    }
  }, { signal: other.signal });
  const seen: unknown[] = [];
  self.catch((e) => seen.push((e as Error).message));
  failing.catch((e) => seen.push((e as Error).message));
  const reported = await catchReported(() => {
    loop.step(); // the first slice of each: `self` aborts itself
    loop.step();
    other.abort(new Error("from outside"));
    loop.runAll();
  });
  assert.deepEqual(log, ["slice 1", "finally"]);
  assert.deepEqual(seen, ["from inside", "from outside"]);
  assert.deepEqual(reported.map((e) => (e as Error).message), [
    "finally threw",
  ]);
  assert.equal(loop.queued, 0);
});

Deno.test("EventLoop.postTask() with an aborted signal queues nothing and adds no listener", () => {
  const loop = new EventLoop();
  const reason = new Error("already");
  const counted = countedSignal();
  counted.controller.abort(reason);
  let seen: unknown;
  const p = loop.postTask(() => {}, { signal: counted.signal });
  assert.equal(loop.queued, 0);
  p.catch((e) => (seen = e));
  loop.runMicrotasks();
  assert.equal(seen, reason);
  assert.equal(counted.added, 0);
});

Deno.test("EventLoop.postTask() rejects bad options instead of throwing", () => {
  const loop = new EventLoop();
  assert.deepEqual(
    reasonOf(loop, loop.postTask(() => {}, { priority: "urgent" as never })),
    new TypeError(
      `Cannot post a task as 'priority' must be "user-blocking", "user-visible" or "background": current value is "urgent"`,
    ),
  );
  for (const v of BAD_NUMBERS) {
    const posted = loop.postTask(() => {}, { delay: v });
    if (v === 0 || v === 1.5) {
      loop.runAll();
      assert.equal(posted.state, "fulfilled");
      continue;
    }
    assert.deepEqual(
      reasonOf(loop, posted),
      new RangeError(
        `Cannot post a task as 'delay' must be a finite number >= 0: current value is ${v}`,
      ),
    );
  }
  assert.ok(
    reasonOf(loop, loop.postTask(() => {}, { signal: {} as never })) instanceof
      TypeError,
  );
  assert.deepEqual(
    reasonOf(loop, loop.postTask(5 as never)),
    new TypeError(
      "Cannot post a task as 'callback' must be a function: current value is 5",
    ),
  );
  assert.deepEqual(
    reasonOf(loop, loop.postTask(() => {}, AbortSignal.abort() as never)),
    new TypeError(
      "Cannot post a task as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
    ),
  );
  assert.equal(loop.queued, 0);
});

Deno.test("EventLoop.reset() drops posted tasks and their listeners", () => {
  const loop = new EventLoop();
  const counted = countedSignal();
  loop.postTask(() => {}, { signal: counted.signal });
  loop.postTask(() => {}, { signal: counted.signal, delay: 10 });
  loop.reset();
  assert.equal(counted.removed, 2);
  assert.equal(counted.live, 0);
  assert.equal(loop.queued, 0);
});

// ------------------------------------------------------- futures, clock

Deno.test("EventLoop.future() runs reactions and derived futures in the loop's checkpoints", () => {
  const loop = new EventLoop({ trace: true });
  const out: string[] = [];
  const c = loop.completer<number>();
  c.future.then((v) => v + 1).then((v) =>
    out.push(`then ${v} at ${loop.now()}`)
  );
  loop.setTimeout(() => {
    out.push("resolve");
    c.resolve(1);
  }, 10);
  loop.setTimeout(() => out.push("next timer"), 10);
  loop.runAll();
  assert.deepEqual(out, ["resolve", "then 2 at 10", "next timer"]);
  const reactions = loop.trace.events.filter((e) =>
    e.label.startsWith("future reaction #")
  );
  assert.equal(reactions.length, 2);
  assert.ok(reactions.every((e) => e.queue === "microtasks" && e.time === 10));
});

Deno.test("EventLoop.future() settles from init, and a throwing init rejects", () => {
  const loop = new EventLoop();
  const seen: unknown[] = [];
  loop.future<number>((resolve) => resolve(3)).then((v) => seen.push(v));
  loop.future(() => {
    throw new Error("init");
  }).catch((e) => seen.push((e as Error).message));
  loop.future((_, reject) => reject("no")).catch((e) => seen.push(e));
  loop.runMicrotasks();
  assert.deepEqual(seen, [3, "init", "no"]);
  assert.throws(() => loop.future(5 as never), TypeError);
});

Deno.test("EventLoop works as the clock of a pledge API", async () => {
  const loop = new EventLoop({ profile: "deno" });
  const waited = loop.completer<string>().future.wait({
    timeoutMs: 50,
    clock: loop,
  });
  loop.runAll();
  assert.equal(loop.now(), 50);
  await assert.rejects(
    waited,
    (e: unknown) => (e as DOMException).name === "TimeoutError",
  );
  assert.equal(loop.pendingTimers, 0);
});

// ------------------------------------------------------------------ trace

Deno.test("EventLoop records time, queue, enqueuedBy and rule for every event", () => {
  const trace = new Trace();
  const loop = new EventLoop({ profile: "node", trace });
  assert.equal(loop.trace, trace);
  loop.runScript(() => {
    loop.setTimeout(function timer() {
      loop.nextTick(() => {});
      loop.setImmediate(() => {});
    }, 0);
  }, "main");
  loop.runAll();
  const [script, timer, tick, immediate] = trace.events;
  assert.equal(trace.events.length, 4);
  assert.deepEqual(
    trace.events.map((
      e,
    ) => [e.id, e.time, e.lane, e.queue, e.label, e.enqueuedBy, e.enqueuedAt]),
    [
      [1, 0, "task", "script", "main", undefined, 0],
      [2, 1, "timer", "timers", "timer", 1, 0],
      [3, 1, "microtask", "nextTick", "nextTick #2", 2, 1],
      [4, 1, "task", "immediates", "setImmediate #3", 2, 1],
    ],
  );
  assert.match(timer!.rule, /node: a delay below 1 ms .* becomes 1 ms/);
  assert.match(tick!.rule, /whole nextTick queue runs before promise jobs/);
  assert.match(immediate!.rule, /check phase/);
  assert.match(script!.rule, /script runs as a task/);
});

Deno.test("EventLoop traces an interval re-armed by its own run", () => {
  const loop = new EventLoop({ trace: true });
  let n = 0;
  const h = loop.setInterval(() => {
    if (++n === 3) loop.clearInterval(h);
  }, 10);
  loop.runAll();
  const events = loop.trace.events;
  assert.deepEqual(events.map((e) => e.enqueuedBy), [undefined, 1, 2]);
  assert.deepEqual(events.map((e) => e.enqueuedAt), [0, 10, 20]);
  assert.match(events[0]!.label, /^setInterval\(10\) #\d+$/);
});

Deno.test("EventLoop traces the nesting clamp as the rule that placed the timer", () => {
  const loop = new EventLoop({ trace: true });
  let n = 0;
  const chain = () => {
    if (++n < 8) loop.setTimeout(chain, 0);
  };
  loop.setTimeout(chain, 0);
  loop.runAll();
  const rules = loop.trace.events.map((e) => e.rule.includes("nesting level"));
  assert.deepEqual(rules, [
    false,
    false,
    false,
    false,
    false,
    false,
    true,
    true,
  ]);
});

// ------------------------------------------------------------------ async

Deno.test("EventLoop.advanceAsync() lets native awaits run between virtual tasks", async () => {
  const loop = new EventLoop({ profile: "node" });
  const sleep = (ms: number) =>
    new Promise<void>((r) => loop.setTimeout(r, ms));
  const at: number[] = [];
  const done = (async () => {
    for (let i = 0; i < 3; i++) {
      await sleep(10);
      await Promise.resolve();
      at.push(loop.now());
    }
  })();
  assert.equal(await loop.advanceAsync(25), 25);
  assert.deepEqual(at, [10, 20]);
  assert.equal(await loop.advanceToAsync(30), 30);
  await done;
  assert.deepEqual(at, [10, 20, 30]);
});

Deno.test("EventLoop.runUntilSettled() throws a DeadlockError instead of hanging", async () => {
  const loop = new EventLoop();
  await assert.rejects(
    loop.runUntilSettled(new Promise(() => {})),
    /Cannot settle the promise as nothing can make progress/,
  );
  const failing = new Promise((_, reject) =>
    loop.setTimeout(() => reject(new Error("late")), 5)
  );
  await assert.rejects(loop.runUntilSettled(failing), /late/);
  assert.equal(loop.now(), 5);
});

Deno.test("EventLoop's drivers and futures leave no unhandled rejection", async () => {
  const seen = await catchUnhandled(async () => {
    const loop = new EventLoop();
    let reject!: (e: unknown) => void;
    const watched = new Promise((_, r) => (reject = r));
    await assert.rejects(loop.runUntilSettled(watched), DeadlockError);
    reject(new Error("after the drive gave up"));
    const failing = loop.future<never>((_, r) =>
      loop.setTimeout(() => r(new Error("x")), 5)
    );
    await assert.rejects(loop.runUntilSettled(failing), { message: "x" });
    const limited = new EventLoop({ loopLimit: 10 });
    const spin = () => limited.queueMicrotask(spin);
    spin();
    await assert.rejects(limited.runAllAsync(), LoopLimitError);
    limited.reset();
    // a posted task aborted (and never observed) settles only in the loop
    const controller = new AbortController();
    const posted = loop.postTask(() => {}, { signal: controller.signal });
    controller.abort(new Error("stop"));
    assert.equal(posted.state, "rejected");
    assert.equal(loop.queued, 0);
  });
  assert.deepEqual(seen, []);
});

Deno.test("EventLoop.runUntilSettled() reads then once and adopts what a thenable gives", async () => {
  const loop = new EventLoop();
  let reads = 0;
  const thenable = {
    get then() {
      reads++;
      return (resolve: (v: unknown) => void) =>
        resolve(new Promise((r) => loop.setTimeout(() => r(7), 10)));
    },
  };
  assert.equal(await loop.runUntilSettled(thenable as never), 7);
  assert.equal(reads, 1);
  assert.equal(loop.now(), 10);
  await assert.rejects(
    loop.runUntilSettled({
      then() {
        throw new Error("then threw");
      },
    }),
    { message: "then threw" },
  );
  await assert.rejects(
    loop.runUntilSettled({
      get then(): never {
        throw new Error("getter threw");
      },
    }),
    { message: "getter threw" },
  );
});

Deno.test("EventLoop refuses a second drive while an async drive runs", async () => {
  const loop = new EventLoop();
  loop.setTimeout(() => {}, 10);
  const drive = loop.runAllAsync();
  assert.throws(() => loop.runAll(), InvalidStateError);
  await assert.rejects(loop.stepAsync(), InvalidStateError);
  assert.equal(await drive, 10);
  assert.equal(await loop.stepAsync(), false);
});

Deno.test("EventLoop.runAllAsync() runs timers armed by host promise continuations", async () => {
  const loop = new EventLoop({ profile: "deno" });
  const at: number[] = [];
  Promise.resolve().then(() => loop.setTimeout(() => at.push(loop.now()), 7));
  const f = Future.resolve(1).then(() =>
    loop.setTimeout(() => at.push(loop.now()), 3)
  );
  await loop.runAllAsync();
  await f;
  assert.deepEqual(at, [3, 7]);
});

// --------------------------------------------------------------- properties

interface Spec {
  delay: number;
  children: Spec[];
}

const specs: fc.Arbitrary<Spec[]> = fc.letrec<{ spec: Spec; list: Spec[] }>(
  (tie) => ({
    spec: fc.record({
      delay: fc.oneof(
        fc.integer({ min: 0, max: 50 }),
        fc.constantFrom(0, 0.5, 1, 2.5),
      ),
      children: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constant([]),
        tie("list"),
      ),
    }) as fc.Arbitrary<Spec>,
    list: fc.array(tie("spec"), { maxLength: 5 }) as fc.Arbitrary<Spec[]>,
  }),
).list;

// The reference: pick the pending timer with the least (deadline, arming
// order) by a linear scan, as the spec and Node's docs state the rule.
function reference(top: Spec[], effective: (ms: number) => number): string[] {
  const pending: { deadline: number; seq: number; spec: Spec; name: string }[] =
    [];
  let seq = 0;
  let now = 0;
  const arm = (list: Spec[], prefix: string) =>
    list.forEach((spec, i) =>
      pending.push({
        deadline: now + effective(spec.delay),
        seq: seq++,
        spec,
        name: `${prefix}${i}`,
      })
    );
  arm(top, "");
  const out: string[] = [];
  while (pending.length > 0) {
    let best = 0;
    for (let i = 1; i < pending.length; i++) {
      const a = pending[i]!, b = pending[best]!;
      if (
        a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq)
      ) best = i;
    }
    const [t] = pending.splice(best, 1);
    now = Math.max(now, t!.deadline);
    out.push(`${t!.name}@${now}`);
    arm(t!.spec.children, `${t!.name}.`);
  }
  return out;
}

function simulateSpecs(loop: EventLoop, top: Spec[]): string[] {
  const out: string[] = [];
  const arm = (list: Spec[], prefix: string) =>
    list.forEach((spec, i) =>
      loop.setTimeout(() => {
        out.push(`${prefix}${i}@${loop.now()}`);
        arm(spec.children, `${prefix}${i}.`);
      }, spec.delay)
    );
  arm(top, "");
  loop.runAll();
  return out;
}

Deno.test("property: random timers run in (deadline, arming) order", () => {
  fc.assert(
    fc.property(specs, (top) => {
      // (the nesting clamp has its own tests: leave it out of the order)
      const html = new EventLoop({
        profile: { ...profiles.html, nestingClamp: null },
      });
      assert.deepEqual(
        simulateSpecs(html, top),
        reference(top, (ms) => Math.trunc(ms)),
      );
      const node = new EventLoop({ profile: "node" });
      assert.deepEqual(
        simulateSpecs(node, top),
        reference(top, (ms) => (ms < 1 ? 1 : ms)),
      );
      assert.equal(html.queued + node.queued, 0);
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: cancelled timers never run", () => {
  const plan = fc.array(
    fc.record({
      delay: fc.integer({ min: 0, max: 30 }),
      cancelAtStart: fc.boolean(),
      victim: fc.nat(),
    }),
    { minLength: 1, maxLength: 40 },
  );
  fc.assert(
    fc.property(
      plan,
      fc.constantFrom("html", "node", "deno"),
      (timers, profile) => {
        const loop = new EventLoop({ profile: profile as "html" });
        const ran = new Set<number>();
        const cancelled = new Set<number>();
        const handles: unknown[] = [];
        timers.forEach((t, i) => {
          handles.push(loop.setTimeout(() => {
            assert.ok(
              !cancelled.has(i),
              `timer ${i} ran after being cancelled`,
            );
            ran.add(i);
            const victim = t.victim % timers.length;
            if (!ran.has(victim)) cancelled.add(victim);
            loop.clearTimeout(handles[victim]);
          }, t.delay));
        });
        timers.forEach((t, i) => {
          if (t.cancelAtStart) {
            cancelled.add(i);
            loop.clearTimeout(handles[i]);
          }
        });
        loop.runAll();
        for (const i of cancelled) assert.ok(!ran.has(i));
        assert.equal(ran.size + cancelled.size, timers.length);
        assert.equal(loop.pendingTimers, 0);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("property: a random program runs to the end with nothing queued", () => {
  for (const profile of ["html", "node"] as const) {
    fc.assert(
      fc.property(ops(profile), (program) => {
        const loop = runOps(profile, program);
        assert.equal(loop.queued, 0);
        assert.equal(loop.pendingTimers, 0);
      }),
      { numRuns: 150 },
    );
  }
});

Deno.test("EventLoop records the recorded trace of each fixture program", () => {
  const fixtures = loopFixtures();
  assert.deepEqual(
    fixtures.map((f) => f.profile),
    [...Array(8).fill("html"), ...Array(8).fill("node")],
  );
  for (const fixture of fixtures) {
    const loop = runOps(fixture.profile, fixture.program);
    assert.equal(loop.trace.toText(), fixture.text);
    assert.deepEqual(
      loop.trace.events.map((e) => [e.time, e.enqueuedAt]),
      fixture.times,
    );
    assert.equal(loop.queued, 0);
  }
});

// ---- time spent in callbacks ----------------------------------------------

durationTests("EventLoop.spend", (value, expected) => {
  const loop = new EventLoop();
  if (expected === "ok") {
    loop.spend(value);
    assert.equal(loop.now(), value);
  } else {assertDurationError(
      () => loop.spend(value),
      "spend time",
      value,
      expected,
    );}
  return Promise.resolve();
});

Deno.test("EventLoop.spend() makes a timer due meanwhile run late, and the trace says why", () => {
  for (const profile of ["html", "node", "deno"] as const) {
    const loop = new EventLoop({ profile, trace: true });
    const out: string[] = [];
    loop.runScript(() => {
      loop.setTimeout(
        loop.label("t10", () => out.push(`t10 at ${loop.now()}`)),
        10,
      );
      loop.resolved().then(
        loop.label("then", () => out.push(`then at ${loop.now()}`)),
      );
      loop.spend(50);
      loop.setTimeout(
        loop.label("t5", () => out.push(`t5 at ${loop.now()}`)),
        5,
      );
    }, "busy script");
    loop.runAll();
    assert.deepEqual(out, ["then at 50", "t10 at 50", "t5 at 55"], profile);
    const t = loop.trace;
    assert.equal(t.get("busy script")!.spentMs, 50);
    assert.equal(t.get("t10")!.spentMs, undefined);
    assert.match(
      t.get("t10")!.rule,
      /due at 10ms, it ran at 50ms: the loop was busy/,
    );
    assert.doesNotMatch(t.get("t5")!.rule, /busy/);
    assert.match(t.toText(), /0ms \(busy 50ms\)/);
    assert.match(t.explain("t10", "busy script"), /queued by #1/);
  }
});

Deno.test("EventLoop.spend() at top level moves time without running anything", () => {
  const loop = new EventLoop({ profile: "node" });
  let ran = 0;
  loop.setTimeout(() => ran++, 10);
  loop.spend(20);
  assert.equal(ran, 0);
  assert.equal(loop.now(), 20);
  loop.runAll();
  assert.equal(ran, 1);
  assert.equal(loop.now(), 20);
});

Deno.test("EventLoop (node) runs only the timers due when its timers phase started", () => {
  const loop = new EventLoop({ profile: "node", trace: true });
  const out: string[] = [];
  loop.setTimeout(() => {
    out.push("busy");
    loop.setImmediate(() => out.push("immediate"));
    loop.spend(30);
  }, 5);
  loop.setTimeout(
    loop.label("due meanwhile", () => out.push("due meanwhile")),
    10,
  );
  loop.runAll();
  assert.deepEqual(out, ["busy", "immediate", "due meanwhile"]);
  assert.match(
    loop.trace.explain("due meanwhile", 1),
    /kept the loop busy for 30ms/,
  );
});

// ---- delays and handles ---------------------------------------------------

Deno.test("EventLoop converts delays as the hosts do: html as a WebIDL long, node and deno to 1 ms", () => {
  const delays: [unknown, number, number][] = [
    ["10", 10, 10],
    ["x", 0, 1],
    [undefined, 0, 1],
    [null, 0, 1],
    [NaN, 0, 1],
    [-5, 0, 1],
    [Infinity, 0, 1],
    [40.7, 40, 40.7],
    [2 ** 32 + 5, 5, 1],
    [2 ** 31, 0, 1],
    [{ valueOf: () => 7 }, 7, 7],
    [true, 1, 1],
  ];
  for (const [ms, html, node] of delays) {
    for (
      const [profile, want] of [["html", html], ["node", node], [
        "deno",
        node,
      ]] as const
    ) {
      const loop = new EventLoop({ profile });
      let at = -1;
      loop.setTimeout(() => (at = loop.now()), ms as number);
      loop.runAll();
      assert.equal(at, want, `${profile} ${show(ms)}`);
    }
  }
});

Deno.test("EventLoop timer handles are numbers from 1, never reused while live", () => {
  const loop = new EventLoop();
  const a = loop.setTimeout(() => {}, 1);
  assert.equal(a, 1);
  assert.ok(a);
  const b = loop.setInterval(() => {}, 1);
  assert.equal(b, 2);
  loop.clearTimeout(0);
  loop.clearTimeout(-1);
  loop.clearTimeout(1.5);
  assert.equal(loop.pendingTimers, 2);
  loop.clearTimeout(a);
  loop.clearInterval(b);
  loop.runAll();
  const c = loop.setTimeout(() => {}, 1);
  assert.notEqual(c, a);
  assert.notEqual(c, b);
  loop.clearTimeout(a); // a stale handle does not cancel c
  assert.equal(loop.pendingTimers, 1);
  loop.runAll();
});

// ---- MessageChannel -------------------------------------------------------

Deno.test("EventLoop.messageChannel() (html): one task per message, a checkpoint after each listener", () => {
  const loop = new EventLoop({ trace: true });
  const out: string[] = [];
  const { port1, port2 } = loop.messageChannel();
  const first = (e: { data: unknown }) => {
    out.push(`first ${e.data}`);
    loop.queueMicrotask(() => out.push("microtask of first"));
  };
  port1.addEventListener("message", first);
  port1.onmessage = (e) => out.push(`onmessage ${e.data}`);
  port2.postMessage("a");
  port2.postMessage("b");
  loop.setTimeout(loop.label("timeout", () => out.push("timeout")), 0);
  assert.equal(loop.queued, 3);
  loop.runAll();
  assert.deepEqual(out, [
    "first a",
    "microtask of first",
    "onmessage a",
    "timeout",
    "first b",
    "microtask of first",
    "onmessage b",
  ]);
  const messages = loop.trace.events.filter((e) => e.queue === "messages");
  assert.equal(messages.length, 2);
  assert.match(messages[0]!.rule, /its own task of the messages source/);
  assert.match(
    loop.trace.explain(messages[1]!.id, "timeout"),
    /share one priority in Chromium and run in the order their tasks were queued/,
  );
});

Deno.test("EventLoop.messageChannel() ports: structured clones, start, close, listeners", () => {
  const loop = new EventLoop({ profile: "deno" });
  const { port1, port2 } = loop.messageChannel();
  const sent = { n: 1 };
  const got: unknown[] = [];
  const listener = (e: { data: unknown }) => got.push(e.data);
  port1.addEventListener("message", listener);
  port1.addEventListener("error", listener); // other types are ignored
  port2.postMessage(sent);
  loop.runAll();
  assert.equal(got.length, 0, "not started: addEventListener does not start");
  assert.equal(loop.queued, 1);
  port1.start();
  loop.runAll();
  assert.deepEqual(got.slice(), [{ n: 1 }]);
  assert.notEqual(got[0], sent);
  port1.removeEventListener("message", listener);
  port1.onmessage = (e) => got.push(`onmessage ${e.data}`);
  port2.postMessage("x");
  loop.runAll();
  assert.deepEqual(got.slice(1), ["onmessage x"]);
  assert.throws(() => port2.postMessage(() => {}), DOMException);
  port2.close();
  port2.postMessage("dropped");
  port1.postMessage("dropped too");
  loop.runAll();
  assert.equal(got.length, 2);
  assert.equal(loop.queued, 0);
  port1.onmessage = null;
  assert.equal(port1.onmessage, null);
});

Deno.test("EventLoop.messageChannel() (node): the poll phase, port by port in creation order", () => {
  const loop = new EventLoop({ profile: "node" });
  const out: string[] = [];
  const a = loop.messageChannel();
  const b = loop.messageChannel();
  a.port1.onmessage = (e) => out.push(`a ${e.data}`);
  b.port1.onmessage = (e) => {
    out.push(`b ${e.data}`);
    loop.nextTick(() => out.push("tick"));
  };
  loop.setTimeout(() => {
    b.port2.postMessage(1);
    a.port2.postMessage(2);
    a.port2.postMessage(3);
    loop.setImmediate(() => out.push("immediate"));
  }, 1);
  loop.runAll();
  assert.deepEqual(out, ["a 2", "a 3", "b 1", "tick", "immediate"]);
});

Deno.test("EventLoop.reset() drops queued messages", () => {
  const loop = new EventLoop({ profile: "node" });
  const { port1, port2 } = loop.messageChannel();
  let got = 0;
  port1.onmessage = () => got++;
  port2.postMessage(1);
  assert.equal(loop.queued, 1);
  loop.reset();
  assert.equal(loop.queued, 0);
  loop.runAll();
  assert.equal(got, 0);
});

// ---- scheduler.yield and postTask ordering --------------------------------

Deno.test("EventLoop.yield() continues at the priority of the running postTask task", () => {
  const loop = new EventLoop({ trace: true });
  const out: string[] = [];
  loop.postTask(
    loop.async(function* () {
      out.push("background 1");
      yield loop.yield();
      out.push("background 2");
    }),
    { priority: "background" },
  );
  loop.postTask(() => {
    out.push("visible");
    loop.postTask(
      loop.label(
        "background posted later",
        () => out.push("background posted later"),
      ),
      { priority: "background" },
    );
  });
  loop.runAll();
  assert.deepEqual(out, [
    "visible",
    "background 1",
    "background 2",
    "background posted later",
  ]);
  const cont = loop.trace.events.find((e) => e.queue === "yield:background")!;
  assert.equal(cont.label, "scheduler.yield() continuation");
  assert.match(
    loop.trace.explain(cont.id, "background posted later"),
    /scheduler.yield\(\) continuation: it runs before every task of its priority/,
  );
});

Deno.test("EventLoop.yield() rejects without postTask (node, deno)", () => {
  for (const profile of ["node", "deno"] as const) {
    const loop = new EventLoop({ profile });
    const reason = reasonOf(loop, loop.yield());
    assert.ok(reason instanceof TypeError);
    assert.match(
      (reason as Error).message,
      /Cannot call yield as 'profile' must be a profile that provides postTask/,
    );
  }
});

Deno.test("EventLoop (html) runs user-visible tasks and 0 ms timers in posting order", () => {
  const loop = new EventLoop();
  const out: string[] = [];
  loop.postTask(() => out.push("visible 1"));
  loop.setTimeout(() => out.push("timer 1"), 0);
  loop.postTask(() => out.push("visible 2"));
  loop.setTimeout(() => out.push("timer 2"), 0);
  loop.postTask(() => out.push("blocking"), { priority: "user-blocking" });
  loop.runAll();
  assert.deepEqual(out, [
    "blocking",
    "visible 1",
    "timer 1",
    "visible 2",
    "timer 2",
  ]);
});

// ---- AbortSignal.timeout --------------------------------------------------

durationTests("EventLoop.abortSignalTimeout", (value, expected) => {
  const loop = new EventLoop();
  if (expected === "ok") {
    const signal = loop.abortSignalTimeout(value);
    loop.runAll();
    assert.equal(signal.aborted, true);
  } else {
    assertDurationError(
      () => loop.abortSignalTimeout(value),
      "create a timeout signal",
      value,
      expected,
    );
    assert.equal(loop.queued, 0);
  }
  return Promise.resolve();
});

Deno.test("EventLoop.abortSignalTimeout() aborts with each runtime's TimeoutError", () => {
  const messages = {
    html: "signal timed out",
    node: "The operation was aborted due to timeout",
    deno: "Signal timed out.",
  };
  for (const [profile, message] of Object.entries(messages)) {
    const loop = new EventLoop({ profile: profile as "html", trace: true });
    const signal = loop.abortSignalTimeout(10);
    loop.setTimeout(() => {}, 20); // keeps node's loop running
    loop.runAll();
    const reason = signal.reason as DOMException;
    assert.equal(reason.name, "TimeoutError");
    assert.equal(reason.message, message);
    const e = loop.trace.events[0]!;
    assert.equal(e.label, "AbortSignal.timeout(10) #1");
    assert.equal(e.queue, profile === "html" ? "abort-timeouts" : "timers");
  }
});

Deno.test("EventLoop (node) does not let an AbortSignal.timeout timer keep the loop running", () => {
  const loop = new EventLoop({ profile: "node" });
  const signal = loop.abortSignalTimeout(100);
  assert.equal(loop.runAll(), 0);
  assert.equal(signal.aborted, false);
  assert.equal(loop.pendingTimers, 1);
  loop.setTimeout(() => {}, 200);
  loop.runAll();
  assert.equal(signal.aborted, true);
  assert.equal(loop.pendingTimers, 0);
  const deno = new EventLoop({ profile: "deno" });
  const kept = deno.abortSignalTimeout(100);
  assert.equal(deno.runAll(), 100);
  assert.equal(kept.aborted, true);
});

// ---- uncaught errors ------------------------------------------------------

Deno.test("EventLoop (html) reports a throwing callback to the host and goes on", async () => {
  const loop = new EventLoop({ trace: true });
  const out: string[] = [];
  const reported = await catchReported(() => {
    loop.setTimeout(() => {
      loop.queueMicrotask(() => out.push("its microtask"));
      throw new Error("boom");
    }, 0);
    loop.setTimeout(() => out.push("next timer"), 0);
    loop.runAll();
  });
  assert.deepEqual(out, ["its microtask", "next timer"]);
  assert.deepEqual(reported.map((e) => (e as Error).message), ["boom"]);
  const report = loop.trace.get("Uncaught Error: boom")!;
  assert.equal(report.queue, "uncaught");
  assert.equal(report.enqueuedBy, 1);
  assert.match(report.rule, /html: a callback threw: it is reported/);
});

Deno.test("EventLoop (html) reports a throwing script and still runs its checkpoint", async () => {
  const loop = new EventLoop();
  const out: string[] = [];
  using _ = loop.onError((e) => {
    out.push(`error ${(e.error as Error).message} in #${e.eventId}`);
    e.preventDefault();
  });
  const reported = await catchReported(() => {
    loop.runScript(() => {
      loop.queueMicrotask(() => out.push("microtask"));
      throw new Error("script");
    });
  });
  assert.deepEqual(reported, []);
  assert.deepEqual(out, ["error script in #undefined", "microtask"]);
});

Deno.test("EventLoop (node) crashes at a throwing callback: the drive throws, nothing else runs", () => {
  const loop = new EventLoop({ profile: "node", trace: true });
  const out: string[] = [];
  loop.setTimeout(() => {
    loop.queueMicrotask(() => out.push("never: microtask"));
    throw new Error("boom");
  }, 1);
  loop.setTimeout(() => out.push("never: timer"), 1);
  assert.throws(() => loop.runAll(), { message: "boom" });
  assert.deepEqual(out, []);
  assert.equal(loop.queued, 2, "what was queued stays queued");
  const crash = loop.trace.get("Uncaught Error: boom")!;
  assert.match(
    crash.rule,
    /no process.on\("uncaughtException"\) listener: the process crashes/,
  );
  assert.equal(loop.currentEvent, undefined);
  loop.reset();
});

Deno.test("EventLoop (node) goes on after a throwing callback when a listener handles it", () => {
  const loop = new EventLoop({ profile: "node" });
  const seen: unknown[] = [];
  const listening = loop.onError((e) => seen.push((e.error as Error).message));
  loop.setTimeout(() => {
    throw new Error("boom");
  }, 1);
  loop.setTimeout(() => seen.push("next"), 1);
  loop.runAll();
  assert.deepEqual(seen, ["boom", "next"]);
  listening[Symbol.dispose]();
  loop.setTimeout(() => {
    throw new Error("again");
  }, 1);
  assert.throws(() => loop.runAll(), { message: "again" });
});

Deno.test("EventLoop (deno) crashes unless an error listener calls preventDefault()", () => {
  const loop = new EventLoop({ profile: "deno" });
  let prevent = false;
  using _ = loop.onError((e) => {
    if (prevent) e.preventDefault();
  });
  loop.setTimeout(() => {
    throw new Error("not prevented");
  }, 1);
  assert.throws(() => loop.runAll(), { message: "not prevented" });
  prevent = true;
  loop.setTimeout(() => {
    throw new Error("prevented");
  }, 1);
  loop.runAll();
  assert.equal(loop.queued, 0);
});

Deno.test("EventLoop reports a throwing error listener to the host, not to itself", async () => {
  const loop = new EventLoop({ profile: "node" });
  using _ = loop.onError(() => {
    throw new Error("listener");
  });
  loop.setTimeout(() => {
    throw new Error("callback");
  }, 1);
  const reported = await catchReported(() => void loop.runAll());
  assert.deepEqual(reported.map((e) => (e as Error).message), ["listener"]);
});

Deno.test("EventLoop.onError() and onUnhandledRejection() refuse a non-function", () => {
  const loop = new EventLoop();
  assert.throws(
    () => loop.onError(5 as never),
    new TypeError(
      "Cannot listen for errors as 'listener' must be a function: current value is 5",
    ),
  );
  assert.throws(
    () => loop.onUnhandledRejection(null as never),
    new TypeError(
      "Cannot listen for unhandled rejections as 'listener' must be a function: current value is null",
    ),
  );
});

// ---- unhandled rejections -------------------------------------------------

Deno.test("EventLoop (html) fires unhandledrejection in a task after those already posted", async () => {
  const loop = new EventLoop({ trace: true });
  const out: string[] = [];
  loop.setTimeout(() => out.push("timer"), 0);
  const lost = loop.rejected(new Error("lost"));
  const late = loop.rejected("late");
  loop.resolved().then(() => late.catch(() => out.push("caught late in time")));
  loop.postTask(loop.label("task", () => out.push("task")));
  const reported = await catchReported(() => void loop.runAll());
  assert.deepEqual(out, ["caught late in time", "timer", "task"]);
  assert.deepEqual(reported, [lost.state === "rejected" ? reported[0] : 0]);
  assert.equal((reported[0] as Error).message, "lost");
  const event = loop.trace.get("unhandledrejection")!;
  assert.equal(event.queue, "events");
  assert.ok(loop.trace.get("Uncaught (in promise) Error: lost"));
  assert.equal(loop.trace.get("Uncaught (in promise) late"), undefined);
  assert.match(
    loop.trace.explain("task", "unhandledrejection"),
    /share one priority/,
  );
});

Deno.test("EventLoop (html) onUnhandledRejection() sees the promise; preventDefault() silences it", async () => {
  const loop = new EventLoop();
  const seen: unknown[] = [];
  using _ = loop.onUnhandledRejection((e) => {
    seen.push(e.type, e.error, e.promise === p);
    e.preventDefault();
  });
  const p = loop.rejected("r");
  const reported = await catchReported(() => void loop.runAll());
  assert.deepEqual(reported, []);
  assert.deepEqual(seen, ["unhandledrejection", "r", true]);
});

Deno.test("EventLoop (node) crashes at an unhandled rejection after the checkpoint", () => {
  const loop = new EventLoop({ profile: "node", trace: true });
  const out: string[] = [];
  loop.setTimeout(() => {
    loop.rejected("r1");
    loop.nextTick(() => out.push("tick"));
    loop.resolved().then(() => out.push("then"));
  }, 1);
  loop.setTimeout(() => out.push("never"), 2);
  assert.throws(() => loop.runAll(), (e) => e === "r1");
  assert.deepEqual(out, ["tick", "then"]);
  const crash = loop.trace.get("Uncaught (in promise) r1")!;
  assert.match(
    crash.rule,
    /no process.on\("unhandledRejection"\) listener, nor an uncaughtException one to raise it to: the process crashes/,
  );
  assert.equal(crash.enqueuedBy, 1);
  assert.match(loop.trace.explain("then", crash.id), /microtask/);
  loop.reset();
});

Deno.test("EventLoop (node) raises an unhandled rejection no listener takes to the uncaughtException listeners, as Node's default does", () => {
  const loop = new EventLoop({ profile: "node", trace: true });
  const out: string[] = [];
  using _ = loop.onError((e) => {
    out.push(`uncaught ${e.error} from ${e.promise ? "a promise" : "a call"}`);
    loop.resolved().then(() => out.push("listener's microtask"));
  });
  loop.setTimeout(() => void loop.rejected("r1"), 1);
  loop.setTimeout(() => out.push("alive"), 2);
  loop.runAll();
  assert.deepEqual(out, [
    "uncaught r1 from a promise",
    "listener's microtask",
    "alive",
  ]);
  const raised = loop.trace.get("uncaughtException")!;
  assert.equal(raised.enqueuedBy, loop.trace.get("setTimeout(1) #1")!.id);
  assert.match(raised.rule, /raised as an uncaught exception/);
  // An unhandledRejection listener takes it first, as in Node.
  const taken = new EventLoop({ profile: "node" });
  const seen: string[] = [];
  using _e = taken.onError(() => seen.push("uncaughtException"));
  using _r = taken.onUnhandledRejection(() => seen.push("unhandledRejection"));
  taken.setTimeout(() => void taken.rejected("r2"), 1);
  taken.runAll();
  assert.deepEqual(seen, ["unhandledRejection"]);
});

Deno.test("EventLoop (deno) announces an unhandled rejection as an event, after nextTick and microtasks", () => {
  const loop = new EventLoop({ profile: "deno", trace: true });
  const out: string[] = [];
  using _ = loop.onUnhandledRejection((e) => {
    e.preventDefault();
    out.push(`unhandled ${e.error}`);
    loop.nextTick(() => out.push("tick after"));
  });
  loop.setTimeout(() => {
    loop.rejected("r");
    loop.nextTick(loop.label("tick", () => out.push("tick")));
  }, 1);
  loop.runAll();
  assert.deepEqual(out, ["tick", "unhandled r", "tick after"]);
  const event = loop.trace.get("unhandledrejection")!;
  assert.match(event.rule, /deno: after the microtask checkpoint/);
  assert.match(
    loop.trace.explain("tick", event.id),
    /announced only once the microtask checkpoint/,
  );
});

Deno.test("EventLoop (deno) crashes when the unhandledrejection listener does not prevent it", () => {
  const loop = new EventLoop({ profile: "deno" });
  const seen: unknown[] = [];
  using _ = loop.onUnhandledRejection((e) => seen.push(e.error));
  loop.setTimeout(() => void loop.rejected("r"), 1);
  assert.throws(() => loop.runAll(), (e) => e === "r");
  assert.deepEqual(seen, ["r"]);
});

// ---- introspection --------------------------------------------------------

Deno.test("EventLoop.currentEvent is the running trace event, undefined at top level", () => {
  const loop = new EventLoop({ trace: true });
  const seen: (number | undefined)[] = [loop.currentEvent];
  loop.runScript(() => {
    seen.push(loop.currentEvent);
    loop.setTimeout(() => {
      seen.push(loop.currentEvent);
      loop.queueMicrotask(() => seen.push(loop.currentEvent));
    }, 0);
  });
  loop.runAll();
  seen.push(loop.currentEvent);
  assert.deepEqual(seen, [undefined, 1, 2, 3, undefined]);
  const untraced = new EventLoop();
  untraced.setTimeout(() => seen.push(untraced.currentEvent), 0);
  untraced.runAll();
  assert.equal(seen.at(-1), undefined);
});

Deno.test("EventLoop.snapshot() lists every queue in run order with what queued it", () => {
  const loop = new EventLoop({ profile: "html", trace: true });
  loop.runScript(() => {
    loop.setTimeout(loop.label("t30", () => {}), 30);
    loop.setTimeout(loop.label("t0", () => {}), 0);
    loop.postTask(loop.label("delayed", () => {}), { delay: 5 });
    loop.postTask(loop.label("visible", () => {}));
    loop.requestAnimationFrame(loop.label("frame", () => {}));
    loop.abortSignalTimeout(40);
    loop.messageChannel().port1.postMessage("hi");
    const cancelled = loop.setTimeout(() => {}, 1);
    loop.clearTimeout(cancelled);
  });
  loop.queueMicrotask(loop.label("m", () => {}));
  const shot = loop.snapshot();
  assert.deepEqual(
    shot.map((c) => `${c.queue}: ${c.label} @${c.dueAt}`),
    [
      "microtasks: m @undefined",
      "timers: t0 @0",
      "timers: t30 @30",
      "animation-frames: frame @undefined",
      "postTask:user-visible: visible @undefined",
      "postTask:user-visible: delayed @5",
      "messages: message to port 2 @undefined",
      "abort-timeouts: AbortSignal.timeout(40) #6 @40",
    ],
  );
  assert.deepEqual(
    shot.map((c) => c.enqueuedBy),
    [undefined, 1, 1, 1, 1, 1, undefined, 1],
  );
  loop.reset();
  assert.deepEqual(loop.snapshot(), []);
});

Deno.test("property: in a random program of timers, microtasks, messages, tasks and busy callbacks every callback runs once and time never goes back", () => {
  type Op = { kind: string; ms: number; children: Op[] };
  const { op } = fc.letrec<{ op: Op }>((tie) => ({
    op: fc.record({
      kind: fc.constantFrom("timeout", "micro", "message", "task", "spend"),
      ms: fc.integer({ min: 0, max: 20 }),
      children: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constant([]),
        fc.array(tie("op"), { maxLength: 3 }),
      ),
    }) as fc.Arbitrary<Op>,
  }));
  fc.assert(
    fc.property(
      fc.array(op, { minLength: 1, maxLength: 6 }),
      fc.constantFrom("html", "node", "deno"),
      (top, profile) => {
        const loop = new EventLoop({ profile: profile as "html" });
        const channel = loop.messageChannel();
        const inbox: (() => void)[] = [];
        channel.port1.onmessage = () => inbox.shift()!();
        let scheduled = 0;
        const ran = new Set<number>();
        const times: number[] = [];
        const schedule = (ops: Op[]) => {
          for (const o of ops) {
            const id = ++scheduled;
            const run = () => {
              assert.ok(!ran.has(id), "ran twice");
              ran.add(id);
              times.push(loop.now());
              if (o.kind === "spend") loop.spend(o.ms);
              schedule(o.children);
            };
            switch (o.kind) {
              case "timeout":
              case "spend":
                loop.setTimeout(run, o.ms);
                break;
              case "micro":
                loop.queueMicrotask(run);
                break;
              case "message":
                inbox.push(run);
                channel.port2.postMessage(id);
                break;
              default:
                if (profile === "html") loop.postTask(run);
                else loop.setImmediate(run);
            }
          }
        };
        loop.runScript(() => schedule(top));
        assert.equal(loop.snapshot().length, loop.queued);
        loop.runAll();
        assert.equal(ran.size, scheduled);
        assert.equal(loop.queued, 0);
        for (let i = 1; i < times.length; i++) {
          assert.ok(times[i]! >= times[i - 1]!, "time went back");
        }
        channel.port1.close();
      },
    ),
    { numRuns: 300 },
  );
});
