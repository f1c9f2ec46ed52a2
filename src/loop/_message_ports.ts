/**
 * `MessageChannel` in an `EventLoop`: entangled ports (HTML's start and close
 * rules in every profile) and their delivery by the profile's
 * `messageDelivery`:
 *
 * - `"task-source"` (Chromium): a started port with messages has one task
 *   queued on the `"messages"` source; it delivers one message, then queues
 *   the next task, so messages of one port interleave with other tasks; a
 *   microtask checkpoint after each listener;
 * - `"poll"` (Node): in the poll phase, port by port in creation order, each
 *   port's queue drained (messages posted meanwhile included), a checkpoint
 *   after each message;
 * - `"pending"` (Deno): messages posted in one loop turn are delivered in the
 *   pending phase of a later turn, one per port in turns (the port whose
 *   first message was posted first leads), the microtasks after each message
 *   and the nextTick queue after the last.
 *
 * @module
 */

import { RingQueue } from "../core/_ring.ts";
import type {
  SimulatedMessageChannel,
  SimulatedMessageEvent,
  SimulatedMessagePort,
} from "./event_loop.ts";
import type { AnyFn, Job, LoopEngine } from "./_loop_engine.ts";

type Listener = (event: SimulatedMessageEvent) => unknown;

interface Message {
  readonly data: unknown;
  /** When it was posted. */
  readonly at: number;
  /** The loop turn it was posted in (`"pending"` delivery). */
  readonly turn: number;
  /** Posting order across ports. */
  readonly seq: number;
}

const clone: (value: unknown) => unknown =
  typeof globalThis.structuredClone === "function"
    ? (v) => globalThis.structuredClone(v)
    : (v) => v;

/** One end of a simulated `MessageChannel`. */
class Port implements SimulatedMessagePort {
  readonly #hub: MessageHub;
  /** Creation order (Node delivers port by port in this order). */
  readonly id: number;
  other: Port | undefined = undefined;
  readonly queue: RingQueue<Message> = new RingQueue();
  /** Start order, 0 until started. */
  started = 0;
  closed = false;
  /**
   * HTML: the task that delivers its next message, while queued or running
   * (a message that arrives meanwhile is queued after it).
   */
  task: Job | undefined = undefined;
  readonly listeners: Listener[] = [];
  #onmessage: Listener | null = null;

  constructor(hub: MessageHub, id: number) {
    this.#hub = hub;
    this.id = id;
  }

  postMessage(message: unknown): void {
    const data = clone(message);
    const to = this.other;
    if (this.closed || to === undefined || to.closed) return;
    const hub = this.#hub;
    to.queue.push({ data, at: hub.now, turn: hub.turn, seq: ++hub.posted });
    this.#hub.size++;
    this.#hub.arrived(to);
  }

  get onmessage(): Listener | null {
    return this.#onmessage;
  }

  set onmessage(listener: Listener | null) {
    const old = this.#onmessage;
    if (typeof listener !== "function") listener = null;
    this.#onmessage = listener;
    if (old !== null) {
      const i = this.listeners.indexOf(old);
      if (listener === null) this.listeners.splice(i, 1);
      else this.listeners[i] = listener;
    } else if (listener !== null) this.listeners.push(listener);
    if (listener !== null) this.start();
  }

  addEventListener(type: string, listener: Listener): void {
    if (type !== "message" || typeof listener !== "function") return;
    if (!this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    if (type !== "message") return;
    const i = this.listeners.indexOf(listener);
    if (i >= 0 && listener !== this.#onmessage) this.listeners.splice(i, 1);
  }

  start(): void {
    if (this.started > 0 || this.closed) return;
    this.started = ++this.#hub.starts;
    if (this.queue.length > 0) this.#hub.arrived(this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#hub.size -= this.queue.length;
    this.queue.drain();
    if (this.task !== undefined) this.task.cancelled = true;
    this.task = undefined;
    if (this.other !== undefined) this.other.other = undefined;
    this.other = undefined;
    this.#hub.waiting.delete(this);
    this.#hub.forget(this);
  }
}

/** The ports of one loop and their delivery. */
export class MessageHub {
  readonly #e: LoopEngine;
  readonly #kind: "task-source" | "poll" | "pending";
  /** HTML: the delivery tasks of the `"messages"` source, in order. */
  readonly tasks: RingQueue<Job> = new RingQueue();
  /** Node, Deno: started ports with queued messages. */
  readonly waiting: Set<Port> = new Set();
  /** Messages queued on open ports. */
  size = 0;
  /** Every port, in creation order (for snapshots). */
  readonly all: Port[] = [];
  /** Ports created, ports started, messages posted. */
  ports = 0;
  posted = 0;
  starts = 0;
  /** The loop turn (phases model), for `"pending"` delivery. */
  turn = 0;
  // Deno: the ports of the running delivery batch, and the next one's index.
  #batch: Port[] = [];
  #next = 0;

  constructor(engine: LoopEngine) {
    this.#e = engine;
    this.#kind = engine.profile.messageDelivery;
  }

  /** The loop's virtual time. */
  get now(): number {
    return this.#e.now;
  }

  /** A new entangled pair. */
  channel(): SimulatedMessageChannel {
    const port1 = new Port(this, ++this.ports);
    const port2 = new Port(this, ++this.ports);
    port1.other = port2;
    port2.other = port1;
    this.all.push(port1, port2);
    return Object.freeze({ port1, port2 });
  }

  /** Forgets a closed port. */
  forget(port: Port): void {
    const i = this.all.indexOf(port);
    if (i >= 0) this.all.splice(i, 1);
  }

  /** A message is queued on `port` (or `port` started with some queued). */
  arrived(port: Port): void {
    if (port.started === 0) return;
    if (this.#kind === "task-source") this.#schedule(port);
    else this.waiting.add(port);
  }

  /** Whether a started port has a message waiting (Node, Deno). */
  get hasWaiting(): boolean {
    return this.waiting.size > 0;
  }

  /** Drops every port's messages (for `reset`). */
  reset(): void {
    for (let j = this.tasks.shift(); j !== undefined; j = this.tasks.shift()) {
      j.cancelled = true;
    }
    for (const port of this.all) {
      port.queue.drain();
      port.task = undefined;
    }
    this.waiting.clear();
    this.#batch = [];
    this.size = 0;
  }

  /** Visits each queued message: its port's label and when it was posted. */
  forEachQueued(visit: (label: string, at: number) => void): void {
    for (const port of this.all) {
      for (let i = 0; i < port.queue.length; i++) {
        visit(`message to port ${port.id}`, port.queue.at(i)!.at);
      }
    }
  }

  /** HTML: the order of the next delivery task, or Infinity. */
  headOrder(): number {
    const q = this.tasks;
    for (let j = q.peek(); j !== undefined; j = q.peek()) {
      if (!j.cancelled) return j.order;
      q.shift();
    }
    return Infinity;
  }

  /** HTML: runs the next delivery task (the caller peeked it). */
  runTask(): void {
    const j = this.tasks.shift()!;
    this.#e.runTask(j, "task", "messages", this.#e.rules.message);
  }

  /**
   * Node: delivers the next message of the poll phase: from the port with
   * the lowest creation order not below `cursor`. Returns that port's order,
   * or 0 when there is none.
   */
  deliverPoll(cursor: number): number {
    let port: Port | undefined;
    for (const p of this.waiting) {
      if (p.id >= cursor && (port === undefined || p.id < port.id)) port = p;
    }
    if (port === undefined) return 0;
    const e = this.#e;
    e.runTask(this.#job(port), "task", "messages", e.rules.message);
    return port.id;
  }

  /**
   * Deno: delivers the next message of the pending phase of loop turn
   * `turn`; false when there is none.
   */
  deliverPending(turn: number): boolean {
    if (this.#batch.length === 0) {
      const ready = [...this.waiting].filter((p) =>
        p.queue.peek()!.turn < turn
      );
      if (ready.length === 0) return false;
      // The port whose message arrived first is received first.
      this.#batch = ready.sort((a, b) =>
        a.queue.peek()!.seq - b.queue.peek()!.seq
      );
      this.#next = 0;
    }
    const batch = this.#batch;
    let port: Port | undefined;
    for (let i = 0; i < batch.length && port === undefined; i++) {
      const p = batch[(this.#next + i) % batch.length]!;
      if (p.queue.length > 0) {
        port = p;
        this.#next = (this.#next + i + 1) % batch.length;
      }
    }
    const e = this.#e;
    if (port === undefined) {
      this.#batch = [];
      return false;
    }
    e.runJob(this.#job(port), "task", "messages", e.rules.message);
    e.checkpointBetween();
    if (!batch.some((p) => p.queue.length > 0)) {
      this.#batch = [];
      e.checkpoint();
    }
    return true;
  }

  #schedule(port: Port): void {
    if (port.task !== undefined || port.queue.length === 0) return;
    const j = this.#job(port);
    j.order = this.#e.seq++;
    port.task = j;
    this.tasks.push(j);
  }

  // The job that delivers `port`'s next message to its listeners.
  #job(port: Port): Job {
    const e = this.#e;
    const first = port.listeners[0] as AnyFn | undefined;
    const label = e.trace === undefined
      ? undefined
      : (first !== undefined ? e.userLabel(first) : undefined) ??
        `message to port ${port.id} #${e.ids + 1}`;
    return e.job(() => this.#deliver(port), undefined, "message", label);
  }

  #deliver(port: Port): void {
    const m = port.queue.shift();
    if (port.queue.length === 0) this.waiting.delete(port);
    if (m === undefined) return;
    this.size--;
    const event: SimulatedMessageEvent = Object.freeze({
      type: "message",
      data: m.data,
      target: port,
      currentTarget: port,
      ports: Object.freeze([]) as readonly never[],
    });
    const e = this.#e;
    const html = this.#kind === "task-source";
    const listeners = [...port.listeners];
    for (let i = 0; i < listeners.length; i++) {
      if (html && i > 0) e.checkpointBetween();
      try {
        listeners[i]!.call(port, event);
      } catch (error) {
        e.uncaught(error);
      }
    }
    // HTML queues the port's next task after this one ran.
    port.task = undefined;
    if (html) this.#schedule(port);
  }
}
