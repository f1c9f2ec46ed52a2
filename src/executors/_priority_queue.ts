/**
 * A priority queue as an array of ring buffers, one per priority (highest
 * first), FIFO within a priority. Removing an item from the middle is O(1):
 * it is marked and skipped (a tombstone); a ring whose tombstones outnumber
 * its live items is compacted, so memory stays proportional to what is live.
 *
 * @module
 */

import { RingQueue } from "../core/_ring.ts";

/** What the queue holds. */
export interface PriorityItem {
  /** Higher runs first; fixed while the item is queued. */
  readonly priority: number;
  /** Whether the item is in the queue; maintained by the queue. */
  queued: boolean;
}

interface Bucket<T> {
  readonly priority: number;
  readonly ring: RingQueue<T>;
  /** Tombstones in `ring`. */
  dead: number;
}

// Compact a ring once it holds more than this many tombstones and they
// outnumber its live items.
const COMPACT_AT = 32;
// Empty buckets are pruned when a new one is needed past this many.
const PRUNE_AT = 8;

/** Highest priority first, first in first out within a priority. */
export class PriorityQueue<T extends PriorityItem> {
  /** Buckets by descending priority. */
  #buckets: Bucket<T>[] = [];
  #size = 0;
  #last: Bucket<T> | undefined = undefined;

  /** The number of live items. */
  get size(): number {
    return this.#size;
  }

  /** Appends `item` behind the items of the same priority. */
  push(item: T): void {
    item.queued = true;
    this.#bucketFor(item.priority).ring.push(item);
    this.#size++;
  }

  /** The first live item, or `undefined`. */
  peek(): T | undefined {
    if (this.#size === 0) return undefined;
    for (const bucket of this.#buckets) {
      const ring = bucket.ring;
      let head = ring.peek();
      while (head !== undefined && !head.queued) {
        ring.shift();
        bucket.dead--;
        head = ring.peek();
      }
      if (head !== undefined) return head;
    }
    return undefined;
  }

  /** Removes and returns the first live item, or `undefined`. */
  shift(): T | undefined {
    const item = this.peek();
    if (item === undefined) return undefined;
    // After peek, the first non-empty ring starts with `item`.
    for (const bucket of this.#buckets) {
      if (bucket.ring.length !== 0) {
        bucket.ring.shift();
        break;
      }
    }
    item.queued = false;
    this.#size--;
    return item;
  }

  /** Removes a queued `item` from wherever it is (O(1) amortized). */
  delete(item: T): boolean {
    if (!item.queued) return false;
    item.queued = false;
    this.#size--;
    const bucket = this.#bucketFor(item.priority);
    const ring = bucket.ring;
    if (ring.peek() === item) ring.shift();
    else if (++bucket.dead > COMPACT_AT && bucket.dead * 2 > ring.length) {
      for (const x of ring.drain()) if (x.queued) ring.push(x);
      bucket.dead = 0;
    }
    return true;
  }

  /** Removes every live item and returns them in queue order. */
  drain(): T[] {
    const out: T[] = [];
    for (const bucket of this.#buckets) {
      for (const item of bucket.ring.drain()) {
        if (item.queued) {
          item.queued = false;
          out.push(item);
        }
      }
      bucket.dead = 0;
    }
    this.#size = 0;
    return out;
  }

  #bucketFor(priority: number): Bucket<T> {
    const last = this.#last;
    if (last !== undefined && last.priority === priority) return last;
    let buckets = this.#buckets;
    let i = 0;
    for (; i < buckets.length; i++) {
      const b = buckets[i] as Bucket<T>;
      if (b.priority === priority) return this.#last = b;
      if (b.priority < priority) break;
    }
    if (buckets.length >= PRUNE_AT) {
      buckets = this.#buckets = buckets.filter((b) => b.ring.length !== 0);
      this.#last = undefined;
      i = buckets.findIndex((b) => b.priority < priority);
      if (i < 0) i = buckets.length;
    }
    const bucket: Bucket<T> = { priority, ring: new RingQueue<T>(), dead: 0 };
    buckets.splice(i, 0, bucket);
    return this.#last = bucket;
  }
}
