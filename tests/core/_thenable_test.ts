import assert from "node:assert/strict";
import { isThenable, thenOf } from "../../src/core/_thenable.ts";

Deno.test("isThenable() accepts objects and functions with a callable then", () => {
  const fn = Object.assign(() => {}, { then() {} });
  for (const yes of [Promise.resolve(), { then() {} }, fn]) {
    assert.equal(isThenable(yes), true);
  }
  for (const no of [null, undefined, 1, "then", {}, { then: 1 }, () => {}]) {
    assert.equal(isThenable(no), false);
  }
});

Deno.test("thenOf() reads then exactly once and lets a throwing getter throw", () => {
  let reads = 0;
  const then = () => {};
  const counted = {
    get then() {
      reads++;
      return then;
    },
  };
  assert.equal(thenOf(counted), then);
  assert.equal(reads, 1);
  assert.equal(thenOf({ then: 5 }), undefined);
  assert.equal(thenOf(7), undefined);
  const throwing = {
    get then(): never {
      throw new Error("getter");
    },
  };
  assert.throws(() => thenOf(throwing), /getter/);
});
