import assert from "node:assert/strict";
import {
  CancellationTokenSource,
  systemClock,
  VirtualClock,
} from "../../mod.ts";
import {
  assertClock,
  assertDuration,
  assertFunction,
  assertInteger,
  assertIntegerOrInfinity,
  assertOptions,
  assertPositiveDuration,
  assertSignal,
  describeValue,
  orDefault,
} from "../../src/core/_validate.ts";
import { BAD_NUMBERS } from "../_support.ts";

Deno.test("describeValue() renders values for messages", () => {
  assert.equal(describeValue("x"), '"x"');
  assert.equal(describeValue(NaN), "NaN");
  assert.equal(describeValue(null), "null");
  assert.equal(describeValue(undefined), "undefined");
  assert.equal(describeValue(2n), "2n");
  assert.equal(describeValue([1, 2]), "an array of length 2");
  assert.equal(describeValue({}), "an object");
  assert.equal(describeValue(new Map()), "an instance of Map");
  assert.equal(describeValue(function named() {}), "function named");
  assert.equal(describeValue(Symbol("s")), "Symbol(s)");
});

Deno.test("validators follow the one message template over BAD_NUMBERS", () => {
  const table: [
    (v: unknown) => void,
    number,
    string | undefined,
  ][] = [];
  const dur = (v: unknown) => assertDuration("wait", "ms", v);
  const pos = (v: unknown) => assertPositiveDuration("wait", "periodMs", v);
  const int = (v: unknown) => assertInteger("run", "concurrency", v);
  const intInf = (v: unknown) => assertIntegerOrInfinity("run", "limit", v);
  for (const v of BAD_NUMBERS) {
    table.push([
      dur,
      v,
      v === 0 || v === 1.5 ? undefined : "a finite number >= 0",
    ]);
    table.push([pos, v, v === 1.5 ? undefined : "a finite number > 0"]);
    table.push([int, v, "an integer >= 1"]);
    table.push([
      intInf,
      v,
      v === Infinity ? undefined : "an integer >= 1 or Infinity",
    ]);
  }
  for (const [fn, value, constraint] of table) {
    if (constraint === undefined) {
      fn(value);
      continue;
    }
    assert.throws(() => fn(value), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /^Cannot (wait|run) as '\w+' must be /);
      assert.ok(
        e.message.endsWith(`${constraint}: current value is ${value}`),
        e.message,
      );
      return true;
    });
  }
  assertInteger("run", "concurrency", 0, 0);
});

Deno.test("validators throw TypeError for wrong types", () => {
  assert.throws(() => assertDuration("wait", "ms", "5"), {
    name: "TypeError",
    message: `Cannot wait as 'ms' must be a number: current value is "5"`,
  });
  assert.throws(() => assertFunction("run", "fn", null), {
    name: "TypeError",
    message: "Cannot run as 'fn' must be a function: current value is null",
  });
  assert.throws(() => assertSignal("run", {}), {
    name: "TypeError",
    message:
      "Cannot run as 'signal' must be an AbortSignal: current value is an object",
  });
  assertSignal("run", undefined);
  assertSignal("run", new AbortController().signal);
});

Deno.test("assertOptions() takes undefined or an object and names a misplaced signal or token", () => {
  assertOptions("wait", undefined);
  assertOptions("wait", {});
  for (const [value, shown] of [[null, "null"], [5, "5"], ["x", '"x"']]) {
    assert.throws(() => assertOptions("wait", value), {
      name: "TypeError",
      message:
        `Cannot wait as 'options' must be an options object: current value is ${shown}`,
    });
  }
  assert.throws(() => assertOptions("wait", new AbortController().signal), {
    name: "TypeError",
    message:
      "Cannot wait as 'options' must be an options object: current value is an AbortSignal (pass { signal })",
  });
  const token = new CancellationTokenSource().token;
  assert.throws(() => assertOptions("wait", token), {
    name: "TypeError",
    message:
      "Cannot wait as 'options' must be an options object: current value is an instance of CancellationToken (pass { signal: token.signal })",
  });
});

Deno.test("assertClock() takes undefined or a Clock and names the missing member", () => {
  assertClock("wait", undefined);
  assertClock("wait", systemClock);
  assertClock("wait", new VirtualClock());
  const now = () => 0;
  const rows: [unknown, string][] = [
    [null, "'clock' must be a Clock: current value is null"],
    [5, "'clock' must be a Clock: current value is 5"],
    [{}, "'clock.now' must be a function: current value is undefined"],
    [
      { now, clearTimeout: now },
      "'clock.setTimeout' must be a function: current value is undefined",
    ],
    [
      { now, setTimeout: now, clearTimeout: 1 },
      "'clock.clearTimeout' must be a function: current value is 1",
    ],
    [
      { now, setTimeout: now, clearTimeout: now, dateNow: "x" },
      `'clock.dateNow' must be a function: current value is "x"`,
    ],
  ];
  for (const [value, message] of rows) {
    assert.throws(() => assertClock("wait", value), {
      name: "TypeError",
      message: `Cannot wait as ${message}`,
    });
  }
});

Deno.test("orDefault() gives the fallback for undefined only: null, 0, false and NaN are values", () => {
  assert.equal(orDefault(undefined, 5), 5);
  for (const value of [null, 0, false, NaN, ""]) {
    assert.ok(Object.is(orDefault(value, 5), value));
  }
  // So the check that follows sees null and refuses it.
  assert.throws(() => assertClock("wait", orDefault(null, systemClock)), {
    name: "TypeError",
    message: "Cannot wait as 'clock' must be a Clock: current value is null",
  });
});
