import assert from "node:assert/strict";
import fc from "fast-check";
import { CircuitBreaker } from "../../../src/resilience/breaker/circuit_breaker.ts";
import { ConsecutiveFailuresStrategy } from "../../../src/resilience/breaker/consecutive_failures_strategy.ts";
import { CountWindowStrategy } from "../../../src/resilience/breaker/count_window_strategy.ts";
import { TimeWindowStrategy } from "../../../src/resilience/breaker/time_window_strategy.ts";
import { CircuitOpenError } from "../../../src/core/errors.ts";
import { VirtualClock } from "../../../src/loop/virtual_clock.ts";
import { Bulkhead } from "../../../src/resilience/bulkhead.ts";
import { fallbackPolicy } from "../../../src/resilience/fallback.ts";
import { type PolicyContext, wrap } from "../../../src/resilience/policy.ts";
import { retryPolicy } from "../../../src/resilience/retry.ts";
import {
  type Backoff,
  constant,
  exponential,
} from "../../../src/resilience/backoff.ts";
import { timeoutPolicy } from "../../../src/resilience/timeout_policy.ts";
import {
  catchReported,
  catchUnhandled,
  countedSignal,
} from "../../_support.ts";
import { down, fail, refused, setup } from "./_breaker_support.ts";

/** A backoff from its `next` function (its preview follows from it). */
function backoffOf(next: (n: number, previousMs: number) => number): Backoff {
  return {
    next,
    preview: (n) => Array.from({ length: n }, (_, i) => next(i + 1, 0)),
  };
}

Deno.test("CircuitBreaker.execute() goes closed -> open -> half_open -> closed at exact times (consecutive)", async () => {
  const { clock, breaker, log } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 3 }),
  });
  await fail(breaker, 2);
  assert.equal(await breaker.execute(() => "ok"), "ok"); // resets the count
  await fail(breaker, 2);
  clock.tick(100);
  assert.equal(breaker.state, "closed");
  await fail(breaker);
  assert.equal(breaker.state, "open");
  await refused(breaker, "open", 1000);
  clock.tick(999);
  await refused(breaker, "open", 1);
  assert.equal(breaker.state, "open");
  clock.tick(1);
  assert.equal(breaker.state, "half_open");
  assert.equal(await breaker.execute(() => "probe"), "probe");
  assert.equal(breaker.state, "closed");
  assert.deepEqual(log, [
    "100 closed->open",
    "1100 open->half_open",
    "1100 half_open->closed",
  ]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("CircuitBreaker.execute() moves to half_open lazily when a call arrives after the break", async () => {
  const { clock, breaker, log } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
  });
  await fail(breaker);
  clock.tick(5000);
  assert.deepEqual(log, ["0 closed->open"]); // no timer: nothing happened yet
  assert.equal(await breaker.execute(() => 1), 1);
  assert.deepEqual(log, [
    "0 closed->open",
    "5000 open->half_open",
    "5000 half_open->closed",
  ]);
});

Deno.test("CircuitBreaker.execute() reopens on a failed probe with a cooldown backoff per opening", async () => {
  const seen: number[] = [];
  const { clock, breaker, log } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
    cooldownMs: backoffOf((openings, previousMs) => {
      seen.push(openings, previousMs);
      return 100 * 2 ** (openings - 1);
    }),
  });
  await fail(breaker, 2); // opens at 0 for 100
  clock.tick(100);
  await fail(breaker); // probe fails at 100: reopens for 200
  await refused(breaker, "open", 200);
  clock.tick(200);
  await fail(breaker); // at 300: reopens for 400
  clock.tick(400);
  await breaker.execute(() => "ok"); // at 700: closes
  await fail(breaker, 2); // at 700: opens again, attempt 1
  await refused(breaker, "open", 100);
  assert.deepEqual(log, [
    "0 closed->open",
    "100 open->half_open",
    "100 half_open->open",
    "300 open->half_open",
    "300 half_open->open",
    "700 open->half_open",
    "700 half_open->closed",
    "700 closed->open",
  ]);
  // the openings in a row, then the previous cooldown
  assert.deepEqual(seen, [1, 0, 2, 100, 3, 200, 1, 0]);
});

Deno.test("CircuitBreaker takes pledge's backoffs as cooldownMs", async () => {
  const { clock, breaker } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
    cooldownMs: exponential({ initialMs: 100, factor: 3, maxMs: 500 }),
  });
  await fail(breaker);
  await refused(breaker, "open", 100);
  for (const cooldown of [300, 500, 500]) {
    clock.tick(clock.now() === 0 ? 100 : breaker.stats.retryAfterMs);
    await fail(breaker); // the probe fails: reopens for the next cooldown
    await refused(breaker, "open", cooldown);
  }
});

Deno.test("CircuitBreaker.execute() opens on a failure ratio over a count window", async () => {
  const { breaker, log } = setup({
    strategy: new CountWindowStrategy({
      failureRatio: 0.5,
      windowSize: 4,
      minimumThroughput: 4,
    }),
  });
  await breaker.execute(() => 1);
  await fail(breaker);
  await breaker.execute(() => 1);
  assert.equal(breaker.state, "closed"); // 3 calls: below the minimum
  await breaker.execute(() => 1); // S F S S
  await fail(breaker); // F S S F: 2 of 4
  assert.equal(breaker.state, "open");
  assert.deepEqual(log, ["0 closed->open"]);
  const stats = breaker.stats;
  assert.equal(stats.windowCalls, 4);
  assert.equal(stats.windowFailures, 2);
});

Deno.test("CircuitBreaker.execute() opens on a failure ratio over a time window, at exact times", async () => {
  const { clock, breaker, log } = setup({
    strategy: new TimeWindowStrategy({
      failureRatio: 0.5,
      windowMs: 1000,
      buckets: 10,
      minimumThroughput: 4,
    }),
  });
  await fail(breaker); // at 0
  clock.tick(500);
  await breaker.execute(() => 1);
  clock.tick(100);
  await breaker.execute(() => 1);
  clock.tick(400); // 1000: the failure at 0 has left the window
  await fail(breaker);
  assert.equal(breaker.state, "closed"); // S S F: 3 calls
  clock.tick(1);
  await fail(breaker); // S S F F at 1001
  assert.equal(breaker.state, "open");
  clock.tick(1000);
  assert.equal(breaker.state, "half_open");
  await breaker.execute(() => 1);
  assert.deepEqual(log, [
    "1001 closed->open",
    "2001 open->half_open",
    "2001 half_open->closed",
  ]);
  assert.equal(breaker.stats.windowCalls, 0); // closing forgets the window
});

Deno.test("CircuitBreaker.execute() counts slow calls as failures but returns their value", async () => {
  const failures: { error: unknown; slow: boolean; durationMs: number }[] = [];
  const { clock, breaker, log } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
    slowCallMs: 100,
    onFailure: (e) => failures.push(e),
  });
  const after = (ms: number, value: string) =>
    breaker.execute(() =>
      new Promise<string>((r) => clock.setTimeout(() => r(value), ms))
    );
  assert.equal(
    await clock.runUntilSettled(after(100, "just in time")),
    "just in time",
  );
  assert.equal(await clock.runUntilSettled(after(101, "slow")), "slow");
  assert.equal(breaker.state, "closed");
  assert.equal(
    await clock.runUntilSettled(after(150, "slow again")),
    "slow again",
  );
  assert.equal(breaker.state, "open");
  assert.deepEqual(failures, [
    { error: undefined, slow: true, durationMs: 101 },
    { error: undefined, slow: true, durationMs: 150 },
  ]);
  assert.deepEqual(log, ["351 closed->open"]);
  // A slow probe reopens the circuit.
  clock.tick(1000);
  assert.equal(
    await clock.runUntilSettled(after(200, "slow probe")),
    "slow probe",
  );
  assert.equal(breaker.state, "open");
  assert.deepEqual(log.slice(1), [
    "1351 open->half_open",
    "1551 half_open->open",
  ]);
  assert.equal(breaker.stats.failures, 3);
});

Deno.test("CircuitBreaker.execute() lets at most halfOpenMaxProbes trial calls run at once", async () => {
  const { clock, breaker, log } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
    halfOpenMaxProbes: 2,
    successThreshold: 3,
  });
  await fail(breaker);
  clock.tick(1000);
  const gates: PromiseWithResolvers<string>[] = [];
  const probe = () => {
    const gate = Promise.withResolvers<string>();
    gates.push(gate);
    return gate.promise;
  };
  const first = breaker.execute(probe);
  const second = breaker.execute(probe);
  for (let i = 0; i < 3; i++) await refused(breaker, "half_open", 0);
  assert.equal(gates.length, 2);
  assert.equal(breaker.stats.runningProbes, 2);
  gates[0]!.resolve("a");
  assert.equal(await first, "a");
  assert.equal(breaker.state, "half_open"); // 1 of 3 successes
  const third = breaker.execute(probe); // the freed slot
  await refused(breaker, "half_open", 0);
  gates[1]!.resolve("b");
  gates[2]!.resolve("c");
  assert.deepEqual(await Promise.all([second, third]), ["b", "c"]);
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.stats.rejections, 4);
  assert.deepEqual(log, [
    "0 closed->open",
    "1000 open->half_open",
    "1000 half_open->closed",
  ]);
});

Deno.test("CircuitBreaker.execute() ignores the outcome of a probe that outlived its half-open period", async () => {
  const { clock, breaker, log } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
    halfOpenMaxProbes: 2,
  });
  await fail(breaker);
  clock.tick(1000);
  const slow = Promise.withResolvers<string>();
  const ok = breaker.execute(() => slow.promise);
  await fail(breaker); // the second probe fails: reopens
  slow.resolve("late");
  assert.equal(await ok, "late"); // the caller still gets the value
  assert.equal(breaker.state, "open"); // but it does not close the circuit
  assert.deepEqual(log.at(-1), "1000 half_open->open");
  assert.equal(breaker.stats.successes, 1);
});

Deno.test("CircuitBreaker.isolate() holds the circuit open until reset(), from every state", async () => {
  const { clock, breaker, log } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
  });
  const running = Promise.withResolvers<string>();
  const call = breaker.execute(() => running.promise);
  breaker.isolate(); // from closed, with a call running
  breaker.isolate(); // idempotent
  await refused(breaker, "isolated", Infinity);
  running.reject(new Error("late failure"));
  await assert.rejects(call, { message: "late failure" });
  clock.tick(1_000_000);
  assert.equal(breaker.state, "isolated");
  assert.equal(breaker.stats.retryAfterMs, Infinity);
  breaker.reset();
  assert.equal(breaker.state, "closed");
  await fail(breaker); // open
  breaker.isolate(); // from open
  clock.tick(1000);
  assert.equal(breaker.state, "isolated");
  breaker.reset();
  await fail(breaker);
  clock.tick(1000);
  assert.equal(breaker.state, "half_open");
  breaker.isolate(); // from half_open
  await refused(breaker, "isolated", Infinity);
  breaker.reset();
  breaker.reset(); // idempotent: no event
  assert.equal(await breaker.execute(() => "back"), "back");
  assert.deepEqual(log, [
    "0 closed->isolated",
    "1000000 isolated->closed",
    "1000000 closed->open",
    "1000000 open->isolated",
    "1001000 isolated->closed",
    "1001000 closed->open",
    "1002000 open->half_open",
    "1002000 half_open->isolated",
    "1002000 isolated->closed",
  ]);
});

Deno.test("CircuitBreaker.reset() forgets the window and the openings", async () => {
  const seen: number[] = [];
  const { clock, breaker } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
    cooldownMs: backoffOf((openings) => (seen.push(openings), 10)),
  });
  await fail(breaker, 2);
  clock.tick(10);
  await fail(breaker); // attempt 2
  breaker.reset();
  await fail(breaker);
  assert.equal(breaker.state, "closed"); // the first failure was forgotten
  await fail(breaker);
  assert.deepEqual(seen, [1, 2, 1]);
  assert.equal(breaker.stats.consecutiveOpenings, 1);
});

Deno.test("CircuitBreaker frees the probe slot of a call that ends with an ignored error", async () => {
  const { clock, breaker } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
  });
  await fail(breaker);
  clock.tick(1000);
  await assert.rejects(
    breaker.execute(() =>
      Promise.reject(new DOMException("stop", "AbortError"))
    ),
    { name: "AbortError", message: "stop" },
  );
  assert.equal(breaker.state, "half_open");
  assert.equal(breaker.stats.runningProbes, 0);
  assert.equal(await breaker.execute(() => "probe"), "probe");
  assert.equal(breaker.state, "closed");
});

Deno.test("CircuitBreaker observers run in the documented order and a throwing one breaks nothing", async () => {
  const order: string[] = [];
  const clock = new VirtualClock();
  const boom = (name: string) => (e: unknown) => {
    order.push(
      name +
        (e && typeof e === "object" && "to" in e
          ? `:${(e as { to: string }).to}`
          : ""),
    );
    throw new Error(`${name} threw`);
  };
  const breaker = new CircuitBreaker({
    clock,
    strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
    onStateChange: boom("stateChange"),
    onSuccess: boom("success"),
    onFailure: boom("failure"),
    onReject: boom("reject"),
    cooldownMs: backoffOf(() => {
      throw new Error("cooldownMs threw");
    }),
    shouldHandle: () => {
      throw new Error("shouldHandle threw");
    },
  });
  const reported = await catchReported(async () => {
    await assert.rejects(breaker.execute(down), { message: "down" });
    order.push("caller");
    await assert.rejects(breaker.execute(() => 1), CircuitOpenError);
    order.push("caller");
    clock.tick(5_000); // the cooldown fell back to the default
    assert.equal(await breaker.execute(() => 1), 1);
    order.push("caller");
  });
  assert.deepEqual(order, [
    "failure",
    "stateChange:open",
    "caller",
    "reject",
    "caller",
    "stateChange:half_open",
    "success",
    "stateChange:closed",
    "caller",
  ]);
  assert.deepEqual(reported.map((e) => (e as Error).message), [
    "shouldHandle threw",
    "failure threw",
    "cooldownMs threw",
    "stateChange threw",
    "reject threw",
    "stateChange threw",
    "success threw",
    "stateChange threw",
  ]);
});

Deno.test("CircuitBreaker reports a bad cooldown from its backoff and uses the default 5000 ms", async () => {
  for (const bad of [-1, NaN, Infinity, "5"]) {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker({
      clock,
      cooldownMs: backoffOf(() => bad as number),
      strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
    });
    const reported = await catchReported(() => fail(breaker));
    assert.equal(reported.length, 1);
    assert.match(
      (reported[0] as Error).message,
      /^Cannot open the circuit as 'cooldownMs\.next\(\)' must be/,
    );
    await refused(breaker, "open", 5_000);
  }
});

Deno.test("CircuitBreaker.execute() rejects with signal.reason when already aborted, and adds no listener", async () => {
  const { breaker } = setup();
  const reason = new Error("already");
  let ran = false;
  await assert.rejects(
    breaker.execute(() => (ran = true), { signal: AbortSignal.abort(reason) }),
    (e) => e === reason,
  );
  assert.equal(ran, false);
  const counted = countedSignal();
  let seen: AbortSignal | undefined;
  assert.equal(
    await breaker.execute(({ signal, attempt }) => (seen = signal, attempt), {
      signal: counted.signal,
      attempt: 3,
    }),
    3,
  );
  assert.equal(seen, counted.signal);
  assert.equal(counted.added, 0);
  assert.equal(counted.native, 0);
});

Deno.test("CircuitBreaker.execute() rejects bad arguments instead of throwing", async () => {
  const { breaker } = setup();
  await assert.rejects(breaker.execute(42 as never), {
    name: "TypeError",
    message:
      "Cannot execute the policy as 'fn' must be a function: current value is 42",
  });
  await assert.rejects(breaker.execute(() => 1, 5 as never), TypeError);
  await assert.rejects(breaker.execute(() => 1, { signal: {} as never }), {
    name: "TypeError",
    message:
      "Cannot execute the policy as 'signal' must be an AbortSignal: current value is an object",
  });
});

Deno.test("CircuitBreaker.stats reports the counters", async () => {
  const { clock, breaker } = setup({
    strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
  });
  await breaker.execute(() => 1);
  await fail(breaker, 2);
  clock.tick(250);
  await refused(breaker, "open", 750);
  assert.deepEqual(breaker.stats, {
    state: "open",
    windowCalls: 2,
    windowFailures: 2,
    consecutiveOpenings: 1,
    runningProbes: 0,
    probeSuccesses: 0,
    retryAfterMs: 750,
    successes: 1,
    failures: 2,
    rejections: 1,
  });
});

Deno.test("CircuitBreaker never lets more than halfOpenMaxProbes calls run in half-open (property)", async () => {
  type Op =
    | { kind: "call" }
    | { kind: "settle"; pick: number; ok: boolean }
    | { kind: "tick"; ms: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant({ kind: "call" as const }),
    fc.record({
      kind: fc.constant("settle" as const),
      pick: fc.nat(),
      ok: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.integer({ min: 0, max: 60 }),
    }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.array(op, { minLength: 30, maxLength: 100 }),
      async (maxProbes, successThreshold, ops) => {
        const clock = new VirtualClock();
        let period = 0; // counts half-open periods
        const breaker = new CircuitBreaker({
          clock,
          cooldownMs: 50,
          halfOpenMaxProbes: maxProbes,
          successThreshold,
          strategy: new ConsecutiveFailuresStrategy({ threshold: 2 }),
          onStateChange: ({ to }) => {
            if (to === "half_open") period++;
          },
        });
        const running: {
          gate: PromiseWithResolvers<void>;
          period: number;
          probe: boolean;
          done: Promise<unknown>;
        }[] = [];
        for (const o of ops) {
          if (o.kind === "tick") clock.tick(o.ms);
          else if (o.kind === "call") {
            const gate = Promise.withResolvers<void>();
            const state = breaker.state;
            const entry = {
              gate,
              period,
              probe: state === "half_open",
              done: Promise.resolve() as Promise<unknown>,
            };
            let started = false;
            entry.done = breaker.execute(() => {
              started = true;
              return gate.promise;
            }).catch(() => {});
            if (started) {
              running.push(entry);
              const probes = running.filter((r) =>
                r.probe && r.period === period
              ).length;
              if (probes > maxProbes) {
                throw new Error(`${probes} probes > ${maxProbes}`);
              }
              if (breaker.stats.runningProbes > maxProbes) {
                throw new Error("runningProbes");
              }
            } else {
              await entry.done;
            }
          } else if (running.length > 0) {
            const [entry] = running.splice(o.pick % running.length, 1);
            if (o.ok) entry!.gate.resolve();
            else entry!.gate.reject(new Error("down"));
            await entry!.done;
          }
        }
        for (const r of running) r.gate.resolve();
        await Promise.all(running.map((r) => r.done));
        assert.equal(clock.pendingTimers, 0);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("wrap(fallback, retry, breaker, bulkhead, timeout) composes on the virtual clock", async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const breaker = new CircuitBreaker({
    clock,
    cooldownMs: 100,
    strategy: new ConsecutiveFailuresStrategy({ threshold: 3 }),
    onStateChange: ({ to }) => log.push(`${clock.now()} ${to}`),
  });
  const bulkhead = new Bulkhead({ concurrency: 1 });
  const policy = wrap(
    fallbackPolicy((error) => {
      const e = error as Error;
      return `fallback: ${e.name} of ${(e.cause as Error | undefined)?.name}`;
    }),
    retryPolicy({ maxAttempts: 3, backoff: constant(10), clock }),
    breaker,
    bulkhead,
    timeoutPolicy(50, { clock }),
  );
  let latency = Infinity; // Infinity: hangs until aborted
  const calls: number[] = [];
  const dependency = ({ signal }: PolicyContext) => {
    calls.push(clock.now());
    return new Promise<string>((resolve, reject) => {
      const timer = latency === Infinity
        ? undefined
        : clock.setTimeout(() => resolve(`up at ${clock.now()}`), latency);
      signal.addEventListener("abort", () => {
        clock.clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    });
  };
  // Each attempt times out; the third failure opens the circuit.
  assert.equal(
    await clock.runUntilSettled(policy.execute(dependency)),
    "fallback: RetryError of TimeoutError",
  );
  assert.deepEqual(calls, [0, 60, 120]);
  assert.deepEqual(log, ["170 open"]);
  // While open, the retry waits out the CircuitOpenError's retryAfterMs
  // instead of hammering: the next attempt is the half-open probe.
  latency = 15;
  assert.equal(
    await clock.runUntilSettled(policy.execute(dependency)),
    "up at 285",
  );
  assert.deepEqual(calls, [0, 60, 120, 270]);
  assert.deepEqual(log, ["170 open", "270 half_open", "285 closed"]);
  // A second caller meets the bulkhead and is retried until the slot frees.
  clock.tick(80);
  const both = Promise.all([
    policy.execute(dependency),
    policy.execute(dependency),
  ]);
  assert.deepEqual(await clock.runUntilSettled(both), [
    "up at 380",
    "up at 400",
  ]);
  assert.deepEqual(calls, [0, 60, 120, 270, 365, 385]);
  assert.deepEqual(log, ["170 open", "270 half_open", "285 closed"]);
  assert.equal(breaker.stats.failures, 3); // the bulkhead's refusals never counted
  await clock.runAllAsync();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("CircuitBreaker leaves no unhandled rejection from refused calls, failed or aborted probes", async () => {
  const unhandled = await catchUnhandled(async () => {
    const { clock, breaker } = setup({
      strategy: new ConsecutiveFailuresStrategy({ threshold: 1 }),
      halfOpenMaxProbes: 1,
    });
    await fail(breaker);
    await refused(breaker, "open", 1000);
    clock.tick(1000);
    // A probe aborted by its caller, a call refused while it runs.
    const controller = new AbortController();
    const probe = breaker.execute(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason))
        ),
      { signal: controller.signal },
    );
    await refused(breaker, "half_open", 0);
    controller.abort(new Error("caller"));
    await assert.rejects(probe, { message: "caller" });
    await fail(breaker); // the next probe fails: open again
    breaker.isolate();
    await refused(breaker, "isolated", Infinity);
  });
  assert.deepEqual(unhandled, []);
});
