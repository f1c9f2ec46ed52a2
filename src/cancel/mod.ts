/**
 * Cancellation: `CancellationTokenSource` and `CancellationToken`, and
 * leak-free `AbortSignal` helpers (`anySignal`, `timeoutSignal`, `onAbort`,
 * `abortable`, `delay`).
 *
 * @example Cancelling through a source
 * ```ts
 * import { CancellationTokenSource } from "@pledge/core/cancel";
 * import assert from "node:assert/strict";
 *
 * using source = new CancellationTokenSource();
 * source.cancel(new Error("stop"));
 * assert.equal(source.token.signal.aborted, true);
 * assert.equal((source.token.reason as Error).message, "stop");
 * ```
 *
 * @module
 */

export { CancellationToken } from "./cancellation_token.ts";
export type { CancellationTokenSourceOptions } from "./cancellation_token_source.ts";
export { CancellationTokenSource } from "./cancellation_token_source.ts";
export type { DisposableSignal, TimeoutSignalOptions } from "./signals.ts";
export {
  abortable,
  anySignal,
  isAbortError,
  onAbort,
  timeoutSignal,
} from "./signals.ts";
export type { DelayOptions } from "./delay.ts";
export { delay } from "./delay.ts";
