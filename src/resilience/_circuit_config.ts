/**
 * The checks of a {@linkcode CircuitBreaker}'s options and initial state,
 * and its default failure predicate.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import {
  BulkheadRejectedError,
  CircuitOpenError,
  RateLimitedError,
} from "../core/errors.ts";
import {
  assertDuration,
  assertFunction,
  assertInteger,
  assertNumber,
  assertOptions,
  rangeError,
  typeError,
} from "../core/_validate.ts";
import {
  type BreakerStrategy,
  ConsecutiveFailuresStrategy,
} from "./breaker_strategy.ts";
import type {
  BreakDurationContext,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitFailureEvent,
  CircuitState,
  CircuitStateChange,
  CircuitSuccessEvent,
} from "./circuit_breaker_options.ts";
import { classify } from "./classify.ts";
import { clockOption } from "./_policy_call.ts";

const CREATE = "create the circuit breaker";
const RESTORE = "restore the circuit breaker";
const STATES: readonly CircuitState[] = [
  "closed",
  "open",
  "half_open",
  "isolated",
];
// The strategies held by a breaker: a strategy holds one breaker's window.
const owned = new WeakSet<BreakerStrategy>();

/** The validated options of a breaker, defaults filled in. */
export interface CircuitConfig {
  readonly strategy: BreakerStrategy;
  readonly clock: Clock;
  readonly breakDurationMs: number;
  readonly breakDuration: ((c: BreakDurationContext) => number) | undefined;
  readonly maxProbes: number;
  readonly successThreshold: number;
  readonly slowCallMs: number;
  readonly isFailure: (error: unknown) => boolean;
  readonly onStateChange: ((e: CircuitStateChange) => void) | undefined;
  readonly onSuccess: ((e: CircuitSuccessEvent) => void) | undefined;
  readonly onFailure: ((e: CircuitFailureEvent) => void) | undefined;
  readonly onReject: ((e: CircuitOpenError) => void) | undefined;
}

/** The state a breaker starts in, from its `initialState`. */
export interface RestoredCircuit {
  readonly state: CircuitState;
  readonly openings: number;
  readonly openUntil: number;
}

// Counts every error but cancellations and the refusals of local policies
// (a nested breaker, a bulkhead, a rate limiter): those never reached the
// dependency. Permanent errors count, as in Polly.
function defaultIsFailure(error: unknown): boolean {
  return !(error instanceof CircuitOpenError ||
    error instanceof BulkheadRejectedError ||
    error instanceof RateLimitedError) && classify(error) !== "cancelled";
}

function optionalFunction<F>(
  option: string,
  value: F | undefined,
): F | undefined {
  if (value !== undefined) assertFunction(CREATE, option, value);
  return value;
}

/**
 * Validates the options of a breaker, whose strategy must not be held by
 * another breaker.
 */
export function circuitConfig(
  options: CircuitBreakerOptions | undefined,
): CircuitConfig {
  assertOptions(CREATE, options);
  const strategy = options?.strategy ?? new ConsecutiveFailuresStrategy();
  if (
    strategy === null || typeof strategy !== "object" ||
    typeof strategy.recordFailure !== "function"
  ) {
    typeError(CREATE, "strategy", "a BreakerStrategy", strategy);
  }
  if (owned.has(strategy)) {
    typeError(CREATE, "strategy", "a strategy no other breaker uses", strategy);
  }
  const breakDurationMs = options?.breakDurationMs ?? 5_000;
  assertDuration(CREATE, "breakDurationMs", breakDurationMs);
  const maxProbes = options?.halfOpenMaxProbes ?? 1;
  assertInteger(CREATE, "halfOpenMaxProbes", maxProbes);
  const successThreshold = options?.successThreshold ?? 1;
  assertInteger(CREATE, "successThreshold", successThreshold);
  const slowCallMs = options?.slowCallMs ?? Infinity;
  assertNumber(CREATE, "slowCallMs", slowCallMs);
  if (!(slowCallMs >= 0)) {
    rangeError(CREATE, "slowCallMs", "a number >= 0 or Infinity", slowCallMs);
  }
  const clock = clockOption(CREATE, options?.clock);
  const config: CircuitConfig = {
    strategy,
    clock,
    breakDurationMs,
    breakDuration: optionalFunction("breakDuration", options?.breakDuration),
    maxProbes,
    successThreshold,
    slowCallMs,
    isFailure: optionalFunction("isFailure", options?.isFailure) ??
      defaultIsFailure,
    onStateChange: optionalFunction("onStateChange", options?.onStateChange),
    onSuccess: optionalFunction("onSuccess", options?.onSuccess),
    onFailure: optionalFunction("onFailure", options?.onFailure),
    onReject: optionalFunction("onReject", options?.onReject),
  };
  return config;
}

/** Marks `strategy` as held by a breaker (once the breaker exists). */
export function claimStrategy(strategy: BreakerStrategy): void {
  owned.add(strategy);
}

/**
 * Validates a persisted snapshot, restores the strategy's window from it and
 * returns the state to start in.
 */
export function restoreCircuit(
  snapshot: CircuitBreakerSnapshot,
  strategy: BreakerStrategy,
  now: number,
): RestoredCircuit {
  if (snapshot === null || typeof snapshot !== "object") {
    typeError(RESTORE, "initialState", "a snapshot object", snapshot);
  }
  const { state, remainingMs, consecutiveOpenings } = snapshot;
  if (!STATES.includes(state)) {
    typeError(
      RESTORE,
      "initialState.state",
      `one of ${STATES.map((s) => `"${s}"`).join(", ")}`,
      state,
    );
  }
  assertDuration(RESTORE, "initialState.remainingMs", remainingMs);
  assertInteger(
    RESTORE,
    "initialState.consecutiveOpenings",
    consecutiveOpenings,
    0,
  );
  strategy.restore(snapshot.strategy, now);
  return {
    state,
    openings: consecutiveOpenings,
    openUntil: state === "open" ? now + remainingMs : 0,
  };
}
