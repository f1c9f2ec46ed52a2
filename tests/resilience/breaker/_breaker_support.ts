/**
 * Test helpers for the circuit breaker: a breaker on a virtual clock that
 * logs its transitions with their times, and short forms for failing and
 * refused calls.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CircuitBreaker } from "../../../src/resilience/breaker/circuit_breaker.ts";
import type { CircuitBreakerOptions } from "../../../src/resilience/breaker/circuit_breaker_options.ts";
import { CircuitOpenError } from "../../../src/core/errors.ts";
import { VirtualClock } from "../../../src/loop/virtual_clock.ts";

/** A call that fails with "down". */
export const down = (): Promise<never> => Promise.reject(new Error("down"));

/** A breaker (break 1000 ms) whose transitions go to `log` as "t from->to". */
export function setup(options: CircuitBreakerOptions = {}): {
  clock: VirtualClock;
  breaker: CircuitBreaker;
  log: string[];
} {
  const clock = new VirtualClock();
  const log: string[] = [];
  const breaker = new CircuitBreaker({
    clock,
    cooldownMs: 1000,
    onStateChange: ({ from, to }) => log.push(`${clock.now()} ${from}->${to}`),
    ...options,
  });
  return { clock, breaker, log };
}

/** Makes `times` calls that fail through `breaker`. */
export async function fail(breaker: CircuitBreaker, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    await assert.rejects(breaker.execute(down), { message: "down" });
  }
}

/** Asserts that a call is refused with the given state and retry-after. */
export async function refused(
  breaker: CircuitBreaker,
  state: string,
  retryAfterMs: number,
): Promise<void> {
  let ran = false;
  const error = await breaker.execute(() => (ran = true)).catch((e) => e);
  assert.ok(error instanceof CircuitOpenError, String(error));
  assert.equal(error.state, state);
  assert.equal(error.retryAfterMs, retryAfterMs);
  assert.equal(ran, false);
}
