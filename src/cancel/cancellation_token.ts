/**
 * `CancellationToken`: a typed, read-only view of a cancellation that
 * converts to and from `AbortSignal`. Its source is
 * `CancellationTokenSource` (cancellation_token_source.ts).
 *
 * @module
 */

import { assertFunction, typeError } from "../core/_validate.ts";
import { coreOfSignal, type SignalCore } from "./_signal_core.ts";
import { TokenCore } from "./_token_core.ts";
import { installTokenAccess, tokenOf } from "./_token_links.ts";

// The core of the token being created by `tokenOf` (see the static block).
let pendingCore: SignalCore | undefined;
let none: CancellationToken | undefined;

/**
 * A read-only view of a cancellation state: observe it, register callbacks,
 * or hand its {@linkcode CancellationToken.signal} to any API that takes an
 * `AbortSignal`. Tokens come from a {@linkcode CancellationTokenSource}, from
 * {@linkcode CancellationToken.fromSignal}, or are
 * {@linkcode CancellationToken.none}.
 *
 * @example Observing a cancellation
 * ```ts
 * import { CancellationTokenSource } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const source = new CancellationTokenSource();
 * const token = source.token;
 * const seen: unknown[] = [];
 * token.register((reason) => seen.push(reason));
 * source.cancel("stop");
 * assert.equal(token.isCancellationRequested, true);
 * assert.deepEqual(seen, ["stop"]);
 * assert.equal(token.signal.reason, "stop");
 * ```
 */
export class CancellationToken {
  readonly #core: SignalCore;

  /**
   * Creates a token that is never cancelled (like
   * {@linkcode CancellationToken.none}, but a distinct object). Tokens that
   * can be cancelled come from a {@linkcode CancellationTokenSource}.
   *
   * @example A token nothing can cancel
   * ```ts
   * import { CancellationToken } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const token = new CancellationToken();
   * assert.equal(token.isCancellationRequested, false);
   * ```
   */
  constructor() {
    this.#core = pendingCore ?? new TokenCore(true);
    pendingCore = undefined;
    this.#core.facade = this;
  }

  static {
    installTokenAccess({
      tokenOf: (core) => {
        const facade = core.facade;
        if (facade !== undefined) return facade;
        pendingCore = core;
        return new CancellationToken();
      },
      coreOf: (value) =>
        value instanceof CancellationToken ? value.#core : undefined,
    });
  }

  /**
   * A token that is never cancelled. It allocates nothing per use: its
   * registrations are a shared no-op.
   */
  static get none(): CancellationToken {
    return none ??= new CancellationToken();
  }

  /**
   * Returns the token of `signal`: cancelled when the signal aborts, with its
   * reason. The same signal always gives the same token (remembered on the
   * signal under a private symbol key), and a token's own signal gives the
   * token back. The token adds one `abort` listener to the signal only while
   * it has registrations, and removes it when the last one is disposed or has
   * run: any number of registrations share that listener.
   *
   * @param signal The signal to follow.
   * @returns The token.
   * @throws {TypeError} When `signal` is not an `AbortSignal`.
   *
   * @example Following a signal
   * ```ts
   * import { CancellationToken } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const controller = new AbortController();
   * const token = CancellationToken.fromSignal(controller.signal);
   * controller.abort("bye");
   * assert.equal(token.isCancellationRequested, true);
   * assert.equal(token.reason, "bye");
   * assert.equal(token.signal, controller.signal);
   * ```
   */
  static fromSignal(signal: AbortSignal): CancellationToken {
    if (!(signal instanceof AbortSignal)) {
      typeError(
        "create a token from a signal",
        "signal",
        "an AbortSignal",
        signal,
      );
    }
    return tokenOf(coreOfSignal(signal)) as CancellationToken;
  }

  /** Whether cancellation was requested. */
  get isCancellationRequested(): boolean {
    return this.#core.cancelled;
  }

  /**
   * The reason given to the cancellation, or `undefined` while not cancelled.
   * Without an explicit reason it is a `DOMException` named `"AbortError"`,
   * as `AbortController.abort()` gives.
   */
  get reason(): unknown {
    return this.#core.currentReason;
  }

  /**
   * A real `AbortSignal` that aborts with the token's reason when the token
   * is cancelled (before the registered callbacks run). It is created on
   * first use and is the same object afterwards.
   */
  get signal(): AbortSignal {
    return this.#core.abortSignal();
  }

  /**
   * Registers `callback` to run once, with the reason, when the token is
   * cancelled. Callbacks run in registration order. On a token already
   * cancelled the callback runs at once, synchronously, and what it throws
   * propagates to the caller. On a token that can never be cancelled nothing
   * is stored.
   *
   * @param callback Receives the reason.
   * @returns A registration; disposing it removes the callback.
   * @throws {TypeError} When `callback` is not a function.
   *
   * @example Removing a registration with `using`
   * ```ts
   * import { CancellationTokenSource } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const source = new CancellationTokenSource();
   * let calls = 0;
   * {
   *   using _registration = source.token.register(() => calls++);
   * }
   * source.cancel();
   * assert.equal(calls, 0);
   * ```
   */
  register(callback: (reason: unknown) => void): Disposable {
    assertFunction("register a cancellation callback", "callback", callback);
    return this.#core.register(callback);
  }

  /**
   * Throws the reason when cancellation was requested.
   *
   * @throws {unknown} The token's reason, unchanged.
   *
   * @example Checking between steps
   * ```ts
   * import { CancellationTokenSource } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const source = new CancellationTokenSource();
   * source.token.throwIfCancellationRequested();
   * source.cancel(new Error("stop"));
   * assert.throws(() => source.token.throwIfCancellationRequested(), {
   *   message: "stop",
   * });
   * ```
   */
  throwIfCancellationRequested(): void {
    const core = this.#core;
    if (core.cancelled) throw core.currentReason;
  }
}
