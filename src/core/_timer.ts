/**
 * One timer on a clock, for a one-off wait that needs no shared
 * `TimerQueue` (and so does not ship one): any finite delay, although a host
 * timer holds at most 2^31 - 1 ms (a later deadline is reached in hops).
 *
 * @module
 */

import type { Clock } from "./clock.ts";

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `callback` once after `ms` milliseconds (a finite number >= 0) on
 * `clock`; the returned function cancels it (a no-op once it ran).
 */
export function startTimer(
  clock: Clock,
  callback: () => void,
  ms: number,
): () => void {
  const wait = Math.min(ms, MAX_TIMER_MS);
  const handle = clock.setTimeout(
    wait < ms
      ? () => {
        stop = startTimer(clock, callback, ms - wait);
      }
      : callback,
    wait,
  );
  let stop = (): void => clock.clearTimeout(handle);
  return () => stop();
}
