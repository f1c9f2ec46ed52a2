/**
 * A host macrotask round-trip used by the async drivers of `VirtualClock` and
 * `EventLoop`: awaiting it lets every queued host microtask run.
 *
 * @module
 */

// `setImmediate` where the host has one (Node, Deno, Bun): the cheapest
// macrotask round-trip (about 1 µs against 2 µs for a MessageChannel).
const immediate = (globalThis as {
  setImmediate?: (callback: () => void) => unknown;
}).setImmediate;

/**
 * Lets every queued host microtask run: a macrotask runs only once the
 * microtask queue is empty. Uses `setImmediate` where the host has it,
 * otherwise one `MessageChannel` per drive, closed after.
 */
export class MacrotaskGate {
  #channel: MessageChannel | undefined;
  #resolve: (() => void) | undefined;

  /** Resolves after one host macrotask. */
  wait(): Promise<void> {
    if (typeof immediate === "function") {
      return new Promise((resolve) => void immediate(resolve));
    }
    if (typeof MessageChannel !== "function") {
      return new Promise((r) => globalThis.setTimeout(r, 0));
    }
    if (this.#channel === undefined) {
      this.#channel = new MessageChannel();
      this.#channel.port1.onmessage = () => {
        const r = this.#resolve;
        this.#resolve = undefined;
        r?.();
      };
    }
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#channel!.port2.postMessage(null);
    });
  }

  /** Closes the channel (the next `wait` opens a new one). */
  close(): void {
    if (this.#channel !== undefined) {
      this.#channel.port1.close();
      this.#channel.port2.close();
      this.#channel = undefined;
    }
  }
}
