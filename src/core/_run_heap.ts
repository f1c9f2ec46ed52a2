/**
 * A {@linkcode DeadlineHeap} for clocks that run many timers at once.
 *
 * Popping many entries from a large heap (a `VirtualClock` running 100,000
 * timers) spends its time in cache misses and mispredicted comparisons:
 * each level of a sift reads entries scattered in memory. So a pop that
 * finds the heap large sorts its entries at once into a run (their keys
 * copied into typed arrays, sorted by digits when they are integers in a
 * narrow range, as timers' milliseconds and sequence numbers are), and the
 * pops that follow take the run's head, or an entry pushed since when it
 * comes first (the run feeds the heap one entry at a time, so a `peek`
 * costs what it did). An entry is sorted at most once, so a pop stays
 * O(log n) amortized; the pop that sorts costs O(n) (digits) or O(n log n).
 * A separate class, so that the futures, timeouts and executors that share
 * the plain heap do not ship the sort.
 *
 * @module
 */

import { DeadlineHeap, type HeapEntry } from "./_heap.ts";

/** The fewest entries a pop sorts into a run (below it, sifting is cheap). */
const RUN_MIN = 4096;
/** The length of the blocks the merge sort starts from (insertion-sorted). */
const BLOCK = 16;

/**
 * A min-heap ordered by (deadline, seq) whose large pops go through a sorted
 * run. The run feeds the heap one entry at a time: its next entry is in the
 * heap, so `peek` is the plain heap's; the others wait with `index` -2 - i.
 */
export class RunHeap<E extends HeapEntry> extends DeadlineHeap<E> {
  // The sorted run: entries from `#head` on, `undefined` where removed.
  #run: (E | undefined)[] = [];
  #head = 0;
  /** Entries of the run not fed to the heap yet (removed ones excluded). */
  #waiting = 0;
  /** The run's entry now in the heap, if any. */
  #fed: E | undefined = undefined;

  /** The number of entries. */
  override get size(): number {
    return super.size + this.#waiting;
  }

  /** Removes and returns the earliest entry. */
  override pop(): E | undefined {
    if (this.#fed === undefined && super.size >= RUN_MIN) this.#sortRun();
    const top = super.pop();
    if (top !== undefined && top === this.#fed) this.#feed();
    return top;
  }

  /** Removes `entry` if it is in this heap; returns whether it was. */
  override remove(entry: E): boolean {
    const i = entry.index;
    if (i > -2) {
      if (!super.remove(entry)) return false;
      if (entry === this.#fed) this.#feed();
      return true;
    }
    const at = -2 - i;
    if (this.#run[at] !== entry) return false;
    this.#run[at] = undefined;
    entry.index = -1;
    this.#waiting--;
    return true;
  }

  /** Removes every entry and returns them (in no particular order). */
  override clear(): E[] {
    const out = super.clear();
    const run = this.#run;
    for (let i = this.#head; i < run.length; i++) {
      const e = run[i];
      if (e !== undefined) {
        e.index = -1;
        out.push(e);
      }
    }
    this.#dropRun();
    return out;
  }

  /** Iterates the entries in no particular order. */
  override values(): IterableIterator<E> {
    const out = [...super.values()];
    const run = this.#run;
    for (let i = this.#head; i < run.length; i++) {
      const e = run[i];
      if (e !== undefined) out.push(e);
    }
    return out.values();
  }

  /** Moves the run's next entry into the heap, or ends the run. */
  #feed(): void {
    const run = this.#run;
    let head = this.#head;
    while (head < run.length && run[head] === undefined) head++;
    if (head === run.length) {
      this.#dropRun();
      return;
    }
    const next = run[head] as E;
    run[head] = undefined;
    this.#head = head + 1;
    this.#waiting--;
    this.#fed = next;
    super.push(next);
  }

  #dropRun(): void {
    this.#run = [];
    this.#head = 0;
    this.#waiting = 0;
    this.#fed = undefined;
  }

  /** Moves every entry of the heap, sorted, into the run, and feeds it. */
  #sortRun(): void {
    const run = sortByKeys(super.clear());
    for (let i = 0; i < run.length; i++) (run[i] as E).index = -2 - i;
    this.#run = run;
    this.#head = 0;
    this.#waiting = run.length;
    this.#feed();
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
