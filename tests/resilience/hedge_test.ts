import assert from "node:assert/strict";
import { type HedgeOptions, hedgePolicy } from "../../src/resilience/hedge.ts";
import type { PolicyContext } from "../../src/resilience/policy.ts";
import { VirtualClock } from "../../src/loop/virtual_clock.ts";
import {
  BAD_NUMBERS,
  catchUnhandled,
  countedSignal,
  flush,
} from "../_support.ts";

interface Attempt {
  start: number;
  signal: AbortSignal;
  end?: number;
}

/** Attempts that settle after the given latencies (negative: fail). */
function replicas(clock: VirtualClock, latencies: number[]) {
  const attempts: Attempt[] = [];
  const fn = ({ signal }: PolicyContext) => {
    const i = attempts.length;
    const latency = latencies[i]!;
    const attempt: Attempt = { start: clock.now(), signal };
    attempts.push(attempt);
    return new Promise<string>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        attempt.end = clock.now();
        if (latency < 0) reject(new Error(`attempt ${i} failed`));
        else resolve(`attempt ${i}`);
      }, Math.abs(latency));
      signal.addEventListener("abort", () => {
        clock.clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    });
  };
  return { attempts, fn };
}

function hedge(clock: VirtualClock, options: Partial<HedgeOptions> = {}) {
  return hedgePolicy({ delayMs: 100, clock, ...options });
}

Deno.test("hedgePolicy() starts no hedge when the first attempt is fast enough", async () => {
  const clock = new VirtualClock();
  const { attempts, fn } = replicas(clock, [99]);
  assert.equal(
    await clock.runUntilSettled(hedge(clock).execute(fn)),
    "attempt 0",
  );
  assert.equal(attempts.length, 1);
  assert.equal(attempts[0]!.signal.aborted, false);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("hedgePolicy() takes the first success and aborts the other attempts", async () => {
  const clock = new VirtualClock();
  const { attempts, fn } = replicas(clock, [500, 50]);
  assert.equal(
    await clock.runUntilSettled(hedge(clock).execute(fn)),
    "attempt 1",
  );
  assert.equal(clock.now(), 150);
  assert.deepEqual(attempts.map((a) => a.start), [0, 100]);
  assert.equal(attempts[0]!.signal.aborted, true);
  assert.equal(attempts[0]!.signal.reason.name, "AbortError");
  assert.equal(attempts[0]!.end, undefined); // stopped, not run to the end
  assert.equal(attempts[1]!.signal.aborted, false);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("hedgePolicy() lets the first attempt win after a hedge started", async () => {
  const clock = new VirtualClock();
  const { attempts, fn } = replicas(clock, [120, 500, 500]);
  const call = hedge(clock, { maxHedges: 2 }).execute(fn);
  assert.equal(await clock.runUntilSettled(call), "attempt 0");
  assert.equal(clock.now(), 120);
  assert.equal(attempts.length, 2); // the second hedge was never started
  assert.equal(attempts[1]!.signal.aborted, true);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("hedgePolicy() starts up to maxHedges extra attempts, delayMs apart", async () => {
  const clock = new VirtualClock();
  const { attempts, fn } = replicas(clock, [1000, 1000, 1000, 10]);
  const call = hedge(clock, { maxHedges: 3 }).execute(fn);
  assert.equal(await clock.runUntilSettled(call), "attempt 3");
  assert.deepEqual(attempts.map((a) => a.start), [0, 100, 200, 300]);
  assert.deepEqual(attempts.map((a) => a.signal.aborted), [
    true,
    true,
    true,
    false,
  ]);
  assert.equal(clock.now(), 310);
});

Deno.test("hedgePolicy() starts the next attempt at once when one fails", async () => {
  const clock = new VirtualClock();
  const { attempts, fn } = replicas(clock, [-30, -20, 40]);
  const call = hedge(clock, { maxHedges: 2 }).execute(fn);
  assert.equal(await clock.runUntilSettled(call), "attempt 2");
  assert.deepEqual(attempts.map((a) => a.start), [0, 30, 50]);
  assert.equal(clock.now(), 90);
});

Deno.test("hedgePolicy() rejects with the error of the attempt that failed last", async () => {
  const clock = new VirtualClock();
  const { attempts, fn } = replicas(clock, [-300, -50]);
  const call = hedge(clock).execute(fn);
  await assert.rejects(clock.runUntilSettled(call), {
    message: "attempt 0 failed",
  });
  assert.equal(clock.now(), 300);
  assert.deepEqual(attempts.map((a) => a.end), [300, 150]);
  const sync = hedge(clock).execute(() => {
    throw new Error("sync");
  });
  await assert.rejects(clock.runUntilSettled(sync), { message: "sync" });
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("hedgePolicy() rejects with signal.reason and aborts every attempt when the caller aborts", async () => {
  const clock = new VirtualClock();
  const { attempts, fn } = replicas(clock, [1000, 1000]);
  const counted = countedSignal();
  const call = hedge(clock).execute(fn, { signal: counted.signal, attempt: 2 });
  clock.tick(150);
  assert.equal(attempts.length, 2);
  assert.equal(counted.live, 1);
  const reason = new Error("caller gave up");
  counted.controller.abort(reason);
  await assert.rejects(call, (e) => e === reason);
  assert.deepEqual(attempts.map((a) => a.signal.reason), [reason, reason]);
  assert.equal(counted.live, 0);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("hedgePolicy() removes its listener on the caller's signal once settled", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const { fn } = replicas(clock, [500, 50]);
  const call = hedge(clock).execute(fn, { signal: counted.signal });
  assert.equal(await clock.runUntilSettled(call), "attempt 1");
  assert.equal(counted.live, 0);
  assert.equal(counted.added, counted.removed);
});

Deno.test("hedgePolicy() rejects with signal.reason when already aborted, starting nothing", async () => {
  const clock = new VirtualClock();
  let ran = false;
  await assert.rejects(
    hedge(clock).execute(() => (ran = true), {
      signal: AbortSignal.abort("before"),
    }),
    (e) => e === "before",
  );
  assert.equal(ran, false);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("hedgePolicy() gives every attempt a signal of its own and the caller's attempt", async () => {
  const clock = new VirtualClock();
  const caller = new AbortController();
  const seen: PolicyContext[] = [];
  const call = hedge(clock).execute((context) => {
    seen.push(context);
    return new Promise((r) => clock.setTimeout(() => r(seen.length), 150));
  }, { signal: caller.signal, attempt: 3 });
  assert.equal(await clock.runUntilSettled(call), 2);
  assert.equal(seen.length, 2);
  assert.notEqual(seen[0]!.signal, caller.signal);
  assert.notEqual(seen[0]!.signal, seen[1]!.signal);
  assert.deepEqual(seen.map((c) => c.attempt), [3, 3]);
  await clock.runAllAsync();
});

Deno.test("hedgePolicy() execute() rejects bad arguments instead of throwing", async () => {
  const clock = new VirtualClock();
  await assert.rejects(hedge(clock).execute(undefined as never), TypeError);
  await assert.rejects(
    hedge(clock).execute(() => 1, { signal: 5 as never }),
    TypeError,
  );
});

Deno.test("hedgePolicy() rejects bad options with the option and value named", () => {
  for (const v of [-1, NaN, Infinity]) {
    assert.throws(() => hedgePolicy({ delayMs: v }), {
      name: "RangeError",
      message:
        `Cannot create the hedge policy as 'delayMs' must be a finite number >= 0: current value is ${v}`,
    });
  }
  assert.ok(hedgePolicy({ delayMs: 0 }));
  assert.ok(hedgePolicy({ delayMs: 1.5 }));
  for (const v of BAD_NUMBERS) {
    assert.throws(() => hedgePolicy({ delayMs: 10, maxHedges: v }), {
      name: "RangeError",
      message:
        `Cannot create the hedge policy as 'maxHedges' must be an integer >= 1: current value is ${v}`,
    });
  }
  assert.throws(() => hedgePolicy({} as never), {
    name: "TypeError",
    message:
      "Cannot create the hedge policy as 'delayMs' must be a number: current value is undefined",
  });
  assert.throws(
    () => hedgePolicy({ delayMs: 1, clock: 1 as never }),
    TypeError,
  );
  assert.throws(() => hedgePolicy(undefined as never), TypeError);
  assert.throws(() => hedgePolicy("fast" as never), TypeError);
});

Deno.test("hedgePolicy() leaves no unhandled rejection from losers, failures or an abort", async () => {
  const unhandled = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const hedge = hedgePolicy({ delayMs: 10, maxHedges: 2, clock });
    // The losers reject (with the abort reason) after the winner.
    const won = hedge.execute(replicas(clock, [100, 100, 5]).fn);
    assert.equal(await clock.runUntilSettled(won), "attempt 2");
    // Losers that ignore the abort and fail later on their own.
    let started = 0;
    const stubborn = hedge.execute(() =>
      new Promise((resolve, reject) => {
        const first = started++ === 0;
        clock.setTimeout(
          () => first ? resolve("first") : reject(new Error("late")),
          first ? 25 : 100,
        );
      })
    );
    assert.equal(await clock.runUntilSettled(stubborn), "first");
    // Every attempt fails.
    await assert.rejects(
      clock.runUntilSettled(hedge.execute(replicas(clock, [-5, -5, -5]).fn)),
      { message: "attempt 2 failed" },
    );
    // The caller aborts while attempts run; they reject on the abort.
    const controller = new AbortController();
    const aborted = hedge.execute(replicas(clock, [100, 100, 100]).fn, {
      signal: controller.signal,
    });
    await clock.tickAsync(15);
    controller.abort(new Error("caller"));
    await assert.rejects(aborted, { message: "caller" });
    await clock.runAllAsync();
    assert.equal(clock.pendingTimers, 0);
  });
  assert.deepEqual(unhandled, []);
});
