/**
 * `MemoryStore`: the store contracts kept in this process, on a clock. It
 * lets several policies in one process share one state (one limit for many
 * limiter objects, one circuit for many breakers), and it shows in tests
 * (on a `VirtualClock`) exactly what `RedisStore` and `DenoKvStore` do for a
 * fleet.
 *
 * @module
 */

import { type Clock, systemClock } from "../../core/clock.ts";
import { assertClock, assertOptions, orDefault } from "../../core/_validate.ts";
import {
  type BucketRecord,
  type BudgetRecord,
  type CircuitRecord,
  type Decision,
  takeTokens,
  updateBudget,
  updateCircuit,
} from "./_fleet_state.ts";
import { checkRequest } from "./_store_requests.ts";
import type {
  BudgetReply,
  BudgetRequest,
  CircuitCommand,
  CircuitView,
  FleetStore,
  TokenGrant,
  TokenRequest,
} from "./store_contracts.ts";

/** Options of the {@linkcode MemoryStore} constructor. */
export interface MemoryStoreOptions {
  /**
   * The store's clock: the time of every decision.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * A store held in this process's memory: policies given the same
 * `MemoryStore` and `key` share one state, as processes sharing a Redis
 * server do. Its decisions are the ones {@linkcode RedisStore} and
 * {@linkcode DenoKvStore} make, on its clock.
 *
 * @example Two limiter objects sharing one limit
 * ```ts
 * import { MemoryStore, RateLimiter, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const store = new MemoryStore({ clock });
 * const options = { limit: 2, intervalMs: 1000, mode: "reject" as const, store, key: "api", clock };
 * const a = new RateLimiter(options);
 * const b = new RateLimiter(options);
 * await a.execute(() => "one");
 * await b.execute(() => "two");
 * await assert.rejects(a.execute(() => "three"), { name: "RateLimitedError", retryAfterMs: 500 });
 * ```
 */
export class MemoryStore implements FleetStore {
  readonly #clock: Clock;
  readonly #records = new Map<string, unknown>();

  /**
   * Creates an empty store.
   *
   * @param options The clock.
   * @throws {TypeError} If `options` or the clock is invalid.
   */
  constructor(options?: MemoryStoreOptions) {
    const action = "create the memory store";
    assertOptions(action, options);
    const clock = orDefault(options?.clock, systemClock);
    assertClock(action, clock);
    this.#clock = clock;
  }

  /**
   * Takes tokens from a bucket (see {@linkcode RateLimiterStore}).
   *
   * @param key The name of the bucket.
   * @param request The rate, the burst and the weights.
   * @returns What was taken, or how long until enough is available.
   * @throws {TypeError} Rejects with it if `key` is not a non-empty string,
   *   or `request` or one of its fields has the wrong type.
   * @throws {RangeError} Rejects with it if a field of `request` is out of
   *   range (a weight above the burst, a `maxWeight` below the weight).
   *
   * @example Taking from a bucket of two
   * ```ts
   * import { MemoryStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const store = new MemoryStore();
   * const request = { limit: 2, intervalMs: 60_000, burst: 2, weight: 1, maxWeight: 5 };
   * assert.equal((await store.takeTokens("api", request)).granted, 2);
   * assert.equal((await store.takeTokens("api", request)).granted, 0);
   * ```
   */
  takeTokens(key: string, request: TokenRequest): Promise<TokenGrant> {
    return this.#apply("limiter", key, request, takeTokens);
  }

  /**
   * Updates a circuit (see {@linkcode CircuitBreakerStore}).
   *
   * @param key The name of the circuit.
   * @param command What to do.
   * @returns The circuit after the command.
   * @throws {TypeError} Rejects with it if `key` is not a non-empty string,
   *   or `command` is not a command of the contract.
   * @throws {RangeError} Rejects with it if a number of `command` is out of
   *   range.
   *
   * @example Isolating and resetting a circuit
   * ```ts
   * import { MemoryStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const store = new MemoryStore();
   * assert.equal((await store.updateCircuit("db", { op: "isolate" })).state, "isolated");
   * assert.equal((await store.updateCircuit("db", { op: "reset" })).state, "closed");
   * ```
   */
  updateCircuit(key: string, command: CircuitCommand): Promise<CircuitView> {
    return this.#apply("circuit", key, command, updateCircuit);
  }

  /**
   * Updates a retry budget (see {@linkcode RetryBudgetStore}).
   *
   * @param key The name of the budget.
   * @param request The budget's settings and what to do.
   * @returns Whether a retry was taken, and what is left.
   * @throws {TypeError} Rejects with it if `key` is not a non-empty string,
   *   or `request` or one of its fields has the wrong type.
   * @throws {RangeError} Rejects with it if a number of `request` is out of
   *   range.
   *
   * @example A budget of one retry
   * ```ts
   * import { MemoryStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * const store = new MemoryStore();
   * const request = { maxRetries: 1, refill: { limit: 0, intervalMs: 1000 }, ratio: 0, deposits: 0, withdraw: true };
   * assert.equal((await store.updateBudget("api", request)).granted, true);
   * assert.equal((await store.updateBudget("api", request)).granted, false);
   * ```
   */
  updateBudget(key: string, request: BudgetRequest): Promise<BudgetReply> {
    return this.#apply("budget", key, request, updateBudget);
  }

  #apply<R extends BucketRecord | CircuitRecord | BudgetRecord, Q, T>(
    kind: "limiter" | "circuit" | "budget",
    key: string,
    request: Q,
    decide: (record: R | undefined, request: Q, now: number) => Decision<R, T>,
  ): Promise<T> {
    try {
      checkRequest(kind, key, request);
      const name = `${kind}:${key}`;
      const now = this.#clock.now();
      const decision = decide(this.#records.get(name) as R, request, now);
      if (decision.record !== undefined) {
        this.#records.set(name, decision.record);
      }
      return Promise.resolve(decision.reply);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
