/**
 * A growable ring-buffer FIFO queue (never `Array.prototype.shift`).
 *
 * @module
 */

/** A FIFO queue on a power-of-two ring buffer. */
export class RingQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  #mask: number;

  /** @param capacity Initial capacity, rounded up to a power of two. */
  constructor(capacity = 16) {
    let cap = 4;
    while (cap < capacity) cap *= 2;
    this.#items = new Array(cap);
    this.#mask = cap - 1;
  }

  /** The number of queued items. */
  get length(): number {
    return this.#size;
  }

  /** Appends an item. */
  push(item: T): void {
    if (this.#size > this.#mask) this.#grow();
    this.#items[(this.#head + this.#size) & this.#mask] = item;
    this.#size++;
  }

  /** Removes and returns the first item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return item;
  }

  /** Returns the first item without removing it. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Returns the item at position `i` from the front (0 is the first). */
  at(i: number): T | undefined {
    return i < 0 || i >= this.#size
      ? undefined
      : this.#items[(this.#head + i) & this.#mask];
  }

  /**
   * Removes the first occurrence of `item` (O(n)); returns whether it was
   * found.
   */
  remove(item: T): boolean {
    const n = this.#size;
    for (let i = 0; i < n; i++) {
      if (this.#items[(this.#head + i) & this.#mask] === item) {
        for (let j = i; j < n - 1; j++) {
          this.#items[(this.#head + j) & this.#mask] =
            this.#items[(this.#head + j + 1) & this.#mask];
        }
        this.#items[(this.#head + n - 1) & this.#mask] = undefined;
        this.#size--;
        return true;
      }
    }
    return false;
  }

  /** Removes every item and returns them in order. */
  drain(): T[] {
    const out: T[] = [];
    let item;
    while (this.#size > 0) {
      item = this.shift() as T;
      out.push(item);
    }
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const cap = old.length * 2;
    const items = new Array<T | undefined>(cap);
    for (let i = 0; i < this.#size; i++) {
      items[i] = old[(this.#head + i) & this.#mask];
    }
    this.#items = items;
    this.#head = 0;
    this.#mask = cap - 1;
  }
}
