/**
 * `DenoKvStore`: the store contracts on Deno KV (`Deno.openKv()`: SQLite on
 * one machine, distributed on Deno Deploy), by compare-and-set: read the
 * record, decide, write it back only if nobody wrote it in between, and try
 * again when somebody did.
 *
 * @module
 */

import { type Clock, systemClock } from "../../core/clock.ts";
import {
  assertClock,
  assertInteger,
  assertOptions,
  orDefault,
  typeError,
} from "../../core/_validate.ts";
import {
  type BucketRecord,
  type BudgetRecord,
  type CircuitRecord,
  type Decision,
  isRecord,
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

/** A part of a Deno KV key. */
export type KvKeyPart =
  | Uint8Array
  | string
  | number
  | bigint
  | boolean
  | symbol;

/** A Deno KV key. */
export type KvKey = readonly KvKeyPart[];

/** The atomic operation of a {@linkcode DenoKv} that the store uses. */
export interface KvAtomic {
  /** Fails the commit if a key's versionstamp changed. */
  check(...checks: { key: KvKey; versionstamp: string | null }[]): KvAtomic;
  /** Writes a value. */
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): KvAtomic;
  /** Commits: `ok` is false when a check failed. */
  commit(): Promise<{ ok: boolean }>;
}

/** The methods of `Deno.Kv` that {@linkcode DenoKvStore} uses. */
export interface DenoKv {
  /** Reads a key with its versionstamp. */
  get(key: KvKey): Promise<{
    key: KvKey;
    value: unknown;
    versionstamp: string | null;
  }>;
  /** Starts an atomic operation. */
  atomic(): KvAtomic;
}

/** Options of the {@linkcode DenoKvStore} constructor. */
export interface DenoKvStoreOptions {
  /** An open database, from `await Deno.openKv(path)`. */
  kv: DenoKv;
  /**
   * The first part of every key: `[prefix, "limiter" | "circuit" |
   * "budget", key]`.
   *
   * @default {"pledge"}
   */
  prefix?: string;
  /**
   * The clock of decisions: its `dateNow()` (`Date.now()` on the system
   * clock), or `now()` for a clock without it, such as a `VirtualClock`.
   * Deno KV has no clock of its own: each record keeps the time of its last
   * decision, and a later decision never uses an earlier time.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * How many times a decision is tried when other writers keep changing its
   * key, before it fails (and the policy applies its `storeFailure`).
   *
   * @default {32}
   */
  maxAttempts?: number;
}

const CREATE = "create the Deno KV store";

/**
 * A store on Deno KV, shared by every process that opens the same database
 * (a file on one machine, or Deno Deploy's KV). Each decision reads one
 * key, decides, and commits an atomic write that checks the key's
 * versionstamp, so concurrent decisions never both win; a lost race (or a
 * database locked by another writer) is tried again (at once, then after
 * short random waits on the clock). Decisions
 * that change nothing (a refusal, a closed circuit) write nothing.
 *
 * Deno KV has no clock: decisions use the caller's wall clock, kept from
 * going back per key. Across machines, keep clocks synchronised: a clock
 * ahead by `s` milliseconds lets a bucket refill up to `s` early once.
 *
 * @example A limit shared through Deno KV (run with `--unstable-kv`)
 * ```ts
 * import { DenoKvStore, RateLimiter, VirtualClock } from "@pledge/core";
 * import assert from "node:assert/strict";
 *
 * using kv = await Deno.openKv(":memory:");
 * const clock = new VirtualClock();
 * const store = new DenoKvStore({ kv, prefix: "myapp", clock });
 * const options = { limit: 2, intervalMs: 1000, mode: "reject" as const, store, key: "api", clock };
 * const [a, b] = [new RateLimiter(options), new RateLimiter(options)];
 * await a.execute(() => 1);
 * await b.execute(() => 2);
 * await assert.rejects(b.execute(() => 3), { name: "RateLimitedError", retryAfterMs: 500 });
 * ```
 */
export class DenoKvStore implements FleetStore {
  /** The first part of every key. */
  readonly prefix: string;
  readonly #kv: DenoKv;
  readonly #clock: Clock;
  readonly #maxAttempts: number;

  /**
   * Wraps an open database.
   *
   * @param options The database, the prefix, the clock and the attempts.
   * @throws {TypeError} If the database lacks `get` or `atomic`, or an
   *   option has the wrong type.
   * @throws {RangeError} If `maxAttempts` is not an integer >= 1.
   */
  constructor(options: DenoKvStoreOptions) {
    assertOptions(CREATE, options);
    if (options === undefined) {
      typeError(CREATE, "options", "an options object", options);
    }
    const kv = options.kv as unknown as Record<string, unknown>;
    if (
      kv === null || typeof kv !== "object" ||
      typeof kv.get !== "function" || typeof kv.atomic !== "function"
    ) {
      typeError(CREATE, "kv", "a Deno.Kv (get, atomic)", kv);
    }
    const prefix = orDefault(options.prefix, "pledge");
    if (typeof prefix !== "string") {
      typeError(CREATE, "prefix", "a string", prefix);
    }
    const clock = orDefault(options.clock, systemClock);
    assertClock(CREATE, clock);
    const maxAttempts = orDefault(options.maxAttempts, 32);
    assertInteger(CREATE, "maxAttempts", maxAttempts);
    this.prefix = prefix;
    this.#kv = options.kv;
    this.#clock = clock;
    this.#maxAttempts = maxAttempts;
  }

  /**
   * Takes tokens from a bucket (see {@linkcode RateLimiterStore}).
   *
   * @param key The name of the bucket.
   * @param request The rate, the burst and the weights.
   * @returns What was taken, or how long until enough is available.
   * @throws {TypeError} Rejects with it if `key` is not a non-empty string,
   *   or `request` or one of its fields has the wrong type (nothing is read).
   * @throws {RangeError} Rejects with it if a field of `request` is out of
   *   range (a weight above the burst, a `maxWeight` below the weight).
   *
   * @example Taking from a bucket of two
   * ```ts
   * import { DenoKvStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * using kv = await Deno.openKv(":memory:");
   * const store = new DenoKvStore({ kv });
   * const request = { limit: 2, intervalMs: 60_000, burst: 2, weight: 1, maxWeight: 5 };
   * assert.equal((await store.takeTokens("api", request)).granted, 2);
   * assert.equal((await store.takeTokens("api", request)).granted, 0);
   * ```
   */
  takeTokens(key: string, request: TokenRequest): Promise<TokenGrant> {
    return this.#apply("limiter", key, request, takeTokens, (record, now) => ({
      expireIn: Math.ceil((record as BucketRecord).tat - now) + 1_000,
    }));
  }

  /**
   * Updates a circuit (see {@linkcode CircuitBreakerStore}).
   *
   * @param key The name of the circuit.
   * @param command What to do.
   * @returns The circuit after the command.
   * @throws {TypeError} Rejects with it if `key` is not a non-empty string,
   *   or `command` is not a command of the contract (nothing is read).
   * @throws {RangeError} Rejects with it if a number of `command` is out of
   *   range.
   *
   * @example Isolating a circuit
   * ```ts
   * import { DenoKvStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * using kv = await Deno.openKv(":memory:");
   * const store = new DenoKvStore({ kv });
   * assert.equal((await store.updateCircuit("db", { op: "isolate" })).state, "isolated");
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
   *   or `request` or one of its fields has the wrong type (nothing is read).
   * @throws {RangeError} Rejects with it if a number of `request` is out of
   *   range.
   *
   * @example A budget of one retry
   * ```ts
   * import { DenoKvStore } from "@pledge/core";
   * import assert from "node:assert/strict";
   *
   * using kv = await Deno.openKv(":memory:");
   * const store = new DenoKvStore({ kv });
   * const request = { maxRetries: 1, refill: { limit: 0, intervalMs: 1000 }, ratio: 0, deposits: 0, withdraw: true };
   * assert.equal((await store.updateBudget("api", request)).granted, true);
   * assert.equal((await store.updateBudget("api", request)).granted, false);
   * ```
   */
  updateBudget(key: string, request: BudgetRequest): Promise<BudgetReply> {
    return this.#apply("budget", key, request, updateBudget);
  }

  async #apply<R extends BucketRecord | CircuitRecord | BudgetRecord, Q, T>(
    kind: "limiter" | "circuit" | "budget",
    name: string,
    request: Q,
    decide: (record: R | undefined, request: Q, now: number) => Decision<R, T>,
    options?: (record: R, now: number) => { expireIn: number },
  ): Promise<T> {
    checkRequest(kind, name, request);
    const key: KvKey = [this.prefix, kind, name];
    for (let attempt = 1;; attempt++) {
      const entry = await this.#kv.get(key);
      const stored = entry.value as (R & { at: number }) | null;
      if (
        stored !== null &&
        (!isRecord(kind, stored) || typeof stored.at !== "number")
      ) {
        throw new TypeError(
          `Cannot use the value at ${
            JSON.stringify([this.prefix, kind, name])
          } as it must be a ${kind} record of pledge: current value is ${
            JSON.stringify(stored)
          }`,
        );
      }
      const clock = this.#clock;
      let now = clock.dateNow === undefined ? clock.now() : clock.dateNow();
      if (stored !== null && stored.at > now) now = stored.at;
      const decision = decide(stored ?? undefined, request, now);
      const record = decision.record;
      if (record === undefined) return decision.reply;
      let committed: boolean;
      try {
        committed = (await this.#kv.atomic()
          .check({ key, versionstamp: entry.versionstamp })
          .set(key, { ...record, at: now }, options?.(record, now))
          .commit()).ok;
      } catch (error) {
        // SQLite's "database is locked": another writer holds it, a lost
        // race like a failed check.
        if (!/locked|busy/i.test(String((error as Error)?.message))) {
          throw error;
        }
        committed = false;
      }
      if (committed) return decision.reply;
      if (attempt >= this.#maxAttempts) {
        throw new Error(
          `Cannot update the key ${
            JSON.stringify(name)
          } as other writers changed it during each of ${attempt} attempts`,
        );
      }
      // Contention: again at once, then after a random wait of up to
      // 2^attempt ms (at most 64).
      if (attempt > 2) {
        const ms = Math.random() * Math.min(64, 2 ** attempt);
        await new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
      }
    }
  }
}
