/**
 * The store contracts: what a {@linkcode RateLimiter}, a
 * {@linkcode CircuitBreaker} and a {@linkcode RetryBudget} ask of a store
 * that many processes share, one call per decision, decided atomically on the
 * store and on the store's clock. {@linkcode MemoryStore},
 * {@linkcode RedisStore} and {@linkcode DenoKvStore} implement all three;
 * implement one of them to put a policy's state somewhere else.
 *
 * Every call names the state it works on by `key` (the policy's `key`
 * option); the store adds its own prefix. A call that throws, rejects, takes
 * longer than the policy's `storeTimeoutMs` or resolves to something that is
 * not the reply described here is a store failure, handled as the policy's
 * `storeFailure` option says.
 *
 * @module
 */

import type { Rate } from "../rate_limiter.ts";

/**
 * What a policy does when its store fails (throws, rejects, answers late or
 * answers nonsense): `"allow"` lets the call through, `"deny"` refuses it
 * (the policy's own refusal error, with the store's error as `cause`),
 * `"local"` decides on the policy's own in-process state, as a policy
 * without a store does.
 */
export type StoreFailureMode = "allow" | "deny" | "local";

/** What a policy's `onStoreError` receives. */
export interface StoreErrorEvent {
  /**
   * What went wrong: the store's error, a `DOMException` named
   * `"TimeoutError"` for a call past `storeTimeoutMs`, or a `TypeError`
   * naming the bad field of a reply.
   */
  readonly error: unknown;
  /** What the policy did instead, from its `storeFailure` option. */
  readonly fallback: StoreFailureMode;
}

/**
 * The options a policy takes to keep its state in a store, beside its own.
 *
 * @typeParam S The store contract of the policy.
 */
export interface SharedStateOptions<S> {
  /**
   * The store that holds the state shared by every instance with the same
   * `key`. Without it, the state lives in this process.
   *
   * @default {undefined}
   */
  store?: S | undefined;
  /**
   * The name of the shared state in the store (required with `store`):
   * instances with the same `key` (and the same settings) share one state.
   *
   * @default {undefined}
   */
  key?: string | undefined;
  /**
   * What the policy does when a store call fails or takes longer than
   * `storeTimeoutMs`.
   *
   * @default {"local"}
   */
  storeFailure?: StoreFailureMode;
  /**
   * The time limit of each store call, on the policy's clock, in
   * milliseconds (a finite number > 0). After a failure, the store is also
   * left alone this long (calls take the fallback at once), then tried again
   * by one call at a time.
   *
   * @default {1_000}
   */
  storeTimeoutMs?: number;
  /**
   * Called when a store call fails, after which the policy applies
   * `storeFailure`.
   *
   * @default {undefined}
   */
  onStoreError?: (event: StoreErrorEvent) => void;
}

/** A request to take tokens from a shared bucket. */
export interface TokenRequest extends Rate {
  /** The bucket's capacity, in tokens. */
  readonly burst: number;
  /** The fewest tokens to take: the weight of the request. */
  readonly weight: number;
  /** The most tokens to take when more are available (leasing): >= weight. */
  readonly maxWeight: number;
}

/** The answer of {@linkcode RateLimiterStore.takeTokens}. */
export interface TokenGrant {
  /** The tokens taken: 0, or an integer from `weight` to `maxWeight`. */
  readonly granted: number;
  /**
   * When nothing was taken: milliseconds (an integer >= 1) until `weight`
   * tokens are available, on the store's clock; otherwise 0.
   */
  readonly retryAfterMs: number;
  /** The time of the decision on the store's clock, in milliseconds. */
  readonly at: number;
}

/**
 * The state of a fleet-wide {@linkcode RateLimiter}: a bucket of `burst`
 * tokens that gains `limit` every `intervalMs`, on the store's clock (GCRA:
 * one stored time per key).
 *
 * @example A store that lets everything through
 * ```ts
 * import { RateLimiter, type RateLimiterStore } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const open: RateLimiterStore = {
 *   takeTokens: (_key, request) =>
 *     Promise.resolve({ granted: request.weight, retryAfterMs: 0, at: 0 }),
 * };
 * const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, store: open, key: "api" });
 * await limiter.acquire();
 * await limiter.acquire();
 * assert.equal(limiter.queued, 0);
 * ```
 */
export interface RateLimiterStore {
  /**
   * Takes between `weight` and `maxWeight` tokens from the bucket `key` if
   * it holds at least `weight`, atomically.
   *
   * @param key The name of the bucket.
   * @param request The rate, the burst and the weights.
   * @returns What was taken, or how long until enough is available.
   */
  takeTokens(key: string, request: TokenRequest): Promise<TokenGrant>;
}

/**
 * A command to a shared circuit, from {@linkcode CircuitBreaker}:
 * - `"enter"`: reads the circuit (moving it from open to half-open when the
 *   cooldown is over) and, when half-open, takes a trial slot for `probe` if
 *   fewer than `maxProbes` unexpired slots are taken; a slot expires after
 *   `probeLeaseMs`;
 * - `"trip"`: opens the circuit for `cooldownMs` if its `epoch` is still the
 *   one given (a trip seen late changes nothing), and frees `probe`;
 * - `"probe"`: a trial call ended without failing: `success` true counts a
 *   success (closing the circuit at `successThreshold`), false only frees
 *   the slot; if `epoch` is still the one given (a failed trial is a
 *   `"trip"` with its `probe`);
 * - `"isolate"` and `"reset"`: hold the circuit open, or close it and forget
 *   its openings, whatever its state.
 */
export type CircuitCommand =
  | {
    /** Read the circuit and maybe take a trial slot. */
    readonly op: "enter";
    /** The id of the trial slot to take when half-open. */
    readonly probe: string;
    /** The most unexpired trial slots. */
    readonly maxProbes: number;
    /** How long a trial slot is held at most, in milliseconds. */
    readonly probeLeaseMs: number;
  }
  | {
    /** Open the circuit. */
    readonly op: "trip";
    /** The epoch the failing call saw. */
    readonly epoch: number;
    /** The cooldown, in milliseconds. */
    readonly cooldownMs: number;
    /** The trial slot to free, if the call was a trial. */
    readonly probe?: string | undefined;
  }
  | {
    /** A trial call ended. */
    readonly op: "probe";
    /** The epoch the trial call saw. */
    readonly epoch: number;
    /** The trial slot to free. */
    readonly probe: string;
    /** Whether it counts as a success (false: it counts as nothing). */
    readonly success: boolean;
    /** The successes that close the circuit. */
    readonly successThreshold: number;
  }
  | {
    /** Hold the circuit open, or close it and forget its openings. */
    readonly op: "isolate" | "reset";
  };

/** The answer of {@linkcode CircuitBreakerStore.updateCircuit}. */
export interface CircuitView {
  /** The state after the command. */
  readonly state: "closed" | "open" | "half_open" | "isolated";
  /** A number that grows with every change of state. */
  readonly epoch: number;
  /** When open: milliseconds until the cooldown ends; otherwise 0. */
  readonly retryAfterMs: number;
  /** Openings in a row (0 once closed). */
  readonly openings: number;
  /** The cooldown of the last opening, in milliseconds (0 once closed). */
  readonly cooldownMs: number;
  /** Whether this command holds a trial slot (`"enter"` when half-open). */
  readonly probe: boolean;
}

/**
 * The state of a fleet-wide {@linkcode CircuitBreaker}: the circuit's state,
 * its cooldown on the store's clock, and the trial slots while half-open.
 * The strategy's window (which calls failed) stays in each process.
 *
 * @example The shape of a store, here one circuit in memory
 * ```ts
 * import { type CircuitBreakerStore, MemoryStore } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const store: CircuitBreakerStore = new MemoryStore();
 * const view = await store.updateCircuit("payments", { op: "isolate" });
 * assert.equal(view.state, "isolated");
 * ```
 */
export interface CircuitBreakerStore {
  /**
   * Applies `command` to the circuit `key` atomically.
   *
   * @param key The name of the circuit.
   * @param command What to do.
   * @returns The circuit after the command.
   */
  updateCircuit(key: string, command: CircuitCommand): Promise<CircuitView>;
}

/** A request to a shared retry budget. */
export interface BudgetRequest {
  /** The bucket's capacity. */
  readonly maxRetries: number;
  /** Retries earned with time. */
  readonly refill: Rate;
  /** Retries earned per call. */
  readonly ratio: number;
  /** Calls to count (each adds `ratio`), made since the last request. */
  readonly deposits: number;
  /** Whether to take one retry, if one is available after the deposits. */
  readonly withdraw: boolean;
}

/** The answer of {@linkcode RetryBudgetStore.updateBudget}. */
export interface BudgetReply {
  /** Whether a retry was taken. */
  readonly granted: boolean;
  /** The retries left after the request (may be fractional). */
  readonly available: number;
}

/**
 * The state of a fleet-wide {@linkcode RetryBudget}: one bucket of retries
 * fed by the calls of every instance and by time, on the store's clock.
 *
 * @example Depositing and withdrawing
 * ```ts
 * import { MemoryStore, type RetryBudgetStore } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const store: RetryBudgetStore = new MemoryStore();
 * const request = { maxRetries: 1, refill: { limit: 0, intervalMs: 1000 }, ratio: 0.5 };
 * assert.equal((await store.updateBudget("api", { ...request, deposits: 0, withdraw: true })).granted, true);
 * assert.equal((await store.updateBudget("api", { ...request, deposits: 1, withdraw: true })).granted, false);
 * assert.equal((await store.updateBudget("api", { ...request, deposits: 1, withdraw: true })).granted, true);
 * ```
 */
export interface RetryBudgetStore {
  /**
   * Adds the deposits to the budget `key`, then takes one retry if asked and
   * available, atomically.
   *
   * @param key The name of the budget.
   * @param request The budget's settings and what to do.
   * @returns Whether a retry was taken, and what is left.
   */
  updateBudget(key: string, request: BudgetRequest): Promise<BudgetReply>;
}

/** A store for all three policies, as the built-in stores are. */
export type FleetStore =
  & RateLimiterStore
  & CircuitBreakerStore
  & RetryBudgetStore;
