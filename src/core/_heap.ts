/**
 * A binary min-heap of entries keyed by `deadline`, then by `seq` (insertion
 * order), with O(log n) removal of any entry through its stored index.
 *
 * @module
 */

/** What the heap orders. `index` is maintained by the heap (-1 when out). */
export interface HeapEntry {
  /** The primary key: the time the entry is due. */
  deadline: number;
  /** The tie-breaker: a strictly increasing sequence number. */
  seq: number;
  /**
   * The entry's position in the heap, or -1 when it is not in a heap (a
   * `RunHeap` keeps -2 - i for the i-th entry of its sorted run).
   */
  index: number;
}

function less(a: HeapEntry, b: HeapEntry): boolean {
  return a.deadline < b.deadline ||
    (a.deadline === b.deadline && a.seq < b.seq);
}

/** A binary min-heap ordered by (deadline, seq). */
export class DeadlineHeap<E extends HeapEntry> {
  #items: E[] = [];

  /** The number of entries. */
  get size(): number {
    return this.#items.length;
  }

  /** The earliest entry, or `undefined`. */
  peek(): E | undefined {
    return this.#items[0];
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

  /** Removes `entry` if it is in this heap; returns whether it was. */
  remove(entry: E): boolean {
    const i = entry.index;
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

  /** Removes every entry and returns them (in heap order, not sorted). */
  clear(): E[] {
    const items = this.#items;
    this.#items = [];
    for (const e of items) e.index = -1;
    return items;
  }

  /** Iterates the entries in no particular order. */
  values(): IterableIterator<E> {
    return this.#items.values();
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
