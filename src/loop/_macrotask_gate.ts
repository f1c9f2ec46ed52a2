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
  /** `MessageChannel`, where the host has it (browsers, Deno, Node). */
  MessageChannel: typeof MessageChannel | undefined;
  /** `setTimeout`, the last resort (1 to 4 ms per round-trip). */
  setTimeout: ((callback: () => void, ms: number) => unknown) | undefined;
}

type Host = {
  setImmediate?: unknown;
  MessageChannel?: unknown;
  setTimeout?: unknown;
};

/** Reads the round-trip functions of `host` (`globalThis` by default). */
export function hostTurnFunctions(
  host: Host = globalThis as Host,
): HostTurnFunctions {
  const fn = <T>(value: unknown): T | undefined =>
    typeof value === "function" ? value as T : undefined;
  return {
    setImmediate: fn(host.setImmediate),
    MessageChannel: fn(host.MessageChannel),
    setTimeout: fn(host.setTimeout),
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
 * its microtasks. Uses `setImmediate` where the host has one (about 2 µs a
 * round-trip), else one `MessageChannel` per gate (closed by `close()`), else
 * `setTimeout(0)`.
 */
export class MacrotaskGate {
  readonly #host: HostTurnFunctions = installed ?? loaded;
  #channel: MessageChannel | undefined;
  #posted: (() => void)[] = [];
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
      host.setImmediate(callback);
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
    host.setTimeout!(callback, 0);
  }

  /** Resolves after one host macrotask. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.post(resolve));
  }

  /** Closes the channel (the next `post` opens a new one). */
  close(): void {
    if (this.#channel !== undefined) {
      this.#channel.port1.close();
      this.#channel.port2.close();
      this.#channel = undefined;
    }
    this.#posted = [];
  }
}
