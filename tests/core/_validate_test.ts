import assert from "node:assert/strict";
import {
  assertDuration,
  assertFunction,
  assertInteger,
  assertIntegerOrInfinity,
  assertPositiveDuration,
  assertSignal,
  describeValue,
} from "../../src/core/_validate.ts";

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

Deno.test("validators follow the one message template over [0, -1, 1.5, NaN, Infinity]", () => {
  const table: [
    (v: unknown) => void,
    number,
    string | undefined,
  ][] = [];
  const dur = (v: unknown) => assertDuration("wait", "ms", v);
  const pos = (v: unknown) => assertPositiveDuration("wait", "periodMs", v);
  const int = (v: unknown) => assertInteger("run", "concurrency", v);
  const intInf = (v: unknown) => assertIntegerOrInfinity("run", "limit", v);
  for (const v of [0, -1, 1.5, NaN, Infinity]) {
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
