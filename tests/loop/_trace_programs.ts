/**
 * Programs whose traces are recorded as fixtures under
 * tests/loop/fixtures/traces/, and the code that runs them: random programs of
 * loop operations on an `EventLoop` (html and node), random task programs on a
 * `PriorityScheduler` recording into a `Trace`, and two hand-made traces. The
 * tests compare a run with the recorded text, Mermaid, SVG and explanations,
 * so a bug that repeats itself on every run still fails.
 *
 * Re-record (and review the diff) after a deliberate change of the output:
 * `deno run -A tests/loop/_trace_programs.ts`.
 *
 * @module
 */

import fc from "fast-check";
import {
  EventLoop,
  PriorityScheduler,
  type TaskPriority,
  Trace,
  type TraceEvent,
  VirtualClock,
} from "../../mod.ts";

export const FIXTURES = new URL("./fixtures/traces/", import.meta.url);

// ------------------------------------------------- event-loop programs

/** One operation of a loop program, with what its callback starts. */
export type Op = {
  kind:
    | "timeout"
    | "interval"
    | "immediate"
    | "micro"
    | "tick"
    | "then"
    | "frame";
  delay: number;
  children: Op[];
};

/** A recorded run of a loop program. */
export interface LoopFixture {
  profile: "html" | "node";
  program: Op[];
  /** `trace.toText()`. */
  text: string;
  /** `[time, enqueuedAt]` of each event, exactly (the text rounds). */
  times: [number, number][];
}

/** Random loop programs for `profile`. */
export const ops = (profile: "html" | "node"): fc.Arbitrary<Op[]> =>
  fc.letrec<{ op: Op; list: Op[] }>((tie) => ({
    op: fc.record({
      kind: fc.constantFrom(
        ...(profile === "html"
          ? ["timeout", "interval", "micro", "then", "frame"] as const
          : [
            "timeout",
            "interval",
            "micro",
            "then",
            "immediate",
            "tick",
          ] as const),
      ),
      delay: fc.integer({ min: 0, max: 40 }),
      children: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constant([]),
        tie("list"),
      ),
    }) as fc.Arbitrary<Op>,
    list: fc.array(tie("op"), { maxLength: 4 }) as fc.Arbitrary<Op[]>,
  })).list;

/** Runs a loop program as a script, then to the end, with a trace. */
export function runOps(profile: "html" | "node", program: Op[]): EventLoop {
  const loop = new EventLoop({ profile, trace: true });
  const start = (list: Op[]): void => {
    for (const op of list) {
      const body = () => start(op.children);
      switch (op.kind) {
        case "timeout":
          loop.setTimeout(body, op.delay);
          break;
        case "interval": {
          let n = 0;
          const h = loop.setInterval(() => {
            body();
            if (++n === 2) loop.clearInterval(h);
          }, op.delay);
          break;
        }
        case "micro":
          loop.queueMicrotask(body);
          break;
        case "then":
          loop.resolved().then(body);
          break;
        case "tick":
          loop.nextTick(body);
          break;
        case "immediate":
          loop.setImmediate(body);
          break;
        case "frame":
          loop.requestAnimationFrame(body);
          break;
      }
    }
  };
  loop.runScript(() => start(program));
  loop.runAll();
  return loop;
}

// ------------------------------------------------- scheduler programs

/** One task of a scheduler program. */
export interface Step {
  priority: TaskPriority;
  delayMs: number;
  yields: number;
  spawns: number;
}

/** A recorded run of a scheduler program (its SVG is a file of its own). */
export interface SchedulerFixture {
  program: Step[];
  text: string;
  mermaid: string;
  /** `explain(1, last)` and `explain(last, 1)`. */
  explained: [string, string];
}

/** Random scheduler programs. */
export const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.record({
    priority: fc.constantFrom<TaskPriority>(
      "immediate",
      "high",
      "normal",
      "low",
      "idle",
    ),
    delayMs: fc.constantFrom(0, 0, 2, 7.5),
    yields: fc.integer({ min: 0, max: 2 }),
    spawns: fc.integer({ min: 0, max: 2 }),
  }),
  { minLength: 1, maxLength: 8 },
);

/**
 * Runs a program on a PriorityScheduler over a VirtualClock, recording one
 * trace event per step, and returns the trace.
 */
export function runSteps(program: Step[]): Trace {
  const clock = new VirtualClock();
  const scheduler = new PriorityScheduler({ clock, sliceSteps: 3 });
  const trace = new Trace();
  let current: number | undefined;
  const post = (i: number, depth: number, by: number | undefined) => {
    const step = program[i]!;
    const at = clock.now();
    scheduler.post(function* () {
      for (let y = 0; y <= step.yields; y++) {
        current = trace.record({
          time: clock.now(),
          lane: step.delayMs > 0 ? "timer" : y === 0 ? "task" : "microtask",
          queue: `priority:${step.priority}`,
          label: `task ${i}.${depth} <step ${y}> & "more"`,
          enqueuedBy: by,
          rule: `${step.priority} before lower priorities; FIFO within`,
          enqueuedAt: at,
        }).id;
        if (depth < 2) {
          for (let k = 0; k < step.spawns; k++) {
            post((i + k + 1) % program.length, depth + 1, current);
          }
        }
        if (y < step.yields) yield;
      }
    }, { priority: step.priority, delayMs: step.delayMs });
  };
  program.forEach((_, i) => post(i, 0, undefined));
  clock.runAll();
  return trace;
}

// ------------------------------------------------- hand-made traces

/** The classic puzzle on Node, with nextTick, recorded by an EventLoop. */
export function classicPuzzle(): Trace {
  const loop = new EventLoop({ profile: "node", trace: true });
  loop.runScript(() => {
    loop.setTimeout(loop.label("timeout", () => {}), 0);
    loop.resolved().then(loop.label("then", () => {}));
    loop.nextTick(loop.label("tick", () => {}));
  });
  loop.runAll();
  return loop.trace;
}

/** Seven events over every lane, with text that needs escaping. */
export function sampleTrace(): Trace {
  const trace = new Trace();
  const add = (
    e: Omit<TraceEvent, "id" | "rule" | "enqueuedAt"> & { enqueuedAt?: number },
  ) =>
    trace.record({
      rule: 'a rule with <markup> & "quotes"',
      enqueuedAt: 0,
      ...e,
    });
  add({
    time: 0,
    lane: "task",
    queue: "script",
    label: "main",
    enqueuedBy: undefined,
  });
  add({
    time: 0,
    lane: "microtask",
    queue: "microtasks",
    label: "then <1> & 'a'",
    enqueuedBy: 1,
  });
  add({
    time: 0,
    lane: "microtask",
    queue: "microtasks",
    label: "then 2",
    enqueuedBy: 2,
  });
  add({
    time: 4,
    lane: "timer",
    queue: "timers",
    label: "setTimeout(4) with a very long label indeed",
    enqueuedBy: 1,
  });
  add({
    time: 16.667,
    lane: "render",
    queue: "animation-frames",
    label: "rAF",
    enqueuedBy: 4,
    enqueuedAt: 4,
  });
  add({
    time: 16.667,
    lane: "microtask",
    queue: "microtasks",
    label: "then in frame",
    enqueuedBy: 5,
    enqueuedAt: 16.667,
  });
  add({
    time: 20,
    lane: "task",
    queue: "immediates",
    label: "late",
    enqueuedBy: undefined,
  });
  return trace;
}

// ------------------------------------------------- fixture files

/** Reads a fixture file of tests/loop/fixtures/traces/. */
export function readFixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** The recorded loop programs. */
export function loopFixtures(): LoopFixture[] {
  return JSON.parse(readFixture("event_loop_programs.json"));
}

/** The recorded scheduler programs (SVG in `scheduler_<i>.svg`). */
export function schedulerFixtures(): SchedulerFixture[] {
  return JSON.parse(readFixture("scheduler_programs.json"));
}

function timesOf(trace: Trace): [number, number][] {
  return trace.events.map((e) => [e.time, e.enqueuedAt]);
}

/** Records every fixture (programs sampled with fixed seeds). */
function record(): void {
  Deno.mkdirSync(FIXTURES, { recursive: true });
  const write = (name: string, text: string) =>
    Deno.writeTextFileSync(new URL(name, FIXTURES), text);
  const loops: LoopFixture[] = [];
  for (const profile of ["html", "node"] as const) {
    // The first programs of a fixed seed that run 8 to 40 events.
    const sample = fc.sample(ops(profile), { seed: 16, numRuns: 400 });
    for (const program of sample) {
      const loop = runOps(profile, program);
      const n = loop.trace.events.length;
      if (n < 8 || n > 40) continue;
      loops.push({
        profile,
        program,
        text: loop.trace.toText(),
        times: timesOf(loop.trace),
      });
      if (loops.filter((f) => f.profile === profile).length === 8) break;
    }
  }
  write("event_loop_programs.json", JSON.stringify(loops, null, 1) + "\n");
  const schedulers: SchedulerFixture[] = [];
  // The first programs of a fixed seed that run 5 to 50 steps.
  for (const program of fc.sample(steps, { seed: 12, numRuns: 100 })) {
    const trace = runSteps(program);
    const last = trace.events.length;
    if (last < 5 || last > 50) continue;
    if (schedulers.length === 6) break;
    write(`scheduler_${schedulers.length}.svg`, trace.toSvg());
    schedulers.push({
      program,
      text: trace.toText(),
      mermaid: trace.toMermaid(),
      explained: [trace.explain(1, last), trace.explain(last, 1)],
    });
  }
  write("scheduler_programs.json", JSON.stringify(schedulers, null, 1) + "\n");
  write("classic_puzzle.svg", classicPuzzle().toSvg());
  write("sample_trace.svg", sampleTrace().toSvg());
}

if (import.meta.main) record();
