/**
 * `CancellationTokenSource`: the controlling side of a cancellation. Linking a
 * source to parents uses pledge's own registration lists (O(1) to add and
 * remove), never `AbortSignal.any`, so a long-lived parent keeps nothing of a
 * completed operation once its linked source is disposed.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { timerQueueFor } from "../core/_timer_queue.ts";
import { abortError } from "../core/_reasons.ts";
import {
  assertClock,
  assertDuration,
  assertOptions,
} from "../core/_validate.ts";
import type { CancellationToken } from "./cancellation_token.ts";
import "./cancellation_token.ts";
import { callbackErrors } from "./_signal_core.ts";
import { TokenCore } from "./_token_core.ts";
import { linkCore, parentCore, parentCores, tokenOf } from "./_token_links.ts";

/** Options of {@linkcode CancellationTokenSource}. */
export interface CancellationTokenSourceOptions {
  /**
   * The clock of {@linkcode CancellationTokenSource.cancelAfter}.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
  /**
   * Tokens or signals to link to: the source is cancelled, with the parent's
   * reason, as soon as any of them is.
   *
   * @default {[]}
   */
  parents?: Iterable<CancellationToken | AbortSignal> | undefined;
}

const LINK = "link a cancellation token source";

/**
 * The controlling side of a cancellation: it owns a
 * {@linkcode CancellationToken} and decides when it is cancelled, by hand, by
 * a timer, or by a linked parent. Dispose it (or declare it with `using`)
 * once the operation it guards is done: that releases its timer and its
 * links to parents.
 *
 * @example Cancelling after a delay on a virtual clock
 * ```ts
 * import { CancellationTokenSource, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * using source = new CancellationTokenSource({ clock });
 * source.cancelAfter(100);
 * clock.tick(100);
 * assert.equal(source.isCancellationRequested, true);
 * assert.equal((source.token.reason as DOMException).name, "TimeoutError");
 * ```
 */
export class CancellationTokenSource implements Disposable {
  readonly #core: TokenCore;
  readonly #clock: Clock;

  /**
   * Creates a source, not cancelled, optionally linked to parents.
   *
   * @param options The clock of `cancelAfter` and the parents to link to.
   * @throws {TypeError} When `options` is not an object (an `AbortSignal`
   *   in its place included), `clock` is not a `Clock`, or a parent is not a
   *   token or a signal.
   *
   * @example A source linked to a signal
   * ```ts
   * import { CancellationTokenSource } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const controller = new AbortController();
   * using source = new CancellationTokenSource({
   *   parents: [controller.signal],
   * });
   * controller.abort("parent");
   * assert.equal(source.token.reason, "parent");
   * ```
   */
  constructor(options?: CancellationTokenSourceOptions) {
    const action = "create a CancellationTokenSource";
    assertOptions(action, options);
    assertClock(action, options?.clock);
    this.#core = new TokenCore();
    this.#clock = options?.clock ?? systemClock;
    const parents = options?.parents;
    if (parents !== undefined) {
      linkCore(this.#core, parentCores(action, "parents", parents));
    }
  }

  /**
   * Creates a source linked to every token or signal given: it is cancelled,
   * with that parent's reason, as soon as any parent is. Linking to tokens
   * allocates no `AbortSignal` and adds no event listener; a signal parent
   * gets at most one shared `abort` listener, removed once unused. Dispose
   * the linked source when done, so the parents forget it.
   *
   * @param tokensOrSignals The parents.
   * @returns The linked source.
   * @throws {TypeError} When a parent is not a token or a signal.
   *
   * @example A per-operation source under a long-lived one
   * ```ts
   * import { CancellationTokenSource } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const app = new CancellationTokenSource();
   * const request = new AbortController();
   * {
   *   using op = CancellationTokenSource.linked(app.token, request.signal);
   *   request.abort("client gone");
   *   assert.equal(op.token.reason, "client gone");
   * }
   * assert.equal(app.isCancellationRequested, false);
   * ```
   */
  static linked(
    ...tokensOrSignals: (CancellationToken | AbortSignal)[]
  ): CancellationTokenSource {
    const n = tokensOrSignals.length;
    const source = new CancellationTokenSource();
    const core = source.#core;
    if (n === 2) {
      // The common case, without a temporary array.
      const a = parentCore(LINK, "tokensOrSignals[0]", tokensOrSignals[0]);
      const b = parentCore(LINK, "tokensOrSignals[1]", tokensOrSignals[1]);
      if (a.cancelled) core.cancel(a.currentReason);
      else if (b.cancelled) core.cancel(b.currentReason);
      else (core.linkTo(a), core.linkTo(b));
      return source;
    }
    linkCore(core, parentCores(LINK, "tokensOrSignals", tokensOrSignals));
    return source;
  }

  /** The token this source controls; always the same object. */
  get token(): CancellationToken {
    return tokenOf(this.#core) as CancellationToken;
  }

  /** Whether cancellation was requested. */
  get isCancellationRequested(): boolean {
    return this.#core.cancelled;
  }

  /**
   * Requests cancellation: aborts the token's signal, then runs every
   * registered callback in registration order, each exactly once, and
   * cancels linked sources with the same reason. Later calls, and calls
   * after dispose, do nothing.
   *
   * @param reason The reason; omitted or `undefined` gives a `DOMException`
   *   named `"AbortError"`, as `AbortController.abort()` does.
   * @throws {AggregateError} When callbacks threw: every callback still ran,
   *   and `errors` holds what they threw, in order.
   *
   * @example Callbacks that throw
   * ```ts
   * import { CancellationTokenSource } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const source = new CancellationTokenSource();
   * const ran: number[] = [];
   * source.token.register(() => {
   *   ran.push(1);
   *   throw new Error("one");
   * });
   * source.token.register(() => ran.push(2));
   * assert.throws(() => source.cancel(), AggregateError);
   * assert.deepEqual(ran, [1, 2]);
   * ```
   */
  cancel(reason?: unknown): void {
    const core = this.#core;
    if (!core.live) return;
    const errors = core.cancel(reason === undefined ? abortError() : reason);
    if (errors !== undefined) throw callbackErrors(errors);
  }

  /**
   * Cancels after `ms` milliseconds on the source's clock, with a
   * `DOMException` named `"TimeoutError"` as the reason. Calling it again
   * reschedules from now (as .NET's `CancelAfter` does). Does nothing once
   * cancelled or disposed. Callbacks that throw when the timer fires are
   * reported on a microtask.
   *
   * @param ms The delay, a finite number >= 0.
   * @throws {RangeError} When `ms` is negative or not finite.
   * @throws {TypeError} When `ms` is not a number.
   *
   * @example Pushing a deadline back
   * ```ts
   * import { CancellationTokenSource, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * using source = new CancellationTokenSource({ clock });
   * source.cancelAfter(100);
   * clock.tick(50);
   * source.cancelAfter(100);
   * clock.tick(99);
   * assert.equal(source.isCancellationRequested, false);
   * clock.tick(1);
   * assert.equal(source.isCancellationRequested, true);
   * ```
   */
  cancelAfter(ms: number): void {
    assertDuration("cancel after a delay", "ms", ms);
    this.#core.cancelAfter(timerQueueFor(this.#clock), ms);
  }

  /**
   * Releases the source's timer and its links to parents. When it was not
   * cancelled, it never will be: its registered callbacks are dropped
   * without running and its token stays uncancelled.
   *
   * @example Disposing with `using`
   * ```ts
   * import { CancellationTokenSource, VirtualClock } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const clock = new VirtualClock();
   * {
   *   using source = new CancellationTokenSource({ clock });
   *   source.cancelAfter(1000);
   * }
   * await Promise.resolve();
   * assert.equal(clock.pendingTimers, 0);
   * ```
   */
  [Symbol.dispose](): void {
    this.#core.dispose();
  }
}
