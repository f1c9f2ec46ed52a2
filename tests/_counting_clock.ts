// A VirtualClock behind a Clock that counts the host timers armed on it:
// shared by the tests that prove "one host timer, not one per call".
import { type Clock, VirtualClock } from "../mod.ts";

/** A counting clock: `clock` to pass to APIs, `inner` to drive time. */
export function countingClock(): {
  clock: Clock;
  inner: VirtualClock;
  armed(): number;
} {
  const inner = new VirtualClock();
  let armed = 0;
  const clock: Clock = {
    now: () => inner.now(),
    setTimeout: (cb, ms) => (armed++, inner.setTimeout(cb, ms)),
    clearTimeout: (handle) => inner.clearTimeout(handle),
  };
  return { clock, inner, armed: () => armed };
}
