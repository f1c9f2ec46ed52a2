/**
 * Test helper: a `Clock` over a `VirtualClock` that counts the host timers
 * armed through it.
 *
 * @module
 */

import { type Clock, VirtualClock } from "../../mod.ts";

/** A counting clock and its virtual clock. */
export interface CountingClock {
  clock: Clock;
  inner: VirtualClock;
  /** Calls of `setTimeout`. */
  readonly armed: number;
  /** Timers armed and neither fired nor cleared. */
  readonly live: number;
  /** The most timers live at once. */
  readonly peak: number;
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
    get armed() {
      return armed;
    },
    get live() {
      return live.size;
    },
    get peak() {
      return peak;
    },
  };
}
