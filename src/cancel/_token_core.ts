/**
 * The machinery behind `CancellationToken`, `CancellationTokenSource` and the
 * signal helpers that create signals: a cancellation state over the
 * registration list of a {@linkcode SignalCore}.
 *
 * A core is one of three kinds:
 * - a source core (a {@linkcode TokenCore}), cancelled by its source, a
 *   timer or a parent it links to;
 * - a signal core (a plain {@linkcode SignalCore}), which mirrors a foreign
 *   `AbortSignal`;
 * - a never core (`CancellationToken.none`, a disposed source).
 *
 * Linking a child to a parent adds a node to the parent's list; the child
 * keeps its nodes chained through `sibling` and unlinks them all when it is
 * cancelled or disposed. No `AbortSignal` or event listener is involved when
 * the parents are tokens (or signals created by tokens).
 *
 * @module
 */

import type { QueuedTimer, TimerQueue } from "../core/_timer_queue.ts";
import { timeoutError } from "../core/_reasons.ts";
import {
  drain,
  type LinkedCore,
  type Registration,
  reportErrors,
  SignalCore,
  tag,
} from "./_signal_core.ts";

const LIVE = 0;
const CANCELLED = 1;
const NEVER = 2;

/** The state shared by a token, its source and its links. */
export class TokenCore extends SignalCore implements LinkedCore {
  state: number;
  reason: unknown = undefined;
  /** This core's link nodes in its parents' lists, chained by `sibling`. */
  links: Registration | null = null;
  controller: AbortController | undefined = undefined;
  timer: QueuedTimer | undefined = undefined;
  queue: TimerQueue | undefined = undefined;

  constructor(never?: boolean) {
    super();
    this.state = never === true ? NEVER : LIVE;
  }

  /** Whether cancellation was requested. */
  override get cancelled(): boolean {
    return this.state === CANCELLED;
  }

  /** The reason, or undefined while not cancelled. */
  override get currentReason(): unknown {
    return this.reason;
  }

  /** Whether the core may still be cancelled (it is worth registering). */
  override get live(): boolean {
    return this.state === LIVE;
  }

  /**
   * Links this (live) core to `parent`: it is cancelled when the parent is.
   * Returns false when the parent is already cancelled (nothing linked).
   */
  linkTo(parent: SignalCore): boolean {
    if (parent.live) {
      const node = parent.add(null, this);
      node.sibling = this.links;
      this.links = node;
      return true;
    }
    return !parent.cancelled;
  }

  /**
   * Cancels with `reason`: unlinks from parents, drops the timer, aborts the
   * signal, then runs the callbacks (and cancels linked children) in
   * registration order. Returns what callbacks threw, appended to `errors`.
   */
  cancel(reason: unknown, errors?: unknown[]): unknown[] | undefined {
    if (!this.begin(reason)) return errors;
    return drain(this, reason, errors);
  }

  /**
   * The first half of {@linkcode TokenCore.cancel}: marks the core cancelled,
   * releases it and aborts its signal. Returns false when it was not live.
   */
  begin(reason: unknown): boolean {
    if (this.state !== LIVE) return false;
    this.state = CANCELLED;
    this.reason = reason;
    this.release();
    const controller = this.controller;
    if (controller !== undefined) {
      this.controller = undefined;
      controller.abort(reason);
    }
    return true;
  }

  /** Releases the timer and the links to parents. */
  release(): void {
    const timer = this.timer;
    if (timer !== undefined) {
      this.timer = undefined;
      this.queue!.cancel(timer);
    }
    let node = this.links;
    this.links = null;
    while (node !== null) {
      const sibling = node.sibling;
      node.sibling = null;
      const owner = node.owner;
      if (owner !== null) owner.unlink(node);
      node = sibling;
    }
  }

  /**
   * Disposes a source core: releases the timer and links; when not
   * cancelled, it can never cancel any more and drops its callbacks.
   */
  dispose(): void {
    this.release();
    if (this.state !== LIVE) return;
    this.state = NEVER;
    this.controller = undefined;
    let node = this.head;
    this.head = this.tail = null;
    while (node !== null) {
      const next = node.next;
      node.prev = node.next = null;
      node.owner = null;
      node.callback = null;
      node.child = null;
      node = next;
    }
  }

  /** Cancels with a timeout reason after `ms` on `queue` (rescheduling). */
  cancelAfter(queue: TimerQueue, ms: number): void {
    if (this.state !== LIVE) return;
    const timer = this.timer;
    if (timer !== undefined) this.queue!.cancel(timer);
    this.queue = queue;
    this.timer = queue.schedule(() => {
      this.timer = undefined;
      reportErrors(this.cancel(timeoutError(ms)));
    }, ms);
  }

  /** The `AbortSignal` view of this core, created on first use. */
  override abortSignal(): AbortSignal {
    let signal = this.signal;
    if (signal !== undefined) return signal;
    if (this.state === CANCELLED) signal = AbortSignal.abort(this.reason);
    else {
      const controller = new AbortController();
      if (this.state === LIVE) this.controller = controller;
      signal = controller.signal;
    }
    tag(signal, this);
    this.signal = signal;
    return signal;
  }
}
