/**
 * What a {@linkcode CircuitBreaker} is given and what it reports: its
 * options, states, observer events, counters and persisted snapshot.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";
import type { CircuitOpenError } from "../../core/errors.ts";
import type { Backoff } from "../backoff.ts";
import type { Classifier, ErrorFilter } from "../classify.ts";
import type {
  CircuitBreakerStore,
  SharedStateOptions,
} from "../stores/store_contracts.ts";
import type {
  BreakerStrategy,
  BreakerStrategySnapshot,
} from "./breaker_strategy.ts";

/**
 * The state of a {@linkcode CircuitBreaker}: `"closed"` lets calls through
 * and counts outcomes; `"open"` rejects them until the cooldown is over;
 * `"half_open"` lets a few trial calls through; `"isolated"` rejects them
 * until `reset()`.
 */
export type CircuitState = "closed" | "open" | "half_open" | "isolated";

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
  /** The rest of the cooldown when `"open"`, otherwise 0. */
  readonly remainingMs: number;
  /** Openings in a row: 1 after the first, 2 when its trial failed... */
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
  /** Openings in a row: 1 after the first, 2 when its trial failed... */
  readonly consecutiveOpenings: number;
  /** Trial calls running (half-open only). */
  readonly runningProbes: number;
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

/**
 * Options of the {@linkcode CircuitBreaker} constructor, with the
 * shared-state options (`store`, `key`, `storeFailure`, `storeTimeoutMs`,
 * `onStoreError`).
 */
export interface CircuitBreakerOptions
  extends SharedStateOptions<CircuitBreakerStore> {
  /**
   * Decides when the closed circuit opens. One strategy object per breaker.
   *
   * @default {new ConsecutiveFailuresStrategy({ threshold: 5 })}
   */
  strategy?: BreakerStrategy;
  /**
   * How long the circuit stays open before trial calls may pass: a number of
   * milliseconds, or a {@linkcode Backoff} whose `next(consecutiveOpenings,
   * previousMs)` computes each cooldown (so that a dependency that keeps
   * failing its trials is left alone longer). A backoff that throws is
   * reported and the default applies to that opening.
   *
   * @default {5_000}
   */
  cooldownMs?: number | Backoff;
  /**
   * The most trial calls running at once while half-open; more calls are
   * rejected with a {@linkcode CircuitOpenError} whose `retryAfterMs` is 0.
   *
   * @default {1}
   */
  halfOpenMaxProbes?: number;
  /**
   * With a `store`: how long a trial call holds its half-open slot at most,
   * in milliseconds; past it the slot is free for another instance (so a
   * crashed prober does not hold the circuit). Make it longer than your
   * slowest call.
   *
   * @default {10_000}
   */
  probeLeaseMs?: number;
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
   * @default {Infinity}
   */
  slowCallMs?: number;
  /**
   * Decides whether an error counts as a failure; an error it refuses counts
   * as nothing (neither failure nor success). An error equal to the reason
   * of the caller's aborted signal never counts. The default counts every
   * error (permanent ones included, as Polly does) except `"cancelled"` ones
   * and the refusals of local policies ({@linkcode CircuitOpenError},
   * {@linkcode BulkheadRejectedError}, {@linkcode RateLimitedError}), which
   * never reached the dependency. A filter that throws is reported and the
   * error counts.
   *
   * @default {(error, classification) => classification !== "cancelled" && !isLocalRefusal(error)}
   */
  shouldHandle?: ErrorFilter;
  /**
   * Classifies the errors for `shouldHandle`.
   *
   * @default {defaultClassifier}
   */
  classifier?: Classifier;
  /**
   * A state to start from, from {@linkcode CircuitBreaker.toJSON} (not with
   * a `store`, which holds the state).
   *
   * @default {undefined}
   */
  initialState?: CircuitBreakerSnapshot;
  /**
   * The clock of cooldowns and call durations.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Called on every state change.
   *
   * @default {undefined}
   */
  onStateChange?: (event: CircuitStateChange) => void;
  /**
   * Called when a call succeeds within `slowCallMs`.
   *
   * @default {undefined}
   */
  onSuccess?: (event: CircuitSuccessEvent) => void;
  /**
   * Called when a call counts as a failure.
   *
   * @default {undefined}
   */
  onFailure?: (event: CircuitFailureEvent) => void;
  /**
   * Called when a call is refused, with the error it is refused with.
   *
   * @default {undefined}
   */
  onReject?: (error: CircuitOpenError) => void;
}
