/**
 * The waits of a call (`mapConcurrent`, `mapConcurrentIterable`, `sequence`,
 * `pipeline`) on the `Future` results of its tasks, which it takes off once
 * decided: a task that ignores its signal and returns a long-lived pending
 * future (a shutdown future shared by every request) then keeps nothing of
 * the finished call. A native promise cannot be detached (p-map keeps it
 * too): it is awaited as it is.
 *
 * @module
 */

import { onAbort } from "../cancel/signals.ts";
import { Future } from "../future/future.ts";
import { detachReaction, PENDING, stateOf } from "../future/_settle.ts";

const futureThen = Future.prototype.then;

/** Does nothing. */
function noop(): void {}

/**
 * A wait on `future` by a decided call: a pending one keeps nothing (its
 * later rejection marked handled, as a wait taken off leaves it), and the
 * wait never settles.
 */
function abandon(future: Future<unknown>): PromiseLike<unknown> {
  if (stateOf(future) !== PENDING) return future;
  // Detaching nothing marks a pending future handled.
  detachReaction(future, undefined as never);
  return new Promise(noop);
}

/** The pending `Future`s a call awaits, and the reactions put on them. */
export class FutureWaits {
  /**
   * Futures awaited and the reactions put on them, in pairs. A pair whose
   * future settled is stale: dropped when the list reaches `#limit`, so
   * that a long run keeps a list the size of its running calls.
   */
  #waits: Future<unknown>[] | undefined = undefined;
  #limit = 32;
  #closed = false;
  readonly #signal: AbortSignal | undefined;
  #registration: Disposable | undefined = undefined;

  /**
   * @param signal Closes the waits when aborted (watched from the first
   *   `Future` awaited until `dispose()`), for calls whose abort is handled
   *   elsewhere.
   */
  constructor(signal?: AbortSignal) {
    this.#signal = signal;
  }

  /**
   * What to await in place of `value`: `value` itself, or, for a `Future`
   * (with its own `then`), a promise of its outcome whose reaction on it
   * `close()` takes off. A wait taken off never settles. Hot paths test
   * `instanceof Future` before calling it: a call per native promise cost
   * `mapConcurrent` about 10%.
   */
  of(value: PromiseLike<unknown>): PromiseLike<unknown> {
    if (!(value instanceof Future) || value.then !== futureThen) return value;
    const signal = this.#signal;
    if (
      signal !== undefined && this.#registration === undefined &&
      !this.#closed
    ) {
      this.#registration = onAbort(signal, () => this.close());
    }
    if (this.#closed) return abandon(value); // decided (or aborted) already
    const waits = this.#waits ??= [];
    if (waits.length >= this.#limit) this.#drop(waits);
    return new Promise((resolve, reject) => {
      waits.push(value, futureThen.call(value, resolve, reject));
    });
  }

  /** Drops the stale pairs; the limit grows with the pairs left. */
  #drop(waits: Future<unknown>[]): void {
    let kept = 0;
    for (let i = 0; i < waits.length; i += 2) {
      if (stateOf(waits[i]!) === PENDING) {
        waits[kept++] = waits[i]!;
        waits[kept++] = waits[i + 1]!;
      }
    }
    waits.length = kept;
    this.#limit = Math.max(32, kept * 2);
  }

  /**
   * The call is decided: takes every reaction off its future (a later
   * rejection stays handled); a future awaited later is abandoned at once.
   */
  close(): void {
    this.#closed = true;
    this.dispose();
    const waits = this.#waits;
    if (waits === undefined) return;
    this.#waits = undefined;
    // A settled future has no reaction left to take off.
    for (let i = 0; i < waits.length; i += 2) {
      detachReaction(waits[i]!, waits[i + 1]!);
    }
  }

  /** Stops watching the signal. */
  dispose(): void {
    const registration = this.#registration;
    if (registration !== undefined) {
      this.#registration = undefined;
      registration[Symbol.dispose]();
    }
  }
}
