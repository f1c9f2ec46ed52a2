import assert from "node:assert/strict";
import { formatLog, inspect } from "../../site/src/format.ts";

Deno.test("formatLog() prints values as Node's console.log does", () => {
  assert.equal(
    formatLog(["a", 1, true, null, undefined, 2n]),
    "a 1 true null undefined 2n",
  );
  assert.equal(
    formatLog([[1, "x", [2, [3, [4]]]]]),
    "[ 1, 'x', [ 2, [ 3, [Array] ] ] ]",
  );
  assert.equal(
    formatLog([{ a: 1, "b-c": { d: [] } }]),
    '{ a: 1, "b-c": { d: [] } }',
  );
  assert.equal(
    formatLog([new Map([["k", 1]]), new Set([1])]),
    "Map(1) { 'k' => 1 } Set(1) { 1 }",
  );
  assert.equal(formatLog([new TypeError("bad")]), "TypeError: bad");
  assert.equal(
    formatLog([function named() {}, () => {}]),
    "[Function: named] [Function (anonymous)]",
  );
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.equal(inspect(loop), "{ self: [Circular] }");
  assert.equal(inspect(-0), "-0");
});
