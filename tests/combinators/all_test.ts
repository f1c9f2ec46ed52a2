import assert from "node:assert/strict";
import fc from "fast-check";
import {
  all,
  allSettled,
  Completer,
  delay,
  Future,
  VirtualClock,
} from "@pledge/core";
import { countedSignal, flush } from "../_support.ts";
import {
  type AnyCombinator,
  type Plan,
  plannedTasks,
  settle,
} from "./_support.ts";

const BOTH: [string, AnyCombinator][] = [
  ["all", all as AnyCombinator],
  ["allSettled", allSettled as AnyCombinator],
];

Deno.test("all() infers a tuple for a tuple, an array for an iterable and a record for a record", async () => {
  const [n, s, b, t] = await all([
    Future.resolve(1),
    Promise.resolve("two"),
    true,
    (_signal: AbortSignal) => Promise.resolve(4n),
  ]);
  const sum: number = n + 1;
  const upper: string = s.toUpperCase();
  const flag: boolean = b;
  const big: bigint = t;
  // @ts-expect-error the second element is a string, not a number
  const wrong: number = s;
  assert.deepEqual([sum, upper, flag, big, wrong], [2, "TWO", true, 4n, "two"]);

  const fromSet = await all(new Set([Promise.resolve(1), Promise.resolve(2)]));
  const values: number[] = fromSet;
  assert.deepEqual(values, [1, 2]);

  const user = await all({
    id: 7,
    name: Promise.resolve("Ada"),
    roles: (_signal: AbortSignal) => Future.resolve(["admin"]),
  });
  const id: number = user.id;
  const roles: string[] = user.roles;
  // @ts-expect-error a record result has only the input's keys
  user.email;
  // @ts-expect-error the name is a string
  const nameAsNumber: number = user.name;
  assert.deepEqual({ id, roles, name: nameAsNumber }, {
    id: 7,
    roles: ["admin"],
    name: "Ada",
  });
});

Deno.test("allSettled() infers outcome tuples and records", async () => {
  const [a, b] = await allSettled([
    Promise.resolve(1),
    () => Promise.reject<string>(new Error("no")),
  ]);
  if (a.status === "fulfilled") {
    const n: number = a.value;
    assert.equal(n, 1);
    // @ts-expect-error a fulfilled outcome has no reason
    a.reason;
  } else assert.fail("a should be fulfilled");
  assert.equal(b.status, "rejected");

  const outcomes = await allSettled({ x: Future.resolve("x") });
  // @ts-expect-error a record of outcomes has only the input's keys
  outcomes.y;
  assert.deepEqual(outcomes.x, { status: "fulfilled", value: "x" });
});

Deno.test("all() fulfils in input order whatever the completion order", async () => {
  const clock = new VirtualClock();
  const values = all([
    delay(30, { clock }).then(() => "slow"),
    delay(10, { clock }).then(() => "fast"),
    "plain",
  ]);
  const outcome = await settle(clock, values);
  assert.deepEqual(outcome, {
    status: "fulfilled",
    value: ["slow", "fast", "plain"],
  });
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("all() of nothing fulfils with an empty array or record", async () => {
  assert.deepEqual(await all([]), []);
  assert.deepEqual(await all({}), {});
  assert.deepEqual(await allSettled([]), []);
});

Deno.test("all() rejects with the first rejection and aborts the siblings still running", async () => {
  const clock = new VirtualClock();
  const boom = new Error("boom");
  const { tasks, seen } = plannedTasks(clock, [
    { ms: 100, ok: true },
    { ms: 200, ok: true },
  ]);
  const values = all([
    tasks[0]!,
    (_signal) => delay(50, { clock }).then(() => Promise.reject(boom)),
    tasks[1]!,
  ]);
  const outcome = await settle(clock, values);
  assert.deepEqual(outcome, { status: "rejected", reason: boom });
  assert.equal(clock.now(), 50);
  assert.equal(seen[0]!.signal!.aborted, true);
  assert.equal(seen[1]!.signal!.aborted, true);
  assert.equal(seen[0]!.signal!.reason.name, "AbortError");
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("all() gives every task of a call the same signal, never aborted on success", async () => {
  const signals: AbortSignal[] = [];
  const values = await all([
    (signal) => (signals.push(signal), 1),
    (signal) => (signals.push(signal), Promise.resolve(2)),
  ]);
  assert.deepEqual(values, [1, 2]);
  assert.equal(signals[0], signals[1]);
  assert.equal(signals[0]!.aborted, false);
});

Deno.test("all() does not start the tasks after a synchronous failure", async () => {
  let called = false;
  const boom = new Error("sync");
  const values = all([
    () => {
      throw boom;
    },
    () => (called = true),
  ]);
  await assert.rejects(values, (e) => e === boom);
  assert.equal(called, false);
});

Deno.test("all() rejects with what the iterable throws", async () => {
  const boom = new Error("iterator");
  function* broken(): Generator<number> {
    yield 1;
    throw boom;
  }
  await assert.rejects(all(broken()), (e) => e === boom);
});

Deno.test("all() rejects with signal.reason unchanged and aborts the tasks with it", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const { tasks, seen } = plannedTasks(clock, [
    { ms: 100, ok: true },
    { ms: 200, ok: true },
  ]);
  const values = all(tasks, { signal: counted.signal });
  assert.equal(counted.live, 1);
  clock.tick(50);
  const reason = { why: "user left" };
  counted.controller.abort(reason);
  await assert.rejects(values, (e) => e === reason);
  assert.equal(seen[0]!.signal!.reason, reason);
  assert.equal(counted.live, 0);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("all() with an aborted signal rejects at once, reads no input and adds no listener", async () => {
  const counted = countedSignal();
  counted.controller.abort("before");
  let called = false;
  const values = all([() => (called = true)], { signal: counted.signal });
  assert.equal(values.state, "rejected");
  await assert.rejects(values, (e) => e === "before");
  assert.equal(called, false);
  assert.equal(counted.added, 0);
});

Deno.test("all() adds no listener when every input is already settled, and still honours an abort before it settles", async () => {
  const counted = countedSignal();
  assert.deepEqual(
    await all([1, Future.resolve(2)], { signal: counted.signal }),
    [1, 2],
  );
  const late = all([1, Future.resolve(2)], { signal: counted.signal });
  counted.controller.abort("late");
  await assert.rejects(late, (e) => e === "late");
  assert.equal(counted.added, 0);
});

Deno.test("all() and allSettled() leave no abort listener after success, failure or abort", async () => {
  for (const [name, combinator] of BOTH) {
    for (const ending of ["success", "failure", "abort"] as const) {
      const counted = countedSignal();
      const gate = new Completer<number>();
      const out = combinator([gate.future, Promise.resolve(1)], {
        signal: counted.signal,
      });
      assert.equal(counted.live, 1);
      if (ending === "success") gate.resolve(2);
      else if (ending === "failure") gate.reject(new Error("x"));
      else counted.controller.abort("stop");
      await Promise.resolve(out).catch(() => {});
      assert.equal(counted.live, 0, `${name}() after ${ending}`);
    }
  }
});

Deno.test("allSettled() waits for every input and never rejects on their failures", async () => {
  const clock = new VirtualClock();
  const { tasks, seen } = plannedTasks(clock, [
    { ms: 10, ok: false },
    { ms: 20, ok: true },
  ]);
  const outcome = await settle(clock, allSettled(tasks));
  assert.equal(outcome.status, "fulfilled");
  const [a, b] = (outcome as PromiseFulfilledResult<
    PromiseSettledResult<number>[]
  >).value;
  assert.equal(a!.status, "rejected");
  assert.deepEqual(b, { status: "fulfilled", value: 1 });
  assert.equal(seen[1]!.signal!.aborted, false);
  assert.equal(clock.now(), 20);
});

Deno.test("allSettled() rejects with signal.reason when the caller aborts", async () => {
  const controller = new AbortController();
  const out = allSettled([new Promise(() => {})], {
    signal: controller.signal,
  });
  controller.abort("gone");
  await assert.rejects(out, (e) => e === "gone");
});

const plansArb = fc.array(
  fc.record({ ms: fc.integer({ min: 0, max: 50 }), ok: fc.boolean() }),
  { minLength: 1, maxLength: 8 },
);

Deno.test("all() property: settles like the model, aborts every sibling after a failure, leaves nothing behind", async () => {
  await fc.assert(
    fc.asyncProperty(plansArb, async (plans: Plan[]) => {
      const clock = new VirtualClock();
      const counted = countedSignal();
      const { tasks, seen } = plannedTasks(clock, plans);
      const outcome = await settle(
        clock,
        all(tasks, { signal: counted.signal }),
      );
      // The model: the earliest rejection (input order breaks ties), or all
      // the values.
      let first = -1;
      plans.forEach((p, i) => {
        if (!p.ok && (first < 0 || p.ms < plans[first]!.ms)) first = i;
      });
      if (first < 0) {
        assert.deepEqual(outcome, {
          status: "fulfilled",
          value: plans.map((_, i) => i),
        });
      } else {
        assert.equal(outcome.status, "rejected");
        assert.equal(
          (outcome as PromiseRejectedResult).reason.message,
          String(first),
        );
        // Every sibling that had not settled saw its signal aborted.
        seen.forEach((s, i) => {
          if (plans[i]!.ms > plans[first]!.ms) {
            assert.equal(s.signal!.aborted, true, `sibling ${i}`);
          }
        });
      }
      await flush();
      assert.equal(clock.pendingTimers, 0);
      assert.equal(counted.live, 0);
    }),
    { numRuns: 60 },
  );
});

Deno.test("allSettled() property: fulfils with every outcome in input order and leaves nothing behind", async () => {
  await fc.assert(
    fc.asyncProperty(plansArb, async (plans: Plan[]) => {
      const clock = new VirtualClock();
      const counted = countedSignal();
      const { tasks } = plannedTasks(clock, plans);
      const outcome = await settle(
        clock,
        allSettled(tasks, { signal: counted.signal }),
      );
      assert.equal(outcome.status, "fulfilled");
      const outcomes = (outcome as PromiseFulfilledResult<
        PromiseSettledResult<number>[]
      >).value;
      assert.deepEqual(
        outcomes.map((o) => o.status),
        plans.map((p) => (p.ok ? "fulfilled" : "rejected")),
      );
      await flush();
      assert.equal(clock.pendingTimers, 0);
      assert.equal(counted.live, 0);
    }),
    { numRuns: 40 },
  );
});
