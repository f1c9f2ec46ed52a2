import { EventLoop, type Profile, profiles } from "@pledge/core";
import assert from "node:assert/strict";
import { BAD_NUMBERS } from "../_support.ts";

Deno.test("profiles holds frozen html, node and deno profiles", () => {
  assert.deepEqual(Object.keys(profiles), ["html", "node", "deno"]);
  for (const p of Object.values(profiles)) {
    assert.ok(Object.isFrozen(p));
    assert.ok(Object.isFrozen(p.apis));
    assert.equal(new EventLoop({ profile: p }).profile, p);
  }
  assert.equal(new EventLoop({ profile: "deno" }).profile, profiles.deno);
  assert.equal(new EventLoop().profile, profiles.html);
});

Deno.test("profiles encode each runtime's rules", () => {
  const { html, node, deno } = profiles;
  assert.deepEqual(
    [html.minDelayMs, node.minDelayMs, deno.minDelayMs],
    [0, 1, 1],
  );
  assert.deepEqual(html.nestingClamp, { afterLevel: 5, minMs: 4 });
  assert.equal(node.nestingClamp, null);
  assert.deepEqual([node.entry, deno.entry], ["cjs", "esm"]);
  assert.deepEqual([html.model, node.model, deno.model], [
    "html",
    "phases",
    "phases",
  ]);
  assert.deepEqual(node.phases, [
    "timers",
    "pending",
    "poll",
    "check",
    "close",
  ]);
  assert.equal(html.frameIntervalMs, 1000 / 60);
  assert.deepEqual(html.apis, {
    setImmediate: false,
    nextTick: false,
    requestAnimationFrame: true,
    postTask: true,
  });
  assert.deepEqual(deno.apis, node.apis);
  assert.equal(node.apis.setImmediate && node.apis.nextTick, true);
});

Deno.test("a derived profile changes only what it overrides", () => {
  const noClamp: Profile = {
    ...profiles.html,
    name: "no-clamp",
    nestingClamp: null,
  };
  const loop = new EventLoop({ profile: noClamp });
  let n = 0;
  const chain = () => {
    if (++n < 10) loop.setTimeout(chain, 0);
  };
  loop.setTimeout(chain, 0);
  assert.equal(loop.runAll(), 0);
  assert.equal(n, 10);
});

Deno.test("a profile may enable an API its runtime lacks", () => {
  const profile: Profile = {
    ...profiles.node,
    name: "node+postTask",
    apis: { ...profiles.node.apis, postTask: true },
  };
  const loop = new EventLoop({ profile });
  const out: string[] = [];
  loop.postTask(() => out.push("posted"), { priority: "background" });
  loop.postTask(() => out.push("blocking"), { priority: "user-blocking" });
  loop.setImmediate(() => out.push("immediate"));
  loop.runAll();
  // posted tasks run in the poll phase, before the check phase
  assert.deepEqual(out, ["blocking", "posted", "immediate"]);
});

Deno.test("a profile's entry decides where a phased loop starts", () => {
  // With a 0 ms floor a top-level timer is due at once: a CommonJS entry
  // starts with the timers phase, an ESM entry in the poll phase (check next).
  const run = (entry: "cjs" | "esm") => {
    const loop = new EventLoop({
      profile: { ...profiles.node, minDelayMs: 0, entry },
    });
    const out: string[] = [];
    loop.setTimeout(() => out.push("timeout"), 0);
    loop.setImmediate(() => out.push("immediate"));
    loop.runAll();
    return out;
  };
  assert.deepEqual(run("cjs"), ["timeout", "immediate"]);
  assert.deepEqual(run("esm"), ["immediate", "timeout"]);
});

Deno.test("a profile's task sources decide between timers and posted tasks", () => {
  const run = (taskSources: Profile["taskSources"]) => {
    const loop = new EventLoop({ profile: { ...profiles.html, taskSources } });
    const out: string[] = [];
    loop.setTimeout(() => out.push("timer"), 0);
    loop.postTask(() => out.push("visible"));
    loop.runAll();
    return out;
  };
  assert.deepEqual(run(profiles.html.taskSources), ["timer", "visible"]);
  assert.deepEqual(
    run([
      "postTask:user-visible",
      "timers",
      "postTask:user-blocking",
      "postTask:background",
    ]),
    ["visible", "timer"],
  );
});

Deno.test("new EventLoop() rejects a malformed profile naming the field", () => {
  const bad: [string, unknown, string][] = [
    ["name", 1, "a string"],
    ["model", "libuv", '"html" or "phases"'],
    ["entry", "classic", '"cjs" or "esm"'],
    ["truncateDelay", 0, "a boolean"],
  ];
  for (const [field, value, constraint] of bad) {
    assert.throws(
      () =>
        new EventLoop({
          profile: { ...profiles.node, [field]: value } as never,
        }),
      new TypeError(
        `Cannot create an EventLoop as 'profile.${field}' must be ${constraint}: current value is ${
          typeof value === "string" ? JSON.stringify(value) : value
        }`,
      ),
    );
  }
  assert.throws(
    () => new EventLoop({ profile: 42 as never }),
    /'profile' must be "html", "node", "deno" or a Profile: current value is 42/,
  );
});

Deno.test("new EventLoop() checks a profile's numbers", () => {
  for (const v of BAD_NUMBERS) {
    const framed = () =>
      new EventLoop({ profile: { ...profiles.html, frameIntervalMs: v } });
    if (v > 0 && Number.isFinite(v)) {
      assert.equal(framed().nextFrame(), v);
    } else {
      assert.throws(
        framed,
        new TypeError(
          `Cannot create an EventLoop as 'profile.frameIntervalMs' must be a finite number > 0: current value is ${v}`,
        ),
      );
    }
    const floored = () =>
      new EventLoop({ profile: { ...profiles.node, minDelayMs: v } });
    if (v >= 0 && Number.isFinite(v)) {
      const loop = floored();
      loop.setTimeout(() => {}, 0);
      assert.equal(loop.runAll(), v);
    } else {
      assert.throws(
        floored,
        new TypeError(
          `Cannot create an EventLoop as 'profile.minDelayMs' must be a number >= 0: current value is ${v}`,
        ),
      );
    }
  }
  assert.throws(
    () =>
      new EventLoop({
        profile: {
          ...profiles.html,
          nestingClamp: { afterLevel: -1, minMs: 4 },
        },
      }),
    /'profile.nestingClamp' must be null or/,
  );
});

Deno.test("new EventLoop() checks a profile's phases, task sources and apis", () => {
  assert.throws(
    () =>
      new EventLoop({
        profile: { ...profiles.node, phases: ["timers", "io"] as never },
      }),
    /'profile.phases' must be an array of timers, pending, poll, check, close/,
  );
  assert.throws(
    () =>
      new EventLoop({
        profile: { ...profiles.node, phases: ["check", "close"] },
      }),
    /with timers and poll for the phases model/,
  );
  assert.throws(
    () =>
      new EventLoop({
        profile: { ...profiles.node, phases: ["timers", "poll"] },
      }),
    /with check when setImmediate is provided/,
  );
  assert.throws(
    () =>
      new EventLoop({
        profile: { ...profiles.html, taskSources: ["io"] as never },
      }),
    /'profile.taskSources' must be an array of task sources/,
  );
  assert.throws(
    () =>
      new EventLoop({
        profile: {
          ...profiles.html,
          apis: { ...profiles.html.apis, postTask: 1 } as never,
        },
      }),
    /'profile.apis' must be an object of booleans/,
  );
});

Deno.test("new EventLoop() checks task source groups, message delivery, abort timers and the uncaught policy", () => {
  const bad: [string, unknown, RegExp][] = [
    ["taskSources", [["timers", "timers"]], /each source at most once/],
    ["taskSources", ["timers", ["timers"]], /each source at most once/],
    ["taskSources", [[]], /groups \(arrays\) of them/],
    ["taskSources", [["timers", "io"]], /task sources and groups/],
    [
      "messageDelivery",
      "idle",
      /'profile.messageDelivery' must be "task-source", "poll" or "pending"/,
    ],
    [
      "abortTimerSource",
      "heap",
      /'profile.abortTimerSource' must be "task-source", "timers" or "unref-timers"/,
    ],
    [
      "uncaught",
      "ignore",
      /'profile.uncaught' must be "report", "crash" or "crash-unless-prevented"/,
    ],
  ];
  for (const [field, value, message] of bad) {
    assert.throws(
      () =>
        new EventLoop({
          profile: { ...profiles.html, [field]: value } as never,
        }),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
      `${field}: ${JSON.stringify(value)}`,
    );
  }
});

Deno.test("the profiles' message, abort-timer and uncaught knobs follow their runtimes", () => {
  assert.deepEqual(
    Object.values(profiles).map((p) => [
      p.messageDelivery,
      p.abortTimerSource,
      p.uncaught,
    ]),
    [
      ["task-source", "task-source", "report"],
      ["poll", "unref-timers", "crash"],
      ["pending", "timers", "crash-unless-prevented"],
    ],
  );
  assert.deepEqual(profiles.html.taskSources, [
    "postTask:user-blocking",
    ["timers", "messages", "postTask:user-visible", "events", "abort-timeouts"],
    "postTask:background",
  ]);
});

Deno.test("a profile's task source group decides between timers and messages", () => {
  const run = (taskSources: Profile["taskSources"]) => {
    const loop = new EventLoop({ profile: { ...profiles.html, taskSources } });
    const out: string[] = [];
    const { port1, port2 } = loop.messageChannel();
    port1.onmessage = () => out.push("message");
    port2.postMessage(1);
    loop.setTimeout(() => out.push("timer"), 0);
    loop.runAll();
    return out;
  };
  assert.deepEqual(run(profiles.html.taskSources), ["message", "timer"]);
  assert.deepEqual(run(["timers", "messages"]), ["timer", "message"]);
  assert.deepEqual(run(["timers"]), ["timer"]); // a source left out never runs
});
