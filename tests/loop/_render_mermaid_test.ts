import assert from "node:assert/strict";
import { Trace, type TraceEvent } from "../../mod.ts";
import { renderMermaid } from "../../src/loop/_render_mermaid.ts";

Deno.test("Trace.toMermaid() draws the classic puzzle as a sequence diagram", () => {
  const trace = new Trace();
  trace.record({
    time: 0,
    lane: "task",
    queue: "script",
    label: "main",
    enqueuedBy: undefined,
    rule: "the script runs as a task",
    enqueuedAt: 0,
  });
  trace.record({
    time: 0,
    lane: "microtask",
    queue: "microtasks",
    label: "then: log 2",
    enqueuedBy: 1,
    rule: "checkpoint after the script",
    enqueuedAt: 0,
  });
  trace.record({
    time: 1,
    lane: "timer",
    queue: "timers",
    label: "setTimeout(0) #1",
    enqueuedBy: 1,
    rule: "node: a delay below 1 ms becomes 1 ms",
    enqueuedAt: 0,
  });
  trace.record({
    time: 1,
    lane: "microtask",
    queue: "nextTick",
    label: "tick; done",
    enqueuedBy: 3,
    rule: "after each callback\nthe nextTick queue",
    enqueuedAt: 1,
  });
  assert.equal(
    trace.toMermaid(),
    `sequenceDiagram
  participant top as top level
  participant p1 as task/script
  participant p2 as microtask/microtasks
  participant p3 as microtask/nextTick
  participant p4 as timer/timers
  Note over top,p4: 0ms
  top->>p1: 1. main
  %% the script runs as a task
  p1->>p2: 2. then: log 2
  %% checkpoint after the script
  Note over top,p4: 1ms
  p1->>p4: 3. setTimeout(0) #35;1
  %% node: a delay below 1 ms becomes 1 ms
  p4->>p3: 4. tick#59; done
  %% after each callback the nextTick queue
`,
  );
});

Deno.test("renderMermaid() is deterministic and starts from top level only when needed", () => {
  const events: TraceEvent[] = [
    {
      id: 3,
      time: 2,
      lane: "render",
      queue: "animation-frames",
      label: "rAF",
      enqueuedBy: undefined,
      rule: "",
      enqueuedAt: 0,
    },
    {
      id: 4,
      time: 2,
      lane: "render",
      queue: "animation-frames",
      label: "rAF 2",
      enqueuedBy: 3,
      rule: "",
      enqueuedAt: 2,
    },
  ];
  const text = renderMermaid(events);
  assert.equal(text, renderMermaid(events));
  assert.equal(
    text,
    "sequenceDiagram\n  participant top as top level\n  participant p1 as render/animation-frames\n" +
      "  Note over top,p1: 2ms\n  top->>p1: 3. rAF\n  p1->>p1: 4. rAF 2\n",
  );
  assert.equal(renderMermaid([]), "sequenceDiagram\n");
});
