/**
 * The one counting clock of the tests: a `VirtualClock` behind a `Clock`
 * that counts the host timers armed through it, shared by the tests that
 * prove "one host timer, not one per call".
 *
 * @module
 */

import { type Clock, VirtualClock } from "../mod.ts";

/** A counting clock: `clock` to pass to APIs, `inner` to drive time. */
export interface CountingClock {
  clock: Clock;
  inner: VirtualClock;
  /** Calls of `setTimeout`. */
  armed(): number;
  /** Timers armed and neither fired nor cleared. */
  live(): number;
  /** The most timers live at once. */
  peak(): number;
}

/** Creates a counting clock over a new `VirtualClock`. */
export function countingClock(): CountingClock {
  const inner = new VirtualClock();
  const live = new Set<unknown>();
  let armed = 0;
  let peak = 0;
  const clock: Clock = {
    now: () => inner.now(),
    setTimeout(callback, ms) {
      armed++;
      const handle = inner.setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      if (live.size > peak) peak = live.size;
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      inner.clearTimeout(handle);
    },
  };
  return {
    clock,
    inner,
    armed: () => armed,
    live: () => live.size,
    peak: () => peak,
  };
}
