import assert from "node:assert/strict";
import fc from "fast-check";
import { delay, mapReduce, reduce, VirtualClock } from "@pledge/core";
import {
  assertRejectsWith,
  catchUnhandled,
  countedSignal,
  flush,
} from "../_support.ts";
import {
  asyncFrom,
  CONCURRENCY_TABLE,
  NOT_FUNCTION,
  NOT_ITERABLE,
  optionTable,
  settle,
} from "./_support.ts";

Deno.test("reduce() types the accumulator from initial, or from the items without it", async () => {
  const joined = await reduce([1, 2], (acc, n) => `${acc}${n}`, {
    initial: "",
  });
  const s: string = joined;
  const sum = await reduce([Promise.resolve(1), 2], (a, b) => a + b);
  const n: number = sum;
  // @ts-expect-error the accumulator is a string
  const wrong: number = joined;
  assert.deepEqual([s, n, wrong], ["12", 3, "12"]);
});

Deno.test("reduce() folds one step after another, each seeing the previous accumulator", async () => {
  const clock = new VirtualClock();
  const steps: string[] = [];
  const out = reduce([30, 10, 20], async (acc, ms, index, signal) => {
    steps.push(`${index}@${clock.now()}`);
    await delay(ms, { clock, signal });
    return acc + ms;
  }, { initial: 0 });
  assert.deepEqual(await settle(clock, out), {
    status: "fulfilled",
    value: 60,
  });
  assert.deepEqual(steps, ["0@0", "1@30", "2@40"]);
});

Deno.test("reduce() reads arrays, iterables and async iterables, awaiting thenable items", async () => {
  const add = (a: number, b: number) => a + b;
  assert.equal(await reduce([1, 2, 3], add, { initial: 0 }), 6);
  assert.equal(await reduce(new Set([1, 2, 3]), add), 6);
  assert.equal(await reduce(asyncFrom([1, 2, 3]), add, { initial: 10 }), 16);
  assert.equal(await reduce([Promise.resolve(4)], add, { initial: 1 }), 5);
});

Deno.test("reduce() without initial starts from the first item, and rejects an empty input", async () => {
  const indexes: number[] = [];
  const out = await reduce([5, 6, 7], (a, b, i) => (indexes.push(i), a + b));
  assert.equal(out, 18);
  assert.deepEqual(indexes, [1, 2]);
  assert.equal(await reduce([], (a: number) => a, { initial: 9 }), 9);
  await assert.rejects(
    reduce([], (a: number) => a),
    (e) =>
      e instanceof TypeError &&
      e.message ===
        "Cannot reduce as 'items' must be non-empty without 'initial': current value is an array of length 0",
  );
});

Deno.test("reduce() rejects with what the reducer throws", async () => {
  const boom = new Error("boom");
  await assert.rejects(
    reduce([1, 2], () => {
      throw boom;
    }, { initial: 0 }),
    (e) => e === boom,
  );
});

Deno.test("reduce() rejects with signal.reason unchanged and leaves nothing behind", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  let steps = 0;
  const out = reduce([10, 10, 10], async (acc, ms, _i, signal) => {
    steps++;
    await delay(ms, { clock, signal });
    return acc + ms;
  }, { initial: 0, signal: counted.signal });
  await flush(); // the first step starts after a microtask
  clock.tick(10);
  await flush();
  const reason = new Error("stop");
  counted.controller.abort(reason);
  await assert.rejects(out, (e) => e === reason);
  await flush();
  assert.equal(steps, 2);
  assert.equal(counted.live, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("reduce() with an aborted signal rejects at once without a step", async () => {
  const counted = countedSignal();
  counted.controller.abort("early");
  let called = false;
  const out = reduce([1], () => (called = true), {
    initial: false,
    signal: counted.signal,
  });
  assert.equal(out.state, "rejected");
  await assert.rejects(out, (e) => e === "early");
  assert.equal(called, false);
  assert.equal(counted.added, 0);
});

Deno.test("reduce() property: equals Array.prototype.reduce, whatever mix of sync and async steps", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer(), fc.boolean()), { maxLength: 20 }),
      fc.constantFrom("array", "iterable", "async"),
      async (entries, kind) => {
        const items = entries.map(([n]) => n);
        const source = kind === "array"
          ? items
          : kind === "iterable"
          ? items.values()
          : asyncFrom(items);
        const out = await reduce(
          source,
          (acc: string, n, i) =>
            entries[i]![1] ? Promise.resolve(`${acc},${n}`) : `${acc},${n}`,
          { initial: "" },
        );
        assert.equal(out, items.reduce((acc, n) => `${acc},${n}`, ""));
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("reduce() rejects, never throws, a TypeError for bad items, reducer or options", async () => {
  const refused = async (out: () => PromiseLike<unknown>, start: string) => {
    let future: PromiseLike<unknown> | undefined;
    assert.doesNotThrow(() => (future = out()));
    await assert.rejects(
      Promise.resolve(future),
      (e) => e instanceof TypeError && e.message.startsWith(start),
    );
  };
  for (const value of NOT_ITERABLE) {
    await refused(
      () => reduce(value as never, (a) => a),
      "Cannot reduce as 'items' must be",
    );
  }
  for (const value of NOT_FUNCTION) {
    await refused(
      () => reduce([1], value as never),
      "Cannot reduce as 'reducer' must be a function: current value is",
    );
  }
  await assertRejectsWith(
    () => reduce([1], (a) => a, new AbortController().signal as never),
    TypeError,
    "Cannot reduce as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  );
});

Deno.test("mapReduce() maps concurrently and folds in input order as values arrive", async () => {
  const clock = new VirtualClock();
  const folded: string[] = [];
  let running = 0;
  let peak = 0;
  const out = mapReduce(
    [30, 10, 20, 5],
    async (ms, index, signal) => {
      peak = Math.max(peak, ++running);
      await delay(ms, { clock, signal });
      running--;
      return `${index}:${ms}`;
    },
    {
      reducer: (acc: string[], value, index) => {
        folded.push(`${index}@${clock.now()}`);
        return [...acc, value];
      },
      initial: [] as string[],
      concurrency: 2,
    },
  );
  assert.deepEqual(await settle(clock, out), {
    status: "fulfilled",
    value: ["0:30", "1:10", "2:20", "3:5"],
  });
  assert.equal(peak, 2);
  // Item 1 is mapped at 10 ms but folded after item 0, at 30 ms; until
  // then two items are taken and not folded, so no third mapper starts
  // (memory stays bounded by `concurrency`): items 2 and 3 run from 30 ms.
  assert.deepEqual(folded, ["0@30", "1@30", "2@50", "3@50"]);
});

Deno.test("mapReduce() rejects with the first failure of a mapper or of the reducer, aborting the mappers", async () => {
  const clock = new VirtualClock();
  const signals: AbortSignal[] = [];
  const boom = new Error("reducer");
  const out = mapReduce([10, 20, 30], (ms, _i, signal) => {
    signals.push(signal);
    return delay(ms, { clock, signal }).then(() => ms);
  }, {
    reducer: () => {
      throw boom;
    },
    initial: 0,
  });
  assert.deepEqual(await settle(clock, out), {
    status: "rejected",
    reason: boom,
  });
  assert.equal(signals[0]!.aborted, true);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("mapReduce() rejects with signal.reason unchanged and leaves nothing behind", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const out = mapReduce(
    [10, 20],
    (ms, _i, signal) => delay(ms, { clock, signal }),
    {
      reducer: (n: number) => n + 1,
      initial: 0,
      signal: counted.signal,
    },
  );
  await flush();
  counted.controller.abort("stop");
  await assert.rejects(out, (e) => e === "stop");
  await flush();
  assert.equal(counted.live, 0);
  assert.equal(clock.pendingTimers, 0);
  const early = countedSignal();
  early.controller.abort("early");
  await assert.rejects(
    mapReduce([1], (n) => n, {
      reducer: (a: number) => a,
      initial: 0,
      signal: early.signal,
    }),
    (e) => e === "early",
  );
  assert.equal(early.added, 0);
});

Deno.test("mapReduce() property: the result equals a sequential fold, whatever the durations", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat(30), { maxLength: 12 }),
      fc.integer({ min: 1, max: 4 }),
      async (durations, concurrency) => {
        const clock = new VirtualClock();
        const out = mapReduce(durations, async (ms, i, signal) => {
          await delay(ms, { clock, signal });
          return i * 3 + ms;
        }, {
          reducer: (acc: number[], v) => [...acc, v],
          initial: [] as number[],
          concurrency,
        });
        assert.deepEqual(await settle(clock, out), {
          status: "fulfilled",
          value: durations.map((ms, i) => i * 3 + ms),
        });
        await flush();
        assert.equal(clock.pendingTimers, 0);
      },
    ),
    { numRuns: 50 },
  );
});

optionTable(
  "mapReduce()",
  "rejects",
  "map and reduce",
  "concurrency",
  "an integer >= 1 or Infinity",
  CONCURRENCY_TABLE,
  (concurrency) =>
    mapReduce([1, 2], (n) => n, {
      reducer: (a: number, b) => a + b,
      initial: 0,
      concurrency,
    }),
  async (out) => assert.equal(await out, 3),
);

Deno.test("mapReduce() rejects, never throws, a TypeError for a bad mapper, reducer or options", async () => {
  await assertRejectsWith(
    () => mapReduce([1], 5 as never, { reducer: (a) => a, initial: 0 }),
    TypeError,
    "Cannot map and reduce as 'mapper' must be a function: current value is 5",
  );
  await assertRejectsWith(
    () => mapReduce([1], (n) => n, { reducer: "no" as never, initial: 0 }),
    TypeError,
    `Cannot map and reduce as 'reducer' must be a function: current value is "no"`,
  );
  await assertRejectsWith(
    () => mapReduce([1], (n) => n, undefined as never),
    TypeError,
    "Cannot map and reduce as 'options' must be an options object: current value is undefined",
  );
  await assertRejectsWith(
    () => mapReduce([1], (n) => n, { reducer: (a: number) => a } as never),
    TypeError,
    "Cannot map and reduce as 'initial' must be given: current value is undefined",
  );
  await assertRejectsWith(
    () => mapReduce(7 as never, (n) => n, { reducer: (a) => a, initial: 0 }),
    TypeError,
    "Cannot map and reduce as 'items' must be an iterable or an async iterable: current value is 7",
  );
  await assertRejectsWith(
    () => mapReduce([1], (n) => n, new AbortController().signal as never),
    TypeError,
    "Cannot map and reduce as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  );
});

Deno.test("reduce() and mapReduce() leave no unhandled rejection when a step fails or the caller aborts", async () => {
  const reasons = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const slow = (n: number, _i: number, signal: AbortSignal) =>
      delay(10 * n, { clock, signal }).then(() => n);
    const failing = mapReduce([1, 2, 3], slow, {
      reducer: (a: number, n) => {
        if (n === 2) throw new Error("two");
        return a + n;
      },
      initial: 0,
      concurrency: 3,
    });
    await assert.rejects(clock.runUntilSettled(failing), /two/);
    const controller = new AbortController();
    const aborted = mapReduce([1, 2, 3], slow, {
      reducer: (a: number, n) => a + n,
      initial: 0,
      signal: controller.signal,
    });
    const folded = reduce(
      asyncFrom([1, 2, 3]),
      (a, n, _i, signal) => delay(10, { clock, signal }).then(() => a + n),
      {
        initial: 0,
        signal: controller.signal,
      },
    );
    await flush();
    controller.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
    await assert.rejects(folded, /stop/);
    clock.runAll();
  });
  assert.deepEqual(reasons, []);
});
