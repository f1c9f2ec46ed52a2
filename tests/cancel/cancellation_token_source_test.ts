import assert from "node:assert/strict";
import { CancellationTokenSource, VirtualClock } from "@pledge/core";
import {
  assertDurationError,
  catchReported,
  countedSignal,
  durationTests,
  flush,
} from "../_support.ts";

// --- cancel

Deno.test("CancellationTokenSource.cancel() runs callbacks once, in registration order", () => {
  const source = new CancellationTokenSource();
  const order: number[] = [];
  for (let i = 0; i < 5; i++) source.token.register(() => order.push(i));
  source.cancel();
  source.cancel();
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

Deno.test("CancellationTokenSource.cancel() without a reason gives a DOMException named AbortError", () => {
  const source = new CancellationTokenSource();
  let seen: unknown;
  source.token.register((r) => (seen = r));
  source.cancel();
  const reason = source.token.reason;
  assert.ok(reason instanceof DOMException);
  assert.equal(reason.name, "AbortError");
  assert.equal(seen, reason);
  assert.equal(source.token.signal.reason, reason);
  // Like AbortController.abort(undefined).
  const other = new CancellationTokenSource();
  other.cancel(undefined);
  assert.equal((other.token.reason as DOMException).name, "AbortError");
});

Deno.test("CancellationTokenSource.cancel() passes the reason unchanged everywhere", () => {
  const source = new CancellationTokenSource();
  const reason = { why: "custom" };
  const signal = source.token.signal;
  let seen: unknown;
  source.token.register((r) => (seen = r));
  assert.equal(source.token.reason, undefined);
  source.cancel(reason);
  assert.equal(seen, reason);
  assert.equal(source.token.reason, reason);
  assert.equal(signal.reason, reason);
  assert.throws(() => source.token.throwIfCancellationRequested(), (e) => {
    assert.equal(e, reason);
    return true;
  });
  source.cancel("second");
  assert.equal(source.token.reason, reason);
});

Deno.test("CancellationTokenSource.cancel() accepts null as a reason, as AbortController does", () => {
  const source = new CancellationTokenSource();
  source.cancel(null);
  assert.equal(source.token.reason, null);
  assert.equal(source.token.signal.reason, null);
});

Deno.test("CancellationTokenSource.cancel() runs every callback and throws an AggregateError of what they threw", () => {
  const source = new CancellationTokenSource();
  const ran: number[] = [];
  const e1 = new Error("one");
  const e3 = new Error("three");
  source.token.register(() => {
    ran.push(1);
    throw e1;
  });
  source.token.register(() => ran.push(2));
  source.token.register(() => {
    ran.push(3);
    throw e3;
  });
  assert.throws(() => source.cancel(), (e) => {
    assert.ok(e instanceof AggregateError);
    assert.deepEqual(e.errors, [e1, e3]);
    assert.equal(e.message, "2 cancellation callbacks threw");
    return true;
  });
  assert.deepEqual(ran, [1, 2, 3]);
  assert.equal(source.isCancellationRequested, true);
  source.cancel();
});

// --- cancelAfter

Deno.test("CancellationTokenSource.cancelAfter() cancels with a TimeoutError on the injected clock", async () => {
  const clock = new VirtualClock();
  const source = new CancellationTokenSource({ clock });
  let seen: unknown;
  source.token.register((r) => (seen = r));
  source.cancelAfter(100);
  clock.tick(99);
  assert.equal(source.isCancellationRequested, false);
  clock.tick(1);
  assert.equal(source.isCancellationRequested, true);
  assert.ok(seen instanceof DOMException);
  assert.equal(seen.name, "TimeoutError");
  assert.equal(source.token.reason, seen);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("CancellationTokenSource.cancelAfter() called again reschedules from now", async () => {
  const clock = new VirtualClock();
  const source = new CancellationTokenSource({ clock });
  source.cancelAfter(100);
  clock.tick(90);
  source.cancelAfter(100);
  clock.tick(99);
  assert.equal(source.isCancellationRequested, false);
  source.cancelAfter(10);
  clock.tick(9);
  assert.equal(source.isCancellationRequested, false);
  clock.tick(1);
  assert.equal(source.isCancellationRequested, true);
  assert.equal(clock.now(), 199);
  source.cancelAfter(5);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("CancellationTokenSource.cancel() releases a pending cancelAfter timer", async () => {
  const clock = new VirtualClock();
  const source = new CancellationTokenSource({ clock });
  source.cancelAfter(100);
  source.cancel("manual");
  await flush();
  assert.equal(clock.pendingTimers, 0);
  clock.tick(100);
  assert.equal(source.token.reason, "manual");
});

Deno.test("CancellationTokenSource.cancelAfter() reports callback errors on a microtask", async () => {
  const clock = new VirtualClock();
  const source = new CancellationTokenSource({ clock });
  const boom = new Error("boom");
  let after = false;
  source.token.register(() => {
    throw boom;
  });
  source.token.register(() => (after = true));
  source.cancelAfter(1);
  const caught = await catchReported(() => {
    clock.tick(1);
  });
  assert.deepEqual(caught, [boom]);
  assert.equal(after, true);
});

// --- dispose

Deno.test("CancellationTokenSource[Symbol.dispose]() releases its timer and drops its callbacks", async () => {
  const clock = new VirtualClock();
  let ran = false;
  {
    using source = new CancellationTokenSource({ clock });
    source.token.register(() => (ran = true));
    source.cancelAfter(10);
    assert.equal(clock.pendingTimers, 1);
  }
  await flush();
  assert.equal(clock.pendingTimers, 0);
  clock.tick(10);
  assert.equal(ran, false);
});

Deno.test("a disposed source never cancels and stores no new registration", () => {
  const source = new CancellationTokenSource();
  const signal = source.token.signal;
  source[Symbol.dispose]();
  source.cancel("too late");
  source.cancelAfter(1);
  assert.equal(source.isCancellationRequested, false);
  assert.equal(signal.aborted, false);
  let ran = false;
  source.token.register(() => (ran = true))[Symbol.dispose]();
  assert.equal(ran, false);
  source[Symbol.dispose]();
});

Deno.test("disposing a cancelled source keeps it cancelled", () => {
  const source = new CancellationTokenSource();
  source.cancel("done");
  source[Symbol.dispose]();
  assert.equal(source.token.reason, "done");
  assert.equal(source.token.isCancellationRequested, true);
});

// --- linked

Deno.test("CancellationTokenSource.linked() cancels with the reason of whichever parent cancels", () => {
  const a = new CancellationTokenSource();
  const b = new AbortController();
  using linked = CancellationTokenSource.linked(a.token, b.signal);
  const seen: unknown[] = [];
  linked.token.register((r) => seen.push(r));
  b.abort("from b");
  assert.equal(linked.token.reason, "from b");
  assert.deepEqual(seen, ["from b"]);
  a.cancel("from a");
  assert.equal(linked.token.reason, "from b");
  assert.equal(a.isCancellationRequested, true);
});

Deno.test("CancellationTokenSource.linked() with a cancelled parent is cancelled at once with its reason", () => {
  const a = new CancellationTokenSource();
  const b = new CancellationTokenSource();
  b.cancel("b first");
  a.cancel("a second");
  using linked = CancellationTokenSource.linked(a.token, b.token);
  assert.equal(linked.token.reason, "a second");
  const aborted = AbortSignal.abort("signal");
  using fromSignal = CancellationTokenSource.linked(
    new CancellationTokenSource().token,
    aborted,
    a.token,
  );
  assert.equal(fromSignal.token.reason, "signal");
});

Deno.test("CancellationTokenSource.linked() works with zero, one and many parents", () => {
  using none = CancellationTokenSource.linked();
  assert.equal(none.isCancellationRequested, false);
  none.cancel("own");
  assert.equal(none.token.reason, "own");

  const parents = Array.from(
    { length: 5 },
    () => new CancellationTokenSource(),
  );
  using many = CancellationTokenSource.linked(...parents.map((p) => p.token));
  parents[3]!.cancel("fourth");
  assert.equal(many.token.reason, "fourth");

  const one = new AbortController();
  using single = CancellationTokenSource.linked(one.signal);
  one.abort("one");
  assert.equal(single.token.reason, "one");
});

Deno.test("cancelling a linked source leaves its parents alone", () => {
  const parent = new CancellationTokenSource();
  using child = CancellationTokenSource.linked(parent.token);
  child.cancel("child");
  assert.equal(parent.isCancellationRequested, false);
  parent.cancel("parent");
  assert.equal(child.token.reason, "child");
});

Deno.test("a disposed linked source no longer follows its parents", () => {
  const parent = new CancellationTokenSource();
  const child = CancellationTokenSource.linked(parent.token);
  let ran = false;
  child.token.register(() => (ran = true));
  child[Symbol.dispose]();
  parent.cancel();
  assert.equal(child.isCancellationRequested, false);
  assert.equal(ran, false);
});

Deno.test("linked sources cancel through a chain, and their callback errors join the AggregateError", () => {
  const root = new CancellationTokenSource();
  using mid = CancellationTokenSource.linked(root.token);
  using leaf = CancellationTokenSource.linked(mid.token);
  const order: string[] = [];
  const e1 = new Error("root cb");
  const e2 = new Error("leaf cb");
  root.token.register(() => {
    order.push("root");
    throw e1;
  });
  leaf.token.register(() => {
    order.push("leaf");
    throw e2;
  });
  mid.token.register(() => order.push("mid"));
  assert.throws(() => root.cancel("r"), (e) => {
    assert.ok(e instanceof AggregateError);
    assert.deepEqual(e.errors, [e2, e1]);
    return true;
  });
  // A link is a registration made when the child was created: before the
  // callbacks registered later on the parent.
  assert.deepEqual(order, ["leaf", "mid", "root"]);
  assert.equal(leaf.token.reason, "r");
});

Deno.test("new CancellationTokenSource({ parents }) links like linked() and uses its clock", () => {
  const clock = new VirtualClock();
  const parent = new AbortController();
  using source = new CancellationTokenSource({
    clock,
    parents: new Set([parent.signal]),
  });
  source.cancelAfter(5);
  clock.tick(5);
  assert.equal((source.token.reason as DOMException).name, "TimeoutError");
});

Deno.test("a linked source releases its links to the other parents once cancelled", () => {
  const a = countedSignal();
  const b = countedSignal();
  const child = CancellationTokenSource.linked(a.signal, b.signal);
  assert.equal(a.live, 1);
  assert.equal(b.live, 1);
  a.controller.abort("a");
  assert.equal(child.token.reason, "a");
  assert.equal(a.live, 0);
  assert.equal(b.live, 0);
  assert.equal(b.native, 0);
  child[Symbol.dispose]();
});

// --- bad input

durationTests(
  "CancellationTokenSource.cancelAfter",
  async (value, expected) => {
    const clock = new VirtualClock();
    using source = new CancellationTokenSource({ clock });
    if (expected === "ok") {
      source.cancelAfter(value);
      clock.tick(2);
      assert.equal(source.isCancellationRequested, true);
    } else {
      assertDurationError(
        () => source.cancelAfter(value),
        "cancel after a delay",
        value,
        expected,
      );
      assert.equal(clock.pendingTimers, 0);
    }
    await flush();
  },
);

Deno.test("CancellationTokenSource.linked() throws a TypeError naming the bad parent, before linking anything", () => {
  const counted = countedSignal();
  assert.throws(
    () =>
      CancellationTokenSource.linked(
        counted.signal,
        new CancellationTokenSource() as unknown as AbortSignal,
      ),
    {
      name: "TypeError",
      message:
        "Cannot link a cancellation token source as 'tokensOrSignals[1]' must be a CancellationToken or an AbortSignal: current value is an instance of CancellationTokenSource",
    },
  );
  assert.throws(
    () =>
      CancellationTokenSource.linked(
        counted.signal,
        counted.signal,
        null as unknown as AbortSignal,
      ),
    { message: /'tokensOrSignals\[2\]' .* current value is null/ },
  );
  assert.equal(counted.added, 0);
});

Deno.test("new CancellationTokenSource() throws on bad options, clock and parents", () => {
  assert.throws(
    () => new CancellationTokenSource(5 as never),
    {
      name: "TypeError",
      message:
        "Cannot create a CancellationTokenSource as 'options' must be an options object: current value is 5",
    },
  );
  assert.throws(
    () => new CancellationTokenSource({ parents: 1 as never }),
    { name: "TypeError", message: /'parents' must be an iterable/ },
  );
  assert.throws(
    () => new CancellationTokenSource({ parents: [{}] as never }),
    {
      name: "TypeError",
      message: /'parents\[0\]' must be a CancellationToken/,
    },
  );
  assert.throws(
    () => new CancellationTokenSource({ clock: { now: () => 0 } as never }),
    {
      name: "TypeError",
      message:
        "Cannot create a CancellationTokenSource as 'clock.setTimeout' must be a function: current value is undefined",
    },
  );
  const token = new CancellationTokenSource().token;
  assert.throws(() => new CancellationTokenSource(token as never), {
    name: "TypeError",
    message:
      "Cannot create a CancellationTokenSource as 'options' must be an options object: current value is an instance of CancellationToken (pass { signal: token.signal })",
  });
});

// --- leaks

Deno.test("100,000 linked sources on a long-lived signal and token leave 0 listeners", () => {
  const counted = countedSignal();
  const app = new CancellationTokenSource();
  for (let i = 0; i < 100_000; i++) {
    using op = CancellationTokenSource.linked(counted.signal, app.token);
    op.token.register(() => {});
  }
  assert.equal(counted.live, 0);
  assert.equal(counted.native, 0);
  assert.equal(counted.added, counted.removed);
  // The long-lived token keeps no node either: cancelling it runs nothing.
  let ran = 0;
  app.token.register(() => ran++);
  app.cancel();
  assert.equal(ran, 1);
});

Deno.test("CancellationTokenSource.cancel() propagates through a chain of 100,000 linked sources without overflowing the stack", () => {
  const root = new CancellationTokenSource();
  const order: number[] = [];
  let last = root;
  for (let i = 0; i < 100_000; i++) {
    last = CancellationTokenSource.linked(last.token);
    if (i % 25_000 === 0) last.token.register(() => order.push(i));
  }
  root.token.register(() => order.push(-1));
  root.cancel("stop");
  assert.equal(last.token.isCancellationRequested, true);
  assert.equal(last.token.reason, "stop");
  // Depth first, in registration order: the link (made first) before the
  // root's own later callback, and each child before its parent's next one.
  assert.deepEqual(order, [0, 25_000, 50_000, 75_000, -1]);
});
