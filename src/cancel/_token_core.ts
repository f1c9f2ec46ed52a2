/**
 * The machinery behind `CancellationToken`, `CancellationTokenSource` and the
 * signal helpers: a cancellation state with an intrusive doubly linked list
 * of registrations (O(1) add and remove, nothing allocated but the node).
 *
 * A core is one of three kinds:
 * - a source core, cancelled by its source, a timer or a parent it links to;
 * - a signal core, which mirrors a foreign `AbortSignal`: it holds one `abort`
 *   listener on that signal while (and only while) it has registrations, so
 *   any number of operations share a single listener and leave none behind;
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
import { reportError } from "../core/_report.ts";

const LIVE = 0;
const CANCELLED = 1;
const NEVER = 2;

/** A registration in a core's list; also the `Disposable` users receive. */
export class Registration implements Disposable {
  prev: Registration | null = null;
  next: Registration | null = null;
  /** The core whose list holds this node, or null once out of it. */
  owner: TokenCore | null;
  /** The user callback (null for a link node). */
  callback: ((reason: unknown) => void) | null;
  /** The linked child to cancel (null for a callback node). */
  child: TokenCore | null;
  /** The next link node of the same child (a child's links to parents). */
  sibling: Registration | null = null;

  constructor(
    owner: TokenCore,
    callback: ((reason: unknown) => void) | null,
    child: TokenCore | null,
  ) {
    this.owner = owner;
    this.callback = callback;
    this.child = child;
  }

  /** Removes the registration; a no-op once it ran or was removed. */
  [Symbol.dispose](): void {
    const owner = this.owner;
    if (owner !== null) owner.unlink(this);
  }
}

/** The registration returned when there is nothing to remove. */
export const NOOP_REGISTRATION: Disposable = Object.freeze({
  [Symbol.dispose](): void {},
});

// A signal carries its core under this private symbol: the core that created
// it, or the mirror core of a foreign signal. A symbol key (invisible to
// `console.log` and to string-keyed reflection) costs ~10 ns and dies with
// the signal; a WeakMap entry costs ~100 ns and its table keeps the capacity
// reached by short-lived signals between major GCs (4 MB after 1e6 derived
// signals), so the map only serves signals that cannot take a property.
const CORE: unique symbol = Symbol("pledge.cancel.core");
type TaggedSignal = AbortSignal & { [CORE]?: TokenCore };
const frozenSignalCores = new WeakMap<AbortSignal, TokenCore>();

function tag(signal: AbortSignal, core: TokenCore): void {
  if (Object.isExtensible(signal)) (signal as TaggedSignal)[CORE] = core;
  else frozenSignalCores.set(signal, core);
}

/** Reports what cancellation callbacks threw (one error, or all of them). */
export function reportErrors(errors: unknown[] | undefined): void {
  if (errors === undefined) return;
  reportError(errors.length === 1 ? errors[0] : callbackErrors(errors));
}

/** Wraps what cancellation callbacks threw. */
export function callbackErrors(errors: unknown[]): AggregateError {
  const n = errors.length;
  return new AggregateError(
    errors,
    `${n} cancellation callback${n === 1 ? "" : "s"} threw`,
  );
}

/** The state shared by a token, its source and its links. */
export class TokenCore {
  state: number;
  reason: unknown = undefined;
  head: Registration | null = null;
  tail: Registration | null = null;
  /** This core's link nodes in its parents' lists, chained by `sibling`. */
  links: Registration | null = null;
  /** The signal handed out by `abortSignal()`, created on first use. */
  signal: AbortSignal | undefined;
  controller: AbortController | undefined = undefined;
  /** The foreign signal a signal core mirrors. */
  readonly external: AbortSignal | undefined;
  /** A signal core's `abort` listener, created once. */
  listener: (() => void) | undefined = undefined;
  /** Whether `listener` is on the external signal. */
  listening = false;
  timer: QueuedTimer | undefined = undefined;
  queue: TimerQueue | undefined = undefined;
  /** The public facade, created on first use. */
  facade: unknown = undefined;

  constructor(external?: AbortSignal, never?: boolean) {
    this.state = never === true ? NEVER : LIVE;
    this.external = external;
    this.signal = external;
  }

  /** Whether cancellation was requested. */
  get cancelled(): boolean {
    const external = this.external;
    return external !== undefined ? external.aborted : this.state === CANCELLED;
  }

  /** The reason, or undefined while not cancelled. */
  get currentReason(): unknown {
    const external = this.external;
    return external !== undefined ? external.reason : this.reason;
  }

  /** Whether the core may still be cancelled (it is worth registering). */
  get live(): boolean {
    const external = this.external;
    return this.state === LIVE &&
      (external === undefined || !external.aborted);
  }

  /**
   * Registers a callback: runs it at once when already cancelled, returns a
   * no-op registration when the core can never cancel.
   */
  register(callback: (reason: unknown) => void): Disposable {
    if (this.live) return this.add(callback, null);
    if (this.cancelled) callback(this.currentReason);
    return NOOP_REGISTRATION;
  }

  /** Appends a node; the core must be live. */
  add(
    callback: ((reason: unknown) => void) | null,
    child: TokenCore | null,
  ): Registration {
    const node = new Registration(this, callback, child);
    const tail = this.tail;
    if (tail === null) {
      this.head = this.tail = node;
      if (this.external !== undefined) this.#listen();
    } else {
      node.prev = tail;
      tail.next = node;
      this.tail = node;
    }
    return node;
  }

  /** Removes a node of this core's list. */
  unlink(node: Registration): void {
    const prev = node.prev;
    const next = node.next;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    node.prev = node.next = null;
    node.owner = null;
    node.callback = null;
    node.child = null;
    if (this.head === null && this.listening) this.#unlisten();
  }

  /**
   * Links this (live) core to `parent`: it is cancelled when the parent is.
   * Returns false when the parent is already cancelled (nothing linked).
   */
  linkTo(parent: TokenCore): boolean {
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
  abortSignal(): AbortSignal {
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

  #listen(): void {
    const external = this.external!;
    const listener = this.listener ??= () => {
      this.#unlisten();
      reportErrors(drain(this, external.reason, undefined));
    };
    this.listening = true;
    external.addEventListener("abort", listener);
  }

  #unlisten(): void {
    this.listening = false;
    this.external!.removeEventListener("abort", this.listener!);
  }
}

/** The core of `signal`: the core that created it, or its mirror. */
export function coreOfSignal(signal: AbortSignal): TokenCore {
  let core = (signal as TaggedSignal)[CORE] ?? frozenSignalCores.get(signal);
  if (core === undefined) {
    core = new TokenCore(signal);
    tag(signal, core);
  }
  return core;
}

/** Registers `callback` to run once when `signal` aborts. */
export function onSignalAbort(
  signal: AbortSignal,
  callback: (reason: unknown) => void,
): Disposable {
  if (signal.aborted) {
    callback(signal.reason);
    return NOOP_REGISTRATION;
  }
  return coreOfSignal(signal).register(callback);
}

/**
 * Runs the registrations of a cancelled core in order, cancelling linked
 * children depth first, exactly as recursion would, but on an explicit
 * stack: a chain of linked sources of any depth cannot overflow the call
 * stack. Returns what callbacks threw, appended to `errors`.
 */
function drain(
  start: TokenCore,
  reason: unknown,
  errors: unknown[] | undefined,
): unknown[] | undefined {
  let stack: TokenCore[] | undefined;
  let core = start;
  for (;;) {
    const node = core.head;
    if (node === null) {
      if (stack === undefined || stack.length === 0) return errors;
      core = stack.pop()!;
      continue;
    }
    const next = node.next;
    core.head = next;
    if (next === null) core.tail = null;
    else next.prev = null;
    node.next = null;
    node.owner = null;
    const child = node.child;
    if (child !== null) {
      node.child = null;
      if (child.begin(reason)) {
        (stack ??= []).push(core);
        core = child;
      }
    } else {
      const callback = node.callback!;
      node.callback = null;
      try {
        callback(reason);
      } catch (e) {
        (errors ??= []).push(e);
      }
    }
  }
}
