import assert from "node:assert/strict";
import fc from "fast-check";
import { PriorityQueue } from "../../src/executors/_priority_queue.ts";

interface Item {
  readonly priority: number;
  readonly id: number;
  queued: boolean;
}

const item = (priority: number, id: number): Item => ({
  priority,
  id,
  queued: false,
});

Deno.test("PriorityQueue serves higher priorities first, FIFO within one", () => {
  const q = new PriorityQueue<Item>();
  const items = [item(0, 0), item(2, 1), item(0, 2), item(-1, 3), item(2, 4)];
  for (const x of items) q.push(x);
  assert.equal(q.size, 5);
  assert.equal(q.peek(), items[1]);
  const out = [];
  for (let x = q.shift(); x; x = q.shift()) out.push(x.id);
  assert.deepEqual(out, [1, 4, 0, 2, 3]);
  assert.equal(q.size, 0);
  assert.equal(q.peek(), undefined);
  assert.equal(items[0]!.queued, false);
});

Deno.test("PriorityQueue.delete() removes from anywhere and ignores strangers", () => {
  const q = new PriorityQueue<Item>();
  const items = Array.from({ length: 10 }, (_, i) => item(i % 3, i));
  for (const x of items) q.push(x);
  assert.equal(q.delete(items[4]!), true);
  assert.equal(q.delete(items[4]!), false);
  assert.equal(q.delete(item(0, 99)), false);
  assert.equal(q.size, 9);
  assert.deepEqual(q.drain().map((x) => x.id), [2, 5, 8, 1, 7, 0, 3, 6, 9]);
  assert.equal(q.size, 0);
});

Deno.test("PriorityQueue matches a sorted model under random operations", () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant("push" as const),
      p: fc.integer({ min: -3, max: 12 }),
    }),
    fc.record({ kind: fc.constant("shift" as const) }),
    fc.record({ kind: fc.constant("delete" as const), k: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const q = new PriorityQueue<Item>();
      let model: Item[] = [];
      let id = 0;
      for (const o of ops) {
        if (o.kind === "push") {
          const x = item(o.p, id++);
          q.push(x);
          model.push(x);
          model.sort((a, b) => b.priority - a.priority || a.id - b.id);
        } else if (o.kind === "shift") {
          assert.equal(q.shift(), model.shift());
        } else if (model.length > 0) {
          const x = model[o.k % model.length]!;
          assert.equal(q.delete(x), true);
          model = model.filter((y) => y !== x);
        }
        assert.equal(q.size, model.length);
        assert.equal(q.peek(), model[0]);
      }
      assert.deepEqual(q.drain(), model);
    }),
    { numRuns: 300 },
  );
});

Deno.test("PriorityQueue compacts a ring full of deleted items", () => {
  const q = new PriorityQueue<Item>();
  const keep = item(0, -1);
  q.push(keep);
  for (let round = 0; round < 50; round++) {
    const batch = Array.from({ length: 100 }, (_, i) => item(0, i));
    for (const x of batch) q.push(x);
    for (const x of batch) q.delete(x);
  }
  assert.equal(q.size, 1);
  assert.equal(q.shift(), keep);
  assert.equal(q.shift(), undefined);
});
