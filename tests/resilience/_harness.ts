/**
 * Test helpers of the Resilience I tests (result, classify, backoff, retry,
 * policies): listener counts, reported observer errors, bad-input values.
 *
 * @module
 */

import { getEventListeners } from "node:events";

/** The values every numeric validator is table-tested with. */
export const BAD_NUMBERS: readonly number[] = [0, -1, 1.5, NaN, Infinity];

/** The number of `abort` listeners currently on `signal`. */
export function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}

/**
 * Runs `body` while catching the errors reported on microtasks (what a
 * throwing observer produces), and returns them.
 */
export async function reported(
  body: () => Promise<void> | void,
): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    seen.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  return seen;
}

/** Lets queued microtasks (a timer queue's cleanup, say) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
