/**
 * Host macrotask round-trips for the async drivers of `VirtualClock` and
 * `EventLoop`: a host macrotask runs only once the host's microtask queue
 * (and Node's `process.nextTick` queue) is empty, so running code in one is
 * how a driver knows the host has drained every promise job.
 *
 * The host functions are the ones found when this module loaded, or, while a
 * `VirtualClock` is installed over `globalThis`, the ones it replaced
 * (captured at install): a driver never waits on a faked timer.
 *
 * @module
 */

/** The host functions a round-trip may use. */
export interface HostTurnFunctions {
  /** `setImmediate`, where the host has it (Node, Deno, Bun). */
  setImmediate: ((callback: () => void) => unknown) | undefined;
  /** `clearImmediate`, beside `setImmediate`. */
  clearImmediate: ((handle: unknown) => void) | undefined;
  /** `MessageChannel`, where the host has it (browsers, Deno, Node). */
  MessageChannel: typeof MessageChannel | undefined;
  /** `setTimeout`, the last resort (1 to 4 ms per round-trip). */
  setTimeout: ((callback: () => void, ms: number) => unknown) | undefined;
  /** `clearTimeout`, beside `setTimeout`. */
  clearTimeout: ((handle: unknown) => void) | undefined;
}

type Host = {
  setImmediate?: unknown;
  clearImmediate?: unknown;
  MessageChannel?: unknown;
  setTimeout?: unknown;
  clearTimeout?: unknown;
};

/** Reads the round-trip functions of `host` (`globalThis` by default). */
export function hostTurnFunctions(
  host: Host = globalThis as Host,
): HostTurnFunctions {
  const fn = <T>(value: unknown): T | undefined =>
    typeof value === "function" ? value as T : undefined;
  return {
    setImmediate: fn(host.setImmediate),
    clearImmediate: fn(host.clearImmediate),
    MessageChannel: fn(host.MessageChannel),
    setTimeout: fn(host.setTimeout),
    clearTimeout: fn(host.clearTimeout),
  };
}

const loaded = hostTurnFunctions();
let installed: HostTurnFunctions | undefined;

/**
 * Makes the round-trips use `functions` (the originals an install replaced),
 * or, with `undefined`, the ones found at load again.
 */
export function useHostTurnFunctions(
  functions: HostTurnFunctions | undefined,
): void {
  installed = functions;
}

/**
 * Runs callbacks, each in a host macrotask of its own, after the host drained
 * its microtasks. Uses `setImmediate` where the host has one, else one
 * `MessageChannel` per gate (closed by `close()`), else `setTimeout(0)`.
 *
 * Callbacks posted together run one after another in the same host turn,
 * and the host still drains its microtasks (and Node's `nextTick` queue)
 * between them: Node, Deno and Bun run a batch of immediates that way, and
 * each message of a channel is a task of its own. A batch costs about a
 * third of a round-trip per callback; a chain of single posts, a whole
 * event-loop turn each.
 */
export class MacrotaskGate {
  readonly #host: HostTurnFunctions = installed ?? loaded;
  #channel: MessageChannel | undefined;
  #posted: (() => void)[] = [];
  #handles: unknown[] = [];
  readonly #deliver = (): void => {
    const callback = this.#posted.shift();
    callback?.();
  };

  /**
   * Runs `callback` in a host macrotask: the host's microtask queue is empty
   * when it starts, and the host drains it again (`nextTick` first on Node)
   * when it returns, as after a real timer callback.
   */
  post(callback: () => void): void {
    const host = this.#host;
    if (host.setImmediate !== undefined) {
      this.#handles.push(host.setImmediate(callback));
      return;
    }
    if (host.MessageChannel !== undefined) {
      if (this.#channel === undefined) {
        this.#channel = new host.MessageChannel();
        this.#channel.port1.onmessage = this.#deliver;
      }
      this.#posted.push(callback);
      this.#channel.port2.postMessage(null);
      return;
    }
    this.#handles.push(host.setTimeout!(callback, 0));
  }

  /**
   * Posts `callback` `count` times, as one batch; call it again only once
   * every callback posted before has run.
   */
  postBatch(callback: () => void, count: number): void {
    this.#handles.length = 0;
    for (let i = 0; i < count; i++) this.post(callback);
  }

  /** Resolves after one host macrotask. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.post(resolve));
  }

  /**
   * Cancels what was posted and has not run yet, and closes the channel
   * (the next `post` opens a new one).
   */
  close(): void {
    const host = this.#host;
    const clear = host.setImmediate !== undefined
      ? host.clearImmediate
      : host.clearTimeout;
    for (const handle of this.#handles) clear?.(handle);
    this.#handles.length = 0;
    if (this.#channel !== undefined) {
      this.#channel.port1.close();
      this.#channel.port2.close();
      this.#channel = undefined;
    }
    this.#posted = [];
  }
}
