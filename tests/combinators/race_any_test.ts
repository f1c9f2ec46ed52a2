import assert from "node:assert/strict";
import fc from "fast-check";
import {
  any,
  anyWithWinner,
  Completer,
  delay,
  Future,
  race,
  raceWithWinner,
  VirtualClock,
} from "@pledge/core";
import { countedSignal, flush } from "../_support.ts";
import {
  type AnyCombinator,
  type Plan,
  plannedTasks,
  settle,
} from "./_support.ts";

const FOUR: [string, AnyCombinator][] = [
  ["race", race as AnyCombinator],
  ["raceWithWinner", raceWithWinner as AnyCombinator],
  ["any", any as AnyCombinator],
  ["anyWithWinner", anyWithWinner as AnyCombinator],
];

Deno.test("race() and any() infer the union of the inputs' values", async () => {
  const first = await race([Future.resolve(1), Promise.resolve("two")]);
  const union: number | string = first;
  // @ts-expect-error the value may be a string
  const onlyNumber: number = first;
  assert.equal(union, onlyNumber);

  const fromRecord = await any({
    a: (_signal: AbortSignal) => Promise.resolve(true),
    b: Promise.resolve(2n),
  });
  const value: boolean | bigint = fromRecord;
  assert.equal(value, true);
});

Deno.test("raceWithWinner() and anyWithWinner() type the winner by its key", async () => {
  const byIndex = await raceWithWinner([
    Future.resolve(1),
    Promise.resolve("two"),
  ]);
  if (byIndex.key === 0) {
    const n: number = byIndex.value;
    assert.equal(n, 1);
  } else {
    const s: string = byIndex.value;
    assert.fail(`unexpected winner ${s}`);
  }
  // @ts-expect-error a tuple of two has no index 2
  assert.notEqual(byIndex.key === 2, true);

  const byKey = await anyWithWinner({
    eu: Promise.reject<number>(new Error("down")),
    us: Promise.resolve("up"),
  });
  assert.equal(byKey.key, "us");
  if (byKey.key === "us") assert.equal(byKey.value.toUpperCase(), "UP");
  // @ts-expect-error the keys are "eu" and "us"
  assert.notEqual(byKey.key === "asia", true);
});

Deno.test("race() settles like the first input to settle and aborts the losers", async () => {
  const clock = new VirtualClock();
  const { tasks, seen } = plannedTasks(clock, [
    { ms: 30, ok: true },
    { ms: 10, ok: false },
    { ms: 20, ok: true },
  ]);
  const outcome = await settle(clock, race(tasks));
  assert.equal(outcome.status, "rejected");
  assert.equal((outcome as PromiseRejectedResult).reason.message, "1");
  assert.equal(clock.now(), 10);
  assert.equal(seen[0]!.signal!.aborted, true);
  assert.equal(seen[0]!.signal!.reason.name, "AbortError");
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("race() lets a plain value or a settled future win at once, without starting later tasks", () => {
  let called = false;
  const won = race([Future.resolve("ready"), () => (called = true)]);
  assert.equal(won.state, "fulfilled");
  assert.equal(won.value, "ready");
  assert.equal(called, false);
  assert.equal(race([new Promise(() => {}), 7]).value, 7);
});

Deno.test("raceWithWinner() reports the index or key of the winner", async () => {
  const clock = new VirtualClock();
  const winner = raceWithWinner({
    slow: (signal) => delay(20, { clock, signal }).then(() => "slow"),
    fast: (signal) => delay(10, { clock, signal }).then(() => "fast"),
  });
  assert.deepEqual(await settle(clock, winner), {
    status: "fulfilled",
    value: { key: "fast", value: "fast" },
  });
  assert.deepEqual(await raceWithWinner([new Promise(() => {}), 5]), {
    key: 1,
    value: 5,
  });
});

Deno.test("any() fulfils with the first fulfilment and aborts the others", async () => {
  const clock = new VirtualClock();
  const { tasks, seen } = plannedTasks(clock, [
    { ms: 5, ok: false },
    { ms: 20, ok: true },
    { ms: 30, ok: true },
  ]);
  const outcome = await settle(clock, anyWithWinner(tasks));
  assert.deepEqual(outcome, {
    status: "fulfilled",
    value: { key: 1, value: 1 },
  });
  assert.equal(seen[2]!.signal!.aborted, true);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("any() rejects with an AggregateError of every rejection in input order", async () => {
  const clock = new VirtualClock();
  const { tasks } = plannedTasks(clock, [
    { ms: 30, ok: false },
    { ms: 10, ok: false },
    { ms: 20, ok: false },
  ]);
  const outcome = await settle(clock, any(tasks));
  assert.equal(outcome.status, "rejected");
  const error = (outcome as PromiseRejectedResult).reason;
  assert.ok(error instanceof AggregateError);
  assert.deepEqual(error.errors.map((e: Error) => e.message), ["0", "1", "2"]);

  const fromRecord = any({
    b: Promise.reject(new Error("b")),
    a: Promise.reject(new Error("a")),
  });
  await assert.rejects(fromRecord, (e: AggregateError) => {
    assert.deepEqual(e.errors.map((x: Error) => x.message), ["b", "a"]);
    return true;
  });
});

Deno.test("any() of nothing rejects at once with an empty AggregateError", async () => {
  const none = any([]);
  assert.equal(none.state, "rejected");
  await assert.rejects(none, (e: AggregateError) => {
    assert.ok(e instanceof AggregateError);
    assert.deepEqual(e.errors, []);
    return true;
  });
});

Deno.test("race() and any() reject with signal.reason unchanged and abort the tasks with it", async () => {
  for (const [name, combinator] of FOUR) {
    const clock = new VirtualClock();
    const counted = countedSignal();
    const { tasks, seen } = plannedTasks(clock, [
      { ms: 10, ok: false },
      { ms: 20, ok: true },
    ]);
    const out = combinator(
      name.startsWith("race") ? tasks.slice(1) : tasks,
      { signal: counted.signal },
    );
    assert.equal(counted.live, 1, name);
    const reason = new Error(`stop ${name}`);
    counted.controller.abort(reason);
    await assert.rejects(out, (e) => e === reason);
    assert.equal(seen[1]!.signal!.reason, reason, name);
    assert.equal(counted.live, 0, name);
    await flush();
    assert.equal(clock.pendingTimers, 0, name);
  }
});

Deno.test("race() and any() with an aborted signal reject at once without calling a task or adding a listener", async () => {
  for (const [name, combinator] of FOUR) {
    const counted = countedSignal();
    counted.controller.abort("early");
    let called = false;
    const out = combinator([() => (called = true)], {
      signal: counted.signal,
    });
    await assert.rejects(out, (e) => e === "early");
    assert.equal(called, false, name);
    assert.equal(counted.added, 0, name);
  }
});

Deno.test("race() and any() leave no abort listener after a win, a failure or an abort", async () => {
  for (const [name, combinator] of FOUR) {
    for (const ending of ["win", "failure", "abort"] as const) {
      const counted = countedSignal();
      const a = new Completer<number>();
      const b = new Completer<number>();
      const out = combinator([a.future, b.future], {
        signal: counted.signal,
      });
      assert.equal(counted.live, 1);
      if (ending === "win") a.resolve(1);
      else if (ending === "failure") {
        a.reject(new Error("a"));
        b.reject(new Error("b"));
      } else counted.controller.abort("stop");
      await Promise.resolve(out).catch(() => {});
      assert.equal(counted.live, 0, `${name}() after ${ending}`);
    }
  }
});

const plansArb = fc.array(
  fc.record({ ms: fc.integer({ min: 0, max: 50 }), ok: fc.boolean() }),
  { minLength: 1, maxLength: 8 },
);

Deno.test("race() and any() property: settle like the model, abort the losers, leave nothing behind", async () => {
  await fc.assert(
    fc.asyncProperty(plansArb, fc.boolean(), async (plans: Plan[], isAny) => {
      const clock = new VirtualClock();
      const counted = countedSignal();
      const { tasks, seen } = plannedTasks(clock, plans);
      const combinator = isAny ? anyWithWinner : raceWithWinner;
      const outcome = await settle(
        clock,
        combinator(tasks, { signal: counted.signal }),
      );
      // The model: the earliest input (or the earliest fulfilment for any),
      // input order breaking ties.
      let winner = -1;
      plans.forEach((p, i) => {
        if ((!isAny || p.ok) && (winner < 0 || p.ms < plans[winner]!.ms)) {
          winner = i;
        }
      });
      if (winner >= 0 && plans[winner]!.ok) {
        assert.deepEqual(outcome, {
          status: "fulfilled",
          value: { key: winner, value: winner },
        });
      } else if (winner >= 0) {
        assert.equal(
          (outcome as PromiseRejectedResult).reason.message,
          String(winner),
        );
      } else {
        const error = (outcome as PromiseRejectedResult).reason;
        assert.ok(error instanceof AggregateError);
        assert.deepEqual(
          error.errors.map((e: Error) => e.message),
          plans.map((_, i) => String(i)),
        );
      }
      if (winner >= 0) {
        seen.forEach((s, i) => {
          if (plans[i]!.ms > plans[winner]!.ms) {
            assert.equal(s.signal!.aborted, true, `loser ${i}`);
          }
        });
      }
      await flush();
      assert.equal(clock.pendingTimers, 0);
      assert.equal(counted.live, 0);
    }),
    { numRuns: 80 },
  );
});
