/**
 * The timers of an `EventLoop`, without an object per timer: a binary
 * min-heap on typed arrays keyed by (deadline, seq), over slots whose fields
 * are parallel arrays. Cancellation is lazy (a cancelled entry stays in the
 * heap, skipped when it reaches the top, compacted when the dead outnumber
 * the live), so a handle is a number: slot and generation (from 1, so that
 * `if (handle)` holds, as a host's timer ids do).
 *
 * An HTML-model loop also keeps a ready queue: timers whose task is queued
 * (a 0 ms timer at once, a delayed one when it falls due), each with its
 * queueing order, so that they interleave with other task sources in the
 * order Chromium queues them.
 *
 * Keeping 100,000 pending timers out of the garbage collector's way is what
 * keeps `runAll` near n log n (see bench/loop_bench.ts).
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
export type AnyFn = (...args: any[]) => unknown;

/**
 * Slot states: QUEUED is in the heap, READY in the ready queue (an HTML
 * task queued in order), RUNNING is being run.
 */
export const FREE = 0, QUEUED = 1, RUNNING = 2, CANCELLED = 3, READY = 4;

const SLOT_BITS = 2 ** 24; // slots per generation in a handle

/** Timer slots and the heap that orders them. */
export class TimerStore {
  // The heap: parallel arrays, `n` entries.
  #keys = new Float64Array(64);
  #seqs = new Float64Array(64);
  #slots = new Int32Array(64);
  #n = 0;
  // The slots: parallel arrays, `#count` ever used, `#free` reusable.
  callback: (AnyFn | undefined)[] = [];
  args: (unknown[] | undefined)[] = [];
  /** The requested delay (for labels); the period of an interval. */
  ms: Float64Array = new Float64Array(64);
  interval: Uint8Array = new Uint8Array(64);
  /** The HTML nesting level of the task the timer runs as. */
  nesting: Int32Array = new Int32Array(64);
  /** The trace event that armed it (0: top level), and when. */
  by: Int32Array = new Int32Array(64);
  at: Float64Array = new Float64Array(64);
  /** Which rule placed it (an index into the loop's timer rules). */
  rule: Uint8Array = new Uint8Array(64);
  id: Float64Array = new Float64Array(64);
  /** The deadline it was queued for. */
  due: Float64Array = new Float64Array(64);
  /** 1: it does not keep the loop running (Node's unref). */
  unref: Uint8Array = new Uint8Array(64);
  state: Uint8Array = new Uint8Array(64);
  #gen = new Uint32Array(64);
  #count = 0;
  #free: number[] = [];
  /** Queued (heap or ready queue), not cancelled. */
  live = 0;
  /** Of the live, how many are unref'd. */
  unrefLive = 0;
  #dead = 0;
  // The ready queue: a ring of slots and their queueing orders.
  #ready = new Int32Array(16);
  #readyOrder = new Float64Array(16);
  #rh = 0;
  #rn = 0;

  /** Takes a free slot (state FREE until pushed). */
  alloc(): number {
    if (this.#free.length > 0) return this.#free.pop() as number;
    if (this.#count === this.state.length) this.#growSlots();
    return this.#count++;
  }

  /** The handle of `slot`: its index and generation, from 1. */
  handle(slot: number): number {
    return slot + 1 + this.#gen[slot]! * SLOT_BITS;
  }

  /** The slot of a handle still current, or -1. */
  slotOf(handle: unknown): number {
    if (typeof handle !== "number" || !Number.isInteger(handle)) return -1;
    const slot = (handle - 1) % SLOT_BITS;
    if (slot < 0 || slot >= this.#count) return -1;
    return (handle - 1 - slot) / SLOT_BITS === this.#gen[slot] ? slot : -1;
  }

  /** Queues `slot` in the ready queue with queueing order `order`. */
  pushReady(slot: number, order: number): void {
    if (this.state[slot] !== QUEUED) {
      this.live++;
      if (this.unref[slot] === 1) this.unrefLive++;
    }
    this.state[slot] = READY;
    if (this.#rn === this.#ready.length) this.#growReady();
    const i = (this.#rh + this.#rn++) & (this.#ready.length - 1);
    this.#ready[i] = slot;
    this.#readyOrder[i] = order;
  }

  /** The order of the first live ready timer, or Infinity (drops dead ones). */
  peekReady(): number {
    while (this.#rn > 0) {
      const slot = this.#ready[this.#rh]!;
      if (this.state[slot] === READY) return this.#readyOrder[this.#rh]!;
      this.#shiftReady();
      this.release(slot);
    }
    return Infinity;
  }

  /** Removes the first ready timer (live: the caller peeked); its slot. */
  popReady(): number {
    const slot = this.#shiftReady();
    this.live--;
    if (this.unref[slot] === 1) this.unrefLive--;
    this.state[slot] = RUNNING;
    return slot;
  }

  /** Moves every heap timer due by `now` to the ready queue, in order. */
  promote(now: number, nextOrder: () => number): void {
    while (this.peekDeadline() <= now) {
      const slot = this.#slots[0]!;
      this.#removeTop();
      this.pushReady(slot, nextOrder());
    }
  }

  /** The live timers in run order: the ready queue, then the heap's. */
  liveSlots(): number[] {
    const out: number[] = [];
    const mask = this.#ready.length - 1;
    for (let i = 0; i < this.#rn; i++) {
      const slot = this.#ready[(this.#rh + i) & mask]!;
      if (this.state[slot] === READY) out.push(slot);
    }
    const heap: number[] = [];
    for (let i = 0; i < this.#n; i++) {
      if (this.state[this.#slots[i]!] === QUEUED) heap.push(i);
    }
    heap.sort((a, b) =>
      this.#keys[a]! - this.#keys[b]! || this.#seqs[a]! - this.#seqs[b]!
    );
    for (const i of heap) out.push(this.#slots[i]!);
    return out;
  }

  #shiftReady(): number {
    const slot = this.#ready[this.#rh]!;
    this.#rh = (this.#rh + 1) & (this.#ready.length - 1);
    this.#rn--;
    return slot;
  }

  #growReady(): void {
    const n = this.#ready.length;
    const slots = new Int32Array(n * 2);
    const orders = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      slots[i] = this.#ready[(this.#rh + i) & (n - 1)]!;
      orders[i] = this.#readyOrder[(this.#rh + i) & (n - 1)]!;
    }
    this.#ready = slots;
    this.#readyOrder = orders;
    this.#rh = 0;
  }

  /** Queues `slot` at (deadline, seq). */
  push(slot: number, deadline: number, seq: number): void {
    this.state[slot] = QUEUED;
    this.live++;
    if (this.unref[slot] === 1) this.unrefLive++;
    if (this.#n === this.#keys.length) this.#growHeap();
    const keys = this.#keys, seqs = this.#seqs, slots = this.#slots;
    let i = this.#n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p]!;
      if (pk < deadline || (pk === deadline && seqs[p]! < seq)) break;
      keys[i] = pk;
      seqs[i] = seqs[p]!;
      slots[i] = slots[p]!;
      i = p;
    }
    keys[i] = deadline;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** The earliest live deadline, or Infinity (drops dead entries on top). */
  peekDeadline(): number {
    while (this.#n > 0) {
      const slot = this.#slots[0]!;
      if (this.state[slot] !== CANCELLED) return this.#keys[0]!;
      this.#removeTop();
      this.#dead--;
      this.release(slot);
    }
    return Infinity;
  }

  /**
   * Whether exactly one heap entry is due by `now` (call after
   * `peekDeadline` found the first due); a cancelled second entry counts.
   */
  dueAlone(now: number): boolean {
    const n = this.#n;
    const keys = this.#keys;
    return (n < 2 || keys[1]! > now) && (n < 3 || keys[2]! > now);
  }

  /** The seq of the earliest live entry (call after `peekDeadline`). */
  peekSeq(): number {
    return this.#seqs[0]!;
  }

  /** Removes the earliest entry (live: the caller peeked) and returns its slot. */
  pop(): number {
    const slot = this.#slots[0]!;
    this.#removeTop();
    this.live--;
    if (this.unref[slot] === 1) this.unrefLive--;
    this.state[slot] = RUNNING;
    return slot;
  }

  /** Cancels by handle: a queued timer is dropped, a running interval not re-armed. */
  cancel(handle: unknown): void {
    const slot = this.slotOf(handle);
    if (slot < 0) return;
    const s = this.state[slot];
    if (s === QUEUED || s === READY) {
      this.state[slot] = CANCELLED;
      this.live--;
      if (this.unref[slot] === 1) this.unrefLive--;
      this.callback[slot] = this.args[slot] = undefined;
      if (
        s === QUEUED && ++this.#dead > 1024 && this.#dead > this.live
      ) this.#compact();
    } else if (s === RUNNING) this.state[slot] = CANCELLED;
  }

  /** Frees a slot for reuse; its old handle stops matching. */
  release(slot: number): void {
    this.state[slot] = FREE;
    this.unref[slot] = 0;
    this.callback[slot] = this.args[slot] = undefined;
    this.#gen[slot] = (this.#gen[slot]! + 1) & 0x1fffffff;
    this.#free.push(slot);
  }

  /** Drops every timer. */
  clear(): void {
    for (let i = 0; i < this.#n; i++) this.release(this.#slots[i]!);
    while (this.#rn > 0) this.release(this.#shiftReady());
    this.#n = 0;
    this.live = this.unrefLive = this.#dead = 0;
  }

  #removeTop(): void {
    const n = --this.#n;
    if (n === 0) return;
    const keys = this.#keys, seqs = this.#seqs, slots = this.#slots;
    this.#siftDown(0, keys[n]!, seqs[n]!, slots[n]!, n, keys, seqs, slots);
  }

  #siftDown(
    i: number,
    k: number,
    s: number,
    e: number,
    n: number,
    keys: Float64Array,
    seqs: Float64Array,
    slots: Int32Array,
  ): void {
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (
        r < n &&
        (keys[r]! < keys[c]! || (keys[r] === keys[c] && seqs[r]! < seqs[c]!))
      ) c = r;
      const ck = keys[c]!;
      if (k < ck || (k === ck && s < seqs[c]!)) break;
      keys[i] = ck;
      seqs[i] = seqs[c]!;
      slots[i] = slots[c]!;
      i = c;
    }
    keys[i] = k;
    seqs[i] = s;
    slots[i] = e;
  }

  // Drops the cancelled entries and rebuilds the heap in O(n).
  #compact(): void {
    const keys = this.#keys, seqs = this.#seqs, slots = this.#slots;
    let m = 0;
    for (let i = 0; i < this.#n; i++) {
      const slot = slots[i]!;
      if (this.state[slot] === CANCELLED) {
        this.release(slot);
        continue;
      }
      keys[m] = keys[i]!;
      seqs[m] = seqs[i]!;
      slots[m++] = slot;
    }
    this.#n = m;
    this.#dead = 0;
    for (let i = (m >> 1) - 1; i >= 0; i--) {
      this.#siftDown(i, keys[i]!, seqs[i]!, slots[i]!, m, keys, seqs, slots);
    }
  }

  #growHeap(): void {
    const size = this.#keys.length * 2;
    this.#keys = grow(this.#keys, new Float64Array(size));
    this.#seqs = grow(this.#seqs, new Float64Array(size));
    this.#slots = grow(this.#slots, new Int32Array(size));
  }

  #growSlots(): void {
    const size = this.state.length * 2;
    this.ms = grow(this.ms, new Float64Array(size));
    this.interval = grow(this.interval, new Uint8Array(size));
    this.nesting = grow(this.nesting, new Int32Array(size));
    this.by = grow(this.by, new Int32Array(size));
    this.at = grow(this.at, new Float64Array(size));
    this.rule = grow(this.rule, new Uint8Array(size));
    this.id = grow(this.id, new Float64Array(size));
    this.due = grow(this.due, new Float64Array(size));
    this.unref = grow(this.unref, new Uint8Array(size));
    this.state = grow(this.state, new Uint8Array(size));
    this.#gen = grow(this.#gen, new Uint32Array(size));
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(
  from: T,
  to: T,
): T {
  to.set(from as never);
  return to;
}
