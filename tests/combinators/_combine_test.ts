import assert from "node:assert/strict";
import fc from "fast-check";
import {
  all,
  allSettled,
  any,
  anyWithWinner,
  delay,
  Future,
  race,
  raceWithWinner,
  VirtualClock,
} from "@pledge/core";
import { catchUnhandled } from "../_support.ts";
import {
  earlyRace,
  failsReading,
  inputArb,
  observe,
  shapeArb,
} from "./_native.ts";
import { longLivedFuture } from "./_support.ts";

type Combinator = (values: Iterable<unknown>) => PromiseLike<unknown>;

const PAIRS: [string, Combinator, Combinator][] = [
  ["all", all as Combinator, (v) => Promise.all(v)],
  ["allSettled", allSettled as Combinator, (v) => Promise.allSettled(v)],
  ["any", any as Combinator, (v) => Promise.any(v)],
  ["race", race as Combinator, (v) => Promise.race(v)],
];

/** Runs of each property comparing a combinator with the native one. */
const RUNS = 1000;

for (const [name, ours, native] of PAIRS) {
  Deno.test(`${name}() property: same outcome, values, reasons, reads and settling turn as Promise.${name}()`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(inputArb, { maxLength: 8 }),
        shapeArb,
        async (inputs, shape) => {
          const expected = await observe(native, inputs, shape);
          const actual = await observe(ours, inputs, shape);
          assert.notEqual(actual.status, "threw");
          const { thenReads, ...calls } = actual.reads;
          const { thenReads: expectedReads, ...expectedCalls } = expected.reads;
          assert.deepEqual(calls, expectedCalls, "calls");
          if (name === "race") {
            if (inputs.length === 0 && !failsReading(shape, 0)) {
              assert.equal(actual.status, "rejected");
              assert.deepEqual(actual.value, { name: "RangeError" });
              return;
            }
            const early = earlyRace(inputs, shape);
            if (early !== undefined) {
              const kind = inputs[early]!.kind;
              if (kind === "thenGetterThrows") {
                assert.deepEqual([actual.status, actual.value], [
                  "rejected",
                  `g${early}`,
                ]);
              } else {
                assert.equal(actual.status, "fulfilled");
                const value = actual.value as { token?: string; then?: number };
                if (kind === "value") assert.equal(value, `v${early}`);
                else if (kind === "object") {
                  assert.equal(value.token, `v${early}`);
                } else assert.equal(value.then, 5);
              }
              return;
            }
          }
          // (Where race settles early, resolving with the winner reads its
          // `then` once more, as native resolving does with its winner.)
          assert.deepEqual(thenReads, expectedReads, "reads of then");
          assert.equal(actual.status, expected.status, "status");
          assert.deepEqual(actual.value, expected.value, "value or reason");
          assert.equal(actual.turn, expected.turn, "settling turn");
        },
      ),
      { numRuns: RUNS },
    );
  });
}

const WINNERS: [string, Combinator, Combinator][] = [
  ["raceWithWinner", raceWithWinner as Combinator, (v) => Promise.race(v)],
  ["anyWithWinner", anyWithWinner as Combinator, (v) => Promise.any(v)],
];

for (const [name, ours, native] of WINNERS) {
  Deno.test(`${name}() property: the native outcome, with the index of the input that gave it`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(inputArb, { minLength: 1, maxLength: 8 }),
        shapeArb,
        async (inputs, shape) => {
          if (
            name === "raceWithWinner" && earlyRace(inputs, shape) !== undefined
          ) {
            return; // covered by the race() property
          }
          const expected = await observe(native, inputs, shape);
          const actual = await observe(ours, inputs, shape);
          assert.equal(actual.status, expected.status);
          assert.equal(actual.turn, expected.turn);
          if (actual.status !== "fulfilled") {
            assert.deepEqual(actual.value, expected.value);
            return;
          }
          const { key, value } = actual.value as {
            key: number;
            value: unknown;
          };
          assert.deepEqual(value, expected.value);
          // Every input's values are tagged with its index: v<index>[.n].
          const token = typeof value === "string"
            ? value
            : (value as { token?: string }).token;
          if (token !== undefined) {
            assert.equal(key, Number(token.slice(1).split(".")[0]));
          }
        },
      ),
      { numRuns: RUNS / 4 },
    );
  });
}

// --- The specification, step by step ----------------------------------------
// Written from ECMAScript's Promise.all and its siblings: GetIterator,
// IteratorStepValue, PerformPromiseAll (PromiseResolve, Invoke "then"),
// IfAbruptRejectPromise and IteratorClose.

type Six = (values: unknown, options?: unknown) => Future<unknown>;

const SIX: [string, Six][] = [
  ["all", all as Six],
  ["allSettled", allSettled as Six],
  ["any", any as Six],
  ["anyWithWinner", anyWithWinner as Six],
  ["race", race as Six],
  ["raceWithWinner", raceWithWinner as Six],
];

/** The outcome of `out`, without throwing. */
async function outcome(
  out: PromiseLike<unknown>,
): Promise<PromiseSettledResult<unknown>> {
  try {
    return { status: "fulfilled", value: await out };
  } catch (reason) {
    return { status: "rejected", reason };
  }
}

/** An iterator over `items` that records its `next` and `return` calls. */
function recorded(items: readonly unknown[]) {
  const log = { next: 0, closed: 0, closedWith: [] as unknown[][] };
  let i = 0;
  const iterator = {
    next() {
      log.next++;
      return i < items.length
        ? { done: false, value: items[i++] }
        : { done: true, value: undefined };
    },
    return(...args: unknown[]) {
      log.closed++;
      log.closedWith.push([this === iterator, ...args]);
      return {};
    },
  };
  return {
    log,
    iterable: { [Symbol.iterator]: () => iterator } as Iterable<unknown>,
  };
}

Deno.test("combinators read Symbol.iterator once and reject, never throw, when reading it fails", async () => {
  for (const [name, combinator] of SIX) {
    let reads = 0;
    const iterable = {
      get [Symbol.iterator]() {
        reads++;
        return function* () {
          yield 1;
        };
      },
    };
    assert.equal((await outcome(combinator(iterable))).status, "fulfilled");
    assert.equal(reads, 1, name);

    const boom = new Error(`getter of ${name}`);
    const throwingGetter = {
      get [Symbol.iterator]() {
        throw boom;
      },
    };
    assert.deepEqual(await outcome(combinator(throwingGetter)), {
      status: "rejected",
      reason: boom,
    });
    const throwingMethod = {
      [Symbol.iterator]() {
        throw boom;
      },
    };
    assert.deepEqual(await outcome(combinator(throwingMethod)), {
      status: "rejected",
      reason: boom,
    });
    const notAnIterator = { [Symbol.iterator]: () => 5 };
    await assert.rejects(combinator(notAnIterator), TypeError);
  }
});

Deno.test("combinators read next once, and reject without closing the iterator when next, done or value fails", async () => {
  const boom = new Error("step");
  const failures: [string, (log: { closed: number }) => unknown][] = [
    ["next throws", () => ({
      next() {
        throw boom;
      },
    })],
    ["next returns a primitive", () => ({ next: () => 5 })],
    ["done throws", () => ({
      next: () => ({
        get done(): boolean {
          throw boom;
        },
        value: 1,
      }),
    })],
    ["value throws", () => ({
      next: () => ({
        done: false,
        get value(): unknown {
          throw boom;
        },
      }),
    })],
    ["next is not callable", () => ({ next: 5 })],
  ];
  for (const [name, combinator] of SIX) {
    for (const [what, make] of failures) {
      const log = { closed: 0 };
      const iterator = Object.assign(make(log) as object, {
        return() {
          log.closed++;
          return {};
        },
      });
      const result = await outcome(
        combinator({ [Symbol.iterator]: () => iterator }),
      );
      assert.equal(result.status, "rejected", `${name}: ${what}`);
      const reason = (result as PromiseRejectedResult).reason;
      if (what.startsWith("next is") || what.endsWith("primitive")) {
        assert.ok(reason instanceof TypeError, `${name}: ${what}`);
      } else assert.equal(reason, boom, `${name}: ${what}`);
      assert.equal(log.closed, 0, `${name}: ${what} must not close`);
    }
    let nextReads = 0;
    const values = [1, 2, 3];
    const counting = {
      [Symbol.iterator]: () => ({
        get next() {
          nextReads++;
          let i = 0;
          return () =>
            i < values.length
              ? { done: false, value: values[i++] }
              : { done: true, value: undefined };
        },
      }),
    };
    assert.equal((await outcome(combinator(counting))).status, "fulfilled");
    assert.equal(nextReads, 1, `${name} reads next once`);
  }
});

Deno.test("an error after a step rejects, stops reading and closes the iterator once", async () => {
  const boom = new Error("later step");
  const bad: [string, () => Promise<unknown>][] = [
    [
      "then getter throws",
      () =>
        Object.defineProperty(Promise.resolve(1), "then", {
          get() {
            throw boom;
          },
        }),
    ],
    [
      "constructor getter throws",
      () =>
        Object.defineProperty(Promise.resolve(1), "constructor", {
          get() {
            throw boom;
          },
        }),
    ],
    ["then throws", () =>
      Object.defineProperty(Promise.resolve(1), "then", {
        value() {
          throw boom;
        },
      })],
    [
      "then is not callable",
      () => Object.defineProperty(Promise.resolve(1), "then", { value: 7 }),
    ],
  ];
  for (const [name, combinator] of SIX) {
    for (const [what, make] of bad) {
      const { log, iterable } = recorded([Promise.resolve(0), make(), 2, 3]);
      const result = await outcome(combinator(iterable));
      assert.equal(result.status, "rejected", `${name}: ${what}`);
      const reason = (result as PromiseRejectedResult).reason;
      if (what.endsWith("not callable")) assert.ok(reason instanceof TypeError);
      else assert.equal(reason, boom, `${name}: ${what}`);
      assert.equal(log.next, 2, `${name}: ${what} stops reading`);
      assert.deepEqual(log.closedWith, [[true]], `${name}: ${what} closes`);
      const native = recorded([Promise.resolve(0), make(), 2, 3]);
      await Promise.all(native.iterable).catch(() => {});
      assert.deepEqual(native.log, log, `${name}: ${what} as natively`);
    }
  }
});

Deno.test("what closing the iterator throws does not replace the error that closed it", async () => {
  const boom = new Error("then");
  const closers: Record<string, unknown>[] = [
    {
      return() {
        throw new Error("from return");
      },
    },
    {
      get return() {
        throw new Error("from the return getter");
      },
    },
    { return: 5 },
    { return: () => 5 },
  ];
  for (const [name, combinator] of SIX) {
    for (const closer of closers) {
      const failing = Object.defineProperty(Promise.resolve(1), "then", {
        get() {
          throw boom;
        },
      });
      const iterator = Object.defineProperties(
        { next: () => ({ done: false, value: failing }) },
        Object.getOwnPropertyDescriptors(closer),
      );
      assert.deepEqual(
        await outcome(combinator({ [Symbol.iterator]: () => iterator })),
        { status: "rejected", reason: boom },
        name,
      );
    }
  }
});

Deno.test("an iterable read to its end is not closed, whatever its inputs do", async () => {
  for (const [name, combinator] of SIX) {
    const { log, iterable } = recorded([
      Promise.reject(new Error("x")),
      {
        then: () => {
          throw new Error("y");
        },
      },
      1,
    ]);
    await outcome(combinator(iterable));
    assert.equal(log.closed, 0, name);
    assert.equal(log.next, 4, name);
  }
});

Deno.test("an array's own or patched iterator is honoured, as natively", async () => {
  for (const [name, combinator] of SIX) {
    const own = [1, 2];
    Object.defineProperty(own, Symbol.iterator, {
      value: function* () {
        yield "own";
      },
    });
    const ownResult = await outcome(combinator(own));
    assert.equal(ownResult.status, "fulfilled");
    assert.ok(JSON.stringify(ownResult).includes("own"), name);

    const values = Array.prototype[Symbol.iterator];
    Array.prototype[Symbol.iterator] = function* () {
      yield "patched";
    } as unknown as typeof values;
    let patched;
    try {
      patched = combinator([1, 2]);
    } finally {
      Array.prototype[Symbol.iterator] = values;
    }
    assert.ok(JSON.stringify(await outcome(patched)).includes("patched"), name);

    const ArrayIterator = Object.getPrototypeOf([][Symbol.iterator]());
    const next = ArrayIterator.next;
    let steps = 0;
    ArrayIterator.next = function (this: Iterator<unknown>) {
      steps++;
      return next.call(this);
    };
    let counted;
    try {
      counted = combinator([1, 2]);
    } finally {
      ArrayIterator.next = next;
    }
    await outcome(counted);
    assert.equal(steps, 3, name);
  }
});

Deno.test("an array is read as its iterator reads it: its length at every step, each element once", async () => {
  const make = () => {
    const reads: number[] = [];
    const array: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      Object.defineProperty(array, i, {
        get() {
          reads.push(i);
          if (i === 1 && array.length === 3) array.push("late");
          return i;
        },
        enumerable: true,
        configurable: true,
      });
    }
    return { reads, array };
  };
  const native = make();
  const expected = await Promise.all(native.array);
  const ours = make();
  assert.deepEqual(await all(ours.array), expected);
  assert.deepEqual(expected, [0, 1, 2, "late"]);
  assert.deepEqual(ours.reads, native.reads);
});

Deno.test("each thenable's then is read once: foreign thenables and native promises alike", async () => {
  for (const [name, combinator] of SIX) {
    let reads = 0;
    const foreign = {
      get then() {
        reads++;
        return (resolve: (v: unknown) => void) => resolve("foreign");
      },
    };
    const native = Object.defineProperty(Promise.resolve("native"), "then", {
      get() {
        reads++;
        return Promise.prototype.then;
      },
    });
    assert.equal(
      (await outcome(combinator([foreign, native]))).status,
      "fulfilled",
    );
    assert.equal(reads, 2, name);
  }
});

Deno.test("a foreign thenable's then runs in a later microtask; a native promise's then at once", async () => {
  for (const [name, combinator] of SIX) {
    const calls: string[] = [];
    const foreign = {
      then(resolve: (v: unknown) => void, reject: unknown) {
        calls.push(`foreign ${typeof resolve} ${typeof reject}`);
        resolve(1);
      },
    };
    const native = Promise.resolve(2);
    Object.defineProperty(native, "then", {
      value(this: Promise<unknown>, ...args: unknown[]) {
        calls.push(`native ${args.length}`);
        return Reflect.apply(Promise.prototype.then, this, args);
      },
    });
    const out = combinator([foreign, native]);
    assert.deepEqual(calls, ["native 2"], name);
    await outcome(out);
    assert.deepEqual(calls, ["native 2", "foreign function function"], name);
  }
});

Deno.test("a then getter that throws rejects that input only: reading goes on, nothing is closed", async () => {
  const boom = new Error("getter");
  const make = () =>
    recorded([
      {
        get then() {
          throw boom;
        },
      },
      1,
    ]);
  const a = make();
  assert.deepEqual(await outcome(all(a.iterable)), {
    status: "rejected",
    reason: boom,
  });
  assert.deepEqual([a.log.next, a.log.closed], [3, 0]);
  const b = make();
  assert.deepEqual(await allSettled(b.iterable), [
    { status: "rejected", reason: boom },
    { status: "fulfilled", value: 1 },
  ]);
  assert.equal(await any(make().iterable), 1);
});

Deno.test("results are own data properties: a setter on Array.prototype or Object.prototype neither runs nor takes a value", async () => {
  const ran: unknown[] = [];
  const setter = {
    set(value: unknown) {
      ran.push(value);
    },
    configurable: true,
  };
  const install = () => {
    for (const key of ["0", "1", "2"]) {
      Object.defineProperty(Array.prototype, key, setter);
    }
    for (const key of ["a", "b"]) {
      Object.defineProperty(Object.prototype, key, setter);
    }
  };
  const uninstall = () => {
    for (const key of ["0", "1", "2"]) delete (Array.prototype as never)[key];
    for (const key of ["a", "b"]) delete (Object.prototype as never)[key];
  };
  const reject = (e: unknown) => Promise.reject(e);
  let outs: Future<unknown>[];
  install();
  try {
    outs = [
      all([1, Promise.resolve(2), Future.resolve(3)]),
      allSettled([1, reject("x")]),
      any([reject("x"), reject("y")]),
      all({ a: 1, b: Promise.resolve(2) }),
      all(JSON.parse('{"__proto__": 7}')),
    ];
    await Promise.allSettled(outs);
  } finally {
    uninstall();
  }
  assert.deepEqual(ran, []);
  assert.deepEqual(await outs[0], [1, 2, 3]);
  assert.deepEqual(await outs[1], [
    { status: "fulfilled", value: 1 },
    { status: "rejected", reason: "x" },
  ]);
  const error = (await outcome(outs[2]!) as PromiseRejectedResult).reason;
  assert.deepEqual(error.errors, ["x", "y"]);
  assert.deepEqual(Object.getOwnPropertyNames(error.errors), [
    "0",
    "1",
    "length",
  ]);
  assert.deepEqual(await outs[3], { a: 1, b: 2 });
  const proto = await outs[4] as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(proto, "__proto__"), {
    value: 7,
    writable: true,
    enumerable: true,
    configurable: true,
  });
});

Deno.test("any() rejects with an AggregateError whose errors is an own, non-enumerable array, as natively", async () => {
  const error = (await outcome(
    any([Promise.reject(1), 2 as never].slice(0, 1)),
  ) as PromiseRejectedResult).reason;
  const native =
    (await outcome(Promise.any([Promise.reject(1)])) as PromiseRejectedResult)
      .reason;
  assert.ok(error instanceof AggregateError);
  assert.deepEqual(
    Object.getOwnPropertyDescriptor(error, "errors"),
    { ...Object.getOwnPropertyDescriptor(native, "errors"), value: [1] },
  );
});

const NOT_ITERABLE: [unknown, string][] = [
  [undefined, "undefined"],
  [null, "null"],
  [42, "42"],
  [true, "true"],
  [() => {}, "a function"],
  [Promise.resolve(1), "an instance of Promise"],
  [new Error("x"), "an instance of Error"],
  [new AbortController().signal, "an AbortSignal"],
  [{ [Symbol.iterator]: 5 }, "an object"],
  [new (class Point {})(), "an instance of Point"],
  [{ then() {} }, "an object with a then method"],
];

Deno.test("combinators reject, never throw, a value that is neither iterable nor a plain object, saying it is not iterable", async () => {
  for (const [name, combinator] of SIX) {
    for (const [value, shown] of NOT_ITERABLE) {
      let out: Future<unknown> | undefined;
      assert.doesNotThrow(() => (out = combinator(value)));
      assert.deepEqual(await outcome(out!), {
        status: "rejected",
        reason: new TypeError(
          `Cannot run ${name}() as 'values' must be an iterable or a record (a plain object): current value is ${shown}, which is not iterable`,
        ),
      });
    }
  }
});

Deno.test("combinators reject a plain object whose Symbol.iterator is undefined or null: it is not iterable, and not a record", async () => {
  // GetIterator: GetMethod(values, @@iterator) is undefined for both, so
  // Promise.all and friends reject with a TypeError; an object that names
  // Symbol.iterator asks to be iterated, so pledge does not read it as a
  // record either.
  const objects: [string, () => object][] = [
    ["undefined", () => ({ [Symbol.iterator]: undefined, x: 1 })],
    ["null", () => ({ [Symbol.iterator]: null, x: 1 })],
    [
      "null, without a prototype",
      () => Object.assign(Object.create(null), { [Symbol.iterator]: null }),
    ],
  ];
  for (const [what, make] of objects) {
    for (const [, , native] of PAIRS) {
      const expected = await outcome(native(make() as Iterable<unknown>));
      assert.equal(expected.status, "rejected", what);
    }
    for (const [name, combinator] of SIX) {
      let out: Future<unknown> | undefined;
      assert.doesNotThrow(() => (out = combinator(make())));
      assert.deepEqual(await outcome(out!), {
        status: "rejected",
        reason: new TypeError(
          `Cannot run ${name}() as 'values' must be an iterable or a record (a plain object): current value is an object, which is not iterable`,
        ),
      }, `${name}() of an object whose Symbol.iterator is ${what}`);
    }
  }
});

Deno.test("combinators take records of plain objects, with or without a prototype, and strings as iterables", async () => {
  const bare = Object.assign(Object.create(null), {
    x: 1,
    y: Promise.resolve(2),
  });
  assert.deepEqual(await all(bare), { x: 1, y: 2 });
  assert.deepEqual(await all("ab"), ["a", "b"]);
  assert.deepEqual(await all("ab"), await Promise.all("ab"));
  assert.equal(await race("ab"), "a");
});

Deno.test("race() of no input rejects with a RangeError, never throws", async () => {
  const empties: [unknown, string][] = [
    [[], "an array of length 0"],
    [new Set(), "an instance of Set"],
    [{}, "an object"],
  ];
  for (const name of ["race", "raceWithWinner"]) {
    const combinator = name === "race" ? race : raceWithWinner;
    for (const [value, shown] of empties) {
      let out: Future<unknown> | undefined;
      assert.doesNotThrow(() => (out = combinator(value as never)));
      assert.deepEqual(await outcome(out!), {
        status: "rejected",
        reason: new RangeError(
          `Cannot run ${name}() as 'values' must be non-empty: current value is ${shown}`,
        ),
      });
    }
  }
});

Deno.test("combinators reject bad options, and an AbortSignal passed as options says pass { signal }", async () => {
  for (const [name, combinator] of SIX) {
    const signal = new AbortController().signal;
    await assert.rejects(combinator([1], signal), {
      name: "TypeError",
      message:
        `Cannot run ${name}() as 'options' must be an options object: current value is an AbortSignal (pass { signal })`,
    });
    await assert.rejects(combinator([1], { signal: "no" }), {
      name: "TypeError",
      message:
        `Cannot run ${name}() as 'signal' must be an AbortSignal: current value is "no"`,
    });
    await assert.rejects(combinator([1], 5), {
      name: "TypeError",
      message:
        `Cannot run ${name}() as 'options' must be an options object: current value is 5`,
    });
  }
});

Deno.test("race() settles at once on an input known when read, but an error of the iterable still wins", async () => {
  const won = race([new Promise(() => {}), "ready"]);
  assert.equal(won.state, "fulfilled");
  const boom = new Error("iterator");
  function* failing() {
    yield "ready";
    throw boom;
  }
  assert.deepEqual(await outcome(race(failing())), {
    status: "rejected",
    reason: boom,
  });
});

Deno.test("all() settles in the microtask turn Promise.all() settles in, over values, promises and thenables", async () => {
  const inputs = () => [
    1,
    Promise.resolve(2),
    { then: (resolve: (v: number) => void) => resolve(3) },
  ];
  const turns: Record<string, number> = {};
  let turn = 0;
  const count = () => {
    if (++turn < 10) queueMicrotask(count);
  };
  queueMicrotask(count);
  Promise.all(inputs()).then(() => (turns.native = turn));
  all(inputs()).then(() => (turns.pledge = turn));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(turns, { native: 3, pledge: 3 });
});

Deno.test("settled futures are read as values known when read: all() over them settles one microtask turn later", async () => {
  const out = all([Future.resolve(1), Future.resolve(2), 3]);
  assert.equal(out.state, "pending");
  await Promise.resolve();
  assert.equal(out.state, "fulfilled");
  assert.deepEqual(out.value, [1, 2, 3]);
  const failed = all([Future.resolve(1), Future.reject(new Error("x"))]);
  await assert.rejects(failed, /x/);
});

Deno.test("combinators leave no unhandled rejection: losers, siblings, late rejections, aborts and refusals are all handled", async () => {
  const reasons = await catchUnhandled(async () => {
    const clock = new VirtualClock();
    const failsLater = (ms: number) => (signal: AbortSignal) =>
      delay(ms, { clock, signal }).then(() => {
        throw new Error(`late ${ms}`);
      });
    for (const [name, combinator] of SIX) {
      // Decided early (a known value, or a failing task), with losers that
      // reject afterwards: on their own, when aborted, as settled futures.
      const outs = [
        combinator([
          failsLater(10),
          () => Promise.reject(new Error("now")),
          Future.reject(new Error("settled")),
          Promise.reject(new Error("native")),
          {
            then: (_: unknown, reject: (e: unknown) => void) =>
              reject("foreign"),
          },
        ]),
        combinator([
          "known",
          Future.reject(new Error("settled")),
          Promise.reject(new Error("native")),
          delay(5, { clock }).then(() => Promise.reject(new Error("later"))),
        ]),
      ];
      const controller = new AbortController();
      outs.push(combinator([failsLater(20), failsLater(30)], {
        signal: controller.signal,
      }));
      controller.abort(new Error(`abort ${name}`));
      outs.push(combinator(42));
      const settled = Promise.all(outs.map(outcome));
      await clock.runUntilSettled(delay(50, { clock }));
      await settled;
    }
  });
  assert.deepEqual(reasons, []);
});

Deno.test("combinators decided early keep no reaction on a long-lived Future input", async () => {
  for (const [name, combinator] of SIX) {
    const decider = name === "all"
      ? () => Promise.reject(new Error("sibling"))
      : name === "allSettled"
      ? undefined
      : () => Promise.resolve(1);
    for (const keep of [true, false]) {
      // Each reaction a finished call kept would run once `longLived`
      // settles.
      const { source, future: longLived, reactions } = longLivedFuture();
      const reasons = await catchUnhandled(async () => {
        // A call still waiting keeps its reaction and gets the outcome.
        const kept = keep ? combinator([longLived]) : undefined;
        for (let i = 0; i < 10; i++) {
          const controller = new AbortController();
          const aborted = combinator([longLived, () => new Promise(() => {})], {
            signal: controller.signal,
          });
          controller.abort(i);
          assert.deepEqual(await outcome(aborted), {
            status: "rejected",
            reason: i,
          });
          if (decider !== undefined) {
            await outcome(combinator([longLived, decider]));
          }
        }
        source.reject(new Error("late"));
        if (kept !== undefined) {
          assert.equal(
            (await outcome(kept)).status,
            name === "allSettled" ? "fulfilled" : "rejected",
          );
        }
      });
      assert.equal(reactions(), keep ? 1 : 0, name);
      // Given up on, the late rejection stays handled, as natively.
      assert.deepEqual(reasons, [], name);
    }
  }
});
