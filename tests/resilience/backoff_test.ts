import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Backoff,
  constant,
  exponential,
  type Jitter,
  linear,
  seededRandom,
} from "@pledge/core";
import { BAD_NUMBERS } from "../_support.ts";

const MAX = 2 ** 31 - 1;
const JITTERS: Jitter[] = ["none", "full", "equal", "decorrelated"];

Deno.test("constant() previews the same delay", () => {
  assert.deepEqual(constant(250).preview(4), [250, 250, 250, 250]);
  assert.deepEqual(constant(0).preview(2), [0, 0]);
  assert.deepEqual(constant(1e12).preview(1), [MAX]);
  assert.deepEqual(constant(5).preview(0), []);
});

Deno.test("linear() grows by stepMs and stops at maxMs", () => {
  assert.deepEqual(
    linear({ initialMs: 100, stepMs: 200, maxMs: 600 }).preview(5),
    [100, 300, 500, 600, 600],
  );
  assert.deepEqual(linear().preview(3), [100, 200, 300]);
  assert.deepEqual(linear({ initialMs: 0, stepMs: 50 }).preview(3), [
    0,
    50,
    100,
  ]);
  assert.deepEqual(
    linear({ initialMs: 1, stepMs: 1e300, maxMs: Infinity }).preview(3),
    [1, MAX, MAX],
  );
});

Deno.test("exponential() without jitter is initialMs * factor^(retry - 1), capped", () => {
  assert.deepEqual(
    exponential({ initialMs: 100, factor: 2, maxMs: 5000 }).preview(8),
    [100, 200, 400, 800, 1600, 3200, 5000, 5000],
  );
  assert.deepEqual(exponential().preview(3), [100, 200, 400]);
  assert.deepEqual(
    exponential({ initialMs: 10, factor: 3, maxMs: Infinity }).preview(4),
    [10, 30, 90, 270],
  );
  assert.deepEqual(exponential({ initialMs: 0, factor: 10 }).preview(3), [
    0,
    0,
    0,
  ]);
  assert.deepEqual(exponential({ factor: 1 }).preview(3), [100, 100, 100]);
});

Deno.test("exponential() jitter schedules are exact for a seed", () => {
  const seeded = (jitter: Jitter) =>
    exponential({
      initialMs: 100,
      factor: 2,
      maxMs: 5000,
      jitter,
      random: seededRandom(42),
    }).preview(8);
  assert.deepEqual(seeded("full"), [60, 90, 341, 536, 280, 1685, 1366, 3124]);
  assert.deepEqual(seeded("equal"), [80, 145, 370, 668, 940, 2443, 3183, 4062]);
  assert.deepEqual(seeded("decorrelated"), [
    220,
    351,
    912,
    1865,
    1061,
    1723,
    1485,
    2821,
  ]);
});

Deno.test("exponential() jitter follows the AWS formulas for any draws", () => {
  const draws = [0, 0.25, 0.5, 0.999, 1];
  const fixed = (values: number[]) => {
    let i = 0;
    return () => values[i++ % values.length]!;
  };
  const base = [100, 200, 400, 800, 1000];
  const full = exponential({
    initialMs: 100,
    maxMs: 1000,
    jitter: "full",
    random: fixed(draws),
  }).preview(5);
  assert.deepEqual(full, base.map((d, i) => Math.round(draws[i]! * d)));
  const equal = exponential({
    initialMs: 100,
    maxMs: 1000,
    jitter: "equal",
    random: fixed(draws),
  }).preview(5);
  assert.deepEqual(
    equal,
    base.map((d, i) => Math.round(d / 2 + (draws[i]! * d) / 2)),
  );
  const decorrelated = exponential({
    initialMs: 100,
    maxMs: 1000,
    jitter: "decorrelated",
    random: fixed(draws),
  }).preview(5);
  let previous = 100;
  const expected = draws.map((r) => {
    previous = Math.min(1000, Math.round(100 + r * (3 * previous - 100)));
    return previous;
  });
  assert.deepEqual(decorrelated, expected);
});

Deno.test("exponential() clamps a faulty random source into [0, 1]", () => {
  for (const value of [NaN, -5, 7, Infinity, -Infinity]) {
    for (const jitter of JITTERS) {
      const delays = exponential({ jitter, random: () => value, maxMs: 1000 })
        .preview(20);
      for (const d of delays) {
        assert.ok(d >= 0 && d <= 1000, `${jitter} ${value}: ${d}`);
      }
    }
  }
});

Deno.test("next() is a pure function of retry and previousMs", () => {
  const backoff = exponential({ initialMs: 50, maxMs: 400 });
  assert.equal(backoff.next(3, 0), 200);
  assert.equal(backoff.next(3, 123), 200);
  assert.equal(backoff.next(30, 0), 400);
  const decorrelated = exponential({
    initialMs: 50,
    jitter: "decorrelated",
    random: () => 1,
  });
  assert.equal(decorrelated.next(1, 0), 150);
  assert.equal(decorrelated.next(1, 1000), 3000);
});

Deno.test("backoffs are frozen values", () => {
  for (
    const backoff of [constant(1), linear(), exponential({ jitter: "full" })]
  ) {
    assert.ok(Object.isFrozen(backoff));
    assert.throws(() => {
      (backoff as { next: unknown }).next = () => 0;
    }, TypeError);
  }
});

Deno.test("exponential() never yields NaN, a negative or an oversized delay (property, 10,000 steps)", () => {
  fc.assert(
    fc.property(
      fc.record({
        initialMs: fc.oneof(
          fc.double({ min: 0, max: 1e308, noNaN: true }),
          fc.integer({ min: 0, max: 10_000 }),
        ),
        factor: fc.double({ min: 1, max: 1e308, noNaN: true }),
        maxMs: fc.oneof(
          fc.double({ min: 0, max: 1e308, noNaN: true }),
          fc.constant(Infinity),
          fc.integer({ min: 0, max: 60_000 }),
        ),
        jitter: fc.constantFrom(...JITTERS),
        seed: fc.integer(),
      }),
      ({ initialMs, factor, maxMs, jitter, seed }) => {
        const delays = exponential({
          initialMs,
          factor,
          maxMs,
          jitter,
          random: seededRandom(seed),
        }).preview(10_000);
        const cap = Math.min(maxMs, MAX);
        for (const d of delays) {
          if (!(d >= 0 && d <= cap)) {
            throw new Error(`delay ${d} out of [0, ${cap}]`);
          }
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("linear() and constant() stay within [0, 2^31 - 1] (property)", () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 1e308, noNaN: true }),
      fc.double({ min: 0, max: 1e308, noNaN: true }),
      fc.oneof(fc.double({ min: 0, noNaN: true }), fc.constant(Infinity)),
      (initialMs, stepMs, maxMs) => {
        for (
          const backoff of [
            linear({ initialMs, stepMs, maxMs }),
            constant(initialMs),
          ] as Backoff[]
        ) {
          for (const d of backoff.preview(1000)) {
            if (!(d >= 0 && d <= MAX)) throw new Error(`delay ${d}`);
          }
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("backoffs reject bad options with the option and value named", () => {
  const durationCases: [string, (v: number) => unknown][] = [
    ["create a constant backoff|ms", (v) => constant(v)],
    ["create a linear backoff|initialMs", (v) => linear({ initialMs: v })],
    ["create a linear backoff|stepMs", (v) => linear({ stepMs: v })],
    [
      "create an exponential backoff|initialMs",
      (v) => exponential({ initialMs: v }),
    ],
  ];
  for (const [where, make] of durationCases) {
    const [action, option] = where.split("|");
    for (const value of BAD_NUMBERS) {
      if (value >= 0 && value !== Infinity) {
        make(value); // 0 and 1.5 are valid durations
        continue;
      }
      assert.throws(() => make(value), {
        name: "RangeError",
        message:
          `Cannot ${action} as '${option}' must be a finite number >= 0: current value is ${value}`,
      });
    }
  }
  for (const value of BAD_NUMBERS) {
    if (value >= 1 && value !== Infinity) {
      exponential({ factor: value });
      continue;
    }
    assert.throws(() => exponential({ factor: value }), {
      name: "RangeError",
      message:
        `Cannot create an exponential backoff as 'factor' must be a finite number >= 1: current value is ${value}`,
    });
  }
  for (const value of BAD_NUMBERS) {
    if (value >= 0) {
      exponential({ maxMs: value });
      linear({ maxMs: value });
      continue;
    }
    assert.throws(() => exponential({ maxMs: value }), {
      name: "RangeError",
      message:
        `Cannot create an exponential backoff as 'maxMs' must be a number >= 0: current value is ${value}`,
    });
  }
  assert.throws(() => exponential({ jitter: "half" as Jitter }), {
    name: "TypeError",
    message:
      `Cannot create an exponential backoff as 'jitter' must be one of "none", "full", "equal", "decorrelated": current value is "half"`,
  });
  assert.throws(
    () => exponential({ random: 0.5 as unknown as () => number }),
    /'random' must be a function: current value is 0.5/,
  );
  assert.throws(() => constant("1" as unknown as number), TypeError);
  assert.throws(() => linear(5 as never), {
    name: "TypeError",
    message:
      "Cannot create a linear backoff as 'options' must be an options object: current value is 5",
  });
});

Deno.test("preview() and next() reject bad arguments", () => {
  const backoff = exponential();
  for (const value of [...BAD_NUMBERS, 1e21, 1_000_001, 2 ** 32]) {
    if (Number.isInteger(value) && value >= 0 && value <= 1_000_000) {
      assert.equal(backoff.preview(value).length, value);
      continue;
    }
    assert.throws(() => backoff.preview(value), {
      name: "RangeError",
      message:
        `Cannot preview a backoff as 'n' must be an integer from 0 to 1000000: current value is ${value}`,
    });
  }
  assert.throws(() => backoff.preview("3" as never), {
    name: "TypeError",
    message:
      `Cannot preview a backoff as 'n' must be a number: current value is "3"`,
  });
  for (const value of BAD_NUMBERS) {
    if (Number.isInteger(value) && value >= 1) continue;
    assert.throws(() => backoff.next(value, 0), {
      name: "RangeError",
      message:
        `Cannot compute a backoff delay as 'retry' must be an integer >= 1: current value is ${value}`,
    });
  }
  assert.throws(
    () => backoff.next(1, -1),
    /'previousMs' must be a finite number >= 0/,
  );
});
