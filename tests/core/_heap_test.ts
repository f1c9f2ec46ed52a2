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

Deno.test("DeadlineHeap keeps its order through interleaved push, pop and remove", () => {
  // Removals anywhere, removals of strangers, pops of an empty heap.
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom("push", "push", "pop", "remove", "foreign"),
          fc.integer({ min: 0, max: 20 }),
          fc.nat(),
        ),
        { maxLength: 400 },
      ),
      (ops) => {
        const heap = new DeadlineHeap<HeapEntry>();
        const other = new DeadlineHeap<HeapEntry>();
        const model: HeapEntry[] = [];
        const seen: HeapEntry[] = [];
        let seq = 0;
        const first = () =>
          [...model].sort((a, b) =>
            a.deadline - b.deadline || a.seq - b.seq
          )[0];
        for (const [op, deadline, pick] of ops) {
          if (op === "push") {
            const e = entry(deadline, seq++);
            heap.push(e);
            model.push(e);
            seen.push(e);
          } else if (op === "pop") {
            const expected = first();
            assert.equal(heap.pop(), expected);
            if (expected) model.splice(model.indexOf(expected), 1);
          } else if (seen.length > 0) {
            const e = seen[pick % seen.length]!;
            if (op === "foreign") {
              assert.equal(other.remove(e), false);
            } else {
              assert.equal(heap.remove(e), model.includes(e));
              if (model.includes(e)) model.splice(model.indexOf(e), 1);
            }
          }
          assert.equal(heap.size, model.length);
          assert.equal(heap.peek(), first());
        }
        assert.equal([...heap.values()].length, model.length);
        for (const e of seen) assert.equal(e.index === -1, !model.includes(e));
      },
    ),
  );
});
