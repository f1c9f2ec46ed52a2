import assert from "node:assert/strict";
import fc from "fast-check";
import { Trace, type TraceEvent } from "../../mod.ts";
import { BAD_NUMBERS } from "../_support.ts";
import {
  classicPuzzle,
  readFixture,
  runSteps,
  schedulerFixtures,
  steps,
} from "./_trace_programs.ts";

type Spec = Partial<Omit<TraceEvent, "id">> & Pick<TraceEvent, "label">;

/** A trace built from event specs, with defaults for what they leave out. */
function traceOf(...specs: Spec[]): Trace {
  const trace = new Trace();
  for (const s of specs) {
    trace.record({
      time: 0,
      lane: "task",
      queue: "script",
      enqueuedBy: undefined,
      rule: "",
      enqueuedAt: 0,
      ...s,
    });
  }
  return trace;
}

const script: Spec = {
  label: "main",
  rule: "the script runs as a task; a microtask checkpoint follows",
};
const micro = (
  label: string,
  by: number | undefined,
  extra?: Partial<Spec>,
): Spec => ({
  label,
  lane: "microtask",
  queue: "microtasks",
  enqueuedBy: by,
  rule:
    "microtask checkpoint after each callback: one FIFO queue, drained until empty",
  ...extra,
});
const timer = (
  label: string,
  time: number,
  by: number | undefined,
  at = 0,
): Spec => ({
  label,
  time,
  lane: "timer",
  queue: "timers",
  enqueuedBy: by,
  enqueuedAt: at,
  rule: "a timer task runs when due, by deadline, then arming order",
});

Deno.test("Trace.record() numbers events from 1 in run order", () => {
  const trace = traceOf(script, micro("then", 1));
  assert.deepEqual(trace.events.map((e) => e.id), [1, 2]);
  assert.equal(trace.events[1]!.enqueuedBy, 1);
  trace.clear();
  assert.equal(trace.events.length, 0);
  assert.equal(
    trace.record({
      ...micro("again", undefined),
      time: 0,
      enqueuedAt: 0,
      lane: "microtask",
      queue: "microtasks",
      enqueuedBy: undefined,
      rule: "r",
    }).id,
    1,
  );
});

Deno.test("Trace.record() refuses a malformed event with the house message", () => {
  const trace = new Trace();
  const good = {
    time: 0,
    lane: "task",
    queue: "script",
    label: "main",
    enqueuedBy: undefined,
    rule: "",
    enqueuedAt: 0,
  } as const;
  const action = "Cannot record a trace event as";
  const cases: [unknown, Error][] = [
    [
      undefined,
      new TypeError(
        `${action} 'event' must be an object: current value is undefined`,
      ),
    ],
    [
      null,
      new TypeError(
        `${action} 'event' must be an object: current value is null`,
      ),
    ],
    [
      { ...good, lane: "io" },
      new TypeError(
        `${action} 'event.lane' must be "task", "microtask", "timer" or "render": current value is "io"`,
      ),
    ],
    [
      { ...good, time: "0" },
      new TypeError(
        `${action} 'event.time' must be a number: current value is "0"`,
      ),
    ],
    [
      { ...good, enqueuedAt: undefined },
      new TypeError(
        `${action} 'event.enqueuedAt' must be a number: current value is undefined`,
      ),
    ],
    [
      { ...good, label: 7 },
      new TypeError(
        `${action} 'event.label' must be a string: current value is 7`,
      ),
    ],
    [
      { ...good, queue: undefined },
      new TypeError(
        `${action} 'event.queue' must be a string: current value is undefined`,
      ),
    ],
    [
      { ...good, rule: null },
      new TypeError(
        `${action} 'event.rule' must be a string: current value is null`,
      ),
    ],
  ];
  for (const value of BAD_NUMBERS) {
    if (!Number.isFinite(value)) {
      cases.push([
        { ...good, time: value },
        new RangeError(
          `${action} 'event.time' must be finite: current value is ${value}`,
        ),
      ]);
    }
    if (!Number.isInteger(value) || value < 1) {
      cases.push([
        { ...good, enqueuedBy: value },
        new RangeError(
          `${action} 'event.enqueuedBy' must be an integer >= 1: current value is ${value}`,
        ),
      ]);
    }
  }
  for (const [event, error] of cases) {
    assert.throws(() => trace.record(event as never), error);
  }
  assert.equal(trace.events.length, 0, "nothing was recorded");
  assert.equal(trace.record(good).id, 1);
});

Deno.test("Trace lookups refuse what is not a reference", () => {
  const trace = traceOf(script);
  for (const ref of [undefined, null, {}, true]) {
    assert.throws(() => trace.get(ref as never), {
      name: "TypeError",
      message:
        `Cannot find a trace event as 'ref' must be an event id or label: current value is ${
          ref === undefined
            ? "undefined"
            : ref === null
            ? "null"
            : ref === true
            ? "true"
            : "an object"
        }`,
    });
  }
  assert.throws(() => trace.chain(undefined as never), TypeError);
  assert.throws(() => trace.explain(undefined as never, 1), TypeError);
});

Deno.test("Trace.toText() prints aligned columns with origin and rule", () => {
  const trace = traceOf(
    { label: "main", rule: "script first" },
    {
      label: "then",
      lane: "microtask",
      queue: "microtasks",
      enqueuedBy: 1,
      rule: "checkpoint",
    },
    {
      label: "setTimeout(0) #1",
      time: 1.5,
      lane: "timer",
      queue: "timers",
      enqueuedBy: 1,
      rule: "due",
    },
  );
  assert.equal(
    trace.toText(),
    [
      "#1  0ms    task       script      main              at top level at 0ms  script first",
      "#2  0ms    microtask  microtasks  then              by #1 at 0ms         checkpoint",
      "#3  1.5ms  timer      timers      setTimeout(0) #1  by #1 at 0ms         due",
    ].join("\n"),
  );
  assert.equal(new Trace().toText(), "(no events)");
});

Deno.test("Trace.get() and Trace.chain() resolve ids, #ids and labels", () => {
  const trace = traceOf(script, micro("a", 1), micro("b", 2), micro("b", 3));
  assert.equal(trace.get(2)?.label, "a");
  assert.equal(trace.get("#3")?.label, "b");
  assert.equal(trace.get("b")?.id, 3, "a label names its first event");
  assert.equal(trace.get("nope"), undefined);
  assert.deepEqual(trace.chain(4).map((e) => e.id), [4, 3, 2, 1]);
});

Deno.test("Trace.explain() names the enqueue chain when one event queued the other", () => {
  const trace = traceOf(script, micro("then 1", 1), micro("then 2", 2));
  const direct = trace.explain("main", "then 1");
  assert.match(
    direct,
    /^#1 "main" \(task, queue script, ran at 0ms\) ran before #2 "then 1"/,
  );
  assert.match(
    direct,
    /#2 "then 1" was queued by #1 "main", so it could only run after it/,
  );
  const chained = trace.explain(3, 1);
  assert.match(chained, /^#3 "then 2" .* ran after #1 "main"/);
  assert.match(
    chained,
    /chain that starts at #1 "main" \(#3 "then 2" <- #2 "then 1" <- #1 "main"\), so it could only run after it/,
  );
  assert.match(
    chained,
    /Chain of #3 "then 2": #3 "then 2" <- #2 "then 1" <- #1 "main" <- top level\./,
  );
});

Deno.test("Trace.explain() says a microtask checkpoint runs before the next timer", () => {
  const trace = traceOf(script, micro("then", 1), timer("setTimeout(0)", 0, 1));
  const text = trace.explain("setTimeout(0)", "then");
  assert.match(text, /^#3 "setTimeout\(0\)" .* ran after #2 "then"/);
  assert.match(
    text,
    /#2 "then" is a microtask, queued by #1 at 0ms, and a microtask checkpoint runs after every task and callback/,
  );
  assert.match(
    text,
    /Rule for #2 "then": microtask checkpoint after each callback: one FIFO queue, drained until empty\./,
  );
  assert.match(
    text,
    /Rule for #3 "setTimeout\(0\)": a timer task runs when due/,
  );
  // A microtask queued at top level, before a task that ran first.
  const late = traceOf(
    { label: "imm", queue: "immediates", rule: "check phase" },
    micro("top-level then", undefined),
  );
  assert.match(
    late.explain(1, 2),
    /microtasks wait until the running task or callback returns/,
  );
});

Deno.test("Trace.explain() orders timers by deadline, then by arming order", () => {
  const trace = traceOf(
    script,
    timer("a", 5, 1),
    timer("b", 5, 1),
    timer("c", 10, 1),
  );
  assert.match(
    trace.explain("a", "b"),
    /both timers were due at 5ms, and timers with the same deadline run in the order they were armed: #2 "a" was armed by #1 at 0ms, #3 "b" by #1 at 0ms/,
  );
  const later = trace.explain("c", "a");
  assert.match(later, /ran after/);
  assert.match(
    later,
    /#4 "c" is a timer that was not due until 10ms \(armed by #1 at 0ms\): virtual time had to reach 10ms, and #2 "a" ran at 5ms; timers run in deadline order/,
  );
});

Deno.test("Trace.explain() says when the second event was queued only after the first ran", () => {
  const trace = traceOf(
    script,
    timer("a", 5, 1),
    micro("x", 1),
    timer("b", 5, 3),
  );
  assert.match(
    trace.explain("a", "b"),
    /#4 "b" was not queued until #3 "x" ran at 0ms, after #2 "a"/,
  );
});

Deno.test("Trace.explain() explains nextTick against promise jobs both ways", () => {
  const node = traceOf(
    script,
    micro("tick", 1, {
      queue: "nextTick",
      rule:
        "node: after each callback the whole nextTick queue runs before promise jobs",
    }),
    micro("then", 1, {
      rule:
        "node: promise jobs run after the nextTick queue, repeated while either is non-empty",
    }),
  );
  assert.match(
    node.explain("tick", "then"),
    /after each callback the whole nextTick queue runs before the microtasks queue/,
  );
  assert.match(
    node.explain("then", "tick"),
    /^#3 "then" .* ran after #2 "tick"/,
  );
  const esm = traceOf(
    script,
    micro("then", 1, {
      rule:
        "node (esm entry): at top level promise jobs run before the nextTick queue",
    }),
    micro("tick", 1, { queue: "nextTick" }),
  );
  const text = esm.explain("tick", "then");
  assert.match(
    text,
    /with an ES module entry, promise jobs queued at top level run before the nextTick queue/,
  );
  assert.match(
    text,
    /Rule for #2 "then": node \(esm entry\): at top level promise jobs run before the nextTick queue\./,
  );
});

Deno.test("Trace.explain() explains the timers and check phases", () => {
  const imm = (label: string, time: number): Spec => ({
    label,
    time,
    lane: "task",
    queue: "immediates",
    enqueuedBy: 1,
    rule: "node: the check phase runs the immediates queued before it started",
  });
  const cjs = traceOf(script, timer("timeout", 1, 1), imm("immediate", 1));
  assert.match(
    cjs.explain("immediate", "timeout"),
    /the timers phase comes before the check phase/,
  );
  const esm = traceOf(script, imm("immediate", 1), timer("timeout", 1, 1));
  assert.match(
    esm.explain("timeout", "immediate"),
    /the check phase \(setImmediate\) of the current loop turn comes before the timers phase of the next turn/,
  );
});

Deno.test("Trace.explain() explains FIFO queues, frames and the script", () => {
  const fifo = traceOf(script, micro("a", 1), micro("b", 1));
  assert.match(
    fifo.explain("a", "b"),
    /the microtasks queue is first in, first out, and #2 "a" was queued first/,
  );
  const raf = (label: string): Spec => ({
    label,
    time: 16,
    lane: "render",
    queue: "animation-frames",
    enqueuedBy: 1,
    rule: "html: the animation-frame callbacks of a frame share one timestamp",
  });
  const frames = traceOf(script, raf("raf 1"), raf("raf 2"));
  assert.match(
    frames.explain(2, 3),
    /callbacks of one frame run in the order they were requested/,
  );
  const waited = traceOf(script, { ...raf("raf"), enqueuedBy: undefined });
  assert.match(
    waited.explain(1, 2),
    /#2 "raf" waited for the rendering opportunity at 16ms: virtual time had to reach 16ms/,
  );
  const sameTime = traceOf(script, {
    label: "imm",
    queue: "immediates",
    enqueuedBy: undefined,
  });
  assert.match(
    sameTime.explain(1, 2),
    /the script runs to completion before any queued callback/,
  );
  const jumped = traceOf(script, micro("late", undefined), micro("early", 1));
  assert.match(
    jumped.explain("late", "early"),
    /^#2 "late" .* ran before #3 "early"/,
  );
  const cont = traceOf(
    script,
    micro("early", 1),
    { ...micro("continuation", 2), rule: "a yield continuation runs first" },
    { ...micro("waiting", 1), time: 0 },
  );
  assert.match(
    cont.explain("waiting", "continuation"),
    /although #4 "waiting" was queued earlier \(by #1 at 0ms\), #3 "continuation" \(queued by #2 at 0ms\) went ahead of it in the microtasks queue by its own rule: a yield continuation runs first/,
  );
});

Deno.test("Trace.explain() explains postTask priorities", () => {
  const post = (label: string, queue: string): Spec => ({
    label,
    queue,
    enqueuedBy: 1,
    rule: "html: task sources in order",
  });
  const trace = traceOf(
    script,
    post("urgent", "postTask:user-blocking"),
    post("later", "postTask:background"),
  );
  assert.match(
    trace.explain("later", "urgent"),
    /postTask tasks run by priority/,
  );
});

Deno.test("Trace.explain() handles one event and rejects unknown references", () => {
  const trace = traceOf(script);
  assert.match(trace.explain(1, "main"), /is one event/);
  assert.throws(() => trace.explain("missing", 1), {
    name: "RangeError",
    message:
      `Cannot explain the trace as 'a' must be the id or label of a recorded event: current value is "missing"`,
  });
  for (const value of BAD_NUMBERS) {
    assert.throws(() => trace.explain(1, value), {
      name: "RangeError",
      message:
        `Cannot explain the trace as 'b' must be the id or label of a recorded event: current value is ${value}`,
    });
  }
  assert.throws(() => trace.explain({} as never, 1), {
    name: "TypeError",
    message:
      "Cannot explain the trace as 'a' must be an event id or label: current value is an object",
  });
  assert.throws(() => trace.chain("nope"), RangeError);
});

Deno.test("property: a random scheduler program records an event per step", () => {
  fc.assert(
    fc.property(steps, (program) => {
      const trace = runSteps(program);
      assert.ok(trace.events.length >= program.length);
      assert.equal(trace.events.at(-1)!.id, trace.events.length);
    }),
    { numRuns: 50 },
  );
});

Deno.test("Trace renders each recorded scheduler program as recorded", () => {
  const fixtures = schedulerFixtures();
  assert.equal(fixtures.length, 6);
  fixtures.forEach((fixture, i) => {
    const trace = runSteps(fixture.program);
    assert.ok(trace.events.length > 0);
    assert.equal(trace.toText(), fixture.text);
    assert.equal(trace.toMermaid(), fixture.mermaid);
    assert.equal(trace.toSvg(), readFixture(`scheduler_${i}.svg`));
    const last = trace.events.length;
    assert.deepEqual(
      [trace.explain(1, last), trace.explain(last, 1)],
      fixture.explained,
    );
  });
});

Deno.test("Trace.explain() explains the classic puzzle recorded by an EventLoop", () => {
  const trace = classicPuzzle();
  assert.deepEqual(trace.events.map((e) => e.label), [
    "script",
    "tick",
    "then",
    "timeout",
  ]);
  assert.match(
    trace.explain("timeout", "then"),
    /#4 "timeout" is a timer that was not due until 1ms/,
  );
  assert.match(
    trace.explain("tick", "then"),
    /the whole nextTick queue runs before the microtasks queue/,
  );
  assert.match(
    trace.explain("then", "script"),
    /#3 "then" was queued by #1 "script"/,
  );
  assert.equal(trace.toSvg(), readFixture("classic_puzzle.svg"));
});

Deno.test("Trace.from() rebuilds a trace event for event, checking ids", () => {
  const source = traceOf(script, micro("then", 1), timer("t", 1, 1));
  const copy = Trace.from(JSON.parse(JSON.stringify(source.events)));
  assert.deepEqual(copy.events, source.events);
  assert.equal(copy.toSvg(), source.toSvg());
  assert.notEqual(copy.events[0], source.events[0]);
  // events without ids are numbered in order
  const bare = source.events.map(({ id: _, ...rest }) => rest);
  assert.deepEqual(Trace.from(bare).events, source.events);
  assert.throws(
    () => Trace.from([source.events[1]!]),
    new RangeError(
      "Cannot rebuild a trace as 'event.id' must be 1, its position: current value is 2",
    ),
  );
  assert.throws(
    () => Trace.from(5 as never),
    new TypeError(
      "Cannot rebuild a trace as 'events' must be an iterable of trace events: current value is 5",
    ),
  );
  assert.throws(
    () => Trace.from([{ ...bare[0]!, lane: "io" as never }]),
    /'event.lane' must be/,
  );
});

Deno.test("Trace.queuedAt() gives the events queued by a step that run after it", () => {
  const t = traceOf(
    script,
    micro("m1", 1),
    timer("t1", 5, 1),
    micro("m2", 3),
    timer("t2", 9, 1),
    timer("t3", 9, 3),
  );
  const at = (step: number) =>
    t.queuedAt(step).map((q) => `${q.queue}: ${q.events.map((e) => e.label)}`);
  assert.deepEqual(at(0), ["script: main"]);
  assert.deepEqual(at(1), ["microtasks: m1", "timers: t1,t2"]);
  assert.deepEqual(at(3), ["microtasks: m2", "timers: t2,t3"]);
  assert.deepEqual(at(6), []);
  for (const bad of [-1, 1.5, NaN, Infinity, 7]) {
    assert.throws(() => t.queuedAt(bad), RangeError, String(bad));
  }
  assert.throws(() => t.queuedAt("1" as never), TypeError);
});

Deno.test("Trace.record() keeps spentMs and checks it; toText() shows it", () => {
  const t = new Trace();
  t.record({
    time: 0,
    lane: "task",
    queue: "script",
    label: "busy",
    enqueuedBy: undefined,
    rule: "r",
    enqueuedAt: 0,
    spentMs: 50,
  });
  assert.equal(t.events[0]!.spentMs, 50);
  assert.match(t.toText(), /^#1 {2}0ms \(busy 50ms\)/);
  for (const bad of [-1, NaN, Infinity]) {
    assert.throws(
      () =>
        t.record({
          time: 0,
          lane: "task",
          queue: "script",
          label: "x",
          enqueuedBy: undefined,
          rule: "r",
          enqueuedAt: 0,
          spentMs: bad,
        }),
      RangeError,
    );
  }
  assert.equal(t.events.length, 1);
});
