/**
 * A min-heap of entries keyed by `deadline`, then by `seq` (insertion
 * order), with O(log n) removal of any entry through its stored index.
 *
 * Popping many entries from a large heap (a clock running 100,000 timers)
 * spends its time in cache misses and mispredicted comparisons: each level
 * of a sift reads entries scattered in memory. So a pop that finds the heap
 * large sorts its entries at once into a run (their keys copied into typed
 * arrays, sorted by digits when they are integers in a narrow range, as
 * timers' milliseconds and sequence numbers are), and the pops that follow
 * take the run's head, or the heap's top when an entry pushed since comes
 * first. An entry is sorted at most once, so a pop stays O(log n)
 * amortized; the pop that sorts costs O(n) (digits) or O(n log n).
 *
 * @module
 */

/** What the heap orders. `index` is maintained by the heap (-1 when out). */
export interface HeapEntry {
  /** The primary key: the time the entry is due. */
  deadline: number;
  /**
   * The tie-breaker: a strictly increasing sequence number. Change the keys
   * only while the entry is out of the heap.
   */
  seq: number;
  /**
   * Where the entry is, kept by the heap: its position in the heap (>= 0)
   * or in the sorted run (<= -2), or -1 when it is in no heap.
   */
  index: number;
}

/** The fewest entries a pop sorts into a run (below it, sifting is cheap). */
const RUN_MIN = 4096;
/** The length of the blocks the merge sort starts from (insertion-sorted). */
const BLOCK = 16;

function less(a: HeapEntry, b: HeapEntry): boolean {
  return a.deadline < b.deadline ||
    (a.deadline === b.deadline && a.seq < b.seq);
}

/** A binary min-heap ordered by (deadline, seq), with a sorted run. */
export class DeadlineHeap<E extends HeapEntry> {
  #items: E[] = [];
  // The sorted run: entries from `#head` on, `undefined` where removed.
  #run: (E | undefined)[] = [];
  #head = 0;
  #inRun = 0;

  /** The number of entries. */
  get size(): number {
    return this.#items.length + this.#inRun;
  }

  /** The earliest entry, or `undefined`. */
  peek(): E | undefined {
    const top = this.#items[0];
    if (this.#inRun === 0) return top;
    const first = this.#runHead();
    return top !== undefined && less(top, first) ? top : first;
  }

  /** Adds an entry. */
  push(entry: E): void {
    const items = this.#items;
    entry.index = items.length;
    items.push(entry);
    this.#up(entry.index);
  }

  /** Removes and returns the earliest entry. */
  pop(): E | undefined {
    if (this.#inRun === 0 && this.#items.length >= RUN_MIN) this.#sortRun();
    if (this.#inRun !== 0) {
      const first = this.#runHead();
      const top = this.#items[0];
      if (top === undefined || less(first, top)) {
        this.#run[this.#head++] = undefined;
        if (--this.#inRun === 0) this.#dropRun();
        first.index = -1;
        return first;
      }
    }
    return this.#popTop();
  }

  /** Removes `entry` if it is in this heap; returns whether it was. */
  remove(entry: E): boolean {
    const i = entry.index;
    if (i <= -2) {
      const at = -2 - i;
      if (this.#run[at] !== entry) return false;
      this.#run[at] = undefined;
      entry.index = -1;
      if (--this.#inRun === 0) this.#dropRun();
      return true;
    }
    const items = this.#items;
    if (i < 0 || items[i] !== entry) return false;
    const last = items.pop() as E;
    if (last !== entry) {
      items[i] = last;
      last.index = i;
      this.#down(i);
      this.#up(last.index);
    }
    entry.index = -1;
    return true;
  }

  /** Removes every entry and returns them (in no particular order). */
  clear(): E[] {
    const out = this.#items;
    this.#items = [];
    const run = this.#run;
    for (let i = this.#head; i < run.length; i++) {
      const e = run[i];
      if (e !== undefined) out.push(e);
    }
    this.#dropRun();
    for (const e of out) e.index = -1;
    return out;
  }

  /** Iterates the entries in no particular order. */
  values(): IterableIterator<E> {
    const out = this.#items.slice();
    const run = this.#run;
    for (let i = this.#head; i < run.length; i++) {
      const e = run[i];
      if (e !== undefined) out.push(e);
    }
    return out.values();
  }

  /** The first entry of the run (not empty), past removed ones. */
  #runHead(): E {
    const run = this.#run;
    let head = this.#head;
    while (run[head] === undefined) head++;
    this.#head = head;
    return run[head] as E;
  }

  #dropRun(): void {
    this.#run = [];
    this.#head = 0;
    this.#inRun = 0;
  }

  /** Moves every entry of the heap, sorted, into the (empty) run. */
  #sortRun(): void {
    const items = this.#items;
    const run = sortByKeys(items);
    for (let i = 0; i < run.length; i++) (run[i] as E).index = -2 - i;
    this.#items = [];
    this.#run = run;
    this.#head = 0;
    this.#inRun = run.length;
  }

  #popTop(): E | undefined {
    const items = this.#items;
    const top = items[0];
    if (top === undefined) return undefined;
    const last = items.pop() as E;
    if (last !== top) {
      items[0] = last;
      last.index = 0;
      this.#down(0);
    }
    top.index = -1;
    return top;
  }

  #up(i: number): void {
    const items = this.#items;
    const e = items[i] as E;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p] as E;
      if (!less(e, parent)) break;
      items[i] = parent;
      parent.index = i;
      i = p;
    }
    items[i] = e;
    e.index = i;
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    const e = items[i] as E;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && less(items[r] as E, items[l] as E)) c = r;
      const child = items[c] as E;
      if (!less(child, e)) break;
      items[i] = child;
      child.index = i;
      i = c;
    }
    items[i] = e;
    e.index = i;
  }
}

/**
 * `entries` sorted by (deadline, seq), in a new array. Timers' keys are
 * integers in a narrow range (milliseconds, a sequence), so they are
 * sorted by their digits (a stable radix sort by seq, then by deadline,
 * with no comparison to mispredict); other keys by a merge sort. Neither
 * reads an entry after copying its keys.
 */
function sortByKeys<E extends HeapEntry>(entries: E[]): E[] {
  const n = entries.length;
  const deadlines = new Float64Array(n);
  const seqs = new Float64Array(n);
  let minDeadline = Infinity;
  let maxDeadline = -Infinity;
  let minSeq = Infinity;
  let maxSeq = -Infinity;
  let integral = true;
  for (let i = 0; i < n; i++) {
    const e = entries[i] as E;
    const d = e.deadline;
    const q = e.seq;
    deadlines[i] = d;
    seqs[i] = q;
    if (d < minDeadline) minDeadline = d;
    if (d > maxDeadline) maxDeadline = d;
    if (q < minSeq) minSeq = q;
    if (q > maxSeq) maxSeq = q;
    if (Math.floor(d) !== d || Math.floor(q) !== q) integral = false;
  }
  const order = integral && maxDeadline - minDeadline < RADIX_RANGE &&
      maxSeq - minSeq < RADIX_RANGE
    ? radixOrder(deadlines, minDeadline, seqs, minSeq)
    : mergeOrder(deadlines, seqs);
  const sorted: E[] = [];
  for (let i = 0; i < n; i++) sorted.push(entries[order[i]!] as E);
  return sorted;
}

/** Keys spanning less than this are radix-sorted (three 11-bit digits). */
const RADIX_RANGE = 2 ** 33;
const DIGIT_BITS = 11;
const DIGITS = 1 << DIGIT_BITS;

/**
 * The positions of the keys in (deadline, seq) order, for integral keys
 * less than {@linkcode RADIX_RANGE} above their minimums: least significant
 * digit first, seq before deadline (each pass is stable).
 */
function radixOrder(
  deadlines: Float64Array,
  minDeadline: number,
  seqs: Float64Array,
  minSeq: number,
): Int32Array {
  const n = deadlines.length;
  let order = new Int32Array(n);
  let next = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const digits = new Int32Array(n);
  const counts = new Int32Array(DIGITS);
  for (let pass = 0; pass < 2; pass++) {
    const keys = pass === 0 ? seqs : deadlines;
    const min = pass === 0 ? minSeq : minDeadline;
    let span = 0;
    for (let i = 0; i < n; i++) {
      const k = keys[i]! - min;
      if (k > span) span = k;
    }
    for (let scale = 1; scale <= span; scale *= DIGITS) {
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const d = Math.floor((keys[i]! - min) / scale) & (DIGITS - 1);
        digits[i] = d;
        counts[d]!++;
      }
      let sum = 0;
      for (let d = 0; d < DIGITS; d++) {
        const c = counts[d]!;
        counts[d] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const at = order[i]!;
        next[counts[digits[at]!]!++] = at;
      }
      [order, next] = [next, order];
    }
  }
  return order;
}

/** The positions of the keys in (deadline, seq) order: a merge sort. */
function mergeOrder(deadlines: Float64Array, seqs: Float64Array): Int32Array {
  const n = deadlines.length;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const before = (a: number, b: number): boolean => {
    const da = deadlines[a]!;
    const db = deadlines[b]!;
    return da < db || (da === db && seqs[a]! < seqs[b]!);
  };
  // Insertion-sorted blocks, then merged in passes of doubling width.
  for (let lo = 0; lo < n; lo += BLOCK) {
    const hi = lo + BLOCK < n ? lo + BLOCK : n;
    for (let i = lo + 1; i < hi; i++) {
      const at = order[i]!;
      let j = i - 1;
      while (j >= lo && before(at, order[j]!)) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = at;
    }
  }
  let next = new Int32Array(n);
  for (let width = BLOCK; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = lo + width < n ? lo + width : n;
      const hi = mid + width < n ? mid + width : n;
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        next[k++] = before(order[j]!, order[i]!) ? order[j++]! : order[i++]!;
      }
      while (i < mid) next[k++] = order[i++]!;
      while (j < hi) next[k++] = order[j++]!;
    }
    [order, next] = [next, order];
  }
  return order;
}
