import assert from "node:assert/strict";
import type { HeapEntry } from "../../src/core/_heap.ts";
import { RunHeap } from "../../src/core/_run_heap.ts";

const entry = (deadline: number, seq: number): HeapEntry => ({
  deadline,
  seq,
  index: -1,
});

Deno.test("RunHeap keeps its order once a large heap is sorted into a run", () => {
  // Above 4,096 entries a pop sorts them: by digits when the keys are
  // integers in a narrow range, else by comparison.
  const keyModes: ((n: number) => number)[] = [
    (n) => n, // integral: radix sort
    (n) => n + 0.25, // fractional: merge sort
    (n) => n * 2 ** 30, // wider than the radix range: merge sort
    (n) => n - 5e12, // negative
  ];
  let state = 12345;
  const random = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const before = (a: HeapEntry, b: HeapEntry) =>
    a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  for (const key of keyModes) {
    for (const spread of [3, 1000]) {
      const heap = new RunHeap<HeapEntry>();
      const other = new RunHeap<HeapEntry>();
      const sorted: HeapEntry[] = []; // the model, in pop order
      const all: HeapEntry[] = [];
      let seq = 0;
      const push = () => {
        const e = entry(key(random(spread)), seq++);
        heap.push(e);
        all.push(e);
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (before(sorted[mid]!, e)) lo = mid + 1;
          else hi = mid;
        }
        sorted.splice(lo, 0, e);
      };
      for (let i = 0; i < 5000; i++) push();
      for (let op = 0; op < 6000; op++) {
        const k = random(10);
        if (k < 3) push();
        else if (k < 7) {
          const e = heap.pop();
          assert.equal(e, sorted.shift());
          if (e) assert.equal(e.index, -1);
        } else {
          const e = all[random(all.length)]!;
          assert.equal(other.remove(e), false);
          const at = sorted.indexOf(e);
          assert.equal(heap.remove(e), at >= 0);
          if (at >= 0) sorted.splice(at, 1);
          assert.equal(e.index, -1);
        }
        assert.equal(heap.size, sorted.length);
        assert.equal(heap.peek(), sorted[0]);
      }
      assert.equal([...heap.values()].length, sorted.length);
      const rest = heap.clear();
      assert.equal(rest.length, sorted.length);
      assert.ok(rest.every((e) => e.index === -1 && sorted.includes(e)));
      assert.equal(heap.size, 0);
      assert.equal(heap.peek(), undefined);
    }
  }
});

Deno.test("RunHeap below 4,096 entries pops as the plain heap does", () => {
  const heap = new RunHeap<HeapEntry>();
  const items = [entry(5, 0), entry(1, 1), entry(5, 2), entry(1, 3)];
  for (const e of items) heap.push(e);
  assert.equal(heap.remove(items[2]!), true);
  const out = [];
  for (let e = heap.pop(); e; e = heap.pop()) out.push([e.deadline, e.seq]);
  assert.deepEqual(out, [[1, 1], [1, 3], [5, 0]]);
  assert.equal(heap.size, 0);
});
