import assert from "node:assert/strict";
import fc from "fast-check";
import { debounce, type Future, throttle, VirtualClock } from "@pledge/core";
import {
  assertThrowsWith,
  BAD_NUMBERS,
  catchUnhandled,
  flush,
} from "../_support.ts";
import { longLivedFuture, optionTable } from "./_support.ts";

const ACTION = "throttle a function";

Deno.test("throttle() runs at once under the limit, then folds the waiting calls into one run at the window's end", async () => {
  const clock = new VirtualClock();
  const runs: string[] = [];
  const throttled = throttle((s: string) => {
    runs.push(`${s}@${clock.now()}`);
    return s.toUpperCase();
  }, { limit: 2, intervalMs: 100, clock });
  const a = throttled("a");
  clock.tick(10);
  const b = throttled("b");
  const c = throttled("c");
  const d = throttled("d");
  assert.deepEqual(runs, ["a@0", "b@10"]);
  assert.equal(throttled.queued, 2);
  clock.tick(89);
  assert.deepEqual(runs, ["a@0", "b@10"]);
  clock.tick(1);
  assert.deepEqual(runs, ["a@0", "b@10", "d@100"]);
  assert.deepEqual(await Promise.all([a, b, c, d]), ["A", "B", "D", "D"]);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("throttle() uses a sliding window: a slot frees intervalMs after the run that took it", async () => {
  const clock = new VirtualClock();
  const at: number[] = [];
  const throttled = throttle(() => at.push(clock.now()), {
    intervalMs: 100,
    clock,
  });
  throttled(); // 0
  clock.tick(40);
  throttled(); // waits for 100
  clock.tick(60);
  clock.tick(50);
  throttled(); // waits for 200
  clock.runAll();
  assert.deepEqual(at, [0, 100, 200]);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("throttle().cancel() rejects the waiters and drops the timer; flush() runs them now", async () => {
  const clock = new VirtualClock();
  const throttled = throttle((n: number) => n, { intervalMs: 100, clock });
  assert.equal(await throttled(1), 1);
  const waiting = throttled(2);
  assert.equal(clock.pendingTimers, 1);
  throttled.cancel("stop");
  await assert.rejects(waiting, (e) => e === "stop");
  await flush();
  assert.equal(clock.pendingTimers, 0);
  assert.equal(throttled.flush(), undefined);
  const later = throttled(3);
  const flushed = throttled.flush();
  assert.equal(await flushed, 3);
  assert.equal(await later, 3);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("throttle() disposal cancels with an AbortError", async () => {
  const clock = new VirtualClock();
  let waiting: Future<number> | undefined;
  {
    using throttled = throttle(() => 1, { intervalMs: 10, clock });
    throttled();
    waiting = throttled();
  }
  await assert.rejects(waiting, { name: "AbortError" });
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("throttle() property: never more than limit runs in any window, and every caller's future settles", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat(80), { maxLength: 40 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 100 }),
      async (gaps, limit, intervalMs) => {
        const clock = new VirtualClock();
        const starts: number[] = [];
        const throttled = throttle(
          (n: number) => (starts.push(clock.now()), n),
          {
            limit,
            intervalMs,
            clock,
          },
        );
        const outs: Future<number>[] = [];
        let n = 0;
        for (const gap of gaps) {
          clock.tick(gap);
          outs.push(throttled(n++));
        }
        clock.runAll();
        const values = await Promise.all(outs);
        // The last caller always gets its own arguments' run.
        if (values.length > 0) assert.equal(values.at(-1), n - 1);
        for (let i = limit; i < starts.length; i++) {
          assert.ok(
            starts[i]! - starts[i - limit]! >= intervalMs,
            `runs ${i - limit} and ${i} are ${
              starts[i]! - starts[i - limit]!
            } ms apart`,
          );
        }
        await flush();
        assert.equal(clock.pendingTimers, 0);
      },
    ),
    { numRuns: 100 },
  );
});

optionTable(
  "throttle()",
  "throws",
  ACTION,
  "limit",
  "an integer >= 1",
  [
    ...BAD_NUMBERS.map((n): [number, typeof RangeError] => [n, RangeError]),
    ["2", TypeError],
  ],
  (limit) => throttle(() => 1, { limit, intervalMs: 10 }),
);

optionTable(
  "throttle()",
  "throws",
  ACTION,
  "intervalMs",
  "a finite number > 0",
  [
    ...BAD_NUMBERS.map((n): [number, "ok" | typeof RangeError] => [
      n,
      n === 1.5 ? "ok" : RangeError,
    ]),
    ["2", TypeError],
  ],
  (intervalMs) => throttle(() => 1, { intervalMs }),
  (throttled) => throttled.cancel(),
);

Deno.test("throttle() throws a TypeError for a bad fn or missing options", () => {
  assertThrowsWith(
    () => throttle(null as never, { intervalMs: 10 }),
    TypeError,
    `Cannot ${ACTION} as 'fn' must be a function: current value is null`,
  );
  assertThrowsWith(
    () => (throttle as (fn: () => void) => unknown)(() => {}),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is undefined`,
  );
});

Deno.test("throttle() throws for options that are an AbortSignal, or a clock that is not a Clock, before it arms anything", () => {
  assertThrowsWith(
    () => throttle(() => 1, new AbortController().signal as never),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is an AbortSignal (pass { signal })`,
  );
  assertThrowsWith(
    () =>
      throttle(() => 1, { intervalMs: 10, clock: { now: () => 0 } as never }),
    TypeError,
    `Cannot ${ACTION} as 'clock.setTimeout' must be a function: current value is undefined`,
  );
});

Deno.test("throttle() leaves no unhandled rejection when cancelled, and a foreign then that throws rejects its callers", async () => {
  const reasons = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const throttled = throttle(() => 1, { intervalMs: 100, clock });
    throttled(); // runs
    throttled(); // waits; ignored by its caller
    throttled.cancel();
    const boom = new Error("then");
    const broken = throttle(() =>
      ({
        then() {
          throw boom;
        },
      }) as unknown as PromiseLike<number>, { intervalMs: 100, clock });
    let out: PromiseLike<unknown> | undefined;
    assert.doesNotThrow(() => (out = broken()));
    await assert.rejects(Promise.resolve(out), (e) => e === boom);
    clock.runAll();
  });
  assert.deepEqual(reasons, []);
});

Deno.test("throttle() and debounce() cancelled in flight keep no reaction on a long-lived Future", async () => {
  for (const kind of ["throttle", "debounce"]) {
    for (const keep of [true, false]) {
      // Each reaction a cancelled call kept would run once `longLived`
      // settles.
      const { source, future: longLived, reactions } = longLivedFuture();
      const clock = new VirtualClock();
      const reasons = await catchUnhandled(async () => {
        const make = () =>
          kind === "throttle"
            ? throttle(() => longLived, { limit: 100, intervalMs: 1, clock })
            : debounce(() => longLived, 1, { leading: true, clock });
        // A call still in flight keeps its reaction and gets the outcome.
        const kept = keep ? make()() : undefined;
        const fn = make();
        for (let i = 0; i < 10; i++) {
          const call = fn();
          fn.cancel(i);
          await assert.rejects(call, (e) => e === i);
          clock.tick(1);
        }
        source.reject(new Error("late"));
        if (kept !== undefined) {
          await assert.rejects(kept, { message: "late" });
        }
      });
      assert.equal(reactions(), keep ? 1 : 0, kind);
      // Given up on, the late rejection stays handled, as natively.
      assert.deepEqual(reasons, [], kind);
    }
  }
});
