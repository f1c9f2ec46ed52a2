/**
 * The one clamp every delay of the resilience area goes through: a timer
 * holds at most 2^31 - 1 ms (about 24.8 days; hosts fire larger values at
 * once), and a delay is never negative or `NaN`.
 *
 * @module
 */

/** The largest delay a host timer can hold, in milliseconds. */
export const MAX_DELAY_MS = 2_147_483_647;

/** Clamps `ms` into `[0, MAX_DELAY_MS]`; `NaN` becomes 0. */
export function clampDelay(ms: number): number {
  return ms >= 0 ? (ms <= MAX_DELAY_MS ? ms : MAX_DELAY_MS) : 0;
}
