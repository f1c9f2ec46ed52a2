/**
 * A host macrotask round-trip used by the async drivers of `VirtualClock` and
 * `EventLoop`: awaiting it lets every queued host microtask run.
 *
 * @module
 */

/**
 * Lets every queued host microtask run: a macrotask runs only once the
 * microtask queue is empty. One `MessageChannel` per drive, closed after.
 */
export class MacrotaskGate {
  #channel: MessageChannel | undefined;
  #resolve: (() => void) | undefined;

  /** Resolves after one host macrotask. */
  wait(): Promise<void> {
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
