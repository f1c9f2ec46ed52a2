import assert from "node:assert/strict";
import fc from "fast-check";
import { delay, type Future, pipeline, VirtualClock } from "@pledge/core";
import {
  assertRejectsWith,
  assertThrowsWith,
  catchUnhandled,
  countedSignal,
  flush,
} from "../_support.ts";
import { longLivedFuture, settle } from "./_support.ts";

Deno.test("pipeline() types flow from stage to stage", async () => {
  const run = pipeline(
    (s: string) => s.length,
    (n) => Promise.resolve(n * 2),
    { onError: () => -1 },
    (n) => `${n}!`,
  );
  const out: Future<string> = run("abc");
  assert.equal(await out, "6!");
  // @ts-expect-error the input is a string
  assert.equal(await run(5), "NaN!"); // (5).length is undefined
  // @ts-expect-error a recovery returns the type flowing where it stands
  pipeline((s: string) => s.length, { onError: () => "nope" });
});

Deno.test("pipeline() runs the stages in order, each on the previous value, with the run's signal", async () => {
  const clock = new VirtualClock();
  const signals: AbortSignal[] = [];
  const run = pipeline(
    async (n: number, signal) => {
      signals.push(signal);
      await delay(10, { clock, signal });
      return n + 1;
    },
    (n, signal) => (signals.push(signal), n * 10),
  );
  const out = run(4);
  assert.deepEqual(await settle(clock, out), {
    status: "fulfilled",
    value: 50,
  });
  assert.equal(signals[0], signals[1]);
  assert.equal(clock.now(), 10);
});

Deno.test("pipeline() skips to the next onError stage after a failure, whose value resumes the flow", async () => {
  const calls: string[] = [];
  const boom = new Error("boom");
  const run = pipeline(
    (n: number) => {
      calls.push("parse");
      if (n < 0) throw boom;
      return n;
    },
    (n) => (calls.push("double"), n * 2),
    {
      onError: (error) => {
        calls.push(`recover ${(error as Error).message}`);
        return 0;
      },
    },
    (n) => (calls.push("format"), `#${n}`),
  );
  assert.equal(await run(2), "#4");
  assert.deepEqual(calls, ["parse", "double", "format"]);
  calls.length = 0;
  assert.equal(await run(-1), "#0");
  assert.deepEqual(calls, ["parse", "recover boom", "format"]);
});

Deno.test("pipeline() passes what a recovery throws to the next recovery, and rejects when none is left", async () => {
  const first = new Error("first");
  const second = new Error("second");
  const seen: unknown[] = [];
  const run = pipeline(
    () => Promise.reject(first),
    {
      onError: (e) => {
        seen.push(e);
        throw second;
      },
    },
    (n: number) => n,
    { onError: (e) => (seen.push(e), 42) },
  );
  assert.equal(await run(undefined), 42);
  assert.deepEqual(seen, [first, second]);
  const noRecovery = pipeline(() => {
    throw first;
  });
  await assert.rejects(noRecovery(1), (e) => e === first);
});

Deno.test("pipeline() rejects with signal.reason unchanged, which no recovery stage catches", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  let recovered = false;
  let later = false;
  const run = pipeline(
    (ms: number, signal) => delay(ms, { clock, signal }),
    () => (later = true),
    { onError: () => (recovered = true) },
  );
  const out = run(100, { signal: counted.signal });
  clock.tick(10);
  counted.controller.abort("stop");
  await assert.rejects(out, (e) => e === "stop");
  await flush();
  assert.equal(recovered, false);
  assert.equal(later, false);
  assert.equal(counted.live, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("pipeline() with an aborted signal rejects at once without running a stage", async () => {
  const counted = countedSignal();
  counted.controller.abort("early");
  let ran = false;
  const run = pipeline(() => (ran = true));
  const out = run(0, { signal: counted.signal });
  assert.equal(out.state, "rejected");
  await assert.rejects(out, (e) => e === "early");
  assert.equal(ran, false);
  assert.equal(counted.added, 0);
});

Deno.test("pipeline() leaves no listener after success or failure", async () => {
  for (const ok of [true, false]) {
    const counted = countedSignal();
    const run = pipeline((n: number) => {
      if (!ok) throw new Error("x");
      return Promise.resolve(n);
    });
    await Promise.resolve(run(1, { signal: counted.signal })).catch(() => {});
    assert.equal(counted.live, 0);
  }
});

Deno.test("pipeline() property: equals a hand-written composition with try/catch", async () => {
  type Step = { kind: "add"; n: number } | { kind: "fail" } | {
    kind: "recover";
    n: number;
  };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant("add" as const), n: fc.integer() }),
    fc.record({ kind: fc.constant("fail" as const) }),
    fc.record({ kind: fc.constant("recover" as const), n: fc.integer() }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { maxLength: 8 }), async (steps) => {
      const stages = [
        (x: number) => x,
        ...steps.map((s) =>
          s.kind === "add"
            ? (x: number) => Promise.resolve(x + s.n)
            : s.kind === "fail"
            ? () => Promise.reject(new Error("fail"))
            : { onError: () => s.n }
        ),
      ];
      // The model.
      let value = 0;
      let failed = false;
      for (const s of steps) {
        if (s.kind === "recover") {
          if (failed) (failed = false, value = s.n);
        } else if (!failed) {
          if (s.kind === "add") value += s.n;
          else failed = true;
        }
      }
      const run = (pipeline as (
        ...s: unknown[]
      ) => (input: number) => Future<number>)(...stages);
      const outcome = await Promise.allSettled([run(0)]);
      if (failed) assert.equal(outcome[0]!.status, "rejected");
      else assert.deepEqual(outcome[0], { status: "fulfilled", value });
    }),
    { numRuns: 100 },
  );
});

Deno.test("pipeline() throws a TypeError for stages that are neither functions nor recoveries", () => {
  assertThrowsWith(
    () => (pipeline as (...s: unknown[]) => unknown)(),
    TypeError,
    "Cannot create a pipeline as 'stages[0]' must be a function: current value is undefined",
  );
  assertThrowsWith(
    () => pipeline({ onError: () => 1 } as never),
    TypeError,
    "Cannot create a pipeline as 'stages[0]' must be a function: current value is an object",
  );
  assertThrowsWith(
    () => pipeline((n: number) => n, 5 as never),
    TypeError,
    "Cannot create a pipeline as 'stages[1]' must be a function or an object with an onError function: current value is 5",
  );
  assertThrowsWith(
    () => pipeline((n: number) => n, { onError: "no" } as never),
    TypeError,
    "Cannot create a pipeline as 'stages[1]' must be a function or an object with an onError function: current value is an object",
  );
});

Deno.test("a pipeline run rejects, never throws, bad options", async () => {
  const run = pipeline((n: number) => n);
  await assertRejectsWith(
    () => run(1, { signal: "no" as never }),
    TypeError,
    `Cannot run a pipeline as 'signal' must be an AbortSignal: current value is "no"`,
  );
  await assertRejectsWith(
    () => run(1, new AbortController().signal as never),
    TypeError,
    "Cannot run a pipeline as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  );
});

Deno.test("a pipeline run leaves no unhandled rejection when a stage fails or the caller aborts", async () => {
  const reasons = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const run = pipeline(
      (ms: number, signal) => delay(ms, { clock, signal }).then(() => ms),
      (ms) => {
        if (ms === 5) throw new Error("five");
        return ms;
      },
    );
    await assert.rejects(clock.runUntilSettled(run(5)), /five/);
    const controller = new AbortController();
    const aborted = run(10, { signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
    clock.runAll();
  });
  assert.deepEqual(reasons, []);
});

Deno.test("a pipeline run aborted keeps no reaction on a long-lived Future", async () => {
  for (const keep of [true, false]) {
    // Each reaction a finished run kept would run once `longLived` settles.
    const { source, future: longLived, reactions } = longLivedFuture();
    const run = pipeline((n: number) => n + 1, () => longLived, {
      onError: () => -1,
    });
    const reasons = await catchUnhandled(async () => {
      // A run still waiting keeps its reaction and gets the outcome.
      const kept = keep
        ? pipeline(() => longLived)(0, {
          signal: new AbortController().signal,
        })
        : undefined;
      for (let i = 0; i < 10; i++) {
        // A stage that ignores its signal, then the caller aborts.
        const controller = new AbortController();
        const aborted = run(i, { signal: controller.signal });
        await flush();
        controller.abort(i);
        await assert.rejects(aborted, (e) => e === i);
      }
      source.reject(new Error("late"));
      if (kept !== undefined) await assert.rejects(kept, { message: "late" });
    });
    assert.equal(reactions(), keep ? 1 : 0);
    // Given up on, the late rejection stays handled, as natively.
    assert.deepEqual(reasons, []);
  }
});
