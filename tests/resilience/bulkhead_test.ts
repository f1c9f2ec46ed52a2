import assert from "node:assert/strict";
import fc from "fast-check";
import { Bulkhead } from "../../src/resilience/bulkhead.ts";
import {
  BulkheadRejectedError,
  QueueFullError,
} from "../../src/core/errors.ts";
import { BAD_NUMBERS, catchUnhandled, countedSignal } from "../_support.ts";

function gated() {
  const started: string[] = [];
  const gates = new Map<string, PromiseWithResolvers<string>>();
  const work = (name: string) => () => {
    started.push(name);
    const gate = Promise.withResolvers<string>();
    gates.set(name, gate);
    return gate.promise;
  };
  const finish = (name: string) => gates.get(name)!.resolve(name);
  return { started, work, finish };
}

Deno.test("Bulkhead.execute() runs queued calls in order as slots free up", async () => {
  const bulkhead = new Bulkhead({ concurrency: 2, maxQueue: 3 });
  const { started, work, finish } = gated();
  const calls = ["a", "b", "c", "d", "e"].map((n) => bulkhead.execute(work(n)));
  assert.deepEqual(started, ["a", "b"]);
  assert.equal(bulkhead.running, 2);
  assert.equal(bulkhead.queued, 3);
  finish("b");
  assert.equal(await calls[1], "b");
  assert.deepEqual(started, ["a", "b", "c"]);
  finish("a");
  assert.equal(await calls[0], "a");
  assert.deepEqual(started, ["a", "b", "c", "d"]);
  finish("d");
  await calls[3];
  assert.deepEqual(started, ["a", "b", "c", "d", "e"]);
  finish("c");
  finish("e");
  assert.deepEqual(await Promise.all(calls), ["a", "b", "c", "d", "e"]);
  assert.equal(bulkhead.running, 0);
  assert.equal(bulkhead.queued, 0);
});

Deno.test("Bulkhead.execute() rejects with BulkheadRejectedError carrying the limits when full", async () => {
  const bulkhead = new Bulkhead({ concurrency: 1, maxQueue: 1 });
  const { work, finish } = gated();
  const a = bulkhead.execute(work("a"));
  const b = bulkhead.execute(work("b"));
  let ran = false;
  const error = await bulkhead.execute(() => (ran = true)).catch((e) => e);
  assert.ok(error instanceof BulkheadRejectedError);
  assert.equal(error.name, "BulkheadRejectedError");
  assert.ok(error instanceof QueueFullError);
  assert.equal(error.concurrency, 1);
  assert.equal(error.maxQueue, 1);
  assert.equal(error.queued, 1);
  assert.equal(
    error.message,
    "Cannot execute as the bulkhead is full: 1 calls running and 1 queued",
  );
  assert.equal(ran, false);
  finish("a");
  await a;
  finish("b");
  await b;
  assert.equal(await bulkhead.execute(() => "again"), "again");
});

Deno.test("Bulkhead defaults to no queue and accepts an unbounded one", async () => {
  const none = new Bulkhead({ concurrency: 1 });
  assert.equal(none.maxQueue, 0);
  const { work, finish } = gated();
  const a = none.execute(work("a"));
  await assert.rejects(none.execute(() => 1), BulkheadRejectedError);
  finish("a");
  await a;
  const unbounded = new Bulkhead({ concurrency: 1, maxQueue: Infinity });
  const calls = Array.from(
    { length: 100 },
    (_, i) => unbounded.execute(() => i),
  );
  assert.equal(unbounded.queued, 99);
  assert.equal((await Promise.all(calls)).length, 100);
});

Deno.test("Bulkhead.execute() frees the slot when fn throws synchronously or rejects", async () => {
  const bulkhead = new Bulkhead({ concurrency: 1, maxQueue: 2 });
  const thrown = bulkhead.execute(() => {
    throw new Error("sync");
  });
  const rejected = bulkhead.execute(() => Promise.reject(new Error("async")));
  const ok = bulkhead.execute(() => "ok");
  await assert.rejects(thrown, { message: "sync" });
  await assert.rejects(rejected, { message: "async" });
  assert.equal(await ok, "ok");
  assert.equal(bulkhead.running, 0);
});

Deno.test("Bulkhead.execute() rejects with signal.reason when already aborted, taking no slot", async () => {
  const bulkhead = new Bulkhead({ concurrency: 1 });
  const counted = countedSignal();
  const reason = new Error("already");
  counted.controller.abort(reason);
  let ran = false;
  await assert.rejects(
    bulkhead.execute(() => (ran = true), { signal: counted.signal }),
    (e) => e === reason,
  );
  assert.equal(ran, false);
  assert.equal(bulkhead.running, 0);
  assert.equal(counted.added, 0);
});

Deno.test("Bulkhead.execute() frees a queued place at once when its signal aborts, and removes the listener", async () => {
  const bulkhead = new Bulkhead({ concurrency: 1, maxQueue: 2 });
  const { started, work, finish } = gated();
  const counted = countedSignal();
  const a = bulkhead.execute(work("a"));
  const b = bulkhead.execute(work("b"), { signal: counted.signal });
  const c = bulkhead.execute(work("c"));
  assert.equal(counted.live, 1);
  const reason = new Error("gave up");
  counted.controller.abort(reason);
  await assert.rejects(b, (e) => e === reason);
  assert.equal(bulkhead.queued, 1); // freed at once, a still running
  assert.equal(counted.live, 0);
  const d = bulkhead.execute(work("d")); // the freed place
  await assert.rejects(bulkhead.execute(work("x")), BulkheadRejectedError);
  finish("a");
  await a;
  finish("c");
  await c;
  finish("d");
  await d;
  assert.deepEqual(started, ["a", "c", "d"]);
});

Deno.test("Bulkhead.execute() removes the listener of a queued call when it starts, and passes the signal on", async () => {
  const bulkhead = new Bulkhead({ concurrency: 1, maxQueue: 1 });
  const { work, finish } = gated();
  const counted = countedSignal();
  const a = bulkhead.execute(work("a"));
  let seen: AbortSignal | undefined;
  const b = bulkhead.execute(({ signal, attempt }) => {
    seen = signal;
    return attempt;
  }, { signal: counted.signal, attempt: 4 });
  assert.equal(counted.live, 1);
  finish("a");
  await a;
  assert.equal(await b, 4);
  assert.equal(seen, counted.signal);
  assert.equal(counted.live, 0);
  assert.equal(counted.added, counted.removed);
});

Deno.test("Bulkhead.execute() leaves a running call to honour its signal, then frees its slot", async () => {
  const bulkhead = new Bulkhead({ concurrency: 1, maxQueue: 1 });
  const controller = new AbortController();
  const running = bulkhead.execute(
    ({ signal }) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      ),
    { signal: controller.signal },
  );
  const next = bulkhead.execute(() => "next");
  controller.abort("stop");
  await assert.rejects(running, (e) => e === "stop");
  assert.equal(await next, "next");
  // Aborting after the call settled changes nothing.
  const counted = countedSignal();
  assert.equal(await bulkhead.execute(() => 1, { signal: counted.signal }), 1);
  counted.controller.abort();
  assert.equal(bulkhead.running, 0);
  assert.equal(counted.added, 0);
});

Deno.test("Bulkhead.execute() rejects bad arguments instead of throwing", async () => {
  const bulkhead = new Bulkhead({ concurrency: 1 });
  await assert.rejects(bulkhead.execute(null as never), TypeError);
  await assert.rejects(
    bulkhead.execute(() => 1, { signal: "x" as never }),
    TypeError,
  );
  assert.equal(bulkhead.running, 0);
});

Deno.test("Bulkhead rejects bad options with the option and value named", () => {
  for (const v of BAD_NUMBERS) {
    assert.throws(() => new Bulkhead({ concurrency: v }), {
      name: "RangeError",
      message:
        `Cannot create the bulkhead as 'concurrency' must be an integer >= 1: current value is ${v}`,
    });
  }
  for (const v of [-1, 1.5, NaN, -Infinity]) {
    assert.throws(() => new Bulkhead({ concurrency: 1, maxQueue: v }), {
      name: "RangeError",
      message:
        `Cannot create the bulkhead as 'maxQueue' must be an integer >= 0 or Infinity: current value is ${v}`,
    });
  }
  assert.throws(() => new Bulkhead({ concurrency: "2" as never }), {
    name: "TypeError",
    message:
      `Cannot create the bulkhead as 'concurrency' must be a number: current value is "2"`,
  });
  assert.throws(() => new Bulkhead({} as never), TypeError);
  assert.throws(() => new Bulkhead(undefined as never), TypeError);
  assert.throws(() => new Bulkhead(3 as never), TypeError);
});

Deno.test("Bulkhead never exceeds concurrency or maxQueue and every call settles (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
      fc.array(fc.record({ fails: fc.boolean(), aborts: fc.boolean() }), {
        minLength: 1,
        maxLength: 10,
      }),
      async (s, concurrency, maxQueue, plan) => {
        const bulkhead = new Bulkhead({ concurrency, maxQueue });
        let running = 0;
        let violation = "";
        const check = () => {
          if (running > concurrency) violation = `running ${running}`;
          if (bulkhead.queued > maxQueue) {
            violation = `queued ${bulkhead.queued}`;
          }
          if (bulkhead.running > concurrency) {
            violation = `running ${bulkhead.running}`;
          }
        };
        const calls = plan.map(({ fails, aborts }, id) => {
          const controller = new AbortController();
          if (aborts) {
            s.schedule(Promise.resolve(), `abort ${id}`).then(() => {
              controller.abort(`aborted ${id}`);
              check();
            });
          }
          return s.schedule(Promise.resolve(), `call ${id}`).then(() => {
            const full = bulkhead.running === concurrency &&
              bulkhead.queued === maxQueue;
            const call = bulkhead.execute(async () => {
              running++;
              check();
              try {
                await s.schedule(Promise.resolve(), `finish ${id}`);
                if (fails) throw new Error(`failed ${id}`);
              } finally {
                running--;
              }
            }, { signal: controller.signal });
            check();
            return call.then(
              () => "ok",
              (e) => {
                if (e instanceof BulkheadRejectedError && !full) {
                  violation = `rejected ${id} while not full`;
                }
                return "rejected";
              },
            );
          });
        });
        await s.waitFor(Promise.all(calls));
        if (violation) throw new Error(violation);
        assert.equal(bulkhead.running, 0);
        assert.equal(bulkhead.queued, 0);
        assert.equal(running, 0);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("Bulkhead leaves no unhandled rejection when queued calls abort, calls fail or are refused", async () => {
  const unhandled = await catchUnhandled(async () => {
    const bulkhead = new Bulkhead({ concurrency: 1, maxQueue: 2 });
    const { work, finish } = gated();
    const running = bulkhead.execute(work("a"));
    const controller = new AbortController();
    const queued = bulkhead.execute(work("b"), { signal: controller.signal });
    const failing = bulkhead.execute(() => Promise.reject(new Error("down")));
    await assert.rejects(bulkhead.execute(() => 1), BulkheadRejectedError);
    controller.abort(new Error("gave up"));
    await assert.rejects(queued, { message: "gave up" });
    finish("a");
    assert.equal(await running, "a");
    await assert.rejects(failing, { message: "down" });
    assert.equal(bulkhead.running, 0);
  });
  assert.deepEqual(unhandled, []);
});
