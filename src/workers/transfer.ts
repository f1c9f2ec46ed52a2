/**
 * `transferResult`: the worker-side helper that moves a task's result to the
 * main thread instead of copying it.
 *
 * @module
 */

import { typeError } from "../core/_validate.ts";

// A registered symbol: the worker bootstrap and the task module may load two
// copies of pledge (a local path and a package), and both must agree.
const BRAND = Symbol.for("@pledge/core/transferred");

/**
 * An object a message between threads can move instead of copy: an
 * `ArrayBuffer`, a `MessagePort`, a stream, an `ImageBitmap`... (the host's
 * `Transferable`, named here so that the types compile without the DOM
 * library, for example under `@types/node`).
 */
export type TransferItem = ArrayBuffer | object;

/**
 * A task's result marked by {@linkcode transferResult}: the worker sends
 * `value` with `transfer` as the transfer list, and `WorkerPool.run`
 * resolves with `value` (its result type is `T`, not `Transferred<T>`).
 *
 * @typeParam T The type of the result.
 *
 * @example What a task returns
 * ```ts
 * import { transferResult, Transferred } from "@pledge/core/workers";
 * import assert from "node:assert/strict";
 *
 * const buffer = new ArrayBuffer(8);
 * const marked = transferResult(buffer, [buffer]);
 * assert.ok(marked instanceof Transferred);
 * assert.equal(marked.value, buffer);
 * ```
 */
export class Transferred<T> {
  // Makes the type nominal: a plain `{ value, transfer }` is not one.
  readonly #marked = true;
  /** The result to send. */
  readonly value: T;
  /** The objects to transfer rather than copy. */
  readonly transfer: readonly TransferItem[];

  /**
   * Marks `value`, as {@linkcode transferResult} does.
   *
   * @param value The result.
   * @param transfer The transferable objects inside `value`.
   * @throws {TypeError} When `transfer` is not an array.
   *
   * @example Marking a result
   * ```ts
   * import { Transferred } from "@pledge/core/workers";
   * import assert from "node:assert/strict";
   *
   * const buffer = new ArrayBuffer(4);
   * assert.equal(new Transferred(buffer, [buffer]).value.byteLength, 4);
   * ```
   */
  constructor(value: T, transfer: readonly TransferItem[]) {
    if (!Array.isArray(transfer)) {
      typeError("transfer the result", "transfer", "an array", transfer);
    }
    this.value = value;
    this.transfer = transfer;
    Object.defineProperty(this, BRAND, { value: this.#marked });
  }
}

/**
 * Marks the result of a task to be transferred, not copied, to the main
 * thread: return `transferResult(bytes, [bytes.buffer])` from a task and the
 * buffer moves (it is detached in the worker) instead of being cloned. Only
 * a task's return value is looked at, not values nested in it.
 *
 * @typeParam T The type of the result.
 * @param value The result.
 * @param transfer The transferable objects inside `value` to move: array
 *   buffers, message ports, streams (where the runtime transfers them).
 * @returns The marked result, for the task to return.
 * @throws {TypeError} When `transfer` is not an array.
 *
 * @example A task module that returns a buffer without copying it
 * ```ts
 * import { transferResult, type Transferred } from "@pledge/core/workers";
 * import assert from "node:assert/strict";
 *
 * // In the task module (run in a worker):
 * function fill(size: number): Transferred<Uint8Array> {
 *   const bytes = new Uint8Array(size).fill(7);
 *   return transferResult(bytes, [bytes.buffer]);
 * }
 *
 * const marked = fill(4);
 * assert.deepEqual([...marked.value], [7, 7, 7, 7]);
 * assert.equal(marked.transfer[0], marked.value.buffer);
 * ```
 */
export function transferResult<T>(
  value: T,
  transfer: readonly TransferItem[],
): Transferred<T> {
  return new Transferred(value, transfer);
}

/** Whether `value` was made by {@linkcode transferResult}. */
export function isTransferred(value: unknown): value is Transferred<unknown> {
  return typeof value === "object" && value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true;
}
