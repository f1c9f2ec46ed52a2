/**
 * What every cancellation core has, and all that waiting on an `AbortSignal`
 * needs: an intrusive doubly linked list of registrations (O(1) add and
 * remove, nothing allocated but the node), run in order on abort.
 *
 * A {@linkcode SignalCore} on its own mirrors a foreign `AbortSignal`: it
 * holds one `abort` listener on that signal while (and only while) it has
 * registrations, so any number of operations share a single listener and
 * leave none behind. {@linkcode onSignalAbort}, what pledge's operations
 * use to watch a caller's signal, needs nothing more; the sources, timers and
 * links of tokens (`TokenCore`, which extends it) stay out of their bundles.
 *
 * A node either runs a callback or cancels a linked child core (a token
 * source linked to this signal or token).
 *
 * @module
 */

import { reportError } from "../core/_report.ts";

/** A core a link node cancels: a token source's core. */
export interface LinkedCore extends SignalCore {
  /** Marks the core cancelled and aborts its signal; false if not live. */
  begin(reason: unknown): boolean;
}

/** A registration in a core's list; also the `Disposable` users receive. */
export class Registration implements Disposable {
  prev: Registration | null = null;
  next: Registration | null = null;
  /** The core whose list holds this node, or null once out of it. */
  owner: SignalCore | null;
  /** The user callback (null for a link node). */
  callback: ((reason: unknown) => void) | null;
  /** The linked child to cancel (null for a callback node). */
  child: LinkedCore | null;
  /** The next link node of the same child (a child's links to parents). */
  sibling: Registration | null = null;

  constructor(
    owner: SignalCore,
    callback: ((reason: unknown) => void) | null,
    child: LinkedCore | null,
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
export const NOOP_REGISTRATION: Disposable = /* @__PURE__ */ Object.freeze({
  [Symbol.dispose](): void {},
});

// A signal carries its core under this private symbol: the core that created
// it, or the mirror core of a foreign signal. A symbol key (invisible to
// `console.log` and to string-keyed reflection) costs ~10 ns and dies with
// the signal; a WeakMap entry costs ~100 ns and its table keeps the capacity
// reached by short-lived signals between major GCs (4 MB after 1e6 derived
// signals), so the map only serves signals that cannot take a property.
const CORE: unique symbol = Symbol("pledge.cancel.core");
type TaggedSignal = AbortSignal & { [CORE]?: SignalCore };
const frozenSignalCores = new WeakMap<AbortSignal, SignalCore>();

/** Records `core` as the core of `signal`. */
export function tag(signal: AbortSignal, core: SignalCore): void {
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

/**
 * The registration list of a core. On its own, the mirror of the foreign
 * signal `external`: cancelled when that signal aborts.
 */
export class SignalCore {
  head: Registration | null = null;
  tail: Registration | null = null;
  /** The signal of this core (a token's is created on first use). */
  signal: AbortSignal | undefined;
  /** The foreign signal a signal core mirrors. */
  readonly external: AbortSignal | undefined;
  /** A signal core's `abort` listener, created once. */
  listener: (() => void) | undefined = undefined;
  /** Whether `listener` is on the external signal. */
  listening = false;
  /** The public facade (a `CancellationToken`), created on first use. */
  facade: unknown = undefined;

  constructor(external?: AbortSignal) {
    this.external = external;
    this.signal = external;
  }

  /** Whether cancellation was requested. */
  get cancelled(): boolean {
    return this.external!.aborted;
  }

  /** The reason, or undefined while not cancelled. */
  get currentReason(): unknown {
    return this.external!.reason;
  }

  /** Whether the core may still be cancelled (it is worth registering). */
  get live(): boolean {
    return !this.external!.aborted;
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
    child: LinkedCore | null,
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

  /** The `AbortSignal` view of this core: the signal it mirrors. */
  abortSignal(): AbortSignal {
    return this.signal!;
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
export function coreOfSignal(signal: AbortSignal): SignalCore {
  let core = (signal as TaggedSignal)[CORE] ?? frozenSignalCores.get(signal);
  if (core === undefined) {
    core = new SignalCore(signal);
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
export function drain(
  start: SignalCore,
  reason: unknown,
  errors: unknown[] | undefined,
): unknown[] | undefined {
  let stack: SignalCore[] | undefined;
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
