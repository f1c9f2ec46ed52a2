/**
 * What a {@linkcode CircuitBreaker} is given and what it reports: its
 * options, states, observer events, counters and persisted snapshot.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { CircuitOpenError } from "../core/errors.ts";
import type {
  BreakerStrategy,
  BreakerStrategySnapshot,
  BreakerWindow,
} from "./breaker_strategy.ts";

/**
 * The state of a {@linkcode CircuitBreaker}: `"closed"` lets calls through
 * and counts outcomes; `"open"` rejects them until the break is over;
 * `"half_open"` lets a few trial calls through; `"isolated"` rejects them
 * until `reset()`.
 */
export type CircuitState = "closed" | "open" | "half_open" | "isolated";

/** What {@linkcode CircuitBreakerOptions.breakDuration} is told. */
export interface BreakDurationContext {
  /**
   * The number of openings in a row, this one included: 1 when the circuit
   * opens from closed, 2 when the first trial after that failed, and so on.
   */
  readonly attempt: number;
  /** The strategy's window at the time of opening. */
  readonly window: BreakerWindow;
}

/** What {@linkcode CircuitBreakerOptions.onStateChange} receives. */
export interface CircuitStateChange {
  /** The state left. */
  readonly from: CircuitState;
  /** The state entered. */
  readonly to: CircuitState;
}

/** What {@linkcode CircuitBreakerOptions.onSuccess} receives. */
export interface CircuitSuccessEvent {
  /** How long the call took, on the breaker's clock. */
  readonly durationMs: number;
}

/** What {@linkcode CircuitBreakerOptions.onFailure} receives. */
export interface CircuitFailureEvent {
  /** The error, or `undefined` for a slow call that succeeded. */
  readonly error: unknown;
  /** Whether the call took longer than `slowCallMs`. */
  readonly slow: boolean;
  /** How long the call took, on the breaker's clock. */
  readonly durationMs: number;
}

/**
 * The persisted state of a breaker, from {@linkcode CircuitBreaker.toJSON}.
 * Times are relative (`remainingMs`), so it restores on another clock or in
 * another process.
 */
export interface CircuitBreakerSnapshot {
  /** The state. A restored `"half_open"` breaker has no trial running. */
  readonly state: CircuitState;
  /** The rest of the break when `"open"`, otherwise 0. */
  readonly remainingMs: number;
  /** Openings in a row (see {@linkcode BreakDurationContext.attempt}). */
  readonly consecutiveOpenings: number;
  /** The strategy's window. */
  readonly strategy: BreakerStrategySnapshot;
}

/** A breaker's counters, from {@linkcode CircuitBreaker.stats}. */
export interface CircuitBreakerStats {
  /** The state. */
  readonly state: CircuitState;
  /** Calls in the strategy's window. */
  readonly windowCalls: number;
  /** Failures in the strategy's window. */
  readonly windowFailures: number;
  /** Openings in a row (see {@linkcode BreakDurationContext.attempt}). */
  readonly consecutiveOpenings: number;
  /** Trial calls running (half-open only). */
  readonly activeProbes: number;
  /** Trial calls that succeeded since the circuit went half-open. */
  readonly probeSuccesses: number;
  /** Milliseconds until a call may pass: 0 unless open or isolated. */
  readonly retryAfterMs: number;
  /** Calls that succeeded, in total. */
  readonly successes: number;
  /** Calls counted as failures (slow calls included), in total. */
  readonly failures: number;
  /** Calls refused while open, half-open or isolated, in total. */
  readonly rejections: number;
}

/** Options of the {@linkcode CircuitBreaker} constructor. */
export interface CircuitBreakerOptions {
  /**
   * Decides when the closed circuit opens. One strategy object per breaker.
   *
   * @default {new ConsecutiveFailuresStrategy({ threshold: 5 })}
   */
  strategy?: BreakerStrategy;
  /**
   * How long the circuit stays open before trial calls may pass; also the
   * fallback when `breakDuration` throws or returns a bad value.
   *
   * @default {5_000}
   */
  breakDurationMs?: number;
  /**
   * Computes the break of each opening (a backoff, say); overrides
   * `breakDurationMs`. Must return a finite number >= 0.
   *
   * @default {undefined}
   */
  breakDuration?: (context: BreakDurationContext) => number;
  /**
   * The most trial calls running at once while half-open; more calls are
   * rejected with a {@linkcode CircuitOpenError} whose `retryAfterMs` is 0.
   *
   * @default {1}
   */
  halfOpenMaxProbes?: number;
  /**
   * The trial calls that must succeed (one after another or at once) to
   * close the circuit. One failed trial reopens it.
   *
   * @default {1}
   */
  successThreshold?: number;
  /**
   * Calls taking longer than this count as failures, even when they succeed
   * (the caller still gets the value).
   *
   * @default {Infinity} (no call is slow)
   */
  slowCallMs?: number;
  /**
   * Decides whether an error counts as a failure. Errors it rejects count
   * as nothing: neither failure nor success. An error equal to the reason of
   * the caller's aborted signal never counts. The default counts every error
   * (permanent ones included, as Polly does) except cancellations and the
   * refusals of local policies ({@linkcode CircuitOpenError},
   * {@linkcode BulkheadRejectedError}, {@linkcode RateLimitedError}), which
   * never reached the dependency. To spare permanent errors, pass
   * `(error) => !["cancelled", "permanent"].includes(classify(error))`.
   *
   * @default {(error) => classify(error) !== "cancelled" (see above)}
   */
  isFailure?: (error: unknown) => boolean;
  /**
   * A state to start from, from {@linkcode CircuitBreaker.toJSON}.
   *
   * @default {undefined} (closed, empty window)
   */
  initialState?: CircuitBreakerSnapshot;
  /**
   * The clock for breaks and durations.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /** Called on every state change. */
  onStateChange?: (event: CircuitStateChange) => void;
  /** Called when a call succeeds within `slowCallMs`. */
  onSuccess?: (event: CircuitSuccessEvent) => void;
  /** Called when a call counts as a failure. */
  onFailure?: (event: CircuitFailureEvent) => void;
  /** Called when a call is refused, with the error it is refused with. */
  onReject?: (error: CircuitOpenError) => void;
}
