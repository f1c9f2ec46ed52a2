import assert from "node:assert/strict";
import fc from "fast-check";
import { RingQueue } from "../../src/core/_ring.ts";

Deno.test("RingQueue is FIFO across growth and wrap-around", () => {
  const q = new RingQueue<number>(4);
  for (let i = 0; i < 3; i++) q.push(i);
  assert.equal(q.shift(), 0);
  for (let i = 3; i < 20; i++) q.push(i);
  assert.equal(q.length, 19);
  assert.equal(q.peek(), 1);
  assert.equal(q.at(2), 3);
  assert.equal(q.at(19), undefined);
  assert.deepEqual(q.drain(), Array.from({ length: 19 }, (_, i) => i + 1));
  assert.equal(q.shift(), undefined);
  assert.equal(q.peek(), undefined);
});

Deno.test("RingQueue.remove() removes one item and keeps the order", () => {
  const q = new RingQueue<string>();
  for (const s of ["a", "b", "c", "d"]) q.push(s);
  assert.equal(q.remove("b"), true);
  assert.equal(q.remove("x"), false);
  assert.deepEqual(q.drain(), ["a", "c", "d"]);
});

Deno.test("RingQueue behaves like an array queue for random operations", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null))), (ops) => {
      const q = new RingQueue<number>(2);
      const model: number[] = [];
      for (const op of ops) {
        if (op === null) assert.equal(q.shift(), model.shift());
        else (q.push(op), model.push(op));
        assert.equal(q.length, model.length);
      }
      assert.deepEqual(q.drain(), model);
    }),
  );
});
