import assert from "node:assert/strict";
import fc from "fast-check";
import {
  Completer,
  delay,
  mapConcurrentIterable,
  VirtualClock,
} from "@pledge/core";
import {
  assertThrowsWith,
  catchUnhandled,
  countedSignal,
  flush,
} from "../_support.ts";
import {
  CONCURRENCY_TABLE,
  failingToOpen,
  longLivedFuture,
  NOT_FUNCTION,
  NOT_ITERABLE,
  optionTable,
  PRIMITIVE_STEP,
  primitiveSteps,
  settle,
  slowMapper,
  tracked,
} from "./_support.ts";

const ACTION = "map concurrently as an iterable";

async function collect<T>(
  clock: VirtualClock,
  iterable: AsyncIterable<T>,
): Promise<T[]> {
  const out: T[] = [];
  const done = (async () => {
    for await (const value of iterable) out.push(value);
  })();
  const outcome = await settle(clock, done);
  if (outcome.status === "rejected") throw outcome.reason;
  return out;
}

Deno.test("mapConcurrentIterable() yields in input order by default, in completion order with ordered false", async () => {
  for (const ordered of [true, false]) {
    const clock = new VirtualClock();
    const results = mapConcurrentIterable(
      [30, 10, 20],
      async (ms, _i, signal) => {
        await delay(ms, { clock, signal });
        return ms;
      },
      { concurrency: 3, ordered },
    );
    assert.deepEqual(
      await collect(clock, results),
      ordered ? [30, 10, 20] : [10, 20, 30],
    );
    assert.equal(clock.now(), 30);
  }
});

Deno.test("mapConcurrentIterable() starts nothing until the first next()", async () => {
  const { state, iterable } = tracked([1, 2, 3]);
  let calls = 0;
  const results = mapConcurrentIterable(iterable, (n) => (calls++, n), {
    concurrency: 2,
  });
  await flush();
  assert.equal(state.read, 0);
  assert.equal(calls, 0);
  const all: number[] = [];
  for await (const n of results) all.push(n);
  assert.deepEqual(all, [1, 2, 3]);
});

Deno.test("mapConcurrentIterable() applies backpressure: a consumer that stops asking stops the source", async () => {
  const { state, iterable } = tracked([1, 2, 3, 4, 5, 6, 7, 8]);
  const results = mapConcurrentIterable(
    iterable,
    (n) => Promise.resolve(n * 10),
    { concurrency: 2, bufferSize: 3 },
  );
  assert.deepEqual(await results.next(), { done: false, value: 10 });
  await flush();
  // One consumed, three taken and not consumed: the buffer is full.
  assert.equal(state.read, 4);
  assert.deepEqual(await results.next(), { done: false, value: 20 });
  await flush();
  assert.equal(state.read, 5);
  await results.return();
  assert.equal(state.closed, true);
});

Deno.test("mapConcurrentIterable() property: concurrency and the buffer are never exceeded, whatever the consumer's pace", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 15 }),
      fc.integer({ min: 1, max: 4 }),
      fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      fc.boolean(),
      fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1 }),
      async (durations, concurrency, bufferSize, ordered, pauses) => {
        const clock = new VirtualClock();
        const counted = countedSignal();
        let running = 0;
        let taken = 0;
        // next() calls made: results handed over can only be fewer.
        let requested = 0;
        const limit = bufferSize ?? concurrency;
        const results = mapConcurrentIterable(
          durations,
          async (ms, index, signal) => {
            taken++;
            running++;
            assert.ok(running <= concurrency, "concurrency exceeded");
            assert.ok(taken - requested <= limit, "buffer exceeded");
            await delay(ms, { clock, signal });
            running--;
            return index;
          },
          {
            concurrency,
            ordered,
            signal: counted.signal,
            ...(bufferSize === undefined ? {} : { bufferSize }),
          },
        );
        const seen: number[] = [];
        const counting: AsyncIterable<number> = {
          [Symbol.asyncIterator]: () => ({
            next: () => (requested++, results.next()),
            return: () => results.return(),
          }),
        };
        const consumer = (async () => {
          let p = 0;
          for await (const index of counting) {
            seen.push(index);
            await delay(pauses[p++ % pauses.length]!, { clock });
          }
        })();
        assert.equal((await settle(clock, consumer)).status, "fulfilled");
        const expected = durations.map((_, i) => i);
        if (ordered) assert.deepEqual(seen, expected);
        else assert.deepEqual([...seen].sort((a, b) => a - b), expected);
        await flush();
        assert.equal(clock.pendingTimers, 0);
        assert.equal(counted.live, 0);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("mapConcurrentIterable() aborts the calls in flight and closes the source when the loop breaks", async () => {
  const clock = new VirtualClock();
  const { state, iterable } = tracked([5, 10, 20, 30]);
  const signals: AbortSignal[] = [];
  const results = mapConcurrentIterable(iterable, (ms, _i, signal) => {
    signals.push(signal);
    return delay(ms, { clock, signal }).then(() => ms);
  }, { concurrency: 2 });
  const first = (async () => {
    for await (const ms of results) return ms;
  })();
  assert.deepEqual(await settle(clock, first), {
    status: "fulfilled",
    value: 5,
  });
  assert.equal(state.closed, true);
  assert.equal(signals.at(-1)!.aborted, true);
  assert.equal(signals.at(-1)!.reason.name, "AbortError");
  await flush();
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual(await results.next(), { done: true, value: undefined });
});

Deno.test("mapConcurrentIterable() disposal stops it like a break", async () => {
  const gate = new Completer<number>();
  let aborted = false;
  {
    await using results = mapConcurrentIterable([1], (_n, _i, signal) => {
      signal.addEventListener("abort", () => (aborted = true));
      return gate.future;
    });
    const pending = results.next();
    pending.catch(() => {});
    await flush();
  }
  assert.equal(aborted, true);
});

Deno.test("mapConcurrentIterable() rejects next() with the first failure, aborts the others, then ends", async () => {
  const clock = new VirtualClock();
  const boom = new Error("boom");
  const signals: AbortSignal[] = [];
  const results = mapConcurrentIterable([10, 5, 30], async (ms, _i, signal) => {
    signals.push(signal);
    await delay(ms, { clock, signal });
    if (ms === 5) throw boom;
    return ms;
  }, { concurrency: 3 });
  const outcome = await settle(clock, results.next());
  assert.deepEqual(outcome, { status: "rejected", reason: boom });
  assert.equal(signals[0]!.aborted, true);
  assert.deepEqual(await results.next(), { done: true, value: undefined });
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("mapConcurrentIterable() rejects next() with what the source throws", async () => {
  const boom = new Error("source");
  async function* broken(): AsyncGenerator<number> {
    yield 1;
    throw boom;
  }
  const results = mapConcurrentIterable(broken(), (n) => n, {
    concurrency: 1,
  });
  assert.deepEqual(await results.next(), { done: false, value: 1 });
  await assert.rejects(results.next(), (e) => e === boom);
});

Deno.test("mapConcurrentIterable() rejects with signal.reason unchanged and leaves nothing behind", async () => {
  const clock = new VirtualClock();
  const counted = countedSignal();
  const signals: AbortSignal[] = [];
  const results = mapConcurrentIterable([10, 20], (ms, _i, signal) => {
    signals.push(signal);
    return delay(ms, { clock, signal });
  }, { signal: counted.signal });
  const next = results.next();
  assert.equal(counted.live, 1);
  const reason = new Error("cancelled by user");
  counted.controller.abort(reason);
  await assert.rejects(next, (e) => e === reason);
  assert.equal(signals[0]!.reason, reason);
  assert.equal(counted.live, 0);
  await flush();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("mapConcurrentIterable() with an aborted signal rejects the first next() without reading or listening", async () => {
  const counted = countedSignal();
  counted.controller.abort("early");
  const { state, iterable } = tracked([1]);
  let called = false;
  const results = mapConcurrentIterable(iterable, () => (called = true), {
    signal: counted.signal,
  });
  await assert.rejects(results.next(), (e) => e === "early");
  assert.deepEqual(await results.next(), { done: true, value: undefined });
  assert.equal(called, false);
  assert.equal(state.read, 0);
  assert.equal(counted.added, 0);
});

Deno.test("mapConcurrentIterable() removes its listener once every result is handed over, without one more next()", async () => {
  const counted = countedSignal();
  const results = mapConcurrentIterable([1, 2], (n) => n, {
    signal: counted.signal,
  });
  assert.deepEqual(await results.next(), { done: false, value: 1 });
  assert.deepEqual(await results.next(), { done: false, value: 2 });
  assert.equal(counted.live, 0);
});

for (const option of ["concurrency", "bufferSize"] as const) {
  optionTable(
    "mapConcurrentIterable()",
    "throws",
    ACTION,
    option,
    "an integer >= 1 or Infinity",
    CONCURRENCY_TABLE,
    (value) => mapConcurrentIterable([1, 2], (n) => n, { [option]: value }),
    async (results) => {
      const out: number[] = [];
      for await (const n of results) out.push(n);
      assert.deepEqual(out, [1, 2]);
    },
  );
}

Deno.test("mapConcurrentIterable() throws, as it returns an iterator, a TypeError for bad items, fn or options", () => {
  for (const value of NOT_ITERABLE) {
    assert.throws(
      () => mapConcurrentIterable(value as never, (n) => n),
      (e) =>
        e instanceof TypeError &&
        e.message.startsWith(`Cannot ${ACTION} as 'items' must be`),
    );
  }
  for (const value of NOT_FUNCTION) {
    assert.throws(
      () => mapConcurrentIterable([1], value as never),
      (e) =>
        e instanceof TypeError &&
        e.message.startsWith(`Cannot ${ACTION} as 'fn' must be a function`),
    );
  }
  assertThrowsWith(
    () => mapConcurrentIterable([1], (n) => n, { ordered: 1 as never }),
    TypeError,
    `Cannot ${ACTION} as 'ordered' must be a boolean: current value is 1`,
  );
  assertThrowsWith(
    () =>
      mapConcurrentIterable(
        [1],
        (n) => n,
        new AbortController().signal as never,
      ),
    TypeError,
    `Cannot ${ACTION} as 'options' must be an options object: current value is an AbortSignal (pass { signal })`,
  );
});

Deno.test("mapConcurrentIterable() makes next() reject, never throw, when the source fails to open or gives a primitive step", async () => {
  const boom = new Error("open");
  const throwing = failingToOpen(boom);
  const results = mapConcurrentIterable(throwing, (n) => n);
  let first: Promise<unknown> | undefined;
  assert.doesNotThrow(() => (first = results.next()));
  await assert.rejects(first!, (e) => e === boom);
  assert.deepEqual(await results.next(), { done: true, value: undefined });
  for (const source of primitiveSteps()) {
    await assert.rejects(
      mapConcurrentIterable(source, (n) => n).next(),
      PRIMITIVE_STEP,
    );
  }
});

Deno.test("mapConcurrentIterable() leaves no unhandled rejection when a call fails, the caller aborts, or the loop is left early", async () => {
  const reasons = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const slow = slowMapper(clock, 2);
    const failing = mapConcurrentIterable([1, 2, 3], slow, { concurrency: 3 });
    await assert.rejects(
      clock.runUntilSettled((async () => {
        for await (const _ of failing);
      })()),
      /^Error: 2$/,
    );
    const controller = new AbortController();
    const aborted = mapConcurrentIterable([3, 4], slow, {
      signal: controller.signal,
    });
    const next = aborted.next();
    controller.abort(new Error("stop"));
    await assert.rejects(next, /stop/);
    const left = mapConcurrentIterable([1, 3, 4], slow, { concurrency: 3 });
    await clock.runUntilSettled((async () => {
      for await (const n of left) {
        if (n === 1) break;
      }
    })());
    // An async source whose return() rejects when closed early.
    const source = {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve({ done: false, value: 1 }),
        return: () => Promise.reject(new Error("close")),
      }),
    };
    const closing = mapConcurrentIterable(source, (n) => n, { concurrency: 1 });
    await closing.next();
    await closing.return();
    clock.runAll();
  });
  assert.deepEqual(reasons, []);
});

Deno.test("mapConcurrentIterable() aborted, failed or left keeps no reaction on a long-lived Future", async () => {
  for (const keep of [true, false]) {
    // Each reaction a finished loop kept would run once `longLived` settles.
    const { source, future: longLived, reactions } = longLivedFuture();
    const reasons = await catchUnhandled(async () => {
      // A loop still waiting keeps its reaction and gets the outcome.
      const kept = keep
        ? mapConcurrentIterable([1], () => longLived).next()
        : undefined;
      for (let i = 0; i < 10; i++) {
        for (const ordered of [true, false]) {
          // A task that ignores its signal, then the caller aborts.
          const controller = new AbortController();
          const aborted = mapConcurrentIterable([1, 2], () => longLived, {
            ordered,
            signal: controller.signal,
          });
          const next = aborted.next();
          controller.abort(i);
          await assert.rejects(next, (e) => e === i);
          // A sibling fails while a task waits on the long-lived future.
          const failed = mapConcurrentIterable(
            [longLived, 1, 2],
            (n) => n === 2 ? Promise.reject(new Error(`${i}`)) : longLived,
            { ordered },
          );
          await assert.rejects(failed.next(), { message: `${i}` });
          // The loop is left while a task waits.
          const left = mapConcurrentIterable([1], () => longLived, {
            ordered,
          });
          const waiting = left.next();
          await flush();
          await left.return();
          assert.deepEqual(await waiting, { done: true, value: undefined });
        }
      }
      source.reject(new Error("late"));
      if (kept !== undefined) await assert.rejects(kept, { message: "late" });
    });
    assert.equal(reactions(), keep ? 1 : 0);
    // Given up on, the late rejection stays handled, as natively.
    assert.deepEqual(reasons, []);
  }
});
