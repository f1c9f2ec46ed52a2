import assert from "node:assert/strict";
import fc from "fast-check";
import { debounce, delay, type Future, VirtualClock } from "@pledge/core";
import {
  assertThrowsWith,
  catchUnhandled,
  DURATIONS,
  flush,
} from "../_support.ts";
import { optionTable } from "./_support.ts";

const ACTION = "debounce a function";

/** A recorded function: logs `args@time` and returns the joined args. */
function recorder(clock: VirtualClock) {
  const runs: string[] = [];
  const fn = (...args: string[]) => {
    runs.push(`${args.join(",")}@${clock.now()}`);
    return args.join(",");
  };
  return { runs, fn };
}

Deno.test("debounce() runs once at the end of a burst, with the latest arguments, for every caller", async () => {
  const clock = new VirtualClock();
  const { runs, fn } = recorder(clock);
  const debounced = debounce(fn, 100, { clock });
  const a = debounced("a");
  clock.tick(60);
  const b = debounced("b");
  clock.tick(60);
  const c = debounced("c");
  assert.equal(debounced.queued, 3);
  clock.tick(99);
  assert.deepEqual(runs, []);
  clock.tick(1);
  assert.deepEqual(runs, ["c@220"]);
  assert.deepEqual(await Promise.all([a, b, c]), ["c", "c", "c"]);
  assert.equal(debounced.queued, 0);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("debounce() with leading runs at the start of a burst; later calls of the burst get that result", async () => {
  const clock = new VirtualClock();
  const { runs, fn } = recorder(clock);
  const debounced = debounce(fn, 100, {
    clock,
    leading: true,
    trailing: false,
  });
  const a = debounced("a");
  assert.deepEqual(runs, ["a@0"]);
  clock.tick(50);
  const b = debounced("b");
  clock.tick(150);
  assert.deepEqual(runs, ["a@0"]);
  assert.deepEqual(await Promise.all([a, b]), ["a", "a"]);
  const c = debounced("c");
  assert.deepEqual(runs, ["a@0", "c@200"]);
  assert.equal(await c, "c");
  clock.runAll();
});

Deno.test("debounce() with leading and trailing runs at both ends, the trailing run only if a call came after", async () => {
  const clock = new VirtualClock();
  const { runs, fn } = recorder(clock);
  const debounced = debounce(fn, 100, { clock, leading: true });
  const a = debounced("a");
  const b = debounced("b");
  clock.tick(100);
  assert.deepEqual(runs, ["a@0", "b@100"]);
  assert.deepEqual(await Promise.all([a, b]), ["a", "b"]);
  debounced("alone");
  clock.tick(100);
  assert.deepEqual(runs, ["a@0", "b@100", "alone@100"]);
});

Deno.test("debounce() with maxWaitMs runs at the latest maxWaitMs after a burst's first call", async () => {
  const clock = new VirtualClock();
  const { runs, fn } = recorder(clock);
  const debounced = debounce(fn, 100, { clock, maxWaitMs: 250 });
  const calls: Future<string>[] = [];
  for (let t = 0; t <= 400; t += 50) {
    calls.push(debounced(`t${t}`));
    clock.tick(50);
  }
  clock.runAll();
  assert.deepEqual(runs, ["t200@250", "t400@500"]);
  assert.deepEqual((await Promise.all(calls)).slice(3, 6), [
    "t200",
    "t200",
    "t400",
  ]);
});

Deno.test("debounce() rejects every caller of an invocation that fails", async () => {
  const clock = new VirtualClock();
  const boom = new Error("boom");
  const debounced = debounce((_x: number) => Promise.reject(boom), 10, {
    clock,
  });
  const a = debounced(1);
  const b = debounced(2);
  clock.tick(10);
  await assert.rejects(a, (e) => e === boom);
  await assert.rejects(b, (e) => e === boom);
});

Deno.test("debounce().cancel() rejects every waiter, running ones included, and drops the timer", async () => {
  const clock = new VirtualClock();
  const debounced = debounce(
    (ms: number) => delay(ms, { clock }).then(() => ms),
    10,
    { clock },
  );
  const running = debounced(1000);
  clock.tick(10); // the invocation runs, for 1000 ms
  const waiting = debounced(5);
  const reason = new Error("closed");
  debounced.cancel(reason);
  await assert.rejects(running, (e) => e === reason);
  await assert.rejects(waiting, (e) => e === reason);
  assert.equal(debounced.queued, 0);
  clock.runAll(); // the delay of the cancelled run
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("debounce().cancel() without a reason rejects with an AbortError, reported to nobody who ignored it", async () => {
  const clock = new VirtualClock();
  const debounced = debounce(() => 1, 10, { clock });
  debounced(); // fire and forget: no unhandled rejection when cancelled
  const kept = debounced();
  debounced.cancel();
  await assert.rejects(kept, { name: "AbortError" });
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("debounce().flush() runs the waiting invocation now", async () => {
  const clock = new VirtualClock();
  const { runs, fn } = recorder(clock);
  const debounced = debounce(fn, 100, { clock });
  assert.equal(debounced.flush(), undefined);
  const a = debounced("a");
  clock.tick(30);
  const flushed = debounced.flush();
  assert.deepEqual(runs, ["a@30"]);
  assert.equal(await flushed, "a");
  assert.equal(await a, "a");
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("debounce() disposal cancels", async () => {
  const clock = new VirtualClock();
  let waiting: Future<number> | undefined;
  {
    using debounced = debounce(() => 1, 10, { clock });
    waiting = debounced();
  }
  await assert.rejects(waiting, { name: "AbortError" });
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

/** A debounce operation of the property test: wait `gap` ms, then act. */
type Op = { kind: "call" | "cancel" | "flush"; gap: number };

/**
 * The times the invocations must start at, by the documented rules: a burst
 * starts with a call when no timer runs; the trailing run comes once no call
 * came for `waitMs`, or `maxWaitMs` after the burst's first call, whichever
 * is first, and only if a call waits for it; `flush` runs the waiting call
 * now, `cancel` drops it; both end the burst.
 */
function expectedRuns(
  ops: readonly Op[],
  waitMs: number,
  maxWaitMs: number,
  leading: boolean,
  trailing: boolean,
): number[] {
  const runs: number[] = [];
  let now = 0;
  let armed = false;
  let burstStart = 0;
  let lastCall = 0;
  let waiting = 0;
  const due = () => Math.min(lastCall + waitMs, burstStart + maxWaitMs);
  const advance = (to: number) => {
    if (armed && due() <= to) {
      armed = false;
      if (waiting > 0) (runs.push(due()), waiting = 0);
    }
    now = to;
  };
  for (const op of ops) {
    advance(now + op.gap);
    if (op.kind === "call") {
      lastCall = now;
      if (!armed) {
        armed = true;
        burstStart = now;
        if (leading) runs.push(now);
        else waiting++;
      } else if (trailing) waiting++;
    } else {
      armed = false;
      if (op.kind === "flush" && waiting > 0) runs.push(now);
      waiting = 0;
    }
  }
  advance(Infinity);
  return runs;
}

Deno.test("debounce() property: runs exactly when the rules say (maxWaitMs included), every caller's future settles, nothing is left", async () => {
  const op = fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant("call" as const),
        gap: fc.nat(150),
      }),
      weight: 6,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant("call" as const),
        gap: fc.nat(40),
      }),
      weight: 6,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant("cancel" as const),
        gap: fc.nat(50),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant("flush" as const),
        gap: fc.nat(50),
      }),
      weight: 1,
    },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(op, { maxLength: 30 }),
      fc.boolean(),
      fc.boolean(),
      fc.option(fc.integer({ min: 100, max: 300 }), { nil: undefined }),
      async (ops, leading, trailingIfLeading, maxWaitMs) => {
        const clock = new VirtualClock();
        const trailing = leading ? trailingIfLeading : true;
        const runs: number[] = [];
        const debounced = debounce(
          (n: number) => (runs.push(clock.now()), n),
          100,
          {
            clock,
            leading,
            trailing,
            ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
          },
        );
        const outcomes: Promise<PromiseSettledResult<number>>[] = [];
        let calls = 0;
        for (const o of ops) {
          clock.tick(o.gap);
          if (o.kind === "call") {
            calls++;
            outcomes.push(
              Promise.allSettled([debounced(calls)]).then((r) => r[0]!),
            );
          } else if (o.kind === "cancel") debounced.cancel();
          else debounced.flush();
        }
        clock.runAll();
        assert.deepEqual(
          runs,
          expectedRuns(ops, 100, maxWaitMs ?? Infinity, leading, trailing),
        );
        const settled = await Promise.all(outcomes);
        assert.equal(settled.length, calls);
        assert.equal(debounced.queued, 0);
        await flush();
        assert.equal(clock.pendingTimers, 0);
      },
    ),
    { numRuns: 200 },
  );
});

optionTable(
  "debounce()",
  "throws",
  ACTION,
  "waitMs",
  "a finite number >= 0",
  DURATIONS,
  (waitMs) => debounce(() => 1, waitMs),
  (debounced) => debounced.cancel(),
);

Deno.test("debounce() throws for a bad fn, flags or maxWaitMs", () => {
  assertThrowsWith(
    () => debounce(5 as never, 10),
    TypeError,
    `Cannot ${ACTION} as 'fn' must be a function: current value is 5`,
  );
  assertThrowsWith(
    () => debounce(() => 1, 10, { leading: "yes" as never }),
    TypeError,
    `Cannot ${ACTION} as 'leading' must be a boolean: current value is "yes"`,
  );
  assertThrowsWith(
    () => debounce(() => 1, 10, { trailing: 0 as never }),
    TypeError,
    `Cannot ${ACTION} as 'trailing' must be a boolean: current value is 0`,
  );
  assertThrowsWith(
    () => debounce(() => 1, 10, { leading: false, trailing: false }),
    RangeError,
    `Cannot ${ACTION} as 'trailing' must be true when 'leading' is false: current value is false`,
  );
  assertThrowsWith(
    () => debounce(() => 1, 10, { maxWaitMs: 5 }),
    RangeError,
    `Cannot ${ACTION} as 'maxWaitMs' must be >= waitMs (10): current value is 5`,
  );
  assertThrowsWith(
    () => debounce(() => 1, 10, { maxWaitMs: Infinity }),
    RangeError,
    `Cannot ${ACTION} as 'maxWaitMs' must be a finite number >= 0: current value is Infinity`,
  );
  assertThrowsWith(
    () => debounce(() => 1, 10, 3 as never),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is 3`,
  );
});

Deno.test("debounce() throws for options that are an AbortSignal, or a clock that is not a Clock, before it arms anything", () => {
  assertThrowsWith(
    () => debounce(() => 1, 10, new AbortController().signal as never),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is an AbortSignal (pass { signal })`,
  );
  assertThrowsWith(
    () => debounce(() => 1, 10, { clock: "system" as never }),
    TypeError,
    `Cannot ${ACTION} as 'clock' must be a Clock: current value is "system"`,
  );
  assertThrowsWith(
    () =>
      debounce(() => 1, 10, {
        clock: { now: () => 0, setTimeout: () => 0, clearTimeout: 1 } as never,
      }),
    TypeError,
    `Cannot ${ACTION} as 'clock.clearTimeout' must be a function: current value is 1`,
  );
});

Deno.test("debounce() leaves no unhandled rejection when cancelled or disposed, even for callers that ignored their future", async () => {
  const reasons = await catchUnhandled(() => {
    const clock = new VirtualClock();
    const slow = debounce(
      (ms: number) => delay(ms, { clock }).then(() => ms),
      10,
      { clock },
    );
    slow(1000);
    clock.tick(10); // running
    slow(5); // waiting
    slow.cancel(new Error("closed"));
    {
      using disposed = debounce(() => 1, 10, { clock });
      disposed();
    }
    clock.runAll();
  });
  assert.deepEqual(reasons, []);
});
