import assert from "node:assert/strict";
import fc from "fast-check";
import { DeadlineHeap, type HeapEntry } from "../../src/core/_heap.ts";

const entry = (deadline: number, seq: number): HeapEntry => ({
  deadline,
  seq,
  index: -1,
});

Deno.test("DeadlineHeap pops by deadline, then by sequence", () => {
  const heap = new DeadlineHeap<HeapEntry>();
  const items = [entry(5, 0), entry(1, 1), entry(5, 2), entry(1, 3)];
  for (const e of items) heap.push(e);
  assert.equal(heap.size, 4);
  const out = [];
  for (let e = heap.pop(); e; e = heap.pop()) out.push([e.deadline, e.seq]);
  assert.deepEqual(out, [[1, 1], [1, 3], [5, 0], [5, 2]]);
  assert.equal(items[0]!.index, -1);
});

Deno.test("DeadlineHeap.remove() removes any entry and ignores strangers", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), {
        maxLength: 80,
      }),
      (specs) => {
        const heap = new DeadlineHeap<HeapEntry>();
        const all = specs.map(([d], i) => entry(d, i));
        for (const e of all) heap.push(e);
        specs.forEach(([, drop], i) => drop && heap.remove(all[i]!));
        assert.equal(heap.remove(entry(0, -1)), false);
        const expected = all.filter((_, i) => !specs[i]![1])
          .sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
        const got = [];
        for (let e = heap.pop(); e; e = heap.pop()) got.push(e);
        assert.deepEqual(got, expected);
        assert.equal(heap.remove(all[0] ?? entry(0, 0)), false);
      },
    ),
  );
});

Deno.test("DeadlineHeap.clear() empties it and detaches entries", () => {
  const heap = new DeadlineHeap<HeapEntry>();
  const e = entry(1, 0);
  heap.push(e);
  assert.equal([...heap.values()].length, 1);
  assert.equal(heap.clear().length, 1);
  assert.equal(heap.size, 0);
  assert.equal(e.index, -1);
  assert.equal(heap.peek(), undefined);
});
